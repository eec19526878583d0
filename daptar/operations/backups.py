"""A consistent copy of the database and the media, taken while the site runs; and back.

The database comes first: SQLite's online backup API (readers and the writer carry on
while it copies, and the copy is one consistent moment) or pg_dump (one snapshot
transaction). The media folder follows. A manifest records what was taken: row counts
per table and a SHA-256 per file, which restore checks and a drill can compare.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite3"
PG_DUMP = "database.dump"
MEDIA = "media"


class BackupError(Exception):
    pass


def tables() -> list[str]:
    """The table of every installed model (with many-to-many tables)."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def row_counts(using: str = "default") -> dict[str, int]:
    """Rows per table, as this connection sees them (what a restore drill compares)."""
    quote = connections[using].ops.quote_name
    with connections[using].cursor() as cursor:
        counts = {}
        for table in tables():
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (model tables)
            counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    copy = sqlite3.connect(str(path))
    try:
        return {
            table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables()
        }
    finally:
        copy.close()


def file_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest = hashlib.sha256()
                with path.open("rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
                hashes[path.relative_to(root).as_posix()] = digest.hexdigest()
    return hashes


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from DAPTAR_PG_BIN_DIR, else PATH, else the newest installed."""
    if folder := settings.DAPTAR_PG_BIN_DIR:
        return str(Path(folder) / name)
    if found := shutil.which(name):
        return found
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if installed:
        return installed[-1]
    raise BackupError(f"{name} not found: install the PostgreSQL client or set DAPTAR_PG_BIN_DIR")


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the PostgreSQL tools (password via env)."""
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _media_root() -> Path | None:
    """The local media folder, or None when media live in an object store."""
    backend = settings.STORAGES["default"]["BACKEND"]
    return Path(settings.MEDIA_ROOT) if backend.endswith("FileSystemStorage") else None


def backup(target: Path | None = None, *, using: str = "default") -> Path:
    """Write a new timestamped folder (under DAPTAR_BACKUP_DIR unless *target*); return it."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    folder = target or Path(settings.DAPTAR_BACKUP_DIR) / f"daptar-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    db = connections[using].settings_dict
    vendor = connections[using].vendor
    if vendor == "sqlite":
        source = sqlite3.connect(str(db["NAME"]), timeout=60)
        copy = sqlite3.connect(str(folder / SQLITE_COPY))
        try:
            source.backup(copy)  # one consistent moment, while readers and writers go on
        finally:
            copy.close()
            source.close()
        counts = _sqlite_counts(folder / SQLITE_COPY)
    elif vendor == "postgresql":
        # Count and dump the same snapshot: the manifest says exactly what the dump holds.
        args, env = _pg_env(db)
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts(using)
            _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                  *args, "--file", str(folder / PG_DUMP)], env)  # fmt: skip
    else:
        raise BackupError(f"no backup method for {vendor}")
    media = _media_root()
    hashes: dict[str, str] = {}
    if media is not None and media.is_dir():
        shutil.copytree(media, folder / MEDIA)
        hashes = file_hashes(folder / MEDIA)
    manifest = {
        "taken_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database": SQLITE_COPY if vendor == "sqlite" else PG_DUMP,
        "media": MEDIA if media is not None else None,
        "rows": counts,
        "files": hashes,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} is not a Daptar backup: {exc}") from exc


def restore(folder: Path, *, using: str = "default") -> dict[str, Any]:
    """Put the database and the media of *folder* back; returns its manifest."""
    manifest = read_manifest(folder)
    db = connections[using].settings_dict
    vendor = connections[using].vendor
    if manifest["vendor"] != vendor:
        raise BackupError(f"this backup is of {manifest['vendor']}, the database is {vendor}")
    connections[using].close()
    if vendor == "sqlite":
        source = sqlite3.connect(str(folder / SQLITE_COPY))
        live = sqlite3.connect(str(db["NAME"]), timeout=60)
        try:
            source.backup(live)  # page by page into the live file, under its own locks
        finally:
            live.close()
            source.close()
    else:
        args, env = _pg_env(db)
        _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", *args, str(folder / PG_DUMP)], env)  # fmt: skip
    media = _media_root()
    if media is not None and manifest.get("media"):
        _mirror(folder / manifest["media"], media)
    return manifest


def _mirror(source: Path, target: Path) -> None:
    """Make *target* hold exactly the files of *source*."""
    target.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target)
        if path.is_file() and relative not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative in sorted(wanted):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target / relative)


def verify(folder: Path, *, using: str = "default") -> list[str]:
    """Differences between the live site and the backup's manifest (empty: they match)."""
    manifest = read_manifest(folder)
    problems = []
    live = row_counts(using)
    for table, count in manifest["rows"].items():
        if live.get(table) != count:
            problems.append(f"{table}: {live.get(table)} rows, backup had {count}")
    media = _media_root()
    if media is not None and manifest.get("media"):
        now = file_hashes(media)
        for name, digest in manifest["files"].items():
            if now.get(name) != digest:
                problems.append(f"{name}: {'changed' if name in now else 'missing'}")
    return problems
