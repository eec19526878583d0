"""Reads of letters that are more than a filter: registers, pending lists, threads."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from daptar.letters.models import Letter, Receipt
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


def get_visible_letter(user: User, letter_id: int | str) -> Letter:
    """The letter if *user* may read it; 404 when missing or out of scope."""
    try:
        pk = int(letter_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        Letter.objects.visible_to(user).select_related("sender", "recipient", "author"), pk=pk
    )


def holding(letter: Letter, unit: Unit | None) -> Receipt | None:
    """*unit*'s receipt of *letter*, when the letter has come to that office."""
    if unit is None:
        return None
    return (
        Receipt.objects.filter(letter=letter, unit=unit)
        .select_related("via", "forwarded_from__unit")
        .first()
    )


def thread(letter: Letter, user: User) -> QuerySet[Letter]:
    """The letters of *letter*'s thread that *user* may read, oldest first."""
    return (
        Letter.objects.visible_to(user)
        .filter(thread_id=letter.thread_id)
        .select_related("sender", "recipient")
        .prefetch_related("attachments")
        .order_by("sent_at", "pk")
    )


def movements(letter: Letter) -> QuerySet[Receipt]:
    """Where the letter went and what each office did with it, in order."""
    return (
        Receipt.objects.filter(letter=letter)
        .select_related("unit", "via")
        .order_by("received_at", "pk")
    )


def month_bounds(
    year: int | None, month: int | None
) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The instants a register's year (or month of a year) starts and ends, in local time.

    Ranges rather than __year/__month lookups, so the register's index is used.
    """
    if year is None:
        return None
    if month is None:
        start, end = datetime.datetime(year, 1, 1), datetime.datetime(year + 1, 1, 1)
    else:
        start = datetime.datetime(year, month, 1)
        end = datetime.datetime(year + (month == 12), month % 12 + 1, 1)
    return timezone.make_aware(start), timezone.make_aware(end)


def inward(unit: Unit, *, year: int | None = None, month: int | None = None) -> QuerySet[Receipt]:
    """The unit's inward register: every letter that came to it, newest first."""
    rows = Receipt.objects.filter(unit=unit)
    if bounds := month_bounds(year, month):
        rows = rows.filter(received_at__gte=bounds[0], received_at__lt=bounds[1])
    return rows.select_related("letter__sender", "via").order_by("-received_at", "-pk")


def outward(unit: Unit, *, year: int | None = None, month: int | None = None) -> QuerySet[Letter]:
    """The unit's outward register: every letter it sent, newest first, with where it stands."""
    rows = Letter.objects.filter(sender=unit)
    if bounds := month_bounds(year, month):
        rows = rows.filter(sent_at__gte=bounds[0], sent_at__lt=bounds[1])
    first_receipt = Receipt.objects.filter(letter=OuterRef("pk"), unit=OuterRef("recipient_id"))
    return (
        rows.select_related("recipient")
        .annotate(state=Subquery(first_receipt.values("state")[:1]))
        .order_by("-sent_at", "-pk")
    )


def pending_with_us(unit: Unit) -> QuerySet[Receipt]:
    """Letters waiting for this office to answer, forward or close them: oldest first."""
    return (
        Receipt.objects.filter(unit=unit, state=Receipt.State.PENDING)
        .select_related("letter__sender", "via")
        .order_by("received_at", "pk")
    )


def pending_with_others(unit: Unit) -> QuerySet[Receipt]:
    """Letters this office sent or passed on that another office has not yet dealt with."""
    return (
        Receipt.objects.filter(Q(sender=unit) | Q(via=unit), state=Receipt.State.PENDING)
        .exclude(unit=unit)
        .select_related("letter__recipient", "unit")
        .order_by("received_at", "pk")
    )


def pending_count(unit: Unit) -> int:
    """The navigation badge: letters pending with this office (one indexed COUNT)."""
    return Receipt.objects.filter(unit=unit, state=Receipt.State.PENDING).count()


def age_days(since: datetime.datetime, now: datetime.datetime | None = None) -> int:
    """Whole days a letter has waited."""
    return max(((now or timezone.now()) - since).days, 0)


def routable_units(sender: Unit) -> QuerySet[Unit]:
    """Every office *sender* may write to: its ancestors and its whole subtree, less itself."""
    return (
        Unit.objects.filter(Unit.objects.ancestors_of_q(sender) | Unit.objects.subtree_q(sender))
        .exclude(pk=sender.pk)
        .filter(is_active=True)
    )
