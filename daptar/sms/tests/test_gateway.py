from __future__ import annotations

import datetime
import urllib.parse
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from daptar.notifications import tasks
from daptar.notifications.actions import queue_sms
from daptar.notifications.models import OutboxMessage
from daptar.sms.tests import fake_sslwireless
from daptar.sms.tests.support import SIGNED, SmsTestCase, post_signed


def sslwireless(url: str, token: str = fake_sslwireless.TOKEN) -> override_settings:
    return override_settings(
        DAPTAR_SMS_BACKEND="sslwireless",
        DAPTAR_SMS_URL=url,
        DAPTAR_SMS_API_KEY=token,
        DAPTAR_SMS_SENDER_ID="DAPTAR",
        DAPTAR_OUTBOX_MAX_ATTEMPTS=3,
    )


@SIGNED
class SSLWirelessTests(SmsTestCase):
    def setUp(self) -> None:
        queue_sms("+8801712345678", "নির্দেশনা এসেছে", key="test:1")
        self.row = OutboxMessage.objects.get()

    def due_now(self) -> None:
        OutboxMessage.objects.filter(pk=self.row.pk).update(next_attempt_at=timezone.now())

    def test_it_sends_with_a_csms_id_taken_from_the_outbox_row(self) -> None:
        with fake_sslwireless.running() as (fake, url), sslwireless(url):
            self.assertEqual(tasks.sweep()["sent"], 1)
        self.row.refresh_from_db()
        self.assertEqual(self.row.status, OutboxMessage.Status.SENT)
        self.assertEqual(self.row.gateway_ref, "ref-1")
        (request,) = fake.requests
        self.assertEqual(request["csms_id"], f"dpt{self.row.pk}")
        self.assertEqual(request["msisdn"], "8801712345678")
        self.assertEqual(request["sid"], "DAPTAR")
        self.assertEqual(request["sms"], "নির্দেশনা এসেছে")

    def test_a_retry_after_a_lost_answer_does_not_send_twice(self) -> None:
        with fake_sslwireless.running() as (fake, url), sslwireless(url):
            # The first attempt reached the gateway, but its answer never came back.
            fake.taken[f"dpt{self.row.pk}"] = {"csms_id": f"dpt{self.row.pk}"}
            self.assertEqual(tasks.sweep()["sent"], 1)
        self.row.refresh_from_db()
        self.assertEqual(self.row.status, OutboxMessage.Status.SENT)
        self.assertEqual(len(fake.taken), 1)  # the duplicate was refused, not sent again

    def test_a_failing_gateway_is_retried_later_and_then_sent(self) -> None:
        with fake_sslwireless.running() as (fake, url), sslwireless(url):
            fake.fail_next = 1
            self.assertEqual(tasks.sweep()["retried"], 1)
            self.row.refresh_from_db()
            self.assertEqual(self.row.status, OutboxMessage.Status.PENDING)
            self.assertEqual(self.row.attempts, 1)
            self.assertIn("500", self.row.last_error)
            self.assertGreater(self.row.next_attempt_at, timezone.now())
            self.due_now()
            self.assertEqual(tasks.sweep()["sent"], 1)
        self.assertEqual(len(fake.taken), 1)

    def test_a_refused_token_fails_after_the_last_attempt(self) -> None:
        with fake_sslwireless.running() as (fake, url), sslwireless(url, token="wrong"):
            for _ in range(3):
                self.due_now()
                tasks.sweep()
        self.row.refresh_from_db()
        self.assertEqual(self.row.status, OutboxMessage.Status.FAILED)
        self.assertIn("Unauthorized", self.row.last_error)
        self.assertEqual(fake.taken, {})

    def test_a_direct_send_without_a_key_gets_a_fresh_one_each_time(self) -> None:
        from daptar.lib import notify

        with fake_sslwireless.running() as (fake, url), sslwireless(url):
            first = notify.send_sms("+8801712345678", "code 1")
            second = notify.send_sms("+8801712345678", "code 2")
        self.assertEqual((first, second), ("ref-1", "ref-2"))
        ids = [r["csms_id"] for r in fake.requests]
        self.assertEqual(len(set(ids)), 2)
        self.assertTrue(all(i.startswith("dptx") for i in ids))

    def test_an_unreachable_gateway_is_retried(self) -> None:
        with fake_sslwireless.running() as (_fake, url):
            pass  # the port is closed again
        with sslwireless(url):
            self.assertEqual(tasks.sweep()["retried"], 1)
        self.row.refresh_from_db()
        self.assertIn("SSL Wireless", self.row.last_error)


