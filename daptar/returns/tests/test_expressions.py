"""The rules' little calculation language (daptar/lib/expressions.py)."""

from decimal import Decimal

from django.test import SimpleTestCase

from daptar.lib.expressions import ExpressionError, compare, evaluate, names, parse

VALUES = {"a": Decimal(10), "b": Decimal(4), "c": Decimal("2.5"), "zero": Decimal(0)}


def calc(text: str) -> Decimal:
    return evaluate(parse(text), VALUES)


class EvaluateTests(SimpleTestCase):
    def test_it_follows_precedence_and_brackets(self) -> None:
        self.assertEqual(calc("a + b * 2"), 18)
        self.assertEqual(calc("(a + b) * 2"), 28)
        self.assertEqual(calc("a - b - 1"), 5)  # left to right
        self.assertEqual(calc("a / b / 2"), Decimal("1.25"))
        self.assertEqual(calc("a * c"), 25)

    def test_unary_signs(self) -> None:
        self.assertEqual(calc("-a + b"), -6)
        self.assertEqual(calc("a - -b"), 14)
        self.assertEqual(calc("+a"), 10)
        self.assertEqual(calc("-(a - b)"), -6)

    def test_numbers_in_bengali_digits_and_with_a_point(self) -> None:
        self.assertEqual(calc("১০ + ২.৫"), Decimal("12.5"))
        self.assertEqual(calc(".5 * 4"), 2)

    def test_whitespace_is_free(self) -> None:
        self.assertEqual(calc("  a*b  "), 40)
        self.assertEqual(calc("a\t+\nb"), 14)

    def test_division_by_zero_raises_an_arithmetic_error(self) -> None:
        with self.assertRaises(ArithmeticError):
            calc("a / zero")
        with self.assertRaises(ArithmeticError):
            calc("a / (b - 4)")

    def test_an_unknown_name_is_a_key_error(self) -> None:
        with self.assertRaises(KeyError):
            calc("a + missing")

    def test_names_lists_every_field_read(self) -> None:
        self.assertEqual(names(parse("(women + men) * 2")), {"women", "men"})
        self.assertEqual(names(parse("-a / (b + 3)")), {"a", "b"})
        self.assertEqual(names(parse("42")), set())


class ParseErrorTests(SimpleTestCase):
    def test_it_refuses_what_is_not_arithmetic(self) -> None:
        for text in [
            "",
            "   ",
            "a +",
            "(a + b",
            "a + b)",
            "a b",
            "a ** 2",
            "a % 2",
            "a == b",
            "__import__('os').system('x')",
            "a.real",
            "f(a)",
            "1e5",
            "a; b",
        ]:
            with self.subTest(text=text), self.assertRaises(ExpressionError):
                parse(text)

    def test_it_bounds_length_and_depth(self) -> None:
        with self.assertRaises(ExpressionError):
            parse("a + " * 100 + "a")
        with self.assertRaises(ExpressionError):
            parse("(" * 40 + "a" + ")" * 40)
        self.assertEqual(evaluate(parse("(" * 10 + "a" + ")" * 10), VALUES), 10)


class CompareTests(SimpleTestCase):
    def test_every_operator(self) -> None:
        one, two = Decimal(1), Decimal(2)
        self.assertTrue(compare(one, "<", two))
        self.assertTrue(compare(one, "<=", one))
        self.assertTrue(compare(two, ">", one))
        self.assertTrue(compare(two, ">=", two))
        self.assertTrue(compare(one, "==", one))
        self.assertTrue(compare(one, "!=", two))
        self.assertFalse(compare(two, "<", one))
        self.assertFalse(compare(one, "==", two))

    def test_a_division_still_equals_what_it_came_from(self) -> None:
        third = evaluate(parse("a / 3 * 3"), VALUES)
        self.assertNotEqual(third, Decimal(10))  # 9.999… without rounding
        self.assertTrue(compare(third, "==", Decimal(10)))
