"""Every write to directives and their deliveries."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Subquery
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.accounts.queries import require_act
from daptar.audit.actions import record
from daptar.directives.models import Attachment, Delivery, Directive
from daptar.lib import jobs, paths, uploads
from daptar.lib.exceptions import Conflict
from daptar.lib.numerals import to_bengali_digits
from daptar.notifications.actions import Message, notify_units
from daptar.units.actions import next_number
from daptar.units.models import Level, Unit, UnitQuerySet

if TYPE_CHECKING:
    from daptar.accounts.models import User


def _require_desk_at(user: User, unit: Unit) -> None:
    """Only the unit's own office (an act desk at exactly that unit) moves its delivery."""
    if not any(d.unit.pk == unit.pk and d.can_act for d in user.desks):
        raise PermissionDenied(_("Only this unit's office can do this."))


def _validate(
    *, issuing_unit: Unit, title: str, due_at: datetime.datetime, target_unit: Unit
) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the directive a title.")]
    if due_at <= timezone.now():
        errors["due_at"] = [_("The due time must be in the future.")]
    if not target_unit.is_within(issuing_unit):
        errors["target_unit"] = [_("A unit can only direct its own subtree.")]
    if errors:
        raise ValidationError(errors)


def create_directive(
    *,
    issuing_unit: Unit,
    by: User,
    title: str,
    body: str,
    due_at: datetime.datetime,
    target_unit: Unit,
    target_levels: list[Level] | None = None,
    priority: str = Directive.Priority.NORMAL,
    mode: str = Directive.Mode.DIRECT,
) -> Directive:
    """A draft with its reference number (e.g. CEN/2026/0042), not yet sent to anyone."""
    require_act(by, issuing_unit)
    _validate(issuing_unit=issuing_unit, title=title, due_at=due_at, target_unit=target_unit)
    with transaction.atomic():
        year = timezone.localdate().year
        number = next_number(issuing_unit, "directive", year)
        directive = Directive.objects.create(
            issuing_unit=issuing_unit,
            author=by,
            title=title.strip(),
            body=body,
            reference=f"{issuing_unit.code}/{year}/{number:04d}",
            priority=priority,
            due_at=due_at,
            target_unit=target_unit,
            mode=mode,
        )
        directive.target_levels.set(target_levels or [])
        record("directive.created", by=by, obj=directive, unit=issuing_unit)
    return directive


def update_draft(
    directive: Directive,
    *,
    by: User,
    title: str,
    body: str,
    due_at: datetime.datetime,
    target_unit: Unit,
    target_levels: list[Level],
    priority: str,
    mode: str,
) -> Directive:
    require_act(by, directive.issuing_unit)
    if directive.status != Directive.Status.DRAFT:
        raise Conflict(_("Only a draft can be edited."))
    _validate(
        issuing_unit=directive.issuing_unit, title=title, due_at=due_at, target_unit=target_unit
    )
    with transaction.atomic():
        directive.title, directive.body, directive.due_at = title.strip(), body, due_at
        directive.target_unit, directive.priority, directive.mode = target_unit, priority, mode
        directive.save()
        directive.target_levels.set(target_levels)
        record("directive.edited", by=by, obj=directive, unit=directive.issuing_unit)
    return directive


def add_attachment(directive: Directive, upload: UploadedFile, *, by: User) -> Attachment:
    """Attach a PDF or image (checked by its content, not its name) to a draft."""
    require_act(by, directive.issuing_unit)
    if directive.status != Directive.Status.DRAFT:
        raise Conflict(_("Attachments can only be added to a draft."))
    document = uploads.check_document(upload)
    with transaction.atomic():
        existing = directive.attachments.filter(sha256=document.sha256).first()
        if existing:
            return existing
        attachment = Attachment(
            directive=directive,
            name=document.name,
            content_type=document.content_type,
            size=document.size,
            sha256=document.sha256,
        )
        attachment.file.save(document.storage_name(), document.content, save=False)
        attachment.save()
        record(
            "directive.attachment_added",
            by=by,
            obj=directive,
            unit=directive.issuing_unit,
            detail={"name": attachment.name, "size": attachment.size},
        )
    return attachment


def recipients(directive: Directive) -> UnitQuerySet:
    """The units a directive goes to: the target's subtree at the target levels, less the issuer."""
    units = (
        Unit.objects.subtree(directive.target_unit)
        .filter(is_active=True)
        .exclude(pk=directive.issuing_unit_id)
    )
    level_ids = list(directive.target_levels.values_list("pk", flat=True))
    if level_ids:
        units = units.filter(level_id__in=level_ids)
    return units


