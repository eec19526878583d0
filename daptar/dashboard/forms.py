"""The dashboard's choices, read from the query string; anything else is a 400."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from daptar.dashboard.figures import SORTS
from daptar.dashboard.measures import DEFAULT_WINDOW, MAP_MEASURES, WINDOWS

# Labelled in the templates, in the reader's language and digits.
WINDOW_CHOICES = [(str(days), str(days)) for days in WINDOWS]


class DashboardForm(forms.Form):
    """?unit=&window=&sort=&dir= (all optional)."""

    unit = forms.CharField(required=False)
    window = forms.TypedChoiceField(
        label=_("Window"),
        choices=WINDOW_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a window of 30, 90 or 365 days.")},
    )
    sort = forms.ChoiceField(
        choices=[(s, s) for s in SORTS],
        required=False,
        error_messages={"invalid_choice": _("The table cannot be sorted by that.")},
    )
    dir = forms.ChoiceField(
        choices=[("asc", "asc"), ("desc", "desc")],
        required=False,
        error_messages={"invalid_choice": _("Sort ascending (asc) or descending (desc).")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["window"] = data.get("window") or DEFAULT_WINDOW
        data["sort"] = data.get("sort") or "index"
        if not data.get("dir"):
            data["dir"] = "asc" if data["sort"] == "name" else "desc"
        return data


class MapForm(DashboardForm):
    """The map adds ?measure= (the index by default)."""

    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[(m.name, m.label) for m in MAP_MEASURES],
        required=False,
        error_messages={"invalid_choice": _("The map cannot be shaded by that measure.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["measure"] = data.get("measure") or "index"
        return data
