"""Writes of report photos: checked uploads, private originals, the worker's renditions."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.audit.actions import record
from daptar.lib import filetypes, images, jobs
from daptar.lib.exceptions import Conflict
from daptar.reports.actions.access import audit_label, require_own_office
from daptar.reports.models import Photo, Report
from daptar.website.actions import site_changed

if TYPE_CHECKING:
    from daptar.accounts.models import User


def photo_storage() -> Storage:
    """The storage photos live in: the default (a local folder) unless the operator names one."""
    return storages[getattr(settings, "DAPTAR_REPORTS_STORAGE", "default")]


@dataclass(frozen=True)
class Limits:
    """The photo limits from settings: bytes and pixels per photo, photos per report."""

    max_bytes: int
    max_photos: int
    max_pixels: int


def limits() -> Limits:
    """The limits as configured now (settings are read at call time)."""
    return Limits(
        max_bytes=int(getattr(settings, "DAPTAR_REPORT_PHOTO_MAX_MB", 20) * 2**20),
        max_photos=int(getattr(settings, "DAPTAR_REPORT_PHOTOS_MAX", 20)),
        max_pixels=int(getattr(settings, "DAPTAR_REPORT_PHOTO_MAX_PIXELS", 64_000_000)),
    )


def rendition_widths() -> list[int]:
    """The widths of the web renditions, in pixels."""
    return list(getattr(settings, "DAPTAR_REPORT_RENDITION_WIDTHS", [320, 800, 1600]))


@dataclass
class Checked:
    """An upload that passed the pipeline's checks, ready to be stored."""

    upload: UploadedFile
    info: images.Inspected
    caption: str = ""


def check_uploads(uploads: Sequence[UploadedFile], captions: Sequence[str] = ()) -> list[Checked]:
    """Every upload checked before anything is written; one refused file refuses the lot,
    and the message names each refused file and why."""
    limit = limits()
    checked, errors = [], []
    for n, upload in enumerate(uploads):
        name = upload.name or f"photo {n + 1}"
        try:
            info = images.inspect(upload, max_bytes=limit.max_bytes, max_pixels=limit.max_pixels)
        except images.Refused as refused:
            errors.append(f"{name}: {refused}")
            continue
        caption = captions[n].strip()[:300] if n < len(captions) and captions[n] else ""
        checked.append(Checked(upload, info, caption))
    if errors:
        raise ValidationError({"photos": errors})
    return checked


def store_photos(report: Report, checked: list[Checked], saved: list[str]) -> list[Photo]:
    """Write originals (private prefix) and Photo rows; duplicates by content are kept once.

    *saved* collects storage names so the caller can delete them if the transaction fails.
    """
    limit = limits()
    known = {p.sha256: p for p in Photo.objects.filter(report=report)}
    fresh: dict[str, Checked] = {}
    for item in checked:
        if item.info.sha256 not in known:
            fresh.setdefault(item.info.sha256, item)
    if len(known) + len(fresh) > limit.max_photos:
        raise ValidationError(
            {
                "photos": [
                    _("A report takes at most %(n)s photos; it has %(has)s.")
                    % {"n": limit.max_photos, "has": len(known)}
                ]
            }
        )
    order = max((p.order for p in known.values()), default=0)
    storage = photo_storage()
    today = timezone.localdate()
    created: dict[str, Photo] = {}
    for sha, item in fresh.items():
        order += 1
        ext = filetypes.EXTENSIONS[item.info.content_type]
        item.upload.seek(0)
        name = storage.save(
            f"reports/private/{today:%Y/%m}/{secrets.token_hex(16)}.{ext}", item.upload
        )
        saved.append(name)
        created[sha] = Photo.objects.create(
            report=report,
            order=order,
            caption=item.caption,
            original=name,
            name=(item.upload.name or "")[:200],
            content_type=item.info.content_type,
            size=item.info.size,
            width=item.info.width,
            height=item.info.height,
            sha256=sha,
            key=secrets.token_hex(16),
        )
    for photo in created.values():
        jobs.after_commit("reports.make_renditions", photo.pk)
    return [known.get(i.info.sha256) or created[i.info.sha256] for i in checked]


def discard_files(names: Iterable[str]) -> None:
    """Delete stored files (a failed write's, or a removed photo's after commit)."""
    storage = photo_storage()
    for name in names:
        storage.delete(name)


