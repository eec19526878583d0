"""Seed the `full` demo country into a fresh database; print seconds, rows/s and the floor.

The floor is what SQLite itself needs for the same rows: the seeded units, people
and terms copied with plain `sqlite3.executemany` into a scratch file with the
same tables, indexes, foreign keys and PRAGMAs, in one transaction. Only the
inserts and the commit are timed. seed / floor says how much the seeder adds on
top of the database (name drawing, building units, Django, the transaction).

    python bench/seed.py [--json out.json]

Uses DAPTAR_DATABASE_URL, by default var/bench/full.sqlite3 (which it deletes
first). Any other database must be empty: the script will not wipe it.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

from harness import BENCH_DIR, save, setup_django, sqlite_file

GOAL_SECONDS = 60
TABLES = ("units_unit", "people_person", "people_term")  # what the seed writes, in FK order
LOOKUPS = ("units_level", "people_post")  # what those rows point at


def fresh_database() -> None:
    """Delete the SQLite bench file (never any other database), then migrate."""
    from django.core.management import call_command
    from django.db import connection

    path = sqlite_file()
    if path is not None:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    from daptar.units.models import Unit

    if Unit.objects.exists():
        sys.exit(f"{connection.settings_dict['NAME']} already holds units: give an empty database.")


def seed() -> tuple[float, int]:
    from daptar.units import demo

    started = time.perf_counter()
    report = demo.seed("full", password="bench-" + str(time.time_ns()))
    return time.perf_counter() - started, report.rows


def floor(source: Path) -> tuple[float, int]:
    """Seconds to executemany the seeded rows into a scratch SQLite file of the same shape."""
    from django.conf import settings

    scratch = BENCH_DIR / "floor.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(scratch, isolation_level=None)
    # The same PRAGMAs as the app's connections (WAL, synchronous=NORMAL, foreign keys, cache).
    dst.executescript(settings.DATABASES["default"]["OPTIONS"]["init_command"])
    wanted = (*LOOKUPS, *TABLES)
    marks = ", ".join("?" * len(wanted))
    schema = src.execute(
        f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL "
        "ORDER BY type = 'index'",
        wanted,
    ).fetchall()
    for (sql,) in schema:
        dst.execute(sql)
    # The people search index (FTS5, filled by triggers on people_person): the seed's
    # rows pay for it, so the floor's do too. Its shadow tables come with it.
    for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'people_person_fts' AND type = 'table'"
    ):
        dst.execute(sql)
    for table in LOOKUPS:  # untimed: the seed finds these already there too
        rows = src.execute(f"SELECT * FROM {table}").fetchall()
        if rows:
            dst.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)

    spent, total = 0.0, 0
    dst.execute("BEGIN IMMEDIATE")
    for table in TABLES:
        columns = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
        marks = ", ".join("?" * len(columns))
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        cursor = src.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
        while rows := cursor.fetchmany(50_000):  # reading the source is not timed
            started = time.perf_counter()
            dst.executemany(insert, rows)
            spent += time.perf_counter() - started
            total += len(rows)
    started = time.perf_counter()
    dst.execute("COMMIT")
    spent += time.perf_counter() - started
    src.close()
    dst.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return spent, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    fresh_database()
    print(f"seed: --scale full into {connection.vendor} {connection.settings_dict['NAME']}")
    seconds, rows = seed()
    rate = rows / seconds
    print(f"  seed_demo --scale full   {seconds:8.1f} s  {rows:>9,} rows  {rate:>9,.0f} rows/s")
    results: dict[str, float | int | None] = {
        "seconds": seconds,
        "rows": rows,
        "goal": GOAL_SECONDS,
    }
    path = sqlite_file()
    if path is not None:
        floor_seconds, floor_rows = floor(path)
        ratio = seconds / floor_seconds
        print(
            f"  floor: sqlite3.executemany {floor_seconds:6.1f} s  {floor_rows:>9,} rows  "
            f"{floor_rows / floor_seconds:>9,.0f} rows/s"
        )
        print(f"  seed / floor             {ratio:8.1f} x")
        results.update(floor_seconds=floor_seconds, floor_rows=floor_rows, ratio=ratio)
    else:
        print("  floor: measured on SQLite only")
    print(f"  goal: under {GOAL_SECONDS} s")
    save(args.json, results)


if __name__ == "__main__":
    main()
