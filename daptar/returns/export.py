"""Submissions as a spreadsheet: CSV streamed row by row, XLSX written by openpyxl."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from daptar.lib.spreadsheets import spreadsheet_safe
from daptar.lib.text import clean_data
from daptar.returns.models import ReturnField, ReturnPeriod, Submission
from daptar.returns.queries import export_rows, form_fields
from daptar.units.models import Unit

UNIT_COLUMNS = [
    "unit_code",
    "unit_bn",
    "unit_en",
    "level",
    "parent_bn",
    "parent_en",
    "expected",
    "status",
    "nil",
    "first_sent_at",
    "sent_at",
    "on_time",
    "version",
]


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


TEXTS = (ReturnField.Type.TEXT, ReturnField.Type.LONG_TEXT)


def _answer(field: ReturnField, value: Any) -> Any:
    if field.type in TEXTS:
        return spreadsheet_safe(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


def _line(item: Submission, due: Any, fields: list[ReturnField]) -> list[Any]:
    unit, parent = item.unit, item.parent
    counted = item.status in Submission.COUNTED
    on_time = counted and item.first_submitted_at is not None and item.first_submitted_at <= due
    data = item.data or {}
    # Names and answers were typed by people; XLSX is XML, so what it forbids goes.
    return clean_data(
        [
            unit.code,
            unit.name_bn,
            unit.name_en,
            item.level.slug,
            parent.name_bn if parent else "",
            parent.name_en if parent else "",
            "yes" if item.expected else "no",
            item.status,
            "yes" if item.nil else "no",
            _when(item.first_submitted_at),
            _when(item.submitted_at),
            ("yes" if on_time else "no") if counted else "",
            item.version,
            *[_answer(f, data.get(f.key)) for f in fields],
        ]
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(period: ReturnPeriod, node: Unit) -> Iterator[str]:
    """The CSV, a line at a time; field keys head their columns."""
    fields = form_fields(period.form)
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([*UNIT_COLUMNS, *[f.key for f in fields]])  # BOM: Bengali
    for item in export_rows(period, node):
        yield writer.writerow(_line(item, period.due_at, fields))


def xlsx_bytes(period: ReturnPeriod, node: Unit) -> bytes:
    """The workbook: labels in the reader's language over the keys, one row per unit."""
    fields = form_fields(period.form)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Submissions")[:31])
    sheet.freeze_panes = "A3"
    sheet.append([*UNIT_COLUMNS, *[spreadsheet_safe(f.label) for f in fields]])
    sheet.append(["" for _c in UNIT_COLUMNS] + [f.key for f in fields])
    for item in export_rows(period, node):
        sheet.append(_line(item, period.due_at, fields))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
