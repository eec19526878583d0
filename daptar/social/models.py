"""Social channels of offices (Facebook Pages, Telegram channels, X accounts), the posts
made on them, and the Telegram bot's links and drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daptar.lib import paths

if TYPE_CHECKING:
    from daptar.accounts.models import User


class ChannelQuerySet(models.QuerySet["SocialChannel"]):
    @staticmethod
    def visible_to_q(user: User) -> Q:
        """Channels of the units in the user's desks' subtrees."""
        if not user.is_authenticated or not user.is_active:
            return Q(pk__in=[])
        if user.is_superuser:
            return Q()
        q = Q(pk__in=[])
        for desk in user.desks:
            q |= paths.prefix_q(desk.unit.path, "unit__path")
        return q

    def visible_to(self, user: User) -> ChannelQuerySet:
        return self.filter(self.visible_to_q(user))


class SocialChannel(models.Model):
    """An office's account on one network, what it publishes, and whether it works.

    The credentials (page token, bot token, X user token) are kept encrypted in
    `secret` (daptar.social.credentials) and are never shown again after saving.
    """

    class Kind(models.TextChoices):
        FACEBOOK = "facebook", _("Facebook Page")
        TELEGRAM = "telegram", _("Telegram channel")
        X = "x", _("X account")

    class State(models.TextChoices):
        CONNECTED = "connected", _("connected")
        RECONNECT = "reconnect", _("needs reconnecting")
        PAUSED = "paused", _("paused")

    class Reach(models.TextChoices):
        OWN = "own", _("the unit's own reports")
        SUBTREE = "subtree", _("reports of the unit and every unit under it")

    class Language(models.TextChoices):
        BN = "bn", _("Bengali")
        EN = "en", _("English")

    unit = models.ForeignKey(
        "units.Unit", models.CASCADE, related_name="social_channels", verbose_name=_("unit")
    )
    kind = models.CharField(_("network"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=100)
    # The page id, the channel's @name or numeric id, or the X user id: not secret.
    target = models.CharField(_("page, channel or account id"), max_length=100)
    secret = models.TextField(editable=False, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.CONNECTED)
    state_reason = models.CharField(_("why"), max_length=500, blank=True)
    reach = models.CharField(_("publishes"), max_length=8, choices=Reach, default=Reach.SUBTREE)
    categories = models.ManyToManyField(
        "reports.Category",
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("Only reports of these categories; none chosen means every category."),
    )
    needs_review = models.BooleanField(
        _("review by this office first"),
        default=False,
        help_text=_("Posts wait until this channel's office releases them."),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.BN)
    hashtags = models.CharField(_("hashtags"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "kind", "name"]
        verbose_name = _("social channel")
        verbose_name_plural = _("social channels")
        constraints = [
            models.UniqueConstraint(fields=["kind", "target"], name="social_channel_target_once"),
        ]
        indexes = [
            # Publishing: the channels of a report's unit and its ancestors, by state.
            models.Index(fields=["unit", "state"], name="social_channel_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.secret)


class PostQuerySet(models.QuerySet["SocialPost"]):
    def visible_to(self, user: User) -> PostQuerySet:
        """Posts of the reports the user may read (a post is public once made)."""
        from daptar.reports.models import Report

        return self.filter(report__in=Report.objects.visible_to(user).values("pk"))

    def managed_by(self, user: User) -> PostQuerySet:
        """Posts on channels of the subtrees where the user acts: these they retry or cancel."""
        if user.is_superuser:
            return self
        q = Q(pk__in=[])
        for desk in user.desks:
            if desk.can_act:
                q |= paths.prefix_q(desk.unit.path, "channel__unit__path")
        return self.filter(q)


class SocialPost(models.Model):
    """One published report on one channel: written before it is sent, so it is sent once.

    `unconfirmed` is set in the same UPDATE that starts an attempt and cleared only by a
    definite answer from the network; a post found unconfirmed was perhaps posted by a
    worker that died, so the channel's recent posts are checked before it is sent again.
    """

    class Status(models.TextChoices):
        HELD = "held", _("waiting for the office's review")
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("posted")
        FAILED = "failed", _("failed")
        UNKNOWN = "unknown", _("perhaps posted: check the channel")
        CANCELLED = "cancelled", _("cancelled")
        DELETED = "deleted", _("deleted from the network")
        REMOVE = "remove", _("to be removed by hand")

    RETRYABLE = (Status.PENDING, Status.FAILED, Status.UNKNOWN, Status.HELD)
    CANCELLABLE = (Status.PENDING, Status.FAILED, Status.UNKNOWN, Status.HELD)

    report = models.ForeignKey("reports.Report", models.CASCADE, related_name="network_posts")
    channel = models.ForeignKey(SocialChannel, models.CASCADE, related_name="posts")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # While SENDING, the end of the worker's lease: past it, the attempt is taken as dead.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    unconfirmed = models.BooleanField(default=False, editable=False)
    # When the last attempt started and how many messages it counts for on the network's
    # rate limit (a Telegram album of three is three messages).
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    weight = models.PositiveSmallIntegerField(default=1, editable=False)
    external_id = models.CharField(_("post id"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # What was sent (the text and photo count), so a check of recent posts knows it.
    text = models.TextField(_("text"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("social post")
        verbose_name_plural = _("social posts")
        constraints = [
            models.UniqueConstraint(fields=["report", "channel"], name="social_network_post_once"),
        ]
        indexes = [
            # The sweep: posts due to be sent, and attempts whose lease ran out.
            models.Index(fields=["status", "next_attempt_at"], name="social_post_due_idx"),
            # The X notice: a channel's posts in one month.
            models.Index(fields=["channel", "sent_at"], name="social_post_month_idx"),
            # Pacing: a channel's attempts in the network's rate window.
            models.Index(fields=["channel", "started_at"], name="social_post_pace_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} ← {self.report_id} ({self.status})"


class TelegramLink(models.Model):
    """A Telegram account linked to a Daptar user: the bot trusts its messages as theirs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="telegram", verbose_name=_("user")
    )
    telegram_id = models.BigIntegerField(_("Telegram user id"), unique=True)
    chat_id = models.BigIntegerField(_("chat"))
    # A one-time code shown on the user's page, sent to the bot to link the account.
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.telegram_id}"


