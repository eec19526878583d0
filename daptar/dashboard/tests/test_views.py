"""The dashboard page, the map page and the CSV export, on the month of support.build_world."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

from django.test import override_settings
from django.urls import reverse

from daptar.dashboard.tests.support import (
    NO_CACHE,
    STORAGE,
    DashboardTestCase,
    add_ward,
    days,
    issue,
)
from daptar.testing import nav_queries
from daptar.units import actions as unit_actions
from daptar.units.models import Level

HOME = reverse("dashboard:home")
MAP = reverse("dashboard:map")
CSV = reverse("dashboard:export_csv")
LOGIN = reverse("accounts:login")
SVG = "{http://www.w3.org/2000/svg}"


def inline_svgs(html: str) -> list[ElementTree.Element]:
    """Every inline <svg> of the page, parsed (so each must be well-formed XML)."""
    found = re.findall(r"<svg .*?</svg>", html, re.S)
    return [ElementTree.fromstring(m) for m in found]  # noqa: S314 (our own output, under test)


@NO_CACHE
@STORAGE
class ViewTestCase(DashboardTestCase):
    pass


class HomeTests(ViewTestCase):
    def test_central_sees_its_subtree_and_every_division_ranked(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        board = response.context["board"]
        self.assertEqual(board.node, self.root)
        self.assertEqual([r.unit for r in response.context["page"]],
                         [self.sylhet_division, self.dhaka_division])  # fmt: skip
        self.assertEqual(response.context["ranks"], {self.sylhet_division.pk: 1})
        self.assertContains(response, f"{HOME}?unit={self.sylhet_division.pk}&amp;window=30")
        self.assertContains(response, '<span data-testid="index">', count=1)

    def test_an_office_without_activity_reads_no_data_not_zero(self) -> None:
        self.client.force_login(self.dhaka)
        response = self.client.get(HOME)
        self.assertEqual(response.context["board"].node, self.dhaka_district)
        self.assertContains(response, "no activity in this window")
        self.assertContains(
            response,
            '<dd data-testid="measure-completeness"><span class="nodata">no data</span></dd>',
            html=True,
        )

    def test_it_sorts_by_any_measure_and_htmx_swaps_only_the_table(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(HOME, {"unit": self.jalalabad_union.pk, "sort": "name"})
        self.assertEqual([r.unit for r in response.context["page"]], [self.ward1, self.ward2])
        response = self.client.get(
            HOME,
            {"unit": self.jalalabad_union.pk, "sort": "ack_on_time", "dir": "desc"},
            headers={"HX-Request": "true"},
        )
        # Ward 2 acknowledged its one directive on time (100 %), Ward 1 one of two (50 %).
        self.assertEqual([r.unit for r in response.context["page"]], [self.ward2, self.ward1])
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'aria-sort="descending"')

    def test_a_closed_unit_is_marked_in_the_table(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.get(HOME)
        self.assertContains(response, 'Ward 2</a> <span class="pill">closed')

    def test_the_trend_is_inline_svg_without_script_or_style(self) -> None:
        self.client.force_login(self.central)
        html = self.client.get(HOME).content.decode()
        sparks = [s for s in inline_svgs(html) if s.get("class") == "spark"]
        self.assertEqual(len(sparks), 5)
        self.assertNotIn("<script>", html)
        self.assertNotIn(" style=", html)

    def test_what_needs_attention_is_counted_under_the_unit(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(HOME)
        attention = response.context["attention"]
        # D1 at Sadar, Jalalabad, Ward 1, Ward 2; D2 at Ward 1.
        self.assertEqual(attention.overdue_total, 5)
        self.assertEqual([(d.title, n) for d, n, _v in attention.overdue], [("D1", 4), ("D2", 1)])
        self.assertEqual(attention.missing_total, 1)
        self.assertContains(
            response, f"?period={self.period.pk}&amp;unit={self.sylhet_district.pk}"
        )

    @override_settings(DAPTAR_DYNAMISM_WEIGHTS={"completeness": 3, "attendance": 1})
    def test_the_weights_shown_are_the_settings_read_now(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(HOME)
        shares = [(w["measure"].name, w["share"]) for w in response.context["weights"]]
        self.assertEqual(shares, [("completeness", 75.0), ("attendance", 25.0)])
        # Sylhet district's completeness 66.7 % and attendance 100 % (its deputy was there).
        self.assertEqual(response.context["board"].total.index, round((3 * 66.7 + 100) / 4, 1))

    def test_a_read_only_desk_sees_it_too_as_it_only_reads(self) -> None:
        self.client.force_login(self.president)
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(HOME)
        self.assertRedirects(response, f"{LOGIN}?next={HOME}", fetch_redirect_response=False)

    def test_a_login_without_a_desk_gets_404(self) -> None:
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(HOME).status_code, 404)

    def test_a_unit_outside_the_scope_is_404_below_it_is_shown(self) -> None:
        self.client.force_login(self.sylhet)
        for unit in (self.dhaka_district, self.root, self.sylhet_division):
            with self.subTest(unit=unit.name_en):
                self.assertEqual(self.client.get(HOME, {"unit": unit.pk}).status_code, 404)
        self.assertEqual(self.client.get(HOME, {"unit": "x"}).status_code, 404)
        response = self.client.get(HOME, {"unit": self.jalalabad_union.pk})
        self.assertEqual(response.context["node"], self.jalalabad_union)

    def test_a_window_or_sort_not_offered_is_400_with_the_reason(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(HOME, {"window": "7"})
        self.assertContains(response, "Choose a window of 30, 90 or 365 days.", status_code=400)
        response = self.client.get(HOME, {"sort": "salary"})
        self.assertContains(response, "The table cannot be sorted by that.", status_code=400)

    def test_its_queries_do_not_grow_with_the_units_and_the_activity(self) -> None:
        self.client.force_login(self.central)
        # Session, user and desks; the eleven counting queries and the children; the
        # attention list (directives and periods named, whether they may be opened, reports
        # waiting and below, letters); then the navigation's badges.
        expected = 3 + 12 + 7 + nav_queries()
        with self.assertNumQueries(expected):
            self.client.get(HOME)
        wards = [add_ward(self, n) for n in range(4, 14)]
        issue(self.central, self.now - days(2), target=self.jalalabad_union,
              levels=("ward",), due=self.now - days(1), title="D3")  # fmt: skip
        unit_actions.create_unit(
            parent=self.root, level=Level.objects.get(slug="division"), code="DIV-KHU",
            name_bn="খুলনা", name_en="Khulna", by=self.operator,
        )  # fmt: skip
        self.assertTrue(wards)
        with self.assertNumQueries(expected):
            response = self.client.get(HOME)
        self.assertEqual(len(response.context["page"]), 3)


class MapPageTests(ViewTestCase):
    def test_it_draws_the_64_districts_inline_each_titled_and_linked_in_scope(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(MAP, {"measure": "completeness"})
        self.assertEqual(response.status_code, 200)
        (svg,) = inline_svgs(response.content.decode())
        shapes = svg.findall(f"{SVG}g[@class='districts']//{SVG}path")
        self.assertEqual(len(shapes), 64)
        links = {a.get("href") for a in svg.iter(f"{SVG}a")}
        # Sylhet and its metropolitan district are one shape, linked to Sylhet district.
        self.assertEqual(links, {f"{HOME}?unit={self.sylhet_district.pk}&window=30",
                                 f"{HOME}?unit={self.dhaka_district.pk}&window=30"})  # fmt: skip
        titles = [t.text for t in svg.iter(f"{SVG}title")]
        self.assertIn("Sylhet + Sylhet Metropolitan: 66.7%", titles)
        self.assertIn("Dhaka: no data", titles)

    def test_a_district_sees_only_its_own_district_linked(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(MAP)
        (svg,) = inline_svgs(response.content.decode())
        links = [a.get("href") for a in svg.iter(f"{SVG}a")]
        self.assertEqual(links, [f"{HOME}?unit={self.sylhet_district.pk}&window=30"])

    def test_an_office_below_a_district_sees_its_figure_on_its_district(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.get(MAP, {"measure": "completeness"})
        (district,) = response.context["districts"]
        self.assertEqual(district.link_unit, self.jalalabad_union)
        self.assertEqual(district.value, 66.7)  # Jalalabad, Ward 1 and Ward 2: 2 of 3

    def test_a_measure_the_map_cannot_show_is_400(self) -> None:
        self.client.force_login(self.central)
        for measure in ("published", "ack_median_hours", "nope"):
            with self.subTest(measure=measure):
                response = self.client.get(MAP, {"measure": measure})
                self.assertContains(response, "cannot be shaded", status_code=400)

    def test_outsider_404_and_anonymous_login(self) -> None:
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(MAP, {"unit": self.sylhet_district.pk}).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(MAP).status_code, 302)


class CsvTests(ViewTestCase):
    def rows(self, user: object, **params: object) -> list[dict[str, str]]:
        self.client.force_login(user)  # type: ignore[arg-type]
        response = self.client.get(CSV, params)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        self.assertTrue(text.startswith("\ufeff"))  # so spreadsheets read the Bengali as UTF-8
        return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))

    def test_it_exports_the_subtree_its_own_office_and_each_unit_below(self) -> None:
        rows = self.rows(self.jalalabad)
        self.assertEqual(
            [r["row"] for r in rows], ["subtree", "own office", "unit below", "unit below"]
        )
        self.assertEqual([r["unit_en"] for r in rows[2:]], ["Ward 1", "Ward 2"])
        ward2 = rows[3]
        self.assertEqual(
            (ward2["closed_on"] != "", ward2["delivered"], ward2["overdue"]), (True, "1", "1")
        )
        # No data is an empty cell, never a 0.
        self.assertEqual(ward2["attendance"], "")

    def test_a_name_a_spreadsheet_would_run_stays_text(self) -> None:
        unit_actions.create_unit(
            parent=self.jalalabad_union, level=Level.objects.get(slug="ward"), code="W-EVIL",
            name_bn="=HYPERLINK(1)", name_en="=HYPERLINK(1)", by=self.operator,
        )  # fmt: skip
        rows = self.rows(self.jalalabad, sort="name")
        self.assertIn("'=HYPERLINK(1)", [r["unit_en"] for r in rows])

    def test_outsider_404_and_bad_window_400(self) -> None:
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(CSV, {"unit": self.ward1.pk}).status_code, 404)
        self.assertEqual(self.client.get(CSV, {"window": "1"}).status_code, 400)
