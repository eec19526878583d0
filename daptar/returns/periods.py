"""The calendar of a schedule: which period a day falls in, and when it is due and locks.

Periods follow the calendar in the office's time zone: a monthly return for
January runs 1–31 January and is due at the end of the day `timely_days`
after the 31st; a quarterly one follows the calendar quarters, a yearly one
the calendar year. A one-off return runs from the day it is published to its
explicit due time.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from daptar.returns.models import ReturnForm


def bounds(schedule: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the recurring period that holds *day*."""
    if schedule == "monthly":
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
    elif schedule == "quarterly":
        start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        following = (start + datetime.timedelta(days=95)).replace(day=1)
    elif schedule == "yearly":
        start = day.replace(month=1, day=1)
        following = start.replace(year=start.year + 1)
    else:
        raise ValueError(f"{schedule!r} is not a recurring schedule")
    return start, following - datetime.timedelta(days=1)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of *day* in the office's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def timing(
    form: ReturnForm, day: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.datetime, datetime.datetime | None]:
    """(starts_on, ends_on, due_at, locks_at) of *form*'s period that holds *day*."""
    if form.schedule == "once":
        assert form.due_at is not None
        due = form.due_at
        start, end = day, max(day, timezone.localtime(due).date())
    else:
        start, end = bounds(form.schedule, day)
        due = end_of_day(end + datetime.timedelta(days=form.timely_days))
    locks = None
    if form.lock_after_days is not None:
        locks = due + datetime.timedelta(days=form.lock_after_days)
    return start, end, due, locks
