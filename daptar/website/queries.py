"""Reads for the public website: published reports only, and nothing personal about anyone."""

from __future__ import annotations

import datetime

from django.db.models import Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from daptar.lib import paths
from daptar.reports.models import Category, Photo, Report, ReportQuerySet
from daptar.units.models import Unit, UnitQuerySet

DIVISION, DISTRICT = "division", "district"


def public_photos() -> Prefetch:
    """A report's photos whose renditions exist, in their order (as `public_photos`)."""
    return Prefetch(
        "photos",
        queryset=Photo.objects.filter(status=Photo.Status.READY).order_by("order", "pk"),
        to_attr="public_photos",
    )


def published() -> ReportQuerySet:
    """Published reports with their unit and category, newest first."""
    return Report.objects.published().select_related("unit", "category")


def get_published(report_id: int | str) -> Report:
    """A published report, or 404 (drafts, withdrawn and missing reports alike)."""
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(published(), pk=pk)


def ready_photos(report: Report) -> list[Photo]:
    """The report's photos whose renditions exist, in their order."""
    return list(
        Photo.objects.filter(report=report, status=Photo.Status.READY).order_by("order", "pk")
    )


def version() -> datetime.datetime | None:
    """When the public site last changed: one MAX over an index."""
    return Report.objects.aggregate(at=Max("public_changed_at"))["at"]


def divisions() -> UnitQuerySet:
    """The open divisions, for the filters and the home page."""
    return Unit.objects.filter(level__slug=DIVISION, is_active=True).order_by("path")


def districts(division: Unit | None = None) -> UnitQuerySet:
    """The open organisational districts (of one division when given)."""
    rows = Unit.objects.filter(level__slug=DISTRICT, is_active=True)
    if division is not None:
        rows = rows.filter(paths.prefix_q(division.path))
    return rows.order_by("path")


def unit_at(level: str, unit_id: str | None) -> Unit | None:
    """The division or district a filter names, or None when it names none."""
    if not unit_id or not str(unit_id).isdigit():
        return None
    return Unit.objects.filter(level__slug=level, pk=int(unit_id)).first()


def search(
    *,
    division: Unit | None = None,
    district: Unit | None = None,
    category: Category | None = None,
    text: str = "",
) -> ReportQuerySet:
    """Published reports filtered as the list page offers: place, category, words."""
    rows = published()
    for unit in (division, district):
        if unit is not None:
            rows = rows.filter(paths.prefix_q(unit.path, "unit_path"))
    if category is not None:
        rows = rows.filter(category=category)
    if text := text.strip()[:100]:
        rows = rows.filter(
            Q(title__icontains=text) | Q(body__icontains=text) | Q(place__icontains=text)
        )
    return rows.prefetch_related(public_photos())


def places(reports: list[Report]) -> dict[int, list[Unit]]:
    """Report id → its division and district (root first): one query for a whole page."""
    wanted = {p for r in reports for p in [*paths.ancestor_paths(r.unit_path), r.unit_path]}
    if not wanted:
        return {}
    units = list(
        Unit.objects.filter(path__in=wanted, level__slug__in=[DIVISION, DISTRICT])
        .select_related("level")
        .order_by("depth")
    )
    return {
        r.pk: [u for u in units if r.unit_path.startswith(u.path) and u.pk != r.unit_id]
        for r in reports
    }
