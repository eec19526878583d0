"""Writes of reports: drafting, and the review from submission to withdrawal."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.audit.actions import record
from daptar.lib.exceptions import Conflict
from daptar.notifications.actions import Message, notify_units
from daptar.reports import signals
from daptar.reports.actions.access import (
    audit_label,
    can_write,
    publisher_office,
    require_own_office,
    reviewer_office,
)
from daptar.reports.actions.outbox import queue_social_posts
from daptar.reports.actions.photos import add_photos, check_uploads, discard_files, store_photos
from daptar.reports.models import Category, Report, Review, SocialPost
from daptar.units.models import Unit
from daptar.website.actions import site_changed

if TYPE_CHECKING:
    from daptar.accounts.models import User


MAX_PARTICIPANTS = 10_000_000


def _clean(
    *,
    title: str,
    body: str,
    category: Category | None,
    event_date: datetime.date | None,
    place: str,
    participants: int | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the report a title.")]
    if not body.strip():
        errors["body"] = [_("Write what happened.")]
    if category is None or not category.is_active:
        errors["category"] = [_("Choose a category.")]
    if event_date is None:
        errors["event_date"] = [_("Give the date of the event.")]
    elif event_date > timezone.localdate() + datetime.timedelta(days=1):
        errors["event_date"] = [_("A report tells of an event that has happened.")]
    if participants is not None and not 0 <= participants <= MAX_PARTICIPANTS:
        errors["participants"] = [_("Give the number of participants.")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title.strip()[:200],
        "body": body.strip(),
        "category": category,
        "event_date": event_date,
        "place": place.strip()[:200],
        "participants": participants,
    }


def create_report(
    *,
    unit: Unit,
    by: User,
    title: str,
    body: str,
    category: Category | None,
    event_date: datetime.date | None,
    place: str = "",
    place_unit: Unit | None = None,
    participants: int | None = None,
    photos: Sequence[UploadedFile] = (),
    captions: Sequence[str] = (),
    idempotency_key: str = "",
) -> Report:
    """A draft with its photos, all or nothing.

    The same *idempotency_key* from the same author again (a phone re-sending a form
    after its connection dropped) finds the first report: its fields are saved again
    and only photos it lacks are added, so nothing is made twice.
    """
    require_own_office(by, unit)
    key = idempotency_key.strip()[:64]
    if key:
        existing = Report.objects.filter(author=by, idempotency_key=key).first()
        if existing is not None:
            return _resend(
                existing,
                by=by,
                title=title,
                body=body,
                category=category,
                event_date=event_date,
                place=place,
                place_unit=place_unit,
                participants=participants,
                photos=photos,
                captions=captions,
            )
    fields = _clean(
        title=title,
        body=body,
        category=category,
        event_date=event_date,
        place=place,
        participants=participants,
    )
    checked = check_uploads(photos, captions)
    saved: list[str] = []
    try:
        with transaction.atomic():
            report = Report.objects.create(
                unit=unit,
                unit_path=unit.path,
                author=by,
                place_unit=place_unit,
                idempotency_key=key,
                **fields,
            )
            store_photos(report, checked, saved)
            record(
                "report.created",
                by=by,
                obj=report,
                unit=unit,
                label=audit_label(report),
                detail={"photos": len(saved)},
            )
    except IntegrityError:
        discard_files(saved)
        # The same key raced in from a second request: that one made the report.
        existing = Report.objects.filter(author=by, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    except BaseException:
        discard_files(saved)
        raise
    return report


def _resend(
    report: Report,
    *,
    by: User,
    photos: Sequence[UploadedFile],
    captions: Sequence[str],
    **fields: Any,
) -> Report:
    if not report.is_editable:
        return report  # it went up already: the repeat changes nothing
    update_report(report, by=by, **fields)
    if photos:
        add_photos(report, photos, by=by, captions=captions)
    return report


def update_report(
    report: Report,
    *,
    by: User,
    title: str,
    body: str,
    category: Category | None,
    event_date: datetime.date | None,
    place: str = "",
    place_unit: Unit | None = None,
    participants: int | None = None,
) -> Report:
    """Edit a draft, or a report returned for correction."""
    require_own_office(by, report.unit)
    fields = _clean(
        title=title,
        body=body,
        category=category,
        event_date=event_date,
        place=place,
        participants=participants,
    )
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status__in=Report.EDITABLE).update(
            place_unit=place_unit, updated_at=timezone.now(), **fields
        )
        if not updated:
            raise Conflict(_("Only a draft or a returned report can be edited."))
        report.refresh_from_db()
        record("report.edited", by=by, obj=report, unit=report.unit, label=audit_label(report))
    return report


def _step(report: Report, *, by: User, unit: Unit | None, decision: str, note: str = "") -> Review:
    review = Review.objects.create(report=report, by=by, unit=unit, decision=decision, note=note)
    record(
        f"report.{decision}",
        by=by,
        obj=report,
        unit=unit,
        detail={"note": note} if note else None,
    )
    return review


def _tell(unit_ids: list[int], report: Report, kind: str, bn: str, en: str, key: str) -> None:
    notify_units(
        unit_ids,
        Message(
            kind=kind,
            url=reverse("reports:detail", args=[report.pk]),
            text_bn=f"{bn}: {report.title}",
            text_en=f"{en}: {report.title}",
        ),
        key=key,
    )


def _move(report: Report, *, frm: Iterable[str], message: str, **fields: Any) -> Report:
    """Move *report* on, once: the status is checked in the UPDATE itself, so a stale page or
    a double click is a Conflict and nothing is written."""
    updated = Report.objects.filter(pk=report.pk, status__in=list(frm)).update(
        updated_at=timezone.now(), **fields
    )
    if not updated:
        raise Conflict(message)
    report.refresh_from_db()
    return report


def submit(report: Report, *, by: User) -> Report:
    """Send a draft (or a corrected returned report) up to the parent unit's office.

    The root unit has no office above it, so its reports are approved as they are sent.
    """
    require_own_office(by, report.unit)
    parent = report.unit.parent
    now = timezone.now()
    with transaction.atomic():
        if parent is None:
            report = _move(
                report,
                frm=Report.EDITABLE,
                message=_("This report has already been submitted."),
                status=Report.Status.APPROVED,
                submitted_at=now,
                approved_at=now,
                approved_unit=report.unit,
                review_unit=None,
            )
        else:
            report = _move(
                report,
                frm=Report.EDITABLE,
                message=_("This report has already been submitted."),
                status=Report.Status.SUBMITTED,
                submitted_at=now,
                review_unit=parent,
            )
        step = _step(report, by=by, unit=report.unit, decision=Review.Decision.SUBMITTED)
        if parent is not None:
            _tell(
                [parent.pk],
                report,
                "report.submitted",
                "সচিত্র প্রতিবেদন অনুমোদনের জন্য এসেছে",
                "An illustrated report waits for your review",
                f"report:{report.pk}:{step.pk}",
            )
    return report


def approve(report: Report, *, by: User, note: str = "", as_unit: Unit | None = None) -> Report:
    """The parent unit's office (or any above it) approves; with
    DAPTAR_REPORTS_PUBLISH_ON_APPROVE the report is published at once."""
    office = reviewer_office(by, report, as_unit)
    with transaction.atomic():
        report = _move(
            report,
            frm=[Report.Status.SUBMITTED],
            message=_("Only a submitted report can be approved."),
            status=Report.Status.APPROVED,
            approved_at=timezone.now(),
            approved_unit=office,
        )
        step = _step(
            report, by=by, unit=office, decision=Review.Decision.APPROVED, note=note.strip()
        )
        if getattr(settings, "DAPTAR_REPORTS_PUBLISH_ON_APPROVE", False):
            return _publish(report, by=by, office=office)
        _tell(
            [report.unit_id],
            report,
            "report.approved",
            "প্রতিবেদন অনুমোদিত",
            "Report approved",
            f"report:{report.pk}:{step.pk}",
        )
    return report


def return_report(report: Report, *, by: User, note: str, as_unit: Unit | None = None) -> Report:
    """Send a submitted report back to its unit with a note saying what to correct."""
    office = reviewer_office(by, report, as_unit)
    if not note.strip():
        raise ValidationError({"note": [_("Say what should be corrected.")]})
    with transaction.atomic():
        report = _move(
            report,
            frm=[Report.Status.SUBMITTED],
            message=_("Only a submitted report can be returned."),
            status=Report.Status.RETURNED,
        )
        step = _step(
            report, by=by, unit=office, decision=Review.Decision.RETURNED, note=note.strip()
        )
        _tell(
            [report.unit_id],
            report,
            "report.returned",
            "প্রতিবেদন সংশোধনের জন্য ফেরত",
            "Report returned for correction",
            f"report:{report.pk}:{step.pk}",
        )
    return report


def slug_for(title: str) -> str:
    """A readable address part from the title in any script: Bengali keeps its vowel signs."""
    text = unicodedata.normalize("NFC", title).lower()
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in text)
    words, slug = kept.split(), ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or (re.sub(r"\W", "", words[0])[:60] if words else "") or "report"


def publish(report: Report, *, by: User, as_unit: Unit | None = None) -> Report:
    """Put an approved (or withdrawn) report on the public website and queue its social posts."""
    office = publisher_office(by, report, as_unit)
    with transaction.atomic():
        return _publish(report, by=by, office=office)


def _publish(report: Report, *, by: User, office: Unit) -> Report:
    now = timezone.now()
    report = _move(
        report,
        frm=[Report.Status.APPROVED, Report.Status.WITHDRAWN],
        message=_("Only an approved report can be published."),
        status=Report.Status.PUBLISHED,
        published_at=now,
        public_changed_at=now,
        withdrawn_at=None,
        slug=report.slug or slug_for(report.title),
    )
    site_changed()
    step = _step(report, by=by, unit=office, decision=Review.Decision.PUBLISHED)
    queue_social_posts(report)
    signals.published.send(sender=Report, report=report)
    _tell(
        [report.unit_id],
        report,
        "report.published",
        "প্রতিবেদন ওয়েবসাইটে প্রকাশিত",
        "Report published on the website",
        f"report:{report.pk}:{step.pk}",
    )
    return report


def withdraw(report: Report, *, by: User, note: str = "", as_unit: Unit | None = None) -> Report:
    """Take a published report off the website and its feeds; unsent social posts are
    dropped, and its posts on Facebook, Telegram and X are deleted by the worker.

    The unit's own office may withdraw its report, as may any office that could publish it.
    """
    if can_write(by, report):
        office: Unit = report.unit
    else:
        office = publisher_office(by, report, as_unit)
    now = timezone.now()
    with transaction.atomic():
        report = _move(
            report,
            frm=[Report.Status.PUBLISHED],
            message=_("Only a published report can be withdrawn."),
            status=Report.Status.WITHDRAWN,
            withdrawn_at=now,
            public_changed_at=now,
        )
        site_changed()
        SocialPost.objects.filter(report=report, status=SocialPost.Status.PENDING).update(
            status=SocialPost.Status.CANCELLED, updated_at=now
        )
        signals.withdrawn.send(sender=Report, report=report)
        step = _step(
            report, by=by, unit=office, decision=Review.Decision.WITHDRAWN, note=note.strip()
        )
        if office.pk != report.unit_id:
            _tell(
                [report.unit_id],
                report,
                "report.withdrawn",
                "প্রতিবেদন ওয়েবসাইট থেকে সরানো হয়েছে",
                "Report withdrawn from the website",
                f"report:{report.pk}:{step.pk}",
            )
    return report
