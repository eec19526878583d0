"""Reads of directives that are more than a filter: inboxes, tracking, drill-down."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.directives.models import Delivery, DeliveryQuerySet, Directive
from daptar.lib import paths
from daptar.lib.sms import count_parts
from daptar.people.models import Post, Term
from daptar.units.models import Level, Unit
from daptar.units.queries import get_visible_unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

STATES = ["delivered", "seen", "acknowledged", "done"]


def get_visible_directive(user: User, directive_id: int | str) -> Directive:
    """The directive if the user may see it; 404 when missing or out of scope."""
    try:
        pk = int(directive_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        Directive.objects.visible_to(user).select_related("issuing_unit", "target_unit", "author"),
        pk=pk,
    )


def get_tracked_directive(user: User, directive_id: int | str) -> Directive:
    """A directive whose issuing unit lies in the user's scope (its tracking is theirs)."""
    directive = get_visible_directive(user, directive_id)
    if not Unit.objects.visible_to(user).filter(pk=directive.issuing_unit_id).exists():
        raise Http404(_("Only the issuing office and those above it track a directive."))
    return directive


def tracking_node(user: User, directive: Directive, unit_id: int | str) -> Unit:
    """A unit to drill into: visible to the user and on the directive's own branch, else 404."""
    node = get_visible_unit(user, unit_id)
    target = directive.target_unit
    if not node.is_within(target) and not target.is_within(node):
        raise Http404(_("That unit is not on this directive's way."))
    return node


def my_delivery(directive: Directive, unit: Unit | None) -> Delivery | None:
    if unit is None:
        return None
    return (
        Delivery.objects.filter(directive=directive, unit=unit)
        .select_related("relay_parent__unit")
        .first()
    )


def inbox(
    unit: Unit, *, state: str = "", priority: str = "", overdue: bool = False
) -> DeliveryQuerySet:
    """What has reached *unit*: urgent first, then newest; filters as the inbox offers them."""
    rows = (
        Delivery.objects.filter(unit=unit)
        .received()
        .exclude(directive__status=Directive.Status.DRAFT)
    )
    if state in Delivery.State.values:
        rows = rows.filter(state=state)
    if priority in Directive.Priority.values:
        rows = rows.filter(directive__priority=priority)
    if overdue:
        rows = rows.overdue()
    pinned = Case(
        When(
            Q(directive__priority=Directive.Priority.URGENT)
            & Q(directive__status=Directive.Status.ISSUED)
            & ~Q(state=Delivery.State.DONE),
            then=Value(0),
        ),
        default=Value(1),
    )
    return rows.select_related("directive__issuing_unit").order_by(
        # Urgent and still open first; within each, newest first.
        pinned,
        "directive__status",
        "-delivered_at",
        "-pk",
    )


def unread_count(unit: Unit) -> int:
    return Delivery.objects.filter(
        unit=unit, state=Delivery.State.DELIVERED, directive__status=Directive.Status.ISSUED
    ).count()


def sent(unit: Unit) -> QuerySet[Directive]:
    return (
        Directive.objects.filter(issuing_unit=unit)
        .select_related("target_unit")
        .order_by("-created_at", "-pk")
    )


def escalated_to(unit: Unit) -> DeliveryQuerySet:
    return (
        Delivery.objects.filter(escalated_to=unit)
        .exclude(state=Delivery.State.DONE)
        .filter(directive__status=Directive.Status.ISSUED)
        .select_related("unit", "directive__issuing_unit")
        .order_by("-escalated_at", "unit_path")
    )


@dataclass
class Funnel:
    """Cumulative counts: an acknowledged delivery also counts as delivered and seen."""

    expected: int = 0
    delivered: int = 0
    seen: int = 0
    acknowledged: int = 0
    done: int = 0
    overdue: int = 0
    label: str = ""
    unit: Unit | None = None
    level: Level | None = None
    extra: dict[str, int] = field(default_factory=dict)
    by_sms: int = 0  # acknowledged by an SMS from the unit (or done by one, unacknowledged)

    def add(self, state: str, n: int, *, past_due: bool) -> None:
        self.expected += n
        rank = Delivery.ORDER.index(state)  # type: ignore[arg-type]
        for name in STATES:
            if rank >= Delivery.ORDER.index(name):  # type: ignore[arg-type]
                setattr(self, name, getattr(self, name) + n)
        if past_due and state != Delivery.State.DONE:
            self.overdue += n

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("expected", *STATES, "overdue")}

    @property
    def acknowledged_share(self) -> int:
        """Per cent acknowledged, never above 100."""
        return round(100 * self.acknowledged / self.expected) if self.expected else 0


def tracking(
    directive: Directive, now: datetime.datetime | None = None
) -> tuple[Funnel, list[Funnel]]:
    """The whole funnel and one per level: one GROUP BY over the deliveries."""
    past_due = directive.status == Directive.Status.ISSUED and directive.due_at < (
        now or timezone.now()
    )
    rows = (
        Delivery.objects.filter(directive=directive)
        .values("level_id", "state")
        .annotate(n=Count("pk"), sms=Count("pk", filter=Q(acknowledged_via=Delivery.Via.SMS)))
        .order_by()
    )
    levels = {level.pk: level for level in Level.objects.all()}
    total = Funnel()
    by_level: dict[int, Funnel] = {}
    for row in rows:
        total.add(row["state"], row["n"], past_due=past_due)
        level = levels[row["level_id"]]
        funnel = by_level.setdefault(level.pk, Funnel(level=level, label=level.name))
        funnel.add(row["state"], row["n"], past_due=past_due)
        total.by_sms += row["sms"]
        funnel.by_sms += row["sms"]
    ordered = sorted(by_level.values(), key=lambda f: f.level.rank if f.level else 0)
    return total, ordered


