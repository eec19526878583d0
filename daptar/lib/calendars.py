"""Gregorian, Bangla (Bangladesh 2019 revision) and Hijri dates for display."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from hijridate import Gregorian

from daptar.lib.numerals import to_bengali_digits

BANGLA_MONTHS_BN = (
    "বৈশাখ", "জ্যৈষ্ঠ", "আষাঢ়", "শ্রাবণ", "ভাদ্র", "আশ্বিন",
    "কার্তিক", "অগ্রহায়ণ", "পৌষ", "মাঘ", "ফাল্গুন", "চৈত্র",
)  # fmt: skip
BANGLA_MONTHS_EN = (
    "Boishakh", "Joishtho", "Asharh", "Srabon", "Bhadro", "Ashwin",
    "Kartik", "Agrahayan", "Poush", "Magh", "Falgun", "Chaitra",
)  # fmt: skip
HIJRI_MONTHS_BN = (
    "মহররম", "সফর", "রবিউল আউয়াল", "রবিউস সানি", "জমাদিউল আউয়াল", "জমাদিউস সানি",
    "রজব", "শাবান", "রমজান", "শাওয়াল", "জিলকদ", "জিলহজ",
)  # fmt: skip
HIJRI_MONTHS_EN = (
    "Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Awwal",
    "Jumada al-Thani", "Rajab", "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah",
    "Dhu al-Hijjah",
)  # fmt: skip
GREGORIAN_MONTHS_BN = (
    "জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন",
    "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর",
)  # fmt: skip
# English names are spelled out rather than taken from the calendar module,
# whose names follow the process locale.
GREGORIAN_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS_BN = (
    "সোমবার", "মঙ্গলবার", "বুধবার", "বৃহস্পতিবার", "শুক্রবার", "শনিবার", "রবিবার",
)  # fmt: skip
WEEKDAYS_EN = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip

FALGUN = 11
_BANGLA_MONTH_LENGTHS = (31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 29, 30)
_BENGALI_ORDINAL_SUFFIXES = {1: "লা", 2: "রা", 3: "রা", 4: "ঠা"}


@dataclass(frozen=True)
class BanglaDate:
    """A date in the revised Bangla calendar; ``month`` runs 1 (Boishakh) to 12."""

    year: int
    month: int
    day: int


@dataclass(frozen=True)
class HijriDate:
    """A date in the Hijri (Umm al-Qura) calendar; ``month`` runs 1 to 12."""

    year: int
    month: int
    day: int


def _is_bengali(language: str) -> bool:
    return language.startswith("bn")


def bangla_month_length(year: int, month: int) -> int:
    """Number of days in ``month`` of Bangla ``year``."""
    if month == FALGUN and calendar.isleap(year + 594):
        return 30
    return _BANGLA_MONTH_LENGTHS[month - 1]


def to_bangla(d: datetime.date) -> BanglaDate:
    """Convert a Gregorian date to the Bangla calendar of Bangladesh (2019 revision)."""
    boishakh_1 = datetime.date(d.year, 4, 14).toordinal()
    if d.toordinal() >= boishakh_1:
        year = d.year - 593
    else:
        year = d.year - 594
        # The previous Bangla year's Falgun fell in this Gregorian year. Counting
        # back by ordinal avoids building 14 April of year 0, which date() rejects.
        boishakh_1 -= 366 if calendar.isleap(d.year) else 365
    remaining = d.toordinal() - boishakh_1
    month = 1
    while remaining >= (length := bangla_month_length(year, month)):
        remaining -= length
        month += 1
    return BanglaDate(year, month, remaining + 1)


def _default_hijri_offset() -> int:
    try:
        return int(getattr(settings, "DAPTAR_HIJRI_OFFSET_DAYS", 0))
    except ImproperlyConfigured:
        # Lets scripts and settings-free tests use the helpers.
        return 0


def to_hijri(d: datetime.date, offset_days: int | None = None) -> HijriDate | None:
    """Convert to Hijri (Umm al-Qura) after shifting ``d`` by ``offset_days``.

    ``offset_days`` defaults to ``settings.DAPTAR_HIJRI_OFFSET_DAYS`` (0 if unset);
    Bangladesh usually sights the moon a day after Saudi Arabia, hence -1.
    Returns None for dates outside the range hijridate supports.
    """
    if offset_days is None:
        offset_days = _default_hijri_offset()
    try:
        shifted = d + datetime.timedelta(days=offset_days)
        hijri = Gregorian(shifted.year, shifted.month, shifted.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    return HijriDate(hijri.year, hijri.month, hijri.day)


def bengali_ordinal(day: int) -> str:
    """Day of month as Bangladeshi newspapers write it: ১লা, ২রা, ৪ঠা, ৫ই, ১৯শে."""
    if day in _BENGALI_ORDINAL_SUFFIXES:
        suffix = _BENGALI_ORDINAL_SUFFIXES[day]
    elif day <= 18:
        suffix = "ই"
    else:
        suffix = "শে"
    return to_bengali_digits(day) + suffix


def _format(
    day: int,
    month: int,
    year: int,
    language: str,
    months: tuple[tuple[str, ...], tuple[str, ...]],
    eras: tuple[str, str],
) -> str:
    """Render one calendar's date; ``months`` and ``eras`` are (Bengali, English) pairs."""
    if _is_bengali(language):
        name, era = months[0][month - 1], eras[0]
        return f"{bengali_ordinal(day)} {name}, {to_bengali_digits(year)} {era}"
    return f"{day} {months[1][month - 1]} {year} {eras[1]}"


