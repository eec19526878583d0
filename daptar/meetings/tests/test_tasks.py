"""Notices, e-mail with the calendar file, the mail sweep, reminders a day and an hour before."""

from __future__ import annotations

import datetime
from unittest import mock

import icalendar
from django.core import mail
from django.test import override_settings

from daptar.meetings import actions, tasks
from daptar.meetings.actions import AgendaEntry
from daptar.meetings.models import Meeting, MeetingMail
from daptar.meetings.tests.support import (
    IMMEDIATE_TASKS,
    MeetingsTestCase,
    frozen,
    future,
    invitation,
    meeting,
)
from daptar.notifications.models import Notification


def attachment(message: mail.EmailMessage) -> icalendar.Calendar:
    (part,) = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert part.get_filename() == "meeting.ics"
    return icalendar.Calendar.from_ical(part.get_content())


@IMMEDIATE_TASKS
class InvitationNoticeTests(MeetingsTestCase):
    def send(self, m: Meeting) -> Meeting:
        with self.captureOnCommitCallbacks(execute=True):
            return actions.send_invitations(m, by=self.central)

    def test_each_invitee_gets_an_email_with_the_calendar_file(self) -> None:
        m = self.send(meeting(self.central))
        # Sadia, the Sylhet deputy and the metro secretary have addresses.
        self.assertEqual(
            sorted(x.to[0] for x in mail.outbox),
            ["deputy@example.org", "metro@example.org", "sadia@example.org"],
        )
        message = mail.outbox[0]
        self.assertIn(m.title, message.subject)
        self.assertIn(m.video_url, message.body)
        self.assertIn(f"/office/meetings/{m.pk}/", message.body)
        event = attachment(message).events[0]
        self.assertEqual((event["UID"], event["SEQUENCE"]), (f"{m.uid}@daptar", 0))
        self.assertEqual(set(MeetingMail.objects.values_list("status", flat=True)), {"sent"})

    def test_the_invited_offices_get_an_in_app_notice(self) -> None:
        m = self.send(meeting(self.central))
        notices = Notification.objects.filter(kind="meeting.invited")
        self.assertEqual({n.unit for n in notices}, {self.sylhet_district, self.sylhet_metro})
        self.assertEqual(notices.first().url, f"/office/meetings/{m.pk}/")

    def test_a_guest_is_told_at_their_own_unit(self) -> None:
        from daptar.meetings.queries import Rule

        self.send(meeting(self.central, rule=Rule(persons=[self.researcher_person])))
        self.assertEqual(list(Notification.objects.values_list("unit", flat=True)), [self.root.pk])
        self.assertEqual([x.to for x in mail.outbox], [["cell@example.org"]])

    def test_a_changed_time_sends_a_new_file_with_a_higher_sequence(self) -> None:
        m = self.send(meeting(self.central))
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            actions.update_meeting(
                m,
                by=self.central,
                title=m.title,
                duration_minutes=90,
                starts_at=m.starts_at + datetime.timedelta(days=1),
                agenda=[AgendaEntry("A", 10)],
                mode=m.mode,
                place="",
                video_url=m.video_url,
            )
        self.assertEqual(len(mail.outbox), 3)
        self.assertTrue(mail.outbox[0].subject.startswith("Meeting changed"))
        self.assertEqual(attachment(mail.outbox[0]).events[0]["SEQUENCE"], 1)
        self.assertEqual(Notification.objects.filter(kind="meeting.changed").count(), 2)

    def test_a_notice_overtaken_by_a_newer_change_is_dropped(self) -> None:
        m = meeting(self.central, send=True)
        Meeting.objects.filter(pk=m.pk).update(sequence=3)
        self.assertEqual(tasks.notify_invitees.call(m.pk, "changed", 2), 0)
        self.assertFalse(MeetingMail.objects.exists())

    def test_running_the_notice_twice_sends_nothing_twice(self) -> None:
        m = self.send(meeting(self.central))
        tasks.notify_invitees.call(m.pk, "invited", 0)
        self.assertEqual(MeetingMail.objects.count(), 3)
        self.assertEqual(Notification.objects.count(), 2)


