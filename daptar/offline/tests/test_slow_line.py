"""A union secretary on a 2G line (250 kbit/s both ways, 300 ms), in Chromium's network
emulation: a report with two phone photos goes through a dropped line exactly once, and
a directive is read and acknowledged. The time limits are the tests' failure conditions
(the figures are generous); the page weights belong to the page-weight checks."""

from __future__ import annotations

import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from conftest import log_in
from daptar.offline.tests.cable import Cable, cable_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

KBIT = 1000 / 8  # bytes per second in one kbit/s
TWO_G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 250 * KBIT,
    "uploadThroughput": 250 * KBIT,
}


def line(cdp: CDPSession, *, up: bool) -> None:
    cdp.send("Network.emulateNetworkConditions", {**TWO_G, "offline": not up})


@pytest.fixture
def phone(
    browser: Browser, phone_context_args: dict[str, Any], settings: Any, tmp_path: Path
) -> Iterator[BrowserContext]:
    """A phone without the service worker: every request pays the line."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ctx = browser.new_context(**phone_context_args, locale="bn-BD", service_workers="block")
    yield ctx
    ctx.close()


def on_two_g(page: Page) -> CDPSession:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    line(cdp, up=True)
    return cdp


def camera_photo(path: Path, shade: int) -> str:
    """A 12-megapixel photo as a phone's camera saves it (about 1 MB)."""
    w, h = 4000, 3000
    grain = Image.effect_noise((w // 8, h // 8), 60).resize((w, h), Image.Resampling.BICUBIC)
    ramp = Image.linear_gradient("L").resize((w, h))
    scene = Image.merge(
        "RGB", (ramp, ramp.rotate(90).resize((w, h)), Image.new("L", (w, h), shade))
    )
    Image.blend(scene, Image.merge("RGB", (grain, grain, grain)), 0.1).save(
        path, "JPEG", quality=92
    )
    return str(path)


def within(seconds: float) -> Any:
    """Milliseconds left of a budget that started now, for each step's timeout."""
    deadline = time.monotonic() + seconds
    return lambda: max(1.0, (deadline - time.monotonic()) * 1000)


@pytest.fixture
def cable(live_server: Any) -> Iterator[Cable]:
    host, port = live_server.thread.host, live_server.thread.port
    with cable_to(host, port) as c:
        yield c


def test_a_report_with_two_photos_survives_a_dropped_line_and_is_made_once(
    phone: BrowserContext, cable: Cable, cast: types.SimpleNamespace, tmp_path: Path
) -> None:
    from daptar.reports.models import Photo, Report

    base = cable.url
    photos = [camera_photo(tmp_path / f"IMG_{n}.jpg", shade) for n, shade in ((1, 90), (2, 160))]
    assert all(Path(p).stat().st_size > 400_000 for p in photos)
    page = phone.new_page()
    log_in(page, base, "jalalabad")
    cdp = on_two_g(page)
    page.goto(f"{base}/office/reports/new/", timeout=20_000)
    page.fill("#id_title", "বৃক্ষরোপণ কর্মসূচি")
    page.fill("#id_event_date", timezone.localdate().isoformat())
    page.fill("#id_body", "ইউনিয়নের তিনটি বিদ্যালয়ে দুইশো চারা রোপণ করা হয়েছে।")
    page.set_input_files("#id_photos", photos)

    left = within(60)
    page.get_by_test_id("submit-report").click()
    # The signal goes while the photos are on their way: the phone keeps the report.
    sending = "() => document.getElementById('upload-progress').value >= 25"
    page.wait_for_function(sending, timeout=left())
    line(cdp, up=False)
    cable.cut()
    expect(page.get_by_test_id("upload-status")).to_contain_text("ফোনে রাখা", timeout=left())
    page.wait_for_timeout(2000)  # a few seconds without a signal
    # The signal comes back: the kept report goes by itself, under the same key.
    cable.mend()
    line(cdp, up=True)
    expect(page.get_by_test_id("report-title")).to_have_text("বৃক্ষরোপণ কর্মসূচি", timeout=left())

    report = Report.objects.get()
    assert report.status == Report.Status.SUBMITTED
    assert report.author == cast.jalalabad
    shrunk = list(Photo.objects.filter(report=report).values_list("width", "height", "size"))
    assert len(shrunk) == 2
    # Drawn smaller on the phone: the widest rendition's 1600 pixels, a fraction of the bytes.
    assert all((w, h) == (1600, 1200) and size < 400_000 for w, h, size in shrunk), shrunk
    page.reload(timeout=20_000)
    expect(page.get_by_test_id("report-title")).to_be_visible()
    assert Report.objects.count() == 1


def test_the_inbox_opens_and_a_directive_is_acknowledged_on_a_2g_line(
    phone: BrowserContext, live_server: Any, cast: types.SimpleNamespace
) -> None:
    from daptar.directives.models import Delivery
    from daptar.directives.tests.support import issued

    directive = issued(cast.central, target=cast.sylhet_sadar, title="সভার নোটিশ")
    base = live_server.url
    page = phone.new_page()
    log_in(page, base, "jalalabad")
    on_two_g(page)

    left = within(10)
    page.goto(f"{base}/office/directives/", timeout=left())
    with page.expect_navigation(timeout=left()):
        page.get_by_role("link", name="সভার নোটিশ").click(timeout=left())
    with page.expect_navigation(timeout=left()):
        page.get_by_test_id("acknowledge").click(timeout=left())
    expect(page.get_by_test_id("my-delivery")).to_contain_text("প্রাপ্তি স্বীকার", timeout=left())
    row = Delivery.objects.get(directive=directive, unit=cast.jalalabad_union)
    assert row.state == Delivery.State.ACKNOWLEDGED
