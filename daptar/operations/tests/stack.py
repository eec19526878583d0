"""Real processes on a real database file: `manage.py` subprocesses, ports 8100-8199.

A session-wide template (a freshly migrated SQLite file with the small demo country,
made by `manage.py migrate` alone, no createcachetable) is copied for each test, so
every test gets its own database and media folder in its own DAPTAR_VAR_DIR.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BASE = Path(__file__).resolve().parents[3]
MANAGE = str(BASE / "manage.py")
PASSWORD = "stack-password-9731"
PORTS = iter(range(8140, 8200))
SLOW = pytest.mark.slow


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port left in 8140-8199")


def environment(var: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAPTAR_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env |= {
        "DAPTAR_VAR_DIR": str(var),
        "DAPTAR_SECRET_KEY": "stack-test-secret-key-not-for-production-0123456789",
        "DAPTAR_SECURE_COOKIES": "0",
        "DAPTAR_HSTS_SECONDS": "0",
        # No collectstatic (minutes, for compression): DEBUG serves static files by finders.
        "DAPTAR_DEBUG": "1",
        "DAPTAR_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    return env | extra


def manage(var: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 120) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, MANAGE, *args],
        env=env or environment(var),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


def shell(var: Path, code: str, env: dict[str, str] | None = None) -> str:
    """Run Python inside Django against this var dir's database; returns its stdout."""
    return manage(var, "shell", "-v", "0", "-c", code, env=env)


def query(var: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Read the stack's SQLite database directly (quicker than a Django shell)."""
    db = sqlite3.connect(var / "daptar.sqlite3", timeout=30)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var = tmp_path_factory.mktemp("template")
    manage(var, "migrate", "--no-input", "-v0")
    manage(var, "seed_demo", "--scale", "small", "--no-activity", "--password", PASSWORD)
    return var


@pytest.fixture
def var(seeded_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "var"
    target.mkdir()
    shutil.copy2(seeded_template / "daptar.sqlite3", target / "daptar.sqlite3")
    return target


class Stack:
    """`manage.py serve` running in the background, with its output kept."""

    def __init__(self, var: Path, env: dict[str, str] | None = None, *args: str) -> None:
        self.var = var
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (var / "serve.log").open("w+")
        self.process = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, MANAGE, "serve", "--port", str(self.port), *args],
            env=env or environment(var),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve died: {self.output()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/", timeout=5).status_code < 500:
                    return
            time.sleep(0.3)
        raise AssertionError(f"serve did not come up: {self.output()}")

    def children(self, command: str) -> list[int]:
        """Pids of serve's children whose command line holds *command*."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if ppid == self.process.pid and command in cmdline:
                    found.append(int(stat.parent.name))
        return found

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return (self.var / "serve.log").read_text()

    def stop(self, signum: int = signal.SIGTERM, seconds: float = 60) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=seconds)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if not self.log.closed:
            self.log.close()


@pytest.fixture
def stack_factory(var: Path) -> Iterator[type[Stack]]:
    started: list[Stack] = []

    class Started(Stack):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            started.append(self)

    yield Started
    for stack in started:
        stack.kill()


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the real form (CSRF token and all); returns the POST's response."""
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    return client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{client.base_url}/accounts/login/"},
    )
