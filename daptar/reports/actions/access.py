"""Who may do what to a report: its own office writes, the offices above review and publish."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from daptar.reports.models import Report
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


def audit_label(report: Report) -> str | None:
    """What the audit log shows for *report*: only its number while it is a draft.

    Offices above read the log but not a draft, so its title stays out of it.
    """
    return f"#{report.pk}" if report.status == Report.Status.DRAFT else None


def require_own_office(user: User, unit: Unit) -> None:
    """Drafting, editing and submitting are the unit's own office's work (an act desk there)."""
    desks = [d for d in user.desks if d.unit.pk == unit.pk]
    if any(d.can_act for d in desks):
        return
    if desks:
        raise PermissionDenied(_("Your desk at this unit is read-only."))
    raise PermissionDenied(_("Only the unit's own office writes its reports."))


def _office_above(user: User, *, of: Unit, as_unit: Unit | None) -> Unit:
    """The act desk of *user* at *of* or above it: the acting one if it qualifies, else the
    nearest. PermissionDenied (403) when the user has none."""
    offices = [d.unit for d in user.desks if d.can_act and of.is_within(d.unit)]
    if not offices:
        if user.is_superuser:
            return of
        raise PermissionDenied(_("Only an office above this unit can do this."))
    for office in offices:
        if as_unit is not None and office.pk == as_unit.pk:
            return office
    return max(offices, key=lambda u: u.depth)


def reviewer_office(user: User, report: Report, as_unit: Unit | None = None) -> Unit:
    """The office through which *user* reviews *report*: the parent unit's or any above it."""
    parent = report.unit.parent
    if parent is None:
        raise PermissionDenied(_("Only an office above this unit can do this."))
    return _office_above(user, of=parent, as_unit=as_unit)


def publisher_office(user: User, report: Report, as_unit: Unit | None = None) -> Unit:
    """The office through which *user* publishes: the approving office's or any above it."""
    approved = report.approved_unit or report.unit.parent or report.unit
    return _office_above(user, of=approved, as_unit=as_unit)


def can_review(user: User, report: Report) -> bool:
    """Whether the report's page offers *user* the review buttons."""
    try:
        reviewer_office(user, report)
    except PermissionDenied:
        return False
    return True


def can_publish(user: User, report: Report) -> bool:
    """Whether the report's page offers *user* the publish button."""
    try:
        publisher_office(user, report)
    except PermissionDenied:
        return False
    return True


def can_write(user: User, report: Report) -> bool:
    """Whether *user* acts for the report's own unit (edits, photos, submits)."""
    return any(d.unit.pk == report.unit_id and d.can_act for d in user.desks)
