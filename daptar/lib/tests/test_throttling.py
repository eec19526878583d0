"""API rate limits are counted in a cache every process shares: the database, or Redis.

Each check runs the throttle in two separate Python processes, one after the other,
with the same token: the second must see the first one's requests. With counters in
process memory (as before), each process would allow the full rate.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from daptar import settings as project_settings

DB_CACHE = "django.core.cache.backends.db.DatabaseCache"

RATE = 6
ONE_PROCESS = f"""
import sys, django
django.setup()
from django.core.management import call_command
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from daptar.lib.throttling import TokenRateThrottle

if sys.argv[1] == "create":
    call_command("createcachetable", verbosity=0)
allowed = 0
for _ in range({RATE}):
    request = Request(APIRequestFactory().get("/api/v1/me/"))
    request.auth = type("Token", (), {{"key": sys.argv[2]}})()
    allowed += TokenRateThrottle().allow_request(request, None)
print(allowed)
"""


def run(env: dict[str, str], *args: str) -> int:
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", ONE_PROCESS, *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DAPTAR_API_RATE": f"{RATE}/minute", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


class SharedCountersTests(SimpleTestCase):
    def test_the_default_counters_live_in_the_database(self) -> None:
        # The project's settings, as deployed (tests swap in memory: see conftest.py).
        self.assertEqual(project_settings.CACHES["throttle"]["BACKEND"], DB_CACHE)

    def test_two_processes_share_the_count_in_the_database(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "DAPTAR_DATABASE_URL": f"sqlite:///{Path(tmp) / 'shared.sqlite3'}",
                "DAPTAR_REDIS_URL": "",
                "DAPTAR_VAR_DIR": tmp,
                "DAPTAR_SECRET_KEY": "test-only",
            }
            token = uuid.uuid4().hex
            self.assertEqual(run(env, "create", token), RATE)
            self.assertEqual(run(env, "again", token), 0)  # the first process used them all
            self.assertEqual(run(env, "again", uuid.uuid4().hex), RATE)  # another token's own

    def test_two_processes_share_the_count_in_redis(self) -> None:
        if not redis_reachable():
            self.skipTest("Redis is not running on 127.0.0.1:6379")
        env = {"DAPTAR_REDIS_URL": "redis://127.0.0.1:6379/2", "DAPTAR_SECRET_KEY": "test-only"}
        token = uuid.uuid4().hex
        self.assertEqual(run(env, "use", token), RATE)
        self.assertEqual(run(env, "use", token), 0)
