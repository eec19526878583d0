"""The dynamism dashboard at full scale, over a year of activity.

    python bench/dashboard.py [--runs N] [--json out.json] [--show-queries] [--keep]

Works on a COPY of the seeded bench database (/tmp/dashboard-bench.sqlite3, made with
SQLite's backup API; DAPTAR_DATABASE_URL points there before Django is set up), so the
year written here never reaches var/bench/full.sqlite3. The copy is deleted at the end
unless --keep.

1. A year of activity, written in bulk with raw INSERT … SELECT (not through actions;
   the figures are about reading): 300 directives from the centre (12 to every unit of
   the country, 48 to the districts and upazilas, 240 to the divisions and districts),
   each delivery seen, acknowledged or done after a spread of delays; two monthly
   returns (unions and wards; districts and upazilas) with ~70 % sent, most on time;
   6,000 illustrated reports across the tree with their review steps (approved,
   returned, published); 32 exchange meetings, one per division a quarter, with the
   districts' office secretaries and deputies invited and attendance taken.
2. The central dashboard (page, API, CSV) and the map (page, API SVG) for the 30, 90 and
   365-day windows, as `central`, each beside its floor: the same GROUP BYs written as
   raw SQL through sqlite3. A district's dashboard (Sylhet) to compare.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from directives import copy_database, raw
from harness import BENCH_DB, fmt, median_ms, save, setup_django
from run import seeded_full
from units import request

SCRATCH = Path(tempfile.gettempdir()) / "dashboard-bench.sqlite3"
GOAL = "under 500 ms"
WINDOWS = (30, 90, 365)
DIRECTIVES = 300
REPORTS = 6000
# A multiplicative hash of a row's ids, spread over 0-99: the same "random" every run.
HASH = "(({a}) * 2654435761 + ({b}) * 40503) % 100"


def days_(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def stamp(moment: datetime.datetime) -> str:
    """A datetime as Django stores it in SQLite: naive UTC text."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")


def generate(db: sqlite3.Connection, now: datetime.datetime) -> dict[str, int]:
    """Write the year of activity; returns the number of rows per kind."""
    db.execute("BEGIN")
    root = db.execute("SELECT id FROM units_unit WHERE parent_id IS NULL").fetchone()[0]
    author = db.execute("SELECT id FROM accounts_user ORDER BY id LIMIT 1").fetchone()[0]
    levels = dict(db.execute("SELECT slug, id FROM units_level"))
    counts = {
        "directives": _directives(db, now, root, author, levels),
        "returns": _returns(db, now, root, author, levels),
        "reports": _reports(db, now, author),
        "meetings": _meetings(db, now, root, author, levels),
    }
    db.execute("COMMIT")
    db.execute("ANALYZE")
    return counts


def _directives(
    db: sqlite3.Connection, now: datetime.datetime, root: int, author: int, levels: dict
) -> int:
    everyone = [levels[s] for s in ("division", "district", "upazila", "union", "ward")]
    for k in range(DIRECTIVES):
        issued = now - datetime.timedelta(days=365) + datetime.timedelta(days=365 * k / DIRECTIVES)
        due = issued + datetime.timedelta(days=7)
        if k % 25 == 0:
            targets = everyone
        elif k % 5 == 0:
            targets = [levels["district"], levels["upazila"]]
        else:
            targets = [levels["division"], levels["district"]]
        cursor = db.execute(
            "INSERT INTO directives_directive (reference, title, body, priority, due_at, mode,"
            " status, expected, issued_at, created_at, updated_at, author_id, issuing_unit_id,"
            " target_unit_id) VALUES (?, ?, '', 'normal', ?, 'direct', 'issued', 0, ?, ?, ?,"
            " ?, ?, ?)",
            (f"BENCH-DASH-{k}", f"Bench directive {k}", stamp(due), stamp(issued),
             stamp(issued), stamp(issued), author, root, root),
        )  # fmt: skip
        directive = cursor.lastrowid
        h = HASH.format(a="u.id", b=directive)
        delay = f"(({h}) * 7 % 200 + 1)"  # 1-200 hours to acknowledge
        acked = f"datetime(?, '+' || {delay} || ' hours')"
        state = (
            f"CASE WHEN {h} < 55 THEN 'done' WHEN {h} < 80 THEN 'acknowledged'"
            f" WHEN {h} < 90 THEN 'seen' ELSE 'delivered' END"
        )
        db.execute(
            "INSERT INTO directives_delivery (directive_id, unit_id, unit_path, depth, level_id,"
            " state, delivered_at, seen_at, acknowledged_at, acknowledge_note, done_at,"
            " done_note, forward_note, created_at, updated_at)"
            f" SELECT ?, u.id, u.path, u.depth, u.level_id, {state}, ?,"
            f" CASE WHEN {h} < 90 THEN ? END,"
            f" CASE WHEN {h} < 80 THEN MIN({acked}, ?) END, '',"
            f" CASE WHEN {h} < 55 THEN MIN(datetime({acked}, '+2 days'), ?) END, '', '', ?, ?"
            f" FROM units_unit u WHERE u.is_active AND u.id != ?"
            f" AND u.level_id IN ({', '.join('?' * len(targets))})",
            (directive, stamp(issued), stamp(issued), stamp(issued), stamp(now), stamp(issued),
             stamp(now), stamp(issued), stamp(issued), root, *targets),
        )  # fmt: skip
        db.execute(
            "UPDATE directives_directive SET expected = (SELECT COUNT(*) FROM"
            " directives_delivery WHERE directive_id = ?) WHERE id = ?",
            (directive, directive),
        )
    return db.execute(
        "SELECT COUNT(*) FROM directives_delivery d JOIN directives_directive r"
        " ON r.id = d.directive_id WHERE r.reference LIKE 'BENCH-DASH-%'"
    ).fetchone()[0]


