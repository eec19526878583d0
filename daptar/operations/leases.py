"""A task a dead worker left RUNNING goes back to the queue once its lease has run out.

django_tasks_db marks a task RUNNING when a worker claims it and nothing ever looks at it
again: a worker killed with SIGKILL (or a machine that lost power) leaves it RUNNING for
good. Every task in Daptar is written to be run twice without harm (what was done is
recorded: dedupe keys on notices and outbox rows, a per-row lease on sending, photo
status), so the lease only needs to be longer than the longest task.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("daptar.operations")


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.DAPTAR_TASK_LEASE_SECONDS)


def reclaim_expired(now: datetime.datetime | None = None) -> int:
    """Put RUNNING tasks whose lease has run out back to READY; returns how many."""
    now = now or timezone.now()
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - lease()
    )
    taken = stale.update(status=TaskResultStatus.READY)
    if taken:
        logger.warning("%s task(s) left running by a dead worker are queued again", taken)
    return taken


def hand_back(task_id: uuid.UUID | str) -> None:
    """A task this worker was told to drop goes back to the queue, as if never started."""
    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY,
        finished_at=None,
        exception_class_path="",
        traceback="",
        return_value=None,
    )
