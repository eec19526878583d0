"""Letters at full scale: the central office's registers and pending lists with 50,000 letters.

    python bench/letters.py [--runs N] [--letters N] [--json out.json] [--show-queries] [--keep]

Works on a COPY of the seeded bench database: var/bench/full.sqlite3 is copied
(SQLite's backup API) to var/bench/letters.sqlite3 and DAPTAR_DATABASE_URL points
there before Django is set up; the copy is deleted at the end unless --keep.
(With DAPTAR_DATABASE_URL already set, that database is used as it is.)

The letters are written in bulk, not through the send action: across the whole
country, most from wards and unions to the office above them, a quarter straight
to the central office, over the last two years; a third of them replies in the
same threads, a tenth of what waited at central forwarded to the writer's division, older
letters mostly dealt with. One send through `daptar.letters.actions.send` is
timed as well. Pages go through Django's test Client in this process, signed
in as `central` with force_login, as in bench/units.py; floors are the pages'
own reads as raw SQL through sqlite3 on the same file.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sqlite3
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness import BENCH_DB, BENCH_DIR, fmt, median_ms, save, setup_django, sqlite_file

SCRATCH = BENCH_DIR / "letters.sqlite3"
DAYS = 700
SEED = 20260117


def copy_database(source: Path, target: Path) -> None:
    """Copy *source* to *target* with SQLite's backup API (safe with a WAL beside it)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def fill(total: int) -> dict[str, Any]:
    """Write *total* letters and their receipts in bulk; returns what was written."""
    from django.db import transaction
    from django.db.models import F, Max
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.letters.models import Letter, Receipt
    from daptar.units.models import Counter, Unit

    rng = random.Random(SEED)  # noqa: S311 - repeatable bench data, not secrets
    units = list(Unit.objects.filter(is_active=True).values_list("pk", "path", "parent_id", "code"))
    by_pk = {pk: (path, parent, code) for pk, path, parent, code in units}
    by_path = {path: pk for pk, path, _parent, _code in units}
    children: dict[int, list[int]] = defaultdict(list)
    for pk, _path, parent, _code in units:
        if parent:
            children[parent].append(pk)
    root = next(pk for pk, _path, parent, _code in units if parent is None)
    author = User.objects.order_by("pk").values_list("pk", flat=True).first()
    now = timezone.now()
    serials: dict[tuple[int, int], int] = defaultdict(int)
    started = time.perf_counter()

    def ancestors(pk: int) -> list[int]:
        path = by_pk[pk][0]
        return [by_path[path[:end]] for end in range(4, len(path), 4)]

    def letter(sender: int, to: int, when: datetime.datetime, **extra: Any) -> Letter:
        year = timezone.localtime(when).year
        serials[(sender, year)] += 1
        n = serials[(sender, year)]
        return Letter(
            sender_id=sender,
            sender_path=by_pk[sender][0],
            author_id=author,
            recipient_id=to,
            subject=f"Letter {n} of {by_pk[sender][2]}",
            body="A letter written for the bench.",
            memo_no=f"{by_pk[sender][2]}/{year}/{n:04d}",
            memo_year=year,
            memo_serial=n,
            sent_at=when,
            priority="urgent" if rng.random() < 0.1 else "normal",
            confidential=rng.random() < 0.05,
            **extra,
        )

    def handled(age_days: float) -> str:
        done = 0.9 if age_days > 60 else 0.4
        if rng.random() >= done:
            return "pending"
        return "closed" if rng.random() < 0.3 else "answered"

    originals = int(total * 2 / 3)
    plans = []
    for _ in range(originals):
        sender = rng.choice(units)[0]
        above = ancestors(sender)
        roll = rng.random()
        if not above or (roll > 0.85 and children[sender]):
            to = rng.choice(children[sender]) if children[sender] else root
        elif roll < 0.25:
            to = root
        elif roll < 0.7:
            to = by_pk[sender][1]
        else:
            to = rng.choice(above)
        if to == sender:
            continue
        plans.append((sender, to, now - datetime.timedelta(days=rng.random() * DAYS)))
    plans.sort(key=lambda p: p[2])
    with transaction.atomic():
        first = Letter.objects.bulk_create([letter(s, t, w) for s, t, w in plans], batch_size=5000)
        Letter.objects.filter(thread__isnull=True).update(thread_id=F("pk"))
        receipts, forwards, replies = [], [], []
        for item in first:
            state = handled((now - item.sent_at).days)
            receipts.append(
                Receipt(
                    letter_id=item.pk,
                    unit_id=item.recipient_id,
                    unit_path=by_pk[item.recipient_id][0],
                    sender_id=item.sender_id,
                    state=state,
                    received_at=item.sent_at,
                    handled_at=None if state == "pending" else item.sent_at,
                    note="Dealt with." if state == "closed" else "",
                )
            )
            if item.recipient_id == root and rng.random() < 0.1 and state == "pending":
                division = by_path.get(by_pk[item.sender_id][0][:8])
                if division is not None and division != item.sender_id:
                    receipts[-1].state, receipts[-1].handled_at = "forwarded", item.sent_at
                    forwards.append((item, division))
            elif state == "answered":
                replies.append(item)
        Receipt.objects.bulk_create(receipts, batch_size=5000)
        passed_on = [
            Receipt(
                letter_id=item.pk,
                unit_id=to,
                unit_path=by_pk[to][0],
                sender_id=item.sender_id,
                via_id=root,
                state=handled((now - item.sent_at).days),
                received_at=item.sent_at,
            )
            for item, to in forwards
        ]
        Receipt.objects.bulk_create(passed_on, batch_size=5000)
        # Answers spread over the whole period, not just the oldest letters.
        replies = rng.sample(replies, min(len(replies), max(total - len(first), 0)))
        answers = Letter.objects.bulk_create(
            [
                letter(
                    item.recipient_id,
                    item.sender_id,
                    min(now, item.sent_at + datetime.timedelta(days=rng.random() * 5)),
                    reply_to_id=item.pk,
                    thread_id=item.pk,
                )
                for item in replies
            ],
            batch_size=5000,
        )
        Receipt.objects.bulk_create(
            [
                Receipt(
                    letter_id=a.pk,
                    unit_id=a.recipient_id,
                    unit_path=by_pk[a.recipient_id][0],
                    sender_id=a.sender_id,
                    state=handled((now - a.sent_at).days),
                    received_at=a.sent_at,
                )
                for a in answers
            ],
            batch_size=5000,
        )
        Counter.objects.bulk_create(
            [
                Counter(unit_id=unit, series="letter", year=year, last=last)
                for (unit, year), last in serials.items()
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    return {
        "letters": Letter.objects.count(),
        "receipts": Receipt.objects.count(),
        "seconds": time.perf_counter() - started,
        "last_year": Letter.objects.aggregate(y=Max("memo_year"))["y"],
    }


def request(client: Any, url: str, runs: int, show: bool) -> dict[str, Any]:
    """Median ms of GET *url* (body read, so CSV streams count), queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> Any:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return response

    ms = median_ms(get, runs)
    with CaptureQueriesContext(connection) as queries:
        response = get()
    if show:
        print(f"\n  -- {url}")
        for query in queries.captured_queries:
            print(f"  [{query['time']}s] {query['sql'][:400]}")
    return {"ms": ms, "queries": len(queries), "status": response.status_code}


class Floors:
    """The pages' own reads as raw SQL: the COUNT for the pager and the first page of rows."""

    RECEIPT_PAGE = """
        SELECT r.*, l.*, s.*, v.* FROM letters_receipt r
        JOIN letters_letter l ON l.id = r.letter_id JOIN units_unit s ON s.id = l.sender_id
        LEFT JOIN units_unit v ON v.id = r.via_id
        WHERE r.unit_id = ? {where} ORDER BY {order} LIMIT 30"""

    def __init__(self, path: Path, unit: int) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.db.execute("PRAGMA cache_size=-64000")  # as the app's connections have it
        self.unit = unit

    def receipts(self, where: str, params: tuple[Any, ...], order: str, runs: int) -> float:
        count = f"SELECT COUNT(*) FROM letters_receipt r WHERE r.unit_id = ? {where}"
        rows = self.RECEIPT_PAGE.format(where=where, order=order)

        def run() -> None:
            self.db.execute(count, (self.unit, *params)).fetchone()
            self.db.execute(rows, (self.unit, *params)).fetchall()

        return median_ms(run, runs)

    def others(self, runs: int) -> float:
        where = "(r.sender_id = ? OR r.via_id = ?) AND r.state = 'pending' AND r.unit_id != ?"
        count = f"SELECT COUNT(*) FROM letters_receipt r WHERE {where}"
        rows = f"""SELECT r.*, l.*, t.*, u.* FROM letters_receipt r
            JOIN letters_letter l ON l.id = r.letter_id JOIN units_unit t ON t.id = l.recipient_id
            JOIN units_unit u ON u.id = r.unit_id
            WHERE {where} ORDER BY r.received_at, r.id LIMIT 30"""
        params = (self.unit,) * 3

        def run() -> None:
            self.db.execute(count, params).fetchone()
            self.db.execute(rows, params).fetchall()

        return median_ms(run, runs)

    def outward(self, bounds: tuple[str, str], runs: int) -> float:
        where = "l.sender_id = ? AND l.sent_at >= ? AND l.sent_at < ?"
        count = f"SELECT COUNT(*) FROM letters_letter l WHERE {where}"
        rows = f"""SELECT l.*, t.*, (SELECT r.state FROM letters_receipt r
                WHERE r.letter_id = l.id AND r.unit_id = l.recipient_id LIMIT 1)
            FROM letters_letter l JOIN units_unit t ON t.id = l.recipient_id
            WHERE {where} ORDER BY l.sent_at DESC, l.id DESC LIMIT 30"""

        def run() -> None:
            self.db.execute(count, (self.unit, *bounds)).fetchone()
            self.db.execute(rows, (self.unit, *bounds)).fetchall()

        return median_ms(run, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per figure (median)")
    parser.add_argument("--letters", type=int, default=50_000, help="letters to write")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
    parser.add_argument("--keep", action="store_true", help="keep the copied database")
    args = parser.parse_args()
    copied = "DAPTAR_DATABASE_URL" not in os.environ
    if copied:
        if not BENCH_DB.exists():
            raise SystemExit("No bench database: run bench/seed.py (or bench/run.py) first.")
        copy_database(BENCH_DB, SCRATCH)
        os.environ["DAPTAR_DATABASE_URL"] = f"sqlite:///{SCRATCH}"
    setup_django()
    try:
        run(args)
    finally:
        if copied and not args.keep:
            from django.db import connections

            connections.close_all()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.letters import actions, queries
    from daptar.letters.models import Letter
    from daptar.units.demo import LOGINS
    from daptar.units.models import Unit

    call_command("migrate", verbosity=0, interactive=False)
    if not Unit.objects.filter(level__slug="ward", parent__level__slug="union").exists():
        raise SystemExit("The database is not seeded at full scale: run bench/seed.py first.")
    written = (
        fill(args.letters - Letter.objects.count()) if args.letters > Letter.objects.count() else {}
    )
    central = Unit.objects.get(code=LOGINS["central"][0])
    user = User.objects.get(username="central")
    runs = args.runs
    today = timezone.localdate()
    month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    bounds = queries.month_bounds(*month)
    assert bounds is not None
    stamps = tuple(connection.ops.adapt_datetimefield_value(b) for b in bounds)

    print(
        f"letters: {Letter.objects.count():,} letters, "
        f"{queries.inward(central).count():,} in central's inward register, "
        f"{queries.pending_count(central):,} pending with it, "
        f"{queries.pending_with_others(central).count():,} pending with others; "
        f"{Unit.objects.count():,} units in {connection.vendor}; median of {runs} runs"
    )
    if written:
        print(
            f"  (written in bulk in {written['seconds']:.1f} s: {written['receipts']:,} receipts)"
        )

    overrides: dict[str, Any] = {"ALLOWED_HOSTS": ["testserver"]}
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    path = sqlite_file()
    floors = Floors(path, central.pk) if path else None
    in_month = "AND r.received_at >= ? AND r.received_at < ?"
    newest, oldest = "r.received_at DESC, r.id DESC", "r.received_at, r.id"
    pending = "AND r.state = 'pending'"
    year_month = f"year={month[0]}&month={month[1]}"
    pages = [
        ("request overhead (unit search form)", "/office/units/search/", None),
        (
            "inward register, newest",
            "/office/letters/inward/",
            lambda: floors.receipts("", (), newest, runs),
        ),
        (
            f"inward register, {month[0]}-{month[1]:02d}",
            f"/office/letters/inward/?{year_month}",
            lambda: floors.receipts(in_month, stamps, newest, runs),
        ),
        ("inward register, page 300 (deep offset)", "/office/letters/inward/?page=300", None),
        ("pending with us", "/office/letters/", lambda: floors.receipts(pending, (), oldest, runs)),
        ("pending with others", "/office/letters/pending/others/", lambda: floors.others(runs)),
        (
            f"outward register, {month[0]}-{month[1]:02d}",
            f"/office/letters/outward/?{year_month}",
            lambda: floors.outward(stamps, runs),
        ),
        (
            f"inward CSV, {month[0]}-{month[1]:02d}",
            f"/office/letters/inward/?{year_month}&format=csv",
            None,
        ),
        ("API ?box=inward&year", f"/api/v1/letters/?box=inward&year={month[0]}", None),
        ("API ?box=pending", "/api/v1/letters/?box=pending", None),
    ]
    rows: list[dict[str, Any]] = []
    client = Client()
    with override_settings(**overrides):
        client.force_login(user)
        for name, url, floor in pages:
            figures = request(client, url, runs, args.show_queries)
            rows.append(
                {
                    "name": name,
                    "url": url,
                    "floor": floor() if floors and floor else None,
                    **figures,
                }
            )

    # One letter through the action: validation, memo number, letter, receipt, audit.
    district = Unit.objects.filter(parent__parent=central).order_by("pk").first()
    assert district is not None
    user = User.objects.get(pk=user.pk)

    def send() -> None:
        actions.send(sender=central, by=user, to_unit=district, subject="Bench", body="Bench")

    from django.test.utils import CaptureQueriesContext

    ms = median_ms(send, runs)
    with CaptureQueriesContext(connection) as sent:
        send()
    rows.append(
        {
            "name": "send one letter (action)",
            "url": "",
            "ms": ms,
            "queries": len(sent),
            "floor": None,
            "status": 200,
        }
    )

    # "own": the figure less what any signed-in page costs (the first row), i.e. the
    # letters page's own reads and rendering, which is what the floor compares with.
    overhead = rows[0]["ms"]
    print(
        f"\n  {'':40} {'median ms':>10} {'own ms':>8} {'queries':>8} {'floor ms':>9} "
        f"{'own/floor':>9}"
    )
    for row in rows:
        own = row["ms"] - overhead if row["url"].startswith("/office/letters/") else None
        row["own_ms"], row["ratio"] = (
            own,
            (own / row["floor"] if own and row.get("floor") else None),
        )
        status = "" if row.get("status", 200) == 200 else f"  (HTTP {row['status']})"
        print(
            f"  {row['name']:40} {fmt(row['ms'], 2):>10} {fmt(own, 2):>8} {row['queries']:>8} "
            f"{fmt(row['floor'], 2):>9} {fmt(row['ratio']):>9}{status}"
        )
    save(args.json, {"runs": runs, "rows": rows, "written": written})


if __name__ == "__main__":
    main()
