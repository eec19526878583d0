from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from daptar.lib.numerals import to_ascii_digits
from daptar.meetings.actions import AgendaEntry, DecisionInput
from daptar.meetings.models import Meeting, MeetingSeries
from daptar.people.models import Post
from daptar.units.models import Level, Unit

# The meeting form lists the host and two levels below it; deeper units by code.
LISTED_DEPTH = 2
DEFAULT_POSTS = ("office_secretary", "deputy_office_secretary")
DECISION_SLOTS = 3
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
# "Opening — 10", "Reports from the districts: 40 min", "মতবিনিময় ৩০ মিনিট"
AGENDA_LINE = re.compile(
    r"^(?P<title>.+?)[\s\-–—,:;|(]*(?P<minutes>\d{1,3})\s*(?:min(?:ute)?s?|মিনিট|মি)?\.?\)?\s*$",
    re.IGNORECASE,
)


def parse_agenda(text: str) -> list[AgendaEntry]:
    """One item a line, its minutes at the end; Bengali digits are read too."""
    entries, bad = [], []
    for line in to_ascii_digits(text).splitlines():
        line = line.strip()
        if not line:
            continue
        match = AGENDA_LINE.match(line)
        if match is None or not match["title"].strip():
            bad.append(line)
            continue
        entries.append(AgendaEntry(match["title"].strip(), int(match["minutes"])))
    if bad:
        raise forms.ValidationError(
            _("Put the minutes at the end of each line, e.g. “Opening — 10”: %(lines)s"),
            params={"lines": "; ".join(bad)},
        )
    return entries


def agenda_text(meeting: Meeting) -> str:
    return "\n".join(f"{a.title} — {a.minutes}" for a in meeting.agenda.all())


def _datetime(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
        **kwargs,
    )


def _video_help() -> str:
    if getattr(settings, "DAPTAR_JITSI_BASE_URL", "").strip():
        return str(_("Leave empty for a new Jitsi Meet room, or paste another link."))
    return str(_("Paste the link of the video meeting (Jitsi, Google Meet, Zoom…)."))


