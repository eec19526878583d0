"""Counters in the shared cache: how often an account, an address or a number tried something.

Each counter is (count, start of its window); once *limit* hits fall in one window the
key is locked until the window that began with the first hit is over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from django.core.cache import cache


def wait_minutes(counters: Iterable[tuple[str, int]], window_minutes: int) -> int:
    """Minutes until every (key, limit) counter allows another try; 0 when all do now."""
    now = time.time()
    wait = 0.0
    for key, limit in counters:
        count, first = cache.get(key, (0, now))
        if count >= limit:
            wait = max(wait, first + window_minutes * 60 - now)
    return math.ceil(wait / 60) if wait > 0 else 0


def hit(keys: Iterable[str], window_minutes: int) -> None:
    """Count one try against each key, starting a new window when the old one is over."""
    now = time.time()
    window = window_minutes * 60
    for key in keys:
        count, first = cache.get(key, (0, now))
        if now - first > window:
            count, first = 0, now
        cache.set(key, (count + 1, first), timeout=window)


def clear(key: str) -> None:
    cache.delete(key)
