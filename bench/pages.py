"""Every signed-in page an office secretary uses, at full scale: server ms and queries.

    python bench/pages.py [--runs N] [--json out.json] [--show-queries] [--keep] [--reuse]

Works on a COPY of the seeded bench database (/tmp/pages-bench.sqlite3, made with
SQLite's backup API), so nothing written here reaches var/bench/full.sqlite3. Into the
copy go bench/dashboard.py's year of activity (raw SQL: 300 directives down the whole
tree, two monthly returns, 6,000 reports, 32 meetings) and the demo activity through the
actions (directives to Jalalabad, a return, reports with photos, letters, a meeting),
and published reports topped up to --reports (10,000) as bench/website.py does, so
every page has rows to show.

Pages go through Django's test Client in this process, signed in with force_login as
`central` (the centre's office secretary) and `jalalabad` (a union's): the median of
--runs requests is the whole server side (middleware, view, queries, template) without
the network; the queries are counted in one more request. The dashboard is measured
uncached (DAPTAR_DYNAMISM_CACHE_SECONDS=0). Each page is read against its floor: the
signed-in page that does nothing but be a signed-in page (the empty unit search form:
session, user, desk, base template) for the same login, timed side by side with it.
The goal is under 100 ms per page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard import generate
from directives import copy_database, raw
from harness import BENCH_DB, fmt, save, setup_django
from run import seeded_full
from website import fill

SCRATCH = Path(tempfile.gettempdir()) / "pages-bench.sqlite3"
GOAL_MS = 100
FLOOR_URL = "/office/units/search/"


def timed(client: Any, url: str, runs: int) -> tuple[float, float]:
    """(median ms of *url*, median ms of the floor), interleaved so both meet the same load."""
    client.get(url)
    client.get(FLOOR_URL)
    page: list[float] = []
    floor: list[float] = []
    for _ in range(runs):
        for target, out in ((url, page), (FLOOR_URL, floor)):
            started = time.perf_counter()
            client.get(target)
            out.append((time.perf_counter() - started) * 1000)
    return statistics.median(page), statistics.median(floor)


def counted(client: Any, url: str, show: bool) -> tuple[int, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if show:
        print(f"\n  -- {url}")
        for query in queries.captured_queries:
            print(f"  [{query['time']}s] {query['sql'][:300]}")
    size = 0 if response.streaming else len(response.content)
    return len(queries), response.status_code, size / 1024


def pages() -> list[tuple[str, str, str]]:
    """(login, name, url) of every page measured, with ids from the activity."""
    from daptar.directives.models import Directive
    from daptar.meetings.models import Meeting, MeetingSeries
    from daptar.returns.models import ReturnForm
    from daptar.units.demo import LOGINS
    from daptar.units.models import Unit

    central = Unit.objects.get(code=LOGINS["central"][0])
    jalalabad = Unit.objects.get(code=LOGINS["jalalabad"][0])
    directive = (
        Directive.objects.filter(issuing_unit=central, issued_at__isnull=False)
        .order_by("-issued_at")
        .first()
    )
    form = ReturnForm.objects.filter(issuing_unit=central).order_by("-pk").first()
    meeting = Meeting.objects.order_by("-pk").first()
    series = MeetingSeries.objects.order_by("-pk").first()
    out = [
        ("central", "unit page, central", f"/office/units/{central.pk}/"),
        ("jalalabad", "unit page, own union", f"/office/units/{jalalabad.pk}/"),
        ("jalalabad", "directives inbox", "/office/directives/"),
        ("central", "directives sent", "/office/directives/sent/"),
        ("jalalabad", "returns to do (entry)", "/office/returns/"),
        ("central", "returns issued", "/office/returns/issued/"),
        ("jalalabad", "report form", "/office/reports/new/"),
        ("jalalabad", "reports", "/office/reports/"),
        ("central", "reports to review", "/office/reports/review/"),
        ("jalalabad", "letters pending", "/office/letters/"),
        ("central", "letters inward register", "/office/letters/inward/"),
        ("central", "letters outward register", "/office/letters/outward/"),
        ("central", "dashboard, 30 days", "/office/dashboard/?window=30"),
        ("central", "dashboard, 365 days (uncached)", "/office/dashboard/?window=365"),
        ("central", "people directory", "/office/people/"),
        ("central", "people directory ?q=Rahman", "/office/people/?q=Rahman"),
        ("jalalabad", "meetings (invitations)", "/office/meetings/"),
        ("central", "meetings hosted", "/office/meetings/hosted/"),
        ("jalalabad", "notices", "/office/notifications/"),
    ]
    if directive is not None:
        out += [
            ("central", "directive tracking", f"/office/directives/{directive.pk}/tracking/"),
            ("central", "directive page", f"/office/directives/{directive.pk}/"),
        ]
    if form is not None:
        out += [
            ("central", "return rates", f"/office/returns/{form.pk}/rates/"),
            ("jalalabad", "return entry (fill)", f"/office/returns/{form.pk}/fill/"),
        ]
    if meeting is not None:
        out.append(("central", "meeting page", f"/office/meetings/{meeting.pk}/"))
    if series is not None:
        out.append(("central", "meeting series", f"/office/meetings/series/{series.pk}/"))
    return out


def measure(args: argparse.Namespace, fresh: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.units.demo_activity import seed_activity

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if fresh:
        started = time.perf_counter()
        with raw(SCRATCH) as db:
            rows = generate(db, timezone.now())
        made = seed_activity()
        rows["published reports"] = fill(args.reports)
        print(
            f"pages: a copy of the bench database at {SCRATCH}; activity written in "
            f"{time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{n:,} {kind}" for kind, n in rows.items())
            + "; demo activity: "
            + ", ".join(f"{n:,} {kind}" for kind, n in made.items())
        )
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    clients: dict[str, Any] = {}
    rows_out: list[dict[str, Any]] = []
    with override_settings(
        ALLOWED_HOSTS=["testserver"], STORAGES=plain, DAPTAR_DYNAMISM_CACHE_SECONDS=0
    ):
        for login, name, url in pages():
            if login not in clients:
                clients[login] = Client(HTTP_ACCEPT_LANGUAGE="bn")
                clients[login].force_login(User.objects.get(username=login))
            client = clients[login]
            queries, status, kb = counted(client, url, args.show_queries)
            ms, floor = timed(client, url, args.runs)
            rows_out.append({
                "name": f"{name} ({login})", "url": url, "ms": ms, "floor": floor,
                "queries": queries, "status": status, "kb": kb,
            })  # fmt: skip

    print(f"\n  {'':46} {'ms':>8} {'floor ms':>9} {'x floor':>8} {'queries':>8} {'KB':>6}")
    for row in rows_out:
        row["ratio"] = row["ms"] / row["floor"] if row["floor"] else None
        shown = "" if row["status"] == 200 else f"  (HTTP {row['status']})"
        over = "  OVER 100 ms" if row["ms"] > GOAL_MS else ""
        print(
            f"  {row['name']:46} {fmt(row['ms'], 1):>8} {fmt(row['floor'], 1):>9} "
            f"{fmt(row['ratio']):>8} {row['queries']:>8} {fmt(row['kb'], 1):>6}{shown}{over}"
        )
    summary = [
        {
            "name": f"page: {row['name']}", "value": row["ms"], "unit": "ms",
            "floor": row["floor"], "ratio": row["ratio"], "queries": row["queries"],
            "goal": f"under {GOAL_MS} ms",
        }
        for row in rows_out
    ]  # fmt: skip
    save(args.json, {"rows": summary, "pages": rows_out})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per page (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--reports", type=int, default=10_000, help="published reports to have")
    parser.add_argument("--keep", action="store_true", help=f"keep {SCRATCH} afterwards")
    parser.add_argument("--reuse", action="store_true", help=f"measure {SCRATCH} as it is")
    args = parser.parse_args()
    fresh = not (args.reuse and SCRATCH.exists())
    if fresh:
        if not seeded_full(BENCH_DB):
            raise SystemExit("No full bench database: run bench/seed.py (or bench/run.py).")
        copy_database(BENCH_DB, SCRATCH)
    os.environ["DAPTAR_DATABASE_URL"] = f"sqlite:///{SCRATCH}"  # before django.setup()
    setup_django()
    try:
        measure(args, fresh)
    finally:
        if not args.keep:
            from django.db import connection

            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
