"""Text that machines read: the characters XML 1.0 forbids are dropped, decided here once.

A title pasted from a word processor or a phone's clipboard can carry a vertical
tab, a form feed, a stray U+FFFE or half of a surrogate pair. None of them means
anything to a reader, and any one of them makes an Atom feed, a sitemap, a calendar
file or a workbook invalid for every reader. So they are *dropped*, silently, not
refused: there is nothing the person typing could see to correct.

Where: on input, by every text field of every form and serializer (`install()`, run
once by the lib app's `ready()`), so new forms and endpoints are covered without
remembering to; and again, defensively, by each output that must stay valid (the
feed, the sitemap, .ics files, CSV/XLSX exports, SMS, e-mail and social posts),
because rows written before this rule, or by a bulk import, may still hold them.
Tab, line feed and carriage return are kept: they are text.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 controls but tab, LF and CR; the non-characters U+FFFE and U+FFFF; lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(value: str) -> str:
    """*value* without the characters XML 1.0 forbids."""
    return FORBIDDEN.sub("", value)


def clean_data(value: Any) -> Any:
    """*value* with every string in it cleaned: strings, and lists, tuples and dicts of them."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_data(v) for v in value)
    return value


_installed = False
_NOTHING = object()


def install() -> None:
    """Make every form and serializer text field drop the forbidden characters on input.

    Wraps the base classes' input step, so every subclass (e-mail, slug, URL, choice
    text, JSON) and every field a ModelForm or ModelSerializer generates is covered.
    The value is cleaned *before* the field's own checks, so a title of nothing but
    control characters is "required", not an empty title.
    """
    global _installed
    if _installed:
        return
    _installed = True

    from django import forms
    from rest_framework import fields

    _clean_input(forms.CharField, "to_python")
    _clean_input(fields.CharField, "run_validation")
    _clean_output(forms.JSONField, "to_python")
    _clean_output(fields.JSONField, "to_internal_value")


def _clean_input(cls: type, name: str) -> None:
    """*cls.name* sees its first argument cleaned when it is a string."""
    original = getattr(cls, name)

    def method(self: Any, value: Any = _NOTHING, *args: Any) -> Any:
        if value is _NOTHING:
            return original(self, *args)
        return original(self, clean(value) if isinstance(value, str) else value, *args)

    setattr(cls, name, method)


def _clean_output(cls: type, name: str) -> None:
    """*cls.name* answers with every string in its result cleaned."""
    original = getattr(cls, name)

    def method(self: Any, *args: Any) -> Any:
        return clean_data(original(self, *args))

    setattr(cls, name, method)
