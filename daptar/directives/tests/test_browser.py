"""The directive's whole round trip in Chromium: issued by central, acknowledged on a phone."""

from __future__ import annotations

import datetime
import types
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_central_issues_jalalabad_acknowledges_on_a_phone_central_sees_it(
    browser: Browser,
    page: Page,
    live_server: Any,
    cast: types.SimpleNamespace,
    phone_context_args: dict[str, Any],
) -> None:
    base = live_server.url
    due = timezone.localtime() + datetime.timedelta(days=3)

    # Central composes on its own (desktop) page and issues to Sylhet division.
    log_in(page, base, "central")
    page.goto(f"{base}/office/directives/new/")
    page.fill("#id_title", "কমিটির তালিকা পাঠান")
    page.fill("#id_body", "৩১ ডিসেম্বরের মধ্যে সব ইউনিট কমিটির তালিকা পাঠাবে।")
    page.fill("#id_due_at", due.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_target_unit", str(cast.sylhet_division.pk))
    # The live preview counts the recipients before anything is sent.
    expect(page.get_by_test_id("preview")).to_contain_text("৬")
    with page.expect_navigation():
        page.get_by_role("button", name="খসড়া সংরক্ষণ").click()
    with page.expect_navigation():
        page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("tracking-link")).to_be_visible()
    tracking_url = page.get_by_test_id("tracking-link").get_attribute("href")

    # Jalalabad, on a phone, finds it in the inbox with the unread badge and acknowledges.
    phone = browser.new_context(**phone_context_args, locale="bn-BD")
    mobile = phone.new_page()
    log_in(mobile, base, "jalalabad")
    expect(mobile.get_by_test_id("unread")).to_have_text("১")
    mobile.get_by_test_id("nav-directives").click()
    mobile.get_by_role("link", name="কমিটির তালিকা পাঠান").click()
    expect(mobile.get_by_test_id("directive-title")).to_contain_text("কমিটির তালিকা পাঠান")
    mobile.fill("#id_note", "পেয়েছি, কাজ চলছে")
    with mobile.expect_navigation():
        mobile.get_by_test_id("acknowledge").click()
    expect(mobile.get_by_test_id("my-delivery")).to_contain_text("প্রাপ্তি স্বীকার")
    expect(mobile.get_by_test_id("unread")).to_have_count(0)
    phone.close()

    # Central's tracking page counts the acknowledgement.
    page.goto(f"{base}{tracking_url}")
    expect(page.get_by_test_id("acknowledged-total")).to_have_text("১")
