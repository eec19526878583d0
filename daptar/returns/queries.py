"""Reads of returns that are more than a filter: to-do lists, queues, rates, aggregates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from daptar.lib import paths
from daptar.people.models import Post, Term
from daptar.returns.models import (
    ReturnField,
    ReturnForm,
    ReturnPeriod,
    Submission,
    SubmissionQuerySet,
    SubmissionValue,
)
from daptar.units.models import Level, Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


def _pk(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Http404 from None


def get_visible_form(user: User, form_id: int | str) -> ReturnForm:
    """The form if the user may see it; 404 when missing or out of scope."""
    return get_object_or_404(
        ReturnForm.objects.visible_to(user).select_related("issuing_unit", "target_unit"),
        pk=_pk(form_id),
    )


def get_issued_form(user: User, form_id: int | str) -> ReturnForm:
    """A form whose issuing unit lies in the user's scope: building it is theirs."""
    form = get_visible_form(user, form_id)
    if not Unit.objects.visible_to(user).filter(pk=form.issuing_unit_id).exists():
        raise Http404
    return form


def get_period(form: ReturnForm, period_id: object = None) -> ReturnPeriod:
    """The named period of *form*, else its latest; 404 when there is none."""
    periods = ReturnPeriod.objects.filter(form=form).select_related("form")
    if period_id not in (None, ""):
        return get_object_or_404(periods, pk=_pk(period_id))
    period = periods.order_by("-starts_on").first()
    if period is None:
        raise Http404
    return period


def get_visible_submission(user: User, form: ReturnForm, submission_id: object) -> Submission:
    """A submission of *form* in the user's scope (their own unit's or below); else 404."""
    return get_object_or_404(
        Submission.objects.visible_to(user).select_related(
            "period__form__issuing_unit", "unit__level", "parent", "submitted_by", "reviewed_by"
        ),
        period__form=form,
        pk=_pk(submission_id),
    )


def my_submission(period: ReturnPeriod, unit: Unit | None) -> Submission | None:
    if unit is None:
        return None
    return (
        Submission.objects.filter(period=period, unit=unit).select_related("period__form").first()
    )


def form_fields(form: ReturnForm) -> list[ReturnField]:
    return list(form.fields.all())


# --- lists -------------------------------------------------------------------------------


def to_do(unit: Unit, now: datetime.datetime | None = None) -> SubmissionQuerySet:
    """What *unit* still has to send: due first."""
    return (
        Submission.objects.filter(unit=unit)
        .to_do(now or timezone.now())
        .select_related("period__form__issuing_unit")
        .order_by("period__due_at", "pk")
    )


def to_do_count(unit: Unit) -> int:
    """The navigation badge: returns the acting unit still has to send."""
    return Submission.objects.filter(unit=unit).to_do(timezone.now()).count()


def sent(unit: Unit) -> SubmissionQuerySet:
    """What *unit* has sent, newest first."""
    return (
        Submission.objects.filter(unit=unit, submitted_at__isnull=False)
        .select_related("period__form__issuing_unit")
        .order_by("-submitted_at", "-pk")
    )


def issued(unit: Unit) -> QuerySet[ReturnForm]:
    return (
        ReturnForm.objects.filter(issuing_unit=unit)
        .select_related("target_unit")
        .prefetch_related("target_levels")
        .order_by("-created_at", "-pk")
    )


def review_queue(unit: Unit, *, subtree: bool = False) -> SubmissionQuerySet:
    """Sent and not yet reviewed: by the units right below *unit* (or its whole subtree)."""
    rows = Submission.objects.filter(status=Submission.Status.SUBMITTED)
    if subtree:
        rows = rows.filter(paths.prefix_q(unit.path, "unit_path")).exclude(unit=unit)
    else:
        rows = rows.filter(parent=unit)
    return rows.select_related("unit", "period__form").order_by("submitted_at", "pk")


# --- rates ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, never above 100; None when nothing is expected."""
    if not whole:
        return None
    return round(min(100.0, 100.0 * part / whole), 1)


