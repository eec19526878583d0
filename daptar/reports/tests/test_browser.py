"""An illustrated report's whole journey in Chromium: written on a phone, reviewed, published."""

from __future__ import annotations

import io
import re
import types
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from conftest import log_in

# A busy machine (the worker renders photos inside the upload's request here) can take
# longer than Playwright's five seconds; the steps wait up to this long.
SLOW = 20_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker_and_storage(settings: Any, tmp_path: Path, live_server: Any) -> None:
    """Renditions made as the upload commits, photos kept in a folder of this test's own,
    and absolute addresses (og:image, share links) pointing at the live server."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DAPTAR_SITE_URL = live_server.url


def photo_files(folder: Path) -> list[str]:
    from daptar.reports.tests.support import jpeg, png

    with_gps = folder / "IMG_2041.jpg"
    with_gps.write_bytes(jpeg(1200, 900, gps=True, colour="darkgreen"))
    other = folder / "meeting.png"
    other.write_bytes(png(800, 600))
    return [str(with_gps), str(other)]


def test_jalalabad_reports_from_a_phone_sylhet_sadar_publishes_the_public_sees_it(
    browser: Browser,
    page: Page,
    live_server: Any,
    cast: types.SimpleNamespace,
    worker_and_storage: None,
    phone_context_args: dict[str, Any],
    tmp_path: Path,
) -> None:
    from daptar.reports.models import Category, Report
    from daptar.reports.tests.support import add_office

    assert Category.objects.filter(slug="programme").exists(), "the default categories are missing"
    add_office(cast, "sylhet-sadar", cast.sylhet_sadar)
    base = live_server.url

    # Jalalabad, on a phone, writes the report with two photos and sends it up.
    log_in(page, base, "jalalabad")
    page.get_by_test_id("nav-reports").click()
    page.get_by_test_id("new-report").click()
    page.select_option("#id_category", label="জনকল্যাণমূলক কর্মকাণ্ড")
    page.fill("#id_title", "শীতবস্ত্র বিতরণ")
    page.fill("#id_event_date", timezone.localdate().isoformat())
    page.fill("#id_place", "জালালাবাদ ইউনিয়ন পরিষদ মাঠ")
    page.fill("#id_participants", "150")
    page.fill("#id_body", "দুইশো দরিদ্র পরিবারের মধ্যে কম্বল বিতরণ করা হয়েছে।")
    page.set_input_files("#id_photos", photo_files(tmp_path))
    # The form's script sends it (with progress) and follows the answer to the report.
    sent_by_script = lambda r: r.method == "POST" and "x-daptar-upload" in r.headers  # noqa: E731
    with page.expect_request(sent_by_script), page.expect_navigation():
        page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-title")).to_have_text("শীতবস্ত্র বিতরণ", timeout=SLOW)
    expect(page.get_by_test_id("report-status")).to_have_class(
        re.compile("status-submitted"), timeout=SLOW
    )
    expect(page.locator("[data-testid=photo] picture")).to_have_count(2, timeout=SLOW)
    report = Report.objects.get()
    assert report.photos.count() == 2

    # Sylhet Sadar, Jalalabad's parent office, finds it waiting, approves and publishes.
    other = browser.new_context(**phone_context_args, locale="bn-BD")
    reviewer = other.new_page()
    log_in(reviewer, base, "sylhet-sadar")
    expect(reviewer.get_by_test_id("nav-reports").locator(".badge")).to_have_text("১", timeout=SLOW)
    reviewer.get_by_test_id("nav-reports").click()
    reviewer.get_by_test_id("review-tab").click()
    reviewer.get_by_role("link", name="শীতবস্ত্র বিতরণ").click()
    reviewer.fill("#review-note", "চমৎকার কাজ")
    with reviewer.expect_navigation():
        reviewer.get_by_test_id("approve").click()
    with reviewer.expect_navigation():
        reviewer.get_by_test_id("publish").click()
    expect(reviewer.get_by_test_id("report-status")).to_have_class(
        re.compile("status-published"), timeout=SLOW
    )
    public_path = reviewer.get_by_test_id("public-link").get_attribute("href")
    other.close()

    # The public, not logged in, opens it: photos, three calendars, share links, previews.
    visitor = browser.new_context(**phone_context_args, locale="bn-BD").new_page()
    response = visitor.goto(f"{base}{public_path}")
    assert response is not None and response.status == 200
    assert "public" in response.headers["cache-control"]
    expect(visitor.get_by_test_id("report-title")).to_have_text("শীতবস্ত্র বিতরণ", timeout=SLOW)
    expect(visitor.get_by_test_id("event-date")).to_contain_text("বঙ্গাব্দ", timeout=SLOW)
    share = visitor.get_by_test_id("share")
    for network in ("facebook", "x", "whatsapp", "telegram", "skype", "email"):
        expect(share.locator(f"[data-share={network}]")).to_have_count(1, timeout=SLOW)
    og_url = visitor.locator('meta[property="og:url"]').get_attribute("content")
    og_image = visitor.locator('meta[property="og:image"]').get_attribute("content")
    assert og_url == f"{base}{public_path}"
    assert og_image is not None and og_image.startswith(f"{base}/photos/")

    # Every image it serves (the one the phone loaded, and the preview) carries no metadata.
    images = visitor.locator("[data-testid=photo] img")
    expect(images).to_have_count(2, timeout=SLOW)
    sources = [og_image]
    for n in range(2):
        images.nth(n).scroll_into_view_if_needed()
        expect(images.nth(n)).to_have_js_property("complete", True, timeout=SLOW)
        sources.append(images.nth(n).evaluate("img => img.currentSrc"))
    for source in sources:
        fetched = visitor.request.get(source)
        assert fetched.ok, source
        picture = Image.open(io.BytesIO(fetched.body()))
        assert dict(picture.getexif()) == {}, source
        assert "exif" not in picture.info and "xmp" not in picture.info, source
        assert b"PhoneMaker" not in fetched.body()


def test_a_big_photo_is_made_smaller_on_the_phone_before_it_travels(
    page: Page,
    live_server: Any,
    cast: types.SimpleNamespace,
    worker_and_storage: None,
    tmp_path: Path,
) -> None:
    from daptar.reports.models import Photo

    big = tmp_path / "camera.jpg"
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    noise.save(big, "JPEG", quality=95)
    assert big.stat().st_size > 2_000_000
    log_in(page, live_server.url, "jalalabad")
    page.goto(f"{live_server.url}/office/reports/new/")
    page.fill("#id_title", "বড় ছবি")
    page.fill("#id_event_date", timezone.localdate().isoformat())
    page.fill("#id_body", "ক্যামেরার পূর্ণ মাপের ছবি।")
    page.set_input_files("#id_photos", [str(big)])
    with page.expect_navigation():
        page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("report-title")).to_have_text("বড় ছবি", timeout=SLOW)
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)  # the widest rendition, no more
    assert photo.size < big.stat().st_size / 2
    assert photo.name == "camera.jpg"
