"""Checking what people send: form definitions (fields, rules) and the answers to them.

Messages come out in the active language: Django's own wording (and its
Bengali translation) where it fits, the rule's own message_bn / message_en for
cross-field rules.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from daptar.lib import expressions
from daptar.lib.numerals import localise_digits, to_ascii_digits
from daptar.lib.phones import normalise_phone
from daptar.returns.models import ReturnField, ReturnRule

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 100
MAX_RULES = 50
MAX_CHOICES = 100
TEXT_LIMITS = {ReturnField.Type.TEXT: 500, ReturnField.Type.LONG_TEXT: 5000}
# SubmissionValue.value is DECIMAL(24, 6): at most 18 digits before the point.
LARGEST = Decimal("1e18")
PLACES = 6
YES = {"yes", "true", "1", "on", "y", "হ্যাঁ", "হাঁ"}
NO = {"no", "false", "0", "off", "n", "না"}


def _digits(value: object) -> str:
    return localise_digits(value, get_language() or "bn")


def _number(value: Decimal) -> str:
    """A bound as people write it: 10, not 10.000000."""
    text = format(value.normalize(), "f")
    return _digits(text)


# --- form definitions ------------------------------------------------------------------


def _bound(raw: object, name: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValidationError({name: [_("Enter a number.")]})
    try:
        value = Decimal(to_ascii_digits(str(raw)).strip())
    except InvalidOperation:
        raise ValidationError({name: [_("Enter a number.")]}) from None
    if not value.is_finite() or abs(value) >= LARGEST:
        raise ValidationError({name: [_("Enter a number.")]})
    return value


def _choices(raw: object, kind: str) -> list[dict[str, str]]:
    """Strings, or {"value", "label_bn", "label_en"} objects, as a clean list."""
    if raw in (None, "", []):
        if kind in ReturnField.WITH_CHOICES:
            raise ValidationError({"choices": [_("Give at least one choice.")]})
        return []
    if kind not in ReturnField.WITH_CHOICES:
        raise ValidationError({"choices": [_("Only a choice field has choices.")]})
    if not isinstance(raw, list) or len(raw) > MAX_CHOICES:
        raise ValidationError(
            {"choices": [_("Give a list of at most %(n)s choices.") % {"n": MAX_CHOICES}]}
        )
    out: list[dict[str, str]] = []
    for item in raw:
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, dict) or not str(item.get("value", "")).strip():
            raise ValidationError({"choices": [_("Every choice needs a value.")]})
        value = str(item["value"]).strip()[:100]
        label_bn = str(item.get("label_bn") or value).strip()[:200]
        out.append(
            {
                "value": value,
                "label_bn": label_bn,
                "label_en": str(item.get("label_en") or label_bn).strip()[:200],
            }
        )
    values = [c["value"] for c in out]
    if len(set(values)) != len(values):
        raise ValidationError({"choices": [_("Two choices have the same value.")]})
    return out


def check_field(spec: Mapping[str, Any], taken: Iterable[str]) -> dict[str, Any]:
    """A field definition made clean (model field names), or ValidationError by attribute."""
    errors: dict[str, list[str]] = {}
    key = str(spec.get("key") or "").strip()
    if not KEY.match(key):
        errors["key"] = [
            _(
                "A key is a short name in small English letters, digits and _, starting "
                "with a letter, e.g. members_female."
            )
        ]
    elif key in set(taken):
        errors["key"] = [_("This form already has a field with this key.")]
    label_bn = str(spec.get("label_bn") or "").strip()
    label_en = str(spec.get("label_en") or "").strip()
    if not label_bn:
        errors["label_bn"] = [_("Give the label in Bengali.")]
    if not label_en:
        errors["label_en"] = [_("Give the label in English.")]
    kind = spec.get("type")
    if kind not in ReturnField.Type.values:
        errors["type"] = [
            _("Choose a type: %(types)s.")
            % {"types": ", ".join(str(label) for label in ReturnField.Type.labels)}
        ]
    if errors:
        raise ValidationError(errors)
    minimum = _bound(spec.get("min"), "min")
    maximum = _bound(spec.get("max"), "max")
    if (minimum is not None or maximum is not None) and kind not in ReturnField.BOUNDED:
        raise ValidationError(
            {"min": [_("Only numbers, texts and multiple choices take a minimum or maximum.")]}
        )
    if kind not in ReturnField.NUMERIC:
        # For texts the bounds are lengths, for multiple choices counts: whole and >= 0.
        for name, bound in (("min", minimum), ("max", maximum)):
            if bound is not None and (bound < 0 or bound != bound.to_integral_value()):
                raise ValidationError({name: [_("Enter a whole number.")]})
    if kind == ReturnField.Type.INTEGER:
        for name, bound in (("min", minimum), ("max", maximum)):
            if bound is not None and bound != bound.to_integral_value():
                raise ValidationError({name: [_("Enter a whole number.")]})
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValidationError({"max": [_("The maximum is below the minimum.")]})
    return {
        "key": key,
        "label_bn": label_bn[:200],
        "label_en": label_en[:200],
        "help_bn": str(spec.get("help_bn") or "").strip()[:300],
        "help_en": str(spec.get("help_en") or "").strip()[:300],
        "type": kind,
        "required": bool(spec.get("required", False)),
        "min_value": minimum,
        "max_value": maximum,
        "choices": _choices(spec.get("choices"), str(kind)),
    }


def check_rule(spec: Mapping[str, Any], numeric_keys: Iterable[str]) -> dict[str, Any]:
    """A rule definition made clean, or ValidationError by attribute."""
    numeric = set(numeric_keys)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for side in ("left", "right"):
        text = str(spec.get(side) or "").strip()
        try:
            unknown = expressions.names(expressions.parse(text)) - numeric
        except expressions.ExpressionError as exc:
            errors[side] = [
                _("Not a calculation (%(why)s). Use numbers, field keys, + - * / and brackets.")
                % {"why": exc}
            ]
            continue
        if unknown:
            errors[side] = [
                _("These are not number fields of this form: %(keys)s.")
                % {"keys": ", ".join(sorted(unknown))}
            ]
        cleaned[side] = text
    op = spec.get("op")
    if op not in ReturnRule.Op.values:
        errors["op"] = [_("Choose a comparison: == != < <= > >=.")]
    for language, name in (("message_bn", _("Bengali")), ("message_en", _("English"))):
        if not str(spec.get(language) or "").strip():
            errors[language] = [_("Give the message in %(language)s.") % {"language": name}]
    if errors:
        raise ValidationError(errors)
    return {
        **cleaned,
        "op": op,
        "message_bn": str(spec["message_bn"]).strip()[:300],
        "message_en": str(spec["message_en"]).strip()[:300],
    }


# --- answers ---------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _as_decimal(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
    else:
        text = to_ascii_digits(str(raw)).strip().replace(",", "")
        value = Decimal(text)
    if not value.is_finite():
        raise ValueError
    return value


def _check_bounds(field: ReturnField, value: Decimal) -> None:
    if field.min_value is not None and value < field.min_value:
        raise ValidationError(
            _("Enter %(limit_value)s or more.") % {"limit_value": _number(field.min_value)}
        )
    if field.max_value is not None and value > field.max_value:
        raise ValidationError(
            _("Enter %(limit_value)s or less.") % {"limit_value": _number(field.max_value)}
        )


def _check_length(field: ReturnField, text: str) -> None:
    longest = TEXT_LIMITS[field.type]  # type: ignore[index]
    if field.max_value is not None:
        longest = min(longest, int(field.max_value))
    shortest = int(field.min_value) if field.min_value is not None else 0
    if len(text) > longest:
        raise ValidationError(
            ngettext("Write at most %(n)s character.", "Write at most %(n)s characters.", longest)
            % {"n": _digits(longest)}
        )
    if len(text) < shortest:
        raise ValidationError(
            ngettext(
                "Write at least %(n)s character.", "Write at least %(n)s characters.", shortest
            )
            % {"n": _digits(shortest)}
        )


def _clean_value(field: ReturnField, raw: Any) -> tuple[Any, Decimal | None]:
    """(JSON value, numeric value) of one answer; ValidationError with the message."""
    kind = field.type
    if kind in ReturnField.NUMERIC:
        try:
            number = _as_decimal(raw)
        except (ValueError, InvalidOperation, TypeError):
            message = (
                _("Enter a whole number.") if kind == field.Type.INTEGER else _("Enter a number.")
            )
            raise ValidationError(message) from None
        if kind == field.Type.INTEGER:
            if number != number.to_integral_value():
                raise ValidationError(_("Enter a whole number."))
            number = number.to_integral_value()
        if abs(number) >= LARGEST:
            raise ValidationError(_("This number is too large."))
        if -number.as_tuple().exponent > PLACES:  # type: ignore[operator]
            raise ValidationError(
                _("Use at most %(n)s digits after the point.") % {"n": _digits(PLACES)}
            )
        _check_bounds(field, number)
        if kind == field.Type.INTEGER:
            return int(number), number
        return format(number.normalize(), "f"), number
    if kind in TEXT_LIMITS:
        if not isinstance(raw, str):
            raise ValidationError(_("Enter a valid value."))
        text = raw.strip().replace("\r\n", "\n")
        _check_length(field, text)
        return text, None
    if kind == field.Type.DATE:
        try:
            day = datetime.date.fromisoformat(to_ascii_digits(str(raw)).strip())
        except ValueError:
            raise ValidationError(_("Enter a valid date.")) from None
        return day.isoformat(), None
    if kind == field.Type.YES_NO:
        if isinstance(raw, bool):
            return raw, None
        word = str(raw).strip().lower()
        if word in YES or word in NO:
            return word in YES, None
        raise ValidationError(_("Answer yes or no."))
    if kind == field.Type.PHONE:
        return normalise_phone(str(raw)), None
    values = [c["value"] for c in field.choices]
    if kind == field.Type.CHOICE:
        if not isinstance(raw, str | int) or str(raw) not in values:
            raise ValidationError(_("%(value)s is not one of the choices.") % {"value": raw})
        return str(raw), None
    picked = raw if isinstance(raw, list) else [raw]
    chosen: list[str] = []
    for item in picked:
        if not isinstance(item, str | int) or str(item) not in values:
            raise ValidationError(_("%(value)s is not one of the choices.") % {"value": item})
        if str(item) not in chosen:
            chosen.append(str(item))
    if field.min_value is not None and len(chosen) < field.min_value:
        raise ValidationError(_("Choose at least %(n)s.") % {"n": _number(field.min_value)})
    if field.max_value is not None and len(chosen) > field.max_value:
        raise ValidationError(_("Choose at most %(n)s.") % {"n": _number(field.max_value)})
    return chosen, None


def clean_answers(
    fields: list[ReturnField], rules: list[ReturnRule], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Decimal]]:
    """The answers as JSON-ready data and the numeric ones as Decimals.

    Raises ValidationError keyed by field key, with rule failures under "__all__".
    Blank optional answers are left out. A rule is checked only when every field
    it names has a valid answer, and skipped when it would divide by zero.
    """
    errors: dict[str, list[str]] = {}
    known = {f.key for f in fields}
    for key in raw:
        if key not in known:
            errors[str(key)] = [_("This form has no such field.")]
    data: dict[str, Any] = {}
    numbers: dict[str, Decimal] = {}
    for field in fields:
        value = raw.get(field.key)
        if _blank(value):
            if field.required:
                errors[field.key] = [_("This field is required.")]
            continue
        try:
            data[field.key], number = _clean_value(field, value)
        except ValidationError as exc:
            errors[field.key] = list(exc.messages)
            continue
        if number is not None:
            numbers[field.key] = number
    failed: list[str] = []
    for rule in rules:
        try:
            left, right = expressions.parse(rule.left), expressions.parse(rule.right)
        except expressions.ExpressionError:  # checked when the rule was added
            continue
        if not (expressions.names(left) | expressions.names(right)) <= set(numbers):
            continue
        try:
            ok = expressions.compare(
                expressions.evaluate(left, numbers), rule.op, expressions.evaluate(right, numbers)
            )
        except ArithmeticError:
            continue
        if not ok:
            failed.append(rule.message)
    if failed:
        errors[NON_FIELD_ERRORS] = failed
    if errors:
        raise ValidationError(errors)
    return data, numbers
