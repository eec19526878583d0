"""The meetings API: the paths and fields clients depend on."""

from __future__ import annotations

import datetime

import icalendar
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.directives.models import Directive
from daptar.meetings import actions
from daptar.meetings.models import Meeting
from daptar.meetings.queries import Rule
from daptar.meetings.tests.support import (
    JITSI,
    NO_JITSI,
    VIDEO,
    MeetingsTestCase,
    frozen,
    future,
    invitation,
    meeting,
    officers,
)

LIST = reverse("api:meeting-list")
SERIES = reverse("api:meeting-series-list")
PAGE = {"count", "next", "previous", "results"}
INVITATION = {"person", "unit", "post", "rsvp", "attended"}


def api(name: str, pk: int | Meeting) -> str:
    return reverse(f"api:meeting-{name}", args=[getattr(pk, "pk", pk)])


class ApiTestCase(MeetingsTestCase):
    client: APIClient
    client_class = APIClient

    def authorise(self, user: User, **headers: str) -> None:
        key = account_actions.issue_token(user, by=user).key
        self.client.credentials(
            HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en", **headers
        )

    def payload(self, **overrides: object) -> dict[str, object]:
        return {
            "title": "মতবিনিময় সভা",
            "agenda": [{"title": "Opening", "minutes": 10}, {"title": "Reports", "minutes": 60}],
            "starts_at": future(days=2).isoformat(),
            "duration_minutes": 90,
            "host_unit": self.root.pk,
            "video_url": VIDEO,
            "invite": {
                "units": [self.sylhet_district.pk, self.sylhet_metro.pk],
                "posts": ["office_secretary", "deputy_office_secretary"],
                "persons": [self.researcher_person.pk],
            },
            **overrides,
        }


