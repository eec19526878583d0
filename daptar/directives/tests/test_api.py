import datetime

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.directives import actions
from daptar.directives.models import Attachment, Directive
from daptar.directives.tests.support import (
    IN_MEMORY_STORAGE,
    PDF,
    PNG,
    TEXT,
    DirectivesTestCase,
    delivery,
    draft,
    frozen,
    future,
    grow,
    issued,
    overdue,
    upload,
)
from daptar.notifications.models import Notification
from daptar.people import actions as people_actions
from daptar.people.models import Post

LIST = reverse("api:directive-list")
PAGE = {"count", "next", "previous", "results"}
DIRECTIVE_FIELDS = {
    "id",
    "reference",
    "status",
    "title",
    "body",
    "priority",
    "due_at",
    "target_unit",
    "target_levels",
    "mode",
    "issuing_unit",
    "expected",
    "issued_at",
    "withdrawn_at",
    "created_at",
    "attachments",
}
DELIVERY_FIELDS = {
    "done_via",
    "id",
    "unit",
    "state",
    "delivered_at",
    "seen_at",
    "acknowledged_at",
    "acknowledge_note",
    "acknowledged_via",
    "done_at",
    "done_note",
    "forwarded_at",
    "forward_note",
    "overdue",
}
FUNNEL_FIELDS = {"expected", "delivered", "seen", "acknowledged", "done", "overdue"}
TRACKED_UNIT_FIELDS = {
    "unit",
    "code",
    "name_bn",
    "name_en",
    "level",
    "state",
    "parent",
    "parent_name_en",
    "delivered_at",
    "acknowledged_at",
    "acknowledged_via",
    "done_at",
    "done_via",
}


def api(name: str, directive: Directive | int) -> str:
    pk = directive if isinstance(directive, int) else directive.pk
    return reverse(f"api:directive-{name}", args=[pk])


class ApiTestCase(DirectivesTestCase):
    client: APIClient
    client_class = APIClient

    def authorise(self, user: User, **headers: str) -> None:
        key = account_actions.issue_token(user, by=user).key
        self.client.credentials(
            HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en", **headers
        )

    def payload(self, **overrides: object) -> dict[str, object]:
        return {
            "title": "Send the committee lists",
            "body": "Every unit sends its committee list.",
            "priority": "normal",
            "due_at": future(days=2).isoformat(),
            "target_unit": self.sylhet_division.pk,
            "target_levels": ["district", "union"],
            "mode": "direct",
            **overrides,
        }