def _posts_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Posts to invite"),
        queryset=Post.objects.filter(is_office_bearer=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeetingForm(forms.Form):
    """A meeting's time, place and agenda; when new, also whom it invites."""

    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _datetime(_("Starts"))
    ends_at = _datetime(_("Ends"))
    mode = forms.ChoiceField(
        label=_("How"),
        choices=Meeting.Mode.choices,
        widget=forms.RadioSelect,
        initial=Meeting.Mode.ONLINE,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(
        label=_("Video link"), max_length=500, required=False, assume_scheme="https"
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item a line, its minutes at the end, e.g. “Opening — 10”."),
    )

    def __init__(self, *args: Any, host: Unit, meeting: Meeting | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.host, self.meeting = host, meeting
        self.fields["video_url"].help_text = _video_help()
        if meeting is not None:
            return
        self.fields["series"] = forms.ModelChoiceField(
            label=_("Series"),
            queryset=MeetingSeries.objects.filter(host_unit=host),
            required=False,
        )
        self.fields["phase"] = forms.IntegerField(label=_("Phase"), min_value=1, required=False)
        subtree = Unit.objects.subtree(host).filter(is_active=True)
        listed = subtree.filter(depth__lte=host.depth + LISTED_DEPTH).select_related("level")
        within = forms.ModelChoiceField(label=_("Units under"), queryset=subtree, required=False)
        within.widget.choices = [
            (u.pk, ("— " * (u.depth - host.depth)) + f"{u.name} ({u.level.name})")
            for u in listed.order_by("path")
        ]
        self.fields["within"] = within
        self.fields["within_code"] = forms.CharField(
            label=_("…or a unit code"),
            required=False,
            help_text=_("For a unit deeper down, e.g. UPZ-281."),
        )
        self.fields["levels"] = forms.ModelMultipleChoiceField(
            label=_("At these levels"),
            queryset=Level.objects.filter(rank__gte=host.level.rank),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text=_("None ticked: the unit itself only."),
        )
        self.fields["posts"] = _posts_field()
        if not self.is_bound:
            self.initial.setdefault("within", host.pk)
            below = Level.objects.filter(rank__gt=host.level.rank).first()
            self.initial.setdefault("levels", [below.pk] if below else [])
            self.initial.setdefault("posts", list(Post.objects.filter(slug__in=DEFAULT_POSTS)))

    def clean_agenda(self) -> list[AgendaEntry]:
        return parse_agenda(self.cleaned_data.get("agenda", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("The meeting must end after it starts."))
            else:
                data["duration_minutes"] = int((ends - starts).total_seconds() // 60)
        code = (data.get("within_code") or "").strip()
        if code:
            unit = Unit.objects.subtree(self.host).filter(code__iexact=code).first()
            if unit is None:
                self.add_error("within_code", _("No unit with this code in your subtree."))
            else:
                data["within"] = unit
        return data


class PlanForm(forms.Form):
    """The phase planner: tick divisions, give each its phase and time; the rest is shared."""

    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=90)
    mode = forms.ChoiceField(
        label=_("How"),
        choices=Meeting.Mode.choices,
        widget=forms.RadioSelect,
        initial=Meeting.Mode.ONLINE,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item a line, its minutes at the end, e.g. “Opening — 10”."),
    )
    send = forms.BooleanField(
        label=_("Send the invitations at once (otherwise check each list first)"), required=False
    )

    def __init__(self, *args: Any, series: MeetingSeries, **kw: Any) -> None:
        super().__init__(*args, **kw)
        host = series.host_unit
        self.units = list(
            Unit.objects.children(host)
            .filter(is_active=True)
            .select_related("level")
            .order_by("name_en")
        )
        child_rank = self.units[0].level.rank if self.units else host.level.rank
        self.fields["level"] = forms.ModelChoiceField(
            label=_("Invite the units at level"),
            queryset=Level.objects.filter(rank__gt=child_rank),
            initial=Level.objects.filter(rank__gt=child_rank).first(),
        )
        self.fields["posts"] = _posts_field()
        self.initial.setdefault("posts", list(Post.objects.filter(slug__in=DEFAULT_POSTS)))
        next_phase = (
            series.phases.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        for unit in self.units:
            self.fields[f"pick_{unit.pk}"] = forms.BooleanField(label=unit.name, required=False)
            self.fields[f"phase_{unit.pk}"] = forms.IntegerField(
                label=_("Phase"), min_value=1, required=False, initial=next_phase
            )
            self.fields[f"starts_{unit.pk}"] = _datetime(_("Starts"), required=False)
            self.fields[f"video_{unit.pk}"] = forms.URLField(
                label=_("Video link"), required=False, max_length=500, assume_scheme="https"
            )
        self.video_help = _video_help()

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields of each division's row, for the template."""
        return [
            {
                "unit": u,
                "pick": self[f"pick_{u.pk}"],
                "phase": self[f"phase_{u.pk}"],
                "starts": self[f"starts_{u.pk}"],
                "video": self[f"video_{u.pk}"],
            }
            for u in self.units
        ]

    def clean_agenda(self) -> list[AgendaEntry]:
        return parse_agenda(self.cleaned_data.get("agenda", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = []
        for unit in self.units:
            if not data.get(f"pick_{unit.pk}"):
                continue
            if not data.get(f"phase_{unit.pk}"):
                self.add_error(f"phase_{unit.pk}", _("Give the phase."))
            if not data.get(f"starts_{unit.pk}"):
                self.add_error(f"starts_{unit.pk}", _("Give the date and time."))
            picked.append(unit)
        if not picked and not self.errors:
            raise forms.ValidationError(_("Tick at least one division and give its time."))
        data["picked"] = picked
        return data


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}))
    due = forms.DateField(
        label=_("Directive drafts due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A week from today when empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, DECISION_SLOTS + 1):
            self.fields[f"title_{n}"] = forms.CharField(
                label=_("Decision %(n)s") % {"n": n}, max_length=200, required=False
            )
            self.fields[f"body_{n}"] = forms.CharField(
                label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"directive_{n}"] = forms.BooleanField(
                label=_("Make it a directive draft to the meeting's units"), required=False
            )

    def slots(self) -> list[dict[str, Any]]:
        return [
            {
                "title": self[f"title_{n}"],
                "body": self[f"body_{n}"],
                "directive": self[f"directive_{n}"],
            }
            for n in range(1, DECISION_SLOTS + 1)
        ]

    def decisions(self) -> list[DecisionInput]:
        data = self.cleaned_data
        due = due_at(data.get("due"))
        return [
            DecisionInput(
                title=data[f"title_{n}"],
                body=data[f"body_{n}"],
                make_directive=data[f"directive_{n}"],
                due_at=due,
            )
            for n in range(1, DECISION_SLOTS + 1)
            if data.get(f"title_{n}", "").strip()
        ]


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Decision"), max_length=200)
    body = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    make_directive = forms.BooleanField(
        label=_("Make it a directive draft to the meeting's units"), required=False
    )
    due = forms.DateField(
        label=_("Directive due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def due_at(day: datetime.date | None) -> datetime.datetime | None:
    """The end of *day* in local time (a directive due "on" a date is due by its evening)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 0)))
