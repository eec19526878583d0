from __future__ import annotations

import datetime
import unicodedata
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from daptar.lib.phones import validate_phone
from daptar.people.search import search
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.lib.viewers import Viewer


class Post(models.Model):
    """A post a person can hold in a unit (office secretary, member, ...); data, not code."""

    class DeskRole(models.TextChoices):
        ACT = "act", _("act")
        VIEW = "view", _("view")
        NONE = "", _("no desk")

    slug = models.SlugField(_("slug"), max_length=48, unique=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100)
    desk_role = models.CharField(
        _("desk role"),
        max_length=8,
        choices=DeskRole,
        default=DeskRole.NONE,
        blank=True,
        help_text=_("What holders of this post may do for their unit in Daptar."),
    )
    is_office_bearer = models.BooleanField(_("office bearer"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank", "slug"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "bn").startswith("en") else self.name_bn


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: Viewer) -> PersonQuerySet:
        """People registered in the subtrees of the user's desks."""
        return self.filter(Unit.objects.visible_to_q(user, field="unit__path"))

    def search(self, text: str) -> PersonQuerySet:
        """People whose name holds every word of *text* (Bengali or English), or whose
        phone it is in any written form; on the backend's trigram index."""
        return search(self, text)


class Gender(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")
    OTHER = "o", _("other")


class Person(models.Model):
    """Somebody in the organisation's register: an office bearer or a member."""

    unit = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        related_name="people",
        verbose_name=_("unit"),
        help_text=_("The unit whose register keeps this person's record."),
    )
    name_bn = models.CharField(_("name (Bengali)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=128, blank=True)
    phone = models.CharField(
        _("mobile phone"), max_length=16, blank=True, validators=[validate_phone]
    )
    # Set when the person proved the number is theirs (a code sent to it and typed back).
    # SMS commands, sign-in by phone and the Telegram bot trust only a verified number.
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # The register's own fields, filled from the offices' lists (issue 14). The national
    # ID is, with the phone, what makes two rows one person.
    # Database defaults: the demo seeder writes people with raw INSERT/COPY of older columns.
    national_id = models.CharField(
        _("national ID number"), max_length=17, blank=True, default="", db_default=""
    )
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender, blank=True, default="", db_default=""
    )
    born_on = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "pk"]
        indexes = [
            # The people directory: a subtree's people in name order.
            models.Index(fields=["unit", "name_en"], name="person_unit_name_idx"),
            # Search by phone and the import's duplicate check: one number, one person.
            models.Index(fields=["phone"], name="person_phone_idx"),
            models.Index(fields=["national_id"], name="person_national_id_idx"),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # One spelling of each Bengali letter in the register (see lib.spellings).
        self.name_bn = unicodedata.normalize("NFC", self.name_bn).strip()
        self.name_en = unicodedata.normalize("NFC", self.name_en).strip()

    @property
    def name(self) -> str:
        if (get_language() or "bn").startswith("en") and self.name_en:
            return self.name_en
        return self.name_bn


class TermQuerySet(models.QuerySet["Term"]):
    @staticmethod
    def current_q(on: datetime.date | None = None) -> Q:
        on = on or timezone.localdate()
        return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))

    def current(self, on: datetime.date | None = None) -> TermQuerySet:
        """Terms in force on *on* (today by default)."""
        return self.filter(self.current_q(on))

    def visible_to(self, user: Viewer) -> TermQuerySet:
        return self.filter(Unit.objects.visible_to_q(user, field="unit__path"))

    def office_bearers(self) -> TermQuerySet:
        return self.filter(post__is_office_bearer=True)


class Term(models.Model):
    """A person holding a post in a unit from one date to another (open-ended while current)."""

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="terms", verbose_name=_("person")
    )
    unit = models.ForeignKey(
        "units.Unit", models.CASCADE, related_name="terms", verbose_name=_("unit")
    )
    post = models.ForeignKey(Post, models.PROTECT, related_name="terms", verbose_name=_("post"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "post__rank", "started_on"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        indexes = [
            # Office bearers of one unit (unit page, API unit detail).
            models.Index(fields=["unit", "post"], name="term_unit_post_idx"),
            # A user's desks: the current terms of one person.
            models.Index(fields=["person", "ended_on"], name="term_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.post} ({self.unit})"
