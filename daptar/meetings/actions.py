"""Every write to meetings: series and phases, invitations, answers, attendance, minutes, feeds."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.accounts.queries import require_act
from daptar.audit.actions import record
from daptar.directives.actions import create_directive
from daptar.lib import jobs
from daptar.lib.exceptions import Conflict
from daptar.lib.numerals import to_bengali_digits
from daptar.meetings import queries
from daptar.meetings.models import (
    JOIN_EARLY,
    AgendaItem,
    CalendarFeed,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    Phase,
)
from daptar.meetings.queries import Rule
from daptar.people.models import Person
from daptar.units.models import Level, Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

# A video meeting with more people than this is a broadcast, not an exchange; a rule
# that matches more is almost always a mistake (a level left out).
MAX_INVITATIONS = 2000
MAX_MINUTES = 12 * 60
BATCH = 1000
DIRECTIVE_DUE = datetime.timedelta(days=7)


@dataclass(frozen=True)
class AgendaEntry:
    title: str
    minutes: int


@dataclass(frozen=True)
class PlanEntry:
    """One row of the phase planner: this unit (a division) meets in this phase at this time."""

    number: int
    unit: Unit
    starts_at: datetime.datetime
    video_url: str = ""


@dataclass(frozen=True)
class DecisionInput:
    title: str
    body: str = ""
    make_directive: bool = False
    due_at: datetime.datetime | None = None


def jitsi_room_url() -> str:
    """A new Jitsi Meet room on the configured server, with an unguessable name; "" if none."""
    base = getattr(settings, "DAPTAR_JITSI_BASE_URL", "").strip().rstrip("/")
    if not base:
        return ""
    return f"{base}/Daptar-{secrets.token_urlsafe(18)}"


def _require_host(by: User, meeting: Meeting) -> None:
    require_act(by, meeting.host_unit)


# --- validation ------------------------------------------------------------------------------


def _check_schedule(
    errors: dict[str, list[str]],
    *,
    starts_at: datetime.datetime,
    duration_minutes: int,
    agenda: list[AgendaEntry],
    now: datetime.datetime,
    check_start: bool = True,
) -> None:
    if duration_minutes <= 0:
        errors["duration_minutes"] = [_("The meeting must end after it starts.")]
    elif duration_minutes > MAX_MINUTES:
        errors["duration_minutes"] = [_("A meeting lasts at most 12 hours.")]
    if check_start and starts_at <= now:
        errors["starts_at"] = [_("The meeting must start in the future.")]
    problems = []
    for entry in agenda:
        if not entry.title.strip():
            problems.append(_("Give every agenda item a title."))
        if entry.minutes <= 0:
            problems.append(
                _("Give “%(item)s” a time in minutes (more than 0).") % {"item": entry.title}
            )
    total = sum(max(e.minutes, 0) for e in agenda)
    if duration_minutes > 0 and total > duration_minutes:
        problems.append(
            _("The agenda takes %(total)s minutes but the meeting lasts %(length)s minutes.")
            % {"total": total, "length": duration_minutes}
        )
    if problems:
        errors["agenda"] = problems


def _check_place(
    errors: dict[str, list[str]], *, mode: str, place: str, video_url: str
) -> tuple[str, bool]:
    """The video link to keep (a pasted one, or a new Jitsi room) and whether it was made here."""
    if mode not in Meeting.Mode.values:
        errors["mode"] = [_("Choose online, in person or hybrid.")]
        return "", False
    if mode in (Meeting.Mode.IN_PERSON, Meeting.Mode.HYBRID) and not place.strip():
        errors["place"] = [_("Say where the meeting is held.")]
    if mode == Meeting.Mode.IN_PERSON:
        return "", False
    video_url = video_url.strip()
    if video_url:
        if urlsplit(video_url).scheme not in ("http", "https"):
            errors["video_url"] = [_("The video link must start with https://.")]
        return video_url, False
    room = jitsi_room_url()
    if not room:
        errors["video_url"] = [
            _("Paste the video link: no Jitsi Meet server is configured for generated rooms.")
        ]
    return room, bool(room)


def _check_rule(errors: dict[str, list[str]], rule: Rule, host: Unit, by: User) -> None:
    outside = queries.rule_units_outside(rule, host)
    if outside:
        errors.setdefault("invite", []).append(
            _("%(units)s lie outside %(host)s's subtree: a meeting invites only units below it.")
            % {"units": ", ".join(u.name for u in outside), "host": host.name}
        )
    if rule.has_units and not rule.posts:
        errors.setdefault("invite", []).append(_("Choose the posts to invite in these units."))
    if rule.persons:
        ids = {p.pk for p in rule.persons}
        registered = list(Person.objects.visible_to(by).filter(pk__in=ids).select_related("unit"))
        if len(registered) != len(ids):
            errors.setdefault("invite", []).append(_("A guest is not in your register."))
        # The user's register may span other subtrees (desks in two of them); a meeting's
        # guests come from under its host only.
        elsewhere = [p for p in registered if not p.unit.is_within(host)]
        if elsewhere:
            errors.setdefault("invite", []).append(
                _(
                    "%(guests)s: not registered under %(host)s. A meeting invites guests "
                    "only from its own subtree."
                )
                % {"guests": ", ".join(p.name for p in elsewhere), "host": host.name}
            )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- series and planning ---------------------------------------------------------------------


def create_series(*, host_unit: Unit, by: User, title: str, purpose: str = "") -> MeetingSeries:
    """A new series of meetings hosted by *host_unit*."""
    require_act(by, host_unit)
    if not title.strip():
        raise ValidationError({"title": [_("Give the series a title.")]})
    with transaction.atomic():
        series = MeetingSeries.objects.create(
            host_unit=host_unit,
            unit_path=host_unit.path,
            title=title.strip(),
            purpose=purpose.strip(),
            created_by=by,
        )
        record("meeting_series.created", by=by, obj=series, unit=host_unit)
    return series


def plan_title(series: MeetingSeries, number: int, unit: Unit) -> str:
    return f"{series.title} · ধাপ {to_bengali_digits(number)} · {unit.name_bn}"[:200]


def plan_phases(
    series: MeetingSeries,
    *,
    by: User,
    entries: list[PlanEntry],
    duration_minutes: int,
    agenda: list[AgendaEntry],
    rule: Rule,
    mode: str = Meeting.Mode.ONLINE,
    place: str = "",
    send: bool = False,
) -> list[Meeting]:
    """One meeting per planned unit (a division): its units at the rule's levels × posts.

    *rule* gives the levels, posts and guests; each entry's unit becomes the rule's
    `within`. All or nothing: one bad row and no meeting is made.
    """
    require_act(by, series.host_unit)
    if not entries:
        raise ValidationError({"phases": [_("Tick at least one division and give its time.")]})
    seen = set()
    problems = []
    for entry in entries:
        if (entry.number, entry.unit.pk) in seen:
            problems.append(_("%(unit)s is listed twice.") % {"unit": entry.unit.name})
        seen.add((entry.number, entry.unit.pk))
        if entry.number < 1:
            problems.append(_("Phases are numbered from 1."))
        if Meeting.objects.filter(
            series=series, phase__number=entry.number, planned_for=entry.unit
        ).exists():
            problems.append(
                _("%(unit)s already has a meeting in phase %(n)s.")
                % {"unit": entry.unit.name, "n": entry.number}
            )
    if problems:
        raise ValidationError({"phases": problems})
    meetings = []
    with transaction.atomic():
        for entry in entries:
            try:
                meeting = create_meeting(
                    host_unit=series.host_unit,
                    by=by,
                    title=plan_title(series, entry.number, entry.unit),
                    starts_at=entry.starts_at,
                    duration_minutes=duration_minutes,
                    agenda=agenda,
                    rule=Rule(
                        within=entry.unit,
                        levels=rule.levels,
                        posts=rule.posts,
                        persons=rule.persons,
                    ),
                    mode=mode,
                    place=place,
                    video_url=entry.video_url,
                    series=series,
                    phase_number=entry.number,
                    planned_for=entry.unit,
                    send=send,
                )
            except ValidationError as error:
                raise ValidationError(
                    {
                        key: [f"{entry.unit.name}: {m}" for m in messages]
                        for key, messages in error.message_dict.items()
                    }
                ) from error
            meetings.append(meeting)
        record(
            "meeting_series.planned",
            by=by,
            obj=series,
            unit=series.host_unit,
            detail={"meetings": [m.pk for m in meetings]},
        )
    return meetings


# --- meetings --------------------------------------------------------------------------------


def create_meeting(
    *,
    host_unit: Unit,
    by: User,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    agenda: list[AgendaEntry],
    rule: Rule,
    mode: str = Meeting.Mode.ONLINE,
    place: str = "",
    video_url: str = "",
    series: MeetingSeries | None = None,
    phase_number: int | None = None,
    planned_for: Unit | None = None,
    send: bool = False,
) -> Meeting:
    """A meeting with its agenda and its invitations resolved now, through current terms.

    The invitations are written at once (the host sees the list) but nobody is told
    until they are sent: here with *send*, or later with send_invitations().
    """
    require_act(by, host_unit)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the meeting a title.")]
    _check_schedule(
        errors, starts_at=starts_at, duration_minutes=duration_minutes, agenda=agenda, now=now
    )
    video_url, generated = _check_place(errors, mode=mode, place=place, video_url=video_url)
    if series is not None and series.host_unit_id != host_unit.pk:
        errors["series"] = [_("This series belongs to another office.")]
    if phase_number is not None and series is None:
        errors["phase"] = [_("A phase belongs to a series: choose the series too.")]
    elif phase_number is not None and phase_number < 1:
        errors["phase"] = [_("Phases are numbered from 1.")]
    _check_rule(errors, rule, host_unit, by)
    _raise(errors)
    invitees = queries.resolve(rule, on=timezone.localdate())
    if rule.has_units and not any(i.unit_id for i in invitees):
        errors["invite"] = [_("No one holds these posts in these units today.")]
    elif not invitees:
        errors["invite"] = [_("Invite at least one unit or person.")]
    elif len(invitees) > MAX_INVITATIONS:
        errors["invite"] = [
            _("This rule invites %(n)s people; a meeting takes at most %(max)s. Narrow it down.")
            % {"n": len(invitees), "max": MAX_INVITATIONS}
        ]
    _raise(errors)
    with transaction.atomic():
        phase = None
        if series is not None and phase_number is not None:
            phase, _created = Phase.objects.get_or_create(series=series, number=phase_number)
        meeting = Meeting.objects.create(
            series=series,
            phase=phase,
            host_unit=host_unit,
            unit_path=host_unit.path,
            planned_for=planned_for,
            title=title.strip(),
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            ends_at=starts_at + datetime.timedelta(minutes=duration_minutes),
            mode=mode,
            place=place.strip(),
            video_url=video_url,
            video_generated=generated,
            invite_rule=rule.as_json(),
            invitations_count=len(invitees),
            created_by=by,
        )
        _write_agenda(meeting, agenda)
        Invitation.objects.bulk_create(
            [
                Invitation(
                    meeting=meeting,
                    person_id=i.person_id,
                    unit_id=i.unit_id,
                    unit_path=i.unit_path,
                    post_id=i.post_id,
                )
                for i in invitees
            ],
            batch_size=BATCH,
        )
        record(
            "meeting.created",
            by=by,
            obj=meeting,
            unit=host_unit,
            detail={"invitations": len(invitees), "rule": rule.as_json()},
        )
        if send:
            _send(meeting, by=by, now=now)
    return meeting


def _write_agenda(meeting: Meeting, agenda: list[AgendaEntry]) -> None:
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=n, title=e.title.strip()[:200], minutes=e.minutes)
            for n, e in enumerate(agenda, start=1)
        ]
    )


def _reminder_flags(starts_at: datetime.datetime, now: datetime.datetime) -> dict[str, object]:
    """A reminder whose moment has already passed is not sent: the notice itself just went."""
    return {
        "reminded_day_at": now if starts_at - now <= datetime.timedelta(days=1) else None,
        "reminded_hour_at": now if starts_at - now <= datetime.timedelta(hours=1) else None,
    }


def _send(meeting: Meeting, *, by: User, now: datetime.datetime) -> None:
    if meeting.starts_at <= now:
        raise ValidationError(
            {"starts_at": [_("This meeting's time has passed: change it before sending.")]}
        )
    updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.DRAFT).update(
        status=Meeting.Status.SENT,
        sent_at=now,
        updated_at=now,
        **_reminder_flags(meeting.starts_at, now),
    )
    if not updated:
        raise Conflict(_("The invitations have already been sent."))
    meeting.refresh_from_db()
    record(
        "meeting.sent",
        by=by,
        obj=meeting,
        unit=meeting.host_unit,
        detail={"invitations": meeting.invitations_count},
    )
    meeting_id, sequence = meeting.pk, meeting.sequence
    jobs.after_commit("meetings.notify_invitees", meeting_id, "invited", sequence)


def send_invitations(meeting: Meeting, *, by: User) -> Meeting:
    """Tell every invitee (in-app, and e-mail with the calendar file): once."""
    _require_host(by, meeting)
    with transaction.atomic():
        _send(meeting, by=by, now=timezone.now())
    return meeting


def discard_draft(meeting: Meeting, *, by: User) -> None:
    """Throw away a meeting whose invitations were never sent."""
    _require_host(by, meeting)
    with transaction.atomic():
        if meeting.status != Meeting.Status.DRAFT:
            raise Conflict(_("Invitations have gone out: this meeting can no longer be discarded."))
        record(
            "meeting.discarded",
            by=by,
            obj=meeting,
            unit=meeting.host_unit,
            detail={"title": meeting.title},
        )
        meeting.delete()


def update_meeting(
    meeting: Meeting,
    *,
    by: User,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    agenda: list[AgendaEntry],
    mode: str,
    place: str,
    video_url: str,
) -> Meeting:
    """Change a meeting. Once sent, each change raises its SEQUENCE, and a new time, place
    or link tells the invitees again (with the new calendar file)."""
    _require_host(by, meeting)
    now = timezone.now()
    if meeting.is_over:
        raise Conflict(_("This meeting is over: it can no longer be changed."))
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the meeting a title.")]
    _check_schedule(
        errors,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        agenda=agenda,
        now=now,
        check_start=starts_at != meeting.starts_at,
    )
    # A blank link keeps the room the meeting already has.
    video_url, generated = (
        (meeting.video_url, meeting.video_generated)
        if not video_url.strip() and meeting.video_url and mode != Meeting.Mode.IN_PERSON
        else _check_place(errors, mode=mode, place=place, video_url=video_url)
    )
    if mode in (Meeting.Mode.IN_PERSON, Meeting.Mode.HYBRID) and not place.strip():
        errors["place"] = [_("Say where the meeting is held.")]
    _raise(errors)
    fields = {
        "title": title.strip(),
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "ends_at": starts_at + datetime.timedelta(minutes=duration_minutes),
        "mode": mode,
        "place": place.strip(),
        "video_url": video_url,
        "video_generated": generated,
    }
    old_agenda = [AgendaEntry(a.title, a.minutes) for a in meeting.agenda.all()]
    new_agenda = [AgendaEntry(a.title.strip(), a.minutes) for a in agenda]
    changed = sorted(k for k, v in fields.items() if getattr(meeting, k) != v)
    if old_agenda != new_agenda:
        changed.append("agenda")
    if not changed:
        return meeting
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        sent = locked.status == Meeting.Status.SENT
        if sent:
            locked.sequence += 1
        if "starts_at" in changed:
            for name, value in _reminder_flags(starts_at, now).items():
                setattr(locked, name, value)
        locked.save()
        if "agenda" in changed:
            locked.agenda.all().delete()
            _write_agenda(locked, new_agenda)
        record(
            "meeting.changed",
            by=by,
            obj=locked,
            unit=locked.host_unit,
            detail={"fields": changed, "sequence": locked.sequence},
        )
        tell = {"starts_at", "duration_minutes", "mode", "place", "video_url"} & set(changed)
        if sent and tell:
            meeting_id, sequence = locked.pk, locked.sequence
            jobs.after_commit("meetings.notify_invitees", meeting_id, "changed", sequence)
    meeting.refresh_from_db()
    return meeting


# --- invitees --------------------------------------------------------------------------------


def _require_own(invitation: Invitation, by: User) -> None:
    if not by.person_id or invitation.person_id != by.person_id:
        raise PermissionDenied(_("Only the invitee answers an invitation."))


def answer(invitation: Invitation, *, by: User, answer: str) -> Invitation:
    """The invitee says yes, no or maybe; they may change their mind until the meeting ends."""
    _require_own(invitation, by)
    if answer not in (Invitation.Answer.YES, Invitation.Answer.NO, Invitation.Answer.MAYBE):
        raise ValidationError({"answer": [_("Answer yes, no or maybe.")]})
    meeting = invitation.meeting
    if meeting.status != Meeting.Status.SENT:
        raise Conflict(_("The invitations have not been sent yet."))
    if meeting.is_over:
        raise Conflict(_("This meeting is over."))
    if invitation.rsvp == answer:
        return invitation
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            rsvp=answer, rsvp_at=timezone.now(), updated_at=timezone.now()
        )
        invitation.refresh_from_db()
        record(
            "meeting.answered",
            by=by,
            obj=meeting,
            unit=invitation.unit,
            detail={"invitation": invitation.pk, "answer": answer},
        )
    return invitation


def join(invitation: Invitation, *, by: User) -> Invitation:
    """The invitee opens the video room: they count as present."""
    _require_own(invitation, by)
    meeting = invitation.meeting
    if not meeting.can_join:
        if meeting.is_over:
            raise Conflict(_("This meeting is over."))
        raise Conflict(
            _("The video room opens %(minutes)s minutes before the start.")
            % {"minutes": int(JOIN_EARLY.total_seconds() // 60)}
        )
    if invitation.joined_at is not None and invitation.attended:
        return invitation
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            joined_at=invitation.joined_at or now, attended=True, attendance_at=now, updated_at=now
        )
        invitation.refresh_from_db()
        record(
            "meeting.joined",
            by=by,
            obj=meeting,
            unit=invitation.unit,
            detail={"invitation": invitation.pk},
        )
    return invitation


def mark_attendance(invitation: Invitation, *, by: User, attended: bool) -> Invitation:
    """The host marks an invitee present or absent (from shortly before the start onwards)."""
    meeting = invitation.meeting
    _require_host(by, meeting)
    if meeting.status != Meeting.Status.SENT:
        raise Conflict(_("The invitations have not been sent yet."))
    if timezone.now() < meeting.starts_at - JOIN_EARLY:
        raise Conflict(_("Attendance is taken once the meeting begins."))
    if invitation.attended is attended:
        return invitation
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            attended=attended, attendance_at=now, attendance_by=by, updated_at=now
        )
        invitation.refresh_from_db()
        record(
            "meeting.attendance",
            by=by,
            obj=meeting,
            unit=meeting.host_unit,
            detail={"invitation": invitation.pk, "attended": attended},
        )
    return invitation


# --- minutes and decisions -------------------------------------------------------------------


def record_minutes(
    meeting: Meeting, *, by: User, text: str, decisions: list[DecisionInput]
) -> list[Decision]:
    """The minutes and their decisions, once; a decision may become a directive draft now."""
    _require_host(by, meeting)
    if meeting.status != Meeting.Status.SENT or not meeting.has_started:
        raise Conflict(_("Minutes are recorded once the meeting has begun."))
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("Write the minutes.")]
    if any(not d.title.strip() for d in decisions):
        errors["decisions"] = [_("Give every decision a title.")]
    _raise(errors)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.minutes_at is not None:
            raise Conflict(_("The minutes have already been recorded."))
        now = timezone.now()
        Meeting.objects.filter(pk=meeting.pk).update(
            minutes=text.strip(), minutes_at=now, minutes_by=by, updated_at=now
        )
        meeting.refresh_from_db()
        record(
            "meeting.minutes_recorded",
            by=by,
            obj=meeting,
            unit=meeting.host_unit,
            detail={"decisions": len(decisions)},
        )
        made = [_add_decision(meeting, item, by=by) for item in decisions]
    return made


def add_decision(meeting: Meeting, *, by: User, decision: DecisionInput) -> Decision:
    """One more decision, after the minutes were recorded."""
    _require_host(by, meeting)
    if meeting.minutes_at is None:
        raise Conflict(_("Record the minutes first."))
    if not decision.title.strip():
        raise ValidationError({"title": [_("Give the decision a title.")]})
    with transaction.atomic():
        # Two hosts adding at once number their decisions one after the other.
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        return _add_decision(meeting, decision, by=by)


def _add_decision(meeting: Meeting, item: DecisionInput, *, by: User) -> Decision:
    last = meeting.decisions.order_by("-position").values_list("position", flat=True).first()
    decision = Decision.objects.create(
        meeting=meeting,
        position=(last or 0) + 1,
        title=item.title.strip()[:200],
        body=item.body.strip(),
        created_by=by,
    )
    record(
        "meeting.decision_added",
        by=by,
        obj=meeting,
        unit=meeting.host_unit,
        detail={"decision": decision.pk},
    )
    if item.make_directive:
        make_directive(decision, by=by, due_at=item.due_at)
    return decision


def make_directive(
    decision: Decision, *, by: User, due_at: datetime.datetime | None = None
) -> Decision:
    """A directive draft from the decision, addressed to the meeting's units; linked both ways."""
    meeting = decision.meeting
    _require_host(by, meeting)
    targets = queries.directive_targets(meeting)
    if targets is None:
        raise ValidationError(
            {"decisions": [_("This meeting invited no unit, so a directive has no one to go to.")]}
        )
    target, levels = targets
    levels = _levels_below(levels, meeting.host_unit)
    if not levels:
        raise ValidationError(
            {"decisions": [_("Only the host's own office was invited: there is no one to direct.")]}
        )
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.directive_id is not None:
            raise Conflict(_("This decision is already a directive draft."))
        directive = create_directive(
            issuing_unit=meeting.host_unit,
            by=by,
            title=decision.title,
            body=_directive_body(decision),
            due_at=due_at or timezone.now() + DIRECTIVE_DUE,
            target_unit=target,
            target_levels=levels,
        )
        Decision.objects.filter(pk=decision.pk).update(directive=directive)
        decision.refresh_from_db()
        record(
            "meeting.decision_directive",
            by=by,
            obj=meeting,
            unit=meeting.host_unit,
            detail={"decision": decision.pk, "directive": directive.pk},
        )
    return decision


