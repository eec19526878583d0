"""Directive side effects, run by the worker: notices out, reminders, escalation."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from daptar.directives.actions import reminder_message
from daptar.directives.models import Delivery, DeliveryQuerySet, Directive
from daptar.notifications.actions import Message, notify_units
from daptar.units.models import Unit


def issued_message(directive: Directive) -> Message:
    urgent = directive.priority == Directive.Priority.URGENT
    prefix_bn, prefix_en = ("জরুরি ", "Urgent ") if urgent else ("", "")
    return Message(
        kind="directive.issued",
        url=reverse("directives:detail", args=[directive.pk]),
        text_bn=f"{prefix_bn}নির্দেশনা {directive.reference}: {directive.title}",
        text_en=f"{prefix_en}directive {directive.reference}: {directive.title}",
        sms=directive.sms_text,
        email_subject=f"[{directive.reference}] {directive.title}",
        email_body=(
            f"{directive.issuing_unit.name_bn} / {directive.issuing_unit.name_en}\n"
            f"{directive.reference}\n\n{directive.title}\n\n{directive.body}\n\n"
            f"{settings.DAPTAR_SITE_URL.rstrip('/')}"
            f"{reverse('directives:detail', args=[directive.pk])}"
        ),
    )


def _announce(directive: Directive, unit_ids: list[int]) -> int:
    """The directive itself shows in each inbox; e-mail (and SMS when urgent) says it came."""
    return notify_units(
        unit_ids,
        issued_message(directive),
        key=f"directive:{directive.pk}:issued",
        in_app=False,
        sms=directive.priority == Directive.Priority.URGENT,
    )


@task
def notify_recipients(directive_id: int) -> int:
    directive = Directive.objects.select_related("issuing_unit").get(pk=directive_id)
    if directive.status != Directive.Status.ISSUED:
        return 0
    units = list(directive.deliveries.received().values_list("unit_id", flat=True))
    with transaction.atomic():
        return _announce(directive, units)


@task
def notify_forwarded(delivery_id: int) -> int:
    delivery = Delivery.objects.select_related("directive__issuing_unit").get(pk=delivery_id)
    units = list(
        Delivery.objects.filter(relay_parent=delivery).received().values_list("unit_id", flat=True)
    )
    with transaction.atomic():
        return _announce(delivery.directive, units)


def _remind(
    rows: DeliveryQuerySet, stamp_field: str, *, overdue: bool, now: datetime.datetime
) -> int:
    """Remind each delivery in *rows* once, grouped by directive (never a loop per unit)."""
    sent = 0
    per_directive = rows.values("directive_id").annotate(n=Count("pk")).order_by()
    for row in per_directive:
        directive = Directive.objects.get(pk=row["directive_id"])
        with transaction.atomic():
            mine = rows.filter(directive=directive)
            units = list(mine.values_list("unit_id", flat=True))
            mine.update(**{stamp_field: now})
            kind = "overdue" if overdue else "before"
            notify_units(
                units,
                reminder_message(directive, overdue=overdue),
                key=f"directive:{directive.pk}:remind-{kind}",
                sms=True,
            )
        sent += len(units)
    return sent


def _escalate(now: datetime.datetime) -> int:
    """Overdue deliveries go to the parent unit's office, once each."""
    cutoff = now - datetime.timedelta(hours=settings.DAPTAR_ESCALATE_AFTER_HOURS)
    rows = Delivery.objects.received().overdue(cutoff).filter(escalated_at__isnull=True)
    escalated = 0
    for directive_id in rows.values_list("directive_id", flat=True).distinct().order_by():
        directive = Directive.objects.get(pk=directive_id)
        with transaction.atomic():
            mine = rows.filter(directive=directive)
            escalated += mine.update(
                escalated_at=now,
                escalated_to=Subquery(
                    Unit.objects.filter(pk=OuterRef("unit_id")).values("parent_id")[:1]
                ),
            )
            parents = list(
                Delivery.objects.filter(directive=directive, escalated_at=now)
                .exclude(escalated_to__isnull=True)
                .values_list("escalated_to_id", flat=True)
                .distinct()
                .order_by()
            )
            notify_units(
                parents,
                Message(
                    kind="directive.escalated",
                    url=reverse("directives:escalated"),
                    text_bn=f"আপনার অধীন ইউনিট নির্দেশনা {directive.reference} যথাসময়ে বাস্তবায়ন করেনি",
                    text_en=f"Units under you are overdue on directive {directive.reference}",
                ),
                key=f"directive:{directive.pk}:escalated",
            )
    return escalated


def send_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass of the periodic job: due-soon reminders, overdue reminders, escalation."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(hours=settings.DAPTAR_REMIND_BEFORE_HOURS)
    open_rows = (
        Delivery.objects.received()
        .exclude(state=Delivery.State.DONE)
        .filter(directive__status=Directive.Status.ISSUED)
    )
    before = open_rows.filter(
        directive__due_at__gt=now, directive__due_at__lte=soon, reminded_before_at__isnull=True
    )
    overdue = open_rows.filter(directive__due_at__lte=now, reminded_overdue_at__isnull=True)
    return {
        "reminded_before": _remind(before, "reminded_before_at", overdue=False, now=now),
        "reminded_overdue": _remind(overdue, "reminded_overdue_at", overdue=True, now=now),
        "escalated": _escalate(now),
    }


@task
def periodic() -> dict[str, int]:
    return send_reminders()
