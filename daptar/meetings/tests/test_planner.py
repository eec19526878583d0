"""The phase planner: a series, divisions with a phase and a time each → one meeting each."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from daptar.audit.models import AuditEvent
from daptar.meetings import actions
from daptar.meetings.actions import AgendaEntry, PlanEntry
from daptar.meetings.models import Invitation, Meeting, Phase
from daptar.meetings.queries import Rule
from daptar.meetings.tests.support import VIDEO, MeetingsTestCase, future, level, officers


class PlannerTests(MeetingsTestCase):
    def setUp(self) -> None:
        self.series = actions.create_series(
            host_unit=self.root,
            by=self.central,
            title="মতবিনিময় সভা",
            purpose="Exchange meetings with the districts, one division per phase.",
        )

    def plan(self, *entries: PlanEntry, by: object = None, **kwargs: object) -> list[Meeting]:
        return actions.plan_phases(
            self.series,
            by=by or self.central,  # type: ignore[arg-type]
            entries=list(entries),
            duration_minutes=kwargs.pop("duration_minutes", 90),  # type: ignore[arg-type]
            agenda=[AgendaEntry("Opening", 10), AgendaEntry("Each district reports", 60)],
            rule=Rule(levels=[level("district")], posts=officers()),
            **kwargs,  # type: ignore[arg-type]
        )

    def test_one_meeting_per_division_inviting_its_districts_office_secretaries(self) -> None:
        first, second = future(days=2), future(days=9)
        dhaka, sylhet = self.plan(
            PlanEntry(1, self.dhaka_division, first, VIDEO),
            PlanEntry(2, self.sylhet_division, second, VIDEO),
        )
        self.assertEqual(list(self.series.phases.values_list("number", flat=True)), [1, 2])
        self.assertEqual(
            (sylhet.phase.number, sylhet.planned_for, sylhet.starts_at),
            (2, self.sylhet_division, second),
        )
        self.assertEqual(sylhet.title, "মতবিনিময় সভা · ধাপ ২ · সিলেট")
        invited = lambda m: set(  # noqa: E731
            Invitation.objects.filter(meeting=m).values_list("person__name_en", "unit__code")
        )
        self.assertEqual(
            invited(sylhet),
            {("Sadia Islam", "SYL"), ("Deputy Sylhet", "SYL"), ("Metro Secretary", "SYL-M")},
        )
        self.assertEqual(invited(dhaka), {("Nasrin Akter", "DHA"), ("Deputy Dhaka", "DHA")})
        self.assertEqual(
            [a.title for a in sylhet.agenda.all()], ["Opening", "Each district reports"]
        )
        self.assertEqual({m.status for m in (dhaka, sylhet)}, {Meeting.Status.DRAFT})
        event = AuditEvent.objects.get(verb="meeting_series.planned")
        self.assertEqual(event.detail["meetings"], [dhaka.pk, sylhet.pk])

    def test_planning_can_send_at_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            (m,) = self.plan(PlanEntry(2, self.sylhet_division, future(), VIDEO), send=True)
        self.assertEqual(m.status, Meeting.Status.SENT)
        self.assertEqual(len(callbacks), 1)

    def test_a_division_already_met_in_that_phase_is_refused(self) -> None:
        self.plan(PlanEntry(2, self.sylhet_division, future(), VIDEO))
        with self.assertRaises(ValidationError) as caught:
            self.plan(PlanEntry(2, self.sylhet_division, future(days=5), VIDEO))
        self.assertIn(
            "already has a meeting in phase 2", caught.exception.message_dict["phases"][0]
        )
        # Another phase is fine.
        self.plan(PlanEntry(3, self.sylhet_division, future(days=20), VIDEO))

    def test_one_bad_row_and_no_meeting_is_made(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.plan(
                PlanEntry(1, self.sylhet_division, future(), VIDEO),
                PlanEntry(1, self.dhaka_division, future(days=-1), VIDEO),
            )
        errors = caught.exception.message_dict
        self.assertEqual(errors["starts_at"], ["Dhaka: The meeting must start in the future."])
        self.assertFalse(Meeting.objects.exists())
        self.assertFalse(Phase.objects.exists())

    def test_a_division_whose_districts_have_no_office_secretary_is_refused(self) -> None:
        rule = Rule(levels=[level("ward")], posts=officers())
        with self.assertRaises(ValidationError) as caught:
            actions.plan_phases(
                self.series,
                by=self.central,
                rule=rule,
                duration_minutes=60,
                agenda=[],
                entries=[PlanEntry(1, self.dhaka_division, future(), VIDEO)],
            )
        self.assertIn("No one holds these posts", caught.exception.message_dict["invite"][0])

    def test_a_division_outside_the_hosts_subtree_is_refused(self) -> None:
        series = actions.create_series(
            host_unit=self.sylhet_division, by=self.division, title="Sylhet's own"
        )
        with self.assertRaises(ValidationError) as caught:
            actions.plan_phases(
                series,
                by=self.division,
                duration_minutes=60,
                agenda=[],
                rule=Rule(levels=[level("district")], posts=officers()),
                entries=[PlanEntry(1, self.dhaka_division, future(), VIDEO)],
            )
        self.assertIn("subtree", caught.exception.message_dict["invite"][0])

    def test_no_rows_and_a_read_only_desk_are_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.plan()
        with self.assertRaises(PermissionDenied):
            self.plan(PlanEntry(1, self.sylhet_division, future(), VIDEO), by=self.president)

    def test_the_planned_meetings_share_the_duration(self) -> None:
        (m,) = self.plan(PlanEntry(1, self.sylhet_division, future(), VIDEO), duration_minutes=120)
        self.assertEqual(m.ends_at - m.starts_at, datetime.timedelta(hours=2))
