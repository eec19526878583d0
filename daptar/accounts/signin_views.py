"""Pages of signing in beyond the password: the second factor, its enrolment, sign-in by
phone, phone verification, and the profile page's security sections."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from daptar.accounts import actions, codes, twofactor
from daptar.accounts.forms import CodeForm, PhoneForm, codes_limit_message, lockout_message
from daptar.accounts.models import ApiToken, SignIn, SMSDevice
from daptar.accounts.queries import client_ip
from daptar.accounts.receivers import METHOD_ATTR
from daptar.lib.requests import AuthedRequest
from daptar.lib.useragents import describe

PENDING_TOTP = "daptar_totp_pending"
PHONE_KEY = "daptar_phone_sign_in"


def _wrong_code() -> str:
    return _("That code is wrong or has expired.")


def _next(request: HttpRequest, default: str = "units:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


def _masked(phone: str) -> str:
    return f"{phone[:-6]}••••{phone[-2:]}" if len(phone) > 8 else "••••"


def after_sign_in(request: HttpRequest, target: str) -> HttpResponse:
    """Where a fresh sign-in goes: on, or first to the second factor it owes."""
    state = request.session.get(twofactor.STATE_KEY, twofactor.OK)
    if state == twofactor.OK:
        return redirect(target)
    step = "accounts:second_factor" if state == twofactor.VERIFY else "accounts:enrol"
    return redirect(f"{reverse(step)}?{_query(target)}")


def _query(target: str) -> str:
    return urlencode({"next": target})


# --- the second-factor step ---------------------------------------------------------------


def match_device(devices: list[Device], code: str) -> Device | None:
    """The device that accepts *code*: SMS first (no live code costs it nothing), then the
    authenticator, then a recovery code. Each check is under its row's lock."""
    order = {"smsdevice": 0, "totpdevice": 1, "staticdevice": 2}
    for device in sorted(devices, key=lambda d: order.get(d._meta.model_name or "", 3)):
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, _why = locked.verify_is_allowed()
            if allowed and locked.verify_token(code):
                return locked
    return None


@login_required
def second_factor(request: AuthedRequest) -> HttpResponse:
    target = _next(request)
    state = request.session.get(twofactor.STATE_KEY)
    if state == twofactor.ENROL:
        return redirect(f"{reverse('accounts:enrol')}?{_query(target)}")
    if state != twofactor.VERIFY:
        return redirect(target)
    user = request.user
    method = request.session.get(twofactor.METHOD_KEY, "password")
    devices = twofactor.devices(user, for_sign_in_by=method)
    sms = next((d for d in devices if isinstance(d, SMSDevice)), None)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "sms" and sms is not None:
        try:
            codes.count_request(codes.verified_phone(user), client_ip(request))
        except codes.TooManyCodes as limited:
            messages.error(request, codes_limit_message(limited.minutes))
        else:
            sms.generate_challenge()
            messages.info(request, _("A code is on its way by SMS."))
        return redirect(request.get_full_path())
    if request.method == "POST" and form.is_valid():
        if minutes := actions.second_factor_lockout_minutes(user):
            form.add_error(None, lockout_message(minutes))
        else:
            device = match_device(devices, form.cleaned_data["code"])
            actions.note_second_factor(user, device)
            if device is not None:
                twofactor.mark_verified(request, device)
                return redirect(target)
            form.add_error("code", _wrong_code())
    kinds = {d._meta.model_name for d in devices}
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "next": target,
            "kinds": kinds,
            "phone": _masked(codes.verified_phone(user)),
        },
    )


# --- enrolment --------------------------------------------------------------------------


@login_required
def enrol(request: AuthedRequest) -> HttpResponse:
    """The ways to add a second factor (the page a user who must have one lands on)."""
    return render(
        request,
        "accounts/enrol.html",
        {
            "next": _next(request, "accounts:profile"),
            "required": twofactor.required(request.user),
            "phone_verified": bool(codes.verified_phone(request.user)),
            "must": request.session.get(twofactor.STATE_KEY) == twofactor.ENROL,
        },
    )


def _recovery_or_on(request: AuthedRequest, target: str) -> HttpResponse:
    """After a first factor: the recovery codes, shown once; else straight on."""
    if StaticDevice.objects.filter(user=request.user, token_set__isnull=False).exists():
        messages.success(request, _("Two-factor sign-in is on."))
        return redirect(target)
    tokens = actions.new_recovery_codes(request.user, by=request.user)
    return render(request, "accounts/recovery_codes.html", {"tokens": tokens, "next": target})


@login_required
def totp_enrol(request: AuthedRequest) -> HttpResponse:
    target = _next(request, "accounts:profile")
    user = request.user
    device = TOTPDevice.objects.filter(
        pk=request.session.get(PENDING_TOTP) or 0, user=user, confirmed=False
    ).first()
    if device is None:
        device = actions.start_totp(user)
        request.session[PENDING_TOTP] = device.pk
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.confirm_totp(device, form.cleaned_data["code"], by=user):
            request.session.pop(PENDING_TOTP, None)
            twofactor.mark_verified(request, device)
            return _recovery_or_on(request, target)
        form.add_error("code", _wrong_code())
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/totp_enrol.html",
        {"form": form, "qr": qr, "secret": secret, "next": target},
    )


