"""Sending a return, drafts, versions, the lock and late entry, and review."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.lib.exceptions import Conflict
from daptar.notifications.models import Notification, OutboxMessage
from daptar.returns import actions, tasks
from daptar.returns.models import Submission, SubmissionValue, SubmissionVersion
from daptar.returns.tests.support import (
    MEMBERS,
    ReturnsTestCase,
    frozen,
    grow,
    published,
    slot,
)

GOOD = {"members": "10", "women": "4"}


class SubmitTests(ReturnsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)

    def send(self, data: dict, **kwargs: object) -> Submission:
        return actions.submit(self.period, self.jalalabad_union, data, by=self.jalalabad, **kwargs)  # type: ignore[arg-type]

    def test_it_keeps_the_answers_the_server_time_a_version_and_the_numbers(self) -> None:
        at = timezone.now() + datetime.timedelta(hours=1)
        with frozen(at):
            item = self.send(GOOD)
        self.assertEqual(
            (item.status, item.data, item.version, item.submitted_at, item.first_submitted_at),
            ("submitted", {"members": 10, "women": 4}, 1, at, at),
        )
        self.assertEqual(item.submitted_by, self.jalalabad)
        self.assertTrue(item.on_time)
        self.assertEqual(
            list(item.versions.values_list("number", "data", "nil")),
            [(1, {"members": 10, "women": 4}, False)],
        )
        self.assertEqual(
            dict(SubmissionValue.objects.values_list("field__key", "value")),
            {"members": Decimal(10), "women": Decimal(4)},
        )
        event = AuditEvent.objects.get(verb="return.submitted")
        self.assertEqual(
            (event.unit, event.detail),
            (self.jalalabad_union, {"submission": item.pk, "version": 1, "nil": False}),
        )

    def test_a_failing_return_writes_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.send({"members": "10", "women": "12"})
        self.assertEqual(
            caught.exception.message_dict,
            {"__all__": ["Women members cannot be more than all members"]},
        )
        row = slot(self.period, self.jalalabad_union)
        self.assertEqual((row.status, row.version, row.data), ("pending", 0, None))
        self.assertFalse(SubmissionVersion.objects.exists())
        self.assertFalse(SubmissionValue.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="return.submitted").exists())

    def test_a_correction_is_a_new_version_and_the_first_time_stays(self) -> None:
        first = timezone.now() + datetime.timedelta(hours=1)
        with frozen(first):
            self.send(GOOD)
        with frozen(first + datetime.timedelta(hours=5)):
            item = self.send({"members": "11", "women": "5"})
        self.assertEqual((item.version, item.first_submitted_at), (2, first))
        self.assertEqual(item.submitted_at, first + datetime.timedelta(hours=5))
        self.assertEqual(
            list(item.versions.values_list("number", "data")),
            [(2, {"members": 11, "women": 5}), (1, {"members": 10, "women": 4})],
        )
        self.assertEqual(
            dict(SubmissionValue.objects.values_list("field__key", "value")),
            {"members": Decimal(11), "women": Decimal(5)},
        )

    def test_a_nil_return_carries_no_figures(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.send(GOOD, nil=True)
        self.assertIn("__all__", caught.exception.message_dict)
        item = self.send({"members": "", "women": None}, nil=True)
        self.assertEqual((item.status, item.nil, item.data), ("submitted", True, {}))
        self.assertFalse(SubmissionValue.objects.exists())
        # Sending figures after a nil return clears the nil flag.
        item = self.send(GOOD)
        self.assertFalse(item.nil)

    def test_an_empty_return_is_not_a_nil_return(self) -> None:
        optional = published(
            self.central,
            target=self.sylhet_division,
            title="Optional",
            fields=({**MEMBERS, "required": False},),
            rules=(),
        )[1]
        with self.assertRaises(ValidationError) as caught:
            actions.submit(optional, self.jalalabad_union, {"members": ""}, by=self.jalalabad)
        self.assertEqual(
            caught.exception.message_dict,
            {"__all__": ["Fill in the form, or tick “nothing to report”."]},
        )

    def test_only_the_units_own_office_sends_it(self) -> None:
        for user in (self.sadar, self.central, self.union_president, self.ward):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                actions.submit(self.period, self.jalalabad_union, GOOD, by=user)
        self.assertEqual(slot(self.period, self.jalalabad_union).status, "pending")

    def test_a_unit_outside_the_target_cannot_send(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.submit(self.period, self.sylhet_sadar, GOOD, by=self.sadar)
        self.assertFalse(Submission.objects.filter(unit=self.sylhet_sadar).exists())

    def test_a_unit_opened_later_may_send_but_was_never_expected(self) -> None:
        late = grow(self.sylhet_sadar, 1, level="union", by=self.operator)[0]
        from daptar.returns.tests.support import add_office

        office = add_office(self, "newunion", late)
        item = actions.submit(self.period, late, GOOD, by=office)
        self.assertEqual((item.status, item.expected), ("submitted", False))
        self.period.refresh_from_db()
        self.assertEqual(self.period.expected, 2)

    def test_a_stale_page_is_a_conflict(self) -> None:
        self.send(GOOD)
        with self.assertRaises(Conflict):
            self.send(GOOD, version=0)
        self.assertEqual(self.send(GOOD, version=1).version, 2)


class DraftTests(ReturnsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)

    def test_a_draft_keeps_half_done_input_with_what_is_still_wrong(self) -> None:
        item, errors = actions.save_draft(
            self.period,
            self.jalalabad_union,
            {"members": "", "women": "x", "junk": "y"},
            by=self.jalalabad,
        )
        self.assertEqual(item.status, "draft")
        self.assertEqual(item.draft, {"data": {"members": "", "women": "x"}, "nil": False})
        self.assertEqual(
            errors, {"members": ["This field is required."], "women": ["Enter a whole number."]}
        )
        self.assertIsNone(item.submitted_at)
        self.assertTrue(AuditEvent.objects.filter(verb="return.draft_saved").exists())

    def test_sending_clears_the_draft(self) -> None:
        actions.save_draft(self.period, self.jalalabad_union, {"members": "3"}, by=self.jalalabad)
        item = actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
        self.assertIsNone(item.draft)

    def test_drafting_a_correction_keeps_the_return_sent(self) -> None:
        actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
        item, _errors = actions.save_draft(
            self.period, self.jalalabad_union, {"members": "12"}, by=self.jalalabad
        )
        self.assertEqual((item.status, item.data["members"]), ("submitted", 10))

    def test_a_read_only_desk_cannot_draft(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.save_draft(self.period, self.jalalabad_union, GOOD, by=self.union_president)


class LockTests(ReturnsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(
            self.central,
            schedule="monthly",
            target=self.sylhet_division,
            timely_days=0,
            lock_after_days=2,
        )
        self.after_lock = self.period.locks_at + datetime.timedelta(seconds=1)

    def test_after_the_lock_the_unit_cannot_send(self) -> None:
        with frozen(self.period.locks_at - datetime.timedelta(seconds=1)):
            actions.submit(self.period, self.ward1, GOOD, by=self.ward)
        with frozen(self.after_lock), self.assertRaises(Conflict) as caught:
            actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
        self.assertIn("Ask the office above to reopen it", str(caught.exception))

    def test_the_office_above_reopens_it_for_that_unit_only(self) -> None:
        row = slot(self.period, self.jalalabad_union)
        with frozen(self.after_lock):
            with self.assertRaises(PermissionDenied):
                actions.reopen(row, by=self.jalalabad)
            with self.captureOnCommitCallbacks(execute=True):
                row = actions.reopen(row, by=self.sadar)
            self.assertEqual(row.reopened_until, self.after_lock + datetime.timedelta(days=7))
            with self.assertRaises(Conflict):
                actions.reopen(row, by=self.sadar)
            item = actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
            self.assertFalse(item.on_time)
            with self.assertRaises(Conflict):
                actions.submit(self.period, self.ward1, GOOD, by=self.ward)
        self.assertEqual(
            DBTaskResult.objects.get().task_path, "daptar.returns.tasks.notify_reopened"
        )
        self.assertTrue(AuditEvent.objects.filter(verb="return.reopened").exists())

    def test_a_reopening_runs_out(self) -> None:
        with frozen(self.after_lock):
            actions.reopen(slot(self.period, self.jalalabad_union), by=self.sadar)
        with frozen(self.after_lock + datetime.timedelta(days=7)), self.assertRaises(Conflict):
            actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)

    def test_nothing_to_reopen_before_the_lock(self) -> None:
        with self.assertRaises(Conflict):
            actions.reopen(slot(self.period, self.jalalabad_union), by=self.sadar)

    def test_reopening_sends_the_unit_a_notice(self) -> None:
        with frozen(self.after_lock):
            row = actions.reopen(slot(self.period, self.jalalabad_union), by=self.sadar)
            tasks.notify_reopened.call(row.pk)
        notice = Notification.objects.get()
        self.assertEqual((notice.unit, notice.kind), (self.jalalabad_union, "return.reopened"))
        self.assertTrue(OutboxMessage.objects.filter(channel="sms").exists())


class ReviewTests(ReturnsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)
        self.item = actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)

    def test_the_office_above_approves_and_the_return_locks(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            item = actions.approve(self.item, by=self.sadar)
        self.assertEqual((item.status, item.reviewed_by), ("approved", self.sadar))
        with self.assertRaises(Conflict):
            actions.approve(item, by=self.sadar)
        with self.assertRaises(Conflict):
            actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
        with self.assertRaises(Conflict):
            actions.save_draft(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
        self.assertEqual(
            DBTaskResult.objects.get().task_path, "daptar.returns.tasks.notify_reviewed"
        )
        tasks.notify_reviewed.call(item.pk)
        self.assertEqual(Notification.objects.get().kind, "return.approved")

    def test_an_office_higher_up_may_review_too_but_not_the_unit_or_a_viewer(self) -> None:
        for user in (self.jalalabad, self.union_president, self.president, self.ward):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                actions.approve(self.item, by=user)
        self.assertEqual(actions.approve(self.item, by=self.central).status, "approved")

    def test_returning_needs_a_note_and_reopens_it(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            actions.return_for_correction(self.item, by=self.sadar, note="  ")
        self.assertEqual(caught.exception.message_dict, {"note": ["Say what needs correcting."]})
        with self.captureOnCommitCallbacks(execute=True):
            item = actions.return_for_correction(self.item, by=self.sadar, note="Count again")
        self.assertEqual((item.status, item.review_note), ("returned", "Count again"))
        with self.assertRaises(Conflict):
            actions.return_for_correction(item, by=self.sadar, note="again")
        tasks.notify_reviewed.call(item.pk)
        notice = Notification.objects.get()
        self.assertEqual(notice.kind, "return.returned")
        self.assertIn("Count again", notice.text_en)
        item = actions.submit(self.period, self.jalalabad_union, GOOD, by=self.jalalabad)
        self.assertEqual((item.status, item.version), ("submitted", 2))

    def test_an_approved_return_can_still_be_sent_back(self) -> None:
        actions.approve(self.item, by=self.sadar)
        item = actions.return_for_correction(self.item, by=self.central, note="Wrong month")
        self.assertEqual(item.status, "returned")

    def test_a_returned_return_stays_open_after_the_lock(self) -> None:
        _form, period = published(
            self.central,
            schedule="yearly",
            target=self.sylhet_division,
            timely_days=0,
            lock_after_days=0,
            title="Yearly",
        )
        item = actions.submit(period, self.jalalabad_union, GOOD, by=self.jalalabad)
        with frozen(period.locks_at + datetime.timedelta(days=1)):
            actions.return_for_correction(item, by=self.sadar, note="fix")
            again = actions.submit(period, self.jalalabad_union, GOOD, by=self.jalalabad)
        self.assertEqual((again.status, again.version), ("submitted", 2))

    def test_a_pending_return_cannot_be_reviewed(self) -> None:
        pending = slot(self.period, self.ward1)
        with self.assertRaises(Conflict):
            actions.approve(pending, by=self.sylhet)
        with self.assertRaises(Conflict):
            actions.return_for_correction(pending, by=self.sylhet, note="x")
