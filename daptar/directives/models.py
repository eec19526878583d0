from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from daptar.lib import shortcodes
from daptar.lib.numerals import to_bengali_digits
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


class DirectiveQuerySet(models.QuerySet["Directive"]):
    def visible_to(self, user: User) -> DirectiveQuerySet:
        """Directives issued within the user's subtrees, or delivered to one of their desks."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        desk_units = [desk.unit.pk for desk in getattr(user, "desks", [])]
        received = Delivery.objects.filter(
            directive=OuterRef("pk"), unit_id__in=desk_units
        ).exclude(state=Delivery.State.PENDING)
        return self.filter(
            Unit.objects.visible_to_q(user, field="issuing_unit__path")
            | (Q(Exists(received)) & ~Q(status=Directive.Status.DRAFT))
        )


class Directive(models.Model):
    """An instruction from one unit to a subtree of the tree (নির্দেশনা)."""

    class Priority(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Mode(models.TextChoices):
        DIRECT = "direct", _("direct: every recipient at once")
        RELAY = "relay", _("relay: each level forwards to the next")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")
        WITHDRAWN = "withdrawn", _("withdrawn")

    issuing_unit = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        related_name="directives_issued",
        verbose_name=_("issuing unit"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    reference = models.CharField(_("reference no."), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority, default=Priority.NORMAL
    )
    due_at = models.DateTimeField(_("due"))
    target_unit = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        related_name="directives_targeted",
        verbose_name=_("target unit"),
    )
    target_levels = models.ManyToManyField(
        "units.Level", blank=True, related_name="+", verbose_name=_("levels")
    )
    mode = models.CharField(_("delivery mode"), max_length=8, choices=Mode, default=Mode.DIRECT)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    expected = models.PositiveIntegerField(_("recipients"), default=0)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-created_at", "-pk"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [
            # The sent box: one unit's directives, newest first.
            models.Index(fields=["issuing_unit", "-created_at"], name="directive_sent_idx"),
            # The reminder sweep: issued directives by due time.
            models.Index(fields=["status", "due_at"], name="directive_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.ISSUED and self.due_at < timezone.now()

    @property
    def short_code(self) -> str:
        """The number an office sends back by SMS (প্রাপ্তি 1234): the id and a check digit."""
        return shortcodes.encode(self.pk)

    @property
    def sms_text(self) -> str:
        """The directive's SMS: reference, how to answer it, then as much title as fits."""
        code = to_bengali_digits(self.short_code)
        urgent = "জরুরি " if self.priority == self.Priority.URGENT else ""
        head = f"{urgent}নির্দেশনা {self.reference}। প্রাপ্তি জানাতে লিখুন: প্রাপ্তি {code}। "
        return (head + self.title)[:300]


class Attachment(models.Model):
    """A PDF or image sent with a directive; its type is checked by content."""

    directive = models.ForeignKey(Directive, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="directives/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(fields=["directive", "sha256"], name="attachment_once"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def overdue(self, now: object = None) -> DeliveryQuerySet:
        """Not done, and the directive's due time has passed."""
        return self.filter(
            directive__status=Directive.Status.ISSUED,
            directive__due_at__lt=now or timezone.now(),
        ).exclude(state=Delivery.State.DONE)

    def received(self) -> DeliveryQuerySet:
        """Deliveries that have reached their unit (a relay's pending ones have not)."""
        return self.exclude(state=Delivery.State.PENDING)


class Delivery(models.Model):
    """One recipient unit of one directive and how far it has got with it."""

    class Via(models.TextChoices):
        """How an office answered: the web pages, an app through the API, or an SMS."""

        WEB = "web", _("web")
        API = "api", _("API")
        SMS = "sms", _("SMS")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for relay")
        DELIVERED = "delivered", _("delivered")
        SEEN = "seen", _("seen")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        DONE = "done", _("done")

    ORDER = [State.PENDING, State.DELIVERED, State.SEEN, State.ACKNOWLEDGED, State.DONE]

    # Foreign keys whose lookups a composite index below already leads with, or that are
    # only followed when a user or level is deleted, carry no index of their own: each
    # index costs every one of the ~46,000 rows written when a directive is issued.
    directive = models.ForeignKey(
        Directive, models.CASCADE, related_name="deliveries", db_index=False
    )
    unit = models.ForeignKey(
        "units.Unit", models.CASCADE, related_name="deliveries", db_index=False
    )
    unit_path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    level = models.ForeignKey("units.Level", models.PROTECT, related_name="+", db_index=False)
    relay_parent = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="relay_children",
        db_index=False,
    )
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.PENDING)
    delivered_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    acknowledge_note = models.TextField(blank=True)
    acknowledged_via = models.CharField(
        _("acknowledged by"), max_length=4, choices=Via, blank=True, db_default=""
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    done_note = models.TextField(blank=True)
    done_via = models.CharField(
        _("done reported by"), max_length=4, choices=Via, blank=True, db_default=""
    )
    forwarded_at = models.DateTimeField(null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    forward_note = models.TextField(blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations",
        db_index=False,
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["unit_path"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["directive", "unit"], name="delivery_once"),
        ]
        indexes = [
            # A unit's inbox and its unread badge.
            models.Index(fields=["unit", "state"], name="delivery_inbox_idx"),
            # Tracking: GROUP BY level and state; drill-down by path range.
            models.Index(fields=["directive", "level", "state"], name="delivery_track_idx"),
            models.Index(fields=["directive", "unit_path"], name="delivery_path_idx"),
            # The relay: a forwarding delivery's next recipients.
            models.Index(fields=["relay_parent", "state"], name="delivery_relay_idx"),
            # "Escalated to us".
            models.Index(fields=["escalated_to", "-escalated_at"], name="delivery_escalated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} → {self.unit_id} ({self.state})"

    def reached(self, state: str) -> bool:
        return self.ORDER.index(self.state) >= self.ORDER.index(state)  # type: ignore[arg-type]
