from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from daptar.reports.models import Category, Report
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Any number of photos in one field; each is checked by the pipeline in the action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.ModelForm):
    place_code = forms.CharField(
        label=_("Unit code of the place (optional)"),
        required=False,
        max_length=32,
        help_text=_("When the event was at another unit, e.g. UN-2513 for a union."),
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG, PNG, WebP or HEIC. Large photos are made smaller before sending."),
    )
    # A fresh key per blank form: sending the same form twice (a dropped connection,
    # a double tap) finds the first report instead of making a second one.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = Report
        fields = ["category", "title", "event_date", "place", "participants", "body"]
        widgets = {
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 8}),
            "participants": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].queryset = Category.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["category"].empty_label = None  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["idempotency_key"]
            if self.instance.place_unit_id and not self.is_bound:
                self.initial["place_code"] = self.instance.place_unit.code  # type: ignore[union-attr]
        elif not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def clean_place_code(self) -> Unit | None:
        code = self.cleaned_data.get("place_code", "").strip()
        if not code:
            return None
        # A unit outside the author's scope reads exactly like one that does not exist.
        unit = Unit.objects.visible_to(self.user).filter(code__iexact=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has this code."))
        return unit

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "category": data["category"],
            "event_date": data["event_date"],
            "place": data.get("place") or "",
            "place_unit": data.get("place_code"),
            "participants": data.get("participants"),
        }


class PhotosForm(forms.Form):
    photos = MultiplePhotoField(label=_("Add photos"))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
