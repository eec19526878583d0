"""The reports API: the paths, fields and status codes clients depend on."""

from __future__ import annotations

from django.core.files.storage import storages
from django.urls import reverse
from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.reports import actions
from daptar.reports.models import Photo, Report
from daptar.reports.tests.support import (
    TEXT,
    ReportsTestCase,
    draft,
    heic,
    jpeg,
    png,
    submitted,
    upload,
    yesterday,
)

LIST = reverse("api:report-list")


def api(name: str, report: Report | int, *args: object) -> str:
    pk = report if isinstance(report, int) else report.pk
    return reverse(f"api:report-{name}", args=[pk, *args])


class ApiTestCase(ReportsTestCase):
    client: APIClient
    client_class = APIClient

    def authorise(self, user: User, **headers: str) -> None:
        key = account_actions.issue_token(user, by=user).key
        self.client.credentials(
            HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en", **headers
        )

    def payload(self, **overrides: object) -> dict[str, object]:
        return {
            "title": "Blanket distribution",
            "body": "Two hundred blankets were given out.",
            "category": "public_welfare",
            "event_date": yesterday().isoformat(),
            "place": "Ward 1 office",
            "participants": 80,
            **overrides,
        }


class CreateTests(ApiTestCase):
    def test_a_multipart_create_with_photos_answers_201_with_the_draft(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            LIST,
            {**self.payload(), "photos": [upload("a.jpg", jpeg()), upload("b.heic", heic())]},
            format="multipart",
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        report = Report.objects.get()
        self.assertEqual(body["id"], report.pk)
        self.assertEqual(body["status"], "draft")
        self.assertEqual(body["category"], "public_welfare")
        self.assertEqual(body["unit"], self.jalalabad_union.pk)
        self.assertEqual(
            [{k: p[k] for k in ("id", "status")} for p in body["photos"]],
            [{"id": p.pk, "status": "pending"} for p in report.photos.all()],
        )
        self.assertEqual(report.photos.get(name="b.heic").content_type, "image/heif")

    def test_a_refused_photo_is_400_naming_the_file_and_the_reason_and_nothing_is_saved(
        self,
    ) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            LIST,
            {**self.payload(), "photos": [upload("a.jpg", jpeg()), upload("minutes.jpg", TEXT)]},
            format="multipart",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {"photos": ["minutes.jpg: is not a photo we accept (JPEG, PNG, WebP, HEIC)"]},
        )
        self.assertFalse(Report.objects.exists())
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(storages["default"].listdir("")[0], [])

    def test_json_without_photos_works_too(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(LIST, self.payload(), format="json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["photos"], [])

    def test_bad_fields_are_400_with_field_errors(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            LIST, self.payload(category="picnic", event_date="soon"), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"category", "event_date"})

    def test_the_idempotency_key_header_makes_one_report(self) -> None:
        self.authorise(self.jalalabad, HTTP_IDEMPOTENCY_KEY="phone-42")
        first = self.client.post(LIST, self.payload(), format="json").json()
        second = self.client.post(LIST, self.payload(), format="json").json()
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(Report.objects.count(), 1)

    def test_a_read_only_desk_gets_403(self) -> None:
        self.authorise(self.jalalabad_president)
        self.assertEqual(self.client.post(LIST, self.payload(), format="json").status_code, 403)

    def test_anonymous_gets_401(self) -> None:
        self.assertEqual(self.client.post(LIST, self.payload(), format="json").status_code, 401)

    def test_it_writes_an_audit_event(self) -> None:
        self.authorise(self.jalalabad)
        self.client.post(LIST, self.payload(), format="json")
        event = AuditEvent.objects.get(verb="report.created")
        self.assertEqual((event.actor, event.unit), (self.jalalabad, self.jalalabad_union))

    def test_a_place_in_the_authors_scope_is_kept(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(LIST, self.payload(place_unit=self.ward1.pk), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Report.objects.get().place_unit, self.ward1)

    def test_a_place_outside_the_authors_scope_is_400_and_nothing_is_saved(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            LIST, self.payload(place_unit=self.dhaka_district.pk), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("place_unit", response.json())
        self.assertFalse(Report.objects.exists())


class EditTests(ApiTestCase):
    def test_a_draft_is_patched_field_by_field(self) -> None:
        report = draft(self.jalalabad)
        self.authorise(self.jalalabad)
        response = self.client.patch(
            api("detail", report), {"title": "নতুন", "participants": 9}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        report.refresh_from_db()
        self.assertEqual(
            (report.title, report.participants, report.place), ("নতুন", 9, "জালালাবাদ উচ্চ বিদ্যালয় মাঠ")
        )

    def test_a_place_outside_the_authors_scope_is_400(self) -> None:
        report = draft(self.jalalabad)
        self.authorise(self.jalalabad)
        response = self.client.patch(
            api("detail", report), {"place_unit": self.dhaka_district.pk}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("place_unit", response.json())
        report.refresh_from_db()
        self.assertIsNone(report.place_unit)

    def test_a_submitted_report_is_409(self) -> None:
        report = submitted(self.jalalabad)
        self.authorise(self.jalalabad)
        response = self.client.patch(api("detail", report), {"title": "x"}, format="json")
        self.assertEqual(response.status_code, 409)

    def test_captions_come_with_the_photos(self) -> None:
        self.authorise(self.jalalabad)
        body = self.client.post(
            LIST,
            {**self.payload(), "photos": [upload("a.jpg", jpeg()), upload("b.png", png())],
             "captions": ["প্রথম", "দ্বিতীয়"]},
            format="multipart",
        ).json()  # fmt: skip
        self.assertEqual([p["caption"] for p in body["photos"]], ["প্রথম", "দ্বিতীয়"])


class PhotoTests(ApiTestCase):
    def test_photos_are_added_and_removed_while_draft(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        self.authorise(self.jalalabad)
        response = self.client.post(
            api("photos", report), {"photos": [upload("p.png", png())]}, format="multipart"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(len(response.json()["photos"]), 1)
        photo = report.photos.get(name="p.png")
        response = self.client.delete(api("remove-photo", report, photo.pk))
        self.assertEqual(response.status_code, 204)
        self.assertEqual(report.photos.count(), 1)

    def test_photos_are_not_changed_once_submitted(self) -> None:
        report = submitted(self.jalalabad, photos=(jpeg(),))
        self.authorise(self.jalalabad)
        response = self.client.post(
            api("photos", report), {"photos": [upload("p.png", png())]}, format="multipart"
        )
        self.assertEqual(response.status_code, 409)
        photo = report.photos.get()
        self.assertEqual(self.client.delete(api("remove-photo", report, photo.pk)).status_code, 409)

    def test_a_photo_of_another_report_is_404(self) -> None:
        mine = draft(self.jalalabad, photos=(jpeg(),))
        other = draft(self.jalalabad, photos=(png(),), title="অন্য")
        self.authorise(self.jalalabad)
        photo = other.photos.get()
        self.assertEqual(self.client.delete(api("remove-photo", mine, photo.pk)).status_code, 404)

    def test_an_outsider_gets_404(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        self.authorise(self.dhaka)
        response = self.client.post(
            api("photos", report), {"photos": [upload("p.png", png())]}, format="multipart"
        )
        self.assertEqual(response.status_code, 404)


class WorkflowTests(ApiTestCase):
    def test_submit_approve_publish_withdraw(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.post(api("submit", report)).json()["status"], "submitted")
        self.authorise(self.sadar)
        body = self.client.post(api("approve", report), {"note": "ভালো"}, format="json").json()
        self.assertEqual(
            (body["status"], body["approved_unit"]), ("approved", self.sylhet_sadar.pk)
        )
        response = self.client.post(api("publish", report))
        self.assertEqual(response.status_code, 200)
        report.refresh_from_db()
        self.assertEqual(response.json()["public_url"], report.public_url)
        self.assertEqual(self.client.post(api("withdraw", report)).json()["status"], "withdrawn")
        self.assertIsNone(self.client.get(api("detail", report)).json()["public_url"])

    def test_return_needs_a_note(self) -> None:
        report = submitted(self.jalalabad)
        self.authorise(self.sadar)
        response = self.client.post(api("return", report), {}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("note", response.json())
        response = self.client.post(api("return", report), {"note": "তারিখ ভুল"}, format="json")
        self.assertEqual(response.json()["status"], "returned")

    def test_a_repeat_is_409(self) -> None:
        report = submitted(self.jalalabad)
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.post(api("submit", report)).status_code, 409)

    def test_the_unit_does_not_approve_itself_403(self) -> None:
        report = submitted(self.jalalabad)
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.post(api("approve", report)).status_code, 403)

    def test_outsiders_get_404_on_every_action(self) -> None:
        report = submitted(self.jalalabad)
        self.authorise(self.dhaka)
        for name in ("detail", "submit", "approve", "return", "publish", "withdraw"):
            with self.subTest(name=name):
                method = self.client.get if name == "detail" else self.client.post
                self.assertEqual(method(api(name, report)).status_code, 404)

    def test_the_detail_carries_the_history(self) -> None:
        report = actions.return_report(submitted(self.jalalabad), by=self.sadar, note="আবার")
        self.authorise(self.jalalabad)
        history = self.client.get(api("detail", report)).json()["history"]
        self.assertEqual([h["decision"] for h in history], ["submitted", "returned"])
        self.assertEqual(history[1]["note"], "আবার")


class ListTests(ApiTestCase):
    def test_it_lists_within_scope_by_status_and_unit(self) -> None:
        mine = submitted(self.jalalabad)
        draft(self.jalalabad, title="খসড়া")  # a draft stays with its unit
        theirs = submitted(self.dhaka)
        self.authorise(self.sylhet)
        body = self.client.get(LIST, {"status": "submitted"}).json()
        self.assertEqual(set(body), {"count", "next", "previous", "results"})
        self.assertEqual([r["id"] for r in body["results"]], [mine.pk])
        body = self.client.get(LIST, {"unit": self.jalalabad_union.pk}).json()
        self.assertEqual([r["id"] for r in body["results"]], [mine.pk])
        self.assertEqual(self.client.get(LIST, {"unit": self.dhaka_district.pk}).status_code, 404)
        self.assertNotIn(theirs.pk, [r["id"] for r in self.client.get(LIST).json()["results"]])

    def test_an_unknown_status_is_400(self) -> None:
        self.authorise(self.sylhet)
        self.assertEqual(self.client.get(LIST, {"status": "lost"}).status_code, 400)

    def test_the_list_does_not_query_per_report(self) -> None:
        submitted(self.jalalabad, photos=(jpeg(),))
        self.authorise(self.sylhet)

        def grow() -> None:
            for n in range(10):
                photos = (jpeg(colour=f"#{n:02x}2040"), png(width=20 + n))
                submitted(self.jalalabad, title=f"প্রতিবেদন {n}", photos=photos)

        # Of ours: the count, the page, its photos.
        response = self.assertQueriesDoNotGrow(lambda: self.client.get(LIST), grow, own=3)
        self.assertEqual(len(response.json()["results"]), 11)

    def test_the_schema_stays_valid(self) -> None:
        self.authorise(self.sylhet)
        response = self.client.get(reverse("api:schema"), {"format": "json"})
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in ("/api/v1/reports/", "/api/v1/reports/{id}/photos/",
                     "/api/v1/reports/{id}/photos/{photo_id}/", "/api/v1/reports/{id}/return/",
                     "/api/v1/reports/{id}/publish/"):  # fmt: skip
            self.assertIn(path, paths)
