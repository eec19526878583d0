"""The outbox sweep: send what is due, retry what failed (daptar.lib.retries)."""

from __future__ import annotations

import logging

from django.tasks import task

from daptar.lib import notify, retries
from daptar.notifications.models import OutboxMessage

logger = logging.getLogger("daptar.outbox")
# Kept importable from here: the lease and back-off are the outbox's published rules.
LEASE, SWEEP_LIMIT, backoff = retries.LEASE, retries.SWEEP_LIMIT, retries.backoff


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        notify.send_email(message.address, message.subject, message.body)
    else:
        reference = notify.send_sms(message.address, message.body, key=message.idempotency_key)
        if reference:  # delivery reports may name the message by the gateway's reference
            OutboxMessage.objects.filter(pk=message.pk).update(gateway_ref=reference[:64])


def sweep(limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Send every due message (up to *limit*); returns counts of sent, retried, failed."""
    return retries.deliver_due(OutboxMessage, _send, limit=limit, logger=logger)


@task
def send_outbox() -> dict[str, int]:
    """Send what is due now; enqueued after every write that queues messages."""
    return sweep()