def issue(directive: Directive, *, by: User) -> Directive:
    """Send a draft: one INSERT … SELECT writes every delivery, however many thousands."""
    require_act(by, directive.issuing_unit)
    now = timezone.now()
    with transaction.atomic():
        locked = Directive.objects.select_for_update().get(pk=directive.pk)
        if locked.status != Directive.Status.DRAFT:
            raise Conflict(_("This directive has already been issued."))
        if locked.due_at <= now:
            raise ValidationError({"due_at": [_("The due time must be in the future.")]})
        relay = locked.mode == Directive.Mode.RELAY
        expected = _insert_deliveries(locked, now, delivered=not relay)
        if expected == 0:
            raise ValidationError(
                {"target_unit": [_("No unit matches this target and these levels.")]}
            )
        if relay:
            _link_relay(locked)
            Delivery.objects.filter(directive=locked, relay_parent__isnull=True).update(
                state=Delivery.State.DELIVERED, delivered_at=now
            )
        locked.status, locked.issued_at, locked.expected = Directive.Status.ISSUED, now, expected
        locked.save(update_fields=["status", "issued_at", "expected", "updated_at"])
        record(
            "directive.issued",
            by=by,
            obj=locked,
            unit=locked.issuing_unit,
            detail={"expected": expected, "mode": locked.mode},
        )
        jobs.after_commit("directives.notify_recipients", locked.pk)
    directive.refresh_from_db()
    return directive


def _insert_deliveries(directive: Directive, now: datetime.datetime, *, delivered: bool) -> int:
    select, params = (
        recipients(directive).values_list("pk", "path", "depth", "level_id").query.sql_with_params()
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = Delivery._meta.db_table
    sql = (
        f"INSERT INTO {table} (directive_id, unit_id, unit_path, depth, level_id, state, "  # noqa: S608
        "delivered_at, acknowledge_note, done_note, forward_note, created_at, updated_at) "
        f"SELECT %s, r.*, %s, %s, '', '', '', %s, %s FROM ({select}) r"
    )
    state = Delivery.State.DELIVERED if delivered else Delivery.State.PENDING
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [directive.pk, state, stamp if delivered else None, stamp, stamp, *params]
        )
        return cursor.rowcount


def _link_relay(directive: Directive) -> None:
    """Point each delivery at its nearest recipient ancestor: one UPDATE per tree depth.

    Deepest ancestors first, and only rows not linked yet, so each row is written once.
    """
    span = Delivery.objects.filter(directive=directive).aggregate(
        shallowest=Min("depth"), deepest=Max("depth")
    )
    for depth in range(span["deepest"] - 1, span["shallowest"] - 1, -1):
        ancestor = Delivery.objects.filter(
            directive=directive,
            unit_path=Substr(OuterRef("unit_path"), 1, (depth + 1) * paths.STEP),
        )
        Delivery.objects.filter(
            directive=directive, depth__gt=depth, relay_parent__isnull=True
        ).filter(Exists(ancestor)).update(relay_parent=Subquery(ancestor.values("pk")[:1]))


def withdraw(directive: Directive, *, by: User) -> Directive:
    """Take an issued directive back; recipients see it marked withdrawn."""
    require_act(by, directive.issuing_unit)
    with transaction.atomic():
        updated = Directive.objects.filter(pk=directive.pk, status=Directive.Status.ISSUED).update(
            status=Directive.Status.WITHDRAWN, withdrawn_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("Only an issued directive can be withdrawn."))
        directive.refresh_from_db()
        record("directive.withdrawn", by=by, obj=directive, unit=directive.issuing_unit)
    return directive


def _advance(
    delivery: Delivery, *, by: User, to: str, fields: dict[str, object], verb: str
) -> Delivery:
    """Move a delivery forward to *to*, once; a repeat (or a stale page) is a Conflict."""
    _require_desk_at(by, delivery.unit)
    allowed = Delivery.ORDER[1 : Delivery.ORDER.index(to)]  # type: ignore[arg-type]
    with transaction.atomic():
        # The directive's status is checked in the UPDATE itself, not on the (possibly
        # stale) object: a withdrawal that lands after the page loaded still wins.
        updated = Delivery.objects.filter(
            pk=delivery.pk, state__in=allowed, directive__status=Directive.Status.ISSUED
        ).update(state=to, **fields)
        if not updated:
            _raise_conflict(delivery, _("This has already been recorded."))
        delivery.refresh_from_db()
        record(
            verb,
            by=by,
            obj=delivery.directive,
            unit=delivery.unit,
            detail={"delivery": delivery.pk},
        )
    return delivery


def _raise_conflict(delivery: Delivery, message: str) -> NoReturn:
    if not Directive.objects.filter(
        pk=delivery.directive_id, status=Directive.Status.ISSUED
    ).exists():
        raise Conflict(_("This directive has been withdrawn."))
    raise Conflict(message)


def mark_seen(delivery: Delivery, *, by: User) -> Delivery:
    """Opening a delivered directive marks it seen; later openings change nothing."""
    if delivery.state != Delivery.State.DELIVERED or not any(
        d.unit.pk == delivery.unit_id for d in by.desks
    ):
        return delivery
    try:
        return _advance(
            delivery,
            by=by,
            to=Delivery.State.SEEN,
            verb="directive.seen",
            fields={"seen_at": timezone.now(), "seen_by": by},
        )
    except (Conflict, PermissionDenied):
        return delivery


