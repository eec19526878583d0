"""Directives at full scale: issuing to the whole country, tracking it, a ward's inbox.

    python bench/directives.py [--runs N] [--issues N] [--json out.json] [--show-queries] [--keep]

Works on a COPY of the seeded bench database: var/bench/full.sqlite3 is copied
(SQLite's backup API) to var/bench/directives.sqlite3 and DAPTAR_DATABASE_URL
points there before Django is set up, so the thousands of deliveries written
here never reach the database the other benches read. The copy is deleted at
the end unless --keep.

Issuing goes through `daptar.directives.actions.issue` (a draft made first with
`create_directive`, as the `central` login); its floor is the same rows written
straight through sqlite3, once as one INSERT … SELECT and once with executemany.
Pages go through Django's test Client in this process, signed in with
force_login, as in bench/units.py. Delivery states for tracking are set in bulk
with UPDATE … WHERE id % 10, not through the actions.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from harness import BENCH_DB, BENCH_DIR, ROOT, fmt, median_ms, save, setup_django
from run import seeded_full
from units import request

SCRATCH = BENCH_DIR / "directives.sqlite3"
DELIVERY = "directives_delivery"
COLUMNS = (
    "directive_id, unit_id, unit_path, depth, level_id, state, delivered_at, "
    "acknowledge_note, done_note, forward_note, created_at, updated_at"
)
# The issue's own recipients query, as raw SQL: the target's subtree, active, less the issuer.
RECIPIENTS = "FROM units_unit WHERE path >= ? AND path < ? AND is_active AND id != ?"
INBOX_SIZES = (10, 50)
GOALS = {"issue": "under 3 s", "tracking": "under 200 ms", "inbox": "under 50 ms"}


def copy_database(source: Path, target: Path) -> float:
    """Copy *source* to *target* with SQLite's backup API (safe with a WAL beside it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return time.perf_counter() - started


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's PRAGMAs; autocommit, BEGIN/COMMIT by hand."""
    db = sqlite3.connect(path, isolation_level=None, timeout=20)
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
    )
    return db


def timed_write(db: sqlite3.Connection, *steps: tuple[str, Any]) -> float:
    """Seconds for BEGIN IMMEDIATE, the statements, COMMIT."""
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for sql, params in steps:
        if isinstance(params, list):
            db.executemany(sql, params)
        else:
            db.execute(sql, params)
    db.execute("COMMIT")
    return time.perf_counter() - started


class Floors:
    """The issue's rows written straight through sqlite3 for a spare draft, then removed.

    Each floor gets a draft of its own made just before, so that, like the issue's,
    its rows go at the right-hand end of the delivery indexes (a lower directive id
    would land mid-index, which costs more than appending).
    """

    def __init__(self, db: sqlite3.Connection, unit: Any, stamp: str, spare: Any) -> None:
        from daptar.lib import paths

        self.db, self.stamp, self.spare = db, stamp, spare
        self.bounds = (unit.path, paths.upper(unit.path), unit.pk)
        self.directive_id = 0

    def fresh(self) -> None:
        self.directive_id = self.spare().pk

    def clear(self) -> None:
        self.db.execute(f"DELETE FROM {DELIVERY} WHERE directive_id = ?", (self.directive_id,))

    def insert_select(self) -> tuple[float, int]:
        self.fresh()
        sql = (
            f"INSERT INTO {DELIVERY} ({COLUMNS}) SELECT ?, id, path, depth, level_id, "
            f"'delivered', ?, '', '', '', ?, ? {RECIPIENTS}"
        )
        params = (self.directive_id, self.stamp, self.stamp, self.stamp, *self.bounds)
        seconds = timed_write(self.db, (sql, params))
        rows = self.db.execute(
            f"SELECT COUNT(*) FROM {DELIVERY} WHERE directive_id = ?", (self.directive_id,)
        ).fetchone()[0]
        self.clear()
        return seconds, rows

    def executemany(self) -> float:
        self.fresh()
        units = self.db.execute(f"SELECT id, path, depth, level_id {RECIPIENTS}", self.bounds)
        rows = [
            (self.directive_id, *unit, "delivered", self.stamp, "", "", "", self.stamp, self.stamp)
            for unit in units
        ]
        sql = f"INSERT INTO {DELIVERY} ({COLUMNS}) VALUES ({', '.join('?' * 12)})"
        seconds = timed_write(self.db, (sql, rows))
        self.clear()
        return seconds

    def relay(self) -> float:
        """Pending rows written a depth at a time, top first, each row's relay_parent_id
        looked up in the same INSERT (its parent's row, written one pass earlier); then
        the top ones delivered.

        Right only when every level is a recipient (as here): then a unit's nearest
        recipient ancestor is its parent, and the top ones are the issuer's children.
        """
        self.fresh()
        low, high = self.db.execute(
            f"SELECT MIN(depth), MAX(depth) {RECIPIENTS}", self.bounds
        ).fetchone()
        insert = (
            f"INSERT INTO {DELIVERY} ({COLUMNS}, relay_parent_id) "
            "SELECT ?, id, path, depth, level_id, 'pending', NULL, '', '', '', ?, ?, "
            f"(SELECT a.id FROM {DELIVERY} a WHERE a.directive_id = ? "
            "AND a.unit_path = substr(units_unit.path, 1, length(units_unit.path) - 4)) "
            f"{RECIPIENTS} AND depth = ?"
        )
        top = (
            f"UPDATE {DELIVERY} SET state = 'delivered', delivered_at = ? "
            "WHERE directive_id = ? AND relay_parent_id IS NULL"
        )
        params = (self.directive_id, self.stamp, self.stamp, self.directive_id, *self.bounds)
        steps = [(insert, (*params, depth)) for depth in range(low, high + 1)]
        seconds = timed_write(self.db, *steps, (top, (self.stamp, self.directive_id)))
        self.clear()
        return seconds


