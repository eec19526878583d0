"""Browser tests: Chromium on a phone-sized screen drives the live server through Playwright.

The fixtures (cast, page, log_in) live in the root conftest.py.
"""

from __future__ import annotations

import re
import types
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGE_BUDGET_BYTES = 100 * 1024


def test_jalalabad_logs_in_on_a_phone_and_sees_own_unit(
    page: Page, live_server: Any, cast: types.SimpleNamespace
) -> None:
    log_in(page, live_server.url, "jalalabad")

    expect(page).to_have_url(f"{live_server.url}/office/units/{cast.jalalabad_union.pk}/")
    today = page.get_by_test_id("today")
    expect(today).to_contain_text("খ্রিস্টাব্দ")
    expect(today).to_contain_text("বঙ্গাব্দ")
    expect(today).to_contain_text("হিজরি")
    expect(page.get_by_test_id("unit-name")).to_have_text("জালালাবাদ")
    expect(page.get_by_test_id("acting-unit")).to_contain_text("জালালাবাদ")

    response = page.goto(f"{live_server.url}/office/units/{cast.dhaka_district.pk}/")
    assert response is not None
    assert response.status == 404


def test_language_switch_to_english(
    page: Page, live_server: Any, cast: types.SimpleNamespace
) -> None:
    log_in(page, live_server.url, "jalalabad")
    expect(page.get_by_test_id("unit-name")).to_have_text("জালালাবাদ")

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_test_id("unit-name")).to_have_text("Jalalabad")
    today = page.get_by_test_id("today")
    expect(today).to_contain_text("CE")
    expect(today).to_contain_text("BS")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    with page.expect_navigation():
        page.get_by_role("button", name="বাংলা").click()
    expect(page.get_by_test_id("unit-name")).to_have_text("জালালাবাদ")
    expect(today).to_contain_text("বঙ্গাব্দ")
    expect(page.locator("html")).to_have_attribute("lang", "bn")


def test_unit_search_live_results(
    page: Page, live_server: Any, cast: types.SimpleNamespace
) -> None:
    log_in(page, live_server.url, "central")
    page.goto(f"{live_server.url}/office/units/search/")

    # A full page load would reset this marker; htmx's partial swap keeps it.
    page.evaluate("window.__noReload = true")
    documents: list[str] = []
    page.on(
        "request",
        lambda r: documents.append(r.url) if r.resource_type == "document" else None,
    )

    page.get_by_role("searchbox").press_sequentially("Jala", delay=50)

    link = page.locator("#results a", has_text=re.compile("Jalalabad|জালালাবাদ"))
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", f"/office/units/{cast.jalalabad_union.pk}/")
    expect(page).to_have_url(re.compile(r"/office/units/search/\?q=Jala$"))
    assert page.evaluate("window.__noReload") is True
    assert documents == []


def test_public_home_page_has_no_console_errors_and_is_small(
    page: Page, live_server: Any, cast: types.SimpleNamespace
) -> None:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    responses: list[Response] = []
    page.on("response", lambda r: responses.append(r))
    # CSP violations also reach the console as errors, but listen for the event too.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )

    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")

    expect(page.get_by_test_id("site-title")).to_be_visible()
    # Without a declared icon Chromium fetches /favicon.ico after load, and its 404
    # lands in the console late; insist on the declaration and let stragglers arrive.
    expect(page.locator("link[rel~=icon]")).to_have_count(1)
    page.wait_for_timeout(1500)
    assert errors == []

    failed = [(r.url, r.status) for r in responses if r.status >= 400]
    assert failed == []
    kinds = {r.request.resource_type for r in responses}
    # Public pages are plain documents: cacheable by anyone, no script to fetch.
    assert {"document", "stylesheet"} <= kinds, kinds
    assert "script" not in kinds, kinds
    total = sum(len(r.body()) for r in responses)
    assert total < PAGE_BUDGET_BYTES, f"{total} bytes over {len(responses)} responses"
