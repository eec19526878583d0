"""Two-factor sign-in in Chromium on a phone: a district secretary must enrol an
authenticator after the password, then signs in again with its code; no CSP violation."""

from __future__ import annotations

import base64
import types
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _code(secret: str, drift: int = 0) -> str:
    return f"{totp(base64.b32decode(secret), drift=drift):06d}"


def test_a_district_secretary_enrols_an_authenticator_then_signs_in_with_it(
    page: Page, live_server: Any, cast: types.SimpleNamespace, settings: Any
) -> None:
    settings.DAPTAR_2FA_REQUIRED_LEVELS = ["central", "division", "district"]
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    base = live_server.url

    log_in(page, base, "sylhet")
    expect(page.get_by_test_id("must-enrol")).to_be_visible()
    page.goto(f"{base}/office/")  # nothing else opens
    expect(page.get_by_test_id("must-enrol")).to_be_visible()

    page.get_by_role("link", name="অথেন্টিকেটর অ্যাপ চালু করুন").click()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("secret").inner_text()
    page.fill("input[name=code]", _code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="নিশ্চিত করুন").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="আমি লিখে রেখেছি").click()
    expect(page.get_by_test_id("acting-unit")).to_be_visible()

    # Next time: password, then the code (the next time step's, as each code works once).
    page.get_by_role("button", name="লগ আউট").click()
    log_in(page, base, "sylhet")
    expect(page.locator("input[name=code]")).to_be_visible()
    page.fill("input[name=code]", _code(secret, drift=1))
    with page.expect_navigation():
        page.get_by_role("button", name="এগিয়ে যান").click()
    expect(page.get_by_test_id("acting-unit")).to_be_visible()
    assert problems == [], problems
