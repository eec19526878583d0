import datetime
import io
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from daptar.audit.models import AuditEvent
from daptar.lib.sheets import parse_date
from daptar.people import actions as people_actions
from daptar.people.models import Person, Term
from daptar.register import actions
from daptar.register.models import ImportBatch, ImportRow
from daptar.testing import DaptarTestCase

HEADER = ["ক্রমিক নং", "নাম", "ইংরেজি নাম", "মোবাইল নম্বর", "জাতীয় পরিচয়পত্র নং", "লিঙ্গ", "জন্ম তারিখ"]
ROWS = [
    ["১", "আব্দুল করিম", "Abdul Karim", "+880 1711-223344", "১২৩৪৫৬৭৮৯০", "পুরুষ", "০৫/১২/১৯৮০"],
    ["২", "ফাতেমা বেগম", "Fatema Begum", "8801811223344", "", "মহিলা", "1990-01-31"],
    ["৩", "রফিক মিয়া", "", "01911-223344", "", "", ""],
    [None, None, None, None, None, None, None],  # an empty row between blocks
    ["৪", "সুমাইয়া আক্তার", "", "০১৫১১-২২৩৩৪৪", "", "", "৫ ডিসেম্বর ১৯৯৫"],
    ["৫", "জসিম উদ্দিন", "", 1611223344, "", "", ""],  # a number cell lost its 0
    ["৬", "ভুল নম্বর", "", "12345", "", "", ""],
    ["৭", "আবার করিম", "", "01711223344", "", "", ""],  # same phone as row 1
    ["৮", "", "", "", "", "", ""],
]


def messy_xlsx() -> bytes:
    """A sheet as an office keeps it: a merged title, a blank row, then the table."""
    book = Workbook()
    sheet = book.active
    sheet.append(["জালালাবাদ ইউনিয়ন — সদস্য তালিকা"])
    sheet.merge_cells("A1:G1")
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ImportTestCase(DaptarTestCase):
    def upload(self, content: bytes | None = None, name: str = "members.xlsx", **kw) -> ImportBatch:
        return actions.create_import(
            self.jalalabad_union,
            filename=name,
            content=content or messy_xlsx(),
            by=self.fresh(self.jalalabad),
            **kw,
        )


class PreviewTests(ImportTestCase):
    def test_every_row_says_what_will_happen_and_nothing_is_written(self):
        people = Person.objects.count()
        batch = self.upload()
        self.assertEqual(batch.state, ImportBatch.State.PREVIEW)
        self.assertEqual(Person.objects.count(), people)
        rows = {r.number: r for r in batch.rows.all()}
        # Title, blank and header rows are passed over; data starts on sheet row 4.
        self.assertEqual(sorted(rows), [4, 5, 6, 8, 9, 10, 11])  # row 7 empty, row 12 no data
        self.assertEqual(rows[4].data["phone"], "+8801711223344")
        self.assertEqual(rows[4].data["national_id"], "1234567890")
        self.assertEqual(rows[4].data["gender"], "m")
        self.assertEqual(rows[4].data["born_on"], "1980-12-05")
        self.assertEqual(rows[5].data["phone"], "+8801811223344")
        self.assertEqual(rows[6].data["phone"], "+8801911223344")
        self.assertEqual(rows[8].data["phone"], "+8801511223344")
        self.assertEqual(rows[8].data["born_on"], "1995-12-05")
        self.assertEqual(rows[9].data["phone"], "+8801611223344")
        self.assertEqual(rows[10].outcome, ImportRow.Outcome.ERROR)
        self.assertIn("12345", rows[10].message)
        self.assertEqual(rows[11].outcome, ImportRow.Outcome.ERROR)
        self.assertIn("4", rows[11].message)  # the same person as row 4
        self.assertEqual(batch.counts["new"], 5)
        self.assertEqual(batch.counts["error"], 2)

    def test_header_cells_merged_down_over_two_rows(self):
        book = Workbook()
        sheet = book.active
        sheet.append(["নাম", "মোবাইল"])
        sheet.append([])
        sheet.merge_cells("A1:A2")
        sheet.merge_cells("B1:B2")
        sheet.append(["করিম", "০১৭১১২২৩৩৪৪"])
        out = io.BytesIO()
        book.save(out)
        row = self.upload(out.getvalue()).rows.get()
        self.assertEqual((row.number, row.data["phone"]), (3, "+8801711223344"))

    def test_a_known_phone_matches_the_existing_person(self):
        known = people_actions.register_person(
            unit=self.ward1, name_bn="আব্দুল করিম", phone="01711223344", by=self.operator
        )
        batch = self.upload()
        row = batch.rows.get(number=4)
        self.assertEqual((row.outcome, row.person), (ImportRow.Outcome.MATCH, known))

    def test_a_phone_registered_outside_scope_is_an_error_not_a_match(self):
        people_actions.register_person(
            unit=self.dhaka_district, name_bn="অন্য", phone="01711223344", by=self.operator
        )
        row = self.upload().rows.get(number=4)
        self.assertEqual(row.outcome, ImportRow.Outcome.ERROR)
        self.assertIsNone(row.person)

    def test_csv_with_english_headers_and_semicolons(self):
        text = "Name;Mobile No;Post\nKarim Uddin;01711-223344;Member\nরহিম;০১৮১১২২৩৩৪৪;সদস্য\n"
        batch = self.upload(text.encode(), name="list.csv")
        rows = list(batch.rows.order_by("number"))
        self.assertEqual([r.outcome for r in rows], ["new", "new"])
        self.assertEqual(rows[0].data["name_en"], "Karim Uddin")
        self.assertEqual(rows[1].data["post"], "member")

    def test_unknown_headers_fail_until_mapped(self):
        text = "পুরো নাম,যোগাযোগ\nকরিম,01711223344\n".encode()
        failed = self.upload(text, name="x.csv")
        self.assertEqual(failed.state, ImportBatch.State.FAILED)
        mapped = self.upload(text, name="x.csv", mapping={"পুরো নাম": "name_bn", "যোগাযোগ": "phone"})
        self.assertEqual(mapped.state, ImportBatch.State.PREVIEW)
        self.assertEqual(mapped.rows.get().data["phone"], "+8801711223344")

    def test_not_a_spreadsheet(self):
        with self.assertRaises(ValidationError):
            self.upload(b"PK\x03\x04 garbage", name="x.xlsx")

    def test_an_outsider_cannot_import(self):
        with self.assertRaises(PermissionDenied):
            actions.create_import(
                self.jalalabad_union, filename="x.csv", content=b"a", by=self.fresh(self.dhaka)
            )


