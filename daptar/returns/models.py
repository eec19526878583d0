"""Information returns (তথ্য প্রেরণ): forms from the centre, periods, submissions.

The expected-unit snapshot and the submission are one row: when a period
opens, one INSERT … SELECT writes a `pending` Submission for every open unit
of the target subtree at the target levels. That row is what the unit later
fills in, so completeness and timeliness are one GROUP BY over one table with
no join, the unique (period, unit) pair means no unit is ever counted twice,
and a unit opened after the period began simply has no expected row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from daptar.lib import paths
from daptar.lib.numerals import localise_digits
from daptar.units.models import Unit

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal

    from daptar.accounts.models import User


def _english() -> bool:
    return (get_language() or "bn").startswith("en")


class ReturnFormQuerySet(models.QuerySet["ReturnForm"]):
    @staticmethod
    def visible_to_q(user: User) -> Q:
        """Issued within the user's subtrees, or (once published) aimed at or above them."""
        if not user.is_authenticated or not user.is_active:
            return Q(pk__in=[])
        if user.is_superuser:
            return Q()
        reached = Q(pk__in=[])
        for desk in user.desks:
            reached |= Q(target_unit__path__in=[*paths.ancestor_paths(desk.unit.path)])
        published = ~Q(status=ReturnForm.Status.DRAFT) & (
            Unit.objects.visible_to_q(user, field="target_unit__path") | reached
        )
        return Unit.objects.visible_to_q(user, field="issuing_unit__path") | published

    def visible_to(self, user: User) -> ReturnFormQuerySet:
        """The forms the user may open: the single scope rule for forms."""
        return self.filter(self.visible_to_q(user))


