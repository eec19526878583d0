"""Out of the box: `migrate` makes the cache table; meetings get a Jitsi Meet room."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

from django.db import connection
from django.test import TransactionTestCase

from daptar.meetings.tests.support import MeetingsTestCase, meeting
from daptar.operations.tests.stack import BASE

cache_migration = importlib.import_module("daptar.operations.migrations.0001_cache_table")


def settings_value(name: str, **env: str) -> str:
    """A setting as a fresh process reads it, with DAPTAR_* taken from *env* only."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DAPTAR_")}
    done = subprocess.run(  # noqa: S603 (our own settings module)
        [sys.executable, "-c", f"from daptar import settings; print(settings.{name})"],
        env=clean | {"DAPTAR_SECRET_KEY": "x" * 50} | env,
        cwd=BASE,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class CacheTableMigrationTests(TransactionTestCase):
    def tables(self) -> list[str]:
        return connection.introspection.table_names()

    def test_it_creates_the_table_and_runs_again_harmlessly(self) -> None:
        with connection.schema_editor() as editor:
            editor.execute(editor.sql_delete_table % {"table": "daptar_cache"})
        self.assertNotIn("daptar_cache", self.tables())
        with connection.schema_editor() as editor:
            cache_migration.create_cache_tables(None, editor)
        self.assertIn("daptar_cache", self.tables())
        with connection.schema_editor() as editor:  # already there: nothing happens
            cache_migration.create_cache_tables(None, editor)
        from django.core.cache import cache

        cache.set("operations-test", 42)
        self.assertEqual(cache.get("operations-test"), 42)


class JitsiDefaultTests(TransactionTestCase):
    def test_the_public_jitsi_meet_server_is_the_default(self) -> None:
        self.assertEqual(settings_value("DAPTAR_JITSI_BASE_URL"), "https://meet.jit.si")

    def test_the_setting_stays_for_an_own_server_or_none(self) -> None:
        own = settings_value("DAPTAR_JITSI_BASE_URL", DAPTAR_JITSI_BASE_URL="https://meet.org.bd")
        self.assertEqual(own, "https://meet.org.bd")
        self.assertEqual(settings_value("DAPTAR_JITSI_BASE_URL", DAPTAR_JITSI_BASE_URL=""), "")


class MeetingWithTheDefaultTests(MeetingsTestCase):
    def test_an_online_meeting_is_created_without_pasting_a_link(self) -> None:
        with self.settings(DAPTAR_JITSI_BASE_URL=settings_value("DAPTAR_JITSI_BASE_URL")):
            made = meeting(self.central, video_url="")
        self.assertTrue(made.video_url.startswith("https://meet.jit.si/Daptar-"), made.video_url)
        self.assertTrue(made.video_generated)