@dataclass
class Rates:
    """Expected units and what became of them; every sent unit counted once."""

    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    nil: int = 0
    approved: int = 0
    returned: int = 0
    label: str = ""
    unit: Unit | None = None
    level: Level | None = None

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def completeness(self) -> float | None:
        return _share(self.submitted, self.expected)

    @property
    def timeliness(self) -> float | None:
        return _share(self.on_time, self.expected)

    def add(self, row: Mapping) -> None:
        for name in ("expected", "submitted", "on_time", "nil", "approved", "returned"):
            setattr(self, name, getattr(self, name) + row[name])

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "submitted": self.submitted,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "nil": self.nil,
            "approved": self.approved,
            "returned": self.returned,
            "completeness": self.completeness,
            "timeliness": self.timeliness,
        }


def _counted(period: ReturnPeriod) -> dict[str, Count]:
    counted = Q(status__in=Submission.COUNTED)
    return {
        "expected": Count("pk"),
        "submitted": Count("pk", filter=counted),
        # The server's clock at the first sending, against the period's due time.
        "on_time": Count("pk", filter=counted & Q(first_submitted_at__lte=period.due_at)),
        "nil": Count("pk", filter=counted & Q(nil=True)),
        "approved": Count("pk", filter=Q(status=Submission.Status.APPROVED)),
        "returned": Count("pk", filter=Q(status=Submission.Status.RETURNED)),
    }


def _expected_in(period: ReturnPeriod, node: Unit) -> SubmissionQuerySet:
    return Submission.objects.filter(period=period, expected=True).filter(
        paths.prefix_q(node.path, "unit_path")
    )


@dataclass
class Tally:
    """A subtree's rates whole, by level, and by each branch right below the node."""

    total: Rates
    by_level: list[Rates]
    branches: list[Rates]


def tally(period: ReturnPeriod, node: Unit) -> Tally:
    """Every figure of the rates page from one GROUP BY over (branch below *node*, level).

    The groups are few (branches × levels), so the totals, the levels and the
    branches are summed from them here: the expected rows are read once.
    """
    width = len(node.path) + paths.STEP
    rows = (
        _expected_in(period, node)
        .annotate(branch=Substr("unit_path", 1, width))
        .values("branch", "level_id")
        .annotate(**_counted(period))
        .order_by()
    )
    levels = {level.pk: level for level in Level.objects.all()}
    total = Rates(unit=node, label=node.name)
    by_level: dict[int, Rates] = {}
    branches: dict[str, Rates] = {}
    for row in rows:
        total.add(row)
        level = levels[row["level_id"]]
        by_level.setdefault(level.pk, Rates(level=level, label=level.name)).add(row)
        branches.setdefault(row["branch"], Rates(label=row["branch"])).add(row)
    units = {u.path: u for u in Unit.objects.filter(path__in=branches).select_related("level")}
    for branch, part in branches.items():
        part.unit = units.get(branch)
        if part.unit is not None:
            part.level, part.label = part.unit.level, part.unit.name
    return Tally(
        total=total,
        by_level=sorted(by_level.values(), key=lambda r: r.level.rank if r.level else 0),
        branches=sorted(
            branches.values(),
            key=lambda r: (r.unit is None or r.unit.pk != node.pk, r.label),
        ),
    )


def rates(period: ReturnPeriod, node: Unit) -> tuple[Rates, list[Rates]]:
    """The rates of *node*'s subtree, whole and by level."""
    figures = tally(period, node)
    return figures.total, figures.by_level


def drilldown(period: ReturnPeriod, node: Unit) -> list[Rates]:
    """The rates of each child branch of *node* (and of *node* itself when it is expected)."""
    return tally(period, node).branches


def missing(period: ReturnPeriod, node: Unit) -> SubmissionQuerySet:
    """Expected units under *node* that have not sent (returned ones included), by path."""
    return (
        _expected_in(period, node)
        .exclude(status__in=Submission.COUNTED)
        .select_related("unit", "level", "parent")
        .order_by("unit_path")
    )


