"""Writes about accounts: login throttling, the acting unit, passwords, API tokens,
sessions, second factors and phone verification. Each one is audited."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import time
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from daptar.accounts import codes, limits
from daptar.accounts.models import ApiToken, SignIn, SMSDevice
from daptar.accounts.queries import CACHE_KEY, SESSION_KEY, client_ip
from daptar.audit.actions import record
from daptar.lib.numerals import to_ascii_digits
from daptar.people import actions as people_actions

SEEN_KEY = "daptar_seen"

if TYPE_CHECKING:
    from daptar.accounts.models import Desk, User


def _keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    return [
        (f"login-fail:user:{username.lower()}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"login-fail:ip:{ip or '-'}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_lockout_minutes(username: str, ip: str | None) -> int:
    """Minutes until this account or address may try again; 0 when it may now."""
    return limits.wait_minutes(_keys(username, ip), settings.LOGIN_LOCKOUT_MINUTES)


def note_login_failure(
    username: str, ip: str | None, *, detail: dict[str, str] | None = None
) -> None:
    """Count a failed login against both the account and the address."""
    limits.hit([key for key, _limit in _keys(username, ip)], settings.LOGIN_LOCKOUT_MINUTES)
    record("auth.login_failed", by=None, detail=detail or {"username": username[:150]})


def note_login_success(user: User, ip: str | None, *, method: str = "password") -> None:
    limits.clear(_keys(user.username, ip)[0][0])
    record(
        "auth.login", by=user, obj=user, detail={"method": method} if method != "password" else None
    )


def switch_unit(request: HttpRequest, unit_id: str, *, by: User) -> Desk:
    """Make *unit_id* the acting unit of the session; 404 unless the user has a desk there."""
    desk = by.desk_for(unit_id)
    if desk is None:
        raise Http404(_("You have no desk at that unit."))
    request.session[SESSION_KEY] = desk.unit.pk
    request.__dict__.pop(CACHE_KEY, None)
    record("auth.switch_unit", by=by, obj=desk.unit, unit=desk.unit)
    return desk


def change_password(user: User, new_password: str, *, by: User) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record("auth.password_changed", by=by, obj=user)


def issue_token(user: User, *, by: User) -> ApiToken:
    """The user's live API token, created when there is none (or the last one expired)."""
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.filter(user=user, expires_at__gt=now).first()
        if token is None:
            token = ApiToken.objects.create(
                user=user,
                key=secrets.token_hex(20),
                # Set now so the first requests cost no write (the API's query budgets);
                # the page tells "never used" from a last use at the creation moment.
                last_used_at=now,
                expires_at=now + datetime.timedelta(days=settings.DAPTAR_API_TOKEN_DAYS),
            )
            record("auth.token_issued", by=by, obj=user, detail={"token": token.pk})
    return token


def revoke_token(user: User, *, by: User, token_id: int | None = None) -> bool:
    """Delete one of the user's API tokens (all when *token_id* is None); 401 from then on."""
    with transaction.atomic():
        rows = ApiToken.objects.filter(user=user)
        if token_id is not None:
            rows = rows.filter(pk=token_id)
        ids = list(rows.values_list("pk", flat=True))
        deleted, _rows = rows.delete()
        if deleted:
            record("auth.token_revoked", by=by, obj=user, detail={"tokens": ids})
    return bool(deleted)


# --- sign-ins: the sessions a user has open ---------------------------------------------


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def start_sign_in(request: HttpRequest, user: User, method: str) -> SignIn | None:
    """Note the session just opened for *user* (called on every login)."""
    key = request.session.session_key
    if not key:
        return None
    request.session[SEEN_KEY] = int(time.time())
    # The list keeps what it shows: rows of ended or long-expired sessions go.
    stale = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    SignIn.objects.filter(user=user).filter(
        Q(ended_at__lt=stale) | Q(last_seen_at__lt=stale)
    ).delete()
    return SignIn.objects.update_or_create(
        key_hash=key_hash(key),
        defaults={
            "user": user,
            "key_prefix": key[:8],
            "method": method,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip": client_ip(request),
            "last_seen_at": timezone.now(),
            "ended_at": None,
        },
    )[0]


def touch_sign_in(request: HttpRequest, user: User) -> bool:
    """Note the session is in use (at most once a minute); False when it was signed out."""
    key = request.session.session_key
    request.session[SEEN_KEY] = int(time.time())
    if not key:
        return True
    row = SignIn.objects.filter(key_hash=key_hash(key)).first()
    if row is None:  # a session older than the list: start its row now
        start_sign_in(request, user, "password")
        return True
    if row.ended_at is not None or row.user_id != user.pk:
        return False
    SignIn.objects.filter(pk=row.pk).update(last_seen_at=timezone.now(), ip=client_ip(request))
    return True


def end_sign_in(request: HttpRequest) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignIn.objects.filter(key_hash=key_hash(key)).update(ended_at=timezone.now())


