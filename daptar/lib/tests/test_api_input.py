"""Bad input in query parameters and headers is a 4xx with a message, never ignored."""

from __future__ import annotations

from rest_framework.test import APIClient

from daptar.accounts.actions import issue_token
from daptar.testing import DaptarTestCase


class BadInputTests(DaptarTestCase):
    client: APIClient
    client_class = APIClient

    def setUp(self) -> None:
        token = issue_token(self.sylhet, by=self.sylhet)
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")

    def test_a_page_size_that_is_not_a_whole_number_above_0_is_400(self) -> None:
        for size in ("abc", "0", "-3", "null"):
            with self.subTest(size=size):
                response = self.client.get("/api/v1/units/", {"page_size": size})
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.json(), {"page_size": ["Give a page size from 1 to 500."]}
                )
        self.assertEqual(
            len(self.client.get("/api/v1/units/", {"page_size": 2}).json()["results"]), 2
        )

    def test_a_flag_that_is_not_true_or_false_is_400(self) -> None:
        response = self.client.get("/api/v1/meetings/", {"upcoming": "maybe"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"upcoming": ["Give true or false."]})
        self.assertEqual(
            self.client.get("/api/v1/meetings/", {"upcoming": "true"}).status_code, 200
        )
        self.assertEqual(self.client.get("/api/v1/directives/", {"overdue": "x"}).status_code, 400)

    def test_an_unknown_box_is_400(self) -> None:
        response = self.client.get("/api/v1/directives/", {"box": "AAA"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"box": ["Choose one of: inbox, sent."]})
        self.assertEqual(self.client.get("/api/v1/directives/", {"box": "sent"}).status_code, 200)
        for path in ("/api/v1/meetings/", "/api/v1/returns/", "/api/v1/letters/"):
            self.assertEqual(self.client.get(path, {"box": "AAA"}).status_code, 400, path)

    def test_a_blank_acting_unit_header_is_404_like_an_unknown_one(self) -> None:
        self.assertEqual(self.client.get("/api/v1/me/", HTTP_X_DAPTAR_UNIT="").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/me/").status_code, 200)

    def test_a_blank_map_measure_is_400(self) -> None:
        response = self.client.get("/api/v1/dashboard/map.svg", {"measure": ""})
        self.assertEqual(response.status_code, 400)
        self.assertIn("measure", response.json())
