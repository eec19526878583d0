from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from daptar.lib import paths

if TYPE_CHECKING:
    from daptar.lib.viewers import Viewer


class Level(models.Model):
    """A tier of the organisation's tree (central, division, ... ward); data, not code."""

    slug = models.SlugField(_("slug"), max_length=32, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "bn").startswith("en") else self.name_bn


class UnitQuerySet(models.QuerySet["Unit"]):
    @staticmethod
    def subtree_q(unit: Unit, field: str = "path") -> Q:
        """*unit* and everything under it, as a Q on *field* (a path column)."""
        return paths.prefix_q(unit.path, field)

    def subtree(self, unit: Unit) -> UnitQuerySet:
        """*unit* and everything under it: one indexed range on path."""
        return self.filter(self.subtree_q(unit))

    @staticmethod
    def ancestors_of_q(unit: Unit) -> Q:
        return Q(path__in=paths.ancestor_paths(unit.path))

    def ancestors_of(self, unit: Unit) -> UnitQuerySet:
        """The units above *unit*, root first."""
        return self.filter(self.ancestors_of_q(unit)).order_by("depth")

    @staticmethod
    def children_q(unit: Unit) -> Q:
        return Q(parent_id=unit.pk)

    def children(self, unit: Unit) -> UnitQuerySet:
        return self.filter(self.children_q(unit))

    @staticmethod
    def visible_to_q(user: Viewer, field: str = "path") -> Q:
        """The single scope rule: the subtrees of the units the user holds a desk for."""
        if not user.is_authenticated or not user.is_active:
            return Q(pk__in=[])
        if user.is_superuser:
            return Q()
        q = Q(pk__in=[])
        for desk in user.desks:
            q |= paths.prefix_q(desk.unit.path, field)
        return q

    def visible_to(self, user: Viewer) -> UnitQuerySet:
        return self.filter(self.visible_to_q(user))

    def search(self, text: str) -> UnitQuerySet:
        """Units whose Bengali or English name or code contains *text*."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name_bn__contains=text) | Q(name_en__icontains=text) | Q(code__iexact=text)
        )


class Unit(models.Model):
    """One office of the organisation's own tree, stored with a materialised path."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("standard")
        METROPOLITAN = "metropolitan", _("metropolitan")
        THANA = "thana", _("thana")
        POURASHAVA = "pourashava", _("pourashava")

    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.ForeignKey(Level, models.PROTECT, related_name="units", verbose_name=_("level"))
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_bn = models.CharField(_("name (Bengali)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.STANDARD)
    geo_division_id = models.PositiveIntegerField(_("geo division id"), null=True, blank=True)
    geo_district_id = models.PositiveIntegerField(_("geo district id"), null=True, blank=True)
    geo_upazila_id = models.PositiveIntegerField(_("geo upazila id"), null=True, blank=True)
    geo_union_id = models.PositiveIntegerField(_("geo union id"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        # path is unique, so its index serves every subtree range query.
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name_bn"], name="unit_unique_name_bn"),
            models.UniqueConstraint(fields=["parent", "name_en"], name="unit_unique_name_en"),
        ]
        indexes = [
            # The unit browser lists a parent's children in name order.
            models.Index(fields=["parent", "name_en"], name="unit_parent_name_idx"),
            # Filtering by level across a subtree (API ?level=, directive targets).
            models.Index(fields=["level", "path"], name="unit_level_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "bn").startswith("en") else self.name_bn

    def is_within(self, other: Unit) -> bool:
        """True when this unit is *other* or lies under it."""
        return self.path.startswith(other.path)

    def natural_key(self) -> tuple[Any, ...]:
        return (self.code,)


class Counter(models.Model):
    """The last number a unit gave in one series and year (directive references, memo numbers).

    Numbers come from here, not from MAX()+1 over the numbered rows, so they
    stay unique under concurrent writers: the row is locked while it counts.
    """

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    series = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "series", "year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "series", "year"], name="counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.series}/{self.year}: {self.last}"
