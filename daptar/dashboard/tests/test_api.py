"""GET /api/v1/dashboard/ and /api/v1/dashboard/map.svg, on the month of support.build_world."""

from __future__ import annotations

from xml.etree import ElementTree

from django.urls import reverse
from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.dashboard.tests.support import EXPECTED_SYLHET, NO_CACHE, DashboardTestCase

LIST = "/api/v1/dashboard/"
MAP = "/api/v1/dashboard/map.svg"
SVG = "{http://www.w3.org/2000/svg}"
MEASURES = {
    "ack_median_hours", "ack_speed", "ack_on_time", "overdue", "completeness", "timeliness",
    "published", "reporting", "returned", "attendance",
}  # fmt: skip


@NO_CACHE
class ApiTestCase(DashboardTestCase):
    client_class = APIClient

    def authorise(self, user: User, **headers: str) -> None:
        key = account_actions.issue_token(user, by=user).key
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **headers)


class DashboardApiTests(ApiTestCase):
    def test_the_paths_are_the_contracts(self) -> None:
        self.assertEqual(reverse("api:dashboard-list"), LIST)
        self.assertEqual(reverse("api:dashboard-map", kwargs={"format": "svg"}), MAP)

    def test_it_answers_the_unit_its_window_index_measures_and_children(self) -> None:
        self.authorise(self.central)
        response = self.client.get(LIST, {"unit": self.sylhet_division.pk, "window": 30})
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertLessEqual({"unit", "window", "index", "measures", "children"}, set(data))
        self.assertEqual((data["unit"], data["window"]), (self.sylhet_division.pk, 30))
        self.assertEqual(set(data["measures"]), MEASURES)
        self.assertEqual(data["measures"]["completeness"], 66.7)
        self.assertEqual(data["counts"]["delivered"], EXPECTED_SYLHET["delivered"])
        children = {c["unit"]: c for c in data["children"]}
        self.assertEqual(set(children), {self.sylhet_district.pk, self.sylhet_metro.pk})
        metro = children[self.sylhet_metro.pk]
        self.assertLessEqual({"unit", "index", "measures"}, set(metro))
        self.assertEqual(metro["measures"]["attendance"], 0.0)  # marked absent
        self.assertIsNone(metro["measures"]["completeness"])  # no return was asked of it
        self.assertEqual(data["children_count"], 2)

    def test_the_acting_unit_is_the_default_and_the_header_picks_another_desk(self) -> None:
        self.authorise(self.sylhet)
        self.assertEqual(self.client.get(LIST).json()["unit"], self.sylhet_district.pk)
        self.authorise(self.jalalabad, HTTP_X_DAPTAR_UNIT=str(self.jalalabad_union.pk))
        data = self.client.get(LIST).json()
        self.assertEqual(data["unit"], self.jalalabad_union.pk)
        # Ranked by index. Ward 1: speed 100, on time 50, overdue 100 % (scores 0),
        # completeness 100, timeliness 0, reporting 100, returned 0 % (100), no meeting:
        # 5250 / 80. Ward 2: speed 100, on time 100, overdue 0, returns 0 and 0, reporting 0:
        # 2500 / 75.
        ranked = [(c["name"], c["index"]) for c in data["children"]]
        self.assertEqual(ranked, [("Ward 1", 65.6), ("Ward 2", 33.3)])

    def test_an_office_without_activity_answers_nulls_not_zeros(self) -> None:
        self.authorise(self.dhaka)
        data = self.client.get(LIST).json()
        self.assertIsNone(data["index"])
        self.assertEqual(set(data["measures"].values()), {None})

    def test_outside_the_scope_is_404(self) -> None:
        self.authorise(self.sylhet)
        for unit in (self.dhaka_district.pk, self.root.pk, 999999, "x"):
            with self.subTest(unit=unit):
                self.assertEqual(self.client.get(LIST, {"unit": unit}).status_code, 404)

    def test_a_window_not_offered_is_400_with_the_reason(self) -> None:
        self.authorise(self.central)
        response = self.client.get(LIST, {"window": 7})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"window": ["Choose a window of 30, 90 or 365 days."]})

    def test_anonymous_gets_401_and_a_read_only_desk_reads(self) -> None:
        self.assertEqual(self.client.get(LIST).status_code, 401)
        self.assertEqual(self.client.get(MAP).status_code, 401)
        self.authorise(self.president)
        self.assertEqual(self.client.get(LIST).status_code, 200)

    def test_its_queries_do_not_grow_with_the_children(self) -> None:
        self.authorise(self.central)
        # Token with its user, desks; the eleven counting queries and the children.
        with self.assertNumQueries(14):
            self.client.get(LIST)


class MapApiTests(ApiTestCase):
    def test_it_is_a_well_formed_svg_of_the_64_districts(self) -> None:
        self.authorise(self.central)
        response = self.client.get(MAP, {"measure": "timeliness", "window": 90})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("image/svg+xml"))
        svg = ElementTree.fromstring(response.content)  # noqa: S314 (our own output, under test)
        self.assertEqual(svg.tag, f"{SVG}svg")
        self.assertEqual(len(svg.findall(f"{SVG}g[@class='districts']//{SVG}path")), 64)
        titles = [t.text for t in svg.iter(f"{SVG}title")]
        self.assertIn("Sylhet + Sylhet Metropolitan: 33.3%", titles)
        self.assertIn("Timeliness, last 90 days", titles)

    def test_a_share_that_should_be_low_is_shaded_dark_when_low(self) -> None:
        self.authorise(self.central)
        svg = ElementTree.fromstring(self.client.get(MAP, {"measure": "returned"}).content)  # noqa: S314 (our own output, under test)
        fills = {
            a.get("href"): a.find(f"{SVG}path").get("fill")  # type: ignore[union-attr]
            for a in svg.iter(f"{SVG}a")
        }
        # 33.3 % returned: the second-darkest step of the reversed scale.
        self.assertEqual(
            fills[f"/office/dashboard/?unit={self.sylhet_district.pk}&window=30"], "#31a354"
        )

    def test_a_measure_it_cannot_shade_by_is_400_in_json(self) -> None:
        self.authorise(self.central)
        response = self.client.get(MAP, {"measure": "published"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("measure", response.json())

    def test_outside_the_scope_is_404(self) -> None:
        self.authorise(self.dhaka)
        self.assertEqual(self.client.get(MAP, {"unit": self.sylhet_district.pk}).status_code, 404)


class SchemaTests(ApiTestCase):
    def test_the_schema_still_builds_with_the_dashboard(self) -> None:
        self.authorise(self.central)
        response = self.client.get("/api/v1/schema/", {"format": "json"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("/api/v1/dashboard/", response.json()["paths"])
