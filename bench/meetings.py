"""Meetings at full scale: planning a phase for Dhaka division, and the host's invitation list.

    python bench/meetings.py [--runs N] [--json out.json] [--show-queries] [--keep]

Works on a COPY of the seeded bench database (var/bench/meetings.sqlite3, made with
SQLite's backup API and migrated), so the meetings written here never reach
var/bench/full.sqlite3; the copy is deleted at the end unless --keep.

- *resolve*: `daptar.meetings.queries.resolve()` for "every <level> of Dhaka division ×
  office secretary and deputy", through the current terms; floor: the same SELECT
  through sqlite3.
- *plan a phase*: `plan_phases()` as the `central` login for Dhaka division (its
  districts' office secretaries and deputies): validation, resolution, the meeting,
  its agenda and invitations, the audit rows; one transaction, commit included.
  Each run plans the next phase number, so every run writes the same rows.
- *calendar link page*: a signed-in page that reads next to nothing of its own, i.e.
  the per-request overhead every page pays; read the page figures against it.
- *invitation list page*: `/office/meetings/<id>/` as `central` (the host's view: the
  totals and the first page of 50 invitations), for the phase meeting and for a
  meeting of every union office secretary of Dhaka division; floor: the page's own
  data as raw SQL.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from harness import BENCH_DB, BENCH_DIR, fmt, median_ms, save, setup_django
from units import request

SCRATCH = BENCH_DIR / "meetings.sqlite3"
POSTS = ("office_secretary", "deputy_office_secretary")


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def resolve_floor(db: sqlite3.Connection, division: Any, level_id: int, post_ids: list[int],
                  runs: int) -> float:  # fmt: skip
    from daptar.lib import paths

    today = datetime.date.today().isoformat()
    marks = ",".join("?" * len(post_ids))
    sql = f"""
        SELECT t.person_id, t.unit_id, u.path, t.post_id FROM people_term t
        JOIN units_unit u ON u.id = t.unit_id JOIN people_post p ON p.id = t.post_id
        WHERE u.path >= ? AND u.path < ? AND u.level_id = ? AND u.is_active
          AND t.post_id IN ({marks}) AND t.started_on <= ?
          AND (t.ended_on IS NULL OR t.ended_on >= ?)
        ORDER BY u.path, p.rank, t.person_id"""
    params = (division.path, paths.upper(division.path), level_id, *post_ids, today, today)
    return median_ms(lambda: db.execute(sql, params).fetchall(), runs)


def page_floor(db: sqlite3.Connection, meeting_id: int, runs: int) -> float:
    """The invitation list page's own data: the meeting, the totals, the first 50 rows."""
    meeting = "SELECT * FROM meetings_meeting WHERE id = ?"
    totals = """SELECT COUNT(*), SUM(rsvp = 'yes'), SUM(rsvp = 'no'), SUM(rsvp = 'maybe'),
        SUM(rsvp = ''), SUM(attended = 1), SUM(attended = 0), COUNT(joined_at)
        FROM meetings_invitation WHERE meeting_id = ?"""
    rows = """SELECT i.*, p.*, pu.*, u.*, po.* FROM meetings_invitation i
        JOIN people_person p ON p.id = i.person_id JOIN units_unit pu ON pu.id = p.unit_id
        LEFT JOIN units_unit u ON u.id = i.unit_id LEFT JOIN people_post po ON po.id = i.post_id
        WHERE i.meeting_id = ? ORDER BY i.unit_path, po.rank, i.id LIMIT 50"""
    agenda = "SELECT * FROM meetings_agendaitem WHERE meeting_id = ? ORDER BY position"

    def run() -> None:
        for sql in (meeting, totals, rows, agenda):
            db.execute(sql, (meeting_id,)).fetchall()

    return median_ms(run, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per figure (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if "DAPTAR_DATABASE_URL" not in os.environ:
        from run import seeded_full

        if not seeded_full(BENCH_DB):
            raise SystemExit("The bench database is not seeded at full scale: run bench/seed.py.")
        copy_database(BENCH_DB, SCRATCH)
        os.environ["DAPTAR_DATABASE_URL"] = f"sqlite:///{SCRATCH}"
    setup_django()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.meetings import actions, queries
    from daptar.meetings.actions import AgendaEntry, PlanEntry
    from daptar.meetings.models import Invitation
    from daptar.people.models import Post
    from daptar.units.models import Level, Unit

    call_command("migrate", "--no-input", verbosity=0)
    runs = args.runs
    central = User.objects.get(username="central")
    root, dhaka = Unit.objects.get(code="CEN"), Unit.objects.get(code="DIV-DHA")
    posts = list(Post.objects.filter(slug__in=POSTS))
    db = (
        sqlite3.connect(f"file:{SCRATCH}?mode=ro", uri=True)
        if connection.vendor == "sqlite"
        else None
    )
    rows: list[dict[str, Any]] = []
    print(f"meetings: {Unit.objects.count():,} units in {connection.vendor}; median of {runs} runs")

    for slug in ("district", "upazila", "union"):
        level = Level.objects.get(slug=slug)
        these = posts if slug == "district" else [p for p in posts if p.slug == "office_secretary"]
        rule = queries.Rule(within=dhaka, levels=[level], posts=these)
        found = len(queries.resolve(rule))
        who = "/".join(p.slug[:6] for p in these)
        floor = resolve_floor(db, dhaka, level.pk, [p.pk for p in these], runs) if db else None
        rows.append({
            "name": f"resolve: every {slug} of Dhaka × {who} ({found:,})",
            "ms": median_ms(lambda rule=rule: queries.resolve(rule), runs),
            "queries": 1,
            "floor": floor,
        })  # fmt: skip

    series = actions.create_series(host_unit=root, by=central, title="মতবিনিময় সভা (bench)")
    district = Level.objects.get(slug="district")
    start = timezone.now() + datetime.timedelta(days=30)
    agenda = [AgendaEntry("সূচনা", 10), AgendaEntry("জেলার প্রতিবেদন", 60)]
    phase = iter(range(1, 10_000))

    def plan() -> Any:
        (made,) = actions.plan_phases(
            series, by=central, duration_minutes=90, agenda=agenda,
            rule=queries.Rule(levels=[district], posts=posts),
            entries=[PlanEntry(next(phase), dhaka, start, "https://meet.example.org/bench")],
        )  # fmt: skip
        return made

    ms = median_ms(plan, runs)
    with CaptureQueriesContext(connection) as captured:
        phase_meeting = plan()
    if args.show_queries:
        for query in captured.captured_queries:
            print(f"  [{query['time']}s] {query['sql'][:300]}")
    rows.append({
        "name": f"plan a phase for Dhaka ({phase_meeting.invitations_count} invited)",
        "ms": ms, "queries": len(captured), "floor": None,
    })  # fmt: skip

    union = Level.objects.get(slug="union")
    big = actions.create_meeting(
        host_unit=root, by=central, title="Every union of Dhaka", starts_at=start,
        duration_minutes=60, agenda=[], video_url="https://meet.example.org/big",
        rule=queries.Rule(within=dhaka, levels=[union],
                          posts=[p for p in posts if p.slug == "office_secretary"]),
    )  # fmt: skip
    overrides: dict[str, Any] = {"ALLOWED_HOSTS": ["testserver"]}
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    client = Client()
    client.force_login(central)
    with override_settings(**overrides):
        # What every signed-in page pays (session, user, desks, every app's badge, the base
        # template): the calendar-link page reads one row more. Read the pages against it.
        figures = request(client, "/office/meetings/calendar/", runs, False)
        rows.append({"name": "calendar link page (request overhead)", "floor": None, **figures})
        for m in (phase_meeting, big):
            url = f"/office/meetings/{m.pk}/"
            figures = request(client, url, runs, args.show_queries)
            invited = Invitation.objects.filter(meeting=m).count()
            rows.append({
                "name": f"invitation list page ({invited:,} invited)",
                "url": url, "floor": page_floor(db, m.pk, runs) if db else None, **figures,
            })  # fmt: skip

    print(f"\n  {'':58} {'median ms':>10} {'queries':>8} {'floor ms':>9} {'x floor':>8}")
    for row in rows:
        ratio = row["ms"] / row["floor"] if row.get("floor") else None
        row["ratio"] = ratio
        status = "" if row.get("status", 200) == 200 else f"  (HTTP {row['status']})"
        print(
            f"  {row['name']:58} {fmt(row['ms'], 2):>10} {row['queries']:>8} "
            f"{fmt(row['floor'], 2):>9} {fmt(ratio):>8}{status}"
        )
    save(args.json, {"runs": runs, "rows": rows})
    if db:
        db.close()
    if (
        not args.keep
        and SCRATCH.exists()
        and os.environ["DAPTAR_DATABASE_URL"].endswith(str(SCRATCH))
    ):
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - started:.0f} s)")