def sign_out(user: User, *, by: User, sign_in_ids: list[int] | None = None, keep: str = "") -> int:
    """End the user's sessions (these ones, or all but the session *keep*); returns how many."""
    rows = SignIn.objects.filter(user=user, ended_at__isnull=True)
    if sign_in_ids is not None:
        rows = rows.filter(pk__in=sign_in_ids)
    if keep:
        rows = rows.exclude(key_hash=key_hash(keep))
    ended = list(rows)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        for row in ended:
            for candidate in _sessions_starting(row.key_prefix):
                if hmac.compare_digest(key_hash(candidate), row.key_hash):
                    store(session_key=candidate).delete()
        SignIn.objects.filter(pk__in=[row.pk for row in ended]).update(ended_at=timezone.now())
        if ended:
            verb = (
                "auth.signed_out_one" if sign_in_ids is not None else "auth.signed_out_everywhere"
            )
            record(verb, by=by, obj=user, detail={"sessions": len(ended)})
    return len(ended)


def _sessions_starting(prefix: str) -> list[str]:
    """Session keys in the database session store beginning with *prefix*.

    Other session engines keep no table to search: their sessions end at their next
    request instead, when the middleware finds the row ended.
    """
    from django.contrib.sessions.models import Session

    if not settings.SESSION_ENGINE.endswith(("sessions.backends.db", "cached_db")):
        return []
    return list(
        Session.objects.filter(session_key__startswith=prefix).values_list("session_key", flat=True)
    )


# --- second factors ---------------------------------------------------------------------


def start_totp(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for *user*; an older unconfirmed one is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)


def confirm_totp(device: TOTPDevice, code: str, *, by: User) -> bool:
    """Confirm the authenticator once it shows it makes the right codes."""
    if device.confirmed or not device.verify_token(to_ascii_digits(code).strip()):
        record("auth.2fa_failed", by=by, obj=by, detail={"device": "totp", "step": "enrol"})
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("auth.2fa_added", by=by, obj=by, detail={"device": "totp"})
    return True


def add_sms_device(user: User, *, by: User) -> SMSDevice:
    """SMS to the verified phone as a second factor (the phone was proved when verified)."""
    if not codes.verified_phone(user):
        raise ValidationError(_("Verify your phone number first."))
    with transaction.atomic():
        device, created = SMSDevice.objects.get_or_create(
            user=user, defaults={"name": "SMS", "confirmed": True}
        )
        if created:
            record("auth.2fa_added", by=by, obj=by, detail={"device": "sms"})
    return device


def remove_device(user: User, device: Device, *, by: User) -> None:
    """Remove a second factor; not the last one of a user who must have one."""
    if device.user_id != user.pk:
        raise Http404
    from daptar.accounts import twofactor

    others = [d for d in twofactor.devices(user) if d.persistent_id != device.persistent_id]
    if twofactor.required(user) and not [d for d in others if not isinstance(d, StaticDevice)]:
        raise ValidationError(
            _("Your desk needs a second factor: add another before removing this one.")
        )
    with transaction.atomic():
        kind = device._meta.model_name
        device.delete()
        record("auth.2fa_removed", by=by, obj=by, detail={"device": kind})


def new_recovery_codes(user: User, *, by: User) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working); shown to the user once."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": str(_("Recovery codes")), "confirmed": True}
        )
        device.token_set.all().delete()
        tokens = [StaticToken.random_token() for _n in range(settings.DAPTAR_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
        record("auth.recovery_codes_generated", by=by, obj=by)
    return tokens


def note_second_factor(user: User, device: Device | None, *, step: str = "sign-in") -> None:
    """Record a second-factor try: the device that accepted it, or a failure."""
    if device is None:
        limits.hit([f"2fa-fail:user:{user.pk}"], settings.LOGIN_LOCKOUT_MINUTES)
        record("auth.2fa_failed", by=user, obj=user, detail={"step": step})
    else:
        limits.clear(f"2fa-fail:user:{user.pk}")
        record(
            "auth.2fa_verified",
            by=user,
            obj=user,
            detail={"device": device._meta.model_name, "step": step},
        )


def second_factor_lockout_minutes(user: User) -> int:
    return limits.wait_minutes(
        [(f"2fa-fail:user:{user.pk}", settings.LOGIN_FAILURES_PER_ACCOUNT)],
        settings.LOGIN_LOCKOUT_MINUTES,
    )


# --- phones -----------------------------------------------------------------------------


def user_for_phone(phone: str) -> User | None:
    """The one active user whose person has verified *phone*; None if none or several."""
    from daptar.accounts.models import User

    users = list(
        User.objects.filter(
            is_active=True, person__phone=phone, person__phone_verified_at__isnull=False
        )[:2]
    )
    return users[0] if len(users) == 1 else None


def verify_phone(user: User, code: str, *, by: User) -> bool:
    """Mark the user's phone verified when *code* is the one just sent to it."""
    person = user.person
    if person is None or not person.phone:
        return False
    if codes.check(codes.Purpose.VERIFY, person.phone, code, user=user) is None:
        record("auth.phone_verify_failed", by=by, obj=user)
        return False
    people_actions.mark_phone_verified(person, by=by)
    return True
