"""A worker process killed (SIGKILL) after Facebook took its post, before it recorded it:
the next worker finds the post among the Page's recent ones and does not post it again.

Needs a database two processes share, so it runs on PostgreSQL (the SQLite test
database lives in memory); the in-process version of the same rule is in test_once.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from daptar.reports.tests.support import STORAGE, add_office, published
from daptar.social import actions, sending
from daptar.social.fakes import FakeNetworks, urls
from daptar.social.models import SocialChannel, SocialPost
from daptar.testing import build_cast

PORT = 8721
KEY = "k" * 43 + "="
WORKER = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daptar.settings")
django.setup()
from daptar.social import sending
print(sending.send(int(sys.argv[1])), flush=True)
"""


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class KillingFake(FakeNetworks):
    """Takes the post, then kills the worker that sent it before answering."""

    victim: subprocess.Popen[bytes] | None = None

    def route(self, method: str, path: str, query: dict[str, str], data: Any, env: Any) -> Any:
        answer = super().route(method, path, query, data, env)
        if path.endswith("/photos") and self.victim is not None:
            os.kill(self.victim.pid, signal.SIGKILL)
            self.victim.wait()
        return answer


@unittest.skipIf(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    "two processes need a shared database (run on PostgreSQL)",
)
@override_settings(
    STORAGES=STORAGE,
    DAPTAR_SOCIAL_KEY=[KEY],
    DAPTAR_SITE_URL="https://daptar.example.org",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    **urls(f"http://127.0.0.1:{PORT}"),
)
class KilledWorkerTests(TransactionTestCase):
    serialized_rollback = True

    @classmethod
    def _fixture_setup(cls) -> None:
        # A TransactionTestCase before this one that flushed without a serialized copy let
        # post_migrate make the content types (and permissions) again; the copy restored
        # here brings its own, so theirs go first.
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        super()._fixture_setup()

    def test_the_post_of_a_killed_worker_process_goes_out_once(self) -> None:
        build_cast(self)
        sadar = add_office(self, "sylhet-sadar", self.sylhet_sadar)  # type: ignore[attr-defined]
        channel = actions.save_channel(
            SocialChannel(
                unit=self.sylhet_district,  # type: ignore[attr-defined]
                kind="facebook",
                name="Sylhet",
                target="1122334455",
            ),
            by=self.operator,  # type: ignore[attr-defined]
            secrets={"access_token": "t"},
        )
        report = published(self.jalalabad, sadar)  # type: ignore[attr-defined]
        post = SocialPost.objects.get(report=report, channel=channel)
        from daptar.reports.models import Photo

        # A ready photo, so the post is the one-photo kind (POST /{page}/photos).
        Photo.objects.create(
            report=report, original="x", content_type="image/jpeg", size=1, width=8,
            height=8, sha256="s", key="k", status=Photo.Status.READY,
            renditions=[{"w": 8, "h": 8}],
        )  # fmt: skip

        fake = KillingFake()
        server = make_server("127.0.0.1", PORT, fake, handler_class=Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            env = {
                **os.environ,
                "DAPTAR_DATABASE_URL": _url(),
                "DAPTAR_SOCIAL_KEY": KEY,
                "DAPTAR_SITE_URL": "https://daptar.example.org",
                **urls(f"http://127.0.0.1:{PORT}"),
            }
            worker = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
                [sys.executable, "-c", WORKER, str(post.pk)],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            fake.victim = worker
            deadline = time.monotonic() + 60
            while worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(
                worker.returncode, -signal.SIGKILL, worker.stderr.read() if worker.stderr else ""
            )
            fake.victim = None
            post.refresh_from_db()
            self.assertEqual(post.status, SocialPost.Status.SENDING)
            self.assertTrue(post.unconfirmed)
            self.assertEqual(len(fake.feeds["1122334455"]), 1)

            # The periodic job, once the dead worker's lease has run out.
            later = timezone.now() + sending.LEASE + timezone.timedelta(seconds=1)
            self.assertEqual(sending.sweep(now=later)["sent"], 1)
        finally:
            server.shutdown()
            server.server_close()
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)
        self.assertEqual(post.external_id, fake.feeds["1122334455"][0]["id"])
        self.assertEqual(fake.count("fb.photos"), 1)
        self.assertEqual(len(fake.feeds["1122334455"]), 1)


def _url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
