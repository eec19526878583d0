from decimal import Decimal

from django.test import SimpleTestCase

from daptar.lib import shortcodes
from daptar.lib.sms import GSM7, UCS2, count_parts


class PartCountTests(SimpleTestCase):
    def test_plain_latin_text_is_gsm7_with_160_in_one_part(self) -> None:
        one = count_parts("a" * 160)
        self.assertEqual((one.encoding, one.units, one.parts), (GSM7, 160, 1))
        self.assertEqual(count_parts("a" * 161).parts, 2)
        self.assertEqual(count_parts("a" * 306).parts, 2)
        self.assertEqual(count_parts("a" * 307).parts, 3)

    def test_bengali_text_is_ucs2_70_single_and_67_per_part(self) -> None:
        self.assertEqual(count_parts("অ" * 70).encoding, UCS2)
        self.assertEqual(count_parts("অ" * 70).parts, 1)
        self.assertEqual(count_parts("অ" * 71).parts, 2)
        self.assertEqual(count_parts("অ" * 134).parts, 2)
        self.assertEqual(count_parts("অ" * 135).parts, 3)

    def test_one_bengali_letter_makes_a_latin_text_ucs2(self) -> None:
        mixed = "Directive CEN/2026/0042: meet on Friday " + "ক"
        parts = count_parts(mixed)
        self.assertEqual(parts.encoding, UCS2)
        self.assertEqual(parts.units, len(mixed))
        self.assertEqual(count_parts("a" * 69 + "ক").parts, 1)
        self.assertEqual(count_parts("a" * 70 + "ক").parts, 2)

    def test_extension_characters_take_two_septets(self) -> None:
        self.assertEqual(count_parts("€" * 80).units, 160)
        self.assertEqual(count_parts("€" * 80).parts, 1)
        self.assertEqual(count_parts("[" * 81).parts, 2)

    def test_an_escape_pair_is_not_split_across_parts(self) -> None:
        # 152 letters and a euro sign fill part one to 154 > 153: the € moves whole.
        text = "a" * 152 + "€" + "a" * 152
        self.assertEqual(count_parts(text).units, 306)
        self.assertEqual(count_parts(text).parts, 3)

    def test_emoji_are_two_ucs2_units(self) -> None:
        self.assertEqual(count_parts("😀" * 35).units, 70)
        self.assertEqual(count_parts("😀" * 35).parts, 1)

    def test_cost_is_parts_times_price_times_people(self) -> None:
        self.assertEqual(count_parts("অ" * 71).cost(Decimal("0.35"), 10), Decimal("7.00"))

    def test_empty_text_is_no_sms(self) -> None:
        self.assertEqual(count_parts("").parts, 0)


class ShortCodeTests(SimpleTestCase):
    def test_a_code_reads_back_as_its_number(self) -> None:
        for n in (1, 12, 123, 98765):
            self.assertEqual(shortcodes.decode(shortcodes.encode(n)), n)

    def test_bengali_digits_read_the_same(self) -> None:
        code = shortcodes.encode(123).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
        self.assertEqual(shortcodes.decode(code), 123)

    def test_every_single_mistyped_digit_is_caught(self) -> None:
        code = shortcodes.encode(4711)
        for i, digit in enumerate(code):
            for other in "0123456789":
                if other != digit:
                    self.assertIsNone(shortcodes.decode(code[:i] + other + code[i + 1 :]))

    def test_swapped_neighbours_are_caught(self) -> None:
        code = shortcodes.encode(4711)
        swapped = code[1] + code[0] + code[2:]
        self.assertIsNone(shortcodes.decode(swapped))

    def test_non_digits_are_no_code(self) -> None:
        self.assertIsNone(shortcodes.decode("12a4"))
        self.assertIsNone(shortcodes.decode("7"))
