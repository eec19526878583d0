"""Template filters every page uses: digits and dates in the reader's language."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from daptar.lib import calendars
from daptar.lib.numerals import localise_digits

register = template.Library()


def _language() -> str:
    return "en" if (get_language() or "bn").startswith("en") else "bn"


@register.filter
def num(value: object) -> str:
    """A number in Bengali digits on Bengali pages (unless DAPTAR_BENGALI_DIGITS is off)."""
    if value is None or value == "":
        return ""
    if not getattr(settings, "DAPTAR_BENGALI_DIGITS", True):
        return str(value)
    return localise_digits(value, _language())


@register.filter
def three_calendars(value: datetime.date | datetime.datetime) -> str:
    """A date as the header shows it: Gregorian, Bangla and Hijri."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return calendars.three_calendar_line(value, _language())


@register.filter
def bangla_date(value: datetime.date | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return calendars.format_bangla(value, _language())


@register.filter
def get_item(mapping: object, key: str) -> object:
    """mapping[key] in a template, or "" when there is none."""
    try:
        return mapping[key]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return ""
