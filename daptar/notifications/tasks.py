"""The outbox sweep: send what is due, retry what failed, with doubling back-off."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from daptar.lib import notify
from daptar.notifications.models import OutboxMessage

logger = logging.getLogger("daptar.outbox")
LEASE = datetime.timedelta(minutes=5)
SWEEP_LIMIT = 500


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, ... minutes after each failure, at most six hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _claim(message_id: int, now: datetime.datetime) -> bool:
    """Lease one due message to this worker, so two workers never send it at once.

    A worker that dies mid-send leaves the lease to run out; the message then
    goes out again (at least once, never lost).
    """
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    )


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        notify.send_email(message.address, message.subject, message.body)
    else:
        notify.send_sms(message.address, message.body)


def sweep(limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Send every due message (up to *limit*); returns counts of sent, retried, failed."""
    counts = {"sent": 0, "retried": 0, "failed": 0}
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in due:
        with transaction.atomic():
            if not _claim(message_id, now):
                continue
        message = OutboxMessage.objects.get(pk=message_id)
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= settings.DAPTAR_OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                counts["failed"] += 1
                logger.error(
                    "outbox %s gave up after %s attempts: %s", message.pk, message.attempts, exc
                )
            else:
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
                counts["retried"] += 1
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            counts["sent"] += 1
        message.save(
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


@task
def send_outbox() -> dict[str, int]:
    """Send what is due now; enqueued after every write that queues messages."""
    return sweep()
