"""Project-wide pytest set-up: Playwright drives Debian's Chromium, never its own download."""

import os
import types
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse the live server's database calls made from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DAPTAR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def phone_context_args() -> dict[str, Any]:
    """A cheap Android phone's screen."""
    return {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def process_throttle_counters(settings: Any) -> Iterator[None]:
    """API rate counters in process memory, for tests only.

    In the database (the shared default, tested across processes in
    daptar/lib/tests/test_throttling.py) each API call adds a read and a write to
    the cache table, which would blur every test that pins an endpoint's queries.
    """
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    from django.core.cache import caches

    caches["throttle"].clear()  # each test counts from zero, as the rolled-back table did
    yield
    caches["throttle"].clear()


# --- browser tests: the live server, the cast and a phone-sized page -----------------------


@pytest.fixture(autouse=True, scope="session")
def plain_static_storage() -> None:
    """Tests serve static files under their own names, without a collectstatic.

    Outside DEBUG the settings pick WhiteNoise's manifest storage, whose `{% static %}`
    needs the manifest that collectstatic writes, and whose hashed names the live
    server's static handler cannot find.
    """
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def migrated_rows(transactional_db: None) -> None:
    """Make sure the serialized rollback has the migrated rows to restore.

    Playwright's sync API leaves an asyncio loop running in the test thread, so
    once it has started, Django's connection handler (an asgiref Local) hands this
    thread a new connection object. When the test database was set up before
    Playwright started (any earlier non-browser test in the session), the
    snapshot Django took then sits on the old object, and the flush after each
    test here would take the Levels and Posts for good. The earlier tests rolled
    back their transactions, so the database still holds exactly the migrated rows:
    snapshot them onto the connection in use now.
    """
    from django.db import connection

    if not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture
def cast(live_server: Any, migrated_rows: None) -> types.SimpleNamespace:
    """The shared test cast, for browser tests against the live server."""
    from daptar.people.models import Post
    from daptar.testing import build_cast
    from daptar.units.models import Level

    # The tree needs the migrated Levels and Posts; fail loudly if a flush lost them.
    assert Level.objects.exists(), "the data migration's Levels are missing"
    assert Post.objects.exists(), "the data migration's Posts are missing"
    ns = types.SimpleNamespace()
    build_cast(ns)
    return ns


@pytest.fixture
def context(browser: Browser, phone_context_args: dict[str, Any]) -> Iterator[BrowserContext]:
    ctx = browser.new_context(**phone_context_args, locale="bn-BD")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def log_in(page: Page, base: str, username: str) -> None:
    from daptar.testing import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
