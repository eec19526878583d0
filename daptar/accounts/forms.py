from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from daptar.accounts import actions
from daptar.accounts.queries import client_ip
from daptar.lib.numerals import localise_digits, to_ascii_digits
from daptar.lib.phones import normalise_phone


def lockout_message(minutes: int) -> str:
    return ngettext(
        "Too many failed attempts. Try again in %(minutes)s minute.",
        "Too many failed attempts. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": localise_digits(minutes, get_language() or "bn")}


def codes_limit_message(minutes: int) -> str:
    return ngettext(
        "Too many codes asked for. Try again in %(minutes)s minute.",
        "Too many codes asked for. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": localise_digits(minutes, get_language() or "bn")}


class LoginForm(AuthenticationForm):
    """Django's login form, throttled per account and per address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        if minutes := actions.login_lockout_minutes(username, ip):
            raise forms.ValidationError(lockout_message(minutes), code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            actions.note_login_failure(username, ip)
            raise


class CodeForm(forms.Form):
    """A one-time code: six digits (Bengali or ASCII) or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return to_ascii_digits(self.cleaned_data["code"]).strip().replace(" ", "").lower()


class PhoneForm(forms.Form):
    """A Bangladeshi mobile number in any written form; cleaned to +8801XXXXXXXXX."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])