class CreateTests(ApiTestCase):
    def test_it_creates_a_draft_with_exactly_the_directive_fields(self) -> None:
        self.authorise(self.central)
        response = self.client.post(LIST, self.payload(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(set(body), DIRECTIVE_FIELDS)
        directive = Directive.objects.get()
        self.assertEqual(
            {k: body[k] for k in ("id", "reference", "status", "target_unit", "issuing_unit")},
            {
                "id": directive.pk,
                "reference": f"CEN/{timezone.localdate().year}/0001",
                "status": "draft",
                "target_unit": self.sylhet_division.pk,
                "issuing_unit": self.root.pk,
            },
        )
        self.assertEqual(sorted(body["target_levels"]), ["district", "union"])
        self.assertEqual((body["expected"], body["issued_at"], body["attachments"]), (0, None, []))
        self.assertEqual(AuditEvent.objects.get(verb="directive.created").actor, self.central)

    def test_the_body_priority_mode_and_levels_may_be_left_out(self) -> None:
        self.authorise(self.sylhet)
        payload = {
            "title": "Short one",
            "due_at": future().isoformat(),
            "target_unit": self.sylhet_district.pk,
        }
        response = self.client.post(LIST, payload, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["body"], body["priority"], body["mode"], body["target_levels"]),
            ("", "normal", "direct", []),
        )

    def test_a_due_time_in_the_past_is_400(self) -> None:
        self.authorise(self.central)
        past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
        response = self.client.post(LIST, self.payload(due_at=past), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"due_at": ["The due time must be in the future."]})
        self.assertFalse(Directive.objects.exists())

    def test_a_target_outside_the_subtree_is_400(self) -> None:
        self.authorise(self.sylhet)
        for target in (self.dhaka_district.pk, self.root.pk, 999999):
            with self.subTest(target=target):
                response = self.client.post(LIST, self.payload(target_unit=target), format="json")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json(), {"target_unit": ["No such unit in your subtree."]}
                )
        self.assertFalse(Directive.objects.exists())

    def test_an_empty_title_is_400(self) -> None:
        self.authorise(self.central)
        for title in ("", "   "):
            with self.subTest(title=title):
                response = self.client.post(LIST, self.payload(title=title), format="json")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), ["title"])
        self.assertFalse(Directive.objects.exists())

    def test_an_unknown_level_or_priority_is_400(self) -> None:
        self.authorise(self.central)
        response = self.client.post(LIST, self.payload(target_levels=["galaxy"]), format="json")
        self.assertEqual((response.status_code, list(response.json())), (400, ["target_levels"]))
        response = self.client.post(LIST, self.payload(priority="panic"), format="json")
        self.assertEqual((response.status_code, list(response.json())), (400, ["priority"]))
        self.assertFalse(Directive.objects.exists())

    def test_a_read_only_desk_gets_403(self) -> None:
        self.authorise(self.president)
        response = self.client.post(LIST, self.payload(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Directive.objects.exists())

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(self.client.post(LIST, self.payload(), format="json").status_code, 401)
        self.assertEqual(self.client.get(LIST).status_code, 401)

    def test_a_login_without_a_desk_gets_404(self) -> None:
        self.authorise(self.nobody)
        self.assertEqual(self.client.post(LIST, self.payload(), format="json").status_code, 404)
        self.assertEqual(self.client.get(LIST).status_code, 404)

    def test_a_draft_is_patched_until_issued(self) -> None:
        directive = draft(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.patch(api("detail", directive), {"title": "Renamed"}, format="json")
        self.assertEqual((response.status_code, response.json()["title"]), (200, "Renamed"))
        actions.issue(directive, by=self.sylhet)
        response = self.client.patch(api("detail", directive), {"title": "Again"}, format="json")
        self.assertEqual(response.status_code, 409)


class ActingUnitHeaderTests(ApiTestCase):
    """`sylhet` also holds the office at Dhaka district: two desks, the header picks one."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        assert cls.sylhet.person is not None
        people_actions.appoint(
            cls.sylhet.person,
            unit=cls.dhaka_district,
            post=Post.objects.get(slug="office_secretary"),
            by=cls.operator,
        )

    def test_the_header_picks_the_issuing_unit(self) -> None:
        year = timezone.localdate().year
        self.authorise(self.sylhet, HTTP_X_DAPTAR_UNIT=str(self.dhaka_district.pk))
        response = self.client.post(
            LIST, self.payload(target_unit=self.dhaka_district.pk, target_levels=[]), format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(
            (response.json()["reference"], response.json()["issuing_unit"]),
            (f"DHA/{year}/0001", self.dhaka_district.pk),
        )
        self.authorise(self.sylhet)
        response = self.client.post(
            LIST, self.payload(target_unit=self.sylhet_district.pk, target_levels=[]), format="json"
        )
        self.assertEqual(response.json()["reference"], f"SYL/{year}/0001")

    def test_a_target_in_the_other_desks_subtree_is_400(self) -> None:
        self.authorise(self.sylhet, HTTP_X_DAPTAR_UNIT=str(self.dhaka_district.pk))
        response = self.client.post(
            LIST, self.payload(target_unit=self.jalalabad_union.pk), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()), ["target_unit"])
        self.assertFalse(Directive.objects.exists())

    def test_the_header_picks_whose_inbox(self) -> None:
        issued(self.central, target=self.sylhet_division, title="To Sylhet")
        issued(self.central, target=self.dhaka_division, title="To Dhaka")
        self.authorise(self.sylhet, HTTP_X_DAPTAR_UNIT=str(self.dhaka_district.pk))
        titles = [r["title"] for r in self.client.get(LIST).json()["results"]]
        self.assertEqual(titles, ["To Dhaka"])
        self.authorise(self.sylhet, HTTP_X_DAPTAR_UNIT=str(self.sylhet_district.pk))
        titles = [r["title"] for r in self.client.get(LIST).json()["results"]]
        self.assertEqual(titles, ["To Sylhet"])

    def test_a_unit_without_a_desk_in_the_header_is_404(self) -> None:
        self.authorise(self.sylhet, HTTP_X_DAPTAR_UNIT=str(self.jalalabad_union.pk))
        self.assertEqual(self.client.get(LIST).status_code, 404)
        response = self.client.post(LIST, self.payload(), format="json")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Directive.objects.exists())


class IssueTests(ApiTestCase):
    def test_it_issues_and_counts_the_recipients(self) -> None:
        directive = draft(self.sylhet)
        self.authorise(self.sylhet)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(api("issue", directive))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "status": "issued",
                "expected": 3,
                "id": directive.pk,
                "reference": directive.reference,
            },
        )
        self.assertEqual(
            DBTaskResult.objects.get().task_path, "daptar.directives.tasks.notify_recipients"
        )

    def test_issuing_twice_is_409(self) -> None:
        directive = issued(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.post(api("issue", directive))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"detail": "This directive has already been issued."})
        self.assertEqual(directive.deliveries.count(), 3)

    def test_no_recipient_is_400(self) -> None:
        directive = draft(self.sylhet, target_levels=("division",))
        self.authorise(self.sylhet)
        response = self.client.post(api("issue", directive))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(), {"target_unit": ["No unit matches this target and these levels."]}
        )

    def test_a_due_time_passed_since_drafting_is_400(self) -> None:
        directive = draft(self.sylhet, due_at=future(hours=1))
        self.authorise(self.sylhet)
        with frozen(timezone.now() + datetime.timedelta(hours=2)):
            response = self.client.post(api("issue", directive))
        self.assertEqual((response.status_code, list(response.json())), (400, ["due_at"]))

    def test_a_read_only_desk_gets_403(self) -> None:
        directive = draft(self.central)
        self.authorise(self.president)
        self.assertEqual(self.client.post(api("issue", directive)).status_code, 403)
        directive.refresh_from_db()
        self.assertEqual(directive.status, "draft")

    def test_outsiders_and_recipients_get_404(self) -> None:
        directive = draft(self.sylhet)
        for user in (self.dhaka, self.jalalabad):
            self.authorise(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.post(api("issue", directive)).status_code, 404)

    def test_withdraw_then_withdraw_again_is_409(self) -> None:
        directive = issued(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.post(api("withdraw", directive))
        self.assertEqual((response.status_code, response.json()), (200, {"status": "withdrawn"}))
        self.assertEqual(self.client.post(api("withdraw", directive)).status_code, 409)


class ListTests(ApiTestCase):
    def test_the_inbox_carries_the_callers_delivery(self) -> None:
        directive = issued(self.sylhet, title="To the union", priority="urgent")
        self.authorise(self.jalalabad)
        body = self.client.get(LIST, {"box": "inbox"}).json()
        self.assertEqual(set(body), PAGE)
        self.assertEqual(body["count"], 1)
        item = body["results"][0]
        self.assertEqual(set(item), DIRECTIVE_FIELDS | {"delivery"})
        self.assertEqual(set(item["delivery"]), DELIVERY_FIELDS)
        mine = delivery(directive, self.jalalabad_union)
        self.assertEqual(
            (item["id"], item["delivery"]["id"], item["delivery"]["unit"]),
            (directive.pk, mine.pk, self.jalalabad_union.pk),
        )
        self.assertEqual(
            (item["delivery"]["state"], item["delivery"]["overdue"]), ("delivered", False)
        )
        self.assertEqual(body, self.client.get(LIST).json())  # the inbox is the default box

    def test_the_inbox_filters_by_state_priority_and_overdue(self) -> None:
        overdue(self.sylhet, title="Late")
        urgent = issued(self.sylhet, title="Urgent", priority="urgent")
        issued(self.sylhet, title="Plain")
        actions.acknowledge(delivery(urgent, self.jalalabad_union), by=self.jalalabad)
        self.authorise(self.jalalabad)

        def titles(**params: str) -> list[str]:
            return [r["title"] for r in self.client.get(LIST, params).json()["results"]]

        self.assertEqual(titles(), ["Urgent", "Plain", "Late"])
        self.assertEqual(titles(state="acknowledged"), ["Urgent"])
        self.assertEqual(titles(priority="normal"), ["Plain", "Late"])
        self.assertEqual(titles(overdue="true"), ["Late"])
        late = self.client.get(LIST, {"overdue": "true"}).json()["results"][0]
        self.assertTrue(late["delivery"]["overdue"])

    def test_the_inbox_leaves_out_drafts_and_relays_not_yet_arrived(self) -> None:
        draft(self.sylhet)
        issued(self.central, target=self.sylhet_division, mode="relay")
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.get(LIST).json()["count"], 0)

    def test_the_sent_box_lists_the_units_directives(self) -> None:
        first = draft(self.sylhet, title="Draft")
        second = issued(self.sylhet, title="Issued")
        issued(self.central, title="Central's")
        self.authorise(self.sylhet)
        body = self.client.get(LIST, {"box": "sent"}).json()
        self.assertEqual(set(body), PAGE)
        self.assertEqual([r["id"] for r in body["results"]], [second.pk, first.pk])
        for row in body["results"]:
            self.assertEqual(set(row), DIRECTIVE_FIELDS)

    def test_the_list_pages(self) -> None:
        for n in range(3):
            issued(self.sylhet, title=f"n{n}")
        self.authorise(self.jalalabad)
        body = self.client.get(LIST, {"page_size": 2}).json()
        self.assertEqual((body["count"], len(body["results"])), (3, 2))
        self.assertIn("page=2", body["next"])

    def test_inbox_and_sent_queries_do_not_grow_with_the_directives(self) -> None:
        for n in range(30):
            directive = draft(
                self.central if n % 2 else self.sylhet,
                target=self.sylhet_district,
                target_levels=("union", "ward") if n % 3 else (),
                title=f"Directive {n}",
            )
            if n % 4 == 0:
                actions.add_attachment(
                    directive, upload(f"{n}.pdf", PDF + bytes([n])), by=directive.author
                )
            actions.issue(directive, by=directive.author)
        self.authorise(self.jalalabad)
        # Token and user, desks, count, page, target levels, attachments.
        with self.assertNumQueries(6):
            body = self.client.get(LIST, {"box": "inbox"}).json()
        self.assertEqual(len(body["results"]), 30)
        self.authorise(self.sylhet)
        with self.assertNumQueries(6):
            body = self.client.get(LIST, {"box": "sent"}).json()
        self.assertEqual(len(body["results"]), 15)


class RetrieveTests(ApiTestCase):
    def test_a_recipient_gets_its_delivery_and_it_is_marked_seen(self) -> None:
        directive = issued(self.sylhet)
        self.authorise(self.jalalabad)
        response = self.client.get(api("detail", directive))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(set(body), DIRECTIVE_FIELDS | {"my_delivery"})
        self.assertEqual(set(body["my_delivery"]), DELIVERY_FIELDS)
        self.assertEqual(body["my_delivery"]["state"], "seen")
        self.assertIsNotNone(body["my_delivery"]["seen_at"])

    def test_the_issuer_gets_no_delivery(self) -> None:
        directive = issued(self.sylhet)
        self.authorise(self.sylhet)
        self.assertIsNone(self.client.get(api("detail", directive)).json()["my_delivery"])

    def test_outsiders_unreached_relay_recipients_and_draft_recipients_get_404(self) -> None:
        relay = issued(self.central, target=self.sylhet_division, mode="relay")
        mine = draft(self.sylhet)
        for user, directive in (
            (self.dhaka, relay),
            (self.jalalabad, relay),
            (self.jalalabad, mine),
        ):
            self.authorise(user)
            with self.subTest(user=user.username, directive=directive.reference):
                self.assertEqual(self.client.get(api("detail", directive)).status_code, 404)
        self.assertEqual(self.client.get(api("detail", 999999)).status_code, 404)


class DeliveryMoveTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.directive = issued(self.sylhet)

    def test_acknowledge_then_done_with_notes(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            api("acknowledge", self.directive), {"note": "Received."}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(set(response.json()), DELIVERY_FIELDS)
        self.assertEqual(
            (response.json()["state"], response.json()["acknowledge_note"]),
            ("acknowledged", "Received."),
        )
        response = self.client.post(api("done", self.directive), {"note": "Held."}, format="json")
        self.assertEqual(
            (response.json()["state"], response.json()["done_note"]), ("done", "Held.")
        )

    def test_the_note_is_optional(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(api("done", self.directive))
        self.assertEqual((response.status_code, response.json()["done_note"]), (200, ""))

    def test_a_repeat_is_409_and_changes_nothing(self) -> None:
        self.authorise(self.jalalabad)
        self.client.post(api("acknowledge", self.directive), {"note": "first"}, format="json")
        response = self.client.post(
            api("acknowledge", self.directive), {"note": "2"}, format="json"
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"detail": "This has already been recorded."})
        self.assertEqual(delivery(self.directive, self.jalalabad_union).acknowledge_note, "first")

    def test_acknowledging_a_withdrawn_directive_is_409(self) -> None:
        actions.withdraw(self.directive, by=self.sylhet)
        self.authorise(self.jalalabad)
        response = self.client.post(api("acknowledge", self.directive))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"detail": "This directive has been withdrawn."})

    def test_a_non_recipient_gets_404(self) -> None:
        for user in (self.sylhet, self.dhaka, self.central, self.nobody):
            self.authorise(user)
            with self.subTest(user=user.username):
                for verb in ("acknowledge", "done", "forward"):
                    response = self.client.post(api(verb, self.directive))
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")

    def test_a_read_only_desk_at_the_unit_gets_403(self) -> None:
        person = people_actions.register_person(
            unit=self.jalalabad_union, name_bn="সভাপতি", name_en="Union President", by=self.operator
        )
        people_actions.appoint(
            person,
            unit=self.jalalabad_union,
            post=Post.objects.get(slug="president"),
            by=self.operator,
        )
        from daptar.testing import make_user

        self.authorise(make_user("union-president", person))
        self.assertEqual(self.client.post(api("acknowledge", self.directive)).status_code, 403)

    def test_a_note_too_long_is_400(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            api("acknowledge", self.directive), {"note": "x" * 2001}, format="json"
        )
        self.assertEqual((response.status_code, list(response.json())), (400, ["note"]))
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")

    def test_forwarding_a_direct_directive_is_409(self) -> None:
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.post(api("forward", self.directive)).status_code, 409)

    def test_forward_delivers_the_next_level_with_the_note(self) -> None:
        relay = issued(self.central, target=self.sylhet_division, mode="relay")
        self.authorise(self.division)
        response = self.client.post(api("forward", relay), {"note": "Pass it on."}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["forward_note"], "Pass it on.")
        self.assertIsNotNone(response.json()["forwarded_at"])
        self.assertEqual(self.client.post(api("forward", relay)).status_code, 409)
        self.authorise(self.sylhet)
        mine = self.client.get(api("detail", relay)).json()["my_delivery"]
        self.assertEqual(mine["state"], "seen")


@IN_MEMORY_STORAGE
class AttachmentApiTests(ApiTestCase):
    def test_it_attaches_by_content_type(self) -> None:
        directive = draft(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.post(
            api("attachments", directive), {"file": upload("scan.pdf", PNG)}, format="multipart"
        )
        self.assertEqual(response.status_code, 201, response.content)
        item = Attachment.objects.get()
        self.assertEqual(
            response.json(),
            {"id": item.pk, "name": "scan.pdf", "size": len(PNG), "content_type": "image/png"},
        )
        self.assertEqual(
            self.client.get(api("detail", directive)).json()["attachments"], [response.json()]
        )

    def test_a_file_that_is_not_a_document_is_400(self) -> None:
        directive = draft(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.post(
            api("attachments", directive), {"file": upload("photo.jpg", TEXT)}, format="multipart"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(), {"file": ["photo.jpg is not a PDF, JPEG, PNG or WebP file."]}
        )
        response = self.client.post(api("attachments", directive), {}, format="multipart")
        self.assertEqual((response.status_code, list(response.json())), (400, ["file"]))
        self.assertFalse(Attachment.objects.exists())

    def test_an_issued_directive_takes_no_attachment(self) -> None:
        directive = issued(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.post(
            api("attachments", directive), {"file": upload("a.pdf", PDF)}, format="multipart"
        )
        self.assertEqual(response.status_code, 409)


class TrackingApiTests(ApiTestCase):
    def test_it_returns_the_funnel_and_each_level(self) -> None:
        directive = issued(self.central, target=self.sylhet_division)
        actions.acknowledge(delivery(directive, self.jalalabad_union), by=self.jalalabad)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        actions.mark_seen(delivery(directive, self.sylhet_district), by=self.sylhet)
        self.authorise(self.central)
        response = self.client.get(api("tracking", directive))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(set(body), FUNNEL_FIELDS | {"by_level", "acknowledged_by_sms"})
        self.assertEqual(
            {k: body[k] for k in FUNNEL_FIELDS},
            {"expected": 6, "delivered": 6, "seen": 3, "acknowledged": 2, "done": 1, "overdue": 0},
        )
        for row in body["by_level"]:
            self.assertEqual(set(row), FUNNEL_FIELDS | {"level"})
        self.assertEqual(
            [(r["level"], r["expected"], r["seen"], r["acknowledged"]) for r in body["by_level"]],
            [
                ("division", 1, 0, 0),
                ("district", 2, 1, 0),
                ("upazila", 1, 0, 0),
                ("union", 1, 1, 1),
                ("ward", 1, 1, 1),
            ],
        )

    def test_a_relay_counts_everyone_expected_but_only_the_reached_as_delivered(self) -> None:
        directive = issued(self.central, target=self.sylhet_division, mode="relay")
        actions.forward(delivery(directive, self.sylhet_division), by=self.division)
        self.authorise(self.central)
        body = self.client.get(api("tracking", directive)).json()
        self.assertEqual((body["expected"], body["delivered"], body["acknowledged"]), (6, 3, 1))
        self.assertEqual(
            [(r["level"], r["expected"], r["delivered"]) for r in body["by_level"]],
            [
                ("division", 1, 1),
                ("district", 2, 2),
                ("upazila", 1, 0),
                ("union", 1, 0),
                ("ward", 1, 0),
            ],
        )

    def test_within_adds_the_branches(self) -> None:
        directive = issued(self.central)
        self.authorise(self.central)
        body = self.client.get(api("tracking", directive), {"within": self.root.pk}).json()
        self.assertEqual(
            [(b["unit"], b["name_en"], b["expected"]) for b in body["branches"]],
            [(self.dhaka_division.pk, "Dhaka", 2), (self.sylhet_division.pk, "Sylhet", 6)],
        )
        self.assertEqual(set(body["branches"][0]), FUNNEL_FIELDS | {"unit", "name_bn", "name_en"})

    def test_overdue_counts_what_is_not_done(self) -> None:
        directive = overdue(self.sylhet)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        self.authorise(self.sylhet)
        body = self.client.get(api("tracking", directive)).json()
        self.assertEqual((body["overdue"], body["done"]), (2, 1))

    def test_a_read_only_desk_above_may_watch(self) -> None:
        directive = issued(self.central)
        self.authorise(self.president)
        self.assertEqual(self.client.get(api("tracking", directive)).status_code, 200)

    def test_recipients_and_outsiders_get_404(self) -> None:
        directive = issued(self.sylhet)
        for user in (self.jalalabad, self.dhaka):
            self.authorise(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(api("tracking", directive)).status_code, 404)
                self.assertEqual(self.client.get(api("tracking-units", directive)).status_code, 404)

    def test_units_are_listed_with_exactly_their_fields_and_filtered(self) -> None:
        directive = overdue(self.central, target=self.sylhet_division)
        actions.acknowledge(delivery(directive, self.jalalabad_union), by=self.jalalabad)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        self.authorise(self.central)
        path = api("tracking-units", directive)
        body = self.client.get(path).json()
        self.assertEqual(set(body), PAGE)
        self.assertEqual(body["count"], 6)
        union = next(r for r in body["results"] if r["code"] == "UN-2513")
        self.assertEqual(set(union), TRACKED_UNIT_FIELDS)
        self.assertEqual(
            (
                union["unit"],
                union["level"],
                union["state"],
                union["parent"],
                union["parent_name_en"],
            ),
            (
                self.jalalabad_union.pk,
                "union",
                "acknowledged",
                self.sylhet_sadar.pk,
                "Sylhet Sadar",
            ),
        )

        def codes(**params: str) -> list[str]:
            return [r["code"] for r in self.client.get(path, params).json()["results"]]

        self.assertEqual(codes(state="done"), ["UN-2513-W1"])
        self.assertEqual(codes(level="district"), ["SYL", "SYL-M"])
        self.assertEqual(codes(overdue="true"), ["DIV-SYL", "SYL", "UPZ-281", "UN-2513", "SYL-M"])
        self.assertEqual(codes(overdue="true", level="union"), ["UN-2513"])
        self.assertEqual(
            codes(within=str(self.sylhet_sadar.pk)), ["UPZ-281", "UN-2513", "UN-2513-W1"]
        )

    def test_the_units_list_queries_do_not_grow_with_the_recipients(self) -> None:
        grow(self.sylhet_sadar, 40, level="union", by=self.operator)
        directive = issued(self.central)
        self.authorise(self.central)
        # Token and user, desks, directive, scope check, count, page.
        with self.assertNumQueries(6):
            body = self.client.get(api("tracking-units", directive)).json()
        self.assertEqual((body["count"], len(body["results"])), (48, 48))

    def test_remind_reminds_the_overdue_units(self) -> None:
        directive = overdue(self.sylhet)
        self.authorise(self.sylhet)
        response = self.client.post(api("remind", directive), {}, format="json")
        self.assertEqual((response.status_code, response.json()), (200, {"reminded": 3}))
        response = self.client.post(
            api("remind", directive), {"units": [self.ward1.pk]}, format="json"
        )
        self.assertEqual(response.json(), {"reminded": 1})
        self.assertEqual(Notification.objects.filter(unit=self.ward1).count(), 1)
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.post(api("remind", directive)).status_code, 404)


class DrillDownScopeTests(ApiTestCase):
    def test_drilling_into_a_unit_off_the_directives_branch_is_404(self) -> None:
        directive = issued(self.central, target=self.sylhet_district)
        self.authorise(self.central)
        on_branch = self.client.get(api("tracking", directive), {"within": self.sylhet_sadar.pk})
        self.assertEqual(on_branch.status_code, 200)
        self.assertIn("branches", on_branch.json())
        for path in ("tracking", "tracking-units"):
            with self.subTest(path=path):
                response = self.client.get(api(path, directive), {"within": self.dhaka_district.pk})
                self.assertEqual(response.status_code, 404)
                self.assertIn("detail", response.json())
