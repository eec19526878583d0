from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from daptar.lib import paths
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


class Category(models.Model):
    """What a report is about (organisational programme, public welfare, ...); data, not code."""

    slug = models.SlugField(_("slug"), max_length=48, unique=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank", "slug"]
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "bn").startswith("en") else self.name_bn


class ReportQuerySet(models.QuerySet["Report"]):
    """Reads of reports that say who sees what, and what the website shows."""

    @staticmethod
    def visible_to_q(user: User) -> Q:
        """A unit's own reports, drafts included; those of its subtree once they are sent up."""
        if not user.is_authenticated or not user.is_active:
            return Q(pk__in=[])
        if user.is_superuser:
            return Q()
        q = Q(pk__in=[])
        for desk in user.desks:
            q |= Q(unit_id=desk.unit.pk) | (
                paths.prefix_q(desk.unit.path, "unit_path") & ~Q(status=Report.Status.DRAFT)
            )
        return q

    def visible_to(self, user: User) -> ReportQuerySet:
        """Reports the user's desks may read in the office pages and the API."""
        return self.filter(self.visible_to_q(user))

    def published(self) -> ReportQuerySet:
        """What the public website shows, newest first."""
        return self.filter(status=Report.Status.PUBLISHED).order_by("-published_at", "-pk")

    def waiting_for(self, unit: Unit) -> ReportQuerySet:
        """Submitted reports that went up to *unit*'s office for review."""
        return self.filter(status=Report.Status.SUBMITTED, review_unit=unit)


class Report(models.Model):
    """An illustrated report (সচিত্র প্রতিবেদন) of a unit's programme or welfare work."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    unit = models.ForeignKey(
        "units.Unit", models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    event_date = models.DateField(_("date of the event"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_unit = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place (unit)"),
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    # The office a submission went up to: the unit's parent when it was submitted.
    review_unit = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    # The office that approved it; it and the offices above it may publish.
    approved_unit = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # Any change the public website shows (publish, withdraw, a photo ready): the
    # Last-Modified and ETag of its pages are built from the latest of these.
    public_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    slug = models.CharField(_("web address"), max_length=80, blank=True, editable=False)
    # The phone form's hidden key: sending the same form twice makes one report.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("illustrated report")
        verbose_name_plural = _("illustrated reports")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="report_idempotency_once",
            ),
        ]
        indexes = [
            # "Our reports": one unit's reports, newest first.
            models.Index(fields=["unit", "-created_at"], name="report_unit_idx"),
            # The review badge and queue: submitted reports sent up to one office.
            models.Index(fields=["review_unit", "status"], name="report_review_idx"),
            # Scoped lists by status (API ?status=, "approved under us"): a path range.
            models.Index(fields=["status", "unit_path"], name="report_status_path_idx"),
            # The public home, lists and feed: published, newest first.
            models.Index(fields=["status", "-published_at"], name="report_public_idx"),
            # The website's Last-Modified: MAX(public_changed_at).
            models.Index(fields=["public_changed_at"], name="report_changed_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def summary(self) -> str:
        """The body's opening, for previews: feed entries, share cards, social posts."""
        text = " ".join(self.body.split())
        return Truncator(text).chars(200)

    def public_path(self, language: str = "bn") -> str:
        """The stable address of the published report (its slug is fixed at first publishing)."""
        name = "website:en_report" if language.startswith("en") else "website:report"
        return reverse(name, args=[self.pk, self.slug or "report"])

    @property
    def public_url(self) -> str:
        return settings.DAPTAR_SITE_URL.rstrip("/") + self.public_path()


class Review(models.Model):
    """One step in a report's history: who, as which office, did what, when, and why."""

    class Decision(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    report = models.ForeignKey(Report, models.CASCADE, related_name="reviews")
    unit = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review history")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.decision}"


#: Hex digits of a rendition's hash in its public address.
DIGEST_LENGTH = 16


class Photo(models.Model):
    """A photo of a report: the original kept privately, web renditions made by the worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be prepared")

    report = models.ForeignKey(Report, models.CASCADE, related_name="photos")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    # A name in the reports storage under the private prefix: never served to anyone.
    original = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Random, so rendition names cannot be guessed from the report's or the photo's id.
    key = models.CharField(max_length=32, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    # [{"w": 800, "h": 600, "webp": bytes, "jpeg": bytes, "sha": {"webp": hex, "jpeg": hex}}]
    renditions = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            # The same photo twice in one report is kept once.
            models.UniqueConstraint(fields=["report", "sha256"], name="photo_once"),
        ]

    def __str__(self) -> str:
        return self.caption or self.name or f"photo {self.pk}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.renditions)

    def rendition_name(self, width: int, fmt: str) -> str:
        """Where one rendition lives in the storage (public prefix, unguessable name)."""
        return f"reports/public/{self.report_id}/{self.key}-{width}.{fmt}"

    def digest(self, width: int, fmt: str) -> str:
        """A short hash of one rendition's bytes, for its public, immutable address.

        Renditions made since digests were kept carry the SHA-256 of their bytes; older
        ones get a hash of what changes whenever they are remade (key, size, time).
        """
        for r in self.renditions:
            if r["w"] == width:
                sha = r.get("sha", {}).get("jpeg" if fmt == "jpg" else fmt)
                if sha:
                    return str(sha)[:DIGEST_LENGTH]
                size = r.get("jpeg" if fmt == "jpg" else fmt, 0)
                made = self.rendered_at.isoformat() if self.rendered_at else ""
                seed = f"{self.key}:{width}:{fmt}:{size}:{made}"
                return hashlib.sha256(seed.encode()).hexdigest()[:DIGEST_LENGTH]
        return ""

    def rendition(self, at_least: int = 0) -> dict[str, Any] | None:
        """The narrowest rendition at least *at_least* wide (else the widest there is)."""
        fitting = [r for r in self.renditions if r["w"] >= at_least]
        if fitting:
            return min(fitting, key=lambda r: r["w"])
        return max(self.renditions, key=lambda r: r["w"]) if self.renditions else None


class SocialChannel(models.Model):
    """Somewhere published reports are announced: a generic webhook now, named networks later."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("webhook (POST of JSON)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.WEBHOOK)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "When set, each POST carries the header X-Daptar-Signature: sha256= followed by "
            "the HMAC of the body."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("social channel")
        verbose_name_plural = _("social channels")

    def __str__(self) -> str:
        return self.name


class SocialPost(models.Model):
    """One published report on one channel: the outbox row the worker sends and retries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    report = models.ForeignKey(Report, models.CASCADE, related_name="social_posts")
    channel = models.ForeignKey(SocialChannel, models.PROTECT, related_name="posts")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("social post")
        verbose_name_plural = _("social outbox")
        constraints = [
            models.UniqueConstraint(fields=["report", "channel"], name="social_post_once"),
        ]
        indexes = [
            # The sweep: pending posts whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="social_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} ← {self.report_id} ({self.status})"
