"""Writes that put messages in front of offices: in-app notifications and the outbox."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.audit.actions import record
from daptar.lib import jobs
from daptar.notifications.models import Notification, OutboxMessage
from daptar.people.models import Post, Term

if TYPE_CHECKING:
    from daptar.accounts.models import User

BATCH = 2000


@dataclass(frozen=True)
class Message:
    """What to tell an office, in both languages; the SMS is the short form."""

    kind: str
    text_bn: str
    text_en: str
    url: str = ""
    email_subject: str = ""
    email_body: str = ""
    sms: str = ""  # the SMS when it says more than text_bn (how to answer it, say)


def notify_units(
    unit_ids: Iterable[int],
    message: Message,
    *,
    key: str,
    in_app: bool = True,
    email: bool = True,
    sms: bool = False,
) -> int:
    """Tell each unit's office: in-app, e-mail and SMS to its acting office bearers.

    *in_app* is off where the thing itself already shows in the unit's inbox.
    *key* makes the notice idempotent: the same key for the same unit is written
    once, so a task that is run twice (or a reminder sweep that overlaps) sends
    nothing twice. Returns how many outbox messages were queued.
    """
    unit_ids = list(unit_ids)
    now = timezone.now()
    Notification.objects.bulk_create(
        []
        if not in_app
        else [
            Notification(
                unit_id=uid,
                kind=message.kind,
                text_bn=message.text_bn[:300],
                text_en=message.text_en[:300],
                url=message.url,
                dedupe_key=f"{key}:{uid}",
            )
            for uid in unit_ids
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    outbox: list[OutboxMessage] = []
    if email or sms:
        for uid, address, phone in office_contacts(unit_ids):
            if email and address:
                outbox.append(
                    OutboxMessage(
                        channel=OutboxMessage.Channel.EMAIL,
                        address=address,
                        unit_id=uid,
                        subject=message.email_subject or message.text_en[:200],
                        body=message.email_body or f"{message.text_bn}\n\n{message.text_en}",
                        next_attempt_at=now,
                        dedupe_key=f"{key}:{uid}:email:{address}"[:200],
                    )
                )
            if sms and phone:
                outbox.append(
                    OutboxMessage(
                        channel=OutboxMessage.Channel.SMS,
                        address=phone,
                        unit_id=uid,
                        body=(message.sms or message.text_bn)[:300],
                        next_attempt_at=now,
                        dedupe_key=f"{key}:{uid}:sms:{phone}"[:200],
                    )
                )
    OutboxMessage.objects.bulk_create(outbox, batch_size=BATCH, ignore_conflicts=True)
    if outbox:
        jobs.after_commit("notifications.send_outbox")
    return len(outbox)


def queue_sms(phone: str, text: str, *, key: str, unit_id: int | None = None) -> bool:
    """One SMS to one number (an answer to an inbound SMS); written once per *key*."""
    created = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel=OutboxMessage.Channel.SMS,
                address=phone,
                unit_id=unit_id,
                body=text,
                next_attempt_at=timezone.now(),
                dedupe_key=key[:200],
            )
        ],
        ignore_conflicts=True,
    )
    if created:
        from daptar.notifications.tasks import send_outbox

        transaction.on_commit(send_outbox.enqueue)
    return bool(created)


def record_delivery_report(
    *, key: str = "", reference: str = "", report: str, at: datetime.datetime | None = None
) -> OutboxMessage | None:
    """The gateway says what became of a sent SMS: state and time go on its outbox row.

    The row is found by our idempotency key (the csms_id) or by the gateway's reference.
    A report older than the one already recorded changes nothing (reports can arrive
    out of order); None when no SMS matches.
    """
    if report not in OutboxMessage.Report.values or not report:
        raise ValidationError({"status": [_("Unknown delivery state.")]})
    rows = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS)
    prefix = settings.DAPTAR_SMS_CSMS_PREFIX
    if key and key.startswith(prefix) and key[len(prefix) :].isdigit():
        rows = rows.filter(pk=int(key[len(prefix) :]))
    elif reference:
        rows = rows.filter(gateway_ref=reference)
    else:
        return None
    at = at or timezone.now()
    with transaction.atomic():
        message = rows.select_for_update().first()
        if message is None:
            return None
        if message.reported_at is None or message.reported_at <= at:
            message.report, message.reported_at = report, at
            message.save(update_fields=["report", "reported_at", "updated_at"])
            record(
                "outbox.delivery_report",
                by=None,
                obj=message,
                unit=message.unit,
                detail={"report": report},
                label=f"SMS {message.pk}",
            )
    return message


def office_contacts(unit_ids: list[int]) -> list[tuple[int, str, str]]:
    """(unit id, e-mail, phone) of the current office bearers who act for these units."""
    rows: list[tuple[int, str, str]] = []
    for start in range(0, len(unit_ids), BATCH):
        rows += (
            Term.objects.current()
            .filter(unit_id__in=unit_ids[start : start + BATCH], post__desk_role=Post.DeskRole.ACT)
            .values_list("unit_id", "person__email", "person__phone")
        )
    return rows


def mark_read(notification: Notification, *, by: User) -> Notification:
    """The unit's own office has read the notice (offices above may look, not mark)."""
    if not any(desk.unit.pk == notification.unit_id for desk in by.desks):
        raise PermissionDenied(_("Only this unit's office can mark its notices read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
        record("notification.read", by=by, obj=notification, unit=notification.unit)
    return notification


def retry_messages(message_ids: list[int], *, by: User) -> int:
    """An operator queues failed or waiting messages to go out now."""
    if not by.is_superuser:
        raise PermissionDenied(_("Only an operator can resend messages."))
    with transaction.atomic():
        count = (
            OutboxMessage.objects.filter(pk__in=message_ids)
            .exclude(status=OutboxMessage.Status.SENT)
            .update(status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now())
        )
        record("outbox.retried", by=by, detail={"messages": count})
        if count:
            jobs.after_commit("notifications.send_outbox")
    return count
