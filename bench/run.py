"""Run every bench against a dedicated full-scale SQLite database; print a summary table.

    python bench/run.py [--fresh] [--runs N]      (what `make bench` runs)

The database is var/bench/full.sqlite3, never the app's own: DAPTAR_DATABASE_URL
is set to it for every script. An already-seeded bench database is reused (after
`migrate`, in case the schema moved on); --fresh deletes it and re-measures the seed.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from harness import BENCH_DB, BENCH_DIR, BENCH_URL, ROOT, fmt

HERE = Path(__file__).resolve().parent
SEED_JSON = BENCH_DIR / "seed.json"
UNITS_JSON = BENCH_DIR / "units.json"
DIRECTIVES_JSON = BENCH_DIR / "directives.json"
# Benches that print their own table; rows in the directives shape join the summary too.
FEATURE_BENCHES = [
    "returns",
    "letters",
    "meetings",
    "dashboard",
    "photos",
    "website",
    "pages",
    "sms",
    "register",
]


def seeded_full(path: Path) -> bool:
    """True when *path* holds a finished `--scale full` seed (wards under unions)."""
    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT 1 FROM units_unit w JOIN units_unit u ON u.id = w.parent_id "
                "JOIN units_level l ON l.id = u.level_id WHERE l.slug = 'union' LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return False
    return row is not None


def run(*args: str, scratch: bool = False) -> None:
    """Run one script; *scratch* ones get no DAPTAR_DATABASE_URL, so they copy the bench
    database and write into the copy, never into var/bench/full.sqlite3 itself."""
    env = dict(os.environ)
    if scratch:
        env.pop("DAPTAR_DATABASE_URL", None)
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, env=env)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="re-seed the bench database")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (median)")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DAPTAR_DATABASE_URL"] = BENCH_URL  # subprocesses inherit it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daptar.settings")
    started = time.perf_counter()

    reused = not args.fresh and seeded_full(BENCH_DB)
    if reused:
        print(f"seed: reusing {BENCH_DB.relative_to(ROOT)} (--fresh to re-seed and re-measure)")
        run("manage.py", "migrate", "--no-input", "-v0")
        run("manage.py", "createcachetable", "-v0")
    else:
        run(str(HERE / "seed.py"), "--json", str(SEED_JSON))
    print()
    run(str(HERE / "units.py"), "--runs", str(args.runs), "--json", str(UNITS_JSON))
    print()
    # Each on a scratch copy of the bench database: what it writes never reaches it.
    run(str(HERE / "directives.py"), "--runs", str(args.runs), "--json", str(DIRECTIVES_JSON))
    for name in FEATURE_BENCHES:
        print()
        extra = [] if name in ("photos", "website") else ["--runs", str(args.runs)]
        run(
            str(HERE / f"{name}.py"),
            *extra,
            "--json",
            str(BENCH_DIR / f"{name}.json"),
            scratch=True,
        )

    print(f"\nsummary ({time.perf_counter() - started:.0f} s; SQLite, {os.cpu_count()} CPUs)")
    print(f"  {'':46} {'figure':>12} {'floor':>11} {'x floor':>8} {'queries':>8}")
    if SEED_JSON.exists():
        seed = json.loads(SEED_JSON.read_text())
        label = "seed --scale full" + (" (earlier run)" if reused else "")
        floor = seed.get("floor_seconds")
        print(
            f"  {label:46} {fmt(seed['seconds']):>10} s {fmt(floor):>9} s "
            f"{fmt(seed.get('ratio')):>8} {'':>8}   goal: under {seed['goal']} s"
        )
    for row in json.loads(UNITS_JSON.read_text())["rows"]:
        floor = fmt(row["floor"], 2) + " ms" if row["floor"] is not None else "—"
        print(
            f"  {row['name']:46} {fmt(row['ms'], 2):>9} ms {floor:>11} "
            f"{fmt(row['ratio']):>8} {row['queries']:>8}"
        )
    feature_rows = []
    for name in ["directives", *FEATURE_BENCHES]:
        path = BENCH_DIR / f"{name}.json"
        rows = json.loads(path.read_text()).get("rows", []) if path.exists() else []
        feature_rows += [r for r in rows if {"name", "value", "unit"} <= set(r)]
    for row in feature_rows:
        row.setdefault("floor", None)
        row.setdefault("ratio", None)
        row.setdefault("queries", "")
        row.setdefault("goal", "")
        unit, digits = row["unit"], 2
        floor = f"{fmt(row['floor'], digits)} {unit}" if row["floor"] is not None else "—"
        goal = f"   goal: {row['goal']}" if row["goal"] else ""
        print(
            f"  {row['name'][:46]:46} {fmt(row['value'], digits):>9} {unit:2} {floor:>11} "
            f"{fmt(row['ratio']):>8} {row['queries']:>8}{goal}"
        )


if __name__ == "__main__":
    main()
