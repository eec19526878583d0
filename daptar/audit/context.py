"""Who is acting, for which unit, from where: set once per request, read by record()."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from daptar.units.models import Unit


@dataclass
class RequestContext:
    ip: str | None = None
    unit: Unit | None = None
    # Finds the acting unit when first needed: the API authenticates its user
    # only inside the view, after the middleware has opened this context.
    resolve_unit: Callable[[], object] | None = None


current: ContextVar[RequestContext | None] = ContextVar("daptar_audit_context", default=None)
