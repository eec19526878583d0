"""Checking answers field by field and by the rules, and checking form definitions."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation

from daptar.returns.models import ReturnField, ReturnRule
from daptar.returns.validation import check_field, check_rule, clean_answers

CHOICES = [
    {"value": "dhaka", "label_bn": "ঢাকা", "label_en": "Dhaka"},
    {"value": "sylhet", "label_bn": "সিলেট", "label_en": "Sylhet"},
    {"value": "khulna", "label_bn": "খুলনা", "label_en": "Khulna"},
]


def field(key: str, kind: str, **extra: Any) -> ReturnField:
    return ReturnField(key=key, label_bn=key, label_en=key, type=kind, **extra)


def rule(left: str, op: str, right: str) -> ReturnRule:
    return ReturnRule(
        left=left,
        op=op,
        right=right,
        message_bn=f"বাংলা: {left} {op} {right}",
        message_en=f"English: {left} {op} {right}",
    )


def errors(fields: list[ReturnField], raw: dict[str, Any], rules: list[ReturnRule] = ()) -> dict:  # type: ignore[assignment]
    try:
        clean_answers(fields, list(rules), raw)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def cleaned(fields: list[ReturnField], raw: dict[str, Any]) -> dict[str, Any]:
    return clean_answers(fields, [], raw)[0]


class TypeTests(SimpleTestCase):
    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def test_integer(self) -> None:
        count = [field("n", "integer")]
        self.assertEqual(cleaned(count, {"n": "42"}), {"n": 42})
        self.assertEqual(cleaned(count, {"n": 42}), {"n": 42})
        self.assertEqual(cleaned(count, {"n": "৪২"}), {"n": 42})
        self.assertEqual(cleaned(count, {"n": "1,200"}), {"n": 1200})
        self.assertEqual(cleaned(count, {"n": 7.0}), {"n": 7})
        self.assertEqual(cleaned(count, {"n": " -3 "}), {"n": -3})
        for bad in ["4.5", "four", True, [1], "NaN"]:
            with self.subTest(bad=bad):
                self.assertEqual(errors(count, {"n": bad}), {"n": ["Enter a whole number."]})
        self.assertEqual(errors(count, {"n": "1e999999"}), {"n": ["This number is too large."]})

    def test_decimal_keeps_the_exact_figure_as_text(self) -> None:
        amount = [field("amount", "decimal")]
        self.assertEqual(cleaned(amount, {"amount": "12.50"}), {"amount": "12.5"})
        self.assertEqual(cleaned(amount, {"amount": 0.1}), {"amount": "0.1"})
        self.assertEqual(cleaned(amount, {"amount": "১২.২৫"}), {"amount": "12.25"})
        self.assertEqual(errors(amount, {"amount": "abc"}), {"amount": ["Enter a number."]})
        self.assertEqual(errors(amount, {"amount": "inf"}), {"amount": ["Enter a number."]})
        self.assertEqual(
            errors(amount, {"amount": "1.1234567"}),
            {"amount": ["Use at most 6 digits after the point."]},
        )
        self.assertEqual(
            errors(amount, {"amount": "1" + "0" * 18}), {"amount": ["This number is too large."]}
        )

    def test_numbers_within_min_and_max(self) -> None:
        bounded = [field("n", "integer", min_value=Decimal(0), max_value=Decimal(500))]
        self.assertEqual(cleaned(bounded, {"n": "0"}), {"n": 0})
        self.assertEqual(cleaned(bounded, {"n": "500"}), {"n": 500})
        self.assertEqual(
            errors(bounded, {"n": "-1"}),
            {"n": ["Enter 0 or more."]},
        )
        self.assertEqual(
            errors(bounded, {"n": "501"}),
            {"n": ["Enter 500 or less."]},
        )
        share = [field("share", "decimal", min_value=Decimal("0.5"), max_value=Decimal("1.5"))]
        self.assertEqual(
            errors(share, {"share": "0.25"}),
            {"share": ["Enter 0.5 or more."]},
        )

    def test_texts_and_their_lengths(self) -> None:
        name = [field("name", "text", min_value=Decimal(2), max_value=Decimal(5))]
        self.assertEqual(cleaned(name, {"name": "  Rahim "}), {"name": "Rahim"})
        self.assertEqual(errors(name, {"name": "R"}), {"name": ["Write at least 2 characters."]})
        self.assertEqual(
            errors(name, {"name": "Rahima"}), {"name": ["Write at most 5 characters."]}
        )
        self.assertEqual(errors(name, {"name": 12}), {"name": ["Enter a valid value."]})
        notes = [field("notes", "long_text")]
        self.assertEqual(cleaned(notes, {"notes": "a\r\nb"}), {"notes": "a\nb"})
        self.assertEqual(
            errors(notes, {"notes": "x" * 5001}), {"notes": ["Write at most 5000 characters."]}
        )
        self.assertEqual(
            errors([field("t", "text")], {"t": "x" * 501}), {"t": ["Write at most 500 characters."]}
        )

    def test_date(self) -> None:
        day = [field("held_on", "date")]
        self.assertEqual(cleaned(day, {"held_on": "2026-02-21"}), {"held_on": "2026-02-21"})
        self.assertEqual(cleaned(day, {"held_on": "২০২৬-০২-২১"}), {"held_on": "2026-02-21"})
        for bad in ["2026-02-30", "21/02/2026", "tomorrow"]:
            with self.subTest(bad=bad):
                self.assertEqual(
                    errors(day, {"held_on": bad}), {"held_on": ["Enter a valid date."]}
                )

    def test_yes_no(self) -> None:
        held = [field("held", "yes_no", required=True)]
        for raw, value in [
            (True, True),
            (False, False),
            ("yes", True),
            ("no", False),
            ("হ্যাঁ", True),
            ("না", False),
            ("1", True),
            ("0", False),
        ]:
            with self.subTest(raw=raw):
                self.assertEqual(cleaned(held, {"held": raw}), {"held": value})
        self.assertEqual(errors(held, {"held": "maybe"}), {"held": ["Answer yes or no."]})
        # False is an answer, not a blank.
        self.assertEqual(errors(held, {"held": False}), {})
        self.assertEqual(errors(held, {}), {"held": ["This field is required."]})

    def test_choice(self) -> None:
        place = [field("place", "choice", choices=CHOICES)]
        self.assertEqual(cleaned(place, {"place": "sylhet"}), {"place": "sylhet"})
        self.assertEqual(
            errors(place, {"place": "Sylhet"}),
            {"place": ["Sylhet is not one of the choices."]},
        )
        self.assertEqual(
            errors(place, {"place": ["sylhet"]}),
            {"place": ["['sylhet'] is not one of the choices."]},
        )

    def test_multiple_choice_with_a_count(self) -> None:
        places = [
            field(
                "places",
                "multiple_choice",
                choices=CHOICES,
                min_value=Decimal(1),
                max_value=Decimal(2),
            )
        ]
        self.assertEqual(
            cleaned(places, {"places": ["dhaka", "sylhet", "dhaka"]}),
            {"places": ["dhaka", "sylhet"]},
        )
        self.assertEqual(cleaned(places, {"places": "khulna"}), {"places": ["khulna"]})
        self.assertEqual(
            errors(places, {"places": ["dhaka", "sylhet", "khulna"]}),
            {"places": ["Choose at most 2."]},
        )
        self.assertEqual(
            errors(places, {"places": ["rome"]}),
            {"places": ["rome is not one of the choices."]},
        )

    def test_phone(self) -> None:
        phone = [field("phone", "phone")]
        self.assertEqual(cleaned(phone, {"phone": "০১৭১১-২২৩৩৪৪"}), {"phone": "+8801711223344"})
        self.assertEqual(
            errors(phone, {"phone": "12345"}),
            {"phone": ["Enter a Bangladeshi mobile number, e.g. 01711-223344."]},
        )

    def test_required_and_blank(self) -> None:
        form = [
            field("a", "integer", required=True),
            field("b", "text"),
            field("c", "multiple_choice", choices=CHOICES),
        ]
        self.assertEqual(
            errors(form, {"a": "  ", "b": "", "c": []}), {"a": ["This field is required."]}
        )
        # Blank optional answers are left out of the data.
        self.assertEqual(cleaned(form, {"a": "1", "b": " ", "c": []}), {"a": 1})

    def test_an_unknown_key_is_an_error_of_its_own(self) -> None:
        self.assertEqual(
            errors([field("a", "integer")], {"a": 1, "b": 2}),
            {"b": ["This form has no such field."]},
        )

    def test_every_field_error_at_once(self) -> None:
        form = [field("a", "integer", required=True), field("b", "date"), field("c", "integer")]
        self.assertEqual(set(errors(form, {"b": "x", "c": "y"})), {"a", "b", "c"})


class RuleTests(SimpleTestCase):
    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.fields = [
            field("members", "integer", required=True),
            field("women", "integer"),
            field("men", "integer"),
        ]

    def test_a_failing_rule_goes_under_all_in_the_users_language(self) -> None:
        rules = [rule("women + men", "==", "members")]
        self.assertEqual(
            errors(self.fields, {"members": 10, "women": 4, "men": 5}, rules),
            {"__all__": ["English: women + men == members"]},
        )
        with translation.override("bn"):
            self.assertEqual(
                errors(self.fields, {"members": 10, "women": 4, "men": 5}, rules),
                {"__all__": ["বাংলা: women + men == members"]},
            )
        self.assertEqual(errors(self.fields, {"members": 10, "women": 4, "men": 6}, rules), {})

    def test_every_operator_against_constants(self) -> None:
        data = {"members": 10}
        for op, right, ok in [
            ("<", "11", True),
            ("<", "10", False),
            ("<=", "10", True),
            (">", "9", True),
            (">", "10", False),
            (">=", "10", True),
            ("==", "5 * 2", True),
            ("!=", "10", False),
        ]:
            with self.subTest(op=op, right=right):
                found = errors(self.fields, data, [rule("members", op, right)])
                self.assertEqual(found == {}, ok, found)

    def test_a_rule_waits_for_its_fields(self) -> None:
        rules = [rule("women", "<=", "members")]
        # women blank: nothing to compare yet.
        self.assertEqual(errors(self.fields, {"members": 3}, rules), {})
        # members invalid: its own error, and no rule message on top.
        self.assertEqual(
            errors(self.fields, {"members": "x", "women": 9}, rules),
            {"members": ["Enter a whole number."]},
        )

    def test_a_rule_that_divides_by_zero_is_skipped(self) -> None:
        rules = [rule("women / men", ">", "1")]
        self.assertEqual(errors(self.fields, {"members": 3, "women": 1, "men": 0}, rules), {})
        self.assertEqual(
            errors(self.fields, {"members": 3, "women": 1, "men": 2}, rules),
            {"__all__": ["English: women / men > 1"]},
        )

    def test_field_errors_and_rule_messages_come_together(self) -> None:
        rules = [rule("women", "<=", "members"), rule("men", "<=", "members")]
        found = errors(self.fields, {"members": 1, "women": 2, "men": 3, "x": 1}, rules)
        self.assertEqual(found["__all__"], ["English: women <= members", "English: men <= members"])
        self.assertEqual(found["x"], ["This form has no such field."])


class BengaliMessageTests(SimpleTestCase):
    def test_field_messages_follow_the_language_with_bengali_digits(self) -> None:
        bounded = [
            field("n", "integer", min_value=Decimal(0), max_value=Decimal(50), required=True)
        ]
        with translation.override("bn"):
            self.assertEqual(errors(bounded, {}), {"n": ["এই ঘরটি পূরণ করা আবশ্যক।"]})
            self.assertEqual(errors(bounded, {"n": "x"}), {"n": ["একটি পূর্ণসংখ্যা লিখুন।"]})
            self.assertEqual(errors(bounded, {"n": "51"}), {"n": ["৫০ বা তার কম লিখুন।"]})


class DefinitionTests(SimpleTestCase):
    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def spec(self, **extra: Any) -> dict[str, Any]:
        return {
            "key": "members",
            "label_bn": "সদস্য",
            "label_en": "Members",
            "type": "integer",
            **extra,
        }

    def refused(self, spec: dict[str, Any], taken: tuple[str, ...] = ()) -> dict[str, list[str]]:
        with self.assertRaises(ValidationError) as caught:
            check_field(spec, taken)
        return caught.exception.message_dict

    def test_a_clean_field(self) -> None:
        row = check_field(self.spec(required=True, min="0", max="৫০০"), [])
        self.assertEqual(
            (row["key"], row["required"], row["min_value"], row["max_value"], row["label_en"]),
            ("members", True, Decimal(0), Decimal(500), "Members"),
        )

    def test_choices_from_strings_or_objects(self) -> None:
        row = check_field(
            self.spec(type="choice", choices=["yes", {"value": "no", "label_bn": "না"}]), []
        )
        self.assertEqual(
            row["choices"],
            [
                {"value": "yes", "label_bn": "yes", "label_en": "yes"},
                {"value": "no", "label_bn": "না", "label_en": "না"},
            ],
        )

    def test_it_refuses_bad_definitions(self) -> None:
        self.assertIn("key", self.refused(self.spec(key="Members")))
        self.assertIn("key", self.refused(self.spec(key="1st")))
        self.assertEqual(
            self.refused(self.spec(), ("members",)),
            {"key": ["This form already has a field with this key."]},
        )
        self.assertIn("label_bn", self.refused(self.spec(label_bn=" ")))
        self.assertIn("label_en", self.refused(self.spec(label_en="")))
        self.assertIn("type", self.refused(self.spec(type="money")))
        self.assertEqual(
            self.refused(self.spec(min=5, max=1)), {"max": ["The maximum is below the minimum."]}
        )
        self.assertEqual(self.refused(self.spec(min="0.5")), {"min": ["Enter a whole number."]})
        self.assertEqual(self.refused(self.spec(min="x")), {"min": ["Enter a number."]})
        self.assertIn("min", self.refused(self.spec(type="date", min=1)))
        self.assertEqual(
            self.refused(self.spec(type="text", max=-1)), {"max": ["Enter a whole number."]}
        )
        self.assertEqual(
            self.refused(self.spec(type="choice")), {"choices": ["Give at least one choice."]}
        )
        self.assertEqual(
            self.refused(self.spec(type="choice", choices=["a", "a"])),
            {"choices": ["Two choices have the same value."]},
        )
        self.assertEqual(
            self.refused(self.spec(choices=["a"])),
            {"choices": ["Only a choice field has choices."]},
        )

    def test_rules_read_only_number_fields(self) -> None:
        ok = check_rule(
            {
                "left": "women + men",
                "op": "<=",
                "right": "members * 2",
                "message_bn": "বাংলা",
                "message_en": "English",
            },
            ["women", "men", "members"],
        )
        self.assertEqual(ok["left"], "women + men")
        with self.assertRaises(ValidationError) as caught:
            check_rule(
                {
                    "left": "women + name",
                    "op": "=>",
                    "right": "2 +",
                    "message_bn": "",
                    "message_en": "x",
                },
                ["women"],
            )
        found = caught.exception.message_dict
        self.assertEqual(found["left"], ["These are not number fields of this form: name."])
        self.assertIn("Not a calculation", found["right"][0])
        self.assertIn("op", found)
        self.assertEqual(found["message_bn"], ["Give the message in Bengali."])