def drilldown(
    directive: Directive, node: Unit, now: datetime.datetime | None = None
) -> list[Funnel]:
    """The funnel of each child branch of *node* (and of *node* itself when it is a recipient)."""
    past_due = directive.status == Directive.Status.ISSUED and directive.due_at < (
        now or timezone.now()
    )
    width = len(node.path) + paths.STEP
    rows = (
        Delivery.objects.filter(directive=directive)
        .filter(paths.prefix_q(node.path, "unit_path"))
        .annotate(branch=Substr("unit_path", 1, width))
        .values("branch", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    branches: dict[str, Funnel] = {}
    for row in rows:
        branches.setdefault(row["branch"], Funnel()).add(row["state"], row["n"], past_due=past_due)
    units = {u.path: u for u in Unit.objects.filter(path__in=branches).select_related("level")}
    out = []
    for branch, funnel in branches.items():
        funnel.unit = units.get(branch)
        funnel.label = funnel.unit.name if funnel.unit else branch
        out.append(funnel)
    return sorted(out, key=lambda f: (f.unit is None or f.unit.pk != node.pk, f.label))


def tracking_units(
    directive: Directive,
    *,
    state: str = "",
    level: str = "",
    overdue: bool = False,
    within: Unit | None = None,
    via: str = "",
) -> DeliveryQuerySet:
    """Recipient units with their delivery state, filtered like the tracking page offers."""
    rows = Delivery.objects.filter(directive=directive)
    if via in Delivery.Via.values:
        rows = rows.filter(acknowledged_via=via)
    if within is not None:
        rows = rows.filter(paths.prefix_q(within.path, "unit_path"))
    if state in Delivery.State.values:
        rows = rows.filter(state=state)
    if level:
        rows = rows.filter(level__slug=level)
    if overdue:
        # Nothing is overdue before the due time: skip the scan of every delivery.
        due = directive.status == Directive.Status.ISSUED and directive.due_at < timezone.now()
        rows = rows.exclude(state=Delivery.State.DONE) if due else rows.none()
    return rows.select_related("unit__parent", "level").order_by("unit_path")


def _recipient_units(target: Unit, level_ids: list[int], issuer: Unit) -> QuerySet[Unit]:
    units = Unit.objects.subtree(target).filter(is_active=True).exclude(pk=issuer.pk)
    return units.filter(level_id__in=level_ids) if level_ids else units


def recipient_counts(target: Unit, level_ids: list[int], issuer: Unit) -> list[tuple[Level, int]]:
    """How many units each level would receive: the compose page's live preview."""
    units = _recipient_units(target, level_ids, issuer)
    counts = dict(units.values_list("level_id").annotate(n=Count("pk")).order_by())
    return [(level, counts[level.pk]) for level in Level.objects.all() if level.pk in counts]


@dataclass(frozen=True)
class SmsEstimate:
    """What issuing a directive by SMS costs: people, parts per SMS, parts in all, taka."""

    sent: bool
    people: int
    encoding: str
    parts_each: int
    parts_total: int
    cost: Decimal
    text: str

    def as_dict(self) -> dict[str, object]:
        return {
            "sms": self.sent,
            "people": self.people,
            "encoding": self.encoding,
            "parts_per_sms": self.parts_each,
            "parts": self.parts_total,
            "price_per_part": str(price_per_part()),
            "cost": str(self.cost),
            "currency": "BDT",
            "text": self.text,
        }


def price_per_part() -> Decimal:
    return Decimal(str(settings.DAPTAR_SMS_PRICE_PER_PART))


def sms_estimate(directive: Directive) -> SmsEstimate:
    """The SMS an issue would send: one to each phone of every acting office bearer of every
    recipient unit (a relay sends them level by level, and this counts them all).

    Only an urgent directive goes out by SMS; for any other the figures are what it would
    cost if it were made urgent, and *sent* is False.
    """
    units = _recipient_units(
        directive.target_unit,
        list(directive.target_levels.values_list("pk", flat=True)),
        directive.issuing_unit,
    )
    return _estimate(
        units, directive.sms_text, sent=directive.priority == Directive.Priority.URGENT
    )


def compose_sms_estimate(
    issuer: Unit, target: Unit, level_ids: list[int], title: str
) -> SmsEstimate:
    """The compose page's estimate for an urgent directive not saved yet: its reference and
    short code are stood in for by ones of the length they will have."""
    upcoming = (Directive.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    stand_in = Directive(
        pk=upcoming,
        reference=f"{issuer.code}/{timezone.localdate().year}/0000",
        title=title.strip(),
        priority=Directive.Priority.URGENT,
    )
    units = _recipient_units(target, level_ids, issuer)
    return _estimate(units, stand_in.sms_text, sent=True)


def _estimate(units: QuerySet[Unit], text: str, *, sent: bool) -> SmsEstimate:
    people = (
        Term.objects.current()
        .filter(post__desk_role=Post.DeskRole.ACT, unit__in=units)
        .exclude(person__phone="")
        .count()
    )
    parts = count_parts(text)
    return SmsEstimate(
        sent=sent,
        people=people,
        encoding=parts.encoding,
        parts_each=parts.parts,
        parts_total=parts.parts * people,
        cost=parts.cost(price_per_part(), people),
        text=text,
    )