class ApplyTests(ImportTestCase):
    def test_applying_writes_people_and_member_terms_in_one_go(self):
        before = Person.objects.count()
        batch = actions.apply_import(self.upload(), by=self.fresh(self.jalalabad))
        self.assertEqual(batch.state, ImportBatch.State.APPLIED)
        self.assertEqual(Person.objects.count(), before + 5)
        karim = Person.objects.get(phone="+8801711223344", unit=self.jalalabad_union)
        self.assertEqual(karim.born_on, datetime.date(1980, 12, 5))
        self.assertTrue(Term.objects.current().filter(person=karim, post__slug="member").exists())
        event = AuditEvent.objects.get(verb="import.applied")
        self.assertEqual(event.detail, {"people": 5, "terms": 5})

    def test_importing_the_same_sheet_again_changes_nothing(self):
        actions.apply_import(self.upload(), by=self.fresh(self.jalalabad))
        people, terms = Person.objects.count(), Term.objects.count()
        again = self.upload()
        self.assertEqual(again.counts["skip"], 5)
        self.assertEqual(again.counts["new"], 0)
        actions.apply_import(again, by=self.fresh(self.jalalabad))
        self.assertEqual((Person.objects.count(), Term.objects.count()), (people, terms))

    def test_a_batch_is_applied_once(self):
        batch = actions.apply_import(self.upload(), by=self.fresh(self.jalalabad))
        with self.assertRaises(ValidationError):
            actions.apply_import(batch, by=self.fresh(self.jalalabad))

    def test_undo_takes_the_whole_import_back(self):
        before = (Person.objects.count(), Term.objects.count())
        batch = actions.apply_import(self.upload(), by=self.fresh(self.jalalabad))
        batch = actions.undo_import(batch, by=self.fresh(self.jalalabad))
        self.assertEqual(batch.state, ImportBatch.State.UNDONE)
        self.assertEqual((Person.objects.count(), Term.objects.count()), before)
        self.assertEqual(AuditEvent.objects.get(verb="import.undone").detail["people"], 5)

    def test_undo_keeps_a_person_who_got_another_post_since(self):
        batch = actions.apply_import(self.upload(), by=self.fresh(self.jalalabad))
        karim = Person.objects.get(phone="+8801711223344")
        from daptar.people.models import Post

        people_actions.appoint(
            karim, unit=self.ward1, post=Post.objects.get(slug="president"), by=self.operator
        )
        actions.undo_import(batch, by=self.fresh(self.jalalabad))
        self.assertTrue(Person.objects.filter(pk=karim.pk).exists())
        self.assertEqual(AuditEvent.objects.get(verb="import.undone").detail["kept"], 1)

    def test_undo_is_refused_after_a_day(self):
        batch = actions.apply_import(self.upload(), by=self.fresh(self.jalalabad))
        later = timezone.now() + datetime.timedelta(hours=25)
        with (
            mock.patch("django.utils.timezone.now", return_value=later),
            self.assertRaises(ValidationError),
        ):
            actions.undo_import(batch, by=self.fresh(self.jalalabad))


@override_settings(
    DAPTAR_REGISTER_SYNC_ROWS=3,
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
)
class BigImportTests(ImportTestCase):
    def test_a_big_sheet_is_read_by_the_worker_to_the_end(self):
        with self.captureOnCommitCallbacks(execute=True):
            batch = self.upload()
        batch.refresh_from_db()
        self.assertEqual(batch.state, ImportBatch.State.PREVIEW)
        self.assertEqual(batch.done, batch.total)
        self.assertEqual(batch.total, 7)
        self.assertEqual(bytes(batch.content), b"")


