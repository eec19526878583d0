"""The database team's register: committees with their posts, and imports of the offices' lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


class CommitteeQuerySet(models.QuerySet["Committee"]):
    def visible_to(self, user: User) -> CommitteeQuerySet:
        """Committees of the units in the subtrees of the user's desks."""
        return self.filter(Unit.objects.visible_to_q(user, field="unit__path"))

    def current(self) -> CommitteeQuerySet:
        return self.filter(state=Committee.State.CURRENT)


class Committee(models.Model):
    """The office bearers of one unit for one term: proposed, approved above, then current."""

    class Kind(models.TextChoices):
        FULL = "full", _("full committee")
        CONVENING = "convening", _("convening committee")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CURRENT = "current", _("current")
        ENDED = "ended", _("ended")
        REJECTED = "rejected", _("rejected")

    unit = models.ForeignKey(
        "units.Unit", models.CASCADE, related_name="committees", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.FULL)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PROPOSED)
    formed_on = models.DateField(_("formed on"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    expires_on = models.DateField(_("term ends on"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    proposed_by_unit = models.ForeignKey(
        "units.Unit", models.SET_NULL, null=True, related_name="+", verbose_name=_("proposed by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_unit = models.ForeignKey(
        "units.Unit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "-formed_on", "-pk"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(state="current"), name="committee_one_current"
            ),
        ]
        indexes = [
            # The expired list: current committees whose term is over, country-wide.
            models.Index(fields=["state", "expires_on"], name="committee_state_expiry_idx"),
            # A unit's committee and its history.
            models.Index(fields=["unit", "state"], name="committee_unit_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit} ({self.formed_on})"


class Seat(models.Model):
    """One post on a committee and who holds it; no person is a vacant post."""

    committee = models.ForeignKey(
        Committee, models.CASCADE, related_name="seats", verbose_name=_("committee")
    )
    post = models.ForeignKey(
        "people.Post", models.PROTECT, related_name="+", verbose_name=_("post")
    )
    person = models.ForeignKey(
        "people.Person",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="seats",
        verbose_name=_("person"),
    )
    # Set on approval: the term the seat began.
    term = models.ForeignKey(
        "people.Term", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["committee_id", "post__rank", "position", "pk"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")

    def __str__(self) -> str:
        return f"{self.post}: {self.person or '—'}"


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def visible_to(self, user: User) -> ImportBatchQuerySet:
        return self.filter(Unit.objects.visible_to_q(user, field="unit__path"))


class ImportBatch(models.Model):
    """One uploaded sheet: previewed row by row, then applied in one transaction or dropped."""

    class State(models.TextChoices):
        READING = "reading", _("reading")
        PREVIEW = "preview", _("ready to apply")
        APPLYING = "applying", _("applying")
        APPLIED = "applied", _("applied")
        UNDONE = "undone", _("undone")
        FAILED = "failed", _("failed")

    unit = models.ForeignKey("units.Unit", models.CASCADE, related_name="+", verbose_name=_("unit"))
    post = models.ForeignKey(
        "people.Post",
        models.PROTECT,
        related_name="+",
        verbose_name=_("post"),
        help_text=_("The post every row's person holds when the sheet names none (a member list)."),
    )
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.READING)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows read"), default=0)
    counts = models.JSONField(default=dict, blank=True)
    # What applying wrote, for undo: {"people": [ids created], "terms": [ids begun]}.
    written = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename


class ImportRow(models.Model):
    """One row of a sheet, as read, with what applying it does (or why it cannot)."""

    class Outcome(models.TextChoices):
        NEW = "new", _("new person")
        MATCH = "match", _("matches an existing person")
        ERROR = "error", _("error")
        SKIP = "skip", _("already in the register")

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    data = models.JSONField(default=dict)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome)
    message = models.CharField(_("message"), max_length=255, blank=True)
    person = models.ForeignKey(
        "people.Person", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch_id", "number"]
        indexes = [
            # The preview page: a batch's rows, errors first when asked.
            models.Index(fields=["batch", "outcome", "number"], name="importrow_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number} {self.outcome}"
