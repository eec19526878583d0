"""The office pages: our reports, the review queue, the phone form, the report and its buttons."""

from __future__ import annotations

import io

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.urls import reverse
from PIL import Image

from daptar.audit.models import AuditEvent
from daptar.reports import actions
from daptar.reports.models import Photo, Report
from daptar.reports.tasks import make_renditions
from daptar.reports.tests.support import (
    TEXT,
    ReportsTestCase,
    category,
    draft,
    fields,
    jpeg,
    png,
    submitted,
    upload,
    yesterday,
)

LIST = reverse("reports:list")
REVIEW = reverse("reports:review")
NEW = reverse("reports:new")


def url(name: str, report: Report, *args: object) -> str:
    return reverse(f"reports:{name}", args=[report.pk, *args])


def form_data(**overrides: object) -> dict[str, object]:
    return {
        "category": category("public_welfare").pk,
        "title": "শীতবস্ত্র বিতরণ",
        "event_date": yesterday().isoformat(),
        "place": "ওয়ার্ড ১ কার্যালয়",
        "participants": "75",
        "body": "দুইশো কম্বল বিতরণ করা হয়েছে।",
        "idempotency_key": "k-1",
        **overrides,
    }


class ViewTestCase(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Messages are asserted in English; a test that reads the Bengali page asks for it.
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def message(self, response: HttpResponse) -> str:
        return " ".join(str(m) for m in get_messages(response.wsgi_request))  # type: ignore[attr-defined]


class ListTests(ViewTestCase):
    def test_the_office_sees_its_own_reports(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        draft(self.sylhet)
        self.client.force_login(self.jalalabad)
        response = self.client.get(LIST)
        self.assertEqual(list(response.context["page"]), [report])
        self.assertContains(response, report.title)
        self.assertContains(response, 'data-testid="nav-reports"')

    def test_it_filters_by_status(self) -> None:
        draft(self.jalalabad)
        sent = submitted(self.jalalabad, title="পাঠানো")
        self.client.force_login(self.jalalabad)
        response = self.client.get(LIST, {"status": "submitted"})
        self.assertEqual(list(response.context["page"]), [sent])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertRedirects(self.client.get(LIST), f"{reverse('accounts:login')}?next={LIST}")

    def test_a_login_without_a_desk_gets_404(self) -> None:
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(LIST).status_code, 404)

    def test_the_list_does_not_query_per_report(self) -> None:
        draft(self.jalalabad, photos=(png(),))
        self.client.force_login(self.jalalabad)

        def grow() -> None:
            for n in range(12):
                photos = (jpeg(colour=f"#{n:02x}8040"), png(width=n + 10))
                draft(self.jalalabad, title=f"প্রতিবেদন {n}", photos=photos)

        # Of ours: the review badge, the count, the page, its photos.
        response = self.assertQueriesDoNotGrow(lambda: self.client.get(LIST), grow, own=4)
        self.assertEqual(len(response.context["page"]), 13)


class ReviewQueueTests(ViewTestCase):
    def test_the_parent_office_sees_what_was_sent_to_it_with_a_badge(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.sadar)
        response = self.client.get(REVIEW, HTTP_ACCEPT_LANGUAGE="bn")
        self.assertEqual(list(response.context["page"]), [report])
        self.assertContains(response, '<span class="badge">১</span>', html=False)

    def test_an_office_further_up_sees_it_among_submitted_below(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.sylhet)
        self.assertEqual(list(self.client.get(REVIEW).context["page"]), [])
        self.assertEqual(
            list(self.client.get(REVIEW, {"box": "submitted"}).context["page"]), [report]
        )

    def test_an_office_elsewhere_sees_nothing(self) -> None:
        submitted(self.jalalabad)
        self.client.force_login(self.dhaka)
        for box in ("waiting", "submitted", "approved", "published"):
            self.assertEqual(list(self.client.get(REVIEW, {"box": box}).context["page"]), [])

    def test_the_queue_does_not_query_per_report(self) -> None:
        submitted(self.jalalabad, photos=(png(),))
        self.client.force_login(self.sadar)

        def grow() -> None:
            for n in range(8):
                submitted(
                    self.jalalabad, title=f"প্রতিবেদন {n}", photos=(jpeg(colour=f"#{n:02x}4080"),)
                )

        # Of ours: the badge, the count, the page, its photos.
        response = self.assertQueriesDoNotGrow(lambda: self.client.get(REVIEW), grow, own=4)
        self.assertEqual(len(response.context["page"]), 9)


class ComposeTests(ViewTestCase):
    def test_the_blank_form_carries_a_fresh_idempotency_key(self) -> None:
        self.client.force_login(self.jalalabad)
        first = self.client.get(NEW).context["form"].initial["idempotency_key"]
        second = self.client.get(NEW).context["form"].initial["idempotency_key"]
        self.assertNotEqual(first, second)
        self.assertContains(self.client.get(NEW), 'src="/static/reports/report-form.js"')

    def test_a_draft_with_photos_is_saved(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(
            NEW, {**form_data(), "photos": [upload("a.jpg", jpeg()), upload("b.png", png())]}
        )
        report = Report.objects.get()
        self.assertRedirects(response, url("detail", report))
        self.assertEqual((report.status, report.photos.count()), ("draft", 2))
        self.assertEqual(report.participants, 75)

    def test_save_and_submit_sends_it_up(self) -> None:
        self.client.force_login(self.jalalabad)
        self.client.post(NEW, {**form_data(), "submit": "1"})
        self.assertEqual(Report.objects.get().status, Report.Status.SUBMITTED)

    def test_the_phone_script_gets_json_back(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(NEW, form_data(), headers={"X-Daptar-Upload": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"location": url("detail", Report.objects.get())})

    def test_the_phone_script_gets_the_form_with_its_errors(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(NEW, form_data(title=""), headers={"X-Daptar-Upload": "1"})
        self.assertEqual(response.status_code, 400)
        self.assertNotContains(response, "<html", status_code=400)
        self.assertContains(response, 'data-testid="error-title"', status_code=400)

    def test_sending_the_same_form_again_makes_no_second_report(self) -> None:
        self.client.force_login(self.jalalabad)
        photo = jpeg()
        for _ in range(2):
            self.client.post(NEW, {**form_data(), "photos": [upload("a.jpg", photo)]})
        self.assertEqual(Report.objects.count(), 1)
        self.assertEqual(Photo.objects.count(), 1)

    def test_a_refused_photo_is_named_on_the_form_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(
            NEW, {**form_data(), "photos": [upload("ok.jpg", jpeg()), upload("notes.jpg", TEXT)]}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "notes.jpg: is not a photo we accept", status_code=400)
        self.assertFalse(Report.objects.exists())

    def test_the_place_is_a_unit_in_the_authors_scope(self) -> None:
        self.client.force_login(self.jalalabad)
        self.client.post(NEW, form_data(place_code=self.ward1.code))
        self.assertEqual(Report.objects.get().place_unit, self.ward1)

    def test_a_place_outside_the_authors_scope_is_a_form_error_and_nothing_is_saved(
        self,
    ) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(NEW, form_data(place_code=self.dhaka_district.code))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["form"].errors["place_code"], ["No unit has this code."])
        self.assertFalse(Report.objects.exists())

    def test_a_read_only_desk_gets_403(self) -> None:
        self.client.force_login(self.jalalabad_president)
        self.assertEqual(self.client.get(NEW).status_code, 403)
        self.assertEqual(self.client.post(NEW, form_data()).status_code, 403)
        self.assertFalse(Report.objects.exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertEqual(self.client.get(NEW).status_code, 302)

    def test_a_returned_report_is_corrected_on_the_same_form(self) -> None:
        report = actions.return_report(
            submitted(self.jalalabad), by=self.sadar, note="তারিখ ঠিক করুন"
        )
        self.client.force_login(self.jalalabad)
        page = self.client.get(url("edit", report))
        self.assertContains(page, "তারিখ ঠিক করুন")
        self.client.post(url("edit", report), {**form_data(title="সংশোধিত"), "submit": "1"})
        report.refresh_from_db()
        self.assertEqual((report.title, report.status), ("সংশোধিত", "submitted"))

    def test_a_submitted_report_is_not_edited(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.jalalabad)
        self.assertRedirects(self.client.get(url("edit", report)), url("detail", report))

    def test_an_outsider_gets_404_on_the_edit_page(self) -> None:
        report = draft(self.jalalabad)
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("edit", report)).status_code, 404)


class DetailTests(ViewTestCase):
    def test_the_office_sees_its_draft_with_a_placeholder_while_photos_are_prepared(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("detail", report))
        self.assertContains(response, 'data-testid="photo-pending"')
        self.assertContains(response, 'data-hx-trigger="every 4s"')
        self.assertContains(response, 'data-testid="submit"')

    def test_the_photos_part_comes_alone_for_htmx(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        make_renditions.call(report.photos.get().pk)
        self.client.force_login(self.jalalabad)
        response = self.client.get(
            url("detail", report), {"part": "photos"}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "<html")
        self.assertContains(response, "<picture>")
        self.assertNotContains(response, "every 4s")

    def test_a_draft_stays_with_its_unit(self) -> None:
        report = draft(self.jalalabad)
        self.client.force_login(self.sylhet)
        self.assertEqual(self.client.get(url("detail", report)).status_code, 404)

    def test_the_reviewer_sees_the_review_buttons(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.sadar)
        response = self.client.get(url("detail", report))
        self.assertContains(response, 'data-testid="approve"')
        self.assertNotContains(response, 'data-testid="publish"')

    def test_an_outsider_gets_404(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("detail", report)).status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        report = submitted(self.jalalabad)
        self.assertEqual(self.client.get(url("detail", report)).status_code, 302)


class ButtonTests(ViewTestCase):
    def test_submit(self) -> None:
        report = draft(self.jalalabad)
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("submit", report))
        self.assertRedirects(response, url("detail", report))
        report.refresh_from_db()
        self.assertEqual(report.status, "submitted")
        self.assertTrue(AuditEvent.objects.filter(verb="report.submitted").exists())

    def test_submitting_twice_is_a_message(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("submit", report))
        self.assertEqual(self.message(response), "This report has already been submitted.")

    def test_a_read_only_desk_gets_403(self) -> None:
        report = draft(self.jalalabad)
        self.client.force_login(self.jalalabad_president)
        self.assertEqual(self.client.post(url("submit", report)).status_code, 403)
        report.refresh_from_db()
        self.assertEqual(report.status, "draft")

    def test_approve_return_publish_and_withdraw(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.sadar)
        self.client.post(url("approve", report), {"note": "ঠিক আছে"})
        report.refresh_from_db()
        self.assertEqual((report.status, report.approved_unit), ("approved", self.sylhet_sadar))
        self.client.post(url("publish", report))
        report.refresh_from_db()
        self.assertEqual(report.status, "published")
        self.assertContains(self.client.get(url("detail", report)), report.public_path())
        self.client.post(url("withdraw", report), {"note": "ভুল"})
        report.refresh_from_db()
        self.assertEqual(report.status, "withdrawn")

    def test_returning_without_a_note_is_a_message(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.sadar)
        response = self.client.post(url("return", report), {"note": ""})
        self.assertEqual(self.message(response), "Say what should be corrected.")
        self.client.post(url("return", report), {"note": "ছবি কম"})
        report.refresh_from_db()
        self.assertEqual(report.status, "returned")

    def test_the_unit_does_not_approve_its_own_report(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.client.post(url("approve", report)).status_code, 403)

    def test_an_outsider_gets_404(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.dhaka)
        for name in ("approve", "return", "publish", "withdraw", "submit"):
            with self.subTest(name=name):
                self.assertEqual(self.client.post(url(name, report)).status_code, 404)

    def test_buttons_only_answer_post(self) -> None:
        report = submitted(self.jalalabad)
        self.client.force_login(self.sadar)
        self.assertEqual(self.client.get(url("approve", report)).status_code, 405)


class PhotoEditingTests(ViewTestCase):
    def test_photos_are_added_arranged_and_removed(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        self.client.force_login(self.jalalabad)
        self.client.post(url("add_photos", report), {"photos": [upload("b.png", png())]})
        first, second = report.photos.all()
        self.client.post(
            url("arrange_photos", report),
            {
                f"caption-{first.pk}": "প্রথম",
                f"order-{first.pk}": "5",
                f"caption-{second.pk}": "দ্বিতীয়",
            },
        )
        self.assertEqual(list(report.photos.values_list("caption", flat=True)), ["দ্বিতীয়", "প্রথম"])
        self.client.post(url("remove_photo", report, first.pk))
        self.assertEqual(list(report.photos.all()), [second])

    def test_a_refused_photo_is_a_message(self) -> None:
        report = draft(self.jalalabad)
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("add_photos", report), {"photos": [upload("x.jpg", TEXT)]})
        self.assertIn("x.jpg: is not a photo we accept", self.message(response))

    def test_an_outsider_gets_404(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        self.client.force_login(self.dhaka)
        photo = report.photos.get()
        self.assertEqual(self.client.post(url("remove_photo", report, photo.pk)).status_code, 404)
        self.assertEqual(report.photos.count(), 1)


class OfficePhotoTests(ViewTestCase):
    def test_a_rendition_is_served_privately_and_without_metadata(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(400, 300, gps=True),))
        photo = report.photos.get()
        make_renditions.call(photo.pk)
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("photo", report, photo.pk, 320, "jpg"))
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertIn("private", response["Cache-Control"])
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        self.assertEqual(dict(Image.open(io.BytesIO(data)).getexif()), {})

    def test_no_address_serves_the_original(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(400, 300),))
        photo = report.photos.get()
        make_renditions.call(photo.pk)
        self.client.force_login(self.jalalabad)
        for width, fmt in ((400, "jpeg"), (401, "jpg"), (400, "jpg.original")):
            with self.subTest(width=width, fmt=fmt):
                self.assertEqual(
                    self.client.get(url("photo", report, photo.pk, width, fmt)).status_code, 404
                )

    def test_an_outsider_gets_404(self) -> None:
        report = submitted(self.jalalabad, photos=(jpeg(),))
        photo = report.photos.get()
        make_renditions.call(photo.pk)
        self.client.force_login(self.dhaka)
        self.assertEqual(
            self.client.get(url("photo", report, photo.pk, 64, "jpg")).status_code, 404
        )


