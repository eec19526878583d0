"""The exchange meeting's round trip in Chromium, on a phone: central plans phase 2 for Sylhet
division; Sylhet sees the invitation, answers yes and takes the calendar file; central records
the minutes with a decision that becomes a directive draft."""

from __future__ import annotations

import datetime
import types
from pathlib import Path
from typing import Any
from unittest import mock

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def add_metro_secretary(cast: types.SimpleNamespace) -> None:
    """The cast has no office secretary at Sylhet Metropolitan: register and appoint one."""
    from daptar.people import actions as people_actions
    from daptar.people.models import Post

    person = people_actions.register_person(
        unit=cast.sylhet_metro, name_bn="মহানগর সম্পাদক", name_en="Metro Secretary",
        phone="01811-000000", by=cast.operator,
    )  # fmt: skip
    people_actions.appoint(
        person, unit=cast.sylhet_metro, post=Post.objects.get(slug="office_secretary"),
        by=cast.operator,
    )  # fmt: skip


def test_central_plans_sylhet_answers_yes_central_records_a_decision_as_a_directive(
    browser: Browser, page: Page, live_server: Any, cast: types.SimpleNamespace,
    phone_context_args: dict[str, Any], settings: Any, tmp_path: Path,
) -> None:  # fmt: skip
    from daptar.directives.models import Directive
    from daptar.meetings.models import Invitation, Meeting

    settings.DAPTAR_JITSI_BASE_URL = "https://meet.example.org"
    add_metro_secretary(cast)
    base = live_server.url
    start = timezone.localtime() + datetime.timedelta(hours=2)

    # Central makes the series and plans phase 2 for Sylhet division.
    log_in(page, base, "central")
    page.goto(f"{base}/office/meetings/series/")
    page.fill("#id_title", "মতবিনিময় সভা")
    with page.expect_navigation():
        page.get_by_test_id("create-series").click()
    expect(page.get_by_test_id("series-title")).to_have_text("মতবিনিময় সভা")
    page.get_by_test_id("plan").click()
    division = cast.sylhet_division.pk
    page.check(f"#id_pick_{division}")
    page.fill(f"#id_phase_{division}", "2")
    page.fill(f"#id_starts_{division}", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_agenda", "সূচনা — 10\nজেলার প্রতিবেদন — 60")
    with page.expect_navigation():
        page.get_by_test_id("make-plan").click()
    expect(page.get_by_test_id("series-meetings")).to_contain_text("সিলেট")
    page.get_by_test_id("series-meetings").get_by_role("link", name="সিলেট").click()

    # The invitation list is shown before anything is sent: the two districts' secretaries.
    invitations = page.get_by_test_id("invitations")
    expect(invitations).to_contain_text("সাদিয়া ইসলাম")
    expect(invitations).to_contain_text("মহানগর সম্পাদক")
    expect(page.get_by_test_id("video-url")).to_contain_text("https://meet.example.org/Daptar-")
    with page.expect_navigation():
        page.get_by_test_id("send").click()
    expect(page.get_by_test_id("send")).to_have_count(0)
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.SENT and meeting.phase.number == 2

    # Sylhet, on a phone, finds the invitation, answers yes and takes the calendar file.
    phone = browser.new_context(**phone_context_args, locale="bn-BD", accept_downloads=True)
    mobile = phone.new_page()
    log_in(mobile, base, "sylhet")
    nav = mobile.get_by_test_id("nav-meetings")
    expect(nav.locator(".badge")).to_have_text("১")
    nav.click()
    mobile.get_by_test_id("my-meetings").get_by_role("link").first.click()
    expect(mobile.get_by_test_id("meeting-title")).to_contain_text("ধাপ ২")
    with mobile.expect_navigation():
        mobile.get_by_test_id("rsvp-yes").click()
    expect(mobile.get_by_test_id("rsvp-yes")).not_to_have_class("secondary")
    expect(mobile.get_by_test_id("rsvp-no")).to_have_class("secondary")
    expect(mobile.get_by_test_id("nav-meetings").locator(".badge")).to_have_count(0)
    with mobile.expect_download() as download:
        mobile.get_by_test_id("ics").click()
    saved = tmp_path / "meeting.ics"
    download.value.save_as(saved)
    event = icalendar.Calendar.from_ical(saved.read_bytes()).events[0]
    assert event["UID"] == f"{meeting.uid}@daptar"
    assert event.start == start.replace(second=0, microsecond=0)
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Dhaka"
    phone.close()
    assert Invitation.objects.get(person=cast.sylhet.person).rsvp == "yes"

    # After the meeting, central marks Sylhet present and records the minutes with a
    # decision that becomes a directive draft addressed to the meeting's districts.
    real_now = timezone.now
    with mock.patch(
        "django.utils.timezone.now", side_effect=lambda: real_now() + datetime.timedelta(hours=4)
    ):
        page.goto(f"{base}/office/meetings/{meeting.pk}/")
        sylhet_row = Invitation.objects.get(person=cast.sylhet.person).pk
        page.get_by_test_id(f"present-{sylhet_row}").click()
        expect(page.get_by_test_id(f"present-{sylhet_row}")).to_have_count(0)
        page.goto(f"{base}/office/meetings/{meeting.pk}/")
        expect(page.get_by_test_id("present-count")).to_have_text("১")
        page.get_by_test_id("minutes-link").click()
        page.fill("#id_text", "প্রতিটি জেলা তাদের কাজের প্রতিবেদন দিয়েছে।")
        page.fill("#id_title_1", "কমিটির তালিকা পাঠান")
        page.fill("#id_body_1", "মাসের মধ্যে সব জেলা কমিটির তালিকা পাঠাবে।")
        page.check("#id_directive_1")
        with page.expect_navigation():
            page.get_by_test_id("save-minutes").click()
        expect(page.get_by_test_id("minutes")).to_contain_text("প্রতিটি জেলা")
        directive = Directive.objects.get()
        page.get_by_test_id(f"directive-{directive.meeting_decisions.get().pk}").click()
        expect(page.get_by_test_id("directive-title")).to_contain_text("কমিটির তালিকা পাঠান")
    assert directive.status == Directive.Status.DRAFT
    assert directive.target_unit == cast.sylhet_division