@SIGNED
class GenericGatewayTests(SmsTestCase):
    @override_settings(
        DAPTAR_SMS_BACKEND="http",
        DAPTAR_SMS_URL="http://127.0.0.1:8599/send",
        DAPTAR_SMS_ID_FIELD="msgid",
    )
    def test_the_http_gateway_sends_the_rows_key_in_the_configured_field(self) -> None:
        queue_sms("+8801712345678", "hello", key="test:http")
        row = OutboxMessage.objects.get()
        response = mock.MagicMock(status=200)
        response.__enter__.return_value = response
        with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
            self.assertEqual(tasks.sweep()["sent"], 1)
        sent = dict(urllib.parse.parse_qsl(urlopen.call_args.args[0].data.decode()))
        self.assertEqual(sent["msgid"], f"dpt{row.pk}")
        self.assertEqual(sent["to"], "+8801712345678")


@SIGNED
class DeliveryReportTests(SmsTestCase):
    def setUp(self) -> None:
        queue_sms("+8801712345678", "hello", key="test:dlr")
        self.row = OutboxMessage.objects.get()
        OutboxMessage.objects.filter(pk=self.row.pk).update(
            status=OutboxMessage.Status.SENT, gateway_ref="ref-77"
        )

    def report(self, **data: str) -> object:
        return post_signed(self.client, "sms:report", data)

    def test_a_report_by_our_key_is_recorded_with_its_time(self) -> None:
        at = "2026-12-05T10:00:00+06:00"
        response = self.report(csms_id=f"dpt{self.row.pk}", status="DELIVRD", time=at)
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]
        self.row.refresh_from_db()
        self.assertEqual(self.row.report, OutboxMessage.Report.DELIVERED)
        self.assertEqual(
            self.row.reported_at, datetime.datetime(2026, 12, 5, 4, tzinfo=datetime.UTC)
        )

    def test_a_report_by_the_gateways_reference_is_recorded(self) -> None:
        self.report(reference_id="ref-77", status="undelivered")
        self.row.refresh_from_db()
        self.assertEqual(self.row.report, OutboxMessage.Report.UNDELIVERED)
        self.assertIsNotNone(self.row.reported_at)

    def test_an_older_report_does_not_overwrite_a_newer_one(self) -> None:
        key = f"dpt{self.row.pk}"
        self.report(csms_id=key, status="delivered", time="2026-12-05T10:00:00+00:00")
        self.report(csms_id=key, status="expired", time="2026-12-05T09:00:00+00:00")
        self.row.refresh_from_db()
        self.assertEqual(self.row.report, OutboxMessage.Report.DELIVERED)

    def test_an_unsigned_report_is_refused(self) -> None:
        response = self.client.post(
            "/sms/reports/sslwireless/", {"csms_id": f"dpt{self.row.pk}", "status": "delivered"}
        )
        self.assertEqual(response.status_code, 403)
        self.row.refresh_from_db()
        self.assertEqual(self.row.report, "")

    def test_an_unknown_state_or_message_is_rejected(self) -> None:
        self.assertEqual(self.report(csms_id=f"dpt{self.row.pk}", status="maybe").status_code, 400)  # type: ignore[attr-defined]
        self.assertEqual(self.report(csms_id="dpt999999", status="delivered").status_code, 404)  # type: ignore[attr-defined]
        self.row.refresh_from_db()
        self.assertEqual(self.row.report, "")

    @override_settings(DAPTAR_SMS_WEBHOOK_SECRET="")
    def test_without_a_configured_secret_every_call_is_refused(self) -> None:
        response = self.report(csms_id=f"dpt{self.row.pk}", status="delivered")
        self.assertEqual(response.status_code, 403)  # type: ignore[attr-defined]
