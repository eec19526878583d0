"""Attachments (PDF or image) as every app takes them: checked by content, images cleaned."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from daptar.lib import filetypes, images


@dataclass(frozen=True)
class Document:
    name: str
    content_type: str
    content: ContentFile[bytes] | UploadedFile
    size: int
    sha256: str

    def storage_name(self) -> str:
        return filetypes.safe_name(self.name, self.content_type)


def max_bytes() -> int:
    return int(settings.DAPTAR_ATTACHMENT_MAX_MB) * 1024 * 1024


def check_document(upload: UploadedFile, *, field: str = "file") -> Document:
    """A PDF, JPEG, PNG or WebP by its first bytes and under the size limit, else a
    ValidationError naming the file; images come back re-encoded without metadata."""
    name = (upload.name or "file")[:200]
    if (upload.size or 0) > max_bytes():
        raise ValidationError(
            {
                field: [
                    _("%(name)s is larger than %(mb)s MB.")
                    % {"name": name, "mb": settings.DAPTAR_ATTACHMENT_MAX_MB}
                ]
            }
        )
    upload.seek(0)
    kind = filetypes.sniff(upload.read(64))
    upload.seek(0)
    if kind not in filetypes.DOCUMENTS:
        raise ValidationError(
            {field: [_("%(name)s is not a PDF, JPEG, PNG or WebP file.") % {"name": name}]}
        )
    content: ContentFile[bytes] | UploadedFile = upload
    if kind != filetypes.PDF:
        try:
            cleaned = images.without_metadata(
                upload, kind, max_pixels=settings.DAPTAR_REPORT_PHOTO_MAX_PIXELS
            )
        except images.Refused as refused:
            raise ValidationError({field: [f"{name}: {refused}"]}) from None
        content = ContentFile(cleaned)
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return Document(name, kind, content, content.size or 0, digest.hexdigest())
