from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from daptar.accounts.models import Desk, User
from daptar.accounts.queries import acting_desk, require_act
from daptar.lib.buttons import press
from daptar.lib.exceptions import Conflict
from daptar.lib.numerals import localise_digits
from daptar.lib.requests import AuthedRequest
from daptar.meetings import actions, ics, queries
from daptar.meetings.forms import (
    DecisionForm,
    MeetingForm,
    MinutesForm,
    PlanForm,
    SeriesForm,
    agenda_text,
    due_at,
)
from daptar.meetings.models import CalendarFeed, Invitation, Meeting
from daptar.people.models import Person

# Which form field shows an action's error for each of its keys.
FIELD_FOR = {"duration_minutes": "ends_at", "invite": "within", "phases": None, "decisions": None}
FEED_DAYS = 90
FEED_LIMIT = 500


def _desk(request: AuthedRequest) -> Desk:
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    return desk


def _can_host(user: User, meeting: Meeting) -> bool:
    """May the user act for the meeting's host (an act desk at it or above it)?"""
    return user.is_superuser or any(
        d.can_act and meeting.host_unit.is_within(d.unit) for d in user.desks
    )


def _form_errors(form: Form, error: ValidationError) -> None:
    for key, errors in error.message_dict.items():
        name = FIELD_FOR.get(key, key)
        form.add_error(name if name in form.fields else None, errors)


_run = press  # a repeat or bad input comes back as a message; a desk that may not act gets 403


# --- lists -----------------------------------------------------------------------------------


@login_required
def invitations(request: AuthedRequest) -> HttpResponse:
    """The meetings the user is invited to: upcoming soonest first, or past ones."""
    past = request.GET.get("past") == "1"
    page = Paginator(queries.invited(request.user, past=past), 30).get_page(request.GET.get("page"))
    return render(request, "meetings/list.html", {"page": page, "past": past})


@login_required
def hosted(request: AuthedRequest) -> HttpResponse:
    desk = _desk(request)
    page = Paginator(queries.hosted(desk.unit), 30).get_page(request.GET.get("page"))
    return render(request, "meetings/hosted.html", {"page": page, "unit": desk.unit})