@dataclass
class Contact:
    name: str
    post: str
    phone: str


def office_contacts(unit_ids: list[int]) -> dict[int, list[Contact]]:
    """Who to call at each unit: its current acting office bearers (one query)."""
    terms = (
        Term.objects.current()
        .filter(unit_id__in=unit_ids, post__desk_role=Post.DeskRole.ACT)
        .select_related("person", "post")
        .order_by("unit_id", "post__rank")
    )
    out: dict[int, list[Contact]] = {}
    for term in terms:
        out.setdefault(term.unit_id, []).append(
            Contact(term.person.name, term.post.name, term.person.phone)
        )
    return out


def default_node(user: User, form: ReturnForm, acting: Unit | None) -> Unit:
    """Where figures start: the form's target when the user sees it, else their own unit."""
    if Unit.objects.visible_to(user).filter(pk=form.target_unit_id).exists():
        return form.target_unit
    if acting is None:
        raise Http404
    return acting


# --- aggregates -------------------------------------------------------------------------


@dataclass
class Figure:
    total: Decimal | None = None
    count: int = 0

    @property
    def average(self) -> Decimal | None:
        if not self.count or self.total is None:
            return None
        return self.total / self.count

    def add(self, total: Decimal | None, count: int) -> None:
        if total is not None:
            self.total = (self.total or Decimal(0)) + total
        self.count += count

    def as_dict(self) -> dict[str, Any]:
        average = self.average
        return {
            "sum": _plain(self.total),
            "avg": _plain(average.quantize(Decimal("0.01")) if average is not None else None),
            "count": self.count,
        }


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@dataclass
class Branch:
    unit: Unit | None
    label: str
    figures: dict[int, Figure] = field(default_factory=dict)


def aggregate(
    period: ReturnPeriod, node: Unit
) -> tuple[list[ReturnField], dict[int, Figure], list[Branch]]:
    """Sums and averages of the numeric answers under *node*, whole and by branch below it.

    Only sent, not returned, answers count; a nil return has none. One GROUP BY
    over the numeric answers, by branch and field; averages follow from sums and
    counts, so the branches add up to the totals exactly.
    """
    numeric = [f for f in period.form.fields.all() if f.is_numeric]
    width = len(node.path) + paths.STEP
    rows = (
        SubmissionValue.objects.filter(period=period, submission__status__in=Submission.COUNTED)
        .filter(paths.prefix_q(node.path, "unit_path"))
        .annotate(branch=Substr("unit_path", 1, width))
        .values("branch", "field_id")
        .annotate(total=Sum("value"), n=Count("pk"))
        .order_by()
    )
    totals = {f.pk: Figure() for f in numeric}
    branches: dict[str, Branch] = {}
    for row in rows:
        if row["field_id"] not in totals:
            continue
        totals[row["field_id"]].add(row["total"], row["n"])
        branch = branches.setdefault(row["branch"], Branch(None, row["branch"]))
        branch.figures.setdefault(row["field_id"], Figure()).add(row["total"], row["n"])
    units = {u.path: u for u in Unit.objects.filter(path__in=branches).select_related("level")}
    for path, branch in branches.items():
        branch.unit = units.get(path)
        branch.label = branch.unit.name if branch.unit else path
    ordered = sorted(
        branches.values(), key=lambda b: (b.unit is None or b.unit.pk != node.pk, b.label)
    )
    return numeric, totals, ordered


# --- export -----------------------------------------------------------------------------


def export_rows(period: ReturnPeriod, node: Unit) -> Iterator[Submission]:
    """Every unit's row under *node* (the expected ones and any who sent anyway), by path."""
    return (
        Submission.objects.filter(period=period)
        .filter(paths.prefix_q(node.path, "unit_path"))
        .select_related("unit", "level", "parent")
        .order_by("unit_path")
        .iterator(chunk_size=2000)
    )