def format_gregorian(d: datetime.date, language: str = "bn") -> str:
    """Gregorian date alone, e.g. "৯ই মে, ২০২৫ খ্রিস্টাব্দ" / "9 May 2025 CE"."""
    months = (GREGORIAN_MONTHS_BN, GREGORIAN_MONTHS_EN)
    return _format(d.day, d.month, d.year, language, months, ("খ্রিস্টাব্দ", "CE"))


def format_bangla(d: datetime.date, language: str = "bn") -> str:
    """Bangla date alone, e.g. "২৬শে বৈশাখ, ১৪৩২ বঙ্গাব্দ" / "26 Boishakh 1432 BS"."""
    b = to_bangla(d)
    months = (BANGLA_MONTHS_BN, BANGLA_MONTHS_EN)
    return _format(b.day, b.month, b.year, language, months, ("বঙ্গাব্দ", "BS"))


def format_hijri(d: datetime.date, language: str = "bn", offset: int | None = None) -> str | None:
    """Hijri date alone, e.g. "১১ই জিলকদ, ১৪৪৬ হিজরি" / "11 Dhu al-Qadah 1446 AH".

    ``offset`` is passed to :func:`to_hijri`. Returns None when the date is
    outside the supported Hijri range.
    """
    h = to_hijri(d, offset)
    if h is None:
        return None
    months = (HIJRI_MONTHS_BN, HIJRI_MONTHS_EN)
    return _format(h.day, h.month, h.year, language, months, ("হিজরি", "AH"))


def format_weekday(d: datetime.date, language: str = "bn") -> str:
    """Weekday name in Bengali or English."""
    names = WEEKDAYS_BN if _is_bengali(language) else WEEKDAYS_EN
    return names[d.weekday()]


def three_calendar_line(
    d: datetime.date, language: str = "bn", hijri_offset: int | None = None
) -> str:
    """Header line with weekday, Gregorian, Bangla and (if available) Hijri dates.

    Bengali, as on the organisation's website:
    "শুক্রবার-৯ই মে, ২০২৫ খ্রিস্টাব্দ-২৬শে বৈশাখ, ১৪৩২ বঙ্গাব্দ-১১ই জিলকদ, ১৪৪৬ হিজরি";
    English: "Friday, 9 May 2025 CE · 26 Boishakh 1432 BS · 11 Dhu al-Qadah 1446 AH".
    """
    hijri = format_hijri(d, language, hijri_offset)
    parts = [format_gregorian(d, language), format_bangla(d, language)]
    if hijri is not None:
        parts.append(hijri)
    weekday = format_weekday(d, language)
    if _is_bengali(language):
        return "-".join([weekday, *parts])
    return f"{weekday}, " + " · ".join(parts)
