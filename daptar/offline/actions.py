"""Writes sent under an idempotency key: the first try runs, every later one finds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from daptar.offline.models import SentOnce

if TYPE_CHECKING:
    from daptar.accounts.models import User

KEY_LENGTH = 64


def once[T](action: Callable[[], T], *, by: User, key: str, kind: str) -> tuple[T | None, bool]:
    """Run *action* unless *by* already sent *key*; (its result, True) when it ran now.

    The key is claimed in the same transaction as the action's own writes: when the
    action fails, the claim goes with it and a later try runs again; when two tries
    race, the database's unique key lets one through and the other finds it done.
    A blank key runs the action as any other write.
    """
    key = key.strip()[:KEY_LENGTH]
    if not key:
        return action(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentOnce.objects.create(user=by, key=key, kind=kind)
        except IntegrityError:
            return None, False
        return action(), True
