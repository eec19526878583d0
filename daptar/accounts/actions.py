"""Writes about accounts: login throttling, the acting unit, passwords and API tokens."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from daptar.accounts.queries import CACHE_KEY, SESSION_KEY
from daptar.audit.actions import record

if TYPE_CHECKING:
    from daptar.accounts.models import Desk, User


def _keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    return [
        (f"login-fail:user:{username.lower()}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"login-fail:ip:{ip or '-'}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_lockout_minutes(username: str, ip: str | None) -> int:
    """Minutes until this account or address may try again; 0 when it may now."""
    now = time.time()
    wait = 0.0
    for key, limit in _keys(username, ip):
        count, first = cache.get(key, (0, now))
        if count >= limit:
            wait = max(wait, first + settings.LOGIN_LOCKOUT_MINUTES * 60 - now)
    return math.ceil(wait / 60) if wait > 0 else 0


def note_login_failure(username: str, ip: str | None) -> None:
    """Count a failed login against both the account and the address."""
    now = time.time()
    window = settings.LOGIN_LOCKOUT_MINUTES * 60
    for key, _limit in _keys(username, ip):
        count, first = cache.get(key, (0, now))
        if now - first > window:
            count, first = 0, now
        cache.set(key, (count + 1, first), timeout=window)
    record("auth.login_failed", by=None, detail={"username": username[:150]})


def note_login_success(user: User, ip: str | None) -> None:
    cache.delete(_keys(user.username, ip)[0][0])
    record("auth.login", by=user, obj=user)


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


def issue_token(user: User, *, by: User) -> Token:
    """The user's API token, created on first use; one token per user."""
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=user)
        if created:
            record("auth.token_issued", by=by, obj=user)
    return token


def revoke_token(user: User, *, by: User) -> bool:
    """Delete the user's API token; clients holding it get 401 from then on."""
    with transaction.atomic():
        deleted, _rows = Token.objects.filter(user=user).delete()
        if deleted:
            record("auth.token_revoked", by=by, obj=user)
    return bool(deleted)
