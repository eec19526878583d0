from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from daptar.people.models import Person, Post
from daptar.register.models import Committee


class ProposeForm(forms.Form):
    """A new committee: its kind, when it was formed, and one holder per office-bearer post."""

    kind = forms.ChoiceField(label=_("kind"), choices=Committee.Kind.choices)
    formed_on = forms.DateField(
        label=_("formed on"), initial=timezone.localdate, widget=forms.DateInput({"type": "date"})
    )
    note = forms.CharField(label=_("note"), required=False, max_length=255)

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts = list(Post.objects.filter(is_office_bearer=True).order_by("rank"))
        people = people if people is not None else Person.objects.none()
        for post in self.posts:
            self.fields[f"post_{post.slug}"] = forms.ModelChoiceField(
                label=post.name, queryset=people, required=False
            )

    def seats(self) -> list[tuple[Post, Person | None]]:
        return [(post, self.cleaned_data.get(f"post_{post.slug}")) for post in self.posts]


# The mapping step: which of the sheet's own headers holds each field, when Daptar does not
# know the header (a name column called "সদস্য" or "Member", say).
MAPPED_FIELDS = [
    ("name_bn", _("Name in Bengali")),
    ("name_en", _("Name in English")),
    ("phone", _("Mobile")),
    ("email", _("E-mail")),
    ("national_id", _("National ID")),
    ("post", _("Post")),
    ("gender", _("Gender")),
    ("born_on", _("Date of birth")),
    ("address", _("Address")),
    ("since", _("Holding the post since")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX or CSV file"),
        widget=forms.ClearableFileInput({"accept": ".xlsx,.csv"}),
    )
    post = forms.ModelChoiceField(
        label=_("post of everyone in the list, unless a column names it"),
        queryset=Post.objects.order_by("rank"),
        to_field_name="slug",
        required=False,
        empty_label=None,
        initial="member",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in MAPPED_FIELDS:
            self.fields[f"column_{name}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                help_text=_("the header of the sheet's column, as written there"),
            )

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{name}"] for name, _label in MAPPED_FIELDS]

    def upload_fields(self) -> list[forms.BoundField]:
        return [self["file"], self["post"]]

    def mapping(self) -> dict[str, str]:
        """{sheet header: field} for every column the user named."""
        return {
            header: name
            for name, _label in MAPPED_FIELDS
            if (header := self.cleaned_data.get(f"column_{name}", "").strip())
        }
