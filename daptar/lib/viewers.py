"""Who is looking: the little of a login that the scope rule reads.

The models of units and people filter by it without importing the accounts app, whose `User`
is built on them (accounts -> people -> units, never back).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class HasPath(Protocol):
    @property
    def path(self) -> str: ...


class DeskLike(Protocol):
    @property
    def unit(self) -> HasPath: ...


class Viewer(Protocol):
    """A signed-in user, or an anonymous one (who sees nothing)."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def desks(self) -> Sequence[DeskLike]: ...
