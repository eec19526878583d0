"""Reads of the unit tree at full scale: median milliseconds, SQL queries, raw SQL floors.

    python bench/units.py [--runs N] [--json out.json] [--show-queries]

Needs a database seeded with `--scale full` (bench/seed.py or run.py makes one).
Pages go through Django's test Client in this process, signed in with
force_login, so a figure is the whole server side of a request (middleware,
view, queries, template) without any network. Query counts come from one
extra request under CaptureQueriesContext, kept out of the timed runs. Floors
run the same reads as raw SQL through sqlite3 on the same file (SQLite only).
"""

from __future__ import annotations

import argparse
import datetime
import sqlite3
from pathlib import Path
from typing import Any

from harness import fmt, median_ms, save, setup_django, sqlite_file

PEOPLE_SEARCH = "Rahman"  # a surname about one person in sixteen carries


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def subtree_floor(db: sqlite3.Connection, unit: Any, runs: int) -> float:
    from daptar.lib import paths

    bounds = (unit.path, paths.upper(unit.path))
    sql = "SELECT COUNT(*) FROM units_unit WHERE path >= ? AND path < ?"
    return median_ms(lambda: db.execute(sql, bounds).fetchone(), runs)


def unit_page_floor(db: sqlite3.Connection, unit: Any, runs: int) -> float:
    """The unit page's own data as raw SQL: children with their child counts (first
    page of 100, by English name), the unit's current office bearers, and how many
    units of each level its subtree holds."""
    from daptar.lib import paths

    today = datetime.date.today().isoformat()
    children = """
        SELECT u.*, l.*, (SELECT COUNT(*) FROM units_unit c WHERE c.parent_id = u.id)
        FROM units_unit u JOIN units_level l ON l.id = u.level_id
        WHERE u.parent_id = ? ORDER BY u.name_en LIMIT 100"""
    bearers = """
        SELECT t.*, p.*, po.* FROM people_term t
        JOIN people_post po ON po.id = t.post_id JOIN people_person p ON p.id = t.person_id
        WHERE t.unit_id = ? AND po.is_office_bearer AND t.started_on <= ?
          AND (t.ended_on IS NULL OR t.ended_on >= ?)
        ORDER BY po.rank, p.name_en"""
    levels = """
        SELECT l.slug, COUNT(*) FROM units_unit u JOIN units_level l ON l.id = u.level_id
        WHERE u.path >= ? AND u.path < ? GROUP BY l.slug"""

    def run() -> None:
        db.execute(children, (unit.pk,)).fetchall()
        db.execute(bearers, (unit.pk, today, today)).fetchall()
        db.execute(levels, (unit.path, paths.upper(unit.path))).fetchall()

    return median_ms(run, runs)


def request(client: Any, url: str, runs: int, show: bool) -> dict[str, Any]:
    """Median ms of GET *url*, then one more under CaptureQueriesContext for the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ms = median_ms(lambda: client.get(url), runs)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if show:
        print(f"\n  -- {url}")
        for query in queries.captured_queries:
            print(f"  [{query['time']}s] {query['sql'][:400]}")
    return {"ms": ms, "queries": len(queries), "status": response.status_code,
            "kb": len(response.content) / 1024}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per figure (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from daptar.accounts.models import User
    from daptar.units.demo import LOGINS
    from daptar.units.models import Unit

    if not Unit.objects.filter(level__slug="ward", parent__level__slug="union").exists():
        raise SystemExit("The database is not seeded at full scale: run bench/seed.py first.")
    # No setup_test_environment(): its instrumented template rendering would be timed too.
    overrides: dict[str, Any] = {"ALLOWED_HOSTS": ["testserver"]}
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():  # no collectstatic yet: plain static URLs instead of hashed ones
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }

    def unit_of(login: str) -> Unit:
        return Unit.objects.get(code=LOGINS[login][0])

    central, sylhet = unit_of("central"), unit_of("sylhet-division")
    jalalabad = unit_of("jalalabad")
    path = sqlite_file()
    db = raw(path) if path else None
    runs = args.runs
    rows: list[dict[str, Any]] = []

    print(f"units: {Unit.objects.count():,} units in {connection.vendor}; median of {runs} runs")
    subtree = Unit.objects.subtree(sylhet)
    size = subtree.count()
    rows.append({
        "name": f"subtree count, Sylhet division ({size:,} units)",
        "ms": median_ms(lambda: Unit.objects.subtree(sylhet).count(), runs * 5),
        "queries": 1,
        "floor": subtree_floor(db, sylhet, runs * 5) if db else None,
    })  # fmt: skip

    pages = [
        # Every signed-in page pays for the session, the user, the desk and the base
        # template: the unit search form without a query is little more than that.
        ("central", "/office/units/search/", "unit search form, empty (request overhead)", None),
        ("central", f"/office/units/{central.pk}/", "unit page, central (as central)", central),
        ("jalalabad", f"/office/units/{jalalabad.pk}/", "unit page, own union (as jalalabad)",
         jalalabad),
        ("central", f"/office/people/?q={PEOPLE_SEARCH}", f"people directory ?q={PEOPLE_SEARCH}",
         None),
        ("central", f"/api/v1/units/?within={sylhet.pk}", "API units ?within=Sylhet division",
         None),
    ]  # fmt: skip
    clients: dict[str, Client] = {}
    with override_settings(**overrides):
        for login, url, name, floor_unit in pages:
            if login not in clients:
                clients[login] = Client()
                clients[login].force_login(User.objects.get(username=login))
            figures = request(clients[login], url, runs, args.show_queries)
            floor = unit_page_floor(db, floor_unit, runs) if db and floor_unit else None
            rows.append({"name": name, "url": url, "floor": floor, **figures})

    print(f"\n  {'':46} {'median ms':>10} {'queries':>8} {'floor ms':>9} {'x floor':>8}")
    for row in rows:
        ratio = row["ms"] / row["floor"] if row.get("floor") else None
        row["ratio"] = ratio
        status = "" if row.get("status", 200) == 200 else f"  (HTTP {row['status']})"
        print(
            f"  {row['name']:46} {fmt(row['ms'], 2):>10} {row['queries']:>8} "
            f"{fmt(row['floor'], 2):>9} {fmt(ratio):>8}{status}"
        )
    save(args.json, {"runs": runs, "rows": rows})


if __name__ == "__main__":
    main()
