from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from daptar.audit.context import current
from daptar.audit.models import AuditEvent

if TYPE_CHECKING:
    from daptar.accounts.models import User
    from daptar.units.models import Unit


def record(
    verb: str,
    *,
    by: User | None,
    obj: models.Model | None = None,
    unit: Unit | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the acting unit and address come from the request context."""
    context = current.get()
    if unit is None and context is not None:
        if context.unit is None and context.resolve_unit is not None:
            context.resolve_unit()  # acting_desk() stores the desk's unit on the context
        unit = context.unit
    return AuditEvent.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        actor_username=getattr(by, "username", "") or "",
        unit=unit,
        unit_path=unit.path if unit else "",
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        ip=context.ip if context else None,
        detail=detail or {},
    )
