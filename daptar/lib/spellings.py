"""The ways one Bengali word is stored: Unicode offers more than one spelling of some letters.

য়, ড় and ঢ় exist as single code points (U+09DF, U+09DC, U+09DD) and as a letter plus
nukta; NFC *decomposes* them (they are composition exclusions), while keyboards and old
data often give the single code point. ো and ৌ are one code point in NFC and two when
typed as their parts. A search has to find a name however each side spelt it, so it
looks for every spelling of the word the user typed.
"""

from __future__ import annotations

import unicodedata

_NUKTA = {"\u09df": "\u09af\u09bc", "\u09dc": "\u09a1\u09bc", "\u09dd": "\u09a2\u09bc"}
_VOWELS = {"\u09cb": "\u09c7\u09be", "\u09cc": "\u09c7\u09d7"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def spellings(word: str) -> list[str]:
    """Every stored form of *word*: nukta letters whole or split, ো/ৌ whole or split."""
    forms = {nfc(word)}
    for whole, parts in (*_NUKTA.items(), *_VOWELS.items()):
        forms |= {form.replace(whole, parts) for form in forms}
        forms |= {form.replace(parts, whole) for form in forms}
    return sorted(forms)
