"""The operations part of the periodic pass (send_reminders): task leases, orphan files."""

from __future__ import annotations

from django.core.cache import cache

from daptar.operations import leases, orphans

ORPHAN_SWEEP_SECONDS = 3600  # the storage walk is not cheap: at most once an hour


def housekeeping() -> dict[str, int]:
    counts = {"tasks_requeued": leases.reclaim_expired(), "orphan_files": 0}
    if cache.add("operations:orphans", 1, ORPHAN_SWEEP_SECONDS):
        counts["orphan_files"] = len(orphans.delete_orphans())
    return counts
