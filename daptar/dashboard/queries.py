"""Counting dynamism: one GROUP BY per source table over a unit's path range.

`collect(node, window, width=...)` reads deliveries, return submissions, meeting
invitations, published reports, review steps and open units under *node*, each grouped
by `substr(unit_path, 1, width)`: with `width = len(node.path) + STEP` the groups are the
branches one level down (and *node*'s own office, whose path is shorter); with the width
of the district paths they are the organisational districts, for the map. Nothing loops
per unit, and the same counts serve the totals (their sum), the table (the branches) and
the sparklines (directives, periods and meetings are also grouped by their own id, whose
time says which slice of the window they fall in).

What counts, and when (docs/dashboard.md says the same for the offices):

- directives: deliveries received (not a relay's pending ones) of directives issued in
  the window and not withdrawn;
- returns: expected rows of periods whose due time fell in the window;
- meetings: invitations of office bearers (not guests) to meetings sent, ended in the
  window, and whose attendance was taken (anyone marked or joined);
- reports: published in the window (and not withdrawn since); review decisions
  (approve, return) taken in the window;
- a unit closed in or before the window: rows whose due time (the directive's, the
  period's, the meeting's start) falls on or after its closing day are left out,
  because it could not have done them; everything due before then counts as usual.
"""

from __future__ import annotations

import bisect
import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import LessThanOrEqual
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.dashboard.measures import ACK_BOUNDS_HOURS, Counts
from daptar.directives.models import Delivery, Directive
from daptar.lib import paths
from daptar.lib.timespans import SecondsBetween
from daptar.meetings.models import Invitation, Meeting
from daptar.reports.models import Report, Review
from daptar.returns.models import ReturnPeriod, Submission
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

#: Slices of the window the sparklines draw, per window length in days.
SLICES = {30: 6, 90: 13, 365: 12}
#: The level whose units are drawn on the map (levels are data; this one the map needs).
DISTRICT_LEVEL = "district"
#: A unit closed more than this long before the window began has nothing due in it.
CLOSED_LOOKBACK = datetime.timedelta(days=400)


@dataclass(frozen=True)
class Window:
    """The last *days* days up to *end*, cut into equal slices for the sparklines."""

    days: int
    end: datetime.datetime
    slices: int = 1

    @property
    def start(self) -> datetime.datetime:
        return self.end - datetime.timedelta(days=self.days)

    @property
    def edges(self) -> list[datetime.datetime]:
        """The inner boundaries between slices, earliest first."""
        step = (self.end - self.start) / self.slices
        return [self.start + step * i for i in range(1, self.slices)]

    def slice_of(self, moment: datetime.datetime) -> int:
        return bisect.bisect_right(self.edges, moment)

    def slice_starts(self) -> list[datetime.datetime]:
        return [self.start, *self.edges]


def window(days: int, *, now: datetime.datetime | None = None, sliced: bool = True) -> Window:
    return Window(days, now or timezone.now(), SLICES.get(days, 1) if sliced else 1)


@dataclass
class Tally:
    """Counts by (branch path, slice), and what the attention list needs."""

    window: Window
    # Also by directive, period and meeting: for the slices and the attention list.
    detail: bool = True
    cells: dict[tuple[str, int], Counts] = field(default_factory=dict)
    # Counted per branch or per slice only: distinct offices do not add across slices.
    per_branch: dict[str, Counts] = field(default_factory=dict)
    per_slice: dict[int, Counts] = field(default_factory=dict)
    overdue_by_directive: Counter[int] = field(default_factory=Counter)
    missing_by_period: Counter[int] = field(default_factory=Counter)

    def cell(self, branch: str, at: int) -> Counts:
        return self.cells.setdefault((branch, at), Counts())

    def branches(self) -> dict[str, Counts]:
        out: dict[str, Counts] = {}
        for (branch, _at), counts in self.cells.items():
            out.setdefault(branch, Counts()).add(counts)
        for branch, counts in self.per_branch.items():
            out.setdefault(branch, Counts()).add(counts)
        return out

    def total(self) -> Counts:
        total = Counts()
        for counts in self.branches().values():
            total.add(counts)
        return total

    def slices(self) -> list[Counts]:
        """The subtree's counts in each slice of the window, earliest first."""
        out = [Counts() for _ in range(self.window.slices)]
        for (_branch, at), counts in self.cells.items():
            out[at].add(counts)
        units = sum(c.units for c in self.per_branch.values())
        for at, counts in enumerate(out):
            counts.add(self.per_slice.get(at, Counts()))
            counts.units = units
        return out


# --- what is left out for closed units -------------------------------------------------------


def closures(node: Unit, win: Window) -> dict[datetime.datetime, list[int]]:
    """Closed units under *node* that may have rows in the window, by closing moment."""
    rows = (
        Unit.objects.subtree(node)
        .filter(is_active=False)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=(win.start - CLOSED_LOOKBACK).date()))
        .order_by()
        .values_list("pk", "closed_on")
    )
    out: dict[datetime.datetime, list[int]] = {}
    for pk, closed_on in rows:
        # Closed without a date: nothing in the window was its to do.
        day = closed_on or (win.start - CLOSED_LOOKBACK).date()
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        out.setdefault(moment, []).append(pk)
    return out


