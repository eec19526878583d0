"""Field work on a dead line, in Chromium: pages opened once still open, and an
acknowledgement and a return made offline arrive once when the line is back."""

from __future__ import annotations

import types
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_acknowledgement_and_a_return_made_offline_arrive_once_when_back_online(
    context: BrowserContext, page: Page, live_server: Any, cast: types.SimpleNamespace
) -> None:
    from daptar.directives.models import Delivery
    from daptar.directives.tests.support import issued
    from daptar.offline.models import SentOnce
    from daptar.returns.models import Submission, SubmissionVersion
    from daptar.returns.tests.support import published

    base = live_server.url
    # Only this secretary's keys count (another test's rows may share the live database).
    sent = SentOnce.objects.filter(user__username="jalalabad")
    directive = issued(cast.central, target=cast.sylhet_sadar, title="সভার নোটিশ")
    form, period = published(cast.central, target=cast.sylhet_division)
    pages = {
        "inbox": f"{base}/office/directives/",
        "directive": f"{base}/office/directives/{directive.pk}/",
        "return": f"{base}/office/returns/{form.pk}/fill/",
    }

    # Online: the secretary opens the field pages once; the service worker keeps them.
    log_in(page, base, "jalalabad")
    page.goto(pages["inbox"])
    # Pages opened once the worker is active go through it (and are kept).
    assert page.evaluate("() => navigator.serviceWorker.ready.then(r => r.active.state)")
    for url in pages.values():
        page.goto(url)
    expect(page.get_by_test_id("outbox")).to_be_hidden()

    context.set_offline(True)
    # A page never opened is not there; the ones opened are.
    other = context.new_page()
    with pytest.raises(PlaywrightError, match="net::ERR_"):
        other.goto(f"{base}/office/meetings/")
    other.close()
    page.goto(pages["directive"])
    expect(page.get_by_test_id("directive-title")).to_contain_text("সভার নোটিশ")
    page.fill("#id_note", "পেয়েছি")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("outbox-status")).to_contain_text("ফোনে রাখা হয়েছে")
    expect(page.get_by_test_id("outbox")).to_contain_text("(১)")

    page.goto(pages["return"])
    page.fill("input[name=f-members]", "12")
    page.fill("input[name=f-women]", "5")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("outbox")).to_contain_text("(২)")
    expect(page.get_by_test_id("outbox").locator("li")).to_have_count(2)
    assert not sent.exists()

    # The line is back: both go, once each, and nothing waits any more.
    context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_contain_text("(০)")
    row = Delivery.objects.get(directive=directive, unit=cast.jalalabad_union)
    assert row.state == Delivery.State.ACKNOWLEDGED
    assert row.acknowledge_note == "পেয়েছি"
    submission = Submission.objects.get(period=period, unit=cast.jalalabad_union)
    assert submission.data == {"members": 12, "women": 5}
    assert SubmissionVersion.objects.filter(submission=submission).count() == 1
    assert sorted(sent.values_list("kind", flat=True)) == [
        "directive.acknowledge",
        "return.submit",
    ]
    page.reload()
    expect(page.get_by_test_id("outbox")).to_be_hidden()
    assert SubmissionVersion.objects.filter(submission=submission).count() == 1