class LinkCode(models.Model):
    """A one-time code that links the Telegram account that sends it to the bot."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    code = models.CharField(max_length=12, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Telegram link code")
        verbose_name_plural = _("Telegram link codes")

    def __str__(self) -> str:
        return f"{self.user}"


class BotUpdate(models.Model):
    """An update from a linked sender, kept by id: Telegram's retries change nothing."""

    update_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-update_id"]
        verbose_name = _("bot update")
        verbose_name_plural = _("bot updates")

    def __str__(self) -> str:
        return str(self.update_id)


class BotDraft(models.Model):
    """Photos and a caption a linked office bearer is sending in, until submitted."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SUBMITTED = "submitted", _("submitted")
        CANCELLED = "cancelled", _("cancelled")

    link = models.ForeignKey(TelegramLink, models.CASCADE, related_name="drafts")
    unit = models.ForeignKey("units.Unit", models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    caption = models.TextField(blank=True)
    # [{"file_id": ..., "file_unique_id": ..., "media_group_id": ...}], in arrival order.
    photos = models.JSONField(default=list)
    report = models.ForeignKey(
        "reports.Report", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bot draft")
        verbose_name_plural = _("bot drafts")
        constraints = [
            # One open draft per sender: an album split over several updates joins it.
            models.UniqueConstraint(
                fields=["link"], condition=Q(status="open"), name="bot_draft_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link}: {self.status}"


class BotNotice(models.Model):
    """A directive sent to a linked office bearer through the bot, once."""

    link = models.ForeignKey(TelegramLink, models.CASCADE, related_name="notices")
    delivery = models.ForeignKey("directives.Delivery", models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, default="pending")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bot notice")
        verbose_name_plural = _("bot notices")
        constraints = [
            models.UniqueConstraint(fields=["link", "delivery"], name="bot_notice_once"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="bot_notice_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.link} ← {self.delivery_id}"
