"""Recognising uploads by their first bytes, never by their names."""

from __future__ import annotations

import re
import uuid

PDF, JPEG, PNG, WEBP, HEIF = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heif",
)
DOCUMENTS = frozenset({PDF, JPEG, PNG, WEBP})
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", WEBP: "webp", HEIF: "heic"}


def sniff(head: bytes) -> str | None:
    """The content type the first bytes declare, or None when they declare none we know."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in {
        b"heic",
        b"heix",
        b"mif1",
        b"msf1",
        b"heim",
        b"heis",
        b"hevc",
    }:
        return HEIF
    return None


def safe_name(original: str, content_type: str) -> str:
    """A storage name that keeps a readable stem but takes its extension from the content."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", original.rsplit(".", 1)[0]).strip("-")[:40] or "file"
    return f"{stem}-{uuid.uuid4().hex[:8]}.{EXTENSIONS[content_type]}"
