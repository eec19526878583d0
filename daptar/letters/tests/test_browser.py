"""A letter's round trip in Chromium: Jalalabad writes up to central on a phone, central
finds it in its inward register and replies, Jalalabad reads the reply in the thread."""

from __future__ import annotations

import re
import types
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_jalalabad_writes_central_replies_jalalabad_reads_the_thread_on_a_phone(
    browser: Browser, page: Page, live_server: Any, cast: types.SimpleNamespace
) -> None:
    base = live_server.url

    # Jalalabad, on a phone, writes straight up to the central office.
    log_in(page, base, "jalalabad")
    page.get_by_test_id("nav-letters").click()
    page.get_by_test_id("write-letter").click()
    page.select_option("#id_to_unit", str(cast.root.pk))
    page.fill("#id_subject", "ইউনিট অফিসের ভাড়া")
    page.fill("#id_body", "বাড়িওয়ালা ভাড়া বাড়াতে চান। কেন্দ্রের পরামর্শ চাই।")
    with page.expect_navigation():
        page.get_by_test_id("send").click()
    memo = page.get_by_test_id("memo-no").inner_text().strip()
    assert re.fullmatch(r"UN-2513/\d{4}/0001", memo), memo

    # Central finds it in its inward register by its memo number, and replies.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="bn-BD")
    central = desk.new_page()
    log_in(central, base, "central")
    expect(central.get_by_test_id("nav-letters")).to_contain_text("১")
    central.get_by_test_id("nav-letters").click()
    central.get_by_test_id("inward-tab").click()
    row = central.get_by_test_id("register-row").filter(has_text=memo)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("memo-no")).to_have_text(memo)
    row.get_by_role("link", name="ইউনিট অফিসের ভাড়া").click()
    central.get_by_test_id("reply").click()
    central.fill("#reply_body", "ভাড়া বাড়ানোর আগে জেলার সাথে কথা বলুন।")
    with central.expect_navigation():
        central.get_by_test_id("send-reply").click()
    expect(central.get_by_test_id("memo-no")).to_have_text(re.compile(r"^CEN/\d{4}/0001$"))
    desk.close()

    # Back on the phone: the reply waits with Jalalabad and reads in the thread.
    page.goto(f"{base}/office/")
    expect(page.get_by_test_id("nav-letters")).to_contain_text("১")
    page.get_by_test_id("nav-letters").click()
    page.get_by_test_id("pending").get_by_role("link").first.click()
    letters = page.get_by_test_id("thread-letter")
    expect(letters).to_have_count(2)
    expect(letters.nth(0)).to_contain_text(memo)
    expect(letters.nth(1)).to_contain_text("ভাড়া বাড়ানোর আগে জেলার সাথে কথা বলুন।")
    expect(letters.nth(1)).to_be_visible()
    # Nothing wider than the phone's screen: no sideways scrolling to read the thread.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
