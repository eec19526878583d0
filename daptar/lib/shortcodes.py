"""Short numeric codes people type into an SMS: an id with a check digit (Damm's algorithm).

The check digit catches every single mistyped digit and every swap of two
neighbouring digits, so a slip of the thumb answers "no such code" instead of
acknowledging some other directive.
"""

from __future__ import annotations

from daptar.lib.numerals import to_ascii_digits

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def _interim(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def encode(number: int) -> str:
    """12 → '125': the number followed by its check digit."""
    digits = str(number)
    return digits + str(_interim(digits))


def decode(code: str) -> int | None:
    """'125' → 12; None when the code is not digits or its check digit is wrong."""
    digits = to_ascii_digits(code.strip())
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit() or _interim(digits) != 0:
        return None
    return int(digits[:-1])
