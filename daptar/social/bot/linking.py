"""Linking a Telegram account to a Daptar user: a one-time code, or a shared contact whose
number is a verified phone of a current office bearer."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from daptar.audit.actions import record
from daptar.lib.phones import normalise_phone
from daptar.social.models import LinkCode, TelegramLink

if TYPE_CHECKING:
    from daptar.accounts.models import User

CODE_LIFETIME = datetime.timedelta(hours=1)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a screen


def new_code(user: User, *, by: User) -> LinkCode:
    """A fresh code for *user* (replacing any earlier one), good for an hour."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    with transaction.atomic():
        LinkCode.objects.filter(user=user).delete()
        made = LinkCode.objects.create(
            user=user, code=code, expires_at=timezone.now() + CODE_LIFETIME
        )
        record("social.telegram_code", by=by, obj=user)
    return made


def current_code(user: User) -> LinkCode | None:
    return LinkCode.objects.filter(user=user, expires_at__gt=timezone.now()).first()


def _link(user: User, telegram_id: int, chat_id: int, how: str) -> TelegramLink:
    with transaction.atomic():
        TelegramLink.objects.filter(telegram_id=telegram_id).exclude(user=user).delete()
        link, _created = TelegramLink.objects.update_or_create(
            user=user, defaults={"telegram_id": telegram_id, "chat_id": chat_id}
        )
        record("social.telegram_linked", by=user, obj=user, detail={"how": how})
    return link


def link_by_code(code: str, telegram_id: int, chat_id: int) -> TelegramLink | None:
    """The account that sent a valid code becomes the code's user's; None for a bad code."""
    found = (
        LinkCode.objects.select_related("user")
        .filter(code=code.strip().upper(), expires_at__gt=timezone.now())
        .first()
    )
    if found is None:
        return None
    try:
        link = _link(found.user, telegram_id, chat_id, "code")
    except IntegrityError:
        return None
    LinkCode.objects.filter(pk=found.pk).delete()
    return link


def link_by_contact(phone: str, telegram_id: int, chat_id: int) -> TelegramLink | None:
    """The sender's own contact, matching one verified phone of a person with a login."""
    from daptar.accounts.models import User

    try:
        number = normalise_phone(phone if phone.startswith("+") else f"+{phone}")
    except ValidationError:
        return None
    users = list(
        User.objects.filter(
            is_active=True, person__phone=number, person__phone_verified_at__isnull=False
        )[:2]
    )
    if len(users) != 1:  # nobody, or a number two people share: the code is the way then
        return None
    return _link(users[0], telegram_id, chat_id, "contact")


def unlink(user: User, *, by: User) -> None:
    with transaction.atomic():
        if TelegramLink.objects.filter(user=user).delete()[0]:
            record("social.telegram_unlinked", by=by, obj=user)
