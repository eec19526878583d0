"""Project-wide pytest set-up: Playwright drives Debian's Chromium, never its own download."""

import contextlib
import gzip
import json
import os
import subprocess
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

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


@pytest.fixture(autouse=True, scope="session")
def second_factor_not_required() -> None:
    """Tests sign in with a password alone unless they switch the requirement on.

    The tests of the requirement itself (daptar/accounts/tests/test_two_factor.py) set
    DAPTAR_2FA_REQUIRED_LEVELS with override_settings.
    """
    from django.conf import settings

    settings.DAPTAR_2FA_REQUIRED_LEVELS = []


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


@pytest.fixture(autouse=True)
def empty_public_page_cache() -> Iterator[None]:
    """Each test starts with no cached public page: a test's rolled-back transaction puts
    the site generation back, and another test's page must not answer under it."""
    from daptar.website.pagecache import store

    store.clear()
    yield
    store.clear()


# --- every page the browser tests open is checked by the tools browsers use --------------
# axe-core (accessibility: 0 violations), the Nu Html Checker on the HTML the server sent
# (0 errors) and the page's weight before photos (HTML, CSS, scripts, fonts: <= 100 KB).
# The npm packages come from `npm ci` (package-lock.json); `make test` runs it.

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGE_WEIGHT_LIMIT = 100 * 1024

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""

# Bytes the page itself needed before any photo: the document, its CSS, scripts and fonts.
PAGE_WEIGHT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const parts = [[location.pathname, nav ? nav.decodedBodySize : 0]];
  for (const e of performance.getEntriesByType("resource")) {
    if (["img", "image", "xmlhttprequest", "fetch", "beacon"].includes(e.initiatorType)) continue;
    if (/\\.(jpe?g|png|webp|gif|avif|svg)(\\?|$)/i.test(e.name)) continue;
    parts.push([e.name, e.decodedBodySize]);
  }
  return parts;
}"""


def sent_size(url: str, size: int) -> int:
    """Bytes on the wire: static files as WhiteNoise sends them (gzip, level 9); the page
    itself as the app sends it (uncompressed; a proxy may compress it further)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        return size
    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if not isinstance(found, str):
        return size
    return len(gzip.compress(Path(found).read_bytes(), 9))


class PageChecks:
    """Watches every page of every context a browser test opens."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.documents: dict[str, str] = {}
        self.checked: set[str] = set()

    def watch(self, context: BrowserContext) -> None:
        context.add_init_script(path=AXE)
        context.on("page", self.watch_page)

    def watch_page(self, page: Page) -> None:
        page.on("response", self.keep_document)
        page.on("load", lambda: self.check(page))

    @staticmethod
    def ours(url: str) -> bool:
        path = urlsplit(url).path
        return url.startswith("http://") and not path.startswith(("/admin/", "/api/"))

    def keep_document(self, response: Any) -> None:
        request = response.request
        if request.resource_type != "document" or not self.ours(response.url):
            return
        if response.status >= 300 or "text/html" not in response.headers.get("content-type", ""):
            return
        with contextlib.suppress(PlaywrightError):  # the body went with a later navigation
            self.documents[response.url] = response.text()

    def check(self, page: Page) -> None:
        url = page.url
        if not self.ours(url):
            return
        try:
            violations = page.evaluate(AXE_RUN)
            parts = page.evaluate(PAGE_WEIGHT)
        except PlaywrightError:
            return  # the test moved on to the next page first; that one is checked
        where = urlsplit(url).path
        self.checked.add(where)
        self.problems += [f"axe on {where}: {v}" for v in violations]
        parts = [(name, sent_size(name, size)) for name, size in parts]
        weight = sum(size for _name, size in parts)
        if weight > PAGE_WEIGHT_LIMIT:
            heavy = ", ".join(f"{name} {size:,}" for name, size in parts)
            self.problems.append(f"{where} weighs {weight:,} bytes before photos: {heavy}")

    def validate(self, folder: Path) -> None:
        """The Nu Html Checker over every document the server sent, in one run."""
        if not self.documents:
            return
        files = []
        for n, (url, html) in enumerate(self.documents.items()):
            path = folder / f"page-{n}.html"
            path.write_text(html, encoding="utf-8")
            files.append((url, path))
        run = subprocess.run(  # noqa: S603 - our own files, to the JDK on PATH
            [  # noqa: S607
                "java",
                "-jar",
                str(VNU),
                "--errors-only",
                "--format",
                "json",
                *map(str, dict(files).values()),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        names = {f"file:{p}": urlsplit(url).path for url, p in files}
        for message in json.loads(run.stderr or '{"messages": []}')["messages"]:
            where = names.get(message.get("url", ""), message.get("url", ""))
            self.problems.append(
                f"vnu on {where} line {message.get('lastLine')}: {message.get('message')}"
            )


@pytest.fixture(autouse=True)
def page_checks(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[None]:
    """For browser tests: every page opened passes axe, vnu and the weight limit."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    if not AXE.exists() or not VNU.exists():
        pytest.fail("The page checks need the npm tools: run `npm ci` (make test does).")
    checks = PageChecks()
    browser = request.getfixturevalue("browser")
    original = browser.new_context

    def new_context(*args: Any, **kwargs: Any) -> BrowserContext:
        ctx = original(*args, **kwargs)
        checks.watch(ctx)
        return ctx

    browser.new_context = new_context  # type: ignore[method-assign]
    try:
        yield
    finally:
        browser.new_context = original  # type: ignore[method-assign]
    checks.validate(tmp_path_factory.mktemp("pages"))
    assert not checks.problems, "\n".join(checks.problems)
