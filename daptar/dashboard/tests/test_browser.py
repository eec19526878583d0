"""The dashboard in Chromium on a phone: central opens it, goes to the map, follows Sylhet."""

from __future__ import annotations

import types
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import log_in
from daptar.dashboard.tests.support import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_central_opens_the_dashboard_and_follows_a_district_on_the_map(
    page: Page, live_server: Any, cast: types.SimpleNamespace, settings: Any
) -> None:
    settings.DAPTAR_DYNAMISM_CACHE_SECONDS = 0
    build_world(cast)
    base = live_server.url

    log_in(page, base, "central")
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("কেন্দ্র")
    # The whole country's index, in Bengali digits, and a ranked table of the divisions.
    expect(page.get_by_test_id("index")).to_have_text(_bengali_number())
    expect(page.get_by_test_id("children").get_by_test_id("child-link")).to_have_count(2)
    expect(page.locator(".trend svg.spark")).to_have_count(5)

    page.get_by_test_id("map-link").click()
    sylhet = page.get_by_test_id("map").locator(f'a[href*="unit={cast.sylhet_district.pk}&"]')
    expect(sylhet).to_have_count(1)
    with page.expect_navigation():
        sylhet.click()
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("সিলেট")
    assert f"unit={cast.sylhet_district.pk}" in page.url
    # Sylhet district's return: two of three sent.
    expect(page.get_by_test_id("measure-completeness")).to_have_text("৬৬.৭%")

    # One level further down, by the table.
    with page.expect_navigation():
        page.get_by_test_id("child-link").filter(has_text="সিলেট সদর").click()
    expect(page.get_by_test_id("dashboard-unit")).to_contain_text("সিলেট সদর")


def _bengali_number() -> Any:
    import re

    return re.compile(r"^[০-৯]+(\.[০-৯])?$")
