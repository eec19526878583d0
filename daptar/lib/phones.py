"""Bangladeshi mobile numbers: accept what people type, store E.164 (+8801XXXXXXXXX)."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from daptar.lib.numerals import to_ascii_digits

# Operator prefixes 013-019 (Grameenphone, Robi, Airtel, Banglalink, Teletalk).
_MOBILE = re.compile(r"^\+8801[3-9]\d{8}$")
_WRITTEN = re.compile(r"^(?:00)?(?:88)?01\d{9}$")


def normalise_phone(value: str) -> str:
    """'০১৭১১-২২৩৩৪৪', '8801711223344', '+880 1711 223344', '01711 223344' → '+8801711223344'.

    phonenumbers reads every written form (spaces, dashes, brackets, 00/880/+880 prefixes);
    Bengali digits are folded to ASCII first. Only mobile numbers are accepted: offices
    reach people by SMS, and a landline cannot receive one.
    """
    text = to_ascii_digits(value or "").strip()
    digits = re.sub(r"\D", "", text)
    # The common case needs no parser: a written mobile number's E.164 is its last ten
    # digits after +880 (an import normalises 50,000 of these at a time).
    if _WRITTEN.match(digits) and _MOBILE.match(quick := "+880" + digits[-10:]):
        return quick
    number = None
    # The national form always keeps its leading 0 in what offices write: ten bare digits
    # are more likely a number with one digit lost than a number without its 0.
    if _WRITTEN.match(digits):
        try:
            number = phonenumbers.parse("+880" + digits[-10:], None)
        except phonenumbers.NumberParseException:
            number = None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else ""
    if not _MOBILE.match(e164):
        raise ValidationError(
            _("Enter a Bangladeshi mobile number, e.g. 01711-223344."), code="invalid_phone"
        )
    return e164


def validate_phone(value: str) -> None:
    normalise_phone(value)
