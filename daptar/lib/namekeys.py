"""A name reduced to how it sounds, so that spellings of one name compare equal.

'Md. Abdur Rahman', 'Mohammad Abdur Rahaman' and 'মোঃ আব্দুর রহমান' should meet. The
Bengali is folded to a rough romanisation letter by letter; both sides are then
reduced to their consonants (vowels and h are where spellings disagree), with the
usual short forms of common names spelt out.
"""

from __future__ import annotations

import re
import unicodedata

# Bengali letters to Latin, roughly: enough to put two spellings of one name together.
_BN = {
    "অ": "o", "আ": "a", "ই": "i", "ঈ": "i", "উ": "u", "ঊ": "u", "ঋ": "ri", "এ": "e", "ঐ": "oi",
    "ও": "o", "ঔ": "ou", "ক": "k", "খ": "kh", "গ": "g", "ঘ": "gh", "ঙ": "ng", "চ": "ch",
    "ছ": "ch", "জ": "j", "ঝ": "jh", "ঞ": "n", "ট": "t", "ঠ": "th", "ড": "d", "ঢ": "dh",
    "ণ": "n", "ত": "t", "থ": "th", "দ": "d", "ধ": "dh", "ন": "n", "প": "p", "ফ": "f",
    "ব": "b", "ভ": "bh", "ম": "m", "য": "j", "র": "r", "ল": "l", "শ": "sh", "ষ": "sh",
    "স": "s", "হ": "h", "ড়": "r", "ঢ়": "rh", "য়": "y", "ৎ": "t", "ং": "ng", "ঃ": "",
    "ঁ": "", "া": "a", "ি": "i", "ী": "i", "ু": "u", "ূ": "u", "ৃ": "ri", "ে": "e", "ৈ": "oi",
    "ো": "o", "ৌ": "ou", "্": "", "়": "",
}  # fmt: skip
# NFC splits these into letter + nukta; the table above knows them whole.
_NUKTA = {"\u09af\u09bc": "\u09df", "\u09a1\u09bc": "\u09dc", "\u09a2\u09bc": "\u09dd"}
_BN |= {"\u09df": "y", "\u09dc": "r", "\u09dd": "rh"}
# Whole words with many spellings, after romanisation.
_WORDS = {
    "md": "mohammad", "mohd": "mohammad", "muhammad": "mohammad", "mohammed": "mohammad",
    "mohamad": "mohammad", "muhammed": "mohammad", "mohammod": "mohammad", "mo": "mohammad",
}  # fmt: skip


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFC", name)
    for parts, whole in _NUKTA.items():
        text = text.replace(parts, whole)
    text = "".join(_BN.get(ch, ch) for ch in text).casefold()
    words = []
    for word in re.findall(r"[a-z]+", text):
        word = _WORDS.get(word, word)
        word = word.replace("ph", "f").replace("z", "j").replace("q", "k").replace("v", "b")
        # The consonants carry a name; vowels and h are where spellings disagree.
        word = re.sub(r"[aeiouyhw]+", "", word)
        words.append(re.sub(r"(.)\1+", r"\1", word))
    return " ".join(w for w in words if w)
