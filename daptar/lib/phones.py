"""Bangladeshi mobile numbers: accept what people type, store +8801XXXXXXXXX."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from daptar.lib.numerals import to_ascii_digits

# Operator prefixes 013-019 (Grameenphone, Robi, Airtel, Banglalink, Teletalk).
_MOBILE = re.compile(r"^(?:\+?88)?(01[3-9]\d{8})$")


def normalise_phone(value: str) -> str:
    """'০১৭১১-২২৩৩৪৪', '8801711223344', '+880 1711 223344' → '+8801711223344'."""
    digits = re.sub(r"[\s\-().]", "", to_ascii_digits(value or ""))
    match = _MOBILE.match(digits)
    if not match:
        raise ValidationError(
            _("Enter a Bangladeshi mobile number, e.g. 01711-223344."), code="invalid_phone"
        )
    return "+88" + match.group(1)


def validate_phone(value: str) -> None:
    normalise_phone(value)
