"""Letters between offices (চিঠিপত্র), their memo numbers and where each one is handled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


class LetterQuerySet(models.QuerySet["Letter"]):
    @staticmethod
    def visible_to_q(user: User) -> Q:
        """Who may read a letter, as a Q: the one place that says so.

        The sending unit, every unit holding it (the recipient and the units it
        was forwarded to) and everything above them under the usual scope rule;
        a confidential letter only the sending and holding units themselves.
        """
        if not user.is_authenticated or not user.is_active:
            return Q(pk__in=[])
        desk_units = [desk.unit.pk for desk in user.desks]
        holders = Receipt.objects.filter(letter=OuterRef("pk"))
        party = Q(sender_id__in=desk_units) | Q(Exists(holders.filter(unit_id__in=desk_units)))
        if user.is_superuser:
            # The operator keeps the database, not the offices' secrets.
            return party | Q(confidential=False)
        scope = Unit.objects.visible_to_q(user, field="sender_path") | Q(
            Exists(holders.filter(Unit.objects.visible_to_q(user, field="unit_path")))
        )
        return party | (Q(confidential=False) & scope)

    def visible_to(self, user: User) -> LetterQuerySet:
        """Letters *user* may read (see visible_to_q)."""
        return self.filter(self.visible_to_q(user))


class Letter(models.Model):
    """A letter from one office to another, numbered in the sender's outward register."""

    class Priority(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    sender = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        related_name="letters_sent",
        verbose_name=pgettext_lazy("letter", "from"),
    )
    sender_path = models.CharField(max_length=255)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    recipient = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        related_name="letters_received",
        verbose_name=pgettext_lazy("letter", "to"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    memo_no = models.CharField(_("memo no."), max_length=48, unique=True)
    memo_year = models.PositiveSmallIntegerField(_("year"))
    memo_serial = models.PositiveIntegerField(_("serial"))
    sent_at = models.DateTimeField(_("sent"))
    reply_to = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # The first letter of the thread (itself for a first letter); set in the sending
    # transaction, so only a letter being written has it empty.
    thread = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("thread")
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority, default=Priority.NORMAL
    )
    confidential = models.BooleanField(_("confidential"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "memo_year", "memo_serial"], name="letter_memo_once"
            ),
        ]
        indexes = [
            # The outward register: one unit's letters by month, newest first.
            models.Index(fields=["sender", "-sent_at"], name="letter_outward_idx"),
            # A thread, oldest first.
            models.Index(fields=["thread", "sent_at"], name="letter_thread_idx"),
            # visible_to: letters sent within a subtree (the admin's list, scope checks).
            models.Index(fields=["sender_path"], name="letter_sender_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.memo_no} {self.subject}"

    @property
    def is_urgent(self) -> bool:
        return self.priority == self.Priority.URGENT


class Receipt(models.Model):
    """A letter at one office: its line in that office's inward register and its handling.

    The recipient gets one when the letter is sent; every unit it is forwarded to
    gets another. A receipt is pending until the office answers, forwards or
    closes it.
    """

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("letter", "pending")
        ANSWERED = "answered", _("answered")
        FORWARDED = "forwarded", _("forwarded")
        CLOSED = "closed", _("closed")

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="receipts")
    unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="letter_receipts", verbose_name=_("office")
    )
    unit_path = models.CharField(max_length=255)
    # The letter's sending unit, copied so "pending with others" is one indexed read.
    sender = models.ForeignKey("units.Unit", models.PROTECT, related_name="+")
    # The office that forwarded it here (empty for the recipient the sender chose).
    via = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    forwarded_from = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="forwards"
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    received_at = models.DateTimeField(_("received"))
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    answer = models.ForeignKey(
        Letter,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            # An office holds a letter once; this index also serves visible_to's EXISTS.
            models.UniqueConstraint(fields=["letter", "unit"], name="receipt_once"),
        ]
        indexes = [
            # The inward register: one unit's letters by month, newest first.
            models.Index(fields=["unit", "-received_at"], name="receipt_inward_idx"),
            # "Pending with us" and the nav badge.
            models.Index(fields=["unit", "state", "received_at"], name="receipt_pending_idx"),
            # "Pending with others": what we sent, or passed on, still open elsewhere.
            models.Index(fields=["sender", "state", "received_at"], name="receipt_sender_idx"),
            models.Index(fields=["via", "state", "received_at"], name="receipt_via_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} at {self.unit_id} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class Attachment(models.Model):
    """A PDF or image sent with a letter; its type is checked by content."""

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="letters/%Y/%m/")
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

    def __str__(self) -> str:
        return self.name
