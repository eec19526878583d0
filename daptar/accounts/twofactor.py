"""Who owes a second factor, and what the session has proved so far.

The session keeps one word about it, set at sign-in and whenever a factor is proved:
"ok" (nothing owed, or proved), "verify" (the user has a device and must use it) or
"enrol" (the user must have a device and has none). The gate middleware reads only
that word, so pages cost no extra query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

if TYPE_CHECKING:
    from daptar.accounts.models import User

STATE_KEY = "daptar_2fa"
METHOD_KEY = "daptar_signed_in_with"
OK, VERIFY, ENROL = "ok", "verify", "enrol"


def required(user: User) -> bool:
    """Must *user* use a second factor? Staff and desks at the configured levels must."""
    levels = settings.DAPTAR_2FA_REQUIRED_LEVELS
    if not levels:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(desk.unit.level.slug in levels for desk in user.desks)


def devices(user: User, *, for_sign_in_by: str = "password") -> list[Device]:
    """The user's confirmed devices; after sign-in by phone, SMS is no second factor."""
    found = list(devices_for_user(user, confirmed=True))
    if for_sign_in_by == "phone":
        found = [d for d in found if d._meta.model_name != "smsdevice"]
    return found


def has_factor(user: User) -> bool:
    """Has the user a second factor of their own? Recovery codes alone are not one."""
    return any(not isinstance(d, StaticDevice) for d in devices_for_user(user, confirmed=True))


def state_for(request: HttpRequest, user: User) -> str:
    if request.session.get(DEVICE_ID_SESSION_KEY):
        return OK
    if has_factor(user):
        return VERIFY
    return ENROL if required(user) else OK


def refresh(request: HttpRequest, user: User) -> str:
    state = state_for(request, user)
    request.session[STATE_KEY] = state
    return state


def mark_verified(request: HttpRequest, device: Device) -> None:
    """The session has proved *device*: django-otp remembers it, the gate lets the user on."""
    otp_login(request, device)
    request.session[STATE_KEY] = OK
