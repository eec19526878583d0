"""Which database errors are a passing fault (503, try again) rather than a bug (500)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError, connections

# SQLite's own words for "another writer holds the lock" and "the file is not there now".
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
SQLITE_UNAVAILABLE = ("unable to open database", "disk i/o error")

LOCKED, UNAVAILABLE = "locked", "unavailable"


def classify(exc: BaseException | None) -> str | None:
    """LOCKED, UNAVAILABLE, or None for an error that is not a passing database fault.

    On SQLite an OperationalError is also how a missing table reads, so only the busy and
    cannot-open messages count there; on PostgreSQL every OperationalError is the server
    or the connection going away, as an InterfaceError is everywhere.
    """
    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    if isinstance(exc, InterfaceError):  # the connection itself is gone
        return UNAVAILABLE
    text = str(exc).lower()
    if any(words in text for words in SQLITE_BUSY):
        return LOCKED
    vendors = {connections[alias].vendor for alias in connections}
    if vendors == {"sqlite"}:
        return UNAVAILABLE if any(words in text for words in SQLITE_UNAVAILABLE) else None
    return UNAVAILABLE