class MailSweepTests(MeetingsTestCase):
    def queue(self) -> Meeting:
        m = meeting(self.central, send=True)
        tasks.notify(m, "invited", m.sent_at)  # type: ignore[arg-type]
        return m

    def test_a_failed_send_is_retried_with_the_outbox_back_off(self) -> None:
        self.queue()
        with mock.patch.object(mail.EmailMessage, "send", side_effect=OSError("refused")):
            counts = tasks.sweep_mail()
        self.assertEqual(counts, {"sent": 0, "retried": 3, "failed": 0})
        row = MeetingMail.objects.first()
        self.assertEqual((row.status, row.attempts, row.last_error), ("pending", 1, "refused"))
        # Not due again until the back-off has passed.
        self.assertEqual(tasks.sweep_mail(), {"sent": 0, "retried": 0, "failed": 0})
        with frozen(row.next_attempt_at + datetime.timedelta(seconds=1)):
            self.assertEqual(tasks.sweep_mail()["sent"], 3)

    @override_settings(DAPTAR_OUTBOX_MAX_ATTEMPTS=1)
    def test_it_gives_up_after_the_outbox_limit(self) -> None:
        self.queue()
        with mock.patch.object(mail.EmailMessage, "send", side_effect=OSError("down")):
            self.assertEqual(tasks.sweep_mail()["failed"], 3)
        self.assertEqual(set(MeetingMail.objects.values_list("status", flat=True)), {"failed"})


class ReminderTests(MeetingsTestCase):
    def setUp(self) -> None:
        self.m = meeting(self.central, starts_at=future(days=3), send=True)

    def sweep(self, before: datetime.timedelta) -> dict[str, int]:
        with frozen(self.m.starts_at - before):
            return tasks.send_meeting_reminders(self.m.starts_at - before)

    def test_a_day_before_and_an_hour_before_once_each(self) -> None:
        self.assertEqual(self.sweep(datetime.timedelta(hours=30))["reminded_day"], 0)
        first = self.sweep(datetime.timedelta(hours=23))
        self.assertEqual((first["reminded_day"], first["reminded_hour"]), (1, 0))
        self.assertEqual(first["mail_sent"], 3)
        self.assertEqual(self.sweep(datetime.timedelta(hours=22))["reminded_day"], 0)
        hour = self.sweep(datetime.timedelta(minutes=50))
        self.assertEqual((hour["reminded_day"], hour["reminded_hour"]), (0, 1))
        self.assertEqual(self.sweep(datetime.timedelta(minutes=40))["reminded_hour"], 0)
        subjects = [x.subject.split(" / ")[0] for x in mail.outbox]
        self.assertEqual(subjects, ["Meeting tomorrow"] * 3 + ["Meeting in an hour"] * 3)
        self.assertEqual(Notification.objects.filter(kind="meeting.remind-day").count(), 2)
        self.assertFalse(mail.outbox[0].attachments)

    def test_a_sweep_inside_the_hour_sends_only_the_hour_reminder(self) -> None:
        counts = self.sweep(datetime.timedelta(minutes=30))
        self.assertEqual((counts["reminded_day"], counts["reminded_hour"]), (0, 1))
        self.assertEqual(self.sweep(datetime.timedelta(minutes=20))["reminded_day"], 0)

    def test_those_who_said_no_are_not_reminded(self) -> None:
        actions.answer(invitation(self.m, self.metro), by=self.metro, answer="no")
        self.sweep(datetime.timedelta(hours=20))
        self.assertNotIn(["metro@example.org"], [x.to for x in mail.outbox])
        self.assertEqual(len(mail.outbox), 2)

    def test_drafts_and_meetings_that_began_are_not_reminded(self) -> None:
        draft = meeting(self.central, starts_at=self.m.starts_at)
        counts = self.sweep(datetime.timedelta(hours=-1))
        self.assertEqual((counts["reminded_day"], counts["reminded_hour"]), (0, 0))
        draft.refresh_from_db()
        self.assertIsNone(draft.reminded_day_at)

    def test_a_rescheduled_meeting_is_reminded_again(self) -> None:
        self.sweep(datetime.timedelta(hours=20))
        m = actions.update_meeting(
            self.m,
            by=self.central,
            title=self.m.title,
            duration_minutes=90,
            agenda=[],
            starts_at=self.m.starts_at + datetime.timedelta(days=2),
            mode=self.m.mode,
            place="",
            video_url=self.m.video_url,
        )
        self.m = m
        self.assertEqual(self.sweep(datetime.timedelta(hours=20))["reminded_day"], 1)
