"""How many SMS a text costs: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part).

A text that has one character outside the GSM 03.38 alphabet (any Bengali letter,
a curly quote) goes as UCS-2 as a whole. Extension characters (€, [, ], {, }, ...)
take two GSM-7 septets. A long text is split into parts that each carry a 6-byte
header, and an escape pair or a UTF-16 surrogate pair is never split across parts:
the count here is the count the operator bills.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GSM7 = "gsm7"
UCS2 = "ucs2"

_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENSION = "^{}\\[~]|€\f"
_SINGLE = {GSM7: 160, UCS2: 70}
_PART = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Parts:
    """One text's encoding, its length in that encoding's units and the SMS it takes."""

    encoding: str
    units: int
    parts: int

    @property
    def per_part(self) -> int:
        return _SINGLE[self.encoding] if self.parts <= 1 else _PART[self.encoding]

    def cost(self, price_per_part: Decimal, recipients: int = 1) -> Decimal:
        return price_per_part * self.parts * recipients


def _weights(text: str) -> tuple[str, list[int]]:
    """The encoding and how many units each character takes in it."""
    if all(c in _BASIC or c in _EXTENSION for c in text):
        return GSM7, [2 if c in _EXTENSION else 1 for c in text]
    return UCS2, [2 if ord(c) > 0xFFFF else 1 for c in text]


def count_parts(text: str) -> Parts:
    """Encoding, units (septets or UTF-16 code units) and SMS parts of *text*."""
    encoding, weights = _weights(text)
    units = sum(weights)
    if units == 0:
        return Parts(encoding, 0, 0)
    if units <= _SINGLE[encoding]:
        return Parts(encoding, units, 1)
    parts, room = 1, _PART[encoding]
    for weight in weights:
        if weight > room:  # a pair that does not fit starts the next part whole
            parts, room = parts + 1, _PART[encoding]
        room -= weight
    return Parts(encoding, units, parts)
