import datetime
import io
import urllib.error
import urllib.parse
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daptar.directives import actions, tasks
from daptar.directives.models import Delivery, Directive
from daptar.directives.tests.support import (
    IMMEDIATE_TASKS,
    LOCMEM_EMAIL,
    DirectivesTestCase,
    delivery,
    frozen,
    future,
    give_email,
    issued,
)
from daptar.lib import retries
from daptar.notifications import tasks as outbox
from daptar.notifications.actions import Message, notify_units
from daptar.notifications.models import Notification, OutboxMessage

HOUR = datetime.timedelta(hours=1)
SMS_GATEWAY = override_settings(
    DAPTAR_SMS_BACKEND="http",
    DAPTAR_SMS_URL="https://sms.example.test/send",
    DAPTAR_SMS_API_KEY="k3y",
    DAPTAR_SMS_EXTRA_FIELDS="sender=DAPTAR&type=unicode",
)


def kinds() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("unit__code", "kind"))


class ReminderTests(DirectivesTestCase):
    """Sylhet district directs its subtree: Sylhet Sadar, Jalalabad and Ward 1."""

    def setUp(self) -> None:
        super().setUp()
        self.due = future(days=3)
        self.directive = issued(self.sylhet, due_at=self.due)

    def test_nothing_is_sent_while_the_due_time_is_far(self) -> None:
        counts = tasks.send_reminders(now=self.due - 25 * HOUR)
        self.assertEqual(counts, {"reminded_before": 0, "reminded_overdue": 0, "escalated": 0})
        self.assertFalse(Notification.objects.exists())

    def test_it_reminds_each_open_delivery_once_a_day_before_the_due_time(self) -> None:
        actions.mark_done(delivery(self.directive, self.ward1), by=self.ward)
        now = self.due - 23 * HOUR
        counts = tasks.send_reminders(now=now)
        self.assertEqual(counts["reminded_before"], 2)
        self.assertEqual(
            kinds(), [("UN-2513", "directive.due_soon"), ("UPZ-281", "directive.due_soon")]
        )
        self.assertEqual(delivery(self.directive, self.jalalabad_union).reminded_before_at, now)
        self.assertIsNone(delivery(self.directive, self.ward1).reminded_before_at)
        again = tasks.send_reminders(now=now + HOUR)
        self.assertEqual(again, {"reminded_before": 0, "reminded_overdue": 0, "escalated": 0})
        self.assertEqual(Notification.objects.count(), 2)

    def test_the_reminder_links_to_the_directive(self) -> None:
        tasks.send_reminders(now=self.due - HOUR)
        notice = Notification.objects.get(unit=self.jalalabad_union)
        self.assertEqual(notice.url, reverse("directives:detail", args=[self.directive.pk]))
        self.assertIn(self.directive.reference, notice.text_en)

    @override_settings(DAPTAR_REMIND_BEFORE_HOURS=48)
    def test_the_reminder_window_is_a_setting(self) -> None:
        self.assertEqual(tasks.send_reminders(now=self.due - 47 * HOUR)["reminded_before"], 3)

    def test_it_reminds_once_more_when_overdue(self) -> None:
        tasks.send_reminders(now=self.due - 2 * HOUR)
        counts = tasks.send_reminders(now=self.due + HOUR)
        self.assertEqual((counts["reminded_before"], counts["reminded_overdue"]), (0, 3))
        self.assertEqual(Notification.objects.filter(kind="directive.overdue").count(), 3)
        self.assertEqual(tasks.send_reminders(now=self.due + 2 * HOUR)["reminded_overdue"], 0)
        self.assertEqual(
            list(
                Notification.objects.filter(unit=self.jalalabad_union)
                .exclude(kind="directive.escalated")
                .order_by("pk")
                .values_list("kind", flat=True)
            ),
            ["directive.due_soon", "directive.overdue"],
        )

    def test_a_first_sweep_after_the_due_time_sends_only_the_overdue_reminder(self) -> None:
        counts = tasks.send_reminders(now=self.due + HOUR)
        self.assertEqual((counts["reminded_before"], counts["reminded_overdue"]), (0, 3))
        self.assertFalse(Notification.objects.filter(kind="directive.due_soon").exists())

    def test_done_withdrawn_and_unreached_deliveries_are_not_chased(self) -> None:
        for unit, user in (
            (self.sylhet_sadar, self.sadar),
            (self.jalalabad_union, self.jalalabad),
            (self.ward1, self.ward),
        ):
            actions.mark_done(delivery(self.directive, unit), by=user)
        withdrawn = issued(self.central, due_at=self.due)
        actions.withdraw(withdrawn, by=self.central)
        relay = issued(self.central, target=self.sylhet_division, mode="relay", due_at=self.due)
        counts = tasks.send_reminders(now=self.due + HOUR)
        # Only the relay's first recipient has it; the rest are still waiting for the relay.
        self.assertEqual(counts, {"reminded_before": 0, "reminded_overdue": 1, "escalated": 1})
        self.assertEqual(
            list(
                Notification.objects.filter(kind="directive.overdue").values_list("unit", flat=True)
            ),
            [self.sylhet_division.pk],
        )
        self.assertEqual(delivery(relay, self.sylhet_division).escalated_to, self.root)

    def test_frozen_time_drives_the_management_command(self) -> None:
        out = io.StringIO()
        with frozen(self.due - 2 * HOUR):
            call_command("send_reminders", stdout=out)
            call_command("send_reminders", stdout=out)
        self.assertEqual(Notification.objects.filter(kind="directive.due_soon").count(), 3)
        self.assertIn("'reminded_before': 3", out.getvalue())
        # the second pass had nothing to say
        self.assertEqual(out.getvalue().count("directives {"), 1)


