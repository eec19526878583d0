import datetime

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.notifications import actions
from daptar.notifications.models import Notification, OutboxMessage
from daptar.testing import DaptarTestCase


class NoticeTests(DaptarTestCase):
    def setUp(self) -> None:
        actions.notify_units(
            [self.jalalabad_union.pk],
            actions.Message(kind="test", text_bn="নোটিশ", text_en="Notice", url="/office/"),
            key="test:1",
            email=False,
        )
        self.notice = Notification.objects.get()

    def test_the_units_own_office_opens_and_reads_it(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(reverse("notifications:open", args=[self.notice.pk]))
        self.assertRedirects(response, "/office/", fetch_redirect_response=False)
        self.notice.refresh_from_db()
        self.assertIsNotNone(self.notice.read_at)
        self.assertTrue(AuditEvent.objects.filter(verb="notification.read").exists())

    def test_an_office_above_cannot_mark_a_units_notice_read(self) -> None:
        self.client.force_login(self.central)
        response = self.client.post(reverse("notifications:open", args=[self.notice.pk]))
        self.assertEqual(response.status_code, 404)
        self.notice.refresh_from_db()
        self.assertIsNone(self.notice.read_at)
        with self.assertRaises(PermissionDenied):
            actions.mark_read(self.notice, by=self.central)

    def test_the_list_shows_the_acting_units_notices(self) -> None:
        self.client.force_login(self.jalalabad)
        self.assertContains(self.client.get(reverse("notifications:list")), "নোটিশ")
        self.client.force_login(self.sylhet)
        self.assertNotContains(self.client.get(reverse("notifications:list")), "নোটিশ")


class RetryTests(DaptarTestCase):
    def test_only_an_operator_queues_failed_messages_again(self) -> None:
        message = OutboxMessage.objects.create(
            channel="sms",
            address="+8801711000000",
            body="x",
            status="failed",
            attempts=10,
            next_attempt_at=timezone.now() - datetime.timedelta(days=1),
            dedupe_key="k",
        )
        with self.assertRaises(PermissionDenied):
            actions.retry_messages([message.pk], by=self.central)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.assertEqual(actions.retry_messages([message.pk], by=self.operator), 1)
        message.refresh_from_db()
        self.assertEqual(message.status, "pending")
        self.assertEqual(len(callbacks), 1)
        self.assertTrue(AuditEvent.objects.filter(verb="outbox.retried").exists())
