"""The research cell's figures: counts only, no names, no cell small enough to single anyone out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.lib import paths
from daptar.people.models import Gender, Person
from daptar.register.models import Committee
from daptar.units.models import Level, Unit

AGE_BANDS = [(18, 29), (30, 39), (40, 49), (50, 59), (60, 200)]


@dataclass
class Cell:
    label: str
    count: int | None  # None: under the small-count floor, shown as "< N"


@dataclass
class Table:
    key: str
    title: str
    cells: list[Cell]


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def suppress(count: int) -> int | None:
    """The small-count rule: a figure under DAPTAR_REGISTER_MIN_CELL (but not 0) is withheld."""
    return None if 0 < count < settings.DAPTAR_REGISTER_MIN_CELL else count


def _table(key: str, title: str, pairs: list[tuple[str, int]]) -> Table:
    return Table(key, title, [Cell(label, suppress(n)) for label, n in pairs])


def tables(scope: Unit) -> list[Table]:
    people = Person.objects.filter(Unit.objects.subtree_q(scope, field="unit__path"))
    levels = {lv.slug: lv.name for lv in Level.objects.all()}
    by_level = people.values("unit__level__slug").annotate(n=Count("pk")).order_by()
    level_rows = sorted(
        ((row["unit__level__slug"], row["n"]) for row in by_level),
        key=lambda r: list(levels).index(r[0]) if r[0] in levels else 99,
    )
    genders = dict(Gender.choices)
    by_gender = people.values("gender").annotate(n=Count("pk")).order_by("gender")
    today = timezone.localdate()
    whens = [
        When(
            born_on__gt=_years_ago(today, high + 1),
            born_on__lte=_years_ago(today, low),
            then=Value(f"{low}–{high}" if high < 200 else f"{low}+"),
        )
        for low, high in AGE_BANDS
    ]
    by_age = (
        people.annotate(band=Case(*whens, default=Value(""), output_field=CharField()))
        .values("band")
        .annotate(n=Count("pk"))
        .order_by("band")
    )
    committees = Committee.objects.filter(Unit.objects.subtree_q(scope, field="unit__path"))
    states = committees.aggregate(
        current=Count("pk", filter=Q(state="current", expires_on__gte=today)),
        expired=Count("pk", filter=Q(state="current", expires_on__lt=today)),
        convening=Count("pk", filter=Q(state="current", kind="convening")),
        proposed=Count("pk", filter=Q(state="proposed")),
    )
    result = [
        _table("level", _("Members by level"), [(levels.get(s, s), n) for s, n in level_rows]),
        _table(
            "gender",
            _("Members by gender"),
            [(str(genders.get(r["gender"], _("not recorded"))), r["n"]) for r in by_gender],
        ),
        _table(
            "age",
            _("Members by age"),
            [(r["band"] or _("not recorded"), r["n"]) for r in by_age],
        ),
        _table(
            "committees",
            _("Committees by state"),
            [
                (_("in term"), states["current"]),
                (_("past their term"), states["expired"]),
                (_("convening"), states["convening"]),
                (_("awaiting approval"), states["proposed"]),
            ],
        ),
    ]
    if scope.depth < 2:
        width = paths.STEP * 3
        by_district = (
            people.annotate(prefix=Substr("unit__path", 1, width))
            .values("prefix")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {r["prefix"]: r["n"] for r in by_district if len(r["prefix"]) == width}
        names = Unit.objects.filter(path__in=list(counts)).order_by("name_en")
        result.append(
            _table("district", _("Members by district"), [(u.name, counts[u.path]) for u in names])
        )
    return result
