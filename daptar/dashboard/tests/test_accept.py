"""The district map answers with its SVG to a client that accepts only JSON."""

from __future__ import annotations

from daptar.dashboard.tests.test_api import MAP, ApiTestCase

JSON = "application/json"


class AcceptJsonTests(ApiTestCase):
    def test_the_map_answers_svg_to_accept_json(self) -> None:
        self.authorise(self.central)
        for path in (MAP, "/api/v1/dashboard/map/"):
            with self.subTest(path=path):
                response = self.client.get(path, HTTP_ACCEPT=JSON)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith("image/svg+xml"))
                self.assertTrue(response.content.lstrip().startswith(b"<svg"))

    def test_its_errors_are_still_json(self) -> None:
        self.authorise(self.central)
        response = self.client.get(MAP, {"measure": "nope"}, HTTP_ACCEPT=JSON)
        self.assertEqual(response.status_code, 400)
        self.assertIn("measure", response.json())