def _closed_q(closed: dict[datetime.datetime, list[int]], due: str, unit: str = "unit_id") -> Q:
    q = Q(pk__in=[])
    for moment, ids in closed.items():
        q |= Q(**{f"{unit}__in": ids, f"{due}__gte": moment})
    return q


def _without_closed(rows: QuerySet[Any], closed: dict[Any, list[int]], due: str) -> QuerySet[Any]:
    return rows.exclude(_closed_q(closed, due)) if closed else rows


# --- the sources ------------------------------------------------------------------------------


def _branch(width: int, column: str = "unit_path") -> Substr:
    return Substr(column, 1, width)


def _keys(tally: Tally, source: str) -> tuple[str, ...]:
    return ("branch", source) if tally.detail else ("branch",)


def _slice_case(column: str, win: Window) -> Case | Value:
    if win.slices == 1:
        return Value(0)
    return Case(
        *[When(**{f"{column}__lt": edge}, then=Value(i)) for i, edge in enumerate(win.edges)],
        default=Value(win.slices - 1),
    )


def _directives(tally: Tally, node: Unit, width: int, closed: dict[Any, list[int]]) -> None:
    win = tally.window
    directives: dict[int, Any] = dict(
        Directive.objects.filter(
            status=Directive.Status.ISSUED, issued_at__gte=win.start, issued_at__lt=win.end
        )
        .order_by()
        .values_list("pk", "issued_at")
    )
    if not directives:
        return
    acknowledged = Q(acknowledged_at__isnull=False)
    delay = SecondsBetween("delivered_at", "acknowledged_at")
    within = {
        f"ack_{i}": Count("pk", filter=acknowledged & Q(LessThanOrEqual(delay, bound * 3600.0)))
        for i, bound in enumerate(ACK_BOUNDS_HOURS)
    }
    past_due = Q(directive__due_at__lt=win.end)
    rows = (
        # One index range on (directive, unit_path) per directive issued in the window.
        Delivery.objects.filter(directive_id__in=list(directives))
        .filter(paths.prefix_q(node.path, "unit_path"))
        .exclude(state=Delivery.State.PENDING)
    )
    rows = (
        _without_closed(rows, closed, "directive__due_at")
        .annotate(branch=_branch(width))
        .values(*_keys(tally, "directive_id"))
        .annotate(
            delivered=Count("pk"),
            acknowledged=Count("pk", filter=acknowledged),
            **within,
            decided=Count("pk", filter=past_due | acknowledged),
            ack_on_time=Count("pk", filter=Q(acknowledged_at__lte=F("directive__due_at"))),
            overdue=Count("pk", filter=past_due & ~Q(state=Delivery.State.DONE)),
        )
        .order_by()
    )
    for row in rows:
        row["ack_within"] = [row[f"ack_{i}"] for i in range(len(ACK_BOUNDS_HOURS))]
        at = win.slice_of(directives[row["directive_id"]]) if tally.detail else 0
        tally.cell(row["branch"], at).add(row)
        if tally.detail and row["overdue"]:
            tally.overdue_by_directive[row["directive_id"]] += row["overdue"]


def _returns(tally: Tally, node: Unit, width: int, closed: dict[Any, list[int]]) -> None:
    win = tally.window
    periods = dict(
        ReturnPeriod.objects.filter(due_at__gte=win.start, due_at__lt=win.end)
        .order_by()
        .values_list("pk", "due_at")
    )
    if not periods:
        return
    counted = Q(status__in=Submission.COUNTED)
    rows = (
        # The returns app's own rates index: (period, unit_path), one range per period.
        Submission.objects.filter(period_id__in=list(periods), expected=True).filter(
            paths.prefix_q(node.path, "unit_path")
        )
    )
    rows = (
        _without_closed(rows, closed, "period__due_at")
        .annotate(branch=_branch(width))
        .values(*_keys(tally, "period_id"))
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=counted),
            # As the returns app counts it: the first sending against the period's due time.
            on_time=Count("pk", filter=counted & Q(first_submitted_at__lte=F("period__due_at"))),
        )
        .order_by()
    )
    for row in rows:
        at = win.slice_of(periods[row["period_id"]]) if tally.detail else 0
        tally.cell(row["branch"], at).add(row)
        missing = row["expected"] - row["submitted"]
        if tally.detail and missing:
            tally.missing_by_period[row["period_id"]] += missing


