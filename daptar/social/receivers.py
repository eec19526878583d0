"""The social app's part in a report's life: it follows the reports app's signals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from daptar.social import actions

if TYPE_CHECKING:
    from daptar.reports.models import Report


def queue_posts(sender: Any, report: Report, **kwargs: Any) -> None:
    """A published report: one post on each channel that takes it."""
    actions.queue_for_report(report)


def withdraw_posts(sender: Any, report: Report, **kwargs: Any) -> None:
    """A withdrawn report: its unsent posts stop, its sent ones are deleted."""
    actions.withdraw_posts(report)
