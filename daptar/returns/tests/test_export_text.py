"""Return exports stay valid whatever units and answers hold (daptar.lib.text)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from daptar.returns import actions
from daptar.returns.models import Submission
from daptar.returns.tests.support import published
from daptar.returns.tests.test_views_builder import ViewTestCase
from daptar.returns.tests.test_views_figures import url
from daptar.units.models import Unit

BAD = "\x01\x0b\x0c\x1f\ufffe"
FIELDS = ({"key": "note", "label_bn": "মন্তব্য", "label_en": "Note", "type": "text"},)


class ExportTextTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, period = published(
            self.central, target=self.sylhet_division, title="Notes", fields=FIELDS, rules=()
        )
        actions.submit(period, self.ward1, {"note": "ok"}, by=self.ward)
        # Rows written before the input rule, or by an import, may still hold them.
        Submission.objects.filter(period=period, unit=self.ward1).update(data={"note": f"ভা{BAD}লো"})
        Unit.objects.filter(pk=self.ward1.pk).update(name_en=f"Ward{BAD} 1")
        self.client.force_login(self.central)

    def test_the_xlsx_opens_with_the_characters_dropped(self) -> None:
        response = self.client.get(url("export_xlsx", self.form))
        self.assertEqual(response.status_code, 200)
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        ward = next(r for r in rows if r[0] == "UN-2513-W1")
        self.assertEqual((ward[2], ward[-1]), ("Ward 1", "ভালো"))

    def test_the_csv_holds_none_of_them(self) -> None:
        response = self.client.get(url("export_csv", self.form))
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        self.assertIn("Ward 1", body)
        self.assertIn("ভালো", body)
        for char in BAD:
            self.assertNotIn(char, body)


class AcceptJsonTests(ExportTextTests):
    def test_the_exports_answer_the_file_to_accept_json(self) -> None:
        for name, kind in (("export_csv", "text/csv"), ("export_xlsx", "application/vnd.openxml")):
            with self.subTest(name=name):
                response = self.client.get(url(name, self.form), HTTP_ACCEPT="application/json")
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith(kind))
