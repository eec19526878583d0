from daptar.lib.numerals import localise_digits, to_ascii_digits, to_bengali_digits


def test_to_bengali_digits_all_digits() -> None:
    assert to_bengali_digits("0123456789") == "০১২৩৪৫৬৭৮৯"


def test_to_bengali_digits_accepts_non_strings_and_keeps_other_characters() -> None:
    assert to_bengali_digits(2025) == "২০২৫"
    assert to_bengali_digits(-3.5) == "-৩.৫"
    assert to_bengali_digits("Room 12, ঢাকা") == "Room ১২, ঢাকা"


def test_to_ascii_digits_reverses() -> None:
    assert to_ascii_digits("০১২৩৪৫৬৭৮৯") == "0123456789"
    assert to_ascii_digits("১৪৩২ বঙ্গাব্দ") == "1432 বঙ্গাব্দ"
    assert to_ascii_digits("already 42") == "already 42"


def test_round_trip() -> None:
    for n in range(0, 10_000, 37):
        assert to_ascii_digits(to_bengali_digits(n)) == str(n)


def test_localise_digits_by_language() -> None:
    assert localise_digits(1432, "bn") == "১৪৩২"
    assert localise_digits(1432, "bn-BD") == "১৪৩২"
    assert localise_digits(1432, "en") == "1432"
    assert localise_digits(1432, "en-gb") == "1432"