def _returns(
    db: sqlite3.Connection, now: datetime.datetime, root: int, author: int, levels: dict
) -> int:
    total = 0
    forms = [
        ("Bench: monthly membership", [levels["union"], levels["ward"]]),
        ("Bench: monthly programmes", [levels["district"], levels["upazila"]]),
    ]
    for title, targets in forms:
        form = db.execute(
            "INSERT INTO returns_returnform (title, description, schedule, timely_days, status,"
            " published_at, created_at, updated_at, author_id, issuing_unit_id, target_unit_id)"
            " VALUES (?, '', 'monthly', 10, 'active', ?, ?, ?, ?, ?, ?)",
            (title, stamp(now), stamp(now), stamp(now), author, root, root),
        ).lastrowid
        for i in range(12):
            due = now - datetime.timedelta(days=30 * i + 5)
            opened = due - datetime.timedelta(days=40)
            period = db.execute(
                "INSERT INTO returns_returnperiod (starts_on, ends_on, due_at, opened_at,"
                " expected, created_at, updated_at, form_id) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                (opened.date().isoformat(), (due - days_(10)).date().isoformat(),
                 stamp(due), stamp(opened), stamp(opened), stamp(opened), form),
            ).lastrowid  # fmt: skip
            h = HASH.format(a="u.id", b=period)
            sent = (
                f"datetime(?, CASE WHEN {h} < 55 THEN '-' ELSE '+' END || ({h} % 9 + 1) || ' days')"
            )
            db.execute(
                "INSERT INTO returns_submission (period_id, unit_id, unit_path, level_id,"
                " parent_id, expected, status, nil, version, first_submitted_at, submitted_at,"
                " review_note, created_at, updated_at)"
                f" SELECT ?, u.id, u.path, u.level_id, u.parent_id, 1,"
                f" CASE WHEN {h} < 20 THEN 'approved' WHEN {h} < 70 THEN 'submitted'"
                f" WHEN {h} < 75 THEN 'draft' ELSE 'pending' END, 0,"
                f" CASE WHEN {h} < 70 THEN 1 ELSE 0 END,"
                f" CASE WHEN {h} < 70 THEN {sent} END, CASE WHEN {h} < 70 THEN {sent} END,"
                f" '', ?, ? FROM units_unit u WHERE u.is_active"
                f" AND u.level_id IN ({', '.join('?' * len(targets))})",
                (period, stamp(due), stamp(due), stamp(opened), stamp(opened), *targets),
            )
            total += db.execute(
                "UPDATE returns_returnperiod SET expected = (SELECT COUNT(*) FROM"
                " returns_submission WHERE period_id = ?) WHERE id = ? RETURNING expected",
                (period, period),
            ).fetchone()[0]
    return total


