"""Reads of meetings that are more than a filter: invitation rules, lists, tallies, the badge."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.lib import paths
from daptar.meetings.models import (
    Invitation,
    InvitationQuerySet,
    Meeting,
    MeetingQuerySet,
    MeetingSeries,
)
from daptar.people.models import Person, Post, Term
from daptar.units.models import Level, Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def get_visible_meeting(user: User, meeting_id: int | str) -> Meeting:
    """The meeting if the user hosts it (within scope) or is invited; 404 otherwise."""
    return get_object_or_404(
        Meeting.objects.visible_to(user).select_related("host_unit", "series", "phase"),
        pk=_pk(meeting_id),
    )


def get_hosted_meeting(user: User, meeting_id: int | str) -> Meeting:
    """A meeting whose host lies in the user's scope: its invitation list, attendance, minutes."""
    meeting = get_visible_meeting(user, meeting_id)
    if not is_host_side(user, meeting):
        raise Http404(_("Only the host office and those above it manage a meeting."))
    return meeting


def is_host_side(user: User, meeting: Meeting) -> bool:
    """True when the meeting's host lies in one of the user's subtrees (the scope rule of
    Unit.visible_to_q, read off the desks already loaded: no query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(
        meeting.unit_path.startswith(desk.unit.path) for desk in user.desks
    )


def get_visible_series(user: User, series_id: int | str) -> MeetingSeries:
    return get_object_or_404(
        MeetingSeries.objects.visible_to(user).select_related("host_unit"), pk=_pk(series_id)
    )


def my_invitation(meeting: Meeting, user: User) -> Invitation | None:
    """The user's own invitation to *meeting* (through their person), if any."""
    if not user.is_authenticated or not user.person_id:
        return None
    return (
        Invitation.objects.filter(meeting=meeting, person_id=user.person_id)
        .select_related("unit", "post")
        .first()
    )


# --- invitation rules ------------------------------------------------------------------------


@dataclass
class Rule:
    """Who a meeting invites: units (listed, or every unit at some levels under `within`;
    `within` alone is that one unit) × posts, plus named guests."""

    units: list[Unit] = field(default_factory=list)
    within: Unit | None = None
    levels: list[Level] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)

    @property
    def has_units(self) -> bool:
        return bool(self.units) or self.within is not None

    def units_q(self) -> Q:
        """The rule's units as a Q on Unit (listed ones, or the subtree at the levels)."""
        q = Q(pk__in=[u.pk for u in self.units]) if self.units else Q(pk__in=[])
        if self.within is not None and self.levels:
            q |= Unit.objects.subtree_q(self.within) & Q(level_id__in=[lv.pk for lv in self.levels])
        elif self.within is not None:
            # No level named: the unit itself, never its whole subtree by accident.
            q |= Q(pk=self.within.pk)
        return q

    def as_json(self) -> dict[str, object]:
        """What the meeting keeps of the rule, to show how its list was made."""
        return {
            "units": [u.pk for u in self.units],
            "within": self.within.pk if self.within else None,
            "levels": [lv.slug for lv in self.levels],
            "posts": [p.slug for p in self.posts],
            "persons": [p.pk for p in self.persons],
        }


@dataclass(frozen=True)
class Invitee:
    person_id: int
    unit_id: int | None
    unit_path: str
    post_id: int | None


def resolve(rule: Rule, on: datetime.date | None = None) -> list[Invitee]:
    """The persons the rule invites today: one query over the current terms, then the guests.

    A person matched more than once (two posts, two units) is invited once, through
    the first match in tree and post order; a guest already matched stays a rule match.
    """
    rows: list[tuple[int, int, str, int]] = []
    if rule.has_units and rule.posts:
        units = Unit.objects.filter(rule.units_q(), is_active=True)
        rows = list(
            Term.objects.current(on)
            .filter(unit__in=units, post__in=rule.posts)
            .order_by("unit__path", "post__rank", "person_id")
            .values_list("person_id", "unit_id", "unit__path", "post_id")
        )
    seen: set[int] = set()
    out: list[Invitee] = []
    for person_id, unit_id, path, post_id in rows:
        if person_id not in seen:
            seen.add(person_id)
            out.append(Invitee(person_id, unit_id, path, post_id))
    for person in rule.persons:
        if person.pk not in seen:
            seen.add(person.pk)
            out.append(Invitee(person.pk, None, "", None))
    return out


def rule_units_outside(rule: Rule, host: Unit) -> list[Unit]:
    """The units a rule names that do not lie under *host* (each one is an error)."""
    named = [*rule.units, *([rule.within] if rule.within else [])]
    return [u for u in named if not u.is_within(host)]


# --- lists -----------------------------------------------------------------------------------


