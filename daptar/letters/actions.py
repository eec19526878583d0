"""Every write to letters: send (with its memo number), forward, close."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.audit.actions import record
from daptar.letters.models import Attachment, Letter, Receipt
from daptar.lib import jobs, uploads
from daptar.lib.exceptions import Conflict
from daptar.units.actions import next_number
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

MEMO_SERIES = "letter"


def max_attachments() -> int:
    return int(getattr(settings, "DAPTAR_LETTER_MAX_ATTACHMENTS", 5))


def require_office(user: User, unit: Unit) -> None:
    """Only the unit's own office (an act desk at exactly that unit) writes and handles letters.

    An office above may read a letter; it does not answer it for the unit.
    """
    if not any(d.unit.pk == unit.pk and d.can_act for d in user.desks):
        raise PermissionDenied(_("Only this unit's office can do this."))


def can_write_to(sender: Unit, to_unit: Unit) -> bool:
    """The routing rule: a unit writes to any office above it or below it, not to itself."""
    return to_unit.pk != sender.pk and (to_unit.is_within(sender) or sender.is_within(to_unit))


def reply_targets(letter: Letter, holding: Receipt) -> list[int]:
    """Where a reply from the office holding *letter* may go: back along the thread.

    To the letter's writer, or to the office that forwarded it here.
    """
    return [letter.sender_id] + ([holding.via_id] if holding.via_id else [])


def _check_uploads(files: Sequence[UploadedFile]) -> list[uploads.Document]:
    """Each file checked by content and size (images cleaned), or ValidationError naming it."""
    if len(files) > max_attachments():
        raise ValidationError(
            {"attachments": [_("Attach at most %(n)s files.") % {"n": max_attachments()}]}
        )
    return [uploads.check_document(upload, field="attachments") for upload in files]


def _audit_label(letter: Letter) -> str | None:
    """What the audit log shows for *letter*: only its memo number when it is confidential.

    The log is read by every office above; they may not read a confidential subject.
    """
    return letter.memo_no if letter.confidential else None


def _holding(letter: Letter, unit: Unit) -> Receipt | None:
    return Receipt.objects.filter(letter=letter, unit=unit).first()


def _validate_send(
    *, sender: Unit, to_unit: Unit | None, subject: str, priority: str, reply_to: Letter | None
) -> Receipt | None:
    """Check a letter before anything is written; the receipt it answers, if any."""
    errors: dict[str, list[str]] = {}
    holding = None
    if not subject.strip():
        errors["subject"] = [_("Give the letter a subject.")]
    if priority not in Letter.Priority.values:
        errors["priority"] = [_("Choose normal or urgent.")]
    if reply_to is not None:
        holding = _holding(reply_to, sender)
        if holding is None:
            errors["reply_to"] = [_("Your office can reply only to a letter it has received.")]
        elif to_unit is None or to_unit.pk not in reply_targets(reply_to, holding):
            errors["to_unit"] = [
                _("A reply goes back along the thread: to the writer or to whoever forwarded it.")
            ]
    elif to_unit is None or not to_unit.is_active or not can_write_to(sender, to_unit):
        errors["to_unit"] = [_("Write to an office above yours or below it.")]
    if errors:
        raise ValidationError(errors)
    return holding


def send(
    *,
    sender: Unit,
    by: User,
    to_unit: Unit | None,
    subject: str,
    body: str = "",
    priority: str = Letter.Priority.NORMAL,
    confidential: bool = False,
    reply_to: Letter | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Letter:
    """Send a letter from *sender*'s office, numbered e.g. SYL/2026/0117 in its outward register.

    The memo number is taken in the transaction that writes the letter, so a
    send that fails gives its number back and the register has no gaps. A reply
    to a letter this office holds marks it answered; a reply to a confidential
    letter is confidential too.
    """
    require_office(by, sender)
    holding = _validate_send(
        sender=sender, to_unit=to_unit, subject=subject, priority=priority, reply_to=reply_to
    )
    assert to_unit is not None  # _validate_send refuses a letter without one
    checked = _check_uploads(attachments)
    if reply_to is not None and reply_to.confidential:
        confidential = True
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            year = timezone.localdate(now).year
            serial = next_number(sender, MEMO_SERIES, year)
            letter = Letter.objects.create(
                sender=sender,
                sender_path=sender.path,
                author=by,
                recipient=to_unit,
                subject=subject.strip(),
                body=body.strip(),
                memo_no=f"{sender.code}/{year}/{serial:04d}",
                memo_year=year,
                memo_serial=serial,
                sent_at=now,
                reply_to=reply_to,
                thread_id=reply_to.thread_id if reply_to else None,
                priority=priority,
                confidential=confidential,
            )
            if reply_to is None:
                Letter.objects.filter(pk=letter.pk).update(thread_id=letter.pk)
                letter.thread_id = letter.pk
            Receipt.objects.create(
                letter=letter,
                unit=to_unit,
                unit_path=to_unit.path,
                sender=sender,
                received_at=now,
            )
            for document in checked:
                item = Attachment(
                    letter=letter,
                    name=document.name,
                    content_type=document.content_type,
                    size=document.size,
                    sha256=document.sha256,
                )
                item.file.save(document.storage_name(), document.content, save=False)
                stored.append(item)
                item.save()
            if holding is not None:
                Receipt.objects.filter(pk=holding.pk, state=Receipt.State.PENDING).update(
                    state=Receipt.State.ANSWERED, handled_at=now, handled_by=by, answer=letter
                )
            record(
                "letter.sent",
                by=by,
                obj=letter,
                unit=sender,
                label=_audit_label(letter),
                detail={
                    "memo_no": letter.memo_no,
                    "to": to_unit.pk,
                    "reply_to": reply_to.pk if reply_to else None,
                    "attachments": len(stored),
                },
            )
            jobs.after_commit("letters.notify_sent", letter.pk)
    except BaseException:
        # The rows are gone with the rollback; the files written for them go too.
        for item in stored:
            item.file.delete(save=False)
        raise
    return letter


def _claim(receipt: Receipt, *, by: User, state: str, note: str) -> datetime.datetime:
    """Move a pending receipt to *state* once; a repeat or a stale page is a Conflict."""
    now = timezone.now()
    updated = Receipt.objects.filter(pk=receipt.pk, state=Receipt.State.PENDING).update(
        state=state, handled_at=now, handled_by=by, note=note
    )
    if not updated:
        raise Conflict(_("This letter has already been dealt with."))
    receipt.refresh_from_db()
    return now


def forward(receipt: Receipt, *, to_unit: Unit | None, by: User, note: str = "") -> Receipt:
    """Pass a received letter on to an office under this one, with a note; returns the new receipt.

    The letter is then pending there instead of here.
    """
    require_office(by, receipt.unit)
    letter = receipt.letter
    if to_unit is None or not to_unit.is_within(receipt.unit) or to_unit.pk == receipt.unit_id:
        raise ValidationError({"to_unit": [_("Forward only to an office under yours.")]})
    if to_unit.pk == letter.sender_id:
        raise ValidationError(
            {"to_unit": [_("This office wrote the letter: reply to it instead.")]}
        )
    if not to_unit.is_active:
        raise ValidationError({"to_unit": [_("This office is closed.")]})
    with transaction.atomic():
        now = _claim(receipt, by=by, state=Receipt.State.FORWARDED, note=note.strip())
        # A forward only goes down the tree, so the office cannot hold the letter already;
        # the unique constraint still turns a race into a clear refusal.
        try:
            with transaction.atomic():
                passed = Receipt.objects.create(
                    letter=letter,
                    unit=to_unit,
                    unit_path=to_unit.path,
                    sender_id=letter.sender_id,
                    via=receipt.unit,
                    forwarded_from=receipt,
                    received_at=now,
                )
        except IntegrityError:
            raise Conflict(_("This office already has the letter.")) from None
        record(
            "letter.forwarded",
            by=by,
            obj=letter,
            unit=receipt.unit,
            label=_audit_label(letter),
            detail={"receipt": receipt.pk, "to": to_unit.pk},
        )
        jobs.after_commit("letters.notify_forwarded", passed.pk)
    return passed


def close(receipt: Receipt, *, by: User, note: str) -> Receipt:
    """Close a received letter that needs no answer, saying why (নথিজাত)."""
    require_office(by, receipt.unit)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the letter is closed.")]})
    with transaction.atomic():
        _claim(receipt, by=by, state=Receipt.State.CLOSED, note=note.strip())
        record(
            "letter.closed",
            by=by,
            obj=receipt.letter,
            unit=receipt.unit,
            label=_audit_label(receipt.letter),
            detail={"receipt": receipt.pk},
        )
        jobs.after_commit("letters.notify_closed", receipt.pk)
    return receipt