class ApiTests(ImportTestCase):
    def api(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=self.fresh(user))
        return client

    def test_upload_preview_apply_undo(self):
        file = SimpleUploadedFile("members.xlsx", messy_xlsx())
        response = self.api(self.jalalabad).post(
            "/api/v1/imports/", {"file": file, "unit": self.jalalabad_union.pk}
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["state"], "preview")
        self.assertEqual(body["counts"]["error"], 2)
        self.assertEqual(body["rows"][0]["outcome"], "new")
        pk = body["id"]
        self.assertEqual(self.api(self.dhaka).post(f"/api/v1/imports/{pk}/apply/").status_code, 404)
        applied = self.api(self.jalalabad).post(f"/api/v1/imports/{pk}/apply/")
        self.assertEqual(applied.json()["state"], "applied")
        again = self.api(self.jalalabad).post(f"/api/v1/imports/{pk}/apply/")
        self.assertEqual(again.status_code, 400)
        undone = self.api(self.jalalabad).post(f"/api/v1/imports/{pk}/undo/")
        self.assertEqual(undone.json()["state"], "undone")
        self.assertEqual(reverse("api:import-undo", args=[pk]), f"/api/v1/imports/{pk}/undo/")

    def test_a_read_only_desk_gets_403(self):
        file = SimpleUploadedFile("members.xlsx", messy_xlsx())
        response = self.api(self.president).post(
            "/api/v1/imports/", {"file": file, "unit": self.root.pk}
        )
        self.assertEqual(response.status_code, 403)


class PageTests(ImportTestCase):
    def client_batch(self, response) -> int:
        self.assertEqual(response.status_code, 302)
        return int(response["Location"].rstrip("/").split("/")[-1])

    def test_upload_preview_and_apply_from_the_pages(self):
        self.client.force_login(self.jalalabad)
        file = SimpleUploadedFile("members.xlsx", messy_xlsx())
        response = self.client.post(reverse("register:imports"), {"file": file, "post": "member"})
        batch = ImportBatch.objects.get()
        self.assertRedirects(response, reverse("register:import", args=[batch.pk]))
        page = self.client.get(reverse("register:import", args=[batch.pk]) + "?outcome=error")
        self.assertContains(page, "12345")
        self.client.post(reverse("register:import", args=[batch.pk]), {"do": "apply"})
        batch.refresh_from_db()
        self.assertEqual(batch.state, ImportBatch.State.APPLIED)

    def test_a_sheet_with_headers_daptar_does_not_know_is_mapped_on_the_page(self):
        self.client.force_login(self.jalalabad)
        sheet = "Member,Cell\nআব্দুল করিম,01711-223344\nফাতেমা বেগম,০১৮১১-২২৩৩৪৪\n".encode()

        def send(**columns: str):
            data = {"file": SimpleUploadedFile("odd.csv", sheet), "post": "member", **columns}
            return self.client.post(
                reverse("register:imports"), data, headers={"accept-language": "en"}
            )

        refused = ImportBatch.objects.get(pk=self.client_batch(send()))
        self.assertEqual(refused.state, ImportBatch.State.FAILED)
        page = self.client.get(reverse("register:import", args=[refused.pk]))
        self.assertContains(page, "map the columns and try again")
        self.assertContains(page, reverse("register:imports") + "?map=1")
        form = self.client.get(reverse("register:imports") + "?map=1")
        self.assertContains(form, '<details open data-testid="mapping">', html=False)
        self.assertFalse(refused.rows.exists())

        response = send(column_name_bn="Member", column_phone="Cell")
        batch = ImportBatch.objects.exclude(pk=refused.pk).get()
        self.assertRedirects(response, reverse("register:import", args=[batch.pk]))
        self.assertEqual(batch.mapping, {"Member": "name_bn", "Cell": "phone"})
        self.assertEqual(
            sorted(batch.rows.values_list("data__phone", flat=True)),
            ["+8801711223344", "+8801811223344"],
        )


class DateTests(DaptarTestCase):
    def test_the_usual_bangladeshi_forms(self):
        for text in ("০৫/১২/১৯৮০", "5-12-1980", "05.12.1980", "1980-12-05", "৫ ডিসেম্বর ১৯৮০"):
            self.assertEqual(parse_date(text), datetime.date(1980, 12, 5), text)


@override_settings(DAPTAR_REGISTER_SYNC_ROWS=3)
class ProgressTests(ImportTestCase):
    def test_a_sheet_waiting_for_the_worker_shows_its_progress(self):
        batch = self.upload()  # no worker ran: the on_commit enqueue is not executed here
        self.assertEqual(batch.state, ImportBatch.State.READING)
        self.client.force_login(self.jalalabad)
        url = reverse("register:import", args=[batch.pk])
        page = self.client.get(url, headers={"hx-request": "true", "hx-target": "progress"})
        html = page.content.decode()
        self.assertTrue(html.strip().startswith('<div id="progress"'), html[:80])
        self.assertIn("<progress", html)
        self.assertIn('hx-trigger="every 2s"', html)
