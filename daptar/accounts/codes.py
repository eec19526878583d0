"""One-time codes by SMS: issue, send through the SMS gateway, check.

A code is six digits, kept only as an HMAC keyed with SECRET_KEY (with its purpose and
number, so a code for one thing never opens another), short-lived, single-use, and dead
after a few wrong tries. Sending is limited per number and per client address.

The gateway is called directly rather than through the outbox: a code is useless by the
time a retry would send it, and the outbox would keep its text in the database.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop, override

from daptar.accounts import limits
from daptar.lib import notify
from daptar.lib.numerals import localise_digits, to_ascii_digits

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

logger = logging.getLogger("daptar.accounts.codes")


class Purpose(models.TextChoices):
    SIGN_IN = "sign_in", _lazy("sign-in by phone")
    VERIFY = "verify", _lazy("phone verification")
    SECOND_FACTOR = "2fa", _lazy("second factor")


def _rows() -> Any:
    """The codes' table (by name: the accounts models are built on this module)."""
    return apps.get_model("accounts", "OneTimeCode").objects


class TooManyCodes(Exception):
    """This number or address has asked for too many codes; wait *minutes*."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


def _digest(purpose: str, phone: str, code: str) -> str:
    message = f"{purpose}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _send_counters(phone: str, ip: str | None) -> list[tuple[str, int]]:
    return [
        (f"sms-code:number:{phone}", settings.DAPTAR_SMS_CODES_PER_NUMBER),
        (f"sms-code:ip:{ip or '-'}", settings.DAPTAR_SMS_CODES_PER_ADDRESS),
    ]


def send_wait_minutes(phone: str, ip: str | None) -> int:
    """Minutes until another code may be sent to *phone* or asked for from *ip*."""
    return limits.wait_minutes(_send_counters(phone, ip), settings.DAPTAR_SMS_CODE_WINDOW_MINUTES)


def count_request(phone: str, ip: str | None) -> None:
    """Count a request for a code (sent or not: a number's existence must not show)."""
    counters = _send_counters(phone, ip)
    if minutes := limits.wait_minutes(counters, settings.DAPTAR_SMS_CODE_WINDOW_MINUTES):
        raise TooManyCodes(minutes)
    limits.hit([key for key, _limit in counters], settings.DAPTAR_SMS_CODE_WINDOW_MINUTES)


def issue(purpose: str, phone: str, *, user: User | None) -> str:
    """A new code for (purpose, phone); earlier unused ones for the same stop working."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        _rows().filter(created_at__lt=now - datetime.timedelta(days=1)).delete()
        _rows().filter(purpose=purpose, phone=phone, used_at__isnull=True).update(used_at=now)
        _rows().create(
            purpose=purpose,
            phone=phone,
            user=user,
            code_hash=_digest(purpose, phone, code),
            expires_at=now + datetime.timedelta(minutes=settings.DAPTAR_SMS_CODE_MINUTES),
        )
    return code


def send(purpose: str, phone: str, *, user: User | None) -> bool:
    """Issue a code and text it, in Bengali with its English; False when the gateway failed."""
    code = issue(purpose, phone, user=user)
    minutes = settings.DAPTAR_SMS_CODE_MINUTES
    texts = {  # sent in Bengali, the language of the field
        Purpose.SIGN_IN: gettext_noop(
            "Your Daptar sign-in code is %(code)s. It works for %(minutes)s minutes."
        ),
        Purpose.VERIFY: gettext_noop("Your Daptar phone verification code is %(code)s."),
        Purpose.SECOND_FACTOR: gettext_noop(
            "Your Daptar sign-in code is %(code)s. It works for %(minutes)s minutes."
        ),
    }
    with override("bn"):
        text = _(texts[Purpose(purpose)]) % {
            "code": localise_digits(code, "bn"),
            "minutes": localise_digits(minutes, "bn"),
        }
    text = f"{text} ({code})"  # ASCII digits too, for phones without Bengali fonts
    try:
        notify.send_sms(phone, text)
    except notify.SendError:
        logger.warning("one-time code to %s could not be sent", phone[:-4] + "****")
        return False
    return True


def check(purpose: str, phone: str, code: str, *, user: User | None = None) -> Any:
    """Use the newest live code for (purpose, phone) if *code* matches it; None otherwise.

    A wrong try counts against the code; once it has had its attempts, or expired, or
    been used, nothing matches it.
    """
    typed = to_ascii_digits(code or "").strip().replace(" ", "")
    rows = _rows().filter(purpose=purpose, phone=phone, used_at__isnull=True)
    if user is not None:
        rows = rows.filter(user=user)
    row = rows.order_by("-created_at", "-pk").first()
    if row is None or row.expires_at <= timezone.now():
        return None
    if row.attempts >= settings.DAPTAR_SMS_CODE_ATTEMPTS:
        return None
    if not hmac.compare_digest(row.code_hash, _digest(purpose, phone, typed)):
        _rows().filter(pk=row.pk).update(attempts=F("attempts") + 1)
        return None
    # Single use even when two requests race with the same code: only one update wins.
    won = _rows().filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
    return row if won else None


def verified_phone(user: User) -> str:
    """The user's phone if their person has proved it, else ""."""
    person = getattr(user, "person", None)  # a login without a person has no phone
    if person is None or not person.phone or person.phone_verified_at is None:
        return ""
    return person.phone


def send_second_factor(user: User) -> bool:
    phone = verified_phone(user)
    if not phone:
        return False
    return send(Purpose.SECOND_FACTOR, phone, user=user)


def check_second_factor(user: User, code: str) -> bool:
    phone = verified_phone(user)
    return bool(phone) and check(Purpose.SECOND_FACTOR, phone, code, user=user) is not None
