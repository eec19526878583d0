"""Load: a Monday morning after a directive went out, then a reconciliation with the database.

    .venv/bin/python bench/load.py                       # full country, 200 users, 5 minutes
    .venv/bin/python bench/load.py --quick               # 30 s, 30 users
    .venv/bin/python bench/load.py --scale small --users 10 --duration 20
    DAPTAR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_qa .venv/bin/python bench/load.py

Seeds the country into its own database (var/bench/load-<scale>.sqlite3 unless
DAPTAR_DATABASE_URL says otherwise; media under var/bench/load-media-<scale>), sends a
directive and a return from the centre to one division's unions and wards, gives
their office secretaries and the division's district secretaries API tokens, then
starts granian (several workers) and the task worker and runs Locust headless with
bench/locustfile.py. It prints requests, errors by status and p50/p95/p99 per kind
of request, then reconciles: every write a client got a 2xx for is in the database
exactly once (found by the unique marker it carried), nothing that got an error is
half there, and every photo row has its file and every stored file its row. Exits 1
when there was any error or any mismatch, so the test suite can run a quick one.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["small", "full"], default="full")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=300, help="seconds")
    parser.add_argument("--quick", action="store_true", help="30 s with 30 users")
    parser.add_argument("--workers", type=int, default=3, help="granian worker processes")
    parser.add_argument("--port", type=int, default=8210)
    parser.add_argument("--division", default="DIV-SYL", help="the division addressed")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.users = min(args.duration, 30), min(args.users, 30)
    return args


def environment(scale: str) -> dict[str, str]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        "DAPTAR_DATABASE_URL": os.environ.get("DAPTAR_DATABASE_URL")
        or f"sqlite:///{BENCH_DIR / f'load-{scale}.sqlite3'}",
        "DAPTAR_MEDIA_ROOT": os.environ.get("DAPTAR_MEDIA_ROOT")
        or str(BENCH_DIR / f"load-media-{scale}"),
        "DAPTAR_SECURE_COOKIES": "0",
        "DAPTAR_HSTS_SECONDS": "0",
        "DAPTAR_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "daptar.settings",
    }
    os.environ.update(env)
    return {**os.environ, **env}


# --- before: the country, the directive, the return, the logins -----------------------------


def prepare(args: argparse.Namespace, run: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from daptar.accounts import actions as account_actions
    from daptar.accounts.models import User
    from daptar.directives import actions as directive_actions
    from daptar.people.models import Term
    from daptar.returns import actions as return_actions
    from daptar.units import demo
    from daptar.units.models import Level, Unit

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest
    if not Unit.objects.filter(level__slug="ward").exists() or (
        args.scale == "full" and Unit.objects.count() < 40_000
    ):
        started = time.perf_counter()
        demo.seed(args.scale, password=uuid.uuid4().hex)
        print(f"seeded the {args.scale} country in {time.perf_counter() - started:.0f} s")
    central = User.objects.get(username="central")
    root = Unit.objects.get(code="CEN")
    division = Unit.objects.get(code=args.division)
    grassroots = list(Level.objects.filter(slug__in=["union", "ward"]))
    due = timezone.now() + datetime.timedelta(days=7)

    directive = directive_actions.create_directive(
        issuing_unit=root,
        by=central,
        title=f"Bench directive {run}",
        body="Meet, report with photos, and send the members' return.",
        due_at=due,
        target_unit=division,
        target_levels=grassroots,
    )
    directive = directive_actions.issue(directive, by=central)
    form = return_actions.create_form(
        issuing_unit=root,
        by=central,
        title=f"Bench return {run}",
        target_unit=division,
        target_levels=grassroots,
        due_at=due,
        fields=[
            {"key": "members", "label_bn": "সদস্য", "label_en": "Members", "type": "integer"},
            {"key": "note", "label_bn": "মন্তব্য", "label_en": "Note", "type": "text"},
        ],
    )
    return_actions.publish(form, by=central)

    def logins(levels: list[str], count: int) -> list[dict[str, Any]]:
        terms = (
            Term.objects.current()
            .filter(
                post__slug="office_secretary",
                unit__level__slug__in=levels,
                unit__path__startswith=division.path,
            )
            .select_related("unit", "person")
            .order_by("unit__path")[:count]
        )
        out = []
        for term in terms:
            user = User.objects.filter(person=term.person).first()
            if user is None:
                user = User(username=f"bench-{term.unit.code}", person=term.person)
                user.set_unusable_password()
                user.save()
            token = account_actions.issue_token(user, by=user).key
            out.append({"unit": term.unit.pk, "token": token})
        return out

    return {
        "run": run,
        "directive": directive.pk,
        "form": form.pk,
        "yesterday": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "offices": logins(["union", "ward"], max(args.users, 1)),
        "districts": logins(["district"], 20),
    }


# --- during: the servers and the users -------------------------------------------------------


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(args: argparse.Namespace, env: dict[str, str], fixture: Path, log: Path) -> float:
    server = subprocess.Popen(  # noqa: S603 - our venv's own programs
        [
            str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(args.port), "--workers", str(args.workers),
            "--blocking-threads", "4", "--log-level", "warning", "daptar.wsgi:application",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(BENCH_DIR / "worker.log").open("w"),
    )  # fmt: skip
    try:
        wait_for(args.port)
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                "--users", str(args.users), "--spawn-rate", str(max(1, args.users // 10)),
                "--run-time", f"{args.duration}s", "--host", f"http://127.0.0.1:{args.port}",
                "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "30",
            ],
            cwd=ROOT, env={**env, "BENCH_FIXTURE": str(fixture), "BENCH_LOG": str(log)},
            check=False, stdout=subprocess.DEVNULL, stderr=(BENCH_DIR / "locust.log").open("w"),
        )  # fmt: skip
        return time.perf_counter() - started
    finally:
        stop(server)
        stop(worker)


# --- after: figures and the reconciliation ---------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def figures(lines: list[dict[str, Any]], seconds: float) -> int:
    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[int] = Counter()
    errors: Counter[tuple[str, int]] = Counter()
    for line in lines:
        by_kind[line["kind"]].append(line["ms"])
        statuses[line["status"]] += 1
        if not 200 <= line["status"] < 400:
            errors[line["kind"], line["status"]] += 1
    total = sum(statuses.values())
    print(f"\nrequests: {total} in {seconds:.0f} s ({total / max(seconds, 1):.1f}/s)")
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print("errors:   " + (", ".join(f"{k} {s}: {n}" for (k, s), n in errors.items()) or "none"))
    print(f"\n{'kind':<12}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, times in sorted(by_kind.items()):
        p50, p95, p99 = (percentile(times, p) for p in (50, 95, 99))
        print(f"{kind:<12}{len(times):>7}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}")
    return sum(errors.values())


def reconcile(lines: list[dict[str, Any]], fixture: dict[str, Any]) -> list[str]:
    """What the database says against what the clients were told; the problems found."""
    from django.conf import settings

    from daptar.directives.models import Delivery
    from daptar.reports.actions.photos import photo_storage
    from daptar.reports.models import Photo, Report
    from daptar.returns.models import Submission

    problems: list[str] = []
    counts: Counter[str] = Counter()
    for line in lines:
        marker, kind = line["marker"], line["kind"]
        if not marker:
            continue
        ok = 200 <= line["status"] < 300
        if kind == "acknowledge":
            found = Delivery.objects.filter(
                directive_id=fixture["directive"], acknowledge_note=marker
            ).count()
            whole = found == 1
        elif kind == "return":
            found = Submission.objects.filter(period__form_id=fixture["form"], data__note=marker)
            found = found.count()
            whole = found == 1
        else:
            reports = list(Report.objects.filter(title__endswith=marker))
            found = len(reports)
            whole = found == 1 and reports[0].photos.count() == 2
        counts[f"{kind} {'2xx' if ok else 'error'}"] += 1
        if ok and not (found == 1 and whole):
            problems.append(f"{kind} {marker}: answered {line['status']}, found {found} rows")
        if not ok and found and not whole:
            problems.append(f"{kind} {marker}: answered {line['status']}, half there")
    storage = photo_storage()
    photos = list(Photo.objects.filter(report__title__contains="bench-"))
    missing = [p.original for p in photos if not storage.exists(p.original)]
    problems += [f"photo row without its file: {name}" for name in missing]
    private = Path(settings.MEDIA_ROOT) / "reports" / "private"
    known = set(Photo.objects.values_list("original", flat=True))
    stray = [
        str(f.relative_to(settings.MEDIA_ROOT))
        for f in private.rglob("*")
        if f.is_file() and str(f.relative_to(settings.MEDIA_ROOT)) not in known
    ]
    problems += [f"stored file without a photo row: {name}" for name in stray]
    print("\nreconciliation: " + ", ".join(f"{k}: {n}" for k, n in sorted(counts.items())))
    print(f"  photos checked: {len(photos)}; files without rows: {len(stray)}")
    return problems


def main() -> int:
    args = arguments()
    env = environment(args.scale)
    run = uuid.uuid4().hex[:8]
    fixture = prepare(args, run)
    fixture_path = BENCH_DIR / f"load-{run}.json"
    log_path = BENCH_DIR / f"load-{run}.jsonl"
    fixture_path.write_text(json.dumps(fixture))
    print(
        f"{args.users} users for {args.duration} s against {args.workers} granian workers "
        f"and a task worker; {env['DAPTAR_DATABASE_URL'].split(':')[0]}, {args.scale} scale; "
        f"{len(fixture['offices'])} office and {len(fixture['districts'])} district logins"
    )
    try:
        seconds = load(args, env, fixture_path, log_path)
        lines = [json.loads(x) for x in log_path.read_text().splitlines() if x.strip()]
    finally:
        fixture_path.unlink(missing_ok=True)
    errors = figures(lines, seconds)
    problems = reconcile(lines, fixture)
    for problem in problems[:50]:
        print("  " + problem)
    print(f"\n{errors} errors, {len(problems)} reconciliation problems")
    log_path.unlink(missing_ok=True)
    return 1 if errors or problems or not lines else 0


if __name__ == "__main__":
    sys.exit(main())
