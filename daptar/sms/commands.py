"""Reading what an office types on a feature phone: `প্রাপ্তি ১২৩৪`, `ack 1234`, `R 17 12 5 3`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from daptar.lib.numerals import to_ascii_digits

ACKNOWLEDGE, DONE, RETURN = "ack", "done", "return"
VERBS = {
    "ack": ACKNOWLEDGE,
    "প্রাপ্তি": ACKNOWLEDGE,
    "done": DONE,
    "সম্পন্ন": DONE,
    "বাস্তবায়িত": DONE,
    "r": RETURN,
    "তথ্য": RETURN,
}
# Zero-width joiners and the like that Bengali keyboards scatter, and punctuation people
# put between words ("ACK: 1234", "R 17, 12, 5").
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_SEPARATORS = re.compile(r"[\s,;:।|/]+")
_GLUED = re.compile(r"^(\D+?)(\d)")  # "ack1234" → "ack 1234"


@dataclass(frozen=True)
class Command:
    """A parsed SMS: the verb (one of ACKNOWLEDGE, DONE, RETURN, or "" if not understood),
    the code that follows it and any further words (the return's figures)."""

    verb: str
    code: str = ""
    values: list[str] = field(default_factory=list)


def parse(text: str) -> Command:
    """Bengali or ASCII digits, any case, extra spaces and punctuation: one reading."""
    plain = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    plain = to_ascii_digits(plain).strip().rstrip(".!।").casefold()
    plain = _GLUED.sub(r"\1 \2", plain, count=1)
    words = [w for w in _SEPARATORS.split(plain) if w]
    if not words or words[0] not in VERBS:
        return Command(verb="")
    return Command(verb=VERBS[words[0]], code=words[1] if len(words) > 1 else "", values=words[2:])