def _levels_below(levels: list[Level], host: Unit) -> list[Level]:
    """The invited units' levels; a directive never goes to the issuer's own level."""
    return [lv for lv in levels if lv.rank > host.level.rank]


def _directive_body(decision: Decision) -> str:
    meeting = decision.meeting
    url = f"{settings.DAPTAR_SITE_URL.rstrip('/')}{reverse('meetings:minutes', args=[meeting.pk])}"
    source = _("Decision of the meeting “%(title)s” on %(date)s: %(url)s") % {
        "title": meeting.title,
        "date": timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y"),
        "url": url,
    }
    return f"{decision.body}\n\n{source}".strip()


# --- calendar feeds --------------------------------------------------------------------------


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(person: Person, *, by: User) -> tuple[CalendarFeed, str]:
    """A new secret calendar link for the user's own person; any older link stops working.

    Returns the feed and its token, which is shown this once and never stored.
    """
    if not by.person_id or by.person_id != person.pk:
        raise PermissionDenied(_("Only its owner can make a calendar link."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=now, updated_at=now
        )
        feed = CalendarFeed.objects.create(
            person=person, token_hash=feed_digest(token), created_by=by
        )
        record("meeting.feed_created", by=by, obj=feed, unit=None)
    return feed, token


def revoke_feed(feed: CalendarFeed, *, by: User) -> CalendarFeed:
    if not by.person_id or by.person_id != feed.person_id:
        raise PermissionDenied(_("Only its owner can revoke a calendar link."))
    with transaction.atomic():
        if not CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        ):
            raise Conflict(_("This calendar link has already been revoked."))
        feed.refresh_from_db()
        record("meeting.feed_revoked", by=by, obj=feed, unit=None)
    return feed