def _meetings(tally: Tally, node: Unit, width: int, closed: dict[Any, list[int]]) -> None:
    win = tally.window
    taken = Invitation.objects.filter(meeting=OuterRef("pk"), attended__isnull=False)
    meetings = dict(
        Meeting.objects.filter(
            status=Meeting.Status.SENT, ends_at__gte=win.start, ends_at__lt=win.end
        )
        .filter(Exists(taken))
        .order_by()
        .values_list("pk", "ends_at")
    )
    if not meetings:
        return
    rows = Invitation.objects.filter(meeting_id__in=list(meetings), unit__isnull=False).filter(
        paths.prefix_q(node.path, "unit_path")
    )
    rows = (
        _without_closed(rows, closed, "meeting__starts_at")
        .annotate(branch=_branch(width))
        .values(*_keys(tally, "meeting_id"))
        .annotate(invited=Count("pk"), present=Count("pk", filter=Q(attended=True)))
        .order_by()
    )
    for row in rows:
        at = win.slice_of(meetings[row["meeting_id"]]) if tally.detail else 0
        tally.cell(row["branch"], at).add(row)


def _reports(tally: Tally, node: Unit, width: int) -> None:
    win = tally.window
    published = Report.objects.filter(
        status=Report.Status.PUBLISHED, published_at__gte=win.start, published_at__lt=win.end
    ).filter(paths.prefix_q(node.path, "unit_path"))
    sliced = (
        published.annotate(branch=_branch(width), at=_slice_case("published_at", win))
        .values("branch", "at")
        .annotate(published=Count("pk"), reporting_units=Count("unit_id", distinct=True))
        .order_by()
    )
    for cell in sliced:
        tally.cell(cell["branch"], cell["at"]).published += cell["published"]
        # Offices are distinct within a branch and slice, and branches are disjoint.
        at_slice = tally.per_slice.setdefault(cell["at"], Counts())
        at_slice.reporting_units += cell["reporting_units"]
    whole = (
        published.annotate(branch=_branch(width))
        .values("branch")
        .annotate(reporting_units=Count("unit_id", distinct=True))
        .order_by()
    )
    for branch in whole:
        in_branch = tally.per_branch.setdefault(branch["branch"], Counts())
        in_branch.reporting_units += branch["reporting_units"]
    decisions = (
        Review.objects.filter(
            decision__in=[Review.Decision.APPROVED, Review.Decision.RETURNED],
            created_at__gte=win.start,
            created_at__lt=win.end,
        )
        .filter(paths.prefix_q(node.path, "report__unit_path"))
        .annotate(branch=_branch(width, "report__unit_path"), at=_slice_case("created_at", win))
        .values("branch", "at")
        .annotate(
            reviewed=Count("pk"), returned=Count("pk", filter=Q(decision=Review.Decision.RETURNED))
        )
        .order_by()
    )
    for decided in decisions:
        tally.cell(decided["branch"], decided["at"]).add(decided)


def _units(tally: Tally, node: Unit, width: int) -> None:
    """Open offices per branch: those open now, or closed within the window."""
    rows = (
        Unit.objects.subtree(node)
        .filter(Q(is_active=True) | Q(closed_on__gte=tally.window.start.date()))
        .annotate(branch=_branch(width, "path"))
        .values("branch")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        tally.per_branch.setdefault(row["branch"], Counts()).units += row["n"]


def collect(node: Unit, win: Window, *, width: int | None = None, detail: bool = True) -> Tally:
    """Every count under *node* in *win*, grouped by the first *width* characters of the
    unit path (default: the branches one level below *node*); without *detail*, by branch
    only (the map needs neither slices nor the attention list). Eleven queries at most."""
    width = width or len(node.path) + paths.STEP
    tally = Tally(win, detail=detail)
    closed = closures(node, win)
    _directives(tally, node, width, closed)
    _returns(tally, node, width, closed)
    _meetings(tally, node, width, closed)
    _reports(tally, node, width)
    _units(tally, node, width)
    return tally


# --- scope ------------------------------------------------------------------------------------


def get_node(user: User, unit_id: object, acting: Unit | None) -> Unit:
    """The unit whose dashboard is asked for: ?unit= in the user's scope (404 outside it),
    else the acting unit, else (for an operator without a desk) the root."""
    if unit_id not in (None, ""):
        return get_visible_unit(user, unit_id)  # type: ignore[arg-type]
    if acting is not None:
        return acting
    if user.is_superuser:
        root = Unit.objects.filter(parent__isnull=True).select_related("level").first()
        if root is not None:
            return root
    raise Http404(_("You have no office desk."))


def children(node: Unit, win: Window) -> list[Unit]:
    """The units one level down that were open at some time in the window."""
    return list(
        Unit.objects.children(node)
        .filter(Q(is_active=True) | Q(closed_on__gte=win.start.date()))
        .select_related("level")
        .order_by("name_en")
    )


def districts(scope: Unit) -> list[Unit]:
    """The organisational districts at or under *scope*, or the one above it."""
    at_level = Unit.objects.filter(level__slug=DISTRICT_LEVEL, geo_district_id__isnull=False)
    found = list(at_level.filter(Unit.objects.subtree_q(scope)))
    if not found:
        found = list(at_level.filter(Unit.objects.ancestors_of_q(scope)))
    return found


def unit_names(ids: Iterable[int]) -> dict[int, Unit]:
    return {u.pk: u for u in Unit.objects.filter(pk__in=list(ids))}
