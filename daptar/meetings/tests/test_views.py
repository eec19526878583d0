"""The office pages: lists, the planner, the meeting form, the detail, answers, attendance,
minutes and the calendar link."""

from __future__ import annotations

import datetime

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.directives.models import Directive
from daptar.meetings import actions
from daptar.meetings.models import CalendarFeed, Meeting, MeetingSeries
from daptar.meetings.queries import Rule
from daptar.meetings.tests.support import (
    VIDEO,
    MeetingsTestCase,
    add_holder,
    frozen,
    future,
    invitation,
    level,
    meeting,
    officers,
)
from daptar.people.models import Post

LIST = reverse("meetings:list")
HOSTED = reverse("meetings:hosted")
NEW = reverse("meetings:new")
SERIES = reverse("meetings:series_list")
FEED = reverse("meetings:feed")
LOGIN = reverse("accounts:login")


def url(name: str, *args: object) -> str:
    return reverse(f"meetings:{name}", args=[getattr(a, "pk", a) for a in args])


def local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


class ViewTestCase(MeetingsTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def login(self, user: object) -> None:
        self.client.force_login(user)  # type: ignore[arg-type]

    def header(self) -> int:
        """What every signed-in page pays (session, user, desks, the nav's badges, of every
        app): the calendar-link page's count less its own two (the person, the live link)."""
        with CaptureQueriesContext(connection) as queries:
            self.client.get(FEED)
        return len(queries) - 2

    def message(self, response: object) -> str:
        return [str(m) for m in get_messages(response.wsgi_request)][-1]  # type: ignore[attr-defined]

    def assertLoginRedirect(self, response: object, path: str) -> None:
        self.assertRedirects(response, f"{LOGIN}?next={path}", fetch_redirect_response=False)  # type: ignore[arg-type]


class ListTests(ViewTestCase):
    def test_an_invitee_sees_upcoming_sent_meetings_soonest_first(self) -> None:
        later = meeting(self.central, send=True, title="Later", starts_at=future(days=9))
        sooner = meeting(self.central, send=True, title="Sooner", starts_at=future(days=2))
        meeting(self.central, title="Draft")
        self.login(self.sylhet)
        response = self.client.get(LIST)
        self.assertEqual([i.meeting for i in response.context["page"]], [sooner, later])
        self.assertContains(response, "not answered")
        self.assertNotContains(response, "Draft")

    def test_past_meetings_are_a_click_away(self) -> None:
        m = meeting(self.central, send=True, title="Held", starts_at=future(hours=1))
        self.login(self.sylhet)
        with frozen(m.ends_at + datetime.timedelta(minutes=1)):
            self.assertEqual(list(self.client.get(LIST).context["page"]), [])
            past = self.client.get(LIST, {"past": "1"})
        self.assertEqual([i.meeting for i in past.context["page"]], [m])

    def test_the_list_costs_the_same_however_many_meetings(self) -> None:
        for n in range(6):
            meeting(self.central, send=True, starts_at=future(days=n + 1))
        self.login(self.sylhet)
        # The count and the page of invitations (with meeting, host, unit and post).
        with self.assertNumQueries(self.header() + 2):
            response = self.client.get(LIST)
        self.assertEqual(len(response.context["page"]), 6)

    def test_the_nav_counts_unanswered_invitations_to_the_office(self) -> None:
        m = meeting(self.central, send=True)
        self.login(self.sylhet)
        self.assertContains(self.client.get(LIST), 'data-testid="nav-meetings"')
        self.assertEqual(self.client.get(LIST).context["office_counts"]["meetings"], 1)
        actions.answer(invitation(m, self.sylhet), by=self.sylhet, answer="yes")
        actions.answer(invitation(m, self.sylhet_deputy), by=self.sylhet_deputy, answer="no")
        self.assertEqual(self.client.get(LIST).context["office_counts"]["meetings"], 0)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        for path in (LIST, HOSTED, NEW, SERIES, FEED):
            with self.subTest(path=path):
                self.assertLoginRedirect(self.client.get(path), path)

    def test_hosted_lists_the_offices_own_meetings(self) -> None:
        for n in range(4):
            meeting(self.central, starts_at=future(days=n + 1))
        self.login(self.central)
        # The count and the page of meetings (with series and phase).
        with self.assertNumQueries(self.header() + 2):
            response = self.client.get(HOSTED)
        self.assertEqual(len(response.context["page"]), 4)
        self.login(self.sylhet)
        self.assertEqual(len(self.client.get(HOSTED).context["page"]), 0)
        self.login(self.nobody)
        self.assertEqual(self.client.get(HOSTED).status_code, 404)


class SeriesAndPlannerTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.series = actions.create_series(host_unit=self.root, by=self.central, title="Phases")

    def plan_data(self, **overrides: object) -> dict[str, object]:
        s = self.sylhet_division.pk
        return {
            "duration_minutes": 90,
            "mode": "online",
            "agenda": "Opening — 10\nমতবিনিময় ৬০ মিনিট",
            "level": level("district").pk,
            "posts": [
                p.pk
                for p in Post.objects.filter(
                    slug__in=["office_secretary", "deputy_office_secretary"]
                )
            ],
            f"pick_{s}": "on",
            f"phase_{s}": "2",
            f"starts_{s}": local(future(days=4)),
            f"video_{s}": VIDEO,
            **overrides,
        }

    def test_a_series_is_created_and_listed(self) -> None:
        self.login(self.central)
        response = self.client.post(SERIES, {"title": "Exchange meetings", "purpose": ""})
        made = MeetingSeries.objects.get(title="Exchange meetings")
        self.assertRedirects(response, url("series", made), fetch_redirect_response=False)
        self.assertEqual(made.host_unit, self.root)
        self.assertEqual(len(self.client.get(SERIES).context["page"]), 2)
        self.assertEqual(self.client.post(SERIES, {"title": ""}).status_code, 200)

    def test_a_read_only_desk_may_not_create_a_series_or_plan(self) -> None:
        self.login(self.president)
        self.assertEqual(self.client.post(SERIES, {"title": "Mine"}).status_code, 403)
        self.assertEqual(self.client.get(url("plan", self.series)).status_code, 403)

    def test_an_outsider_gets_404(self) -> None:
        self.login(self.dhaka)
        self.assertEqual(self.client.get(url("series", self.series)).status_code, 404)
        self.assertEqual(self.client.get(url("plan", self.series)).status_code, 404)

    def test_the_planner_offers_the_divisions_and_makes_one_meeting_each(self) -> None:
        self.login(self.central)
        form = self.client.get(url("plan", self.series))
        self.assertContains(form, 'data-testid="row-DIV-SYL"')
        self.assertContains(form, 'data-testid="row-DIV-DHA"')
        response = self.client.post(url("plan", self.series), self.plan_data())
        self.assertRedirects(response, url("series", self.series), fetch_redirect_response=False)
        m = Meeting.objects.get()
        self.assertEqual(
            (m.phase.number, m.planned_for, m.status), (2, self.sylhet_division, "draft")
        )
        self.assertEqual(
            [(a.title, a.minutes) for a in m.agenda.all()], [("Opening", 10), ("মতবিনিময়", 60)]
        )
        self.assertEqual(m.invitations_count, 3)
        page = self.client.get(url("series", self.series))
        self.assertContains(page, url("detail", m))

    def test_a_planned_time_in_the_past_is_refused_with_a_message(self) -> None:
        self.login(self.central)
        s = self.sylhet_division.pk
        response = self.client.post(
            url("plan", self.series), self.plan_data(**{f"starts_{s}": local(future(days=-1))})
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The meeting must start in the future.")
        self.assertFalse(Meeting.objects.exists())

    def test_nothing_ticked_and_a_bad_agenda_are_refused(self) -> None:
        self.login(self.central)
        s = self.sylhet_division.pk
        response = self.client.post(url("plan", self.series), self.plan_data(**{f"pick_{s}": ""}))
        self.assertContains(response, "Tick at least one division")
        response = self.client.post(url("plan", self.series), self.plan_data(agenda="No minutes"))
        self.assertContains(response, "Put the minutes at the end of each line")
        self.assertFalse(Meeting.objects.exists())

    def test_the_series_page_costs_the_same_however_many_meetings(self) -> None:
        for n, division in enumerate([self.sylhet_division, self.dhaka_division], start=1):
            actions.plan_phases(
                self.series,
                by=self.central,
                duration_minutes=60,
                agenda=[],
                rule=Rule(levels=[level("district")], posts=officers("office_secretary")),
                entries=[actions.PlanEntry(n, division, future(days=n), VIDEO)],
            )
        self.login(self.central)
        # The series, the count, the page of meetings (with phase and division).
        with self.assertNumQueries(self.header() + 3):
            response = self.client.get(url("series", self.series))
        self.assertEqual(len(response.context["page"]), 2)


class NewMeetingTests(ViewTestCase):
    def data(self, **overrides: object) -> dict[str, object]:
        start = future(days=2)
        return {
            "title": "Committee lists",
            "starts_at": local(start),
            "ends_at": local(start + datetime.timedelta(hours=1)),
            "mode": "online",
            "video_url": VIDEO,
            "agenda": "Opening 10",
            "within": self.sylhet_division.pk,
            "levels": [level("district").pk],
            "posts": [Post.objects.get(slug="office_secretary").pk],
            **overrides,
        }

    def test_a_new_meeting_is_saved_as_a_draft_with_its_list(self) -> None:
        self.login(self.central)
        self.assertContains(self.client.get(NEW), 'data-testid="meeting-form"')
        guest = self.researcher_person.pk
        response = self.client.post(NEW, self.data(guests=[guest]))
        m = Meeting.objects.get()
        self.assertRedirects(response, url("detail", m), fetch_redirect_response=False)
        self.assertEqual(m.status, "draft")
        self.assertEqual(
            set(m.invitations.values_list("person__name_en", flat=True)),
            {"Sadia Islam", "Metro Secretary", "Research Coordinator"},
        )

    def test_an_end_before_the_start_is_refused_with_a_message(self) -> None:
        self.login(self.central)
        start = future(days=2)
        response = self.client.post(
            NEW, self.data(ends_at=local(start - datetime.timedelta(hours=1)))
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The meeting must end after it starts.")
        self.assertFalse(Meeting.objects.exists())

    def test_a_rule_matching_nobody_is_refused_with_a_message(self) -> None:
        self.login(self.central)
        response = self.client.post(NEW, self.data(levels=[level("ward").pk]))
        self.assertContains(response, "No one holds these posts in these units today.")
        self.assertFalse(Meeting.objects.exists())

    def test_a_unit_outside_the_subtree_is_not_reachable(self) -> None:
        self.login(self.sylhet)
        response = self.client.post(NEW, self.data(within="", within_code="SYL-M"))
        self.assertContains(response, "No unit with this code in your subtree.")
        response = self.client.post(NEW, self.data(within=self.sylhet_metro.pk))
        self.assertTrue(response.context["form"].errors["within"])
        self.assertFalse(Meeting.objects.exists())

    def test_a_read_only_desk_and_a_login_without_desk_are_refused(self) -> None:
        self.login(self.president)
        self.assertEqual(self.client.get(NEW).status_code, 403)
        self.login(self.nobody)
        self.assertEqual(self.client.get(NEW).status_code, 404)

    def test_guests_are_found_by_name_in_the_register(self) -> None:
        self.login(self.central)
        response = self.client.get(url("people"), {"q": "Research"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, f'value="{self.researcher_person.pk}"')
        self.assertNotContains(response, "<html")
        self.login(self.sylhet)
        response = self.client.get(url("people"), {"q": "Research"}, HTTP_HX_REQUEST="true")
        self.assertNotContains(response, f'value="{self.researcher_person.pk}"')


class DetailTests(ViewTestCase):
    def test_the_host_sees_the_list_before_sending_and_sends_it(self) -> None:
        m = meeting(self.central)
        self.login(self.central)
        response = self.client.get(url("detail", m))
        self.assertContains(response, 'data-testid="send"')
        self.assertContains(response, "Deputy Sylhet")
        self.assertEqual(response.context["counts"]["invited"], 3)
        response = self.client.post(url("send", m))
        self.assertRedirects(response, url("detail", m), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "Invitations sent to 3 people.")
        response = self.client.post(url("send", m))
        self.assertEqual(self.message(response), "The invitations have already been sent.")

    def test_an_invitee_sees_their_invitation_but_not_a_draft(self) -> None:
        m = meeting(self.central)
        self.login(self.sylhet)
        self.assertEqual(self.client.get(url("detail", m)).status_code, 404)
        actions.send_invitations(m, by=self.central)
        response = self.client.get(url("detail", m))
        self.assertContains(response, 'data-testid="my-invitation"')
        self.assertContains(response, 'data-testid="rsvp-yes"')
        self.assertNotContains(response, 'data-testid="invitations"')
        self.assertFalse(response.context["host_side"])

    def test_outsiders_get_404_and_the_read_only_desk_403_on_writes(self) -> None:
        m = meeting(self.central, send=True)
        for user in (self.dhaka, self.jalalabad, self.nobody):
            self.login(user)
            with self.subTest(user=user.username):
                for name in ("detail", "edit", "attendance", "minutes", "ics"):
                    self.assertEqual(self.client.get(url(name, m)).status_code, 404)
                self.assertEqual(self.client.post(url("send", m)).status_code, 404)
        self.login(self.president)
        self.assertEqual(self.client.get(url("detail", m)).status_code, 200)
        self.assertEqual(self.client.get(url("edit", m)).status_code, 403)
        self.assertEqual(self.client.post(url("discard", m)).status_code, 403)

    def test_the_detail_costs_the_same_however_many_invitees(self) -> None:
        for n in range(5):
            add_holder(
                self,
                None,
                self.sylhet_metro,
                "deputy_office_secretary",
                name_en=f"Extra {n}",
                name_bn=f"অতিরিক্ত {n}",
            )
        small = meeting(
            self.central, send=True, rule=Rule(units=[self.sylhet_district], posts=officers())
        )
        large = meeting(self.central, send=True)
        self.assertEqual((small.invitations_count, large.invitations_count), (2, 8))
        self.login(self.central)
        # The meeting, the host's own invitation, the totals, the agenda, the list's count
        # and its page (each row with person, unit and post).
        for m in (small, large):
            with self.subTest(invited=m.invitations_count):
                with self.assertNumQueries(self.header() + 6):
                    response = self.client.get(url("detail", m))
                self.assertEqual(len(response.context["page"]), m.invitations_count)

    def test_htmx_gets_only_the_filtered_list(self) -> None:
        m = meeting(self.central, send=True)
        actions.answer(invitation(m, self.metro), by=self.metro, answer="yes")
        self.login(self.central)
        response = self.client.get(
            url("detail", m), {"rsvp": "yes"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="invitations"
        )
        self.assertNotContains(response, "<html")
        self.assertEqual([i.person.name_en for i in response.context["page"]], ["Metro Secretary"])

    def test_a_draft_is_discarded(self) -> None:
        m = meeting(self.central)
        self.login(self.central)
        response = self.client.post(url("discard", m))
        self.assertRedirects(response, HOSTED, fetch_redirect_response=False)
        self.assertFalse(Meeting.objects.exists())

    def test_the_host_changes_the_time_and_bad_input_is_refused(self) -> None:
        m = meeting(self.central, send=True)
        self.login(self.central)
        form = self.client.get(url("edit", m))
        self.assertEqual(form.context["form"].initial["agenda"], "Opening — 10\nReports — 60")
        start = m.starts_at + datetime.timedelta(days=1)
        data = {
            "title": m.title,
            "starts_at": local(start),
            "mode": "online",
            "video_url": VIDEO,
            "ends_at": local(start + datetime.timedelta(hours=1)),
            "agenda": "Opening 10",
        }
        response = self.client.post(url("edit", m), data)
        self.assertRedirects(response, url("detail", m), fetch_redirect_response=False)
        m.refresh_from_db()
        self.assertEqual((m.starts_at, m.sequence, m.duration_minutes), (start, 1, 60))
        data["ends_at"] = local(start - datetime.timedelta(minutes=5))
        self.assertContains(
            self.client.post(url("edit", m), data), "The meeting must end after it starts."
        )


class InviteeTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Soon, so that a frozen clock at its start is still inside the login session.
        self.m = meeting(self.central, send=True, starts_at=future(hours=2))

    def test_the_invitee_answers(self) -> None:
        self.login(self.sylhet)
        response = self.client.post(url("rsvp", self.m), {"answer": "yes"})
        self.assertRedirects(response, url("detail", self.m), fetch_redirect_response=False)
        self.assertEqual(invitation(self.m, self.sylhet).rsvp, "yes")
        self.assertContains(
            self.client.get(url("detail", self.m)),
            '<strong data-testid="my-answer">yes</strong>',
            html=True,
        )
        response = self.client.post(url("rsvp", self.m), {"answer": "perhaps"})
        self.assertEqual(self.message(response), "Answer yes, no or maybe.")

    def test_a_host_who_is_not_invited_cannot_answer(self) -> None:
        self.login(self.central)
        self.assertEqual(self.client.post(url("rsvp", self.m), {"answer": "yes"}).status_code, 404)
        self.login(self.dhaka)
        self.assertEqual(self.client.post(url("rsvp", self.m), {"answer": "yes"}).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(verb="meeting.answered").exists())

    def test_the_calendar_file_downloads(self) -> None:
        self.login(self.sylhet)
        response = self.client.get(url("ics", self.m))
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn(f'filename="meeting-{self.m.pk}.ics"', response["Content-Disposition"])
        self.assertIn(b"BEGIN:VCALENDAR", response.content)
        self.client.logout()
        self.assertLoginRedirect(self.client.get(url("ics", self.m)), url("ics", self.m))

    def test_joining_records_presence_and_opens_the_room(self) -> None:
        self.login(self.metro)
        too_early = self.client.post(url("join", self.m))
        self.assertIn("opens 30 minutes before", self.message(too_early))
        with frozen(self.m.starts_at):
            detail = self.client.get(url("detail", self.m))
            self.assertContains(detail, 'data-testid="join"')
            response = self.client.post(url("join", self.m))
        self.assertContains(response, f'href="{VIDEO}"')
        self.assertContains(response, "/static/meetings/join.")
        self.assertTrue(invitation(self.m, self.metro).attended)


class AttendanceViewTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.m = meeting(self.central, send=True, starts_at=future(hours=2))
        self.during = self.m.starts_at + datetime.timedelta(minutes=10)

    def test_the_host_marks_a_row_by_htmx(self) -> None:
        row = invitation(self.m, self.sylhet)
        self.login(self.central)
        with frozen(self.during):
            response = self.client.post(
                url("mark", self.m, row), {"attended": "1"}, HTTP_HX_REQUEST="true"
            )
        self.assertContains(response, f'id="inv-{row.pk}"')
        self.assertContains(response, "present")
        self.assertNotContains(response, "<html")
        row.refresh_from_db()
        self.assertTrue(row.attended)

    def test_marking_before_the_meeting_reloads_the_page_with_the_reason(self) -> None:
        row = invitation(self.m, self.sylhet)
        self.login(self.central)
        response = self.client.post(
            url("mark", self.m, row), {"attended": "1"}, HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response["HX-Redirect"], url("detail", self.m))
        self.assertEqual(self.message(response), "Attendance is taken once the meeting begins.")

    def test_invitees_and_outsiders_get_404_and_the_read_only_desk_403(self) -> None:
        row = invitation(self.m, self.sylhet)
        with frozen(self.during):
            for user, code in ((self.sylhet, 404), (self.dhaka, 404), (self.president, 403)):
                self.login(user)
                with self.subTest(user=user.username):
                    response = self.client.post(url("mark", self.m, row), {"attended": "1"})
                    self.assertEqual(response.status_code, code)
        row.refresh_from_db()
        self.assertIsNone(row.attended)

    def test_expected_against_actual_per_unit(self) -> None:
        with frozen(self.during):
            actions.mark_attendance(invitation(self.m, self.sylhet), by=self.central, attended=True)
            actions.mark_attendance(invitation(self.m, self.metro), by=self.central, attended=False)
        self.login(self.central)
        # The meeting, the count and page of the GROUP BY, their units, the totals.
        with self.assertNumQueries(self.header() + 5):
            response = self.client.get(url("attendance", self.m))
        rows = {(t.unit.code, t.invited, t.present, t.absent) for t in response.context["tallies"]}
        self.assertEqual(rows, {("SYL", 2, 1, 0), ("SYL-M", 1, 0, 1)})


class MinutesViewTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.m = meeting(self.central, send=True, starts_at=future(hours=2))
        self.after = self.m.ends_at + datetime.timedelta(minutes=5)

    def test_the_host_records_minutes_with_a_decision_that_becomes_a_directive(self) -> None:
        self.login(self.central)
        with frozen(self.after):
            response = self.client.post(
                url("minutes", self.m),
                {
                    "text": "Each district reported.",
                    "title_1": "Send the lists",
                    "body_1": "By the 30th.",
                    "directive_1": "on",
                    "title_2": "Meet again",
                },
            )
        self.assertRedirects(response, url("minutes", self.m), fetch_redirect_response=False)
        directive = Directive.objects.get()
        self.assertEqual((directive.title, directive.status), ("Send the lists", "draft"))
        page = self.client.get(url("minutes", self.m))
        self.assertContains(page, directive.reference)
        self.assertContains(page, 'data-testid="make-directive-')
        printable = self.client.get(url("minutes_print", self.m))
        self.assertContains(printable, "/static/meetings/minutes.")
        self.assertContains(printable, "Each district reported.")

    def test_the_second_decision_becomes_a_directive_later(self) -> None:
        with frozen(self.after):
            made = actions.record_minutes(
                self.m, by=self.central, text="Met.", decisions=[actions.DecisionInput("Later")]
            )
        self.login(self.central)
        response = self.client.post(url("decision_directive", self.m, made[0]))
        self.assertEqual(self.message(response), "Directive draft made: check it and issue it.")
        self.assertEqual(Directive.objects.get().meeting_decisions.get(), made[0])
        response = self.client.post(url("add_decision", self.m), {"title": "One more"})
        self.assertEqual(self.m.decisions.count(), 2)

    def test_empty_minutes_are_refused_and_invitees_only_read(self) -> None:
        self.login(self.central)
        with frozen(self.after):
            response = self.client.post(url("minutes", self.m), {"text": ""})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["text"])
        self.login(self.sylhet)
        self.assertIsNone(self.client.get(url("minutes", self.m)).context["form"])
        self.assertEqual(
            self.client.post(url("minutes", self.m), {"text": "Mine"}).status_code, 403
        )
        self.login(self.president)
        self.assertEqual(
            self.client.post(url("add_decision", self.m), {"title": "X"}).status_code, 403
        )


class FeedViewTests(ViewTestCase):
    def test_the_link_is_shown_once_then_revoked(self) -> None:
        self.login(self.sylhet)
        self.assertNotContains(self.client.get(FEED), 'data-testid="feed-url"')
        response = self.client.post(FEED)
        self.assertContains(response, 'data-testid="feed-url"')
        link = response.context["url"]
        self.assertTrue(link.startswith("http://testserver/office/meetings/calendar/"))
        self.assertEqual(self.client.get(link).status_code, 200)
        self.assertNotContains(self.client.get(FEED), link)
        self.client.post(url("revoke_feed"))
        self.assertEqual(self.client.get(link).status_code, 404)
        self.assertEqual(CalendarFeed.objects.filter(revoked_at__isnull=True).count(), 0)

    def test_a_login_without_a_person_has_no_link(self) -> None:
        self.login(self.nobody)
        self.assertEqual(self.client.get(FEED).status_code, 404)
