"""The registers as CSV: streamed, so a whole year of a busy office never sits in memory."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from daptar.lib.spreadsheets import csv_download
from daptar.units.models import Unit

INWARD_HEADER = [
    "received_at",
    "memo_no",
    "sent_at",
    "from_code",
    "from_bn",
    "from_en",
    "forwarded_by_code",
    "subject",
    "priority",
    "confidential",
    "state",
    "handled_at",
    "note",
]
OUTWARD_HEADER = [
    "sent_at",
    "memo_no",
    "to_code",
    "to_bn",
    "to_en",
    "subject",
    "priority",
    "confidential",
    "reply_to",
    "state",
]


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _inward_row(r: Any) -> list[Any]:
    letter = r.letter
    return [
        _when(r.received_at),
        letter.memo_no,
        _when(letter.sent_at),
        letter.sender.code,
        letter.sender.name_bn,
        letter.sender.name_en,
        r.via.code if r.via else "",
        letter.subject,
        letter.priority,
        "yes" if letter.confidential else "no",
        r.state,
        _when(r.handled_at),
        r.note,
    ]


def _outward_row(letter: Any) -> list[Any]:
    return [
        _when(letter.sent_at),
        letter.memo_no,
        letter.recipient.code,
        letter.recipient.name_bn,
        letter.recipient.name_en,
        letter.subject,
        letter.priority,
        "yes" if letter.confidential else "no",
        letter.reply_to_id or "",
        letter.state or "",
    ]


def register_csv(
    box: str, unit: Unit, rows: QuerySet[Any], *, year: int | None, month: int | None
) -> StreamingHttpResponse:
    """The *box* ("inward" or "outward") register of *unit* as a CSV download."""
    header, row = (
        (INWARD_HEADER, _inward_row) if box == "inward" else (OUTWARD_HEADER, _outward_row)
    )
    period = "".join(f"-{part}" for part in (year, f"{month:02d}" if month else None) if part)
    return csv_download(
        f"{box}-{unit.code}{period}.csv", header, rows.iterator(chunk_size=2000), row
    )