class EscalationTests(DirectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.due = future(days=1)
        self.directive = issued(self.sylhet, due_at=self.due)

    def test_overdue_deliveries_go_to_the_parent_units_office_once(self) -> None:
        actions.mark_done(delivery(self.directive, self.sylhet_sadar), by=self.sadar)
        now = self.due + HOUR
        self.assertEqual(tasks.send_reminders(now=now)["escalated"], 2)
        rows = {
            d.unit.code: (d.escalated_to.code, d.escalated_at)
            for d in self.directive.deliveries.filter(escalated_at__isnull=False).select_related(
                "unit", "escalated_to"
            )
        }
        self.assertEqual(rows, {"UN-2513": ("UPZ-281", now), "UN-2513-W1": ("UN-2513", now)})
        self.assertEqual(
            sorted(
                Notification.objects.filter(kind="directive.escalated").values_list(
                    "unit__code", flat=True
                )
            ),
            ["UN-2513", "UPZ-281"],
        )
        notice = Notification.objects.get(kind="directive.escalated", unit=self.jalalabad_union)
        self.assertEqual(notice.url, reverse("directives:escalated"))
        self.assertEqual(tasks.send_reminders(now=now + HOUR)["escalated"], 0)
        self.assertEqual(Notification.objects.filter(kind="directive.escalated").count(), 2)

    def test_the_parent_sees_it_in_escalated_to_us(self) -> None:
        tasks.send_reminders(now=self.due + HOUR)
        self.client.force_login(self.jalalabad)
        response = self.client.get(reverse("directives:escalated"))
        self.assertEqual([d.unit for d in response.context["page"]], [self.ward1])
        self.client.force_login(self.sadar)
        response = self.client.get(reverse("directives:escalated"))
        self.assertEqual([d.unit for d in response.context["page"]], [self.jalalabad_union])

    def test_the_parent_office_reads_the_escalation_notice_and_lands_on_the_list(self) -> None:
        tasks.send_reminders(now=self.due + HOUR)
        self.client.force_login(self.jalalabad)
        response = self.client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(
            response, f"Units under you are overdue on directive {self.directive.reference}"
        )
        notice = Notification.objects.get(kind="directive.escalated", unit=self.jalalabad_union)
        response = self.client.post(reverse("notifications:open", args=[notice.pk]))
        self.assertRedirects(
            response, reverse("directives:escalated"), fetch_redirect_response=False
        )
        notice.refresh_from_db()
        self.assertIsNotNone(notice.read_at)
        self.client.force_login(self.dhaka)
        response = self.client.post(reverse("notifications:open", args=[notice.pk]))
        self.assertEqual(response.status_code, 404)

    @override_settings(DAPTAR_ESCALATE_AFTER_HOURS=48)
    def test_escalation_waits_the_grace_period(self) -> None:
        self.assertEqual(tasks.send_reminders(now=self.due + 47 * HOUR)["escalated"], 0)
        self.assertEqual(tasks.send_reminders(now=self.due + 49 * HOUR)["escalated"], 3)

    def test_what_is_done_before_the_sweep_is_not_escalated(self) -> None:
        for unit, user in (
            (self.sylhet_sadar, self.sadar),
            (self.jalalabad_union, self.jalalabad),
            (self.ward1, self.ward),
        ):
            actions.mark_done(delivery(self.directive, unit), by=user)
        self.assertEqual(tasks.send_reminders(now=self.due + HOUR)["escalated"], 0)


class AnnouncementTests(DirectivesTestCase):
    """Issuing tells each recipient office by e-mail, and by SMS when urgent."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        give_email(cls.jalalabad, "jalalabad@example.org", by=cls.operator)
        give_email(cls.ward, "ward1@example.org", by=cls.operator)

    def test_a_normal_directive_is_e_mailed_to_offices_with_an_address(self) -> None:
        directive = issued(self.sylhet, title="Normal one")
        self.assertEqual(tasks.notify_recipients.call(directive.pk), 2)
        rows = OutboxMessage.objects.order_by("address")
        self.assertEqual(
            [(m.channel, m.address, m.unit) for m in rows],
            [
                ("email", "jalalabad@example.org", self.jalalabad_union),
                ("email", "ward1@example.org", self.ward1),
            ],
        )
        self.assertEqual(rows[0].subject, f"[{directive.reference}] Normal one")
        self.assertIn(reverse("directives:detail", args=[directive.pk]), rows[0].body)
        # The directive itself is in the inbox: no separate in-app notice.
        self.assertFalse(Notification.objects.exists())

    def test_an_urgent_directive_also_goes_by_sms_to_every_office(self) -> None:
        directive = issued(self.sylhet, priority="urgent")
        tasks.notify_recipients.call(directive.pk)
        self.assertEqual(
            sorted(
                OutboxMessage.objects.filter(channel="sms").values_list("unit__code", "address")
            ),
            [
                ("UN-2513", "+8801711000000"),
                ("UN-2513-W1", "+8801811000000"),
                ("UPZ-281", "+8801811000000"),
            ],
        )

    def test_read_only_office_bearers_get_no_mail(self) -> None:
        give_email(self.president, "president@example.org", by=self.operator)
        give_email(self.sylhet, "sylhet@example.org", by=self.operator)
        directive = issued(self.central, target=self.sylhet_division)
        tasks.notify_recipients.call(directive.pk)
        addresses = set(OutboxMessage.objects.values_list("address", flat=True))
        self.assertNotIn("president@example.org", addresses)
        self.assertIn("sylhet@example.org", addresses)

    def test_running_the_task_twice_queues_each_message_once(self) -> None:
        directive = issued(self.sylhet, priority="urgent")
        tasks.notify_recipients.call(directive.pk)
        tasks.notify_recipients.call(directive.pk)
        self.assertEqual(OutboxMessage.objects.count(), 5)

    def test_a_withdrawn_directive_announces_nothing(self) -> None:
        directive = issued(self.sylhet)
        actions.withdraw(directive, by=self.sylhet)
        self.assertEqual(tasks.notify_recipients.call(directive.pk), 0)
        self.assertFalse(OutboxMessage.objects.exists())

    def test_a_relay_announces_only_those_it_has_reached(self) -> None:
        give_email(self.sylhet, "sylhet@example.org", by=self.operator)
        directive = issued(
            self.central,
            target=self.sylhet_division,
            target_levels=("district", "union"),
            mode="relay",
        )
        tasks.notify_recipients.call(directive.pk)
        self.assertEqual(
            list(OutboxMessage.objects.values_list("address", flat=True)), ["sylhet@example.org"]
        )
        forwarded = actions.forward(delivery(directive, self.sylhet_district), by=self.sylhet)
        tasks.notify_forwarded.call(forwarded.pk)
        self.assertEqual(
            sorted(OutboxMessage.objects.values_list("address", flat=True)),
            ["jalalabad@example.org", "sylhet@example.org"],
        )

    def test_issuing_enqueues_the_task_then_the_outbox_sweep(self) -> None:
        directive = issued(self.sylhet)
        with self.captureOnCommitCallbacks(execute=True):
            tasks.notify_recipients.call(directive.pk)
        self.assertEqual(
            list(DBTaskResult.objects.values_list("task_path", flat=True)),
            ["daptar.notifications.tasks.send_outbox"],
        )

    @IMMEDIATE_TASKS
    @LOCMEM_EMAIL
    def test_issuing_mails_the_recipients_end_to_end(self) -> None:
        from daptar.directives.tests.support import draft

        directive = draft(self.sylhet, title="Flood relief", priority="urgent")
        with self.captureOnCommitCallbacks(execute=True):
            actions.issue(directive, by=self.sylhet)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["jalalabad@example.org", "ward1@example.org"]
        )
        self.assertEqual(mail.outbox[0].subject, f"[{directive.reference}] Flood relief")
        self.assertEqual(
            set(OutboxMessage.objects.values_list("status", flat=True)), {OutboxMessage.Status.SENT}
        )
        self.assertEqual(OutboxMessage.objects.filter(channel="sms").count(), 3)


class OutboxTests(DirectivesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        give_email(cls.jalalabad, "jalalabad@example.org", by=cls.operator)

    def queue(self, *, sms: bool = False, email: bool = True, key: str = "test:1") -> int:
        return notify_units(
            [self.jalalabad_union.pk],
            Message(kind="test", text_bn="পরীক্ষা", text_en="A test", email_subject="Subject"),
            key=key,
            sms=sms,
            email=email,
        )

    def sms(self) -> OutboxMessage:
        self.queue(sms=True, email=False)
        return OutboxMessage.objects.get(channel="sms")

    @LOCMEM_EMAIL
    def test_the_sweep_sends_due_e_mail(self) -> None:
        self.queue()
        counts = outbox.sweep()
        self.assertEqual(counts, {"sent": 1, "retried": 0, "failed": 0})
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(
            (mail.outbox[0].to, mail.outbox[0].subject), (["jalalabad@example.org"], "Subject")
        )
        self.assertIn("পরীক্ষা", mail.outbox[0].body)
        message = OutboxMessage.objects.get()
        self.assertEqual((message.status, message.attempts, message.last_error), ("sent", 1, ""))
        self.assertIsNotNone(message.sent_at)
        self.assertEqual(outbox.sweep(), {"sent": 0, "retried": 0, "failed": 0})
        self.assertEqual(len(mail.outbox), 1)

    def test_queueing_enqueues_the_sweep_after_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.queue()
        self.assertEqual(
            DBTaskResult.objects.get().task_path, "daptar.notifications.tasks.send_outbox"
        )

    def test_notifying_twice_writes_each_message_once(self) -> None:
        self.assertEqual(self.queue(sms=True), 2)
        self.queue(sms=True)
        self.assertEqual(OutboxMessage.objects.count(), 2)
        self.assertEqual(Notification.objects.count(), 1)
        self.queue(sms=True, key="test:2")
        self.assertEqual(OutboxMessage.objects.count(), 4)

    def test_a_unit_without_an_address_gets_no_e_mail(self) -> None:
        notify_units(
            [self.ward1.pk], Message(kind="t", text_bn="ক", text_en="k"), key="k", sms=False
        )
        self.assertFalse(OutboxMessage.objects.exists())
        self.assertEqual(Notification.objects.get().unit, self.ward1)

    def test_the_console_sms_backend_logs_and_counts_as_sent(self) -> None:
        message = self.sms()
        with self.assertLogs("daptar.notify", "INFO") as logs:
            outbox.sweep()
        self.assertIn("+8801711000000", logs.output[0])
        message.refresh_from_db()
        self.assertEqual(message.status, "sent")

    @SMS_GATEWAY
    def test_the_http_sms_backend_posts_the_configured_fields(self) -> None:
        self.sms()
        response = mock.MagicMock(status=200)
        response.__enter__.return_value = response
        with mock.patch("urllib.request.urlopen", return_value=response) as urlopen:
            self.assertEqual(outbox.sweep()["sent"], 1)
        request = urlopen.call_args.args[0]
        self.assertEqual(request.full_url, "https://sms.example.test/send")
        self.assertEqual(
            dict(urllib.parse.parse_qsl(request.data.decode())),
            {
                "to": "+8801711000000",
                "message": "পরীক্ষা",
                "api_key": "k3y",
                "sender": "DAPTAR",
                "type": "unicode",
            },
        )

    @SMS_GATEWAY
    def test_a_failing_gateway_is_retried_with_doubling_back_off(self) -> None:
        message = self.sms()
        start = timezone.now()
        refused = urllib.error.URLError("connection refused")
        with mock.patch("urllib.request.urlopen", side_effect=refused):
            with frozen(start):
                self.assertEqual(outbox.sweep(), {"sent": 0, "retried": 1, "failed": 0})
            message.refresh_from_db()
            self.assertEqual((message.status, message.attempts), ("pending", 1))
            self.assertEqual(message.next_attempt_at, start + datetime.timedelta(minutes=1))
            self.assertIn("connection refused", message.last_error)
            with frozen(start + datetime.timedelta(seconds=30)):
                self.assertEqual(outbox.sweep()["retried"], 0)  # not due yet
            later = start + datetime.timedelta(minutes=1)
            with frozen(later):
                outbox.sweep()
            message.refresh_from_db()
            self.assertEqual(message.attempts, 2)
            self.assertEqual(message.next_attempt_at, later + datetime.timedelta(minutes=2))

    @SMS_GATEWAY
    def test_a_gateway_answering_an_error_status_is_retried(self) -> None:
        message = self.sms()
        response = mock.MagicMock(status=503)
        response.__enter__.return_value = response
        with mock.patch("urllib.request.urlopen", return_value=response):
            self.assertEqual(outbox.sweep()["retried"], 1)
        message.refresh_from_db()
        self.assertIn("503", message.last_error)

    @SMS_GATEWAY
    @override_settings(DAPTAR_OUTBOX_MAX_ATTEMPTS=3)
    def test_it_gives_up_after_the_last_attempt(self) -> None:
        message = self.sms()
        at = timezone.now()
        with mock.patch("urllib.request.urlopen", side_effect=urllib.error.URLError("down")):
            for _attempt in range(3):
                with frozen(at):
                    outbox.sweep()
                message.refresh_from_db()
                at = message.next_attempt_at
        self.assertEqual((message.status, message.attempts), ("failed", 3))
        self.assertIn("down", message.last_error)
        with frozen(at + datetime.timedelta(days=1)):
            self.assertEqual(outbox.sweep(), {"sent": 0, "retried": 0, "failed": 0})

    @override_settings(DAPTAR_SMS_BACKEND="http", DAPTAR_SMS_URL="")
    def test_a_misconfigured_gateway_is_recorded_and_retried_not_a_crash(self) -> None:
        message = self.sms()
        self.queue(key="test:mail")
        self.assertEqual(outbox.sweep(), {"sent": 1, "retried": 1, "failed": 0})
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), ("pending", 1))
        self.assertIn("SMS gateway", message.last_error)

    def test_the_back_off_doubles_up_to_six_hours(self) -> None:
        self.assertEqual(
            [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 9, 10, 20)],
            [1, 2, 4, 8, 256, 360, 360],
        )

    @LOCMEM_EMAIL
    def test_a_message_leased_by_a_worker_that_died_is_sent_after_the_lease(self) -> None:
        self.queue()
        message = OutboxMessage.objects.get()
        now = timezone.now()
        # A worker claimed it and died before sending or saving anything.
        self.assertTrue(retries.claim(OutboxMessage, message.pk, now))
        with frozen(now + datetime.timedelta(minutes=1)):
            self.assertEqual(outbox.sweep()["sent"], 0)
        self.assertEqual(mail.outbox, [])
        with frozen(now + outbox.LEASE + datetime.timedelta(seconds=1)):
            self.assertEqual(outbox.sweep()["sent"], 1)
        self.assertEqual(len(mail.outbox), 1)
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), ("sent", 1))

    def test_a_failing_mail_server_is_retried(self) -> None:
        self.queue()
        with mock.patch("daptar.lib.notify.send_mail", side_effect=ConnectionRefusedError("smtp")):
            self.assertEqual(outbox.sweep()["retried"], 1)
        message = OutboxMessage.objects.get()
        self.assertEqual((message.status, message.attempts), ("pending", 1))
        self.assertIn("smtp", message.last_error)


class DirectiveStateAfterSweepTests(DirectivesTestCase):
    def test_reminders_never_change_a_deliverys_state(self) -> None:
        due = future(days=1)
        directive = issued(self.sylhet, due_at=due)
        tasks.send_reminders(now=due + HOUR)
        self.assertEqual(
            set(Delivery.objects.filter(directive=directive).values_list("state", flat=True)),
            {"delivered"},
        )
        self.assertEqual(Directive.objects.get(pk=directive.pk).status, "issued")
