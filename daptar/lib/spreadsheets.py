"""Cells for CSV exports that spreadsheets open."""

from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; the rest is kept.

    Notes come from users; "=HYPERLINK(...)" in a note must stay text when the
    central office opens the export.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