def _reports(db: sqlite3.Connection, now: datetime.datetime, author: int) -> int:
    category = db.execute("SELECT id FROM reports_category ORDER BY id LIMIT 1").fetchone()[0]
    h = HASH.format(a="u.id", b=7)
    # Spread over the year by the unit's hash; the status by another hash.
    created = "datetime(?, '+' || ((u.id * 7919) % 360) || ' days')"
    s = HASH.format(a="u.id", b=13)
    db.execute(
        "INSERT INTO reports_report (unit_id, unit_path, author_id, category_id, title, body,"
        " event_date, place, status, review_unit_id, submitted_at, approved_at, published_at,"
        " slug, idempotency_key, created_at, updated_at)"
        f" SELECT u.id, u.path, ?, ?, 'Bench report ' || u.id, 'Bench.', date({created}), '',"
        f" CASE WHEN {s} < 70 THEN 'published' WHEN {s} < 80 THEN 'returned'"
        f" WHEN {s} < 90 THEN 'submitted' ELSE 'approved' END, u.parent_id, {created},"
        f" CASE WHEN {s} < 70 OR {s} >= 90 THEN datetime({created}, '+1 days') END,"
        f" CASE WHEN {s} < 70 THEN datetime({created}, '+2 days') END,"
        f" 'bench-' || u.id, '', {created}, {created}"
        f" FROM units_unit u WHERE u.parent_id IS NOT NULL ORDER BY {h}, u.id LIMIT ?",
        (author, category, *([stamp(now - datetime.timedelta(days=362))] * 6), REPORTS),
    )
    review = (
        "INSERT INTO reports_review (report_id, unit_id, by_id, decision, note, created_at,"
        " updated_at) SELECT id, {unit}, ?, '{decision}', '', {at}, {at} FROM reports_report"
        " WHERE slug LIKE 'bench-%' AND {where}"
    )
    steps = [
        ("unit_id", "submitted", "submitted_at", "1"),
        ("review_unit_id", "returned", "datetime(submitted_at, '+12 hours')",
         "(status = 'returned' OR (status = 'published' AND id % 5 = 0))"),
        ("review_unit_id", "approved", "approved_at", "approved_at IS NOT NULL"),
        ("review_unit_id", "published", "published_at", "published_at IS NOT NULL"),
    ]  # fmt: skip
    for unit, decision, at, where in steps:
        db.execute(review.format(unit=unit, decision=decision, at=at, where=where), (author,))
    return db.execute("SELECT COUNT(*) FROM reports_report WHERE slug LIKE 'bench-%'").fetchone()[0]


def _meetings(
    db: sqlite3.Connection, now: datetime.datetime, root: int, author: int, levels: dict
) -> int:
    posts = [
        db.execute("SELECT id FROM people_post WHERE slug = ?", (slug,)).fetchone()[0]
        for slug in ("office_secretary", "deputy_office_secretary")
    ]
    divisions = db.execute(
        "SELECT id, path FROM units_unit WHERE level_id = ? ORDER BY path", (levels["division"],)
    ).fetchall()
    root_path = db.execute("SELECT path FROM units_unit WHERE id = ?", (root,)).fetchone()[0]
    total = 0
    for quarter in range(4):
        for n, (division, path) in enumerate(divisions):
            starts = now - datetime.timedelta(days=20 + 90 * quarter + n)
            meeting = db.execute(
                "INSERT INTO meetings_meeting (uid, unit_path, title, starts_at, duration_minutes,"
                " ends_at, mode, place, video_url, video_generated, invite_rule,"
                " invitations_count, status, sequence, sent_at, minutes, created_at, updated_at,"
                " created_by_id, host_unit_id, planned_for_id) VALUES (lower(hex(randomblob(16))),"
                " ?, ?, ?, 90, ?, 'online', '', '', 0, '{}', 0, 'sent', 0, ?, '', ?, ?, ?, ?, ?)",
                (root_path, f"Bench meeting {quarter}-{n}", stamp(starts),
                 stamp(starts + datetime.timedelta(minutes=90)),
                 *([stamp(starts - datetime.timedelta(days=7))] * 3), author, root, division),
            ).lastrowid  # fmt: skip
            h = HASH.format(a="t.person_id", b=meeting)
            upper = path[:-4] + f"{int(path[-4:]) + 1:04d}"
            total += db.execute(
                "INSERT INTO meetings_invitation (meeting_id, person_id, unit_id, unit_path,"
                " post_id, rsvp, attended, attendance_at, created_at, updated_at)"
                f" SELECT ?, t.person_id, u.id, u.path, t.post_id, 'yes',"
                f" CASE WHEN {h} < 75 THEN 1 ELSE 0 END, ?, ?, ?"
                " FROM people_term t JOIN units_unit u ON u.id = t.unit_id"
                " WHERE u.path >= ? AND u.path < ? AND u.level_id = ? AND t.ended_on IS NULL"
                f" AND t.post_id IN (?, ?) GROUP BY t.person_id",
                (meeting, stamp(starts), stamp(starts), stamp(starts), path, upper,
                 levels["district"], *posts),
            ).rowcount  # fmt: skip
    return total


def floor_ms(db: sqlite3.Connection, statements: list[str], runs: int) -> float:
    """Median ms of *statements* (the counting queries Django sent) replayed through sqlite3."""

    def replay() -> None:
        for sql in statements:
            db.execute(sql).fetchall()

    return median_ms(replay, runs)