@login_required
def series_list(request: AuthedRequest) -> HttpResponse:
    desk = _desk(request)
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = actions.create_series(
                host_unit=desk.unit, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Series created. Plan its phases."))
            return redirect("meetings:series", series.pk)
    page = Paginator(queries.series_of(desk.unit), 30).get_page(request.GET.get("page"))
    return render(request, "meetings/series_list.html", {"page": page, "form": form, "desk": desk})


@login_required
def series_detail(request: AuthedRequest, series_id: int) -> HttpResponse:
    series = queries.get_visible_series(request.user, series_id)
    page = Paginator(queries.series_meetings(series), 50).get_page(request.GET.get("page"))
    return render(request, "meetings/series.html", {"series": series, "page": page})


@login_required
def plan(request: AuthedRequest, series_id: int) -> HttpResponse:
    """The phase planner: one meeting per ticked division, each inviting its districts."""
    series = queries.get_visible_series(request.user, series_id)
    require_act(request.user, series.host_unit)
    form = PlanForm(request.POST or None, series=series)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entries = [
            actions.PlanEntry(
                number=data[f"phase_{u.pk}"],
                unit=u,
                starts_at=data[f"starts_{u.pk}"],
                video_url=data[f"video_{u.pk}"] or "",
            )
            for u in data["picked"]
        ]
        try:
            made = actions.plan_phases(
                series,
                by=request.user,
                entries=entries,
                duration_minutes=data["duration_minutes"],
                agenda=data["agenda"],
                rule=queries.Rule(levels=[data["level"]], posts=list(data["posts"])),
                mode=data["mode"],
                place=data["place"],
                send=data["send"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            shown = {"n": localise_digits(len(made), get_language() or "bn")}
            messages.success(
                request,
                ngettext(
                    "%(n)s meeting planned. Check its invitation list, then send it.",
                    "%(n)s meetings planned. Check each invitation list, then send it.",
                    len(made),
                )
                % shown
                if not data["send"]
                else ngettext(
                    "%(n)s meeting planned and its invitations sent.",
                    "%(n)s meetings planned and their invitations sent.",
                    len(made),
                )
                % shown,
            )
            return redirect("meetings:series", series.pk)
    return render(request, "meetings/plan.html", {"series": series, "form": form})


# --- one meeting -----------------------------------------------------------------------------


def _guests(request: AuthedRequest) -> list[Person]:
    ids = [int(v) for v in request.POST.getlist("guests") if v.isdigit()][:200]
    return list(Person.objects.visible_to(request.user).filter(pk__in=ids).select_related("unit"))


@login_required
def new(request: AuthedRequest) -> HttpResponse:
    desk = _desk(request)
    require_act(request.user, desk.unit)
    form = MeetingForm(request.POST or None, host=desk.unit)
    guests = _guests(request) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = queries.Rule(
            within=data["within"],
            levels=list(data["levels"]),
            posts=list(data["posts"]),
            persons=guests,
        )
        try:
            meeting = actions.create_meeting(
                host_unit=desk.unit,
                by=request.user,
                title=data["title"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                agenda=data["agenda"],
                rule=rule,
                mode=data["mode"],
                place=data["place"],
                video_url=data["video_url"],
                series=data["series"],
                phase_number=data["phase"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Meeting saved. Check the invitation list, then send it."))
            return redirect("meetings:detail", meeting.pk)
    return render(
        request, "meetings/form.html", {"form": form, "guests": guests, "unit": desk.unit}
    )


@login_required
@require_GET
def people(request: AuthedRequest) -> HttpResponse:
    """Guests to pick (htmx): people in the user's register whose name matches."""
    text = request.GET.get("q", "").strip()
    found = (
        Person.objects.visible_to(request.user).search(text).select_related("unit")[:20]
        if len(text) >= 2
        else []
    )
    return render(request, "meetings/form.html#people", {"found": found, "q": text})


@login_required
def edit(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    require_act(request.user, meeting.host_unit)
    local = timezone.localtime
    initial = {
        "title": meeting.title,
        "starts_at": local(meeting.starts_at),
        "ends_at": local(meeting.ends_at),
        "mode": meeting.mode,
        "place": meeting.place,
        "video_url": meeting.video_url,
        "agenda": agenda_text(meeting),
    }
    form = MeetingForm(
        request.POST or None, initial=initial, host=meeting.host_unit, meeting=meeting
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_meeting(
                meeting,
                by=request.user,
                title=data["title"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                agenda=data["agenda"],
                mode=data["mode"],
                place=data["place"],
                video_url=data["video_url"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        except Conflict as exc:
            messages.info(request, str(exc))
            return redirect("meetings:detail", meeting.pk)
        else:
            messages.success(request, _("Meeting changed."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


def _detail_context(request: AuthedRequest, meeting: Meeting) -> dict[str, Any]:
    host_side = queries.is_host_side(request.user, meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "agenda": meeting.agenda.all(),
        "mine": queries.my_invitation(meeting, request.user),
        "host_side": host_side,
        "can_host": host_side and _can_host(request.user, meeting),
        "answers": Invitation.Answer.choices[1:],
    }
    if host_side:
        rsvp = request.GET.get("rsvp")
        rows = queries.invitation_list(meeting, rsvp=rsvp)
        context |= {
            "counts": queries.counts(meeting),
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "rsvp": rsvp,
            "taking_attendance": meeting.status == Meeting.Status.SENT
            and timezone.now() >= meeting.starts_at - datetime.timedelta(minutes=30),
        }
    return context


@login_required
def detail(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_visible_meeting(request.user, meeting_id)
    context = _detail_context(request, meeting)
    if request.htmx and request.htmx.target == "invitations" and context["host_side"]:
        return render(request, "meetings/detail.html#invitations", context)
    return render(request, "meetings/detail.html", context)


@login_required
@require_POST
def send(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    _run(
        request,
        lambda: actions.send_invitations(meeting, by=request.user),
        ngettext(
            "Invitation sent to %(n)s person.",
            "Invitations sent to %(n)s people.",
            meeting.invitations_count,
        )
        % {"n": localise_digits(meeting.invitations_count, get_language() or "bn")},
    )
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def discard(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    if _run(
        request, lambda: actions.discard_draft(meeting, by=request.user), _("Draft discarded.")
    ):
        return redirect("meetings:hosted")
    return redirect("meetings:detail", meeting.pk)


def _mine(request: AuthedRequest, meeting: Meeting) -> Invitation:
    mine = queries.my_invitation(meeting, request.user)
    if mine is None:
        raise Http404(_("You are not invited to this meeting."))
    mine.meeting = meeting
    return mine


@login_required
@require_POST
def rsvp(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_visible_meeting(request.user, meeting_id)
    mine = _mine(request, meeting)
    answer = request.POST.get("answer", "")
    _run(request, lambda: actions.answer(mine, by=request.user, answer=answer), _("Answer saved."))
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def join(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    """Count the invitee as present, then open the room (a page, since the strict CSP
    forbids a form from redirecting to another site)."""
    meeting = queries.get_visible_meeting(request.user, meeting_id)
    mine = _mine(request, meeting)
    try:
        actions.join(mine, by=request.user)
    except Conflict as exc:
        messages.info(request, str(exc))
        return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/join.html", {"meeting": meeting})


@login_required
@require_GET
def calendar_file(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_visible_meeting(request.user, meeting_id)
    response = HttpResponse(ics.meeting_ics(meeting), content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
def mark(request: AuthedRequest, meeting_id: int, invitation_id: int) -> HttpResponse:
    """The host marks one invitee present or absent (htmx swaps the row)."""
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    invitation = get_object_or_404(
        Invitation.objects.select_related("person__unit", "unit", "post"),
        meeting=meeting,
        pk=invitation_id,
    )
    invitation.meeting = meeting
    attended = request.POST.get("attended") == "1"
    ok = _run(
        request,
        lambda: actions.mark_attendance(invitation, by=request.user, attended=attended),
        _("Attendance saved."),
    )
    if not request.htmx:
        return redirect("meetings:detail", meeting.pk)
    if not ok:  # reload the page, which shows why
        return HttpResponseClientRedirect(reverse("meetings:detail", args=[meeting.pk]))
    list(messages.get_messages(request))  # the swapped row itself shows it
    return render(
        request,
        "meetings/detail.html#row",
        {"inv": invitation, "meeting": meeting, "can_host": True, "taking_attendance": True},
    )


@login_required
def attendance(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    """Expected against actual, unit by unit."""
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    page = Paginator(queries.per_unit(meeting), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "page": page,
            "tallies": queries.tallies(list(page.object_list)),
            "counts": queries.counts(meeting),
        },
    )


# --- minutes ---------------------------------------------------------------------------------


@login_required
def minutes(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    """The minutes and decisions; the host records them once, then adds decisions."""
    meeting = queries.get_visible_meeting(request.user, meeting_id)
    can_host = queries.is_host_side(request.user, meeting) and _can_host(request.user, meeting)
    form = MinutesForm(request.POST or None) if can_host and meeting.minutes_at is None else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the host office records the minutes."))
        if form.is_valid():
            try:
                actions.record_minutes(
                    meeting,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    decisions=form.decisions(),
                )
            except ValidationError as error:
                _form_errors(form, error)
            except Conflict as exc:
                messages.info(request, str(exc))
                return redirect("meetings:minutes", meeting.pk)
            else:
                messages.success(request, _("Minutes recorded."))
                return redirect("meetings:minutes", meeting.pk)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "form": form,
            "decisions": meeting.decisions.select_related("directive"),
            "can_host": can_host,
            "decision_form": DecisionForm() if can_host and meeting.minutes_at else None,
        },
    )


@login_required
@require_GET
def minutes_print(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_visible_meeting(request.user, meeting_id)
    present = (
        Invitation.objects.filter(meeting=meeting, attended=True)
        .select_related("person", "unit", "post")
        .order_by("unit_path", "post__rank", "pk")
    )
    return render(
        request,
        "meetings/minutes_print.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda.all(),
            "decisions": meeting.decisions.select_related("directive"),
            "present": present,
            "counts": queries.counts(meeting),
        },
    )


@login_required
@require_POST
def add_decision(request: AuthedRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the decision a title."))
        return redirect("meetings:minutes", meeting.pk)
    data = form.cleaned_data
    item = actions.DecisionInput(
        title=data["title"],
        body=data["body"],
        make_directive=data["make_directive"],
        due_at=due_at(data["due"]),
    )
    _run(
        request,
        lambda: actions.add_decision(meeting, by=request.user, decision=item),
        _("Decision added."),
    )
    return redirect("meetings:minutes", meeting.pk)


@login_required
@require_POST
def decision_directive(request: AuthedRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    meeting = queries.get_hosted_meeting(request.user, meeting_id)
    decision = get_object_or_404(meeting.decisions, pk=decision_id)
    decision.meeting = meeting
    _run(
        request,
        lambda: actions.make_directive(decision, by=request.user),
        _("Directive draft made: check it and issue it."),
    )
    return redirect("meetings:minutes", meeting.pk)


# --- calendar feed ---------------------------------------------------------------------------


def _person(request: AuthedRequest) -> Person:
    person = request.user.person
    if person is None:
        raise Http404(_("Your login is not linked to a person in the register."))
    return person


@login_required
def feed(request: AuthedRequest) -> HttpResponse:
    """The user's secret calendar link: make one (shown once), or revoke it."""
    person = _person(request)
    token = None
    if request.method == "POST":
        _feed, token = actions.create_feed(person, by=request.user)
    live = CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).first()
    url = request.build_absolute_uri(reverse("meetings:feed_ics", args=[token])) if token else ""
    return render(request, "meetings/feed.html", {"live": live, "url": url})


@login_required
@require_POST
def revoke_feed(request: AuthedRequest) -> HttpResponse:
    person = _person(request)
    live = get_object_or_404(CalendarFeed, person=person, revoked_at__isnull=True)
    _run(request, lambda: actions.revoke_feed(live, by=request.user), _("Calendar link revoked."))
    return redirect("meetings:feed")


@require_GET
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar apps (no login: the token is the key).

    The key stops working with its owner's login: a deactivated user's feed is a 404.
    """
    found = (
        CalendarFeed.objects.filter(
            token_hash=actions.feed_digest(token),
            revoked_at__isnull=True,
            created_by__is_active=True,
        )
        .select_related("person")
        .first()
    )
    if found is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=FEED_DAYS)
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.SENT, ends_at__gte=since, invitations__person=found.person
        )
        .select_related("host_unit")
        .prefetch_related("agenda")
        .order_by("starts_at")[:FEED_LIMIT]
    )
    body = ics.feed_ics(
        meetings, name=f"Daptar · {found.person.name_bn}", feed_uid=f"feed-{found.pk}@daptar"
    )
    return HttpResponse(body, content_type=ics.CONTENT_TYPE)
