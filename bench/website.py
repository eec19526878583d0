"""The public website at full scale: 10,000 published reports, served by granian.

    python bench/website.py [--reports N] [--seconds S] [--clients C] [--threads T]
                            [--json out.json] [--keep]

Works on a COPY of the seeded bench database (var/bench/full.sqlite3 is copied with
SQLite's backup API to /tmp/reports-bench.sqlite3; deleted at the end unless --keep,
and reused when kept). Published reports are written in bulk across the grassroots
(unions and wards), two ready photos each, up to --reports.

One granian process (WSGI, one worker, --threads blocking threads) serves the app on
127.0.0.1 with the bench settings (bench/website_settings.py), whose only change is a
bare JSON view at /bench/bare/: no query, no template, the same middleware. That is
the framework floor the pages are read against, measured in slices alternating with
each page's (the machine's load moves; a ratio is fair only side by side).
--clients processes each keep one connection busy for --seconds per page,
sequentially; requests/s is the total, and the latency the median of every request.

Pages: the home page (latest reports with their photos), a report page (Bengali and
English), the report list filtered by a division, the Atom feed, the report page
again with If-None-Match (the 304 a CDN's revalidation gets), and a photo rendition
under its hashed address (200, and 304). These are warm: the whole-page cache
(daptar/website/pagecache.py) answers all but the first request. Queries per page
are counted in this process with the test Client under CaptureQueriesContext (not
timed): warm, and cold (the page cache emptied first).

Cold: --cold distinct report pages (1,000 by default), each requested once, spread
over the clients: requests/s and the 95th percentile latency of a crowd reading
reports no one has read since the last change.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import BENCH_DB, ROOT, fmt, save, setup_django

SCRATCH = Path(tempfile.gettempdir()) / "reports-bench.sqlite3"
SEED = 20261129
BODY = (
    "ইউনিয়নের সব ওয়ার্ডে সংগঠনের উদ্যোগে কর্মসূচি পালিত হয়েছে। স্থানীয় নেতৃবৃন্দ, "
    "কর্মী ও এলাকাবাসী অংশ নেন; শেষে আলোচনা সভা ও দোয়া অনুষ্ঠিত হয়। "
) * 6


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


def fill(total: int) -> int:
    """Published reports (two ready photos each) in bulk, up to *total*; returns the count."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from daptar.accounts.models import User
    from daptar.reports.actions import slug_for
    from daptar.reports.models import Category, Photo, Report
    from daptar.units.models import Unit

    have = Report.objects.published().count()
    if have >= total:
        return have
    rng = random.Random(SEED + have)  # noqa: S311 - bench data, not secrets
    units = list(
        Unit.objects.filter(level__slug__in=["union", "ward"]).values_list("pk", "path", "name_bn")
    )
    categories = list(Category.objects.all())
    author = User.objects.filter(person__isnull=False).order_by("pk").first()
    if author is None:
        raise SystemExit("No user with a person: seed the bench database first.")
    now = timezone.now()
    renditions = [
        {"w": 1600, "h": 1200, "webp": 180_000, "jpeg": 260_000},
        {"w": 800, "h": 600, "webp": 55_000, "jpeg": 80_000},
        {"w": 320, "h": 240, "webp": 11_000, "jpeg": 16_000},
    ]
    with transaction.atomic():
        for start in range(have, total, 2000):
            batch = []
            for n in range(start, min(total, start + 2000)):
                pk, path, name = rng.choice(units)
                title = f"{name}: {rng.choice(['বৃক্ষরোপণ', 'শীতবস্ত্র বিতরণ', 'কর্মী সভা'])} {n}"
                published = now - datetime.timedelta(minutes=n * 7)
                batch.append(
                    Report(
                        unit_id=pk, unit_path=path, author=author, category=rng.choice(categories),
                        title=title, body=BODY, place=name, participants=rng.randint(10, 500),
                        event_date=published.date() - datetime.timedelta(days=1),
                        status=Report.Status.PUBLISHED, submitted_at=published,
                        approved_at=published, published_at=published, public_changed_at=published,
                        slug=slug_for(title),
                    )
                )  # fmt: skip
            reports = Report.objects.bulk_create(batch)
            Photo.objects.bulk_create(
                [
                    Photo(
                        report=report, order=order, caption="কর্মসূচির ছবি",
                        original=f"reports/private/bench/{secrets.token_hex(16)}.jpg",
                        content_type="image/jpeg", size=3_000_000, width=4000, height=3000,
                        sha256=secrets.token_hex(32), key=secrets.token_hex(16),
                        status=Photo.Status.READY, renditions=renditions, rendered_at=now,
                    )
                    for report in reports
                    for order in (1, 2)
                ]
            )  # fmt: skip
    return Report.objects.published().count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_granian(port: int, database_url: str, threads: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "DAPTAR_DATABASE_URL": database_url,
        "DAPTAR_ALLOWED_HOSTS": "127.0.0.1",
        "DAPTAR_LOG_LEVEL": "WARNING",
    }
    granian = Path(sys.executable).parent / "granian"
    command = [
        str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--blocking-threads", str(threads), "--no-ws",
        "--log-level", "warning", "daptar.wsgi:application",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own venv's granian
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/bare/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("granian did not start")


def hammer(args: tuple[int, str, dict[str, str], float]) -> tuple[int, list[float], set[int]]:
    """One client: one keep-alive connection, requests back to back for *seconds*."""
    port, path, headers, seconds = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    statuses: set[int] = set()
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses.add(response.status)
        latencies.append(time.perf_counter() - started)
    connection.close()
    return len(latencies), latencies, statuses


def paired(
    port: int, path: str, headers: dict[str, str], clients: int, seconds: float, rounds: int = 6
) -> dict[str, Any]:
    """The page and the floor in alternating slices of seconds/rounds each, so both meet
    the same load on a shared machine; requests/s of each over all its slices."""
    hammer((port, path, headers, min(1.0, seconds)))  # warm up the server's caches
    bare: dict[str, str] = {}
    done = {"page": 0, "floor": 0}
    spent = {"page": 0.0, "floor": 0.0}
    latencies: list[float] = []
    statuses: set[int] = set()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        for _round in range(rounds):
            for kind, target, sent in (("floor", "/bench/bare/", bare), ("page", path, headers)):
                started = time.perf_counter()
                results = pool.map(hammer, [(port, target, sent, seconds / rounds)] * clients)
                spent[kind] += time.perf_counter() - started
                done[kind] += sum(n for n, _ts, _s in results)
                if kind == "page":
                    latencies += [t for _n, ts, _s in results for t in ts]
                    statuses |= set().union(*(s for _n, _ts, s in results))
    return {
        "rps": done["page"] / spent["page"],
        "floor": done["floor"] / spent["floor"],
        "ms": statistics.median(latencies) * 1000,
        "status": sorted(statuses),
    }


def queries_of(path: str, headers: dict[str, str]) -> tuple[int, int, int]:
    """(warm queries, cold queries, bytes) of one page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from daptar.website import pagecache

    client = Client(headers=headers)
    pagecache.store.clear()
    # The server reads the site's generation through a connection of its own; here it
    # goes through Django's, so that read is counted too.
    reader, pagecache._sqlite_reader = pagecache._sqlite_reader, lambda: None
    try:
        with CaptureQueriesContext(connection) as cold:
            client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    finally:
        pagecache._sqlite_reader = reader
    size = (
        len(b"".join(response.streaming_content))  # type: ignore[attr-defined,arg-type]
        if response.streaming
        else len(response.content)
    )
    return len(captured), len(cold), size


def once(args: tuple[int, list[str]]) -> list[tuple[float, int]]:
    """One client: each path once, back to back on one keep-alive connection."""
    port, paths = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        out.append((time.perf_counter() - started, response.status))
    connection.close()
    return out


def crowd(port: int, paths: list[str], clients: int) -> dict[str, Any]:
    """Every path requested once, shared among *clients*: req/s and latency percentiles."""
    shares = [paths[n::clients] for n in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        started = time.perf_counter()
        results = pool.map(once, [(port, share) for share in shares])
        elapsed = time.perf_counter() - started
    latencies = sorted(t for rows in results for t, _s in rows)
    statuses = sorted({s for rows in results for _t, s in rows})
    return {
        "rps": len(latencies) / elapsed,
        "ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "status": statuses,
    }


def rendition_file(photo: Any, width: int, fmt: str) -> None:
    """Write a real image file for one bench photo's rendition (bench rows have none)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from daptar.reports.actions import photo_storage

    name = photo.rendition_name(width, fmt)
    storage = photo_storage()
    if not storage.exists(name):
        buffer = io.BytesIO()
        Image.new("RGB", (width, width * 3 // 4), "seagreen").save(
            buffer, "WEBP" if fmt == "webp" else "JPEG", quality=80
        )
        storage.save(name, ContentFile(buffer.getvalue()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=10_000, help="published reports to have")
    parser.add_argument("--seconds", type=float, default=5.0, help="load per page")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="granian blocking threads")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the copied database")
    parser.add_argument("--cold", type=int, default=1000, help="distinct report pages, once each")
    args = parser.parse_args()

    if "DAPTAR_DATABASE_URL" not in os.environ:
        if not SCRATCH.exists():
            if not BENCH_DB.exists():
                raise SystemExit("No bench database: run bench/seed.py (or bench/run.py) first.")
            copy_database(BENCH_DB, SCRATCH)
        os.environ["DAPTAR_DATABASE_URL"] = f"sqlite:///{SCRATCH}"
    database_url = os.environ["DAPTAR_DATABASE_URL"]
    try:
        run(args, database_url)
    finally:
        if not args.keep and database_url == f"sqlite:///{SCRATCH}":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)


def run(args: argparse.Namespace, database_url: str) -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from daptar.reports.models import Report
    from daptar.units.models import Unit

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    count = fill(args.reports)
    print(
        f"website: {Unit.objects.count():,} units, {count:,} published reports "
        f"(filled in {time.perf_counter() - started:.1f} s) in {connection.vendor}; "
        f"granian 1 worker x {args.threads} threads, {args.clients} clients x "
        f"{args.seconds:g} s per page; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    report = Report.objects.published().order_by("-published_at")[37]
    division = Unit.objects.filter(level__slug="division").order_by("path").first()
    assert division is not None
    photo = report.photos.order_by("order").first()
    assert photo is not None
    rendition_file(photo, 800, "webp")
    from daptar.reports.templatetags.report_photos import photo_path

    photo_url = photo_path(photo, 800, "webp")
    pages: list[tuple[str, str, dict[str, str]]] = [
        ("bare JSON view (framework floor)", "/bench/bare/", {}),
        ("home page", "/", {}),
        ("report page", report.public_path(), {}),
        ("report page, English", report.public_path("en"), {}),
        ("report list ?division=", f"/reports/?division={division.pk}", {}),
        ("Atom feed", "/feed/", {}),
        ("photo 800.webp (hashed, immutable)", photo_url, {}),
    ]
    # The same URLs as the server (the bare view too), for counting queries in-process.
    overrides = {"ALLOWED_HOSTS": ["testserver", "127.0.0.1"], "ROOT_URLCONF": "website_urls"}
    with override_settings(**overrides):
        counted = {path: queries_of(path, headers) for _name, path, headers in pages}
        from django.test import Client

        etag = Client().get(report.public_path())["ETag"]
        photo_etag = Client().get(photo_url)["ETag"]
    conditional = [
        ("report page, If-None-Match (304)", report.public_path(), {"If-None-Match": etag}),
        ("photo, If-None-Match (304)", photo_url, {"If-None-Match": photo_etag}),
    ]
    pages += conditional
    with override_settings(**overrides):
        for _name, path, headers in conditional:
            counted[f"{path}#304"] = queries_of(path, headers)
    # Reports no one has read: the newest 37 are skipped (the warm pages are among them).
    cold_paths = [
        r.public_path()
        for r in Report.objects.published().order_by("-published_at")[100 : 100 + args.cold]
    ]
    connection.close()  # the server has the database to itself while it is timed

    port = free_port()
    server = start_granian(port, database_url, args.threads)
    rows = []
    try:
        for name, path, headers in pages:
            figures = paired(port, path, headers, args.clients, args.seconds)
            key = f"{path}#304" if headers else path
            queries, cold, size = counted[key]
            rows.append(
                {
                    "name": name, "path": path, "queries": queries, "cold_queries": cold,
                    "kb": size / 1024, **figures,
                }
            )  # fmt: skip
        cold_figures = crowd(port, cold_paths, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"\n  {'warm (page cache)':36} {'req/s':>8} {'floor':>7} {'of floor':>9} "
        f"{'median ms':>10} {'queries':>8} {'cold q':>7} {'KB':>6}"
    )
    for row in rows:
        row["of_floor"] = row["rps"] / row["floor"] if row["floor"] else None
        status = "" if row["status"] in ([200], [304]) else f"  (HTTP {row['status']})"
        print(
            f"  {row['name']:36} {fmt(row['rps'], 0):>8} {fmt(row['floor'], 0):>7} "
            f"{fmt(100 * row['of_floor'], 0) + ' %':>9} {fmt(row['ms'], 2):>10} "
            f"{row['queries']:>8} {row['cold_queries']:>7} {fmt(row['kb'], 1):>6}{status}"
        )
    print(
        f"\n  cold: {len(cold_paths):,} distinct report pages once each: "
        f"{fmt(cold_figures['rps'], 0)} req/s, median {fmt(cold_figures['ms'], 1)} ms, "
        f"p95 {fmt(cold_figures['p95_ms'], 1)} ms (goal: under 200 ms), "
        f"{counted[report.public_path()][1]} queries per page, HTTP {cold_figures['status']}"
    )
    summary = [
        {
            "name": f"website: {row['name']} (req/s)",
            "value": row["rps"], "unit": "/s", "floor": row["floor"],
            "ratio": row["of_floor"], "queries": row["queries"], "goal": "at least 50 % of floor",
        }
        for row in rows[1:]
    ]  # fmt: skip
    summary.append(
        {
            "name": f"website: {len(cold_paths)} cold report pages, p95",
            "value": cold_figures["p95_ms"], "unit": "ms",
            "queries": counted[report.public_path()][1], "goal": "under 200 ms",
        }
    )  # fmt: skip
    save(args.json, {"reports": count, "rows": summary, "pages": rows, "cold": cold_figures})


if __name__ == "__main__":
    main()
