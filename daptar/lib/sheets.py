"""Reading the offices' spreadsheets: XLSX or CSV in, rows of text out.

Sheets come as the offices keep them: a title row merged across the top, headers
in Bengali, blank rows between blocks, numbers typed as numbers (so a leading 0
is lost) or as text in Bengali digits. This module only turns a file into rows
of stripped strings; what the columns mean is the caller's business.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator

from daptar.lib.numerals import to_ascii_digits


class SheetError(ValueError):
    """The file is not a sheet we can read."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield [_cell(value) for value in row]
        finally:
            book.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SheetError(str(error)) from error


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("not UTF-8 text")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    for row in csv.reader(io.StringIO(text), dialect):
        yield [_cell(value) for value in row]


def read_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    """Every row of the first sheet of an XLSX file, or of a CSV file, as stripped strings."""
    if content[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(content)
    return _csv_rows(content)


def header_key(text: str) -> str:
    """A header cell reduced to what matters: NFC, lower case, no punctuation or spaces."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\s.:;,()\[\]/\\_\-–—।*#]+", "", text)


_DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%y"]
_BENGALI_MONTHS = {
    "জানুয়ারি": 1, "জানুয়ারী": 1, "ফেব্রুয়ারি": 2, "ফেব্রুয়ারী": 2, "মার্চ": 3, "এপ্রিল": 4,
    "মে": 5, "জুন": 6, "জুলাই": 7, "আগস্ট": 8, "আগষ্ট": 8, "সেপ্টেম্বর": 9, "অক্টোবর": 10,
    "নভেম্বর": 11, "ডিসেম্বর": 12,
}  # fmt: skip


def parse_date(text: str) -> datetime.date | None:
    """'০৫/১২/১৯৮০', '5-12-1980', '1980-12-05', '৫ ডিসেম্বর ১৯৮০' → 1980-12-05; day first."""
    text = to_ascii_digits(unicodedata.normalize("NFC", text)).strip()
    if not text:
        return None
    for name, month in _BENGALI_MONTHS.items():
        name = unicodedata.normalize("NFC", name)
        if name in text:
            parts = re.findall(r"\d+", text)
            if len(parts) == 2:
                try:
                    return datetime.date(int(parts[1]), month, int(parts[0]))
                except ValueError:
                    return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
