"""iCalendar output, parsed back with the icalendar package; the per-person feed."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
from django.urls import reverse

from daptar.accounts.models import User
from daptar.meetings import actions, ics
from daptar.meetings.actions import AgendaEntry
from daptar.meetings.tests.support import MeetingsTestCase, future, meeting

DHAKA = zoneinfo.ZoneInfo("Asia/Dhaka")


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


class MeetingFileTests(MeetingsTestCase):
    def test_the_file_is_valid_icalendar_in_dhaka_time(self) -> None:
        start = future(days=5)
        m = meeting(
            self.central,
            starts_at=start,
            send=True,
            place="",
            agenda=[AgendaEntry("Opening", 10), AgendaEntry("Reports", 50)],
        )
        cal = parse(ics.meeting_ics(m))
        self.assertEqual((cal["VERSION"], cal["METHOD"]), ("2.0", "PUBLISH"))
        self.assertEqual([tz["TZID"] for tz in cal.timezones], ["Asia/Dhaka"])
        (event,) = cal.events
        self.assertEqual(event.start, start.astimezone(DHAKA))
        self.assertEqual(str(event.start.tzinfo), "Asia/Dhaka")
        self.assertEqual(event.end - event.start, datetime.timedelta(minutes=90))
        self.assertEqual(event["DTSTART"].params["TZID"], "Asia/Dhaka")
        self.assertEqual(str(event["SUMMARY"]), m.title)
        self.assertEqual(event["UID"], f"{m.uid}@daptar")
        self.assertEqual(event["SEQUENCE"], 0)
        self.assertEqual(str(event["URL"]), m.video_url)
        self.assertIn("1. Opening (10 min)", str(event["DESCRIPTION"]))
        self.assertIn(reverse("meetings:detail", args=[m.pk]), str(event["DESCRIPTION"]))
        self.assertEqual(event["ORGANIZER"].params["CN"], "কেন্দ্র")

    def test_a_change_keeps_the_uid_and_raises_the_sequence(self) -> None:
        m = meeting(self.central, send=True)
        before = parse(ics.meeting_ics(m)).events[0]
        m = actions.update_meeting(
            m,
            by=self.central,
            title=m.title,
            starts_at=m.starts_at + datetime.timedelta(hours=1),
            duration_minutes=60,
            agenda=[],
            mode=m.mode,
            place=m.place,
            video_url=m.video_url,
        )
        after = parse(ics.meeting_ics(m)).events[0]
        self.assertEqual(after["UID"], before["UID"])
        self.assertEqual((before["SEQUENCE"], after["SEQUENCE"]), (0, 1))
        self.assertEqual(after.start - before.start, datetime.timedelta(hours=1))

    def test_the_same_meeting_gives_the_same_file(self) -> None:
        m = meeting(self.central, send=True)
        self.assertEqual(ics.meeting_ics(m), ics.meeting_ics(m))


class FeedTests(MeetingsTestCase):
    def feed_url(self, token: str) -> str:
        return reverse("meetings:feed_ics", args=[token])

    def test_the_feed_holds_the_persons_sent_meetings_without_a_login(self) -> None:
        sent = meeting(self.central, send=True, title="Sent one")
        meeting(self.central, title="Still a draft")
        meeting(self.central, send=True, rule=None, title="Dhaka's", division=self.dhaka_division)
        _feed, token = actions.create_feed(self.sylhet.person, by=self.sylhet)
        response = self.client.get(self.feed_url(token))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        cal = parse(response.content)
        self.assertEqual([str(e["SUMMARY"]) for e in cal.events], ["Sent one"])
        self.assertEqual(cal.events[0]["UID"], f"{sent.uid}@daptar")
        self.assertEqual([tz["TZID"] for tz in cal.timezones], ["Asia/Dhaka"])

    def test_a_revoked_or_unknown_token_answers_404(self) -> None:
        feed, token = actions.create_feed(self.sylhet.person, by=self.sylhet)
        actions.revoke_feed(feed, by=self.sylhet)
        self.assertEqual(self.client.get(self.feed_url(token)).status_code, 404)
        self.assertEqual(self.client.get(self.feed_url("not-a-token")).status_code, 404)

    def test_a_deactivated_owners_feed_answers_404(self) -> None:
        meeting(self.central, send=True)
        _feed, token = actions.create_feed(self.sylhet.person, by=self.sylhet)
        self.assertEqual(self.client.get(self.feed_url(token)).status_code, 200)
        User.objects.filter(pk=self.sylhet.pk).update(is_active=False)  # as the admin does
        self.assertEqual(self.client.get(self.feed_url(token)).status_code, 404)

    def test_the_feed_costs_three_queries_however_many_meetings(self) -> None:
        for n in range(4):
            meeting(self.central, send=True, starts_at=future(days=n + 1), title=f"M{n}")
        _feed, token = actions.create_feed(self.sylhet.person, by=self.sylhet)
        # The token, the meetings with their hosts, their agendas.
        with self.assertNumQueries(3):
            response = self.client.get(self.feed_url(token))
        self.assertEqual(len(parse(response.content).events), 4)
