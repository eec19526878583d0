"""A tour of the site in Chromium, in Bengali and in English: the public pages, the login
page and the pages a union secretary uses. Each page opened here (as in every browser
test) passes axe-core, the Nu Html Checker and the page-weight limit (conftest.py)."""

from __future__ import annotations

import types
from typing import Any

import pytest
from playwright.sync_api import Browser

from conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFICE_PAGES = [
    "/office/",
    "/office/units/search/?q=Sylhet",
    "/office/directives/",
    "/office/directives/{directive}/",
    "/office/returns/",
    "/office/returns/{form}/fill/",
    "/office/reports/",
    "/office/reports/new/",
    "/office/reports/{report}/",
    "/office/letters/",
    "/office/meetings/",
    "/office/notifications/",
    "/office/people/",
    "/office/audit/",
    "/office/dashboard/",
    "/accounts/password/",
]


@pytest.mark.parametrize("locale", ["bn-BD", "en-US"])
def test_every_page_a_union_secretary_opens_passes_the_browsers_tools(
    browser: Browser,
    live_server: Any,
    cast: types.SimpleNamespace,
    phone_context_args: dict[str, Any],
    settings: Any,
    tmp_path: Any,
    locale: str,
) -> None:
    from daptar.directives.tests.support import issued
    from daptar.reports.tests.support import add_office, published
    from daptar.returns.tests.support import published as published_return

    settings.MEDIA_ROOT = str(tmp_path)
    directive = issued(cast.central, target=cast.sylhet_sadar)
    form, _period = published_return(cast.central, target=cast.sylhet_division)
    reviewer = add_office(cast, "sadar-office", cast.sylhet_sadar)
    report = published(cast.jalalabad, reviewer)
    ids = {"directive": directive.pk, "form": form.pk, "report": report.pk}
    prefix = "/en" if locale == "en-US" else ""
    base = live_server.url

    context = browser.new_context(**phone_context_args, locale=locale)
    page = context.new_page()
    public = [f"{prefix}/", f"{prefix}/reports/", f"{prefix}/reports/{report.pk}/{report.slug}/"]
    for path in public:
        response = page.goto(base + path)
        assert response is not None and response.ok, path
    log_in(page, base, "jalalabad")
    for path in OFFICE_PAGES:
        response = page.goto(base + path.format(**ids))
        assert response is not None and response.ok, path
    context.close()
