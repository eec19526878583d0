"""`manage.py worker`: django_tasks_db's db_worker, with a lease and a clean stop.

- It first puts back tasks a dead worker left RUNNING (their lease ran out), and again
  every so often while it runs, so a crashed worker's task is done by another.
- The first SIGINT/SIGTERM lets the task in hand finish, then the worker exits 0.
- A second one hands the task back to the queue (READY) and exits 0 at once: the task's
  own transaction is rolled back by the database as the connection goes, and the task
  runs again from the start (every task is written to be run twice without harm).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import uuid
from types import FrameType
from typing import Any

from django.db import connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from daptar.operations import leases

RECLAIM_EVERY = 30.0  # seconds between looks for expired leases


class Worker(db_worker.Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stopped = threading.Event()
        self.current: uuid.UUID | str | None = None  # the id of the task in hand

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running:
            db_worker.logger.warning(
                "%s: finishing the task in hand, then stopping", signal.strsignal(signum)
            )
            self.running = False  # the loop ends after this task or this short sleep
            return
        self.reset_signals()
        if self.running_task and self.current is not None:
            db_worker.logger.warning(
                "%s: handing task id=%s back to the queue", signal.strsignal(signum), self.current
            )
            # On a connection of its own: this one is inside the task's transaction.
            helper = threading.Thread(target=self._hand_back, args=(self.current,), daemon=True)
            helper.start()
            helper.join(timeout=5)  # if the task holds SQLite's write lock, the lease will do
            sys.stdout.flush()
            os._exit(0)
        sys.exit(0)

    @staticmethod
    def _hand_back(task_id: uuid.UUID | str) -> None:
        try:
            leases.hand_back(task_id)
        finally:
            connection.close()

    def reclaim(self) -> None:
        """In a thread of its own: the library's loop has no place to hook it in."""
        every = max(min(RECLAIM_EVERY, leases.lease().total_seconds() / 4), 0.5)
        while True:
            try:
                leases.reclaim_expired()
            except Exception:  # a database blink: try again next round
                db_worker.logger.exception("could not look for expired task leases")
            finally:
                connection.close()
            if self.stopped.wait(every):
                return

    def run(self) -> None:
        threading.Thread(target=self.reclaim, name="task-leases", daemon=True).start()
        try:
            super().run()
        finally:
            self.stopped.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current = db_task_result.pk
        try:
            super().run_task(db_task_result)
        finally:
            self.current = None


class Command(db_worker.Command):
    help = "Run the task worker: db_worker, plus a lease on running tasks and a clean stop."

    def handle(self, **options: Any) -> None:
        original = db_worker.Worker
        db_worker.Worker = Worker  # type: ignore[misc]
        try:
            super().handle(**options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
