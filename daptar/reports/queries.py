"""Reads of reports for the office pages and the API: fetch-and-authorise, lists, the badge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from daptar.lib import paths
from daptar.reports.models import Photo, Report, ReportQuerySet, Review
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User

BOXES = ("waiting", "submitted", "approved", "published")


def get_visible_report(user: User, report_id: int | str) -> Report:
    """The report if the user may read it; 404 when missing or out of scope."""
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        Report.objects.visible_to(user).select_related(
            "unit__parent", "category", "author", "place_unit", "approved_unit", "review_unit"
        ),
        pk=pk,
    )


def get_photo(report: Report, photo_id: int | str) -> Photo:
    """One photo of a report already fetched through get_visible_report."""
    try:
        pk = int(photo_id)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        Photo.objects.filter(report=report).select_related("report__unit"), pk=pk
    )


def waiting_count(unit: Unit) -> int:
    """The navigation badge: reports sent up to *unit*'s office and not yet reviewed."""
    return Report.objects.waiting_for(unit).count()


def with_photos(reports: ReportQuerySet) -> ReportQuerySet:
    """Reports with their unit, category and photos: three queries however many rows."""
    return reports.select_related("unit", "category").prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("order", "pk"))
    )


def our_reports(unit: Unit, status: str = "") -> ReportQuerySet:
    """A unit's own reports, newest first, in every state or one."""
    rows = Report.objects.filter(unit=unit)
    if status in Report.Status.values:
        rows = rows.filter(status=status)
    return with_photos(rows.order_by("-created_at", "-pk"))


def review_queue(unit: Unit, box: str = "waiting") -> ReportQuerySet:
    """What an office reviews: sent up to it, or submitted / approved / published below it."""
    below = Report.objects.filter(paths.prefix_q(unit.path, "unit_path")).exclude(unit=unit)
    if box == "submitted":
        rows = below.filter(status=Report.Status.SUBMITTED).order_by("submitted_at", "pk")
    elif box == "approved":
        rows = below.filter(status=Report.Status.APPROVED).order_by("approved_at", "pk")
    elif box == "published":
        rows = below.filter(status=Report.Status.PUBLISHED).order_by("-published_at", "-pk")
    else:
        rows = Report.objects.waiting_for(unit).order_by("submitted_at", "pk")
    return with_photos(rows)


def scoped(
    user: User, *, status: str = "", unit: Unit | None = None, within: Unit | None = None
) -> ReportQuerySet:
    """The API's list: reports in the user's scope; of one unit, or of one unit's subtree."""
    rows = Report.objects.visible_to(user)
    if status:
        rows = rows.filter(status=status)
    if unit is not None:
        rows = rows.filter(unit=unit)
    if within is not None:
        rows = rows.filter(paths.prefix_q(within.path, "unit_path"))
    return with_photos(rows.order_by("-created_at", "-pk"))


def history(report: Report) -> list[Review]:
    """The report's review steps, oldest first, with who and which office."""
    return list(report.reviews.select_related("by", "unit"))
