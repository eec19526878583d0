"""Conversion between ASCII and Bengali digits."""

from __future__ import annotations

ASCII_DIGITS = "0123456789"
BENGALI_DIGITS = "০১২৩৪৫৬৭৮৯"

_TO_BENGALI = str.maketrans(ASCII_DIGITS, BENGALI_DIGITS)
_TO_ASCII = str.maketrans(BENGALI_DIGITS, ASCII_DIGITS)


def to_bengali_digits(value: object) -> str:
    """Return ``str(value)`` with ASCII digits 0-9 replaced by Bengali digits."""
    return str(value).translate(_TO_BENGALI)


def to_ascii_digits(text: str) -> str:
    """Return ``text`` with Bengali digits replaced by ASCII digits, e.g. for parsing input."""
    return text.translate(_TO_ASCII)


def localise_digits(value: object, language: str) -> str:
    """Render ``value`` with Bengali digits when ``language`` is Bengali, else plain ``str``."""
    if language.startswith("bn"):
        return to_bengali_digits(value)
    return str(value)
