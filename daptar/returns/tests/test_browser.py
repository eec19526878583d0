"""A return's round trip in Chromium: built by central, filled in on a phone, counted."""

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

RULE_BN = "নারী সদস্য মোট সদস্যের বেশি হতে পারে না"


def add_field(page: Page, **values: str) -> None:
    for name, value in values.items():
        if name == "type":
            page.select_option("#id_type", value)
        elif name == "required":
            page.check("#id_required")
        else:
            page.fill(f"#id_{name}", value)
    page.get_by_test_id("add-field-button").click()
    expect(page.get_by_test_id("fields")).to_contain_text(values["label_en"])


def test_central_builds_jalalabad_fills_in_on_a_phone_central_sees_completeness(
    browser: Browser,
    page: Page,
    live_server: Any,
    cast: types.SimpleNamespace,
    phone_context_args: dict[str, Any],
) -> None:
    from daptar.units.models import Level

    base = live_server.url
    due = timezone.localtime() + datetime.timedelta(days=3)
    union = Level.objects.get(slug="union")

    # Central, at its desk, builds a one-off return for the unions of Sylhet division.
    desk = browser.new_context(locale="bn-BD", viewport={"width": 1280, "height": 900})
    central = desk.new_page()
    log_in(central, base, "central")
    central.goto(f"{base}/office/returns/new/")
    central.fill("#id_title", "সদস্য সংখ্যা ২০২৬")
    central.select_option("#id_target_unit", str(cast.sylhet_division.pk))
    central.check(f"input[name=target_levels][value='{union.pk}']")
    central.fill("#id_due_at", due.strftime("%Y-%m-%dT%H:%M"))
    with central.expect_navigation():
        central.get_by_test_id("settings").locator("button[type=submit]").click()
    expect(central.get_by_test_id("expected-now")).to_contain_text("১")
    add_field(
        central,
        label_bn="সদস্য সংখ্যা",
        label_en="Members",
        key="members",
        type="integer",
        required="on",
        min="0",
    )
    add_field(central, label_bn="নারী সদস্য", label_en="Women members", key="women", type="integer")
    central.fill("#id_left", "women")
    central.select_option("#id_op", "<=")
    central.fill("#id_right", "members")
    central.fill("#id_message_bn", RULE_BN)
    central.fill("#id_message_en", "Women members cannot be more than all members")
    central.get_by_test_id("add-rule-button").click()
    expect(central.get_by_test_id("rules")).to_contain_text("women <= members")
    # The preview shows the form in both languages before anyone is asked.
    with central.expect_navigation():
        central.get_by_test_id("preview-link").click()
    expect(central.get_by_test_id("preview-bn")).to_contain_text("সদস্য সংখ্যা")
    expect(central.get_by_test_id("preview-en")).to_contain_text("Women members")
    central.go_back()
    with central.expect_navigation():
        central.get_by_test_id("publish").click()
    expect(central.get_by_test_id("periods")).to_be_visible()
    rates_url = central.get_by_test_id("rates-link").first.get_attribute("href")
    central.goto(f"{base}{rates_url}")
    expect(central.get_by_test_id("completeness")).to_have_text("০.০%")

    # Jalalabad, on a phone, sees the badge, opens the return, meets the rule, corrects it.
    phone = browser.new_context(**phone_context_args, locale="bn-BD")
    mobile = phone.new_page()
    log_in(mobile, base, "jalalabad")
    expect(mobile.get_by_test_id("nav-returns").locator(".badge")).to_have_text("১")
    mobile.get_by_test_id("nav-returns").click()
    mobile.get_by_role("link", name="সদস্য সংখ্যা ২০২৬").click()
    expect(mobile.get_by_test_id("return-title")).to_have_text("সদস্য সংখ্যা ২০২৬")
    mobile.fill("#id-members", "১০")
    mobile.fill("#id-women", "12")
    mobile.get_by_test_id("send").click()
    expect(mobile.get_by_test_id("form-errors")).to_have_text(RULE_BN)
    expect(mobile.locator("#id-members")).to_have_value("১০")  # what was typed is kept
    mobile.fill("#id-women", "৪")
    with mobile.expect_navigation():
        mobile.get_by_test_id("send").click()
    expect(mobile.get_by_test_id("answer-members")).to_have_text("10")
    expect(mobile.get_by_test_id("answer-women")).to_have_text("4")
    expect(mobile.get_by_test_id("nav-returns").locator(".badge")).to_have_count(0)
    phone.close()

    # Central's rates page counts it: the one union of Sylhet division has sent.
    central.reload()
    expect(central.get_by_test_id("completeness")).to_have_text("১০০.০%")
    expect(central.get_by_test_id("missing")).to_have_text("০")
    desk.close()
