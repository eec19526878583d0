"""Writes of the website app: moving the public site's generation on."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from daptar.website.models import Generation


def site_changed() -> None:
    """Something a public page shows changed: every cached public page is now stale.

    Called inside the caller's transaction, so the new number becomes visible exactly
    when the change does: a page rendered from the old data is stored under the old
    number, which no request asks for any more.
    """
    with transaction.atomic():
        now = timezone.now()
        if not Generation.objects.filter(pk=1).update(number=F("number") + 1, updated_at=now):
            Generation.objects.get_or_create(pk=1, defaults={"number": 2})
