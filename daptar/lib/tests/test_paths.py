from django.db.models import Q
from django.test import SimpleTestCase

from daptar.lib import paths


class SegmentTests(SimpleTestCase):
    def test_it_pads_numbers_to_four_digits(self) -> None:
        self.assertEqual(paths.segment(1), "0001")
        self.assertEqual(paths.segment(42), "0042")

    def test_it_allows_up_to_9998_children(self) -> None:
        self.assertEqual(paths.MAX_SEGMENT, 9998)
        self.assertEqual(paths.segment(9998), "9998")

    def test_it_refuses_the_9999th_child(self) -> None:
        with self.assertRaisesMessage(ValueError, "at most 9998 children"):
            paths.segment(9999)

    def test_it_refuses_zero_and_negative_numbers(self) -> None:
        for number in (0, -1):
            with self.subTest(number=number), self.assertRaises(ValueError):
                paths.segment(number)


class UpperTests(SimpleTestCase):
    def test_it_is_the_next_sibling_path(self) -> None:
        self.assertEqual(paths.upper("0001"), "0002")
        self.assertEqual(paths.upper("00010041"), "00010042")

    def test_it_stays_inside_the_width_for_the_last_allowed_segment(self) -> None:
        self.assertEqual(paths.upper("00019998"), "00019999")
        self.assertEqual(len(paths.upper("00019998")), 8)

    def test_it_is_above_every_descendant_and_below_the_next_sibling(self) -> None:
        top = paths.upper("00010002")
        deepest = "00010002" + "9998" * 5
        self.assertLess("00010002", top)
        self.assertLess(deepest, top)
        self.assertLessEqual(top, "00010003")


class PrefixQTests(SimpleTestCase):
    def test_it_is_a_half_open_range_on_path(self) -> None:
        self.assertEqual(paths.prefix_q("00010002"), Q(path__gte="00010002", path__lt="00010003"))

    def test_it_filters_another_field(self) -> None:
        self.assertEqual(
            paths.prefix_q("0001", field="unit__path"),
            Q(unit__path__gte="0001", unit__path__lt="0002"),
        )

    def test_the_range_holds_the_subtree_and_nothing_else(self) -> None:
        # The same comparison the database makes, on plain strings.
        inside = ["00010002", "000100020001", "00010002" + "9998" * 3]
        outside = ["0001", "00010001", "000100019998", "00010003", "000100030001"]
        low, high = "00010002", paths.upper("00010002")
        self.assertTrue(all(low <= p < high for p in inside))
        self.assertFalse(any(low <= p < high for p in outside))


class AncestorPathsTests(SimpleTestCase):
    def test_it_lists_every_proper_prefix_root_first(self) -> None:
        self.assertEqual(paths.ancestor_paths("000100020003"), ["0001", "00010002"])

    def test_a_root_has_no_ancestors(self) -> None:
        self.assertEqual(paths.ancestor_paths("0001"), [])

    def test_depth_counts_steps_from_the_root(self) -> None:
        self.assertEqual(paths.depth("0001"), 0)
        self.assertEqual(paths.depth("000100020003"), 2)
