"""Meetings in phases: series, meetings, invitations by post, minutes and decisions."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

# Invitees may open the room (and be counted as joined) this long before the start.
JOIN_EARLY = datetime.timedelta(minutes=30)


class MeetingSeriesQuerySet(models.QuerySet["MeetingSeries"]):
    def visible_to(self, user: User) -> MeetingSeriesQuerySet:
        """Series hosted within the user's subtrees."""
        return self.filter(Unit.objects.visible_to_q(user, field="unit_path"))


class MeetingSeries(models.Model):
    """A run of meetings with one purpose, held phase by phase (e.g. মতবিনিময় সভা)."""

    host_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="meeting_series", verbose_name=_("host unit")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingSeriesQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        indexes = [
            # The series list: one host's series, newest first.
            models.Index(fields=["host_unit", "-created_at"], name="meetingseries_host_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """One step of a series (ধাপ); the planner makes one meeting per division in it."""

    series = models.ForeignKey(MeetingSeries, models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("phase"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series_id", "number"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="phase_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="phase_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.series} · {self.number}"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def hosted_q(self, user: User) -> Q:
        """Meetings hosted within the user's subtrees."""
        return Unit.objects.visible_to_q(user, field="unit_path")

    def visible_to(self, user: User) -> MeetingQuerySet:
        """Meetings hosted within the user's subtrees, or sent to the user's own person."""
        if not user.is_authenticated:
            return self.none()
        hosted = self.hosted_q(user)
        if not user.person_id:
            return self.filter(hosted)
        invited = Invitation.objects.filter(meeting=OuterRef("pk"), person_id=user.person_id)
        return self.filter(hosted | (Q(Exists(invited)) & Q(status=Meeting.Status.SENT)))

    def due_for_reminder(
        self, flag: str, now: datetime.datetime, ahead: datetime.timedelta
    ) -> MeetingQuerySet:
        """Sent meetings starting within *ahead* of *now* whose *flag* reminder is still due."""
        return self.filter(
            status=Meeting.Status.SENT,
            starts_at__gt=now,
            starts_at__lte=now + ahead,
            **{f"{flag}__isnull": True},
        )


class Meeting(models.Model):
    """A meeting of one host office: time, place or video room, agenda, invitees, minutes."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("online (video conference)")
        IN_PERSON = "in_person", _("in person")
        HYBRID = "hybrid", _("hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft: invitations not sent")
        SENT = "sent", _("invitations sent")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(
        MeetingSeries,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("series"),
    )
    phase = models.ForeignKey(
        Phase,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("phase"),
    )
    host_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="meetings_hosted", verbose_name=_("host unit")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    # The unit a planned meeting was made for (its division); the planner refuses a second.
    planned_for = models.ForeignKey(
        "units.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("for")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("how"), max_length=10, choices=Mode, default=Mode.ONLINE)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    video_generated = models.BooleanField(_("generated video room"), default=False)
    invite_rule = models.JSONField(_("invitation rule"), default=dict, blank=True)
    invitations_count = models.PositiveIntegerField(_("invitations"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.DRAFT)
    # iCalendar SEQUENCE: raised each time a sent meeting changes, so calendars replace it.
    sequence = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [
            # "Hosted by my office": one host's meetings, latest first.
            models.Index(fields=["host_unit", "-starts_at"], name="meeting_host_idx"),
            # The reminder sweep: sent meetings by start time.
            models.Index(fields=["status", "starts_at"], name="meeting_due_idx"),
            # A series page: its meetings by phase.
            models.Index(fields=["series", "phase"], name="meeting_series_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def can_join(self) -> bool:
        """The video room is open to invitees from shortly before the start to the end."""
        now = timezone.now()
        return (
            self.is_online
            and bool(self.video_url)
            and self.status == self.Status.SENT
            and self.starts_at - JOIN_EARLY <= now < self.ends_at
        )


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order, with the minutes it is given."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting_id", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title} ({self.minutes})"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def upcoming(self, now: datetime.datetime | None = None) -> InvitationQuerySet:
        """Invitations to sent meetings that have not ended yet."""
        return self.filter(
            meeting__status=Meeting.Status.SENT, meeting__ends_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """One person invited to one meeting: by rule (the unit and post that matched) or as a guest."""

    class Answer(models.TextChoices):
        NONE = "", _("no answer yet")
        YES = "yes", _("yes")
        NO = "no", _("no")
        MAYBE = "maybe", _("maybe")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "people.Person",
        models.CASCADE,
        related_name="meeting_invitations",
        verbose_name=_("person"),
    )
    # The unit and post through which the rule matched; both empty for a named guest.
    unit = models.ForeignKey(
        "units.Unit", models.CASCADE, null=True, blank=True, related_name="meeting_invitations"
    )
    unit_path = models.CharField(max_length=255, blank=True)
    post = models.ForeignKey(
        "people.Post",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    rsvp = models.CharField(
        _("answer"), max_length=5, choices=Answer, default=Answer.NONE, blank=True
    )
    rsvp_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_at = models.DateTimeField(null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "unit_path", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="invitation_once"),
        ]
        indexes = [
            # "My meetings": one person's invitations.
            models.Index(fields=["person", "meeting"], name="invitation_person_idx"),
            # The nav badge: a unit's unanswered invitations.
            models.Index(fields=["unit", "rsvp"], name="invitation_unit_rsvp_idx"),
            # The host's list and the per-unit attendance: one meeting's rows by unit.
            models.Index(fields=["meeting", "unit_path"], name="invitation_meeting_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.person_id} ({self.rsvp or '-'})"

    @property
    def is_guest(self) -> bool:
        return self.unit_id is None


class Decision(models.Model):
    """A decision recorded in a meeting's minutes; it may become a directive draft."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    directive = models.ForeignKey(
        "directives.Directive",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_decisions",
        verbose_name=_("directive"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting_id", "position"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="decision_position_once"),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A secret link to one person's meetings as an iCalendar feed.

    Only a digest of the token is kept: the link is shown once, when it is made;
    a lost link is revoked and a new one made.
    """

    person = models.ForeignKey(
        "people.Person", models.CASCADE, related_name="calendar_feeds", verbose_name=_("person")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        indexes = [
            # The feed page: a person's links, the live one first.
            models.Index(fields=["person", "revoked_at"], name="calfeed_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({'revoked' if self.revoked_at else 'live'})"


class MeetingMail(models.Model):
    """An e-mail to one invitee, with the meeting's .ics attached; sent like the outbox.

    The shared outbox carries plain text to a unit's office; an invitation goes to a
    person and carries a calendar file, so it waits here, written in the same
    transaction as its cause and retried with the outbox's back-off.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="mails")
    person = models.ForeignKey("people.Person", models.SET_NULL, null=True, related_name="+")
    address = models.EmailField(_("address"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    ics = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("meeting e-mail")
        verbose_name_plural = _("meeting e-mails")
        indexes = [
            # The sweep: pending mails whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="meetingmail_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.subject}"
