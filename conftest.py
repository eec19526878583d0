"""Project-wide pytest set-up: Playwright drives Debian's Chromium, never its own download."""

import os
from typing import Any

import pytest

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
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def phone_context_args() -> dict[str, Any]:
    """A cheap Android phone's screen."""
    return {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
