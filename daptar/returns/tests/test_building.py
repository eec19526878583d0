"""Building a form, publishing it, and the periods of its schedule."""

import datetime
import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.lib.exceptions import Conflict
from daptar.lib.numerals import to_bengali_digits
from daptar.notifications.models import Notification
from daptar.returns import actions, periods, tasks
from daptar.returns.models import ReturnField, ReturnForm, ReturnPeriod, Submission
from daptar.returns.tests.support import (
    MEMBERS,
    RULE,
    WOMEN,
    ReturnsTestCase,
    draft_form,
    frozen,
    future,
    grow,
    published,
)
from daptar.units import actions as unit_actions

DHAKA = zoneinfo.ZoneInfo("Asia/Dhaka")


# Frozen times lie in the coming year: the cast's terms start today, so the desks
# they give would not exist yet at a time in the past.
NEXT = timezone.localdate().year + 1


def local(month: int, day: int, *rest: int, year: int = NEXT) -> datetime.datetime:
    return datetime.datetime(year, month, day, *rest, tzinfo=DHAKA)


def date(month: int, day: int, year: int = NEXT) -> datetime.date:
    return datetime.date(year, month, day)


class CreateFormTests(ReturnsTestCase):
    def test_it_keeps_fields_and_rules_in_order_and_audits(self) -> None:
        form = draft_form(self.central, target=self.sylhet_division, title="  Members  ")
        self.assertEqual(form.status, ReturnForm.Status.DRAFT)
        self.assertEqual(form.title, "Members")
        self.assertEqual(
            list(form.fields.values_list("position", "key", "type", "required")),
            [(1, "members", "integer", True), (2, "women", "integer", False)],
        )
        self.assertEqual([str(r) for r in form.rules.all()], ["women <= members"])
        self.assertEqual(set(form.target_levels.values_list("slug", flat=True)), {"union", "ward"})
        event = AuditEvent.objects.get(verb="return.created")
        self.assertEqual((event.unit, event.detail), (self.root, {"fields": 2, "rules": 1}))

    def test_a_bad_field_or_rule_names_its_place_and_nothing_is_written(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft_form(self.central, fields=(MEMBERS, {**WOMEN, "key": "members"}))
        self.assertEqual(
            caught.exception.message_dict,
            {"fields": ["#2 key: This form already has a field with this key."]},
        )
        with self.assertRaises(ValidationError) as caught:
            draft_form(self.central, rules=(RULE, {**RULE, "right": "name"}))
        self.assertEqual(
            caught.exception.message_dict,
            {"rules": ["#2 right: These are not number fields of this form: name."]},
        )
        self.assertFalse(ReturnForm.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="return.created").exists())

    def test_it_refuses_a_target_outside_the_subtree_and_levels_at_or_above(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft_form(self.sylhet, target=self.dhaka_district)
        self.assertIn("target_unit", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            draft_form(self.sylhet, target_levels=("district", "union"))
        self.assertIn("target_levels", caught.exception.message_dict)

    def test_a_one_off_return_needs_a_future_due_time(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft_form(self.central, due_at=timezone.now() - datetime.timedelta(minutes=1))
        self.assertEqual(
            caught.exception.message_dict, {"due_at": ["The due time must be in the future."]}
        )
        with self.assertRaises(ValidationError) as caught:
            draft_form(self.central, due_at=None)
        self.assertIn("due_at", caught.exception.message_dict)
        # A recurring one takes no due time of its own.
        form = draft_form(self.central, schedule="monthly", due_at=future())
        self.assertIsNone(form.due_at)

    def test_a_read_only_desk_cannot_issue(self) -> None:
        with self.assertRaises(PermissionDenied):
            draft_form(self.president, unit=self.root)


class BuilderTests(ReturnsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form = draft_form(self.central, fields=(MEMBERS,), rules=())

    def keys(self) -> list[str]:
        return list(self.form.fields.values_list("key", flat=True))

    def test_fields_are_added_at_the_end_and_moved(self) -> None:
        actions.add_field(self.form, WOMEN, by=self.central)
        held = actions.add_field(
            self.form,
            {"key": "held", "label_bn": "হয়েছে", "label_en": "Held", "type": "yes_no"},
            by=self.central,
        )
        self.assertEqual(self.keys(), ["members", "women", "held"])
        actions.move_field(held, by=self.central, up=True)
        self.assertEqual(self.keys(), ["members", "held", "women"])
        actions.move_field(held, by=self.central, up=True)
        actions.move_field(held, by=self.central, up=True)  # already first: nothing moves
        self.assertEqual(self.keys(), ["held", "members", "women"])
        actions.move_field(ReturnField.objects.get(key="members"), by=self.central, up=False)
        self.assertEqual(self.keys(), ["held", "women", "members"])
        self.assertEqual(AuditEvent.objects.filter(verb="return.field_moved").count(), 3)

    def test_removing_a_field_closes_the_gap_unless_a_rule_reads_it(self) -> None:
        women = actions.add_field(self.form, WOMEN, by=self.central)
        actions.add_field(self.form, {**WOMEN, "key": "men"}, by=self.central)
        rule = actions.add_rule(self.form, RULE, by=self.central)
        with self.assertRaises(ValidationError):
            actions.remove_field(women, by=self.central)
        actions.remove_rule(rule, by=self.central)
        actions.remove_field(women, by=self.central)
        self.assertEqual(
            list(self.form.fields.values_list("key", "position")), [("members", 1), ("men", 2)]
        )

    def test_a_rule_may_only_read_number_fields(self) -> None:
        actions.add_field(
            self.form,
            {"key": "name", "label_bn": "নাম", "label_en": "Name", "type": "text"},
            by=self.central,
        )
        with self.assertRaises(ValidationError) as caught:
            actions.add_rule(self.form, {**RULE, "left": "name"}, by=self.central)
        self.assertIn("left", caught.exception.message_dict)

    def test_a_published_form_is_frozen(self) -> None:
        actions.publish(self.form, by=self.central)
        self.form.refresh_from_db()
        field = self.form.fields.get()
        for change in [
            lambda: actions.add_field(self.form, WOMEN, by=self.central),
            lambda: actions.move_field(field, by=self.central, up=False),
            lambda: actions.remove_field(field, by=self.central),
            lambda: actions.add_rule(self.form, RULE, by=self.central),
        ]:
            with self.assertRaises(Conflict):
                change()

    def test_only_the_issuing_office_builds(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.add_field(self.form, WOMEN, by=self.president)
        with self.assertRaises(PermissionDenied):
            actions.add_field(self.form, WOMEN, by=self.sylhet)


class PublishTests(ReturnsTestCase):
    def test_it_snapshots_the_open_units_at_the_target_levels(self) -> None:
        extra = grow(self.sylhet_sadar, 3, level="union", by=self.operator)
        unit_actions.close_unit(extra[2], on=timezone.localdate(), by=self.operator)
        form, period = published(self.central, target=self.sylhet_division)
        codes = set(period.submissions.values_list("unit__code", flat=True))
        self.assertEqual(codes, {"UN-2513", "UN-2513-W1", extra[0].code, extra[1].code})
        self.assertEqual(period.expected, 4)
        row = period.submissions.get(unit=self.jalalabad_union)
        self.assertEqual(
            (row.status, row.expected, row.unit_path, row.level.slug, row.parent, row.version),
            ("pending", True, self.jalalabad_union.path, "union", self.sylhet_sadar, 0),
        )
        self.assertEqual(form.status, ReturnForm.Status.ACTIVE)
        event = AuditEvent.objects.get(verb="return.period_opened")
        self.assertEqual(event.detail["expected"], 4)

    def test_every_level_means_every_unit_below_but_not_the_issuer(self) -> None:
        _form, period = published(self.sylhet, target_levels=())
        self.assertEqual(
            set(period.submissions.values_list("unit__code", flat=True)),
            {"UPZ-281", "UN-2513", "UN-2513-W1"},
        )

    def test_it_cannot_publish_twice_or_without_fields_or_units(self) -> None:
        form, _period = published(self.central)
        with self.assertRaises(Conflict):
            actions.publish(form, by=self.central)
        empty = draft_form(self.central, fields=(), rules=())
        with self.assertRaises(ValidationError):
            actions.publish(empty, by=self.central)
        nobody = draft_form(self.central, target=self.dhaka_division, target_levels=("ward",))
        with self.assertRaises(ValidationError) as caught:
            actions.publish(nobody, by=self.central)
        self.assertIn("target_unit", caught.exception.message_dict)
        nobody.refresh_from_db()
        self.assertEqual(nobody.status, ReturnForm.Status.DRAFT)
        self.assertFalse(nobody.periods.exists())

    def test_a_one_off_return_past_its_due_time_cannot_be_published(self) -> None:
        form = draft_form(self.central, due_at=future(hours=1))
        with (
            frozen(timezone.now() + datetime.timedelta(hours=2)),
            self.assertRaises(ValidationError),
        ):
            actions.publish(form, by=self.central)

    def test_it_tells_the_expected_units_through_the_worker(self) -> None:
        form = draft_form(self.central, target=self.sylhet_division)
        with self.captureOnCommitCallbacks(execute=True):
            period = actions.publish(form, by=self.central)
        task = DBTaskResult.objects.get()
        self.assertEqual(
            (task.task_path, task.args_kwargs["args"]),
            ("daptar.returns.tasks.notify_period_opened", [period.pk]),
        )
        self.assertFalse(Notification.objects.exists())
        tasks.notify_period_opened.call(period.pk)
        self.assertEqual(
            set(Notification.objects.values_list("unit__code", "kind")),
            {("UN-2513", "return.opened"), ("UN-2513-W1", "return.opened")},
        )
        tasks.notify_period_opened.call(period.pk)  # a second run sends nothing twice
        self.assertEqual(Notification.objects.count(), 2)

    def test_closing_stops_new_periods(self) -> None:
        form, _period = published(self.central, schedule="monthly")
        actions.close_form(form, by=self.central)
        with self.assertRaises(Conflict):
            actions.close_form(form, by=self.central)
        self.assertEqual(tasks.open_due_periods(timezone.now() + datetime.timedelta(days=40)), 0)


class PeriodTests(ReturnsTestCase):
    def test_calendar_bounds(self) -> None:
        day = datetime.date(2028, 2, 14)  # a leap year
        self.assertEqual(
            periods.bounds("monthly", day),
            (datetime.date(2028, 2, 1), datetime.date(2028, 2, 29)),
        )
        self.assertEqual(
            periods.bounds("monthly", datetime.date(2024, 12, 31)),
            (datetime.date(2024, 12, 1), datetime.date(2024, 12, 31)),
        )
        self.assertEqual(
            periods.bounds("quarterly", day),
            (datetime.date(2028, 1, 1), datetime.date(2028, 3, 31)),
        )
        self.assertEqual(
            periods.bounds("quarterly", datetime.date(2026, 11, 30)),
            (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        )
        self.assertEqual(
            periods.bounds("yearly", day), (datetime.date(2028, 1, 1), datetime.date(2028, 12, 31))
        )
        with self.assertRaises(ValueError):
            periods.bounds("once", day)

    def test_a_monthly_period_is_due_timely_days_after_its_end_and_locks_later(self) -> None:
        with frozen(local(1, 15, 10, 0)):
            _form, period = published(
                self.central, schedule="monthly", timely_days=10, lock_after_days=5
            )
        self.assertEqual(
            (period.starts_on, period.ends_on),
            (date(1, 1), date(1, 31)),
        )
        self.assertEqual(timezone.localtime(period.due_at), local(2, 10, 23, 59, 59, 999999))
        self.assertEqual(timezone.localtime(period.locks_at), local(2, 15, 23, 59, 59, 999999))
        with translation.override("bn"):
            self.assertEqual(period.label, f"{MONTHS[1]} {to_bengali_digits(NEXT)}")
        self.assertEqual(period.label, f"January {NEXT}")

    def test_a_one_off_period_runs_from_publishing_to_its_due_time(self) -> None:
        due = local(3, 31, 17, 0)
        with frozen(local(3, 1, 9, 0)):
            form, period = published(self.central, due_at=due)
        self.assertEqual((period.starts_on, period.ends_on), (date(3, 1), due.date()))
        self.assertEqual((period.due_at, period.locks_at), (due, None))
        self.assertEqual(form.schedule, "once")

    def test_the_periodic_job_opens_each_new_period_once(self) -> None:
        with frozen(local(1, 15, 10, 0)):
            form, first = published(self.central, schedule="monthly", target=self.sylhet_division)
        self.assertEqual(tasks.open_due_periods(local(1, 31, 23, 0)), 0)
        grow(self.sylhet_sadar, 2, level="union", by=self.operator)
        self.assertEqual(tasks.open_due_periods(local(2, 1, 0, 5)), 1)
        self.assertEqual(tasks.open_due_periods(local(2, 1, 0, 10)), 0)
        february = ReturnPeriod.objects.get(form=form, starts_on=date(2, 1))
        # The new period lists the units open now; January keeps its own snapshot.
        self.assertEqual((first.expected, february.expected), (2, 4))
        self.assertEqual(Submission.objects.filter(period=first).count(), 2)

    def test_quarterly_and_yearly_labels(self) -> None:
        with frozen(local(5, 2)):
            _f, quarter = published(self.central, schedule="quarterly")
            _f, year = published(self.central, schedule="yearly", title="Yearly")
            with translation.override("bn"):
                self.assertEqual(
                    (quarter.label, year.label),
                    (f"Q২ {to_bengali_digits(NEXT)}", to_bengali_digits(NEXT)),
                )
        self.assertEqual(quarter.starts_on, date(4, 1))
