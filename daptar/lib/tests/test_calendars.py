import calendar
import datetime
from types import SimpleNamespace

import pytest

from daptar.lib import calendars
from daptar.lib.calendars import (
    BANGLA_MONTHS_BN,
    BanglaDate,
    HijriDate,
    bangla_month_length,
    bengali_ordinal,
    format_bangla,
    format_hijri,
    three_calendar_line,
    to_bangla,
    to_hijri,
)

D = datetime.date


@pytest.mark.parametrize(
    ("gregorian", "day", "month_bn", "year"),
    [
        (D(2025, 5, 9), 26, "বৈশাখ", 1432),
        (D(2025, 2, 21), 8, "ফাল্গুন", 1431),
        (D(2025, 12, 16), 1, "পৌষ", 1432),
        (D(2026, 3, 26), 12, "চৈত্র", 1432),
        (D(2024, 3, 14), 30, "ফাল্গুন", 1430),  # Falgun in leap 2024 has 30 days
        (D(2025, 3, 14), 29, "ফাল্গুন", 1431),
        (D(2024, 4, 14), 1, "বৈশাখ", 1431),
        (D(2024, 4, 13), 30, "চৈত্র", 1430),
    ],
)
def test_known_bangla_dates(gregorian: datetime.date, day: int, month_bn: str, year: int) -> None:
    month = BANGLA_MONTHS_BN.index(month_bn) + 1
    assert to_bangla(gregorian) == BanglaDate(year, month, day)


def test_bangla_date_advances_one_day_at_a_time() -> None:
    d = D(2000, 1, 1)
    prev = to_bangla(d)
    year_lengths: dict[int, int] = {}
    while d < D(2040, 12, 31):
        d += datetime.timedelta(days=1)
        cur = to_bangla(d)
        if prev.day < bangla_month_length(prev.year, prev.month):
            expected = BanglaDate(prev.year, prev.month, prev.day + 1)
        elif prev.month < 12:
            expected = BanglaDate(prev.year, prev.month + 1, 1)
        else:
            expected = BanglaDate(prev.year + 1, 1, 1)
        assert cur == expected, d
        if cur.month == 1 and cur.day == 1:
            assert d == D(d.year, 4, 14)
        year_lengths[cur.year] = year_lengths.get(cur.year, 0) + 1
        prev = cur
    # Only Bangla years lying wholly inside the walked range are complete.
    for year in range(1407, 1447):
        leap = calendar.isleap(year + 594)
        assert year_lengths[year] == (366 if leap else 365), year
        assert sum(bangla_month_length(year, m) for m in range(1, 13)) == year_lengths[year]


def test_to_bangla_before_boishakh_of_year_one() -> None:
    # 14 April of year 0 does not exist in datetime; the converter must cope.
    assert to_bangla(D(1, 1, 1)) == BanglaDate(-593, 9, 17)


def test_hijri_2025_05_09() -> None:
    assert to_hijri(D(2025, 5, 9), 0) == HijriDate(1446, 11, 11)


def test_hijri_offset_shifts_day() -> None:
    assert to_hijri(D(2025, 5, 9), -1) == HijriDate(1446, 11, 10)
    assert format_hijri(D(2025, 5, 9), "en", -1) == "10 Dhu al-Qadah 1446 AH"


def test_hijri_offset_defaults_to_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendars, "settings", SimpleNamespace(DAPTAR_HIJRI_OFFSET_DAYS=-1))
    assert to_hijri(D(2025, 5, 9)) == HijriDate(1446, 11, 10)
    monkeypatch.setattr(calendars, "settings", SimpleNamespace())
    assert to_hijri(D(2025, 5, 9)) == HijriDate(1446, 11, 11)


@pytest.mark.parametrize("d", [D(1, 1, 1), D(1, 6, 1), D(1900, 1, 1), D(9999, 12, 31)])
def test_hijri_out_of_range_is_none(d: datetime.date) -> None:
    assert to_hijri(d, 1) is None
    assert format_hijri(d, "bn", 1) is None


def test_line_without_hijri_for_out_of_range_date() -> None:
    line = three_calendar_line(D(1, 6, 1), "bn", hijri_offset=0)
    assert "হিজরি" not in line
    assert line.endswith("বঙ্গাব্দ")
    en = three_calendar_line(D(1, 6, 1), "en", hijri_offset=0)
    assert "AH" not in en
    assert en.endswith("BS")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (1, "১লা"),
        (2, "২রা"),
        (3, "৩রা"),
        (4, "৪ঠা"),
        (5, "৫ই"),
        (18, "১৮ই"),
        (19, "১৯শে"),
        (31, "৩১শে"),
    ],
)
def test_bengali_ordinals(day: int, expected: str) -> None:
    assert bengali_ordinal(day) == expected


def test_format_bangla() -> None:
    assert format_bangla(D(2025, 5, 9), "bn") == "২৬শে বৈশাখ, ১৪৩২ বঙ্গাব্দ"
    assert format_bangla(D(2025, 5, 9), "en") == "26 Boishakh 1432 BS"


def test_format_hijri() -> None:
    assert format_hijri(D(2025, 5, 9), "bn", 0) == "১১ই জিলকদ, ১৪৪৬ হিজরি"
    assert format_hijri(D(2025, 5, 9), "en", 0) == "11 Dhu al-Qadah 1446 AH"


def test_three_calendar_line_bengali() -> None:
    assert (
        three_calendar_line(D(2025, 5, 9), "bn", hijri_offset=0)
        == "শুক্রবার-৯ই মে, ২০২৫ খ্রিস্টাব্দ-২৬শে বৈশাখ, ১৪৩২ বঙ্গাব্দ-১১ই জিলকদ, ১৪৪৬ হিজরি"
    )


def test_three_calendar_line_english() -> None:
    assert (
        three_calendar_line(D(2025, 5, 9), "en", hijri_offset=0)
        == "Friday, 9 May 2025 CE · 26 Boishakh 1432 BS · 11 Dhu al-Qadah 1446 AH"
    )


def test_hijri_offset_falls_back_to_zero_without_django_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Unconfigured:
        def __getattr__(self, name: str) -> object:
            raise calendars.ImproperlyConfigured(name)

    monkeypatch.setattr(calendars, "settings", Unconfigured())
    assert to_hijri(D(2025, 5, 9)) == HijriDate(1446, 11, 11)


def test_offset_past_date_min_does_not_crash() -> None:
    assert to_hijri(D(1, 1, 1), -1) is None
