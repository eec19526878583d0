"""Every write to the unit tree."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from daptar.accounts.queries import require_act
from daptar.audit.actions import record
from daptar.lib import paths
from daptar.units.models import Level, Unit
from daptar.website.actions import site_changed

if TYPE_CHECKING:
    from daptar.accounts.models import User


def _next_child_path(parent: Unit | None) -> str:
    """A path segment under *parent* that no unit has ever had.

    A moved-away unit's old path is never handed out again: history recorded
    under that path (audit events keep the path they were written with) must not
    become a new unit's. The parent's counter remembers the highest segment given.
    """
    siblings = Unit.objects.filter(parent=parent) if parent else Unit.objects.filter(depth=0)
    last = siblings.aggregate(last=Max("path"))["last"]
    number = int(last[-paths.STEP :]) + 1 if last else 1
    if parent is not None:
        from daptar.units.models import Counter

        counter, _created = Counter.objects.select_for_update().get_or_create(
            unit=parent, series="child-path", year=0
        )
        number = max(number, counter.last + 1)
        Counter.objects.filter(pk=counter.pk).update(last=number)
    return (parent.path if parent else "") + paths.segment(number)


def _move_path_copies(old_path: str, new_path: str) -> None:
    """Rewrite the copies of moved paths that other tables keep for subtree scoping.

    By convention a CharField named `*_path` on a domain model holds a unit path;
    one UPDATE per such column. Audit events keep the path they were written with.
    """
    from django.apps import apps

    from daptar.audit.models import AuditEvent

    for model in apps.get_models():
        if model in (Unit, AuditEvent) or not model.__module__.startswith("daptar."):
            continue
        for field in model._meta.concrete_fields:
            if field.name.endswith("_path") and field.get_internal_type() == "CharField":
                model._base_manager.filter(paths.prefix_q(old_path, field.name)).update(
                    **{field.name: Concat(Value(new_path), Substr(field.name, len(old_path) + 1))}
                )


def create_unit(
    *,
    parent: Unit | None,
    level: Level,
    code: str,
    name_bn: str,
    name_en: str,
    kind: str = Unit.Kind.STANDARD,
    by: User,
) -> Unit:
    """Open a new unit under *parent* (a root when None; only an operator may do that)."""
    if parent is None:
        if not by.is_superuser:
            raise ValidationError(_("Only an operator can open a root unit."))
    else:
        require_act(by, parent)
    with transaction.atomic():
        path = _next_child_path(parent)
        unit = Unit(
            parent=parent,
            level=level,
            path=path,
            depth=paths.depth(path),
            code=code,
            name_bn=name_bn,
            name_en=name_en,
            kind=kind,
        )
        unit.full_clean()
        unit.save()
        site_changed()
        record("unit.created", by=by, obj=unit, detail={"parent": parent.pk if parent else None})
    return unit


def move_unit(unit: Unit, *, new_parent: Unit, by: User) -> Unit:
    """Put *unit* and its whole subtree under *new_parent*: one UPDATE for the subtree.

    Tables that copy unit paths for scoping follow in one UPDATE each.
    """
    require_act(by, unit)
    require_act(by, new_parent)
    if new_parent.is_within(unit):
        raise ValidationError(_("A unit cannot be moved under itself or its own subtree."))
    namesakes = Unit.objects.children(new_parent).filter(
        Q(name_bn=unit.name_bn) | Q(name_en=unit.name_en)
    )
    if namesakes.exclude(pk=unit.pk).exists():
        raise ValidationError(_("The new parent already has a unit of this name."))
    with transaction.atomic():
        old_path, old_parent_id = unit.path, unit.parent_id
        new_path = _next_child_path(new_parent)
        shift = paths.depth(new_path) - unit.depth
        Unit.objects.subtree(unit).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )
        Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
        _move_path_copies(old_path, new_path)
        unit.refresh_from_db()
        site_changed()
        record(
            "unit.moved",
            by=by,
            obj=unit,
            detail={"from_parent": old_parent_id, "to_parent": new_parent.pk},
        )
    return unit


def rename_unit(unit: Unit, *, name_bn: str, name_en: str, by: User) -> Unit:
    require_act(by, unit)
    with transaction.atomic():
        before = {"name_bn": unit.name_bn, "name_en": unit.name_en}
        unit.name_bn, unit.name_en = name_bn, name_en
        unit.full_clean()
        unit.save(update_fields=["name_bn", "name_en", "updated_at"])
        site_changed()
        record("unit.renamed", by=by, obj=unit, detail={"before": before})
    return unit


def close_unit(unit: Unit, *, on: datetime.date, by: User) -> Unit:
    """Mark *unit* closed from *on*; its history stays."""
    require_act(by, unit)
    with transaction.atomic():
        unit.is_active, unit.closed_on = False, on
        unit.save(update_fields=["is_active", "closed_on", "updated_at"])
        site_changed()
        record("unit.closed", by=by, obj=unit, detail={"on": str(on)})
    return unit


def next_number(unit: Unit, series: str, year: int) -> int:
    """The next number in *unit*'s *series* for *year*: 1, 2, 3 … with no gaps and no repeats.

    Call inside the transaction that uses the number, so a rollback gives it back.
    """
    from daptar.units.models import Counter

    with transaction.atomic():
        Counter.objects.get_or_create(unit=unit, series=series, year=year)
        Counter.objects.filter(unit=unit, series=series, year=year).update(last=F("last") + 1)
        return Counter.objects.get(unit=unit, series=series, year=year).last
