"""Letter side effects, run by the worker: telling offices a letter has come or moved."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse

from daptar.letters.models import Letter, Receipt
from daptar.notifications.actions import Message, notify_units


def _link(letter: Letter) -> str:
    return f"{settings.DAPTAR_SITE_URL.rstrip('/')}{reverse('letters:detail', args=[letter.pk])}"


def arrival_message(letter: Letter, *, via: Receipt | None = None) -> Message:
    """The notice of a letter reaching an office; a confidential one names only its memo no."""
    url = reverse("letters:detail", args=[letter.pk])
    sender = letter.sender
    urgent_bn, urgent_en = ("জরুরি ", "Urgent ") if letter.is_urgent else ("", "")
    if via is not None:
        what_bn = f"{via.unit.name_bn} থেকে অগ্রায়িত"
        what_en = f"forwarded by {via.unit.name_en}"
    else:
        what_bn, what_en = f"{sender.name_bn} থেকে", f"from {sender.name_en}"
    if letter.confidential:
        return Message(
            kind="letter.received",
            url=url,
            text_bn=f"{urgent_bn}গোপনীয় চিঠি {letter.memo_no} ({what_bn})",
            text_en=f"{urgent_en}Confidential letter {letter.memo_no} ({what_en})",
            email_subject=f"[{letter.memo_no}] Confidential letter",
            email_body=(
                f"গোপনীয় চিঠি {letter.memo_no} ({what_bn}).\n"
                f"Confidential letter {letter.memo_no} ({what_en}).\n\n{_link(letter)}"
            ),
        )
    return Message(
        kind="letter.received",
        url=url,
        text_bn=f"{urgent_bn}চিঠি {letter.memo_no} ({what_bn}): {letter.subject}",
        text_en=f"{urgent_en}Letter {letter.memo_no} ({what_en}): {letter.subject}",
        email_subject=f"[{letter.memo_no}] {letter.subject}",
        email_body=(
            f"{sender.name_bn} / {sender.name_en}\n{letter.memo_no}\n\n"
            f"{letter.subject}\n\n{letter.body}\n\n{_link(letter)}"
        ),
    )


@task
def notify_sent(letter_id: int) -> int:
    """Tell the recipient's office: in-app and e-mail, and SMS when the letter is urgent."""
    letter = Letter.objects.select_related("sender").get(pk=letter_id)
    with transaction.atomic():
        return notify_units(
            [letter.recipient_id],
            arrival_message(letter),
            key=f"letter:{letter.pk}:sent",
            sms=letter.is_urgent,
        )


@task
def notify_forwarded(receipt_id: int) -> int:
    """Tell the office a letter was forwarded to."""
    receipt = Receipt.objects.select_related("letter__sender", "forwarded_from__unit").get(
        pk=receipt_id
    )
    letter = receipt.letter
    with transaction.atomic():
        return notify_units(
            [receipt.unit_id],
            arrival_message(letter, via=receipt.forwarded_from),
            key=f"letter:{letter.pk}:forwarded:{receipt.pk}",
            sms=letter.is_urgent,
        )


@task
def notify_closed(receipt_id: int) -> int:
    """Tell the office that sent (or forwarded) the letter that it was closed, in-app only."""
    receipt = Receipt.objects.select_related("letter", "unit").get(pk=receipt_id)
    letter = receipt.letter
    told = receipt.via_id or letter.sender_id
    with transaction.atomic():
        return notify_units(
            [told],
            Message(
                kind="letter.closed",
                url=reverse("letters:detail", args=[letter.pk]),
                text_bn=f"চিঠি {letter.memo_no} {receipt.unit.name_bn} নথিজাত করেছে",
                text_en=f"Letter {letter.memo_no} was closed by {receipt.unit.name_en}",
            ),
            key=f"letter:{letter.pk}:closed:{receipt.pk}",
            email=False,
        )
