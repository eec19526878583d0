"""The builder's forms: a return's settings, one question, one rule, a review note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from daptar.returns.models import ReturnField, ReturnForm, ReturnRule
from daptar.units.models import Level, Unit

# The target list shows the issuer and two levels below it; deeper targets by code.
LISTED_DEPTH = 2


class SettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_unit = forms.ModelChoiceField(
        label=pgettext_lazy("letter", "To"), queryset=Unit.objects.none(), required=False
    )
    target_code = forms.CharField(
        label=_("…or a unit code"),
        required=False,
        help_text=_("For a unit deeper down, e.g. UN-2513 for a union."),
    )
    target_levels = forms.ModelMultipleChoiceField(
        label=_("Levels"),
        queryset=Level.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every level."),
    )
    schedule = forms.ChoiceField(
        label=_("Schedule"), choices=ReturnForm.Schedule.choices, widget=forms.RadioSelect
    )
    due_at = forms.DateTimeField(
        label=_("Due (one-off return)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    timely_days = forms.IntegerField(
        label=_("Days after each period to send it (monthly, quarterly, yearly)"),
        min_value=0,
        max_value=366,
        initial=10,
    )
    lock_after_days = forms.IntegerField(
        label=_("Lock this many days after the due time"),
        min_value=0,
        max_value=366,
        required=False,
        help_text=_("Empty: never locks. After the lock only the office above can reopen it."),
    )

    def __init__(self, *args: Any, issuing_unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issuing_unit = issuing_unit
        subtree = Unit.objects.subtree(issuing_unit).filter(is_active=True)
        target = self.fields["target_unit"]
        target.queryset = subtree  # type: ignore[attr-defined]
        listed = subtree.filter(depth__lte=issuing_unit.depth + LISTED_DEPTH).select_related(
            "level"
        )
        target.widget.choices = [
            (u.pk, ("— " * (u.depth - issuing_unit.depth)) + f"{u.name} ({u.level.name})")
            for u in listed.order_by("path")
        ]
        self.fields["target_levels"].queryset = Level.objects.filter(  # type: ignore[attr-defined]
            rank__gt=issuing_unit.level.rank
        )
        if not self.is_bound:
            self.initial.setdefault("target_unit", issuing_unit.pk)
            self.initial.setdefault("schedule", ReturnForm.Schedule.ONCE)

    @classmethod
    def initial_from(cls, form: ReturnForm) -> dict[str, Any]:
        return {
            "title": form.title,
            "description": form.description,
            "target_unit": form.target_unit_id,
            "target_levels": list(form.target_levels.all()),
            "schedule": form.schedule,
            "due_at": form.due_at,
            "timely_days": form.timely_days,
            "lock_after_days": form.lock_after_days,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("target_code") or "").strip()
        if code:
            unit = Unit.objects.subtree(self.issuing_unit).filter(code__iexact=code).first()
            if unit is None:
                self.add_error("target_code", _("No unit with this code in your subtree."))
            else:
                data["target_unit"] = unit
        elif not data.get("target_unit"):
            self.add_error("target_unit", _("Choose who the return is for."))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "target_unit": data["target_unit"],
            "target_levels": list(data["target_levels"]),
            "schedule": data["schedule"],
            "due_at": data["due_at"],
            "timely_days": data["timely_days"] if data["timely_days"] is not None else 10,
            "lock_after_days": data["lock_after_days"],
        }


class FieldForm(forms.Form):
    """One question, as the builder's "add a field" form takes it."""

    label_bn = forms.CharField(label=_("Label (Bengali)"), max_length=200)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_("Small English letters, digits and _, e.g. members_female."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=ReturnField.Type.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    min = forms.CharField(label=_("Minimum"), required=False, max_length=30)
    max = forms.CharField(label=_("Maximum"), required=False, max_length=30)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: value | Bengali | English (for a choice field)."),
    )
    help_bn = forms.CharField(label=_("Help (Bengali)"), required=False, max_length=300)
    help_en = forms.CharField(label=_("Help (English)"), required=False, max_length=300)

    def spec(self) -> dict[str, Any]:
        """What add_field takes: the choices' lines made into objects."""
        data = dict(self.cleaned_data)
        choices = []
        for line in (data.pop("choices") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            value = parts[0]
            label_bn = parts[1] if len(parts) > 1 and parts[1] else value
            label_en = parts[2] if len(parts) > 2 and parts[2] else label_bn
            choices.append({"value": value, "label_bn": label_bn, "label_en": label_en})
        data["choices"] = choices
        return data


class RuleForm(forms.Form):
    left = forms.CharField(label=_("Left side"), max_length=300, help_text=_("e.g. women + men"))
    op = forms.ChoiceField(label=_("Comparison"), choices=ReturnRule.Op.choices)
    right = forms.CharField(label=_("Right side"), max_length=300, help_text=_("e.g. total"))
    message_bn = forms.CharField(label=_("Message (Bengali)"), max_length=300)
    message_en = forms.CharField(label=_("Message (English)"), max_length=300)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
