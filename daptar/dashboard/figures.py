"""The dashboard's figures, made from the counts: rows, trend, map values, what needs attention."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils.translation import gettext as _

from daptar.dashboard import measures, queries
from daptar.dashboard.measures import Counts
from daptar.directives.models import Directive
from daptar.letters.queries import pending_count
from daptar.lib import paths
from daptar.reports.models import Report
from daptar.returns.models import ReturnForm, ReturnPeriod
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

#: Seconds a long window's counts are kept in the shared cache, unless
#: DAPTAR_DYNAMISM_CACHE_SECONDS says otherwise (0: never). A year's figures hardly move in
#: ten minutes, and at the centre they are the costliest to count.
DEFAULT_CACHE_SECONDS = 600
#: Windows this long or longer are cached; the default 30 days is always counted afresh.
CACHED_FROM_DAYS = 90
#: How many directives and periods the attention list names.
ATTENTION_LIMIT = 5


@dataclass
class Row:
    """One line of the table: a unit (or the shown unit's own office), its counts and figures."""

    unit: Unit
    counts: Counts
    values: dict[str, Any]
    index: float | None
    own: bool = False

    @property
    def has_data(self) -> bool:
        return self.counts.active

    def value(self, name: str) -> Any:
        return self.index if name == "index" else self.values.get(name)


def make_row(unit: Unit, counts: Counts, weights: dict[str, float], *, own: bool = False) -> Row:
    values = measures.figures(counts)
    return Row(unit, counts, values, measures.dynamism_index(values, weights), own=own)


#: What the table may be sorted by: the name, the index or a measure.
SORTS = ("name", "index", *(m.name for m in measures.MEASURES))


def sort_rows(rows: list[Row], key: str, *, descending: bool) -> list[Row]:
    """Rows by *key*; rows without a figure go last whichever the direction."""
    if key == "name":
        return sorted(rows, key=lambda r: r.unit.name, reverse=descending)
    with_data = [r for r in rows if r.value(key) is not None]
    without = [r for r in rows if r.value(key) is None]
    with_data.sort(key=lambda r: (r.value(key), r.unit.name))
    if descending:
        with_data.reverse()
    return with_data + sorted(without, key=lambda r: r.unit.name)


@dataclass
class Point:
    """One slice of the window in the trend."""

    starts: datetime.datetime
    values: dict[str, Any]
    index: float | None


@dataclass
class Dashboard:
    node: Unit
    window: queries.Window
    weights: dict[str, float]
    total: Row
    own: Row
    children: list[Row]
    trend: list[Point]
    tally: queries.Tally = field(repr=False)


def cache_seconds() -> int:
    return int(getattr(settings, "DAPTAR_DYNAMISM_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def tally(
    node: Unit, days: int, *, width: int | None = None, detail: bool = True, refresh: bool = False
) -> queries.Tally:
    """The counts under *node* for the last *days* days: from the shared cache for long
    windows (counted and stored when missing, or when *refresh* is asked)."""
    win = queries.window(days, sliced=detail)
    seconds = cache_seconds()
    if days < CACHED_FROM_DAYS or seconds <= 0:
        return queries.collect(node, win, width=width, detail=detail)
    key = f"dashboard:v1:{node.pk}:{node.path}:{days}:{width}:{detail}"
    found = None if refresh else cache.get(key)
    if found is None:
        found = queries.collect(node, win, width=width, detail=detail)
        cache.set(key, found, seconds)
    return found


def warm() -> int:
    """Count the root's long windows (dashboard and map) ahead of their readers.

    For the periodic job: at full scale a year at the centre takes a couple of seconds
    to count, which a reader should not wait for. Returns how many tallies it stored.
    """
    if cache_seconds() <= 0:
        return 0
    stored = 0
    for root in Unit.objects.filter(parent__isnull=True):
        widths = sorted({len(u.path) for u in queries.districts(root)})
        for days in (d for d in measures.WINDOWS if d >= CACHED_FROM_DAYS):
            tally(root, days, refresh=True)
            for width in widths:
                tally(root, days, width=width, detail=False, refresh=True)
            stored += 1 + len(widths)
    return stored


def build(node: Unit, days: int) -> Dashboard:
    """The dashboard of *node*: its subtree's figures, its own office's, and each child's."""
    weights = measures.weights()
    counted = tally(node, days)
    branches = counted.branches()
    kids = queries.children(node, counted.window)
    trend = []
    for starts, counts in zip(counted.window.slice_starts(), counted.slices(), strict=True):
        values = measures.figures(counts)
        trend.append(Point(starts, values, measures.dynamism_index(values, weights)))
    return Dashboard(
        node=node,
        window=counted.window,
        weights=weights,
        total=make_row(node, counted.total(), weights),
        own=make_row(node, branches.get(node.path, Counts()), weights, own=True),
        children=[make_row(u, branches.get(u.path, Counts()), weights) for u in kids],
        trend=trend,
        tally=counted,
    )


# --- needs attention --------------------------------------------------------------------------


@dataclass
class Attention:
    """Overdue directives, missing returns, reports waiting for review, pending letters."""

    overdue: list[tuple[Directive, int, bool]]
    overdue_total: int
    missing: list[tuple[ReturnPeriod, int, bool]]
    missing_total: int
    reports_waiting: int
    reports_below: int
    letters_pending: int


def attention(dashboard: Dashboard, user: User) -> Attention:
    """What the shown unit should chase, from the counts already made plus four small reads.

    Each directive and period says whether the user may open it (``visible``): a district
    sees the figures of a directive sent to its wards only, not always the directive.
    """
    node, counted = dashboard.node, dashboard.tally
    top_directives = [pk for pk, _n in counted.overdue_by_directive.most_common(ATTENTION_LIMIT)]
    found = Directive.objects.in_bulk(top_directives)
    seen = set(
        Directive.objects.visible_to(user)
        .filter(pk__in=top_directives)
        .values_list("pk", flat=True)
    )
    overdue = [
        (found[pk], counted.overdue_by_directive[pk], pk in seen)
        for pk in top_directives
        if pk in found
    ]
    top_periods = [pk for pk, _n in counted.missing_by_period.most_common(ATTENTION_LIMIT)]
    periods = ReturnPeriod.objects.select_related("form").in_bulk(top_periods)
    forms = set(
        ReturnForm.objects.visible_to(user)
        .filter(periods__in=top_periods)
        .values_list("pk", flat=True)
    )
    missing = [
        (periods[pk], counted.missing_by_period[pk], periods[pk].form_id in forms)
        for pk in top_periods
        if pk in periods
    ]
    below = (
        Report.objects.filter(status=Report.Status.SUBMITTED)
        .filter(paths.prefix_q(node.path, "unit_path"))
        .exclude(unit=node)
        .count()
    )
    return Attention(
        overdue=overdue,
        overdue_total=sum(counted.overdue_by_directive.values()),
        missing=missing,
        missing_total=sum(counted.missing_by_period.values()),
        reports_waiting=Report.objects.waiting_for(node).count(),
        reports_below=below,
        letters_pending=pending_count(node),
    )


# --- the map ----------------------------------------------------------------------------------


@dataclass
class District:
    """One administrative district on the map: the organisational districts folded into it."""

    geo_id: int
    units: list[Unit]
    counts: Counts
    value: float | None
    link_unit: Unit


def map_figures(scope: Unit, days: int, measure: str) -> list[District]:
    """*measure* for every district in *scope*, metropolitan districts folded into their
    administrative district by adding their counts (so each weighs what was asked of it)."""
    if measure not in measures.BY_NAME or not measures.BY_NAME[measure].on_map:
        raise Http404(_("No such measure."))
    weights = measures.weights()
    units = queries.districts(scope)
    counts_by_path: dict[str, Counts] = {}
    below = [u for u in units if len(u.path) < len(scope.path)]
    if below:
        # The scope lies under a district: its own subtree, drawn as that district.
        counted = tally(scope, days, width=len(scope.path), detail=False)
        counts_by_path = {u.path: counted.total() for u in below}
    else:
        for width in sorted({len(u.path) for u in units}):
            counted = tally(scope, days, width=width, detail=False)
            counts_by_path.update(counted.branches())
    by_geo: dict[int, list[Unit]] = {}
    for unit in units:
        by_geo.setdefault(unit.geo_district_id, []).append(unit)  # type: ignore[arg-type]
    out = []
    for geo_id, group in sorted(by_geo.items()):
        group.sort(key=lambda u: (u.kind != Unit.Kind.STANDARD, u.name_en))
        total = Counts()
        for unit in group:
            total.add(counts_by_path.get(unit.path, Counts()))
        row = make_row(group[0], total, weights)
        link = scope if below else group[0]
        out.append(District(geo_id, group, total, row.value(measure), link))
    return out