def invited(user: User, *, past: bool = False) -> InvitationQuerySet:
    """The user's own invitations: upcoming ones soonest first, or past ones latest first."""
    if not user.person_id:
        return Invitation.objects.none()
    now = timezone.now()
    rows = Invitation.objects.filter(
        person_id=user.person_id, meeting__status=Meeting.Status.SENT
    ).select_related("meeting__host_unit", "unit", "post")
    if past:
        return rows.filter(meeting__ends_at__lte=now).order_by("-meeting__starts_at", "-pk")
    return rows.filter(meeting__ends_at__gt=now).order_by("meeting__starts_at", "pk")


def hosted(unit: Unit) -> MeetingQuerySet:
    """Meetings hosted by *unit*, latest first."""
    return (
        Meeting.objects.filter(host_unit=unit)
        .select_related("series", "phase")
        .order_by("-starts_at", "-pk")
    )


def series_of(unit: Unit) -> QuerySet[MeetingSeries]:
    return (
        MeetingSeries.objects.filter(host_unit=unit)
        .annotate(meetings_count=Count("meetings"))
        .order_by("-created_at", "-pk")
    )


def series_meetings(series: MeetingSeries) -> MeetingQuerySet:
    """A series' meetings in phase order, each with the division it was planned for."""
    return (
        Meeting.objects.filter(series=series)
        .select_related("phase", "planned_for")
        .order_by("phase__number", "starts_at", "pk")
    )


def invitation_list(meeting: Meeting, *, rsvp: str | None = None) -> InvitationQuerySet:
    """The host's list: every invitee with the unit and post that matched, in tree order."""
    rows = Invitation.objects.filter(meeting=meeting)
    if rsvp is not None and rsvp in Invitation.Answer.values:
        rows = rows.filter(rsvp=rsvp)
    # Tree order; the guests (no unit, empty path) come first.
    return rows.select_related("person__unit", "unit", "post").order_by(
        "unit_path", "post__rank", "pk"
    )


@dataclass
class Tally:
    """Expected against actual for one unit (or the guests)."""

    unit: Unit | None
    invited: int
    yes: int
    present: int
    absent: int

    @property
    def share(self) -> int:
        return round(100 * self.present / self.invited) if self.invited else 0


def counts(meeting: Meeting) -> dict[str, int]:
    """Invited, answers and attendance of the whole meeting: one aggregate."""
    return Invitation.objects.filter(meeting=meeting).aggregate(
        invited=Count("pk"),
        yes=Count("pk", filter=Q(rsvp=Invitation.Answer.YES)),
        no=Count("pk", filter=Q(rsvp=Invitation.Answer.NO)),
        maybe=Count("pk", filter=Q(rsvp=Invitation.Answer.MAYBE)),
        unanswered=Count("pk", filter=Q(rsvp=Invitation.Answer.NONE)),
        present=Count("pk", filter=Q(attended=True)),
        absent=Count("pk", filter=Q(attended=False)),
        joined=Count("pk", filter=Q(joined_at__isnull=False)),
    )


def per_unit(meeting: Meeting) -> QuerySet[Any, Any]:
    """Expected against actual per invited unit: one GROUP BY (guests as the unit-less row)."""
    return (
        Invitation.objects.filter(meeting=meeting)
        .values("unit_id", "unit_path")
        .annotate(
            invited=Count("pk"),
            yes=Count("pk", filter=Q(rsvp=Invitation.Answer.YES)),
            present=Count("pk", filter=Q(attended=True)),
            absent=Count("pk", filter=Q(attended=False)),
        )
        .order_by("unit_path", "unit_id")
    )


def tallies(rows: list[dict[str, Any]]) -> list[Tally]:
    """Attach the units to one page of per_unit() rows (one query)."""
    ids = [r["unit_id"] for r in rows if r["unit_id"]]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("level")}
    return [
        Tally(
            unit=units.get(r["unit_id"]) if r["unit_id"] else None,
            invited=r["invited"],
            yes=r["yes"],
            present=r["present"],
            absent=r["absent"],
        )
        for r in rows
    ]


def directive_targets(meeting: Meeting) -> tuple[Unit, list[Level]] | None:
    """The directive target that reaches the meeting's units: their nearest common ancestor
    and their levels. None when the meeting invited no unit (only guests)."""
    rows = list(
        Invitation.objects.filter(meeting=meeting, unit__isnull=False)
        .values_list("unit_path", "unit__level_id")
        .distinct()
        .order_by()
    )
    if not rows:
        return None
    # The common prefix of a set of strings is that of its smallest and its largest.
    first, last = min(p for p, _lv in rows), max(p for p, _lv in rows)
    size = next(
        (n for n, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first)
    )
    common = first[: size - size % paths.STEP]
    if not common.startswith(meeting.unit_path):
        common = meeting.unit_path  # never address a directive above the host
    target = Unit.objects.get(path=common)
    levels = list(Level.objects.filter(pk__in={lv for _p, lv in rows}))
    return target, levels


def unanswered_count(unit: Unit) -> int:
    """The nav badge: upcoming meetings with an unanswered invitation for *unit*'s office."""
    return (
        Invitation.objects.filter(unit=unit, rsvp=Invitation.Answer.NONE)
        .upcoming()
        .values("meeting_id")
        .distinct()
        .count()
    )
