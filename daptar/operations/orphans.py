"""Stored files that no row names: what a request killed mid-upload leaves behind.

A report and its photos are written in one transaction, but the files go to the storage
first; if the process dies before the commit, the rows never exist and the files stay.
The periodic job deletes such files once they are older than DAPTAR_ORPHAN_GRACE_HOURS
(younger ones may belong to an upload still in progress, or to renditions the worker is
writing right now).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages
from django.db import models
from django.utils import timezone

PHOTO_PREFIX = "reports/"


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}{sub}/")


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def _places() -> dict[int, tuple[Storage, set[str]]]:
    """Each storage in use → (that storage, the top folders Daptar writes there)."""
    places: dict[int, tuple[Storage, set[str]]] = {}

    def add(storage: Storage, folder: str) -> None:
        if storage is default_storage:  # the lazy wrapper: key it as the object it wraps
            storage = storages["default"]
        places.setdefault(id(storage), (storage, set()))[1].add(folder)

    for _model, field in _file_fields():
        top = str(field.upload_to).split("/", 1)[0] if isinstance(field.upload_to, str) else ""
        if top:
            add(field.storage, f"{top}/")
    add(storages[getattr(settings, "DAPTAR_REPORTS_STORAGE", "default")], PHOTO_PREFIX)
    return places


def known_names() -> set[str]:
    """Every stored name a row points at: file fields, photo originals and renditions."""
    names: set[str] = set()
    for model, field in _file_fields():
        names.update(
            model._default_manager.exclude(**{field.name: ""})
            .values_list(field.name, flat=True)
            .iterator()
        )
    Photo = apps.get_model("reports", "Photo")
    for photo in Photo.objects.only("pk", "report_id", "key", "original", "renditions").iterator():
        names.add(photo.original)
        for rendition in photo.renditions or []:
            names.update(photo.rendition_name(rendition["w"], fmt) for fmt in ("webp", "jpg"))
    return names


def orphans(now: datetime.datetime | None = None) -> Iterator[tuple[Storage, str]]:
    """Files older than the grace period that no row names."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.DAPTAR_ORPHAN_GRACE_HOURS)
    known = known_names()
    for storage, folders in _places().values():
        for folder in sorted(folders):
            for name in _walk(storage, folder):
                if name in known:
                    continue
                try:
                    if storage.get_modified_time(name) >= cutoff:
                        continue
                except (FileNotFoundError, NotImplementedError):
                    continue
                yield storage, name


def delete_orphans(now: datetime.datetime | None = None, *, dry_run: bool = False) -> list[str]:
    """Delete the orphans (or only list them); returns their names."""
    gone = []
    for storage, name in list(orphans(now)):
        if not dry_run:
            storage.delete(name)
        gone.append(name)
    return gone
