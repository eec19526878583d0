"""Two web servers and two task workers on one PostgreSQL and one S3-compatible store.

Two granian processes on two ports and two `db_worker`s, against the test database
and moto's S3 server on 127.0.0.1: letters sent through both servers at once get
memo numbers without a gap; a directive's e-mails, sent by whichever worker takes
the task, reach each office bearer once; a report's photo is stored in the bucket
(nothing in the local media folder) and its rendition is served from it by the other
server; and the API rate limit is one count across both servers. PostgreSQL only:
two processes cannot share SQLite's in-memory test database.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import os
import re
import socket
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

PORTS = (8241, 8242)
S3_PORT = 8251
BUCKET = "daptar-test"
RATE = 30
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DAPTAR_DATABASE_URL", ""),
        reason="needs PostgreSQL (DAPTAR_DATABASE_URL)",
    ),
    # Committed rows the other processes can read; the migrated Levels and Posts put back.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def wait_until(check: Any, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


@pytest.fixture
def cluster(cast: types.SimpleNamespace, tmp_path: Path) -> Any:
    """moto's S3, two web servers and two workers on the test database."""
    import boto3

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    media = tmp_path / "media"
    media.mkdir()
    env = {
        **os.environ,
        "DAPTAR_DATABASE_URL": url,
        "DAPTAR_MEDIA_ROOT": str(media),
        "DAPTAR_SECRET_KEY": "many-processes-test",
        "DAPTAR_SECURE_COOKIES": "0",
        "DAPTAR_HSTS_SECONDS": "0",
        "DAPTAR_API_RATE": f"{RATE}/minute",
        "DAPTAR_S3_BUCKET": BUCKET,
        "DAPTAR_S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
        "DAPTAR_S3_REGION": "us-east-1",
        "DAPTAR_S3_ACCESS_KEY": "testing",
        "DAPTAR_S3_SECRET_KEY": "testing",
        "DAPTAR_SITE_URL": f"http://127.0.0.1:{PORTS[0]}",
        "DAPTAR_REDIS_URL": "",
    }
    processes = [
        subprocess.Popen(  # noqa: S603 - moto's server from our venv, on 127.0.0.1
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(S3_PORT)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    try:
        wait_for(S3_PORT)
        boto3.client(
            "s3",
            endpoint_url=env["DAPTAR_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)
        for port in PORTS:
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [
                        str(BIN / "granian"),
                        "--interface",
                        "wsgi",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        "1",
                        "--log-level",
                        "warning",
                        "daptar.wsgi:application",
                    ],
                    cwd=settings.BASE_DIR,
                    env=env,
                )
            )
        for log in logs:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        for port in PORTS:
            wait_for(port)
        yield types.SimpleNamespace(cast=cast, logs=logs, media=media, env=env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def token(user: Any) -> str:
    from daptar.accounts import actions

    return actions.issue_token(user, by=user).key


@pytest.mark.timeout(300)
def test_two_servers_and_two_workers_share_everything(cluster: Any) -> None:
    import boto3
    import httpx
    from django_tasks_db.models import DBTaskResult

    from daptar.directives import actions as directive_actions
    from daptar.letters.models import Letter
    from daptar.people.models import Person
    from daptar.reports import actions as report_actions
    from daptar.reports.models import Photo
    from daptar.reports.tests.support import jpeg

    cast = cluster.cast
    bases = [f"http://127.0.0.1:{port}" for port in PORTS]

    # Memo numbers: ten letters through both servers at once, numbered without a gap.
    sylhet = {"Authorization": f"Token {token(cast.sylhet)}"}

    def send(n: int) -> int:
        body = {"to_unit": cast.root.pk, "subject": f"Letter {n}", "body": "."}
        return httpx.post(f"{bases[n % 2]}/api/v1/letters/", json=body, headers=sylhet).status_code

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        assert list(pool.map(send, range(10))) == [201] * 10
    numbers = sorted(
        int(m.rsplit("/", 1)[1]) for m in Letter.objects.values_list("memo_no", flat=True)
    )
    assert numbers == list(range(1, 11))

    # Notifications: a directive to the Sylhet division; each e-mail goes out once.
    for n, user in enumerate((cast.sylhet, cast.jalalabad)):
        Person.objects.filter(pk=user.person_id).update(email=f"office{n}@example.org")
    directive = directive_actions.create_directive(
        issuing_unit=cast.root, by=cast.central, title="Meet", body="Meet this week.",
        due_at=timezone.now() + datetime.timedelta(days=3), target_unit=cast.sylhet_division,
        target_levels=[],
    )  # fmt: skip
    directive_actions.issue(directive, by=cast.central)
    wait_until(lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists())
    time.sleep(2)  # the outbox sweep the tasks enqueued, sent by either worker
    wait_until(lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists())
    sent = Counter(
        address
        for log in cluster.logs
        for address in re.findall(r"^To: (\S+)$", log.read_text(), re.MULTILINE)
    )
    assert sent and set(sent.values()) == {1}, sent

    # Photos: stored in the bucket by one server, served by the other.
    jalalabad = {"Authorization": f"Token {token(cast.jalalabad)}"}
    created = httpx.post(
        f"{bases[0]}/api/v1/reports/",
        headers=jalalabad,
        data={
            "title": "Trees", "body": "Planted.", "category": "programme",
            "event_date": "2026-01-01", "place": "Field", "participants": "5",
        },
        files=[("photos", ("a.jpg", jpeg(800, 600), "image/jpeg"))],
    )  # fmt: skip
    assert created.status_code == 201, created.text
    photo = Photo.objects.get(report_id=created.json()["id"])
    s3 = boto3.client(
        "s3", endpoint_url=cluster.env["DAPTAR_S3_ENDPOINT_URL"], region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    s3.head_object(Bucket=BUCKET, Key=photo.original)
    sent_report = report_actions.submit(photo.report, by=cast.jalalabad)
    report = report_actions.publish(
        report_actions.approve(sent_report, by=cast.sylhet), by=cast.sylhet
    )
    wait_until(lambda: Photo.objects.get(pk=photo.pk).status == Photo.Status.READY)
    served = httpx.get(f"{bases[1]}/photos/{photo.pk}/320.jpg")
    assert served.status_code == 200 and served.content[:2] == b"\xff\xd8"
    assert report.pk and not any(cluster.media.rglob("*.*")), "a file landed on local disk"

    # Rate limits: one count for both servers.
    dhaka = {"Authorization": f"Token {token(cast.dhaka)}"}
    codes = [httpx.get(f"{bases[n % 2]}/api/v1/me/", headers=dhaka).status_code for n in range(40)]
    assert codes.count(200) == RATE and codes.count(429) == 40 - RATE