class ReturnForm(models.Model):
    """A return form (প্রতিবেদন ফরম): what the issuing office asks a subtree to send."""

    class Schedule(models.TextChoices):
        ONCE = "once", _("once")
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    issuing_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="return_forms", verbose_name=_("issuing unit")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    target_unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="return_forms_targeted", verbose_name=_("to")
    )
    target_levels = models.ManyToManyField(
        "units.Level", blank=True, related_name="+", verbose_name=_("levels")
    )
    schedule = models.CharField(
        _("schedule"), max_length=10, choices=Schedule, default=Schedule.ONCE
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    timely_days = models.PositiveSmallIntegerField(
        _("days after the period to send it"), default=10
    )
    lock_after_days = models.PositiveSmallIntegerField(
        _("lock this many days after the due time"), null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReturnFormQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("return form")
        verbose_name_plural = _("return forms")
        indexes = [
            # The issued box: one unit's forms, newest first.
            models.Index(fields=["issuing_unit", "-created_at"], name="returnform_issued_idx"),
            # The periodic job: active recurring forms whose next period may be due.
            models.Index(fields=["status", "schedule"], name="returnform_sched_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ReturnField(models.Model):
    """One question of a form, in its place; its key names it in data, rules and exports."""

    class Type(models.TextChoices):
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("decimal number")
        TEXT = "text", _("short text")
        LONG_TEXT = "long_text", _("long text")
        DATE = "date", _("date")
        YES_NO = "yes_no", _("yes / no")
        CHOICE = "choice", _("one choice")
        MULTIPLE_CHOICE = "multiple_choice", _("several choices")
        PHONE = "phone", _("phone number")

    NUMERIC = (Type.INTEGER, Type.DECIMAL)
    WITH_CHOICES = (Type.CHOICE, Type.MULTIPLE_CHOICE)
    # min/max bound the value of numbers, the length of texts, the count of choices.
    BOUNDED = (Type.INTEGER, Type.DECIMAL, Type.TEXT, Type.LONG_TEXT, Type.MULTIPLE_CHOICE)

    form = models.ForeignKey(ReturnForm, models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.CharField(_("key"), max_length=40)
    label_bn = models.CharField(_("label (Bengali)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    help_bn = models.CharField(_("help (Bengali)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.DecimalField(
        _("minimum"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    # [{"value": "x", "label_bn": "…", "label_en": "…"}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["form", "position"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="returnfield_key_once"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def label(self) -> str:
        return self.label_en if _english() else self.label_bn

    @property
    def help(self) -> str:
        return self.help_en if _english() else self.help_bn

    @property
    def is_numeric(self) -> bool:
        return self.type in self.NUMERIC

    @property
    def bounds_text(self) -> str:
        """ "0 – 500" beside a number's input; empty when it has no bounds."""
        if not self.is_numeric or (self.min_value is None and self.max_value is None):
            return ""

        def plain(value: Decimal | None) -> str:
            return "…" if value is None else format(value.normalize(), "f")

        return f"{plain(self.min_value)} – {plain(self.max_value)}"

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if choice["value"] == value:
                return choice["label_en"] if _english() else choice["label_bn"]
        return value


class ReturnRule(models.Model):
    """A cross-field check: `left op right` over numeric fields and constants."""

    class Op(models.TextChoices):
        EQ = "==", "=="
        NE = "!=", "!="
        LT = "<", "<"
        LE = "<=", "<="
        GT = ">", ">"
        GE = ">=", ">="

    form = models.ForeignKey(ReturnForm, models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("position"))
    left = models.CharField(_("left side"), max_length=300)
    op = models.CharField(_("comparison"), max_length=2, choices=Op)
    right = models.CharField(_("right side"), max_length=300)
    message_bn = models.CharField(_("message (Bengali)"), max_length=300)
    message_en = models.CharField(_("message (English)"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["form", "position"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    @property
    def message(self) -> str:
        return self.message_en if _english() else self.message_bn


class ReturnPeriod(models.Model):
    """One step of a form's schedule: what is asked for, by when, and (maybe) until when."""

    form = models.ForeignKey(ReturnForm, models.CASCADE, related_name="periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    due_at = models.DateTimeField(_("due"))
    locks_at = models.DateTimeField(_("locks"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    expected = models.PositiveIntegerField(_("expected"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["form", "-starts_on"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["form", "starts_on"], name="returnperiod_once"),
        ]
        indexes = [
            # The reminder sweep: periods by due time.
            models.Index(fields=["due_at"], name="returnperiod_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}: {self.label}"

    @property
    def label(self) -> str:
        """ "January 2026", "Q1 2026", "2026", or a one-off's due date, in the reader's language."""
        schedule = self.form.schedule
        if schedule == ReturnForm.Schedule.MONTHLY:
            text = dateformat.format(self.starts_on, "F Y")
        elif schedule == ReturnForm.Schedule.QUARTERLY:
            quarter = (self.starts_on.month - 1) // 3 + 1
            text = f"Q{quarter} {self.starts_on.year}"
        elif schedule == ReturnForm.Schedule.YEARLY:
            text = str(self.starts_on.year)
        else:
            text = dateformat.format(timezone.localtime(self.due_at), "j F Y")
        return localise_digits(text, get_language() or "bn")

    def is_locked(self, now: datetime.datetime) -> bool:
        return self.locks_at is not None and now >= self.locks_at

    @property
    def short_code(self) -> str:
        """The code an office sends its figures by SMS with (R 17 12 5 3): id and check digit."""
        from daptar.lib import shortcodes

        return shortcodes.encode(self.pk)


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: User) -> SubmissionQuerySet:
        """A unit's own submissions and those of its subtree (issuers sit above their targets)."""
        return self.filter(Unit.objects.visible_to_q(user, field="unit_path"))

    def counted(self) -> SubmissionQuerySet:
        """Sent and not sent back: what completeness counts."""
        return self.filter(status__in=Submission.COUNTED)

    def to_do(self, now: datetime.datetime) -> SubmissionQuerySet:
        """Not yet sent (or sent back), and the unit may still send it."""
        return self.filter(status__in=Submission.TO_DO).filter(
            Q(period__locks_at__isnull=True)
            | Q(period__locks_at__gt=now)
            | Q(reopened_until__gt=now)
            | Q(status=Submission.Status.RETURNED)
        )


class Submission(models.Model):
    """One unit's return for one period: expected from the moment the period opens."""

    class Status(models.TextChoices):
        PENDING = "pending", _("not sent")
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("sent")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for correction")

    COUNTED = (Status.SUBMITTED, Status.APPROVED)
    TO_DO = (Status.PENDING, Status.DRAFT, Status.RETURNED)

    period = models.ForeignKey(ReturnPeriod, models.CASCADE, related_name="submissions")
    unit = models.ForeignKey("units.Unit", models.CASCADE, related_name="return_submissions")
    unit_path = models.CharField(max_length=255)
    level = models.ForeignKey("units.Level", models.PROTECT, related_name="+")
    # The office that reviews it and to which it is escalated: the parent when it opened.
    parent = models.ForeignKey(
        "units.Unit", models.SET_NULL, null=True, blank=True, related_name="return_reviews"
    )
    expected = models.BooleanField(_("expected"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    nil = models.BooleanField(_("nil return"), default=False)
    data = models.JSONField(_("data"), null=True, blank=True)
    draft = models.JSONField(_("draft"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    first_submitted_at = models.DateTimeField(_("first sent"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    draft_saved_at = models.DateTimeField(_("draft saved"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(_("review note"), blank=True)
    reopened_until = models.DateTimeField(_("late entry open until"), null=True, blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["unit_path"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="submission_once"),
        ]
        indexes = [
            # A unit's to-do list and its badge.
            models.Index(fields=["unit", "status"], name="submission_todo_idx"),
            # Rates, drill-down, missing list and export: one period over a path range.
            models.Index(fields=["period", "unit_path"], name="submission_path_idx"),
            # The reminder sweep: one period's rows still to be sent.
            models.Index(fields=["period", "status"], name="submission_status_idx"),
            # The reviewer's queue: what the units below an office have sent.
            models.Index(fields=["parent", "status", "submitted_at"], name="submission_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.unit_id} ({self.status})"

    @property
    def is_counted(self) -> bool:
        return self.status in self.COUNTED

    @property
    def on_time(self) -> bool | None:
        """Sent by the due time, by the server's clock (None while not counted)."""
        if not self.is_counted or self.first_submitted_at is None:
            return None
        return self.first_submitted_at <= self.period.due_at

    def late_entry_open(self, now: datetime.datetime) -> bool:
        return self.reopened_until is not None and now < self.reopened_until

    def editable(self, now: datetime.datetime) -> bool:
        """May the unit still change it: not approved, and not locked (or reopened)."""
        if self.status == self.Status.APPROVED:
            return False
        if self.status == self.Status.RETURNED:
            return True
        return not self.period.is_locked(now) or self.late_entry_open(now)


class SubmissionVersion(models.Model):
    """Every accepted submission, kept when a later one corrects it."""

    submission = models.ForeignKey(Submission, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("data"), default=dict)
    nil = models.BooleanField(_("nil return"), default=False)
    submitted_at = models.DateTimeField(_("sent"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="submission_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.number}"


class SubmissionValue(models.Model):
    """A numeric answer as its own row, so sums and averages are plain SQL on any database."""

    submission = models.ForeignKey(Submission, models.CASCADE, related_name="values")
    period = models.ForeignKey(ReturnPeriod, models.CASCADE, related_name="+")
    field = models.ForeignKey(ReturnField, models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    value = models.DecimalField(max_digits=24, decimal_places=6)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "field"]
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [
            models.UniqueConstraint(fields=["submission", "field"], name="submission_value_once"),
        ]
        indexes = [
            # Aggregates: one period's values over a path range, grouped by branch and field.
            models.Index(fields=["period", "unit_path"], name="submissionvalue_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}.{self.field_id} = {self.value}"
