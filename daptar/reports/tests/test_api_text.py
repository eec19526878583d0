"""API input: what XML 1.0 forbids is dropped from every text field (daptar.lib.text)."""

from __future__ import annotations

from django.urls import reverse

from daptar.reports.models import Report
from daptar.reports.tests.support import category, yesterday
from daptar.reports.tests.test_api import LIST, ApiTestCase

BAD = "\x01\x0b\x0c\x1f\ufffe"


class InputTextTests(ApiTestCase):
    def test_a_title_and_body_with_forbidden_characters_are_stored_without_them(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(
            LIST,
            self.payload(title=f"Blanket{BAD} distribution", body=f"Two{BAD} hundred"),
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        report = Report.objects.get(pk=response.json()["id"])
        self.assertEqual((report.title, report.body), ("Blanket distribution", "Two hundred"))

    def test_a_title_of_nothing_but_them_is_400_with_a_message(self) -> None:
        self.authorise(self.jalalabad)
        response = self.client.post(LIST, self.payload(title=BAD), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("title", response.json())
        self.assertFalse(Report.objects.exists())

    def test_a_web_form_drops_them_too(self) -> None:
        self.client.force_login(self.jalalabad)
        self.client.post(
            reverse("reports:new"),
            {
                "title": f"Trees{BAD}",
                "body": "Planted.",
                "category": category().pk,
                "event_date": yesterday().isoformat(),
                "place": "Field",
                "participants": 10,
            },
        )
        self.assertEqual(Report.objects.get().title, "Trees")
