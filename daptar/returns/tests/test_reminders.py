"""The periodic pass: reminders before and after the due time, escalation, chasing."""

import datetime

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.notifications.models import Notification, OutboxMessage
from daptar.returns import actions, tasks
from daptar.returns.models import ReturnPeriod
from daptar.returns.tests.support import ReturnsTestCase, frozen, published, slot


class ReminderTests(ReturnsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.now = timezone.now()
        self.due = self.now + datetime.timedelta(days=3)
        self.form, self.period = published(
            self.central, target=self.sylhet_division, due_at=self.due
        )

    def notices(self) -> set[tuple[str, str]]:
        return set(Notification.objects.values_list("unit__code", "kind"))

    def test_nothing_to_remind_long_before_the_due_time(self) -> None:
        self.assertEqual(
            tasks.send_return_reminders(self.now),
            {"opened": 0, "reminded_before": 0, "reminded_overdue": 0, "escalated": 0},
        )

    def test_units_not_yet_sent_are_reminded_once_before_the_due_time(self) -> None:
        actions.submit(self.period, self.ward1, {"members": 3}, by=self.ward)
        soon = self.due - datetime.timedelta(hours=47)
        self.assertEqual(tasks.send_return_reminders(soon)["reminded_before"], 1)
        self.assertEqual(self.notices(), {("UN-2513", "return.due_soon")})
        self.assertEqual(tasks.send_return_reminders(soon)["reminded_before"], 0)
        self.assertEqual(slot(self.period, self.jalalabad_union).reminded_before_at, soon)
        # The office secretary has a phone: an SMS waits in the outbox.
        self.assertTrue(
            OutboxMessage.objects.filter(channel="sms", unit=self.jalalabad_union).exists()
        )

    @override_settings(DAPTAR_RETURNS_REMIND_BEFORE_HOURS=6)
    def test_the_reminder_window_is_a_setting(self) -> None:
        self.assertEqual(
            tasks.send_return_reminders(self.due - datetime.timedelta(hours=7))["reminded_before"],
            0,
        )
        self.assertEqual(
            tasks.send_return_reminders(self.due - datetime.timedelta(hours=5))["reminded_before"],
            2,
        )

    def test_after_the_due_time_an_overdue_reminder_then_escalation(self) -> None:
        actions.save_draft(self.period, self.jalalabad_union, {"members": "1"}, by=self.jalalabad)
        after = self.due + datetime.timedelta(minutes=1)
        found = tasks.send_return_reminders(after)
        self.assertEqual((found["reminded_overdue"], found["escalated"]), (2, 0))
        self.assertEqual(
            self.notices(), {("UN-2513", "return.overdue"), ("UN-2513-W1", "return.overdue")}
        )
        later = self.due + datetime.timedelta(hours=25)
        found = tasks.send_return_reminders(later)
        self.assertEqual((found["reminded_overdue"], found["escalated"]), (0, 2))
        # Each missing unit goes to its own parent office: the upazila and the union.
        self.assertEqual(
            {(code, kind) for code, kind in self.notices() if kind == "return.escalated"},
            {("UPZ-281", "return.escalated"), ("UN-2513", "return.escalated")},
        )
        self.assertEqual(tasks.send_return_reminders(later)["escalated"], 0)

    def test_sent_units_are_neither_reminded_nor_escalated(self) -> None:
        actions.submit(self.period, self.ward1, {"members": 3}, by=self.ward)
        actions.submit(self.period, self.jalalabad_union, {}, by=self.jalalabad, nil=True)
        found = tasks.send_return_reminders(self.due + datetime.timedelta(days=2))
        self.assertEqual(
            found, {"opened": 0, "reminded_before": 0, "reminded_overdue": 0, "escalated": 0}
        )
        self.assertFalse(Notification.objects.exists())

    def test_a_locked_period_is_not_chased_any_more(self) -> None:
        def monthly(title: str, lock: int) -> ReturnPeriod:
            return published(
                self.central,
                schedule="monthly",
                target=self.sylhet_division,
                title=title,
                timely_days=0,
                lock_after_days=lock,
            )[1]

        locked, open_ = monthly("Locks at once", 0), monthly("Locks later", 2)
        tasks.send_return_reminders(locked.due_at + datetime.timedelta(minutes=1))
        chased = Notification.objects.filter(kind="return.overdue")
        self.assertFalse(chased.filter(url__endswith=f"period={locked.pk}").exists())
        self.assertEqual(chased.filter(url__endswith=f"period={open_.pk}").count(), 2)


class ChaseTests(ReturnsTestCase):
    def test_the_issuer_chases_the_missing_units_of_a_subtree(self) -> None:
        _form, period = published(self.central, target=self.sylhet_division)
        actions.submit(period, self.ward1, {"members": 3}, by=self.ward)
        with self.captureOnCommitCallbacks(execute=True):
            count = actions.remind(period, within=self.sylhet_division, by=self.central)
        self.assertEqual(count, 1)
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.returns.tasks.chase_missing")
        tasks.chase_missing.call(*task.args_kwargs["args"])
        self.assertEqual(
            set(Notification.objects.values_list("unit__code", "kind")),
            {("UN-2513", "return.due_soon")},
        )
        self.assertEqual(AuditEvent.objects.get(verb="return.reminded").detail["units"], 1)

    def test_nothing_to_chase_sends_nothing(self) -> None:
        _form, period = published(
            self.central, target=self.sylhet_division, target_levels=("ward",)
        )
        actions.submit(period, self.ward1, {"members": 3}, by=self.ward)
        self.assertEqual(actions.remind(period, within=self.root, by=self.central), 0)
        self.assertFalse(AuditEvent.objects.filter(verb="return.reminded").exists())

    def test_a_period_due_in_the_past_chases_with_the_overdue_words(self) -> None:
        due = timezone.now() + datetime.timedelta(hours=1)
        _form, period = published(self.central, target=self.sylhet_division, due_at=due)
        with frozen(timezone.now() + datetime.timedelta(hours=2)):
            tasks.chase_missing.call(period.pk, self.root.pk, "key")
        self.assertEqual(
            set(Notification.objects.values_list("kind", flat=True)), {"return.overdue"}
        )
