"""Counting the long windows ahead of their readers, in the worker."""

from __future__ import annotations

from django.core.cache import cache
from django.tasks import task

from daptar.dashboard import figures


@task
def warm_counts() -> int:
    """Count the root's 90- and 365-day dashboard and map into the shared cache."""
    return figures.warm()


def schedule_warm() -> bool:
    """For the periodic job (send_reminders): queue warm_counts at most once per half of
    the cache's lifetime, however often the job runs. True when it queued one."""
    seconds = figures.cache_seconds()
    if seconds <= 0 or not cache.add("dashboard:warming", 1, timeout=max(seconds // 2, 1)):
        return False
    warm_counts.enqueue()
    return True
