"""The lists the offices act on, rolled up by division and district, and a person's history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from daptar.lib import paths
from daptar.people.models import Person, Post, Term
from daptar.register.models import Committee, ImportBatch
from daptar.units.models import Unit, UnitQuerySet

if TYPE_CHECKING:
    from daptar.accounts.models import User

LISTS = ["expired", "no_committee", "vacant", "two_places"]
# Depth of the levels the lists roll up to: the root is 0, divisions 1, districts 2.
DIVISION_DEPTH, DISTRICT_DEPTH = 1, 2


def get_visible_committee(user: User, committee_id: int | str) -> Committee:
    try:
        pk = int(committee_id)
    except (TypeError, ValueError):
        pk = 0
    return get_object_or_404(
        Committee.objects.visible_to(user).select_related("unit__level"), pk=pk
    )


def get_visible_batch(user: User, batch_id: int | str) -> ImportBatch:
    try:
        pk = int(batch_id)
    except (TypeError, ValueError):
        pk = 0
    return get_object_or_404(ImportBatch.objects.visible_to(user), pk=pk)


def current_committee(unit: Unit) -> Committee | None:
    return (
        Committee.objects.current()
        .filter(unit=unit)
        .prefetch_related("seats__post", "seats__person")
        .first()
    )


def expired(scope: Unit) -> QuerySet[Committee]:
    """Current committees in *scope* whose term is over (মেয়াদোত্তীর্ণ), longest overdue first."""
    return (
        Committee.objects.current()
        .filter(expires_on__lt=timezone.localdate())
        .filter(Unit.objects.subtree_q(scope, field="unit__path"))
        .select_related("unit__level")
        .order_by("expires_on", "unit__path")
    )


def no_committee(scope: Unit) -> UnitQuerySet:
    """Active units in *scope* with no current committee."""
    has = Committee.objects.current().filter(unit=OuterRef("pk"))
    return (
        Unit.objects.subtree(scope)
        .filter(is_active=True)
        .exclude(Exists(has))
        .select_related("level")
        .order_by("path")
    )


def required_posts() -> list[Post]:
    slugs = list(settings.DAPTAR_REGISTER_REQUIRED_POSTS)
    return sorted(Post.objects.filter(slug__in=slugs), key=lambda p: slugs.index(p.slug))


def vacant(scope: Unit, post: Post) -> UnitQuerySet:
    """Active units in *scope* where nobody currently holds *post*."""
    held = Term.objects.current().filter(unit=OuterRef("pk"), post=post)
    return (
        Unit.objects.subtree(scope)
        .filter(is_active=True)
        .exclude(Exists(held))
        .select_related("level")
        .order_by("path")
    )


def two_places(scope: Unit) -> QuerySet[Person]:
    """People of *scope* holding current office-bearer posts in two or more units."""
    return (
        Person.objects.filter(Unit.objects.subtree_q(scope, field="unit__path"))
        .filter(
            pk__in=Term.objects.current()
            .office_bearers()
            .values("person_id")
            .annotate(places=Count("unit_id", distinct=True))
            .filter(places__gte=2)
            .values("person_id")
        )
        .select_related("unit")
        .order_by("name_en", "pk")
    )


def rows_of(name: str, scope: Unit, post: Post | None = None) -> QuerySet:  # type: ignore[type-arg]
    if name == "expired":
        return expired(scope)
    if name == "no_committee":
        return no_committee(scope)
    if name == "vacant":
        return vacant(scope, post or required_posts()[0])
    return two_places(scope)


@dataclass
class Rollup:
    unit: Unit
    count: int


def rollup(name: str, scope: Unit, depth: int, post: Post | None = None) -> list[Rollup]:
    """A list's rows counted per unit at *depth* (division, district) in *scope*: a GROUP BY."""
    if depth <= scope.depth:
        return [Rollup(scope, rows_of(name, scope, post).count())]
    field = "unit__path" if name in ("expired", "two_places") else "path"
    width = paths.STEP * (depth + 1)
    counts = (
        rows_of(name, scope, post)
        .annotate(prefix=Substr(field, 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_prefix = {row["prefix"]: row["n"] for row in counts if len(row["prefix"]) == width}
    units = Unit.objects.filter(path__in=list(by_prefix)).order_by("name_en")
    return [Rollup(unit, by_prefix[unit.path]) for unit in units]


def counts(scope: Unit) -> dict[str, int]:
    """How many rows each list has in *scope*: the dashboard's figures."""
    figures = {
        "expired": expired(scope).count(),
        "no_committee": no_committee(scope).count(),
        "two_places": two_places(scope).count(),
    }
    for post in required_posts():
        figures[f"vacant_{post.slug}"] = vacant(scope, post).count()
    return figures


def history(person: Person) -> QuerySet[Term]:
    """Every post and term *person* has held, across units, newest first."""
    return (
        Term.objects.filter(person=person)
        .select_related("unit__level", "post")
        .order_by("-started_on", "post__rank")
    )


@dataclass
class Lookalike:
    """People of one unit who may be one person, and why."""

    reason: str  # "phone", "national_id" or "name"
    people: list[Person]


def lookalikes(unit: Unit) -> list[Lookalike]:
    """People registered at *unit* sharing a phone, a national ID, or a name's sound.

    The same phone or ID is the same person; names that sound alike (a Bengali and a
    romanised spelling, 'Md.' and 'Mohammad') are only offered for review.
    """
    from daptar.lib.namekeys import name_key

    people = list(Person.objects.filter(unit=unit).order_by("pk"))
    groups: dict[tuple[str, str], list[Person]] = {}
    for person in people:
        keys = [("phone", person.phone), ("national_id", person.national_id)]
        sounds = {name_key(person.name_bn), name_key(person.name_en)} - {""}
        keys += [("name", key) for key in sounds]
        for reason, key in keys:
            if key:
                groups.setdefault((reason, key), []).append(person)
    found: list[Lookalike] = []
    seen: set[tuple[int, ...]] = set()
    for (reason, _key), members in groups.items():
        ids = tuple(sorted({p.pk for p in members}))
        if len(ids) > 1 and ids not in seen:
            seen.add(ids)
            found.append(Lookalike(reason, sorted(set(members), key=lambda p: p.pk)))
    return found
