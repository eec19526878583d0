from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_unit(self, unit: Unit) -> NotificationQuerySet:
        return self.filter(unit=unit)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def visible_to(self, user: User) -> NotificationQuerySet:
        return self.filter(Unit.objects.visible_to_q(user, field="unit__path"))


class Notification(models.Model):
    """An in-app message to a unit's office: a reminder, an escalation, a review result."""

    unit = models.ForeignKey(
        "units.Unit", models.CASCADE, related_name="notifications", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=48)
    text_bn = models.CharField(_("text (Bengali)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The unread badge and the list: one unit's notifications, unread first.
            models.Index(fields=["unit", "read_at", "-created_at"], name="notif_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.text_en

    @property
    def text(self) -> str:
        from django.utils.translation import get_language

        return self.text_en if (get_language() or "bn").startswith("en") else self.text_bn


class OutboxMessage(models.Model):
    """An e-mail or SMS waiting to go out; the worker sends it, retrying with back-off.

    The row is written in the same transaction as the event that causes it, so a
    worker that dies loses nothing: the next sweep picks up whatever is still due.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Report(models.TextChoices):
        """What the gateway's delivery report (DLR) last said about a sent SMS."""

        NONE = "", _("no report yet")
        DELIVERED = "delivered", _("delivered to the phone")
        UNDELIVERED = "undelivered", _("not delivered")
        EXPIRED = "expired", _("expired undelivered")
        REJECTED = "rejected", _("rejected by the operator")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel)
    address = models.CharField(_("address"), max_length=254)
    unit = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    gateway_ref = models.CharField(_("gateway reference"), max_length=64, blank=True)
    report = models.CharField(
        _("delivery report"), max_length=12, choices=Report, default=Report.NONE, blank=True
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            # The sweep: pending messages whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # Delivery reports that name the gateway's own reference, not our key.
            models.Index(
                fields=["gateway_ref"], name="outbox_gateway_ref_idx", condition=~Q(gateway_ref="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}: {self.subject or self.body[:40]}"

    @property
    def idempotency_key(self) -> str:
        """The key a gateway sees (SSL Wireless's csms_id): one per row, the same on a retry."""
        from django.conf import settings

        return f"{settings.DAPTAR_SMS_CSMS_PREFIX}{self.pk}"