def tracking_floor(
    db: sqlite3.Connection, directive_id: int, node: Any, overdue: bool, runs: int
) -> float:
    """The tracking data as raw SQL: the GROUP BY by level and state; with *node*, its
    branches' GROUP BY too; with *overdue*, the overdue count and first 25 of them."""
    from daptar.lib import paths

    funnel = (
        f"SELECT level_id, state, COUNT(*) FROM {DELIVERY} WHERE directive_id = ? GROUP BY 1, 2"
    )
    steps: list[tuple[str, tuple[Any, ...]]] = [(funnel, (directive_id,))]
    if node is not None:
        within = (directive_id, node.path, paths.upper(node.path))
        steps.append((
            f"SELECT substr(unit_path, 1, {len(node.path) + paths.STEP}), state, COUNT(*) "
            f"FROM {DELIVERY} WHERE directive_id = ? AND unit_path >= ? AND unit_path < ? "
            "GROUP BY 1, 2",
            within,
        ))  # fmt: skip
        if overdue:
            late = (
                f"FROM {DELIVERY} d JOIN units_unit u ON u.id = d.unit_id "
                "JOIN units_level l ON l.id = d.level_id "
                "LEFT JOIN units_unit p ON p.id = u.parent_id "
                "WHERE d.directive_id = ? AND d.unit_path >= ? AND d.unit_path < ? "
                "AND d.state != 'done'"
            )
            steps.append((f"SELECT COUNT(*) {late}", within))
            steps.append(
                (f"SELECT d.*, u.*, l.*, p.* {late} ORDER BY d.unit_path LIMIT 25", within)
            )

    def run() -> None:
        for sql, params in steps:
            db.execute(sql, params).fetchall()

    return median_ms(run, runs)