def add_photos(
    report: Report, uploads: Sequence[UploadedFile], *, by: User, captions: Sequence[str] = ()
) -> list[Photo]:
    """Add photos to a draft or returned report; one refused file refuses them all."""
    require_own_office(by, report.unit)
    if not report.is_editable:
        raise Conflict(_("Photos can only be changed while the report is a draft or returned."))
    if not uploads:
        raise ValidationError({"photos": [_("Choose at least one photo.")]})
    checked = check_uploads(uploads, captions)
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if not locked.is_editable:
                raise Conflict(
                    _("Photos can only be changed while the report is a draft or returned.")
                )
            photos = store_photos(locked, checked, saved)
            Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
            if saved:
                record(
                    "report.photos_added",
                    by=by,
                    obj=report,
                    unit=report.unit,
                    label=audit_label(locked),
                    detail={"photos": len(saved)},
                )
    except BaseException:
        discard_files(saved)
        raise
    return photos


def remove_photo(photo: Photo, *, by: User) -> None:
    """Take a photo out of a draft or returned report; its files go once the change commits."""
    report = photo.report
    require_own_office(by, report.unit)
    with transaction.atomic():
        deleted, _rows = Photo.objects.filter(
            pk=photo.pk, report__status__in=Report.EDITABLE
        ).delete()
        if not deleted:
            raise Conflict(_("Photos can only be changed while the report is a draft or returned."))
        record(
            "report.photo_removed",
            by=by,
            obj=report,
            unit=report.unit,
            label=audit_label(report),
            detail={"photo": photo.pk, "name": photo.name},
        )
        names = [photo.original] + [
            photo.rendition_name(r["w"], fmt) for r in photo.renditions for fmt in ("webp", "jpg")
        ]
        transaction.on_commit(lambda: discard_files(names))


def arrange_photos(
    report: Report, *, by: User, captions: dict[int, str], order: dict[int, int]
) -> Report:
    """Set the photos' captions and their order (1, 2, 3 …) on a draft or returned report."""
    require_own_office(by, report.unit)
    if not report.is_editable:
        raise Conflict(_("Photos can only be changed while the report is a draft or returned."))
    with transaction.atomic():
        photos = list(Photo.objects.filter(report=report))
        changed = []
        for photo in photos:
            caption = captions.get(photo.pk, photo.caption).strip()[:300]
            position = order.get(photo.pk, photo.order)
            if (caption, position) != (photo.caption, photo.order):
                photo.caption, photo.order = caption, max(0, min(position, 32767))
                changed.append(photo)
        Photo.objects.bulk_update(changed, ["caption", "order", "updated_at"])
        if changed:
            record(
                "report.photos_arranged",
                by=by,
                obj=report,
                unit=report.unit,
                label=audit_label(report),
                detail={"photos": len(changed)},
            )
    return report


def finish_photo(photo: Photo, renditions: list[dict[str, Any]]) -> Photo:
    """The worker made the photo's renditions; a published report's pages change with it."""
    now = timezone.now()
    with transaction.atomic():
        Photo.objects.filter(pk=photo.pk).update(
            status=Photo.Status.READY,
            renditions=renditions,
            error="",
            rendered_at=now,
            updated_at=now,
        )
        if Report.objects.filter(pk=photo.report_id, status=Report.Status.PUBLISHED).update(
            public_changed_at=now
        ):
            site_changed()
    photo.refresh_from_db()
    return photo


def fail_photo(photo: Photo, error: str) -> Photo:
    """The original could not be turned into renditions: the office sees why."""
    Photo.objects.filter(pk=photo.pk).update(
        status=Photo.Status.FAILED, error=error[:300], updated_at=timezone.now()
    )
    photo.refresh_from_db()
    return photo


def requeue_stale_photos(
    before: datetime.datetime, *, now: datetime.datetime, limit: int
) -> list[int]:
    """Photos still "being prepared" since *before* (a worker died, a queue was lost) go
    back on the queue; touching them keeps the next sweep from queueing them again."""
    ids = list(
        Photo.objects.filter(status=Photo.Status.PENDING, updated_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    Photo.objects.filter(pk__in=ids).update(updated_at=now)
    for photo_id in ids:
        jobs.after_commit("reports.make_renditions", photo_id)
    return ids


def rendition_files(photo: Photo, made: list[images.Rendition]) -> list[dict[str, Any]]:
    """Write the renditions to the storage (public prefix); their sizes for the photo row."""
    storage = photo_storage()
    rows = []
    for rendition in made:
        for fmt, data in (("webp", rendition.webp), ("jpg", rendition.jpeg)):
            name = photo.rendition_name(rendition.width, fmt)
            if storage.exists(name):
                storage.delete(name)  # a re-run replaces, never piles up name_abc123 copies
            storage.save(name, ContentFile(data))
        rows.append(
            {
                "w": rendition.width,
                "h": rendition.height,
                "webp": len(rendition.webp),
                "jpeg": len(rendition.jpeg),
                "sha": {
                    "webp": hashlib.sha256(rendition.webp).hexdigest(),
                    "jpeg": hashlib.sha256(rendition.jpeg).hexdigest(),
                },
            }
        )
    return rows
