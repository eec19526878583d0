"""The social outbox: one post per channel, sent by the worker, retried with back-off."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.reports import actions
from daptar.reports.models import SocialChannel, SocialPost
from daptar.reports.tasks import make_renditions, send_social_post, sweep
from daptar.reports.templatetags.report_photos import photo_path
from daptar.reports.tests.support import ReportsTestCase, jpeg, published

POST_JSON = "daptar.reports.social.post_json"
SITE = "https://daptar.example.org"


class Hook(BaseHTTPRequestHandler):
    """A webhook receiver on 127.0.0.1: keeps what it got and answers with an id."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append({"headers": dict(self.headers), "body": json.loads(body)})
        answer = json.dumps({"id": "post-77"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@override_settings(DAPTAR_SITE_URL=SITE)
class WebhookTests(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.channel = SocialChannel.objects.create(
            name="Relay", url="http://127.0.0.1:9/hook", secret="s3cret"
        )

    def publish_with_photo(self) -> SocialPost:
        report = published(self.jalalabad, self.sadar, photos=(jpeg(2000, 1500, gps=True),))
        make_renditions.call(report.photos.get().pk)
        return SocialPost.objects.get(report=report)

    def test_the_worker_posts_json_and_keeps_the_external_id(self) -> None:
        post = self.publish_with_photo()
        with mock.patch(POST_JSON, return_value=(200, b'{"id": "abc-1"}')) as sent:
            self.assertEqual(send_social_post.call(post.pk), "sent")
        post.refresh_from_db()
        self.assertEqual((post.status, post.external_id, post.attempts), ("sent", "abc-1", 1))
        self.assertIsNotNone(post.sent_at)
        url, body, headers, _timeout = sent.call_args.args
        self.assertEqual(url, "http://127.0.0.1:9/hook")
        data = json.loads(body)
        report = post.report
        photo = report.photos.get()
        self.assertEqual(
            {k: data[k] for k in ("title", "summary", "public_url", "photo_urls")},
            {
                "title": report.title,
                "summary": report.summary,
                "public_url": f"{SITE}{report.public_path()}",
                "photo_urls": [f"{SITE}{photo_path(photo, 1600, 'jpg')}"],
            },
        )
        signature = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-Daptar-Signature"], f"sha256={signature}")

    def test_a_failure_is_retried_with_a_doubling_back_off(self) -> None:
        post = self.publish_with_photo()
        DBTaskResult.objects.all().delete()
        now = timezone.now()
        with (
            mock.patch(POST_JSON, return_value=(503, b"busy")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            send_social_post.call(post.pk)
        post.refresh_from_db()
        self.assertEqual((post.status, post.attempts), ("pending", 1))
        self.assertIn("answered 503", post.last_error)
        self.assertAlmostEqual(
            post.next_attempt_at,
            now + datetime.timedelta(minutes=1),
            delta=datetime.timedelta(seconds=10),
        )
        retry = DBTaskResult.objects.get(task_path="daptar.reports.tasks.send_social_post")
        self.assertEqual(retry.run_after, post.next_attempt_at)
        self.assertEqual(actions.backoff(2), datetime.timedelta(minutes=2))
        self.assertEqual(actions.backoff(30), datetime.timedelta(hours=6))

    def test_a_post_not_yet_due_is_not_sent(self) -> None:
        post = self.publish_with_photo()
        with mock.patch(POST_JSON, return_value=(500, b"")):
            send_social_post.call(post.pk)
        with mock.patch(POST_JSON) as sent:
            self.assertEqual(send_social_post.call(post.pk), "skipped")
        sent.assert_not_called()

    @override_settings(DAPTAR_SOCIAL_MAX_ATTEMPTS=2)
    def test_it_gives_up_after_the_last_attempt(self) -> None:
        post = self.publish_with_photo()
        with mock.patch(POST_JSON, side_effect=OSError("connection refused")):
            send_social_post.call(post.pk)
            SocialPost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())
            send_social_post.call(post.pk)
        post.refresh_from_db()
        self.assertEqual((post.status, post.attempts), ("failed", 2))
        self.assertIn("connection refused", post.last_error)

    def test_the_sweep_sends_what_is_due(self) -> None:
        post = self.publish_with_photo()
        with mock.patch(POST_JSON, return_value=(204, b"")):
            counts = sweep()
        self.assertEqual((counts["social_due"], counts["social_sent"]), (1, 1))
        post.refresh_from_db()
        self.assertEqual((post.status, post.external_id), ("sent", ""))

    def test_a_withdrawn_reports_post_is_not_sent(self) -> None:
        post = self.publish_with_photo()
        SocialPost.objects.filter(pk=post.pk).update(status=SocialPost.Status.PENDING)
        actions.withdraw(post.report, by=self.sadar)
        SocialPost.objects.filter(pk=post.pk).update(status=SocialPost.Status.PENDING)
        with mock.patch(POST_JSON) as sent:
            self.assertEqual(send_social_post.call(post.pk), "cancelled")
        sent.assert_not_called()

    def test_a_real_post_to_a_receiver_on_127_0_0_1(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        Hook.received = []
        SocialChannel.objects.filter(pk=self.channel.pk).update(
            url=f"http://127.0.0.1:{server.server_port}/daptar"
        )
        post = self.publish_with_photo()
        self.assertEqual(send_social_post.call(post.pk), "sent")
        post.refresh_from_db()
        self.assertEqual(post.external_id, "post-77")
        (got,) = Hook.received
        self.assertEqual(got["body"]["title"], post.report.title)
        self.assertEqual(got["headers"]["Content-Type"], "application/json; charset=utf-8")


class OutboxAdminTests(ReportsTestCase):
    def test_the_operator_sees_the_outbox_and_sends_a_failed_post_again(self) -> None:
        channel = SocialChannel.objects.create(name="Relay", url="http://127.0.0.1:9/hook")
        report = published(self.jalalabad, self.sadar)
        post = SocialPost.objects.get(report=report, channel=channel)
        SocialPost.objects.filter(pk=post.pk).update(status="failed", last_error="timed out")
        self.client.force_login(self.operator)
        page = self.client.get(reverse("admin:reports_socialpost_changelist"))
        self.assertContains(page, "timed out")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:reports_socialpost_changelist"),
                {"action": "retry_now", "_selected_action": [post.pk]},
            )
        post.refresh_from_db()
        self.assertEqual(post.status, "pending")
        self.assertTrue(AuditEvent.objects.filter(verb="report.social_retried").exists())
        self.assertTrue(
            DBTaskResult.objects.filter(task_path="daptar.reports.tasks.send_social_post").exists()
        )

    def test_the_operator_adds_a_webhook_channel_through_the_action(self) -> None:
        self.client.force_login(self.operator)
        self.client.post(
            reverse("admin:reports_socialchannel_add"),
            {
                "name": "Site relay",
                "kind": "webhook",
                "url": "http://127.0.0.1:8001/in",
                "is_active": "on",
            },
        )
        self.assertTrue(SocialChannel.objects.filter(name="Site relay").exists())
        self.assertTrue(AuditEvent.objects.filter(verb="report.channel_added").exists())

    def test_staff_who_are_not_the_operator_do_not_see_it(self) -> None:
        self.sylhet.is_staff = True
        self.sylhet.save()
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("admin:reports_socialpost_changelist"))
        self.assertEqual(response.status_code, 403)
