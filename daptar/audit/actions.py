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
    label: str | None = None,
) -> AuditEvent:
    """Append one audit event; the acting unit and address come from the request context.

    The log is read by every office above the acting unit, so an object whose text
    they may not read (a confidential letter, a draft) passes a *label* to show
    instead of its own str().
    """
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
        object_repr=(label if label is not None else str(obj) if obj is not None else "")[:200],
        ip=context.ip if context else None,
        detail=detail or {},
    )
