"""Sending queued rows at least once: a lease per row, doubling back-off, a last attempt.

Any model with `status` ("pending" / "sent" / "failed"), `attempts`, `next_attempt_at`,
`last_error` and `sent_at` can be swept: the notification outbox, meeting e-mail. The
row is written in the same transaction as the event that causes it, so a worker that
dies loses nothing: its lease runs out and the next sweep sends the row again.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

LEASE = datetime.timedelta(minutes=5)
SWEEP_LIMIT = 500
PENDING, SENT, FAILED = "pending", "sent", "failed"


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, ... minutes after each failure, at most six hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def claim(
    model: type[models.Model],
    pk: int,
    now: datetime.datetime,
    lease: datetime.timedelta | None = None,
) -> bool:
    """Lease one due row to this worker, so two workers never send it at once.

    The lease (DAPTAR_OUTBOX_LEASE_SECONDS, else LEASE) is how long a worker that died
    while sending keeps the row from the others.
    """
    if lease is None:
        seconds = getattr(settings, "DAPTAR_OUTBOX_LEASE_SECONDS", None)
        lease = datetime.timedelta(seconds=seconds) if seconds else LEASE
    with transaction.atomic():
        return bool(
            model._default_manager.filter(pk=pk, status=PENDING, next_attempt_at__lte=now).update(
                next_attempt_at=now + lease
            )
        )


def deliver_due(
    model: type[models.Model],
    send: Callable[[Any], object],
    *,
    limit: int = SWEEP_LIMIT,
    logger: logging.Logger | None = None,
) -> dict[str, int]:
    """Send every due row of *model* with *send* (up to *limit*): counts sent, retried, failed.

    Any exception from *send* counts as a failed attempt: retried after the back-off,
    marked failed after DAPTAR_OUTBOX_MAX_ATTEMPTS.
    """
    log = logger or logging.getLogger("daptar.outbox")
    counts = {"sent": 0, "retried": 0, "failed": 0}
    now = timezone.now()
    due = list(
        model._default_manager.filter(status=PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        if not claim(model, pk, now):
            continue
        row: Any = model._default_manager.get(pk=pk)
        row.attempts += 1
        try:
            send(row)
        except Exception as exc:  # any transport failure is retried the same way
            row.last_error = str(exc)[:2000]
            if row.attempts >= settings.DAPTAR_OUTBOX_MAX_ATTEMPTS:
                row.status = FAILED
                counts["failed"] += 1
                log.error(
                    "%s %s gave up after %s attempts: %s", model._meta.label, pk, row.attempts, exc
                )
            else:
                row.next_attempt_at = timezone.now() + backoff(row.attempts)
                counts["retried"] += 1
        else:
            row.status, row.sent_at, row.last_error = SENT, timezone.now(), ""
            counts["sent"] += 1
        row.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
                "updated_at",
            ]
        )
    return counts
