from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from daptar.reports.models import Category
from daptar.social.models import SocialChannel
from daptar.units.models import Unit


class ChannelForm(forms.ModelForm):
    """A channel's settings; the token field is empty on every page and kept when left so."""

    token = forms.CharField(
        label=_("Access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Facebook: the Page access token. Telegram: the bot's token (empty: the "
            "organisation's bot). X: the account's OAuth 2.0 user token. Never shown again."
        ),
    )

    class Meta:
        model = SocialChannel
        fields = [
            "unit",
            "kind",
            "name",
            "target",
            "reach",
            "categories",
            "needs_review",
            "language",
            "hashtags",
        ]
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = units if units is not None else Unit.objects.none()
        categories: Any = self.fields["categories"]
        categories.queryset = Category.objects.filter(is_active=True)
        if self.instance.pk:
            self.fields["unit"].disabled = True
            self.fields["kind"].disabled = True

    def secrets(self) -> dict[str, str]:
        token = self.cleaned_data.get("token", "").strip()
        if not token:
            return {}
        kind = self.cleaned_data.get("kind") or self.instance.kind
        key = "bot_token" if kind == SocialChannel.Kind.TELEGRAM else "access_token"
        return {key: token}