def counting_sql(fn: Any) -> list[str]:
    """The SQL of the counting queries *fn* sends (those of queries.collect), as executed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def measure(args: argparse.Namespace, copied: float) -> None:
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.dashboard import figures, queries
    from daptar.units.models import Unit

    call_command("migrate", interactive=False, verbosity=0)  # the copy may predate a migration
    call_command("createcachetable", verbosity=0)
    db = raw(SCRATCH)
    if copied:
        started = time.perf_counter()
        rows = generate(db, timezone.now())
        print(f"dashboard: a copy of the bench database at {SCRATCH} ({copied:.1f} s to copy),")
        print(f"  a year of activity written in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{n:,} {kind} rows" for kind, n in rows.items()))  # fmt: skip
    else:
        print(f"dashboard: reusing {SCRATCH} as it is")
    root = Unit.objects.get(parent__isnull=True)
    sylhet = Unit.objects.get(code="SYL") if Unit.objects.filter(code="SYL").exists() else None
    client = Client(HTTP_ACCEPT_LANGUAGE="bn")
    client.force_login(User.objects.get(username="central"))
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    hosts = {"ALLOWED_HOSTS": ["testserver"]}
    results: list[dict[str, Any]] = []

    def line(name: str, url: str, floor: float | None, goal: str = "") -> None:
        measured = request(client, url, args.runs, args.show_queries)
        measured.update({"name": name, "floor": floor, "goal": goal})
        results.append(measured)

    with override_settings(STORAGES=plain_static, DAPTAR_DYNAMISM_CACHE_SECONDS=0, **hosts):
        for days in WINDOWS:
            win = queries.window(days)
            board_sql = counting_sql(lambda w=win: queries.collect(root, w))
            map_sql = counting_sql(lambda d=days: figures.map_figures(root, d, "index"))
            board_floor = floor_ms(db, board_sql, args.runs)
            map_floor = floor_ms(db, map_sql, args.runs)
            goal = GOAL if days == 30 else ""
            line(f"central dashboard, {days} days", f"/office/dashboard/?window={days}",
                 board_floor, goal)  # fmt: skip
            line(f"  API ?window={days}", f"/api/v1/dashboard/?window={days}", board_floor)
            line(f"  CSV export, {days} days", f"/office/dashboard/export.csv?window={days}",
                 board_floor)  # fmt: skip
            line(f"map page, index, {days} days", f"/office/dashboard/map/?window={days}",
                 map_floor, goal)  # fmt: skip
            line(f"  API map.svg, {days} days", f"/api/v1/dashboard/map.svg?window={days}",
                 map_floor)  # fmt: skip
        if sylhet is not None:
            sql = counting_sql(lambda: queries.collect(sylhet, queries.window(30)))
            line("Sylhet district dashboard, 30 days",
                 f"/office/dashboard/?unit={sylhet.pk}", floor_ms(db, sql, args.runs))  # fmt: skip
        line("unit search form (per-request overhead)", "/office/units/search/", None)
    with override_settings(STORAGES=plain_static, DAPTAR_DYNAMISM_CACHE_SECONDS=600, **hosts):
        client.get("/office/dashboard/?window=365")  # fills the cache
        line("central dashboard, 365 days, cached counts", "/office/dashboard/?window=365", None)
        client.get("/office/dashboard/map/?window=365")
        line("map page, 365 days, cached counts", "/office/dashboard/map/?window=365", None)

    print(f"\n  {'':44} {'ms':>8} {'queries':>8} {'kB':>6} {'floor ms':>9} {'x floor':>8}  goal")
    for r in results:
        ratio = r["ms"] / r["floor"] if r["floor"] else None
        print(f"  {r['name']:44} {fmt(r['ms']):>8} {r['queries']:>8} {fmt(r['kb']):>6}"
              f" {fmt(r['floor']):>9} {fmt(ratio, 2):>8}  {r['goal']}")  # fmt: skip
    save(args.json, {"dashboard": results})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per page (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--keep", action="store_true", help=f"keep {SCRATCH} afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help=f"measure {SCRATCH} as it is (kept by --keep)"
    )
    args = parser.parse_args()
    if not seeded_full(BENCH_DB):
        raise SystemExit(f"{BENCH_DB} holds no full seed: run bench/run.py (or seed.py) first.")
    copied = 0.0
    if not (args.reuse and SCRATCH.exists()):
        copied = copy_database(BENCH_DB, SCRATCH)
    os.environ["DAPTAR_DATABASE_URL"] = f"sqlite:///{SCRATCH}"  # before django.setup()
    setup_django()
    try:
        measure(args, copied)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