class AuditLogTests(ViewTestCase):
    def test_a_drafts_title_stays_out_of_the_log_above(self) -> None:
        report = draft(self.jalalabad, title="গোপন খসড়া", photos=(jpeg(),))
        actions.update_report(report, by=self.jalalabad, **fields(title="গোপন খসড়া ২"))
        actions.add_photos(report, [upload("b.png", png())], by=self.jalalabad)
        first, _second = report.photos.all()
        actions.arrange_photos(report, by=self.jalalabad, captions={first.pk: "প্রথম"}, order={})
        actions.remove_photo(first, by=self.jalalabad)
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("audit:events"))
        self.assertNotContains(response, "গোপন খসড়া")
        shown = {
            e.verb: e.object_repr for e in response.context["page"] if e.verb.startswith("report.")
        }
        self.assertEqual(
            sorted(shown),
            [
                "report.created",
                "report.edited",
                "report.photo_removed",
                "report.photos_added",
                "report.photos_arranged",
            ],
        )
        self.assertEqual(set(shown.values()), {f"#{report.pk}"})
        self.assertContains(response, f"<td>#{report.pk}</td>")

    def test_a_submitted_report_is_named_in_the_log(self) -> None:
        report = submitted(self.jalalabad, title="সবার জানা কর্মসূচি")
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("audit:events"), {"verb": "report.submitted"})
        self.assertContains(response, "সবার জানা কর্মসূচি")
        self.assertEqual(AuditEvent.objects.get(verb="report.created").object_repr, f"#{report.pk}")