@login_required
@require_POST
def sms_enrol(request: AuthedRequest) -> HttpResponse:
    target = _next(request, "accounts:profile")
    try:
        actions.add_sms_device(request.user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('accounts:phone_verify')}?{_query(request.get_full_path())}")
    if request.session.get(twofactor.STATE_KEY) != twofactor.OK:
        # Added, not yet proved: the next page asks for a code sent to the phone.
        twofactor.refresh(request, request.user)
    return _recovery_or_on(request, target)


@login_required
@require_POST
def recovery_codes(request: AuthedRequest) -> HttpResponse:
    if not twofactor.has_factor(request.user):
        messages.error(request, _("Add an authenticator app or SMS first."))
        return redirect("accounts:profile")
    tokens = actions.new_recovery_codes(request.user, by=request.user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"tokens": tokens, "next": reverse("accounts:profile")},
    )


@login_required
@require_POST
def remove_device(request: AuthedRequest) -> HttpResponse:
    device = Device.from_persistent_id(request.POST.get("device", ""))
    if device is None or device.user_id != request.user.pk:
        raise Http404
    try:
        actions.remove_device(request.user, device, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The second factor was removed."))
    return redirect("accounts:profile")


# --- sign-in by phone -------------------------------------------------------------------


def phone_sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for a code by SMS. The answer is the same whether the number is known or not."""
    if request.user.is_authenticated:
        return redirect("units:home")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            codes.count_request(phone, client_ip(request))
        except codes.TooManyCodes as limited:
            form.add_error(None, codes_limit_message(limited.minutes))
        else:
            if user := actions.user_for_phone(phone):
                codes.send(codes.Purpose.SIGN_IN, phone, user=user)
            request.session[PHONE_KEY] = phone
            messages.info(
                request,
                _("If this number is verified for an account, a code is on its way by SMS."),
            )
            return redirect(f"{reverse('accounts:phone_code')}?{_query(_next(request))}")
    return render(request, "accounts/phone_sign_in.html", {"form": form, "next": _next(request)})


def phone_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("accounts:phone_sign_in")
    ip = client_ip(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = f"phone:{phone}"
        if minutes := actions.login_lockout_minutes(account, ip):
            form.add_error(None, lockout_message(minutes))
        else:
            row = codes.check(codes.Purpose.SIGN_IN, phone, form.cleaned_data["code"])
            user = row.user if row is not None else None
            if user is None or actions.user_for_phone(phone) != user:
                actions.note_login_failure(account, ip, detail={"phone": _masked(phone)})
                form.add_error("code", _wrong_code())
            else:
                setattr(request, METHOD_ATTR, "phone")
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                actions.note_login_success(user, ip, method="phone")
                request.session.pop(PHONE_KEY, None)
                return after_sign_in(request, _next(request))
    return render(
        request,
        "accounts/phone_code.html",
        {"form": form, "phone": _masked(phone), "next": _next(request)},
    )


# --- phone verification -----------------------------------------------------------------


@login_required
def phone_verify(request: AuthedRequest) -> HttpResponse:
    target = _next(request, "accounts:profile")
    person = request.user.person
    phone = person.phone if person is not None else ""
    form = CodeForm(request.POST if request.POST.get("action") == "check" else None)
    if request.method == "POST" and phone and request.POST.get("action") == "send":
        try:
            codes.count_request(phone, client_ip(request))
        except codes.TooManyCodes as limited:
            messages.error(request, codes_limit_message(limited.minutes))
        else:
            if codes.send(codes.Purpose.VERIFY, phone, user=request.user):
                messages.info(request, _("A code is on its way by SMS."))
            else:
                messages.error(request, _("The SMS could not be sent. Try again later."))
        return redirect(request.get_full_path())
    if request.method == "POST" and phone and form.is_valid():
        if actions.verify_phone(request.user, form.cleaned_data["code"], by=request.user):
            messages.success(request, _("Your phone number is verified."))
            return redirect(target)
        form.add_error("code", _wrong_code())
    return render(
        request,
        "accounts/phone_verify.html",
        {
            "form": form,
            "phone": phone,
            "verified": bool(person and person.phone_verified_at),
            "next": target,
        },
    )


# --- the profile page -------------------------------------------------------------------


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    current = actions.key_hash(request.session.session_key or "")
    since = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sign_ins = list(
        SignIn.objects.filter(user=user, ended_at__isnull=True, last_seen_at__gte=since)
    )
    for row in sign_ins:
        row.device = describe(row.user_agent) or _("Unknown browser")  # type: ignore[attr-defined]
        row.current = row.key_hash == current  # type: ignore[attr-defined]
    factors = [d for d in twofactor.devices(user) if not isinstance(d, StaticDevice)]
    recovery = StaticDevice.objects.filter(user=user).first()
    person = user.person
    context: dict[str, Any] = {
        "factors": factors,
        "recovery_left": recovery.token_set.count() if recovery else None,
        "required": twofactor.required(user),
        "person": person,
        "sign_ins": sign_ins,
        "tokens": ApiToken.objects.filter(user=user),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def sign_out(request: AuthedRequest) -> HttpResponse:
    """Sign out one other session, or every other one ("sign out everywhere")."""
    keep = request.session.session_key or ""
    if request.POST.get("everywhere"):
        count = actions.sign_out(request.user, by=request.user, keep=keep)
    else:
        try:
            chosen = [int(request.POST.get("sign_in", ""))]
        except ValueError:
            raise Http404 from None
        count = actions.sign_out(request.user, by=request.user, sign_in_ids=chosen, keep=keep)
    if count:
        messages.success(request, _("Signed out."))
    return redirect("accounts:profile")
