import csv
import datetime
import io

from django.urls import reverse

from daptar.letters import actions
from daptar.letters.exports import INWARD_HEADER, OUTWARD_HEADER
from daptar.letters.tests.support import LettersTestCase, frozen, receipt, write

INWARD = reverse("letters:inward")
OUTWARD = reverse("letters:outward")


class RegisterCsvTests(LettersTestCase):
    def setUp(self) -> None:
        super().setUp()
        with frozen(datetime.datetime(2027, 4, 2, 4, 30, tzinfo=datetime.UTC)):
            self.april = write(self.jalalabad, self.root, subject="সভার কার্যবিবরণী")
        with frozen(datetime.datetime(2027, 5, 9, 4, 30, tzinfo=datetime.UTC)):
            self.may = write(self.sylhet, self.root, subject="May letter", confidential=True)
            self.out = write(
                self.central, self.dhaka_district, subject="Down to Dhaka", priority="urgent"
            )
        actions.forward(
            receipt(self.may, self.root), to_unit=self.sylhet_metro, note="For you", by=self.central
        )

    def download(self, path: str, **params: object) -> tuple[object, list[list[str]]]:
        self.client.force_login(self.central)
        response = self.client.get(path, {"format": "csv", **params})
        self.assertEqual(response.status_code, 200)
        text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
        self.assertTrue(text.startswith("\ufeff"))
        return response, list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))

    def test_the_inward_register_downloads_with_bengali_intact(self) -> None:
        response, rows = self.download(INWARD)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")  # type: ignore[index]
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="inward-CEN.csv"',  # type: ignore[index]
        )
        self.assertEqual(rows[0], INWARD_HEADER)
        record = dict(zip(INWARD_HEADER, rows[2], strict=True))
        self.assertEqual(record["memo_no"], "UN-2513/2027/0001")
        self.assertEqual(record["subject"], "সভার কার্যবিবরণী")
        self.assertEqual(record["from_bn"], "জালালাবাদ")
        self.assertEqual(record["received_at"], "2027-04-02 10:30")  # Dhaka time
        forwarded = dict(zip(INWARD_HEADER, rows[1], strict=True))
        self.assertEqual((forwarded["state"], forwarded["note"]), ("forwarded", "For you"))
        self.assertEqual(forwarded["confidential"], "yes")

    def test_a_subject_a_spreadsheet_would_run_stays_text(self) -> None:
        write(self.jalalabad, self.root, subject='=HYPERLINK("http://127.0.0.1/","x")')
        _response, rows = self.download(INWARD)
        subjects = [dict(zip(INWARD_HEADER, r, strict=True))["subject"] for r in rows[1:]]
        self.assertIn('\'=HYPERLINK("http://127.0.0.1/","x")', subjects)
        self.assertFalse(any(subject.startswith("=") for subject in subjects))

    def test_the_download_follows_the_year_and_month(self) -> None:
        response, rows = self.download(INWARD, year=2027, month=4)
        self.assertEqual(len(rows), 2)
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="inward-CEN-2027-04.csv"',  # type: ignore[index]
        )

    def test_the_outward_register_downloads(self) -> None:
        _response, rows = self.download(OUTWARD, year=2027)
        self.assertEqual(rows[0], OUTWARD_HEADER)
        record = dict(zip(OUTWARD_HEADER, rows[1], strict=True))
        self.assertEqual(
            (record["memo_no"], record["to_code"], record["priority"], record["state"]),
            ("CEN/2027/0001", "DHA", "urgent", "pending"),
        )

    def test_a_bad_period_downloads_nothing(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(INWARD, {"format": "csv", "month": 4})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")

    def test_an_office_downloads_only_its_own_register(self) -> None:
        self.client.force_login(self.dhaka)
        text = b"".join(
            self.client.get(INWARD, {"format": "csv"}).streaming_content  # type: ignore[attr-defined]
        ).decode()
        self.assertEqual(text.count("\n"), 2)  # the header and central's letter to Dhaka
        self.assertIn("Down to Dhaka", text)
        self.assertNotIn("সভার", text)
