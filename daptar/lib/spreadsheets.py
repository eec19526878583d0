"""CSV exports that spreadsheets open: streamed, Bengali-safe, formula-safe."""

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from daptar.lib.text import clean

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; the rest is kept,
    but for the characters XML forbids (daptar.lib.text), which are dropped.

    Notes come from users; "=HYPERLINK(...)" in a note must stay text when the
    central office opens the export.
    """
    if not isinstance(value, str):
        return value
    value = clean(value)  # XLSX is XML: what XML forbids must not reach a cell
    return "'" + value if value.startswith(_FORMULA_START) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_download(
    filename: str, header: Sequence[str], items: Iterable[Any], row: Callable[[Any], Sequence[Any]]
) -> StreamingHttpResponse:
    """*items* as a streamed CSV download, one `row(item)` a line, every cell formula-safe.

    Streamed, so a year of a busy office never sits in memory; a byte-order mark first,
    so spreadsheets read the Bengali as UTF-8.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([spreadsheet_safe(cell) for cell in header])
        for item in items:
            yield writer.writerow([spreadsheet_safe(cell) for cell in row(item)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


def xlsx_download(
    filename: str, header: Sequence[str], items: Iterable[Any], row: Callable[[Any], Sequence[Any]]
) -> HttpResponse:
    """*items* as an XLSX download, the same cells as csv_download, every one formula-safe.

    Written with openpyxl's write-only mode, so rows go to the file as they come.
    """
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for item in items:
        sheet.append([spreadsheet_safe(cell) for cell in row(item)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
