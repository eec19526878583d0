"""Shared by the sign-in tests: the SMS gateway stand-in and codes for the cast's devices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from daptar.accounts.models import User


class Outbox:
    """Every SMS the code machinery handed the gateway: (phone, text)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))

    def last_code(self, phone: str | None = None) -> str:
        for to, text in reversed(self.sent):
            if phone is None or to == phone:
                match = re.search(r"\((\d{6})\)", text)
                assert match, text
                return match.group(1)
        raise AssertionError(f"no SMS to {phone}")


@contextmanager
def sms_gateway() -> Iterator[Outbox]:
    outbox = Outbox()
    with mock.patch("daptar.lib.notify.send_sms", outbox):
        yield outbox


def verify_phone(user: User, phone: str) -> None:
    person = user.person
    assert person is not None
    person.phone = phone
    person.phone_verified_at = timezone.now()
    person.save(update_fields=["phone", "phone_verified_at"])


def add_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def totp_code(device: TOTPDevice, offset: int = 0) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{value:0{device.digits}d}"
