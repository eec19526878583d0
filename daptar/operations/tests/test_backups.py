"""`manage.py backup` and `restore`: a round trip gives back every row and every file."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase, override_settings

from daptar.accounts.models import User
from daptar.operations import backups
from daptar.operations.tests.stack import SLOW, manage
from daptar.testing import make_user


def sqlite_counts(path: Path, tables: list[str]) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        db.close()


def put_media(media: Path) -> None:
    for name, content in {
        "reports/private/2026/01/a.jpg": os.urandom(5000),
        "reports/public/1/k-320.webp": os.urandom(700),
        "letters/2026/01/memo.pdf": b"%PDF-1.4 " + os.urandom(300),
    }.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)


@SLOW
def test_a_sqlite_round_trip_while_the_site_writes(var: Path) -> None:
    db = var / "daptar.sqlite3"
    put_media(var / "media")
    stop = threading.Event()

    def writer() -> None:  # the site carries on writing while the backup is taken
        conn = sqlite3.connect(db, timeout=30, isolation_level=None)
        n = 0
        while not stop.is_set():
            n += 1
            conn.execute(
                "INSERT INTO daptar_cache (cache_key, value, expires) "
                "VALUES (?, 'v', '2999-01-01')",
                (f"load-{n}",),
            )
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        folder = Path(manage(var, "backup", "--to", str(var / "backup-1")).strip())
    finally:
        stop.set()
        thread.join()
    manifest = json.loads((folder / "manifest.json").read_text())
    tables = list(manifest["rows"])
    # The manifest describes the copy exactly, writes during the backup notwithstanding.
    assert sqlite_counts(folder / "database.sqlite3", tables) == manifest["rows"]
    assert manifest["rows"]["units_unit"] > 5000
    assert manifest["files"] == backups.file_hashes(folder / "media")
    assert set(manifest["files"]) == set(backups.file_hashes(var / "media"))

    # Damage: rows gone, a file changed, a file lost, a file that was not there.
    damage = sqlite3.connect(db, isolation_level=None)
    damage.execute("DELETE FROM people_term")
    damage.execute("DELETE FROM daptar_cache")
    damage.close()
    (var / "media/letters/2026/01/memo.pdf").write_bytes(b"changed")
    (var / "media/reports/private/2026/01/a.jpg").unlink()
    (var / "media/reports/private/2026/01/new.jpg").write_bytes(b"new")

    said = manage(var, "restore", str(folder), "--no-input")
    assert "rows and files match" in said
    assert sqlite_counts(db, tables) == manifest["rows"]
    assert backups.file_hashes(var / "media") == manifest["files"]


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(backups.BackupError):
        backups.read_manifest(tmp_path)


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL only"
)
class PostgresRoundTripTests(TransactionTestCase):
    def test_pg_dump_and_pg_restore_round_trip(self) -> None:
        media = Path(tempfile.mkdtemp(prefix="daptar-media-"))
        target = Path(tempfile.mkdtemp(prefix="daptar-backup-")) / "b"
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.addCleanup(shutil.rmtree, target.parent, ignore_errors=True)
        put_media(media)
        for n in range(5):
            make_user(f"kept-{n}")
        storages = {**settings.STORAGES, "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)}}}  # fmt: skip
        with override_settings(MEDIA_ROOT=str(media), STORAGES=storages):
            folder = backups.backup(target)
            manifest = backups.read_manifest(folder)
            self.assertEqual(manifest["rows"]["accounts_user"], 5)
            User.objects.filter(username__startswith="kept-").delete()
            make_user("after-the-backup")
            (media / "letters/2026/01/memo.pdf").unlink()
            backups.restore(folder)
            connection.close()
            self.assertEqual(backups.verify(folder), [])
            self.assertEqual(
                sorted(User.objects.values_list("username", flat=True)),
                [f"kept-{n}" for n in range(5)],
            )
