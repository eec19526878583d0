"""The meeting actions: validation, sending, changes, answers, attendance, minutes, feeds."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.directives.models import Directive
from daptar.lib.exceptions import Conflict
from daptar.meetings import actions
from daptar.meetings.actions import AgendaEntry, DecisionInput
from daptar.meetings.models import CalendarFeed, Decision, Invitation, Meeting
from daptar.meetings.queries import Rule
from daptar.meetings.tests.support import (
    JITSI,
    NO_JITSI,
    VIDEO,
    MeetingsTestCase,
    frozen,
    future,
    invitation,
    level,
    meeting,
    officers,
)


class CreateTests(MeetingsTestCase):
    def refused(self, **kwargs: object) -> dict[str, list[str]]:
        before = Meeting.objects.count()
        with self.assertRaises(ValidationError) as caught:
            meeting(self.central, **kwargs)  # type: ignore[arg-type]
        self.assertEqual(Meeting.objects.count(), before)
        return caught.exception.message_dict

    def test_it_keeps_the_agenda_in_order_with_durations(self) -> None:
        m = meeting(
            self.central,
            agenda=[
                AgendaEntry("Opening", 10),
                AgendaEntry("Reports", 40),
                AgendaEntry("Decisions", 20),
            ],
        )
        self.assertEqual(
            list(m.agenda.values_list("position", "title", "minutes")),
            [(1, "Opening", 10), (2, "Reports", 40), (3, "Decisions", 20)],
        )
        self.assertEqual(m.ends_at - m.starts_at, datetime.timedelta(minutes=90))
        self.assertEqual((m.status, m.sequence, m.unit_path), ("draft", 0, self.root.path))

    def test_an_end_before_the_start_is_refused(self) -> None:
        errors = self.refused(duration_minutes=-30)
        self.assertEqual(errors["duration_minutes"], ["The meeting must end after it starts."])

    def test_a_start_in_the_past_is_refused(self) -> None:
        errors = self.refused(starts_at=future(hours=-1))
        self.assertEqual(errors["starts_at"], ["The meeting must start in the future."])

    def test_an_agenda_longer_than_the_meeting_is_refused(self) -> None:
        errors = self.refused(duration_minutes=30, agenda=[AgendaEntry("Long", 45)])
        self.assertIn(
            "The agenda takes 45 minutes but the meeting lasts 30 minutes.", errors["agenda"]
        )

    def test_an_in_person_meeting_needs_a_place_and_keeps_no_link(self) -> None:
        self.assertIn("place", self.refused(mode=Meeting.Mode.IN_PERSON))
        m = meeting(self.central, mode=Meeting.Mode.IN_PERSON, place="Central office")
        self.assertEqual((m.place, m.video_url), ("Central office", ""))

    @NO_JITSI
    def test_without_a_jitsi_server_the_link_must_be_pasted(self) -> None:
        errors = self.refused(video_url="")
        self.assertIn("Paste the video link", errors["video_url"][0])

    def test_a_pasted_link_must_be_a_web_address(self) -> None:
        self.assertIn("video_url", self.refused(video_url="javascript:alert(1)"))

    @JITSI
    def test_a_generated_jitsi_room_is_on_the_configured_server_and_unguessable(self) -> None:
        first = meeting(self.central, video_url="")
        second = meeting(self.central, video_url="")
        self.assertTrue(first.video_url.startswith("https://meet.example.org/Daptar-"))
        self.assertTrue(first.video_generated)
        room = first.video_url.rsplit("-", 1)[-1]
        self.assertGreaterEqual(len(first.video_url) - len("https://meet.example.org/Daptar-"), 24)
        self.assertNotEqual(first.video_url, second.video_url)
        self.assertTrue(room)

    @JITSI
    def test_a_pasted_link_wins_over_the_jitsi_server(self) -> None:
        m = meeting(self.central, video_url=VIDEO)
        self.assertEqual((m.video_url, m.video_generated), (VIDEO, False))

    def test_a_read_only_desk_may_not_create(self) -> None:
        with self.assertRaises(PermissionDenied):
            meeting(self.president, host=self.root)

    def test_a_series_of_another_office_is_refused(self) -> None:
        series = actions.create_series(host_unit=self.root, by=self.central, title="Exchange")
        rule = Rule(units=[self.sylhet_district], posts=officers())
        with self.assertRaises(ValidationError) as caught:
            meeting(self.sylhet, host=self.sylhet_district, rule=rule, series=series)
        self.assertIn("series", caught.exception.message_dict)

    def test_a_phase_puts_the_meeting_in_its_series(self) -> None:
        series = actions.create_series(host_unit=self.root, by=self.central, title="Exchange")
        m = meeting(self.central, series=series, phase_number=2)
        self.assertEqual((m.series, m.phase.number), (series, 2))
        self.assertIn("phase", self.refused(phase_number=2))

    def test_it_records_an_audit_event_and_tells_nobody_yet(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            m = meeting(self.central)
        self.assertEqual(callbacks, [])
        event = AuditEvent.objects.get(verb="meeting.created")
        self.assertEqual((event.object_id, event.detail["invitations"]), (str(m.pk), 3))


class SendTests(MeetingsTestCase):
    def test_sending_records_and_enqueues_the_notices_once(self) -> None:
        m = meeting(self.central)
        with self.captureOnCommitCallbacks(execute=True):
            actions.send_invitations(m, by=self.central)
        self.assertEqual(m.status, Meeting.Status.SENT)
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.meetings.tasks.notify_invitees")
        self.assertEqual(task.args_kwargs["args"], [m.pk, "invited", 0])
        self.assertTrue(AuditEvent.objects.filter(verb="meeting.sent").exists())
        with self.assertRaises(Conflict):
            actions.send_invitations(m, by=self.central)

    def test_nothing_is_enqueued_when_sending_is_refused(self) -> None:
        m = meeting(self.central)
        with (
            frozen(m.starts_at + datetime.timedelta(minutes=1)),
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(ValidationError),
        ):
            actions.send_invitations(m, by=self.central)
        self.assertEqual(callbacks, [])
        m.refresh_from_db()
        self.assertEqual(m.status, Meeting.Status.DRAFT)

    def test_a_read_only_desk_may_not_send(self) -> None:
        m = meeting(self.central)
        with self.assertRaises(PermissionDenied):
            actions.send_invitations(m, by=self.president)

    def test_a_meeting_inside_the_day_skips_the_day_reminder(self) -> None:
        m = meeting(self.central, starts_at=future(hours=5), send=True)
        self.assertIsNotNone(m.reminded_day_at)
        self.assertIsNone(m.reminded_hour_at)

    def test_a_draft_is_discarded_but_a_sent_meeting_is_not(self) -> None:
        draft = meeting(self.central)
        actions.discard_draft(draft, by=self.central)
        self.assertFalse(Meeting.objects.filter(pk=draft.pk).exists())
        sent = meeting(self.central, send=True)
        with self.assertRaises(Conflict):
            actions.discard_draft(sent, by=self.central)


class UpdateTests(MeetingsTestCase):
    def change(self, m: Meeting, **fields: object) -> Meeting:
        current = {
            "title": m.title,
            "starts_at": m.starts_at,
            "duration_minutes": m.duration_minutes,
            "agenda": [AgendaEntry(a.title, a.minutes) for a in m.agenda.all()],
            "mode": m.mode,
            "place": m.place,
            "video_url": m.video_url,
        }
        return actions.update_meeting(m, by=self.central, **(current | fields))  # type: ignore[arg-type]

    def test_a_changed_time_raises_the_sequence_and_tells_the_invitees_again(self) -> None:
        m = meeting(self.central, send=True)
        uid = m.uid
        with self.captureOnCommitCallbacks(execute=True):
            m = self.change(m, starts_at=m.starts_at + datetime.timedelta(hours=2))
        self.assertEqual((m.sequence, m.uid), (1, uid))
        task = DBTaskResult.objects.get()
        self.assertEqual(task.args_kwargs["args"], [m.pk, "changed", 1])
        event = AuditEvent.objects.get(verb="meeting.changed")
        self.assertEqual(event.detail["fields"], ["ends_at", "starts_at"])

    def test_a_new_title_raises_the_sequence_without_a_notice(self) -> None:
        m = meeting(self.central, send=True)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            m = self.change(m, title="New title")
        self.assertEqual((m.sequence, callbacks), (1, []))

    def test_a_draft_changes_without_a_sequence(self) -> None:
        m = self.change(meeting(self.central), agenda=[AgendaEntry("Only item", 15)])
        self.assertEqual(m.sequence, 0)
        self.assertEqual(list(m.agenda.values_list("title", flat=True)), ["Only item"])

    def test_nothing_changed_changes_nothing(self) -> None:
        m = meeting(self.central, send=True)
        self.assertEqual(self.change(m).sequence, 0)
        self.assertFalse(AuditEvent.objects.filter(verb="meeting.changed").exists())

    def test_a_new_time_re_arms_the_reminders(self) -> None:
        m = meeting(self.central, starts_at=future(hours=3), send=True)
        self.assertIsNotNone(m.reminded_day_at)
        m = self.change(m, starts_at=future(days=4))
        self.assertIsNone(m.reminded_day_at)

    def test_a_new_time_in_the_past_and_an_end_before_start_are_refused(self) -> None:
        m = meeting(self.central, send=True)
        with self.assertRaises(ValidationError):
            self.change(m, starts_at=future(days=-1))
        with self.assertRaises(ValidationError):
            self.change(m, duration_minutes=0)

    def test_a_meeting_that_is_over_cannot_change(self) -> None:
        m = meeting(self.central, send=True)
        with frozen(m.ends_at + datetime.timedelta(minutes=1)), self.assertRaises(Conflict):
            self.change(m, title="Too late")

    @JITSI
    def test_a_blank_link_keeps_the_room(self) -> None:
        m = meeting(self.central, video_url="")
        room = m.video_url
        self.assertEqual(self.change(m, video_url="", title="Other").video_url, room)


class AnswerTests(MeetingsTestCase):
    def setUp(self) -> None:
        self.m = meeting(self.central, send=True)

    def test_the_invitee_answers_and_may_change_their_mind(self) -> None:
        mine = invitation(self.m, self.sylhet)
        actions.answer(mine, by=self.sylhet, answer="maybe")
        actions.answer(mine, by=self.sylhet, answer="yes")
        self.assertEqual(mine.rsvp, "yes")
        self.assertIsNotNone(mine.rsvp_at)
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.answered").count(), 2)

    def test_the_same_answer_twice_is_recorded_once(self) -> None:
        mine = invitation(self.m, self.sylhet)
        actions.answer(mine, by=self.sylhet, answer="no")
        actions.answer(mine, by=self.sylhet, answer="no")
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.answered").count(), 1)

    def test_only_the_invitee_answers(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.answer(invitation(self.m, self.sylhet), by=self.sylhet_deputy, answer="yes")

    def test_a_bad_answer_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            actions.answer(invitation(self.m, self.sylhet), by=self.sylhet, answer="perhaps")

    def test_after_the_meeting_no_answer_changes(self) -> None:
        with frozen(self.m.ends_at), self.assertRaises(Conflict):
            actions.answer(invitation(self.m, self.sylhet), by=self.sylhet, answer="yes")

    def test_a_draft_cannot_be_answered(self) -> None:
        draft = meeting(self.central)
        with self.assertRaises(Conflict):
            actions.answer(invitation(draft, self.sylhet), by=self.sylhet, answer="yes")


class AttendanceTests(MeetingsTestCase):
    def setUp(self) -> None:
        self.m = meeting(self.central, send=True)
        self.during = self.m.starts_at + datetime.timedelta(minutes=5)

    def test_the_host_marks_present_and_absent(self) -> None:
        with frozen(self.during):
            row = actions.mark_attendance(
                invitation(self.m, self.sylhet), by=self.central, attended=True
            )
            self.assertTrue(row.attended)
            row = actions.mark_attendance(row, by=self.central, attended=False)
        self.assertIs(row.attended, False)
        self.assertEqual(row.attendance_by, self.central)
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.attendance").count(), 2)

    def test_attendance_waits_for_the_meeting(self) -> None:
        with self.assertRaises(Conflict):
            actions.mark_attendance(invitation(self.m, self.sylhet), by=self.central, attended=True)

    def test_an_invitee_or_a_read_only_desk_may_not_mark(self) -> None:
        with frozen(self.during):
            for user in (self.sylhet, self.president):
                with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                    actions.mark_attendance(invitation(self.m, self.sylhet), by=user, attended=True)

    def test_joining_counts_the_invitee_present_once(self) -> None:
        with frozen(self.m.starts_at - datetime.timedelta(minutes=10)):
            row = actions.join(invitation(self.m, self.metro), by=self.metro)
            first = row.joined_at
            row = actions.join(row, by=self.metro)
        self.assertTrue(row.attended)
        self.assertEqual(row.joined_at, first)
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.joined").count(), 1)

    def test_the_room_opens_half_an_hour_before(self) -> None:
        with frozen(self.m.starts_at - datetime.timedelta(hours=1)), self.assertRaises(Conflict):
            actions.join(invitation(self.m, self.metro), by=self.metro)
        with frozen(self.m.ends_at), self.assertRaises(Conflict):
            actions.join(invitation(self.m, self.metro), by=self.metro)


class MinutesTests(MeetingsTestCase):
    def setUp(self) -> None:
        self.m = meeting(self.central, send=True)
        self.after = self.m.ends_at + datetime.timedelta(hours=1)

    def record(
        self, *decisions: DecisionInput, text: str = "Every district reported."
    ) -> list[Decision]:
        with frozen(self.after):
            return actions.record_minutes(
                self.m, by=self.central, text=text, decisions=list(decisions)
            )

    def test_a_decision_becomes_a_directive_draft_to_the_meetings_units(self) -> None:
        made = self.record(
            DecisionInput("Send the committee lists", "By the end of the month.", True),
            DecisionInput("Hold the next phase in Dhaka"),
        )
        first, second = made
        directive = first.directive
        self.assertEqual(directive.status, Directive.Status.DRAFT)
        self.assertEqual(directive.issuing_unit, self.root)
        # Sylhet and Sylhet Metropolitan: their division, at the district level.
        self.assertEqual(directive.target_unit, self.sylhet_division)
        self.assertEqual(list(directive.target_levels.all()), [level("district")])
        self.assertEqual(directive.title, "Send the committee lists")
        self.assertIn(f"/office/meetings/{self.m.pk}/minutes/", directive.body)
        self.assertEqual(list(directive.meeting_decisions.all()), [first])  # linked back
        self.assertIsNone(second.directive)
        self.assertEqual(self.m.minutes, "Every district reported.")

    def test_the_minutes_are_recorded_once(self) -> None:
        self.record()
        with self.assertRaises(Conflict):
            self.record()

    def test_minutes_wait_for_the_meeting_to_begin(self) -> None:
        with self.assertRaises(Conflict):
            actions.record_minutes(self.m, by=self.central, text="Too early", decisions=[])

    def test_empty_minutes_and_untitled_decisions_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.record(DecisionInput(" "), text=" ")
        self.assertEqual(set(caught.exception.message_dict), {"text", "decisions"})
        self.assertFalse(Decision.objects.exists())

    def test_a_decision_with_no_units_to_direct_leaves_nothing_half_written(self) -> None:
        guests_only = meeting(self.central, rule=Rule(persons=[self.researcher_person]), send=True)
        with frozen(guests_only.ends_at), self.assertRaises(ValidationError):
            actions.record_minutes(
                guests_only,
                by=self.central,
                text="Met.",
                decisions=[DecisionInput("Do it", make_directive=True)],
            )
        guests_only.refresh_from_db()
        self.assertIsNone(guests_only.minutes_at)
        self.assertFalse(Directive.objects.exists())

    def test_a_later_decision_can_become_a_directive_once(self) -> None:
        self.record()
        with frozen(self.after):
            decision = actions.add_decision(
                self.m, by=self.central, decision=DecisionInput("Later decision")
            )
            self.assertEqual(decision.position, 1)
            actions.make_directive(decision, by=self.central)
            with self.assertRaises(Conflict):
                actions.make_directive(decision, by=self.central)
        self.assertEqual(Directive.objects.count(), 1)

    def test_only_the_host_records(self) -> None:
        with frozen(self.after), self.assertRaises(PermissionDenied):
            actions.record_minutes(self.m, by=self.sylhet, text="Mine", decisions=[])


class FeedTests(MeetingsTestCase):
    def test_a_new_link_revokes_the_old_one(self) -> None:
        first, token = actions.create_feed(self.sylhet.person, by=self.sylhet)
        second, other = actions.create_feed(self.sylhet.person, by=self.sylhet)
        first.refresh_from_db()
        self.assertIsNotNone(first.revoked_at)
        self.assertNotEqual(token, other)
        self.assertEqual(second.token_hash, actions.feed_digest(other))
        self.assertNotIn(other, second.token_hash)

    def test_only_the_owner_makes_or_revokes_a_link(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.create_feed(self.sylhet.person, by=self.central)
        feed, _token = actions.create_feed(self.sylhet.person, by=self.sylhet)
        with self.assertRaises(PermissionDenied):
            actions.revoke_feed(feed, by=self.central)
        actions.revoke_feed(feed, by=self.sylhet)
        with self.assertRaises(Conflict):
            actions.revoke_feed(feed, by=self.sylhet)
        self.assertEqual(CalendarFeed.objects.filter(revoked_at__isnull=True).count(), 0)


class ScopeTests(MeetingsTestCase):
    def test_invitees_see_sent_meetings_and_hosts_see_their_subtree(self) -> None:
        draft = meeting(self.central)
        sent = meeting(self.central, send=True)
        visible = lambda user: set(Meeting.objects.visible_to(self.fresh(user)))  # noqa: E731
        self.assertEqual(visible(self.central), {draft, sent})
        self.assertEqual(visible(self.president), {draft, sent})  # read-only, still central
        self.assertEqual(visible(self.sylhet), {sent})
        self.assertEqual(visible(self.dhaka), set())
        self.assertEqual(visible(self.jalalabad), set())
        self.assertEqual(Invitation.objects.filter(meeting=sent).count(), 3)