class CreateTests(ApiTestCase):
    def test_it_creates_sends_and_answers_201_with_the_count(self) -> None:
        self.authorise(self.central)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(LIST, self.payload(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(data["invitations_count"], 4)
        self.assertEqual(data["video_url"], VIDEO)
        self.assertEqual(data["status"], "sent")
        self.assertEqual(len(data["invitations"]), 4)
        self.assertTrue(set(data["invitations"][0]) >= INVITATION)
        guest = next(i for i in data["invitations"] if i["guest"])
        self.assertEqual(
            (guest["person"], guest["unit"], guest["post"]), (self.researcher_person.pk, None, None)
        )
        self.assertEqual(DBTaskResult.objects.get().args_kwargs["args"], [data["id"], "invited", 0])

    def test_send_false_keeps_a_draft_to_check_first(self) -> None:
        self.authorise(self.central)
        response = self.client.post(LIST, self.payload(send=False), format="json")
        self.assertEqual(response.json()["status"], "draft")
        sent = self.client.post(api("send", response.json()["id"]))
        self.assertEqual(sent.json()["status"], "sent")
        self.assertEqual(self.client.post(api("send", response.json()["id"])).status_code, 409)

    @JITSI
    def test_without_a_link_a_jitsi_room_is_made(self) -> None:
        self.authorise(self.central)
        payload = self.payload()
        del payload["video_url"]
        response = self.client.post(LIST, payload, format="json")
        self.assertTrue(response.json()["video_url"].startswith("https://meet.example.org/Daptar-"))

    @NO_JITSI
    def test_without_a_link_or_a_jitsi_server_it_is_400(self) -> None:
        self.authorise(self.central)
        response = self.client.post(LIST, self.payload(video_url=""), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Paste the video link", response.json()["video_url"][0])

    def test_bad_input_is_400_with_clear_messages(self) -> None:
        self.authorise(self.central)
        cases = [
            (
                {"duration_minutes": -15},
                "duration_minutes",
                "The meeting must end after it starts.",
            ),
            (
                {"starts_at": future(days=-1).isoformat()},
                "starts_at",
                "The meeting must start in the future.",
            ),
            (
                {"invite": {"units": [self.dhaka_district.pk], "posts": ["co_office_secretary"]}},
                "invite",
                "No one holds these posts in these units today.",
            ),
            (
                {"invite": {"units": [self.sylhet_district.pk], "posts": ["no_such_post"]}},
                "invite",
                None,
            ),
            ({"phase": 2}, "phase", "A phase belongs to a series: choose the series too."),
        ]
        for change, field, message in cases:
            with self.subTest(field=field, change=change):
                response = self.client.post(LIST, self.payload(**change), format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
                if message:
                    self.assertEqual(response.json()[field], [message])
        self.assertFalse(Meeting.objects.exists())

    def test_a_meeting_outside_the_hosts_subtree_is_400(self) -> None:
        # Central may host for Sylhet, but a Sylhet meeting invites only Sylhet's subtree.
        self.authorise(self.central)
        payload = self.payload(
            host_unit=self.sylhet_district.pk,
            invite={"units": [self.dhaka_district.pk], "posts": ["office_secretary"]},
        )
        response = self.client.post(LIST, payload, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()), ["invite"])
        self.assertIn("subtree", response.json()["invite"][0])
        # Units and hosts outside the caller's own scope read as no such unit.
        self.authorise(self.sylhet)
        payload["host_unit"] = self.sylhet_district.pk
        payload["invite"] = {"units": [self.sylhet_metro.pk], "posts": ["office_secretary"]}
        response = self.client.post(LIST, payload, format="json")
        self.assertEqual(response.json()["invite"]["units"], ["No such unit in your subtree."])
        response = self.client.post(LIST, self.payload(host_unit=self.root.pk), format="json")
        self.assertEqual(response.json()["host_unit"], ["No such unit in your subtree."])
        self.assertFalse(Meeting.objects.exists())

    def test_anonymous_is_401_and_read_only_is_403(self) -> None:
        self.assertEqual(self.client.post(LIST, self.payload(), format="json").status_code, 401)
        self.authorise(self.president)
        self.assertEqual(self.client.post(LIST, self.payload(), format="json").status_code, 403)
        self.assertFalse(Meeting.objects.exists())


class ReadTests(ApiTestCase):
    def test_the_host_sees_every_invitation_an_invitee_only_their_own(self) -> None:
        m = meeting(self.central, send=True)
        self.authorise(self.central)
        self.assertEqual(len(self.client.get(api("detail", m)).json()["invitations"]), 3)
        self.authorise(self.sylhet)
        data = self.client.get(api("detail", m)).json()
        self.assertEqual([i["person"] for i in data["invitations"]], [self.sylhet.person_id])
        self.assertEqual(data["my_invitation"]["post"], "office_secretary")
        self.assertEqual(
            data["agenda"],
            [{"title": "Opening", "minutes": 10}, {"title": "Reports", "minutes": 60}],
        )

    def test_outsiders_and_invitees_of_a_draft_get_404(self) -> None:
        draft = meeting(self.central)
        for user in (self.sylhet, self.dhaka, self.jalalabad):
            self.authorise(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(api("detail", draft)).status_code, 404)
                self.assertEqual(self.client.get(api("ics", draft)).status_code, 404)

    def test_the_list_is_paginated_and_costs_the_same_however_many(self) -> None:
        for n in range(5):
            meeting(self.central, send=True, starts_at=future(days=n + 1))
        self.authorise(self.sylhet)
        # Token and user, desks, count, page (with phase), agendas.
        with self.assertNumQueries(5):
            response = self.client.get(LIST, {"box": "invited", "upcoming": "true"})
        self.assertEqual(set(response.json()), PAGE)
        self.assertEqual(response.json()["count"], 5)
        self.authorise(self.dhaka)
        self.assertEqual(self.client.get(LIST).json()["count"], 0)

    def test_the_detail_costs_the_same_however_many_invitees(self) -> None:
        small = meeting(
            self.central,
            send=True,
            rule=Rule(units=[self.sylhet_metro], posts=officers()),
        )
        large = meeting(self.central, send=True)
        self.authorise(self.central)
        counts = []
        for m in (small, large):
            with CaptureQueriesContext(connection) as queries:
                self.client.get(api("detail", m))
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        # Token and user, desks, meeting, own invitation, agenda, invitations.
        self.assertEqual(counts[0], 6)

    def test_the_ics_endpoint_answers_text_calendar(self) -> None:
        m = meeting(self.central, send=True)
        self.authorise(self.sylhet)
        response = self.client.get(api("ics", m))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/calendar"))
        event = icalendar.Calendar.from_ical(response.content).events[0]
        self.assertEqual(event["UID"], f"{m.uid}@daptar")
        self.assertEqual(
            self.client.get(api("ics", m), HTTP_ACCEPT="text/calendar").status_code, 200
        )


class InviteeTests(ApiTestCase):
    def setUp(self) -> None:
        self.m = meeting(self.central, send=True, starts_at=future(hours=2))

    def test_rsvp_yes_no_maybe(self) -> None:
        self.authorise(self.sylhet)
        for answer in ("maybe", "yes"):
            response = self.client.post(api("rsvp", self.m), {"answer": answer}, format="json")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["rsvp"], answer)
        self.assertEqual(invitation(self.m, self.sylhet).rsvp, "yes")
        bad = self.client.post(api("rsvp", self.m), {"answer": "later"}, format="json")
        self.assertEqual(bad.json(), {"answer": ["Answer yes, no or maybe."]})

    def test_rsvp_scope(self) -> None:
        self.authorise(self.central)  # the host, not invited
        self.assertEqual(self.client.post(api("rsvp", self.m), {"answer": "yes"}).status_code, 404)
        self.authorise(self.dhaka)
        self.assertEqual(self.client.post(api("rsvp", self.m), {"answer": "yes"}).status_code, 404)
        with frozen(self.m.ends_at):
            self.authorise(self.sylhet)
            late = self.client.post(api("rsvp", self.m), {"answer": "yes"})
        self.assertEqual(late.status_code, 409)

    def test_attendance_by_the_host(self) -> None:
        self.authorise(self.central)
        body = {"person": self.sylhet.person_id, "attended": True}
        self.assertEqual(self.client.post(api("attendance", self.m), body).status_code, 409)
        with frozen(self.m.starts_at):
            response = self.client.post(api("attendance", self.m), body, format="json")
            self.assertEqual(response.json()["attended"], True)
            missing = self.client.post(
                api("attendance", self.m), {"person": self.dhaka.person_id, "attended": True}
            )
            self.assertEqual(missing.json(), {"person": ["This person is not invited."]})
        self.assertTrue(AuditEvent.objects.filter(verb="meeting.attendance").exists())

    def test_attendance_scope(self) -> None:
        body = {"person": self.sylhet.person_id, "attended": True}
        with frozen(self.m.starts_at):
            for user, code in ((self.sylhet, 404), (self.dhaka, 404), (self.president, 403)):
                self.authorise(user)
                with self.subTest(user=user.username):
                    self.assertEqual(
                        self.client.post(api("attendance", self.m), body).status_code, code
                    )
        self.assertIsNone(invitation(self.m, self.sylhet).attended)

    def test_join_answers_the_link(self) -> None:
        self.authorise(self.metro)
        with frozen(self.m.starts_at):
            response = self.client.post(api("join", self.m))
        self.assertEqual(response.json()["video_url"], VIDEO)
        self.assertTrue(response.json()["attended"])


class MinutesTests(ApiTestCase):
    def setUp(self) -> None:
        self.m = meeting(self.central, send=True, starts_at=future(hours=2))

    def test_minutes_return_the_decisions_with_their_directive_drafts(self) -> None:
        self.authorise(self.central)
        body = {
            "text": "Every district reported.",
            "decisions": [
                {
                    "title": "Send the committee lists",
                    "body": "This month.",
                    "make_directive": True,
                },
                {"title": "Meet again in phase 3", "body": "", "make_directive": False},
            ],
        }
        with frozen(self.m.ends_at):
            response = self.client.post(api("minutes", self.m), body, format="json")
            self.assertEqual(response.status_code, 201, response.content)
            again = self.client.post(api("minutes", self.m), body, format="json")
        decisions = response.json()["decisions"]
        directive = Directive.objects.get()
        self.assertEqual([d["directive"] for d in decisions], [directive.pk, None])
        self.assertEqual(decisions[0]["directive_reference"], directive.reference)
        self.assertEqual(directive.status, "draft")
        self.assertEqual(again.status_code, 409)
        self.authorise(self.sylhet)
        self.assertEqual(
            self.client.get(api("minutes", self.m)).json()["text"], "Every district reported."
        )

    def test_minutes_bad_input_and_scope(self) -> None:
        with frozen(self.m.ends_at):
            self.authorise(self.central)
            bad = self.client.post(api("minutes", self.m), {"text": ""}, format="json")
            self.assertEqual(bad.json(), {"text": ["Write the minutes."]})
            self.authorise(self.sylhet)
            self.assertEqual(
                self.client.post(api("minutes", self.m), {"text": "x"}).status_code, 404
            )
            self.authorise(self.president)
            self.assertEqual(
                self.client.post(api("minutes", self.m), {"text": "x"}).status_code, 403
            )

    def test_a_later_decision_becomes_a_directive(self) -> None:
        with frozen(self.m.ends_at):
            actions.record_minutes(self.m, by=self.central, text="Met.", decisions=[])
        self.authorise(self.central)
        response = self.client.post(
            api("decisions", self.m), {"title": "Later", "make_directive": True}, format="json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["directive"], Directive.objects.get().pk)


class UpdateTests(ApiTestCase):
    def test_a_new_time_raises_the_sequence(self) -> None:
        m = meeting(self.central, send=True)
        self.authorise(self.central)
        start = (m.starts_at + datetime.timedelta(hours=3)).isoformat()
        response = self.client.patch(api("detail", m), {"starts_at": start}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["sequence"], 1)
        bad = self.client.patch(api("detail", m), {"duration_minutes": 0}, format="json")
        self.assertEqual(
            bad.json(), {"duration_minutes": ["The meeting must end after it starts."]}
        )
        self.authorise(self.sylhet)
        self.assertEqual(self.client.patch(api("detail", m), {"title": "x"}).status_code, 404)


class SeriesTests(ApiTestCase):
    def test_the_planner_makes_one_meeting_per_division(self) -> None:
        self.authorise(self.central)
        series = self.client.post(
            SERIES, {"title": "মতবিনিময়", "host_unit": self.root.pk}, format="json"
        )
        self.assertEqual(series.status_code, 201, series.content)
        plan = {
            "entries": [
                {
                    "phase": 2,
                    "unit": self.sylhet_division.pk,
                    "starts_at": future().isoformat(),
                    "video_url": VIDEO,
                },
            ],
            "duration_minutes": 90,
            "level": "district",
            "posts": ["office_secretary", "deputy_office_secretary"],
        }
        url = reverse("api:meeting-series-plan", args=[series.json()["id"]])
        response = self.client.post(url, plan, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        (made,) = response.json()
        self.assertEqual((made["phase"], made["invitations_count"]), (2, 3))
        again = self.client.post(url, plan, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertIn("already has a meeting in phase 2", again.json()["phases"][0])
        detail = self.client.get(reverse("api:meeting-series-detail", args=[series.json()["id"]]))
        self.assertEqual(detail.json()["phases"], [2])
        self.authorise(self.dhaka)
        self.assertEqual(self.client.post(url, plan, format="json").status_code, 404)

    def test_the_list_filters_by_a_series_in_scope_and_404s_one_outside(self) -> None:
        ours = actions.create_series(host_unit=self.root, by=self.central, title="মতবিনিময়")
        in_series = meeting(self.central, series=ours)
        meeting(self.central)
        self.authorise(self.central)
        response = self.client.get(LIST, {"series": ours.pk})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([m["id"] for m in response.json()["results"]], [in_series.pk])
        self.authorise(self.dhaka)
        for series in (str(ours.pk), str(ours.pk + 1000), "abc"):
            with self.subTest(series=series):
                self.assertEqual(self.client.get(LIST, {"series": series}).status_code, 404)

    def test_the_schema_describes_the_meetings_endpoints(self) -> None:
        self.authorise(self.central)
        schema = self.client.get("/api/v1/schema/", {"format": "json"}).json()
        for path in (
            "/api/v1/meetings/",
            "/api/v1/meetings/{id}/ics/",
            "/api/v1/meetings/{id}/rsvp/",
            "/api/v1/meetings/{id}/attendance/",
            "/api/v1/meetings/{id}/minutes/",
            "/api/v1/meeting-series/{id}/plan/",
        ):
            self.assertIn(path, schema["paths"])
