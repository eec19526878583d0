from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from daptar.letters import queries
from daptar.letters.models import Letter
from daptar.units.models import Unit

# The address list shows every office above and two levels below; deeper offices
# are picked by code in the box beside it (a union's, a ward's).
LISTED_DEPTH = 2


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _label(unit: Unit, sender: Unit) -> str:
    if unit.depth < sender.depth:
        return f"↑ {unit.name} ({unit.level.name})"
    return ("— " * (unit.depth - sender.depth)) + f"{unit.name} ({unit.level.name})"


class UnitPicker(forms.Form):
    """An office from a short list, or any office of the allowed set by its code."""

    to_unit = forms.ModelChoiceField(
        label=pgettext_lazy("letter", "To"), queryset=Unit.objects.none(), required=False
    )
    to_code = forms.CharField(
        label=_("…or a unit code"),
        required=False,
        max_length=32,
        help_text=_("For an office further down, e.g. UN-2513 for a union."),
    )

    def set_units(self, allowed: Any, listed: Any, sender: Unit) -> None:
        self.allowed = allowed
        field = self.fields["to_unit"]
        field.queryset = allowed  # type: ignore[attr-defined]
        field.widget.choices = [("", "—")] + [  # type: ignore[attr-defined]
            (u.pk, _label(u, sender)) for u in listed.select_related("level").order_by("path")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("to_code") or "").strip()
        if code:
            unit = self.allowed.filter(code__iexact=code).first()
            if unit is None:
                self.add_error("to_code", _("No office with this code that you may write to."))
            else:
                data["to_unit"] = unit
        elif not data.get("to_unit") and "to_unit" not in self.errors:
            self.add_error("to_unit", _("Choose the office the letter is for."))
        return data


class LetterForm(UnitPicker):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Letter.Priority.choices,
        initial=Letter.Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_("Only your office and the offices holding it may read it; not those above."),
    )
    attachments = MultipleFileField(label=_("Attachments (PDF or image)"), required=False)

    def __init__(
        self,
        *args: Any,
        sender: Unit,
        reply_to: Letter | None = None,
        reply_targets: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed: QuerySet[Unit]
        if reply_to is not None:
            allowed = Unit.objects.filter(pk__in=reply_targets or [])
            self.set_units(allowed, allowed, sender)
            del self.fields["to_code"]
            self.initial.setdefault("to_unit", reply_to.sender_id)
            self.initial.setdefault("subject", _reply_subject(reply_to.subject))
            if reply_to.confidential:
                self.fields["confidential"].disabled = True
                self.initial["confidential"] = True
        else:
            allowed = queries.routable_units(sender)
            # Ancestors are shallower, so one depth bound lists them and two levels below.
            listed = allowed.filter(depth__lte=sender.depth + LISTED_DEPTH)
            self.set_units(allowed, listed, sender)


def _reply_subject(subject: str) -> str:
    prefix = str(_("Re:"))
    return subject if subject.startswith(prefix) else f"{prefix} {subject}"[:200]


class ForwardForm(UnitPicker):
    note = forms.CharField(
        label=_("Note for that office"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, holder: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = Unit.objects.subtree(holder).exclude(pk=holder.pk).filter(is_active=True)
        self.set_units(allowed, allowed.filter(depth__lte=holder.depth + LISTED_DEPTH), holder)
        self.fields["to_unit"].label = _("Forward to")


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is closed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RegisterFilter(forms.Form):
    """The registers' year and month; both optional, a month needs its year."""

    MONTHS = [
        (1, _("January")),
        (2, _("February")),
        (3, _("March")),
        (4, _("April")),
        (5, _("May")),
        (6, _("June")),
        (7, _("July")),
        (8, _("August")),
        (9, _("September")),
        (10, _("October")),
        (11, _("November")),
        (12, _("December")),
    ]

    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Every month")), *MONTHS],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("month") and not data.get("year"):
            self.add_error("year", _("Choose the year of that month."))
        return data