def acknowledge(
    delivery: Delivery, *, by: User, note: str = "", via: str = Delivery.Via.WEB
) -> Delivery:
    """Mark the directive as acknowledged by the delivery's unit (on the web, API or by SMS)."""
    now = timezone.now()
    fields: dict[str, object] = {
        "acknowledged_at": now,
        "acknowledged_by": by,
        "acknowledge_note": note.strip(),
        "acknowledged_via": via,
    }
    if delivery.seen_at is None:
        fields |= {"seen_at": now, "seen_by": by}
    return _advance(
        delivery,
        by=by,
        to=Delivery.State.ACKNOWLEDGED,
        fields=fields,
        verb="directive.acknowledged",
    )


def mark_done(
    delivery: Delivery, *, by: User, note: str = "", via: str = Delivery.Via.WEB
) -> Delivery:
    """The unit has carried the directive out (বাস্তবায়িত)."""
    now = timezone.now()
    fields: dict[str, object] = {
        "done_at": now,
        "done_by": by,
        "done_note": note.strip(),
        "done_via": via,
    }
    if delivery.acknowledged_at is None:
        fields |= {"acknowledged_at": now, "acknowledged_by": by, "acknowledged_via": via}
    if delivery.seen_at is None:
        fields |= {"seen_at": now, "seen_by": by}
    return _advance(delivery, by=by, to=Delivery.State.DONE, fields=fields, verb="directive.done")


def forward(
    delivery: Delivery, *, by: User, note: str = "", via: str = Delivery.Via.WEB
) -> Delivery:
    """Relay the directive to this unit's next recipients, with this office's own note."""
    _require_desk_at(by, delivery.unit)
    directive = delivery.directive
    if directive.mode != Directive.Mode.RELAY:
        raise Conflict(_("Only a relayed directive can be forwarded."))
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Delivery.objects.filter(
                pk=delivery.pk, forwarded_at__isnull=True, directive__status=Directive.Status.ISSUED
            )
            .exclude(state=Delivery.State.PENDING)
            .update(forwarded_at=now, forwarded_by=by, forward_note=note.strip())
        )
        if not claimed:
            _raise_conflict(delivery, _("This directive has already been forwarded."))
        if delivery.state in (Delivery.State.DELIVERED, Delivery.State.SEEN):
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.ACKNOWLEDGED,
                acknowledged_at=now,
                acknowledged_by=by,
                acknowledged_via=via,
                seen_at=delivery.seen_at or now,
                seen_by=delivery.seen_by or by,
            )
        count = Delivery.objects.filter(relay_parent=delivery, state=Delivery.State.PENDING).update(
            state=Delivery.State.DELIVERED, delivered_at=now
        )
        delivery.refresh_from_db()
        record(
            "directive.forwarded",
            by=by,
            obj=directive,
            unit=delivery.unit,
            detail={"delivery": delivery.pk, "delivered": count},
        )
        jobs.after_commit("directives.notify_forwarded", delivery.pk)
    return delivery


def remind(directive: Directive, units: list[int], *, by: User) -> int:
    """The issuer chases these units (at most once an hour per unit): in-app, e-mail and SMS."""
    require_act(by, directive.issuing_unit)
    if directive.status != Directive.Status.ISSUED:
        raise Conflict(_("Reminders can only be sent for an issued directive."))
    now = timezone.now()
    with transaction.atomic():
        targets = list(
            Delivery.objects.filter(directive=directive, unit_id__in=units)
            .exclude(state=Delivery.State.DONE)
            .values_list("unit_id", flat=True)
        )
        if not targets:
            return 0
        Delivery.objects.filter(directive=directive, unit_id__in=targets).update(
            last_reminded_at=now
        )
        notify_units(
            targets,
            reminder_message(directive, overdue=directive.is_overdue),
            key=f"directive:{directive.pk}:remind:{now:%Y%m%d%H}",
            sms=True,
        )
        record(
            "directive.reminded",
            by=by,
            obj=directive,
            unit=directive.issuing_unit,
            detail={"units": len(targets)},
        )
    return len(targets)


def reminder_message(directive: Directive, *, overdue: bool) -> Message:
    url = reverse("directives:detail", args=[directive.pk])
    code = to_bengali_digits(directive.short_code)
    # The SMS leads with the answer codes, so that cutting a long title keeps them.
    answer = f"উত্তর: প্রাপ্তি {code} / সম্পন্ন {code}।"
    if overdue:
        return Message(
            kind="directive.overdue",
            url=url,
            text_bn=f"সময় পেরিয়ে গেছে: নির্দেশনা {directive.reference} — {directive.title}",
            text_en=f"Overdue: directive {directive.reference} — {directive.title}",
            sms=f"সময় পেরিয়ে গেছে: নির্দেশনা {directive.reference}। {answer} {directive.title}",
        )
    return Message(
        kind="directive.due_soon",
        url=url,
        text_bn=f"শীঘ্রই সময় শেষ: নির্দেশনা {directive.reference} — {directive.title}",
        text_en=f"Due soon: directive {directive.reference} — {directive.title}",
        sms=f"শীঘ্রই সময় শেষ: নির্দেশনা {directive.reference}। {answer} {directive.title}",
    )