def inbox_floor(db: sqlite3.Connection, unit_id: int, limit: int, runs: int) -> float:
    """The inbox's data as raw SQL: the count and the first page, urgent-and-open first."""
    rows = (
        f"FROM {DELIVERY} d JOIN directives_directive r ON r.id = d.directive_id "
        "JOIN units_unit u ON u.id = r.issuing_unit_id "
        "WHERE d.unit_id = ? AND d.state != 'pending' AND r.status != 'draft'"
    )
    page = (
        f"SELECT d.*, r.*, u.* {rows} ORDER BY CASE WHEN r.priority = 'urgent' "
        "AND r.status = 'issued' AND d.state != 'done' THEN 0 ELSE 1 END, "
        "r.status, d.delivered_at DESC, d.id DESC LIMIT ?"
    )

    def run() -> None:
        db.execute(f"SELECT COUNT(*) {rows}", (unit_id,)).fetchone()
        db.execute(page, (unit_id, limit)).fetchall()

    return median_ms(run, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (median)")
    parser.add_argument("--issues", type=int, default=3, help="directives issued per mode")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--keep", action="store_true", help=f"keep {SCRATCH.name} afterwards")
    args = parser.parse_args()

    if not seeded_full(BENCH_DB):
        raise SystemExit(f"{BENCH_DB} holds no full seed: run bench/run.py (or seed.py) first.")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
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


def measure(args: argparse.Namespace, copied: float) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.directives import actions
    from daptar.directives.models import Delivery, Directive
    from daptar.people.models import Term
    from daptar.units.demo import LOGINS
    from daptar.units.models import Unit

    call_command("migrate", interactive=False, verbosity=0)  # the copy may predate a migration
    call_command("createcachetable", verbosity=0)
    rel = SCRATCH.relative_to(ROOT)
    print(f"directives: on a copy of the bench database, {rel} ({copied:.1f} s to copy)")

    def unit_of(login: str) -> Unit:
        return Unit.objects.get(code=LOGINS[login][0])

    central_user = User.objects.get(username="central")
    central, sylhet = unit_of("central"), unit_of("sylhet-division")
    due = timezone.now() + datetime.timedelta(days=3)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    db = raw(SCRATCH)
    runs = args.runs
    issue_rows: list[dict[str, Any]] = []
    read_rows: list[dict[str, Any]] = []

    def draft(by: User, unit: Unit, title: str, **fields: Any) -> Directive:
        return actions.create_directive(
            issuing_unit=unit, by=by, title=title, body="Bench.", due_at=due, target_unit=unit,
            **fields,
        )  # fmt: skip

    def issue(directive: Directive, by: User) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            actions.issue(directive, by=by)
            seconds = time.perf_counter() - started
        return seconds, len(captured)

    # 1. Issuing to the whole country, direct and relayed, each beside its floor.
    floors = Floors(
        db, central, stamp, lambda: draft(central_user, central, "Bench floor (never issued)")
    )
    direct: list[Directive] = []
    figures: dict[str, list[float]] = {k: [] for k in ("direct", "select", "many", "relay", "rf")}
    queries = {"direct": 0, "relay": 0}
    expected = 0
    # Issue and floor take turns going first: whichever writes after the other
    # connection finds its page cache stale, and that should not favour either.
    for n in range(args.issues):
        if n % 2:
            floor, expected = floors.insert_select()
        directive = draft(central_user, central, f"Bench: to every unit ({n + 1})")
        seconds, queries["direct"] = issue(directive, central_user)
        if not n % 2:
            floor, expected = floors.insert_select()
        figures["direct"].append(seconds)
        direct.append(directive)
        figures["select"].append(floor)
        figures["many"].append(floors.executemany())
    for n in range(args.issues):
        if n % 2:
            figures["rf"].append(floors.relay())
        directive = draft(central_user, central, f"Bench: relayed ({n + 1})", mode="relay")
        seconds, queries["relay"] = issue(directive, central_user)
        if not n % 2:
            figures["rf"].append(floors.relay())
        figures["relay"].append(seconds)
    issued = Directive.objects.get(pk=direct[0].pk).expected
    if issued != expected:
        print(f"  !! issue wrote {issued:,} deliveries, the floor {expected:,}")
    med = {k: statistics.median(v) for k, v in figures.items()}
    issue_rows.append({
        "name": f"issue, direct, to all {issued:,} units", "value": med["direct"],
        "floor": med["select"], "floor_many": med["many"], "queries": queries["direct"],
        "goal": GOALS["issue"], "runs": figures["direct"],
    })  # fmt: skip
    issue_rows.append({
        "name": "issue, relay, to all (links relay parents)", "value": med["relay"],
        "floor": med["rf"], "floor_many": None, "queries": queries["relay"], "goal": "",
        "runs": figures["relay"],
    })  # fmt: skip

    # 2. Tracking the first direct directive: ~30 % acknowledged, ~10 % done.
    tracked = direct[0]
    db.execute(
        f"UPDATE {DELIVERY} SET state = 'acknowledged', seen_at = ?, acknowledged_at = ? "
        "WHERE directive_id = ? AND id % 10 IN (1, 2, 3)",
        (stamp, stamp, tracked.pk),
    )
    db.execute(
        f"UPDATE {DELIVERY} SET state = 'done', seen_at = ?, acknowledged_at = ?, done_at = ? "
        "WHERE directive_id = ? AND id % 10 = 0",
        (stamp, stamp, stamp, tracked.pk),
    )
    states = dict(
        Delivery.objects.filter(directive=tracked).values_list("state").annotate(n=Count("pk"))
    )
    share = {k: round(100 * states.get(k, 0) / issued) for k in ("acknowledged", "done")}

    # No setup_test_environment(): its instrumented template rendering would be timed too.
    overrides: dict[str, Any] = {"ALLOWED_HOSTS": ["testserver"]}
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():  # no collectstatic yet: plain static URLs instead of hashed ones
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }

    def client_for(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def page(client: Client, url: str, name: str, floor: float | None, goal: str = "") -> None:
        measured = request(client, url, runs, args.show_queries)
        read_rows.append({"name": name, "url": url, "floor": floor, "goal": goal, **measured})

    with override_settings(**overrides):
        boss = client_for(central_user)
        api = f"/api/v1/directives/{tracked.pk}/tracking/"
        web = f"/office/directives/{tracked.pk}/tracking/"
        within = f"?within={sylhet.pk}"
        label = f"{share['acknowledged']} % ack., {share['done']} % done"

        def track(node: Unit | None, overdue: bool = False) -> float:
            return tracking_floor(db, tracked.pk, node, overdue, runs)

        page(boss, api, f"API tracking ({label})", track(None), GOALS["tracking"])
        page(boss, api + within, "API tracking ?within=Sylhet division", track(sylhet))
        page(boss, web, "tracking page", track(central))
        page(boss, web + within, "tracking page ?within=Sylhet division", track(sylhet))
        # Past due, the page also counts and lists the overdue units (~90 % of them).
        Directive.objects.filter(pk=tracked.pk).update(
            due_at=timezone.now() - datetime.timedelta(days=1)
        )
        page(boss, web, "tracking page, past due", track(central, True))
        page(boss, web + within, "tracking page ?within=Sylhet div., past due", track(sylhet, True))

        # 3. A ward's inbox: its union's office issues small directives to the union's subtree.
        union_user = User.objects.get(username="jalalabad")
        union = unit_of("jalalabad")
        ward = Unit.objects.filter(parent=union).order_by("path").first()
        assert ward is not None
        term = Term.objects.current().get(unit=ward, post__slug="office_secretary")
        ward_user, _ = User.objects.get_or_create(
            username="bench-ward", defaults={"person": term.person}
        )
        ward_user.set_unusable_password()
        ward_user.save()
        clerk = client_for(ward_user)

        def received() -> int:
            return (
                Delivery.objects.filter(unit=ward)
                .received()
                .exclude(directive__status=Directive.Status.DRAFT)
                .count()
            )

        page(clerk, "/office/units/search/", "unit search form, ward (request overhead)", None)
        made = 0
        for size in INBOX_SIZES:
            while received() < size:
                made += 1
                urgent = "urgent" if made % 5 == 0 else "normal"
                small = draft(union_user, union, f"Bench: to the union ({made})", priority=urgent)
                actions.issue(small, by=union_user)
            page(clerk, "/office/directives/", f"ward inbox page, {size} directives",
                 inbox_floor(db, ward.pk, 30, runs), GOALS["inbox"])  # fmt: skip
            page(clerk, "/api/v1/directives/?box=inbox", f"API inbox, ward, {size} directives",
                 inbox_floor(db, ward.pk, 50, runs))  # fmt: skip
    db.close()

    print(f"\n  {'median of ' + str(args.issues) + ' issues':46} {'s':>7} {'queries':>8} "
          f"{'floor s':>8} {'x floor':>8} {'execmany':>9}  goal")  # fmt: skip
    for row in issue_rows:
        row["unit"] = "s"
        row["ratio"] = row["value"] / row["floor"] if row["floor"] else None
        print(
            f"  {row['name']:46} {fmt(row['value'], 2):>7} {row['queries']:>8} "
            f"{fmt(row['floor'], 2):>8} {fmt(row['ratio']):>8} "
            f"{fmt(row['floor_many'], 2):>9}  {row['goal']}"
        )
    print(
        f"\n  {'median of ' + str(runs) + ' requests':46} {'ms':>7} {'queries':>8} "
        f"{'floor ms':>8} {'x floor':>8} {'kB':>9}  goal"
    )
    for row in read_rows:
        row["unit"], row["value"] = "ms", row["ms"]
        row["ratio"] = row["ms"] / row["floor"] if row["floor"] else None
        status = "" if row["status"] == 200 else f"  (HTTP {row['status']})"
        print(
            f"  {row['name']:46} {fmt(row['ms'], 1):>7} {row['queries']:>8} "
            f"{fmt(row['floor'], 2):>8} {fmt(row['ratio']):>8} {fmt(row['kb']):>9}  "
            f"{row['goal']}{status}"
        )
    counts = {r["queries"] for r in read_rows if r["name"].startswith("ward inbox page")}
    print(
        "\n  ward inbox page queries at "
        + " and ".join(str(size) for size in INBOX_SIZES)
        + f" directives: {'the same' if len(counts) == 1 else 'NOT the same'}"
    )
    save(args.json, {"runs": runs, "issues": args.issues, "rows": issue_rows + read_rows})


if __name__ == "__main__":
    main()
