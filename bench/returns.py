"""Returns at full scale: a monthly return to every union and ward of the country.

    python bench/returns.py [--runs N] [--opens N] [--json out.json] [--show-queries] [--keep]

Works on a COPY of the seeded bench database (/tmp/returns-bench.sqlite3, made
with SQLite's backup API; DAPTAR_DATABASE_URL points there before Django is set
up), so the ~46,000 rows per period written here never reach var/bench/full.sqlite3.
The copy is deleted at the end unless --keep.

1. Opening a period: `actions.publish` (the expected snapshot, one INSERT … SELECT
   of a `pending` row per union and ward) beside its floor, the same rows written
   straight through sqlite3 as one INSERT … SELECT, and with executemany.
2. Rates: ~65 % of the first period's units are marked sent in bulk (UPDATE … WHERE
   id % 20, with numeric answers as SubmissionValue rows via INSERT … SELECT; 5 %
   nil, 10 % late, 5 % approved), then the rates endpoint for the whole country and
   for Sylhet division, the rates page, the missing list and the aggregate, each
   beside the raw SQL that computes the same numbers (the floor).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from directives import copy_database, raw, timed_write
from harness import BENCH_DB, fmt, median_ms, save, setup_django
from run import seeded_full
from units import request

SCRATCH = Path(tempfile.gettempdir()) / "returns-bench.sqlite3"
SUBMISSION = "returns_submission"
VALUE = "returns_submissionvalue"
COLUMNS = (
    "period_id, unit_id, unit_path, level_id, parent_id, expected, status, nil, version, "
    "review_note, created_at, updated_at"
)
# The expected units as raw SQL: the target's subtree, active, at the levels, less the issuer.
EXPECTED = (
    "FROM units_unit WHERE path >= ? AND path < ? AND is_active AND id != ? "
    "AND level_id IN (SELECT id FROM units_level WHERE slug IN ('union', 'ward'))"
)
GOALS = {"open": "", "rates": "under 300 ms"}
FIELDS = [
    {
        "key": "members",
        "label_bn": "সদস্য",
        "label_en": "Members",
        "type": "integer",
        "required": True,
        "min": 0,
    },
    {"key": "women", "label_bn": "নারী সদস্য", "label_en": "Women members", "type": "integer"},
    {"key": "programmes", "label_bn": "কর্মসূচি", "label_en": "Programmes", "type": "integer"},
]
RULES = [
    {
        "left": "women",
        "op": "<=",
        "right": "members",
        "message_bn": "নারী সদস্য বেশি",
        "message_en": "More women than members",
    },
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (median)")
    parser.add_argument("--opens", type=int, default=3, help="periods opened (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--keep", action="store_true", help=f"keep {SCRATCH} afterwards")
    args = parser.parse_args()
    if not seeded_full(BENCH_DB):
        raise SystemExit(f"{BENCH_DB} holds no full seed: run bench/run.py (or seed.py) first.")
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


class Floors:
    """The snapshot written straight through sqlite3 for a spare period, then removed."""

    def __init__(
        self, db: sqlite3.Connection, bounds: tuple[Any, ...], stamp: str, spare: Any
    ) -> None:
        self.db, self.bounds, self.stamp, self.spare = db, bounds, stamp, spare
        self.period_id = 0

    def clear(self) -> None:
        self.db.execute(f"DELETE FROM {SUBMISSION} WHERE period_id = ?", (self.period_id,))

    def insert_select(self) -> tuple[float, int]:
        self.period_id = self.spare()
        sql = (
            f"INSERT INTO {SUBMISSION} ({COLUMNS}) SELECT ?, id, path, level_id, parent_id, "
            f"1, 'pending', 0, 0, '', ?, ? {EXPECTED}"
        )
        seconds = timed_write(
            self.db, (sql, (self.period_id, self.stamp, self.stamp, *self.bounds))
        )
        rows = self.db.execute(
            f"SELECT COUNT(*) FROM {SUBMISSION} WHERE period_id = ?", (self.period_id,)
        ).fetchone()[0]
        self.clear()
        return seconds, rows

    def executemany(self) -> float:
        self.period_id = self.spare()
        units = self.db.execute(f"SELECT id, path, level_id, parent_id {EXPECTED}", self.bounds)
        rows = [(self.period_id, *u, 1, "pending", 0, 0, "", self.stamp, self.stamp) for u in units]
        sql = f"INSERT INTO {SUBMISSION} ({COLUMNS}) VALUES ({', '.join('?' * 12)})"
        seconds = timed_write(self.db, (sql, rows))
        self.clear()
        return seconds


def mark_sent(
    db: sqlite3.Connection, period: Any, fields: dict[str, int], stamp: str, late: str
) -> None:
    """~65 % sent (5 % nil, 10 % late, 5 % approved), with their numbers as value rows."""
    on_time = "id % 20 BETWEEN 0 AND 10"  # 0: nil, 1: approved
    sent = "id % 20 BETWEEN 0 AND 12"
    data = "json_object('members', id % 50 + 5, 'women', id % 7, 'programmes', id % 4)"
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        f"UPDATE {SUBMISSION} SET status = CASE WHEN id % 20 = 1 THEN 'approved' "
        "ELSE 'submitted' END, version = 1, nil = (id % 20 = 0), "
        f"data = CASE WHEN id % 20 = 0 THEN '{{}}' ELSE {data} END, "
        f"first_submitted_at = CASE WHEN {on_time} THEN ? ELSE ? END, "
        f"submitted_at = CASE WHEN {on_time} THEN ? ELSE ? END "
        f"WHERE period_id = ? AND {sent}",
        (stamp, late, stamp, late, period.pk),
    )
    for key, field_id in fields.items():
        value = {"members": "id % 50 + 5", "women": "id % 7", "programmes": "id % 4"}[key]
        db.execute(
            f"INSERT INTO {VALUE} (submission_id, period_id, field_id, unit_path, value, "
            f"created_at, updated_at) SELECT id, period_id, ?, unit_path, {value}, ?, ? "
            f"FROM {SUBMISSION} WHERE period_id = ? AND {sent} AND id % 20 != 0",
            (field_id, stamp, stamp, period.pk),
        )
    db.execute("COMMIT")


def rates_floor(db: sqlite3.Connection, period: Any, node: Any, runs: int) -> float:
    """What the rates endpoint computes, as raw SQL: one GROUP BY by branch and level (the
    totals, the levels and the branches all add up from its few groups)."""
    from django.db import connection

    from daptar.lib import paths

    counts = (
        "COUNT(*), SUM(status IN ('submitted', 'approved')), "
        "SUM(status IN ('submitted', 'approved') AND first_submitted_at <= ?), "
        "SUM(status IN ('submitted', 'approved') AND nil), SUM(status = 'approved'), "
        "SUM(status = 'returned')"
    )
    where = (
        f"FROM {SUBMISSION} WHERE period_id = ? AND expected AND unit_path >= ? AND unit_path < ?"
    )
    due = connection.ops.adapt_datetimefield_value(period.due_at)
    params = (due, period.pk, node.path, paths.upper(node.path))
    width = len(node.path) + paths.STEP
    groups = f"SELECT substr(unit_path, 1, {width}), level_id, {counts} {where} GROUP BY 1, 2"
    return median_ms(lambda: db.execute(groups, params).fetchall(), runs)


def missing_floor(db: sqlite3.Connection, period: Any, node: Any, runs: int) -> float:
    from daptar.lib import paths

    rows = (
        f"FROM {SUBMISSION} s JOIN units_unit u ON u.id = s.unit_id "
        "JOIN units_level l ON l.id = s.level_id LEFT JOIN units_unit p ON p.id = s.parent_id "
        "WHERE s.period_id = ? AND s.expected AND s.unit_path >= ? AND s.unit_path < ? "
        "AND s.status NOT IN ('submitted', 'approved')"
    )
    params = (period.pk, node.path, paths.upper(node.path))

    def run() -> None:
        db.execute(f"SELECT COUNT(*) {rows}", params).fetchone()
        db.execute(
            f"SELECT s.*, u.*, l.*, p.* {rows} ORDER BY s.unit_path LIMIT 50", params
        ).fetchall()

    return median_ms(run, runs)


def aggregate_floor(db: sqlite3.Connection, period: Any, node: Any, runs: int) -> float:
    from daptar.lib import paths

    width = len(node.path) + paths.STEP
    sql = (
        f"SELECT substr(v.unit_path, 1, {width}), v.field_id, SUM(v.value), COUNT(*) "
        f"FROM {VALUE} v JOIN {SUBMISSION} s ON s.id = v.submission_id "
        "WHERE v.period_id = ? AND v.unit_path >= ? AND v.unit_path < ? "
        "AND s.status IN ('submitted', 'approved') GROUP BY 1, 2"
    )
    params = (period.pk, node.path, paths.upper(node.path))
    return median_ms(lambda: db.execute(sql, params).fetchall(), runs)


def measure(args: argparse.Namespace, copied: float) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.lib import paths
    from daptar.returns import actions, queries
    from daptar.returns.models import ReturnForm, ReturnPeriod, Submission
    from daptar.units.demo import LOGINS
    from daptar.units.models import Level, Unit

    call_command("migrate", interactive=False, verbosity=0)  # the copy predates the app
    call_command("createcachetable", verbosity=0)
    print(f"returns: on a copy of the bench database, {SCRATCH} ({copied:.1f} s to copy)")

    def unit_of(login: str) -> Unit:
        return Unit.objects.get(code=LOGINS[login][0])

    boss = User.objects.get(username="central")
    central, sylhet = unit_of("central"), unit_of("sylhet-division")
    levels = list(Level.objects.filter(slug__in=("union", "ward")))
    db = raw(SCRATCH)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    runs = args.runs
    rows: list[dict[str, Any]] = []

    def monthly(title: str) -> ReturnForm:
        return actions.create_form(
            issuing_unit=central,
            by=boss,
            title=title,
            target_unit=central,
            target_levels=levels,
            schedule="monthly",
            timely_days=10,
            lock_after_days=20,
            fields=FIELDS,
            rules=RULES,
        )

    spare_form = monthly("Bench floor (never published)")
    spare_day = [datetime.date(2001, 1, 1)]

    def spare_period() -> int:
        """A period of a form that is never published, for the floor's rows."""
        spare_day[0] = (spare_day[0] + datetime.timedelta(days=32)).replace(day=1)
        return ReturnPeriod.objects.create(
            form=spare_form,
            starts_on=spare_day[0],
            ends_on=spare_day[0],
            due_at=timezone.now(),
            opened_at=timezone.now(),
        ).pk

    # 1. Opening a period for every union and ward, beside the floor (taking turns first).
    floors = Floors(db, (central.path, paths.upper(central.path), central.pk), stamp, spare_period)
    figures: dict[str, list[float]] = {"open": [], "select": [], "many": []}
    opened: list[ReturnPeriod] = []
    open_queries, expected = 0, 0
    for n in range(args.opens):
        if n % 2:
            floor, expected = floors.insert_select()
        form = monthly(f"Bench: monthly return ({n + 1})")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            period = actions.publish(form, by=boss)
            figures["open"].append(time.perf_counter() - started)
        open_queries = len(captured)
        if not n % 2:
            floor, expected = floors.insert_select()
        figures["select"].append(floor)
        figures["many"].append(floors.executemany())
        opened.append(period)
    period = opened[0]
    if period.expected != expected:
        print(f"  !! publish wrote {period.expected:,} rows, the floor {expected:,}")
    med = {k: statistics.median(v) for k, v in figures.items()}
    open_row = {
        "name": f"open a period: {period.expected:,} expected units",
        "value": med["open"],
        "floor": med["select"],
        "floor_many": med["many"],
        "queries": open_queries,
        "runs": figures["open"],
        "unit": "s",
        "goal": GOALS["open"],
    }

    # 2. ~65 % sent; the figures read back.
    form = period.form
    field_ids = dict(form.fields.values_list("key", "pk"))
    late = connection.ops.adapt_datetimefield_value(period.due_at + datetime.timedelta(days=1))
    mark_sent(db, period, field_ids, stamp, late)
    states = dict(
        Submission.objects.filter(period=period).values_list("status").annotate(n=Count("pk"))
    )
    sent = states.get("submitted", 0) + states.get("approved", 0)
    total, _by_level = queries.rates(period, central)
    print(
        f"  period {period.pk}: {period.expected:,} expected, {sent:,} sent "
        f"({total.completeness} % complete, {total.timeliness} % on time, {total.nil:,} nil)"
    )

    overrides: dict[str, Any] = {"ALLOWED_HOSTS": ["testserver"]}
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():  # no collectstatic yet: plain static URLs instead of hashed ones
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }

    def page(client: Client, url: str, name: str, floor: float | None, goal: str = "") -> None:
        measured = request(client, url, runs, args.show_queries)
        rows.append({"name": name, "url": url, "floor": floor, "goal": goal, **measured})

    with override_settings(**overrides):
        client = Client()
        client.force_login(boss)
        api = f"/api/v1/returns/{form.pk}"
        web = f"/office/returns/{form.pk}"
        q = f"?period={period.pk}"
        div = f"{q}&unit={sylhet.pk}"
        page(
            client,
            f"{api}/rates/{q}",
            "API rates, whole country",
            rates_floor(db, period, central, runs),
            GOALS["rates"],
        )
        page(
            client,
            f"{api}/rates/{div}",
            "API rates, Sylhet division",
            rates_floor(db, period, sylhet, runs),
            GOALS["rates"],
        )
        page(
            client,
            f"{web}/rates/{q}",
            "rates page, whole country (+ missing list)",
            rates_floor(db, period, central, runs),
        )
        page(
            client,
            f"{web}/rates/{div}",
            "rates page, Sylhet division",
            rates_floor(db, period, sylhet, runs),
        )
        page(
            client,
            f"{api}/missing/{q}",
            "API missing, whole country, first 50",
            missing_floor(db, period, central, runs),
        )
        page(
            client,
            f"{api}/aggregate/{q}",
            "API aggregate, whole country",
            aggregate_floor(db, period, central, runs),
        )
        page(
            client,
            f"{api}/aggregate/{div}",
            "API aggregate, Sylhet division",
            aggregate_floor(db, period, sylhet, runs),
        )
        started = time.perf_counter()
        response = client.get(f"{web}/export.csv{div}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        csv_s = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = client.get(f"{web}/export.xlsx{div}")
        xlsx_s = time.perf_counter() - started
        exports = (
            Submission.objects.filter(period=period)
            .filter(paths.prefix_q(sylhet.path, "unit_path"))
            .count()
        )
    db.close()

    print(
        f"\n  {'median of ' + str(args.opens) + ' openings':46} {'s':>7} {'queries':>8} "
        f"{'floor s':>8} {'x floor':>8} {'execmany':>9}"
    )
    open_row["ratio"] = open_row["value"] / open_row["floor"] if open_row["floor"] else None
    print(
        f"  {open_row['name']:46} {fmt(open_row['value'], 2):>7} {open_row['queries']:>8} "
        f"{fmt(open_row['floor'], 2):>8} {fmt(open_row['ratio']):>8} "
        f"{fmt(open_row['floor_many'], 2):>9}"
    )
    print(
        f"\n  {'median of ' + str(runs) + ' requests':46} {'ms':>7} {'queries':>8} "
        f"{'floor ms':>8} {'x floor':>8} {'kB':>9}  goal"
    )
    for row in rows:
        row["unit"], row["value"] = "ms", row["ms"]
        row["ratio"] = row["ms"] / row["floor"] if row["floor"] else None
        status = "" if row["status"] == 200 else f"  (HTTP {row['status']})"
        print(
            f"  {row['name']:46} {fmt(row['ms'], 1):>7} {row['queries']:>8} "
            f"{fmt(row['floor'], 2):>8} {fmt(row['ratio']):>8} {fmt(row['kb']):>9}  "
            f"{row['goal']}{status}"
        )
    print(
        f"\n  exports of Sylhet division ({exports:,} rows, once each): CSV {csv_s:.2f} s "
        f"({size / 1024:,.0f} kB), XLSX {xlsx_s:.2f} s ({len(xlsx.content) / 1024:,.0f} kB)"
    )
    save(args.json, {"runs": runs, "opens": args.opens, "rows": [open_row, *rows]})


if __name__ == "__main__":
    main()
