"""Reads of the unit tree that are more than a filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from daptar.people.models import Term
from daptar.units.models import Unit, UnitQuerySet

if TYPE_CHECKING:
    from daptar.accounts.models import User


def get_visible_unit(user: User, unit_id: int | str) -> Unit:
    """The unit if *user* may see it; 404 whether it is missing or out of scope."""
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        pk = 0
    return get_object_or_404(Unit.objects.visible_to(user).select_related("level", "parent"), pk=pk)


def children_with_counts(unit: Unit) -> UnitQuerySet:
    """The unit's children, each with how many children it has: one GROUP BY."""
    return (
        Unit.objects.children(unit)
        .select_related("level")
        .annotate(children_count=Count("children"))
        .order_by("name_en")
    )


def office_bearers(unit_ids: list[int]) -> QuerySet[Term]:
    """Current office-bearer terms of these units, in post order."""
    return (
        Term.objects.current()
        .office_bearers()
        .filter(unit_id__in=unit_ids)
        .select_related("person", "post")
        .order_by("unit_id", "post__rank", "person__name_en")
    )


def breadcrumbs(unit: Unit, user: User) -> list[Unit]:
    """The ancestors of *unit* that *user* may see, root first."""
    return list(Unit.objects.ancestors_of(unit).filter(Unit.objects.visible_to_q(user)))


def counts_by_level(unit: Unit) -> dict[str, int]:
    """How many units of each level lie in *unit*'s subtree (itself included)."""
    rows = Unit.objects.subtree(unit).values("level__slug").annotate(n=Count("pk")).order_by()
    return {row["level__slug"]: row["n"] for row in rows}
