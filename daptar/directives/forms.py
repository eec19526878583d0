from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from daptar.directives.models import Directive
from daptar.units.models import Level, Unit

# The compose page lists the issuer and two levels below it; deeper targets are
# picked by code (a union's or a ward's) in the search box beside the list.
LISTED_DEPTH = 2


class DirectiveForm(forms.ModelForm):
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    target_code = forms.CharField(
        label=_("…or a unit code"),
        required=False,
        help_text=_("For a unit deeper down, e.g. UN-2513 for a union."),
    )

    class Meta:
        model = Directive
        fields = ["title", "body", "priority", "due_at", "target_unit", "target_levels", "mode"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "target_levels": forms.CheckboxSelectMultiple,
            "priority": forms.RadioSelect,
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args: Any, issuing_unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issuing_unit = issuing_unit
        subtree = Unit.objects.subtree(issuing_unit).filter(is_active=True)
        target = self.fields["target_unit"]
        target.queryset = subtree  # type: ignore[attr-defined]
        target.required = False
        listed = subtree.filter(depth__lte=issuing_unit.depth + LISTED_DEPTH).select_related(
            "level"
        )
        target.widget.choices = [
            (u.pk, ("— " * (u.depth - issuing_unit.depth)) + f"{u.name} ({u.level.name})")
            for u in listed.order_by("path")
        ]
        levels = self.fields["target_levels"]
        levels.queryset = Level.objects.filter(rank__gt=issuing_unit.level.rank)  # type: ignore[attr-defined]
        levels.help_text = _("None ticked: every level.")
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("target_unit", issuing_unit.pk)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        code = (data.get("target_code") or "").strip()
        if code:
            unit = Unit.objects.subtree(self.issuing_unit).filter(code__iexact=code).first()
            if unit is None:
                self.add_error("target_code", _("No unit with this code in your subtree."))
            else:
                data["target_unit"] = unit
        elif not data.get("target_unit"):
            self.add_error("target_unit", _("Choose who the directive is for."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("PDF or image"))
