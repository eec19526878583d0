"""Publishing to every district's Facebook Page: time until all are posted, and rates kept.

    python bench/social.py [--districts 80] [--photos 3] [--workers 8] [--delay 0.2]
                           [--networks facebook,x] [--port 8710] [--json out.json]

A scratch SQLite database (var/bench/social.sqlite3, made afresh) holds a centre, a
division and *districts* districts, each with its own Facebook Page channel; the
centre has an X account and (with `--networks ...,telegram`) a Telegram channel, both
taking the whole subtree. One report per district, each with *photos* ready photos,
is published in one transaction (the same `queue_for_report` publishing calls), so
every district's Page gets one post and the centre's channels get one per district.

The fake networks (daptar.social.fakes) run as a threaded WSGI server on 127.0.0.1
that answers every request after *delay* seconds. *workers* threads stand for
db_worker processes: each takes the next due post and sends it through
`daptar.social.sending.send` (claim, record, send), sleeping until the next post is
due when every remaining one waits for its channel's rate window.

Printed: seconds from publishing until every post is posted (per network), requests
made, and each network's busiest window against its documented rate:
- Telegram: 20 messages a minute in one channel, 30 messages a second for the bot;
- X: POST /2/tweets 100 per 15 minutes per user;
- Facebook: no fixed per-Page posting rate (Business Use Case: 4,800 calls per engaged
  user a day); the busiest Page's calls in an hour are shown.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections import Counter
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from harness import BENCH_DIR, fmt, save

DB = BENCH_DIR / "social.sqlite3"
RATES = {"telegram_channel_minute": 20, "telegram_bot_second": 30, "x_tweets_15min": 100}


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def setup(args: argparse.Namespace) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DAPTAR_DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ["DAPTAR_MEDIA_ROOT"] = str(BENCH_DIR / "social-media")
    base = f"http://127.0.0.1:{args.port}"
    os.environ["DAPTAR_FACEBOOK_API_URL"] = f"{base}/facebook/v21.0"
    os.environ["DAPTAR_TELEGRAM_API_URL"] = f"{base}/telegram"
    os.environ["DAPTAR_X_API_URL"] = f"{base}/x"
    os.environ["DAPTAR_SITE_URL"] = "https://daptar.example.org"
    from harness import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(args: argparse.Namespace) -> list[int]:
    """The tree, the channels, and one approved report per district with ready photos."""
    import datetime
    import io

    from django.core.files.base import ContentFile
    from django.utils import timezone
    from PIL import Image

    from daptar.accounts.models import User
    from daptar.reports.actions import photo_storage
    from daptar.reports.models import Category, Photo, Report
    from daptar.social import actions as social
    from daptar.social.models import SocialChannel
    from daptar.units import actions as units
    from daptar.units.models import Level

    op = User.objects.create_superuser("bench-operator", password=None)
    levels = {level.slug: level for level in Level.objects.all()}
    root = units.create_unit(
        parent=None, level=levels["central"], code="CEN", name_bn="কেন্দ্র", name_en="Central", by=op
    )
    division = units.create_unit(
        parent=root, level=levels["division"], code="DIV", name_bn="বিভাগ", name_en="Division", by=op
    )
    districts = [
        units.create_unit(
            parent=division,
            level=levels["district"],
            code=f"D{n:02}",
            name_bn=f"জেলা {n}",
            name_en=f"District {n}",
            by=op,
        )
        for n in range(args.districts)
    ]
    networks = set(args.networks.split(","))
    for n, district in enumerate(districts):
        social.save_channel(
            SocialChannel(unit=district, kind="facebook", name=f"Page {n}", target=f"page{n}"),
            by=op,
            secrets={"access_token": f"token-{n}"},
        )
    if "x" in networks:
        social.save_channel(
            SocialChannel(unit=root, kind="x", name="Centre on X", target="99"),
            by=op,
            secrets={"access_token": "x-token"},
        )
    if "telegram" in networks:
        social.save_channel(
            SocialChannel(unit=root, kind="telegram", name="Centre", target="@centre"),
            by=op,
            secrets={"bot_token": "1:bot"},
        )
    category = Category.objects.first()
    picture = io.BytesIO()
    Image.new("RGB", (160, 120), "green").save(picture, "JPEG")
    storage = photo_storage()
    ids = []
    for n, district in enumerate(districts):
        report = Report.objects.create(
            unit=district,
            unit_path=district.path,
            author=op,
            category=category,
            title=f"জেলা {n}: বৃক্ষরোপণ কর্মসূচি",
            body="জেলার সব উপজেলায় একশোটি করে চারা রোপণ করা হয়েছে। " * 4,
            event_date=timezone.localdate() - datetime.timedelta(days=1),
            status=Report.Status.APPROVED,
            slug=f"report-{n}",
        )
        for p in range(args.photos):
            photo = Photo.objects.create(
                report=report,
                order=p,
                original="x",
                content_type="image/jpeg",
                size=1,
                width=160,
                height=120,
                sha256=f"{n}-{p}",
                key=f"k{n}x{p}",
                status=Photo.Status.READY,
                renditions=[{"w": 160, "h": 120}],
            )
            storage.save(photo.rendition_name(160, "jpg"), ContentFile(picture.getvalue()))
        ids.append(report.pk)
    return ids


def publish(report_ids: list[int]) -> int:
    """All reports published in one transaction, their posts queued as publishing does."""
    from django.db import transaction
    from django.utils import timezone

    from daptar.reports.models import Report
    from daptar.social import actions as social

    queued = 0
    with transaction.atomic():
        now = timezone.now()
        Report.objects.filter(pk__in=report_ids).update(
            status=Report.Status.PUBLISHED, published_at=now, public_changed_at=now
        )
        for report in Report.objects.filter(pk__in=report_ids).select_related("unit", "category"):
            queued += len(social.queue_for_report(report))
    return queued


def worker(stop: threading.Event, outcomes: Counter[str], lock: threading.Lock) -> None:
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from daptar.social import sending
    from daptar.social.models import SocialPost

    try:
        while not stop.is_set():
            now = timezone.now()
            due = list(
                SocialPost.objects.filter(
                    status=SocialPost.Status.PENDING, next_attempt_at__lte=now
                )
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:8]
            )
            sent_any = False
            for pk in due:
                outcome = sending.send(pk, now)
                if outcome != "skipped":
                    with lock:
                        outcomes[outcome] += 1
                    sent_any = True
                    break
            if sent_any:
                continue
            waiting = (
                SocialPost.objects.filter(status=SocialPost.Status.PENDING)
                .order_by("next_attempt_at")
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            if (
                waiting is None
                and not SocialPost.objects.filter(status=SocialPost.Status.SENDING).exists()
            ):
                stop.set()
                break
            pause = (waiting - timezone.now()).total_seconds() if waiting else 0.05
            time.sleep(min(max(pause, 0.02), 1.0))
            close_old_connections()
    finally:
        connection.close()


def busiest(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--districts", type=int, default=80)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--networks", default="facebook,x")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup(args)

    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from daptar.social.fakes import FakeNetworks
    from daptar.social.models import SocialPost

    report_ids = build(args)
    fake = FakeNetworks(delay=args.delay)
    server = make_server("127.0.0.1", args.port, fake, ThreadingServer, Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    # What a running worker has loaded already: the URLconf, X's counting rules.
    from django.urls import reverse

    from daptar.social.networks.x import weighted_length

    reverse("social:channels")
    weighted_length("warm")
    started = time.perf_counter()
    wall_start = time.monotonic()
    queued = publish(report_ids)
    stop, lock, outcomes = threading.Event(), threading.Lock(), Counter[str]()
    threads = [
        threading.Thread(target=worker, args=(stop, outcomes, lock)) for _ in range(args.workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - started
    server.shutdown()

    posts = SocialPost.objects.select_related("channel")
    states = Counter(posts.values_list("status", flat=True))
    last = {}
    for kind in ("facebook", "x", "telegram"):
        mine = [
            c.at
            for c in fake.calls
            if c.op.startswith({"facebook": "fb.", "x": "x.", "telegram": "tg."}[kind])
        ]
        if mine:
            last[kind] = max(mine) - wall_start
    tg_messages: list[float] = []
    for call in fake.calls:
        if call.op == "tg.sendMediaGroup":
            tg_messages += [call.at] * len(call.data.get("media", []))
        elif call.op in ("tg.sendPhoto", "tg.sendMessage"):
            tg_messages.append(call.at)
    tweets = [c.at for c in fake.calls if c.op == "x.tweets"]
    per_page = Counter(c.target for c in fake.calls if c.op.startswith("fb."))
    fb_hour = max(
        (busiest([c.at for c in fake.calls if c.target == page], 3600) for page in per_page),
        default=0,
    )
    results = {
        "districts": args.districts,
        "photos": args.photos,
        "workers": args.workers,
        "delay_s": args.delay,
        "posts": queued,
        "states": dict(states),
        "outcomes": dict(outcomes),
        "all_posted_s": round(total, 2),
        "last_request_s": {k: round(v, 2) for k, v in last.items()},
        "requests": dict(Counter(c.op for c in fake.calls)),
        "facebook_busiest_page_calls_in_an_hour": fb_hour,
        "telegram_busiest_minute_in_channel": busiest(tg_messages, 60) if tg_messages else 0,
        "telegram_busiest_second_for_bot": busiest(tg_messages, 1) if tg_messages else 0,
        "x_busiest_15_minutes": busiest(tweets, 900) if tweets else 0,
        "limits": RATES,
    }
    print(
        f"posts queued: {queued} on {len(per_page)} Pages + centre channels; states {dict(states)}"
    )
    print(
        f"all posted in {fmt(total, 2)} s with {args.workers} workers, "
        f"fake networks answering in {args.delay * 1000:.0f} ms"
    )
    for kind, at in last.items():
        print(f"  {kind}: last request at {fmt(at, 2)} s")
    print(f"requests: {results['requests']}")
    print(f"Facebook: busiest Page made {fb_hour} calls in an hour (no fixed per-Page rate)")
    if tg_messages:
        print(
            "Telegram: busiest minute in the channel "
            f"{results['telegram_busiest_minute_in_channel']} messages (limit 20); "
            f"busiest second for the bot {results['telegram_busiest_second_for_bot']} (limit 30)"
        )
    if tweets:
        print(f"X: busiest 15 minutes {results['x_busiest_15_minutes']} tweets (limit 100)")
    save(args.json, results)


if __name__ == "__main__":
    main()
