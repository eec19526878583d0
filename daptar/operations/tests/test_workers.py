"""Real `manage.py worker` processes: killed mid-task, and several at once."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import TransactionTestCase
from django_tasks_db.models import DBTaskResult

from daptar.operations.tests.probe import note_run
from daptar.operations.tests.stack import MANAGE, SLOW, environment, query, shell

pytestmark = SLOW
TASKS = "django_tasks_database_dbtaskresult"


@contextmanager
def workers(env: dict[str, str], count: int, log: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started = []
    with log.open("ab") as out:
        for n in range(count):
            started.append(
                subprocess.Popen(  # noqa: S603 (our own manage.py)
                    [sys.executable, MANAGE, "worker", "--no-reload", "--no-startup-delay",
                     "--interval", "0.2", "--worker-id", f"test-{os.getpid()}-{n}"],
                    env=env, stdout=out, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(predicate: Callable[[], bool], seconds: float = 50) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


ISSUE = """
import datetime
from django.utils import timezone
from daptar.accounts.models import User
from daptar.directives import actions
from daptar.testing import in_request
from daptar.units.models import Level
by = User.objects.get(username="central")
unit = by.desks[0].unit
def issue():  # to every district office: about 150 e-mails on the small demo country
    d = actions.create_directive(issuing_unit=unit, by=by, title="Drill", body="Fan-out drill",
        due_at=timezone.now() + datetime.timedelta(days=3), target_unit=unit,
        target_levels=[Level.objects.get(slug="district")])
    return actions.issue(d, by=by)
print(in_request(by, issue).pk)
"""


def test_a_worker_killed_mid_fan_out_leaves_every_recipient_one_message(var: Path) -> None:
    mailbox = var / "mailbox.txt"
    env = environment(
        var,
        DAPTAR_EMAIL_BACKEND="daptar.operations.tests.probe.SlowMailbox",
        DAPTAR_TEST_MAILBOX=str(mailbox),
        DAPTAR_TEST_MAIL_DELAY="0.05",
        DAPTAR_TASK_LEASE_SECONDS="3",
        DAPTAR_OUTBOX_LEASE_SECONDS="3",
    )
    shell(var, ISSUE, env=env)
    log = var / "workers.log"
    with workers(env, 1, log) as (first,):
        wait_for(lambda: len(lines(mailbox)) >= 3)
        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait()
    sent_before = len(lines(mailbox))
    outbox = query(var, "SELECT address, status FROM notifications_outboxmessage")
    emails = sorted(a for a, _status in outbox if "@" in a)
    assert len(emails) > sent_before, "the kill came after the fan-out had finished"
    running = query(var, f"SELECT COUNT(*) FROM {TASKS} WHERE status='RUNNING'")  # noqa: S608
    assert running == [(1,)]

    with workers(env, 1, log):  # started again: takes the task back once its lease is out

        def all_sent() -> bool:
            left = query(var, "SELECT COUNT(*) FROM notifications_outboxmessage "
                              "WHERE status != 'sent'")  # fmt: skip
            running = query(
                var,
                f"SELECT COUNT(*) FROM {TASKS} WHERE status IN ('RUNNING', 'READY')",  # noqa: S608
            )
            return left == [(0,)] and running == [(0,)]

        wait_for(all_sent)
    received = collections.Counter(line.split(" ", 1)[0] for line in lines(mailbox))
    # Every queued message arrived exactly once: none lost, none twice.
    assert received == collections.Counter(emails), received


ENQUEUE = """
from daptar.operations.tests.probe import note_run
for n in range({count}):
    note_run.enqueue({path!r}, f"task-{{n}}", 0.05)
"""


def assert_each_ran_once(runs: Path, count: int) -> None:
    labels = collections.Counter(line.split()[0] for line in lines(runs))
    assert labels == collections.Counter(f"task-{n}" for n in range(count)), labels


def test_two_workers_on_sqlite_never_run_one_task_twice(var: Path) -> None:
    runs, count = var / "runs.txt", 40
    env = environment(var)
    shell(var, ENQUEUE.format(count=count, path=str(runs)), env=env)
    with workers(env, 2, var / "workers.log"):
        done = f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'SUCCESSFUL'"  # noqa: S608
        wait_for(lambda: query(var, done) == [(count,)])
    assert_each_ran_once(runs, count)
    pids = {line.split()[1] for line in lines(runs)}
    assert len(pids) == 2, "both workers took tasks"


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL only"
)
class PostgresWorkersTests(TransactionTestCase):
    def test_three_workers_on_postgresql_never_run_one_task_twice(self) -> None:
        from django.db import connection

        folder = Path(tempfile.mkdtemp(prefix="daptar-workers-"))
        runs, count = folder / "runs.txt", 60
        for n in range(count):
            note_run.enqueue(str(runs), f"task-{n}", 0.05)
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = environment(folder, DAPTAR_DATABASE_URL=url)
        with workers(env, 3, folder / "workers.log"):
            wait_for(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == count)
        assert_each_ran_once(runs, count)
