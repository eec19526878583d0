"""Return side effects, run by the worker: notices, reminders, escalation, new periods.

`send_return_reminders(now)` is one pass of the periodic job (the
`send_reminders` command calls it): it opens the recurring periods whose
time has come, reminds units before and after the due time, and escalates
units still missing to the office above them. Every notice goes through
`notify_units` with a key, so an overlapping or repeated pass sends nothing twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import dateformat, timezone

from daptar.lib import paths
from daptar.lib.numerals import to_bengali_digits
from daptar.notifications.actions import Message, notify_units
from daptar.returns import actions
from daptar.returns.models import (
    ReturnField,
    ReturnForm,
    ReturnPeriod,
    Submission,
    SubmissionQuerySet,
)
from daptar.units.models import Unit

# A return small enough to send by SMS: a few numbers in a row.
SMS_FIELDS = 8


def _fill_url(period: ReturnPeriod) -> str:
    return reverse("returns:fill", args=[period.form_id]) + f"?period={period.pk}"


def _due(period: ReturnPeriod) -> str:
    return dateformat.format(timezone.localtime(period.due_at), "j M Y, H:i")


def opened_message(period: ReturnPeriod) -> Message:
    form = period.form
    return Message(
        kind="return.opened",
        url=_fill_url(period),
        text_bn=f"নতুন তথ্য প্রেরণ: {form.title} ({period.label}), শেষ সময় {_due(period)}",
        text_en=f"New return: {form.title} ({period.label}), due {_due(period)}",
    )


def sms_hint(period: ReturnPeriod) -> str:
    """How to send a small all-number return by SMS (daptar/sms), or "" for any other form."""
    kinds = list(period.form.fields.values_list("type", flat=True))
    if not kinds or len(kinds) > SMS_FIELDS or any(k not in ReturnField.NUMERIC for k in kinds):
        return ""
    code, n = to_bengali_digits(period.short_code), to_bengali_digits(len(kinds))
    return f"এসএমএসে পাঠাতে: R {code} ও {n}টি সংখ্যা ক্রমানুসারে। "


def reminder_message(period: ReturnPeriod, *, overdue: bool) -> Message:
    form = period.form
    if overdue:
        text_bn = f"সময় পেরিয়ে গেছে: তথ্য প্রেরণ {form.title} ({period.label}) এখনও পাঠানো হয়নি"
        text_en = f"Overdue: return {form.title} ({period.label}) has not been sent"
    else:
        text_bn = f"শীঘ্রই সময় শেষ: তথ্য প্রেরণ {form.title} ({period.label}), {_due(period)}"
        text_en = f"Due soon: return {form.title} ({period.label}), {_due(period)}"
    hint = sms_hint(period)
    return Message(
        kind="return.overdue" if overdue else "return.due_soon",
        url=_fill_url(period),
        text_bn=text_bn,
        text_en=text_en,
        sms=f"{hint}{text_bn}" if hint else "",
    )


@task
def notify_period_opened(period_id: int) -> int:
    """Tell every expected unit that a new period is open for it."""
    period = ReturnPeriod.objects.select_related("form").get(pk=period_id)
    units = list(
        Submission.objects.filter(period=period, expected=True).values_list("unit_id", flat=True)
    )
    with transaction.atomic():
        return notify_units(units, opened_message(period), key=f"return:{period.pk}:opened")


@task
def notify_reviewed(submission_id: int) -> int:
    """Tell the unit its return was approved, or sent back with the reviewer's note."""
    submission = Submission.objects.select_related("period__form").get(pk=submission_id)
    form, status = submission.period.form, submission.status
    url = reverse("returns:submission", args=[form.pk, submission.pk])
    if status == Submission.Status.APPROVED:
        message = Message(
            kind="return.approved",
            url=url,
            text_bn=f"অনুমোদিত: তথ্য প্রেরণ {form.title} ({submission.period.label})",
            text_en=f"Approved: return {form.title} ({submission.period.label})",
        )
    elif status == Submission.Status.RETURNED:
        message = Message(
            kind="return.returned",
            url=url,
            text_bn=f"সংশোধনের জন্য ফেরত: {form.title} — {submission.review_note}",
            text_en=f"Returned for correction: {form.title} — {submission.review_note}",
        )
    else:
        return 0
    key = f"return:submission:{submission.pk}:{status}:{submission.version}"
    with transaction.atomic():
        return notify_units(
            [submission.unit_id], message, key=key, sms=status == Submission.Status.RETURNED
        )


@task
def notify_reopened(submission_id: int) -> int:
    submission = Submission.objects.select_related("period__form").get(pk=submission_id)
    form = submission.period.form
    until = dateformat.format(timezone.localtime(submission.reopened_until), "j M Y, H:i")
    message = Message(
        kind="return.reopened",
        url=_fill_url(submission.period),
        text_bn=f"দেরিতে পাঠানোর সুযোগ: {form.title}, {until} পর্যন্ত",
        text_en=f"Reopened for late entry: {form.title}, until {until}",
    )
    key = f"return:submission:{submission.pk}:reopened:{submission.reopened_until:%Y%m%d%H%M}"
    with transaction.atomic():
        return notify_units([submission.unit_id], message, key=key, sms=True)


@task
def chase_missing(period_id: int, within_id: int, key: str) -> int:
    """The issuer's "remind the missing": every unit under *within* that has not sent."""
    period = ReturnPeriod.objects.select_related("form").get(pk=period_id)
    within = Unit.objects.get(pk=within_id)
    units = list(
        Submission.objects.filter(period=period, expected=True)
        .filter(paths.prefix_q(within.path, "unit_path"))
        .exclude(status__in=Submission.COUNTED)
        .values_list("unit_id", flat=True)
    )
    message = reminder_message(period, overdue=period.due_at <= timezone.now())
    with transaction.atomic():
        return notify_units(units, message, key=key, sms=True)


# --- the periodic pass ---------------------------------------------------------------------


def open_due_periods(now: datetime.datetime) -> int:
    """Open today's period of every active recurring form that has not got it yet."""
    opened = 0
    today = timezone.localdate(now)
    recurring = ReturnForm.objects.filter(status=ReturnForm.Status.ACTIVE).exclude(
        schedule=ReturnForm.Schedule.ONCE
    )
    for form in recurring.prefetch_related("target_levels"):
        if actions.open_period(form, day=today, now=now) is not None:
            opened += 1
    return opened


def _still_open(now: datetime.datetime) -> Q:
    return Q(period__locks_at__isnull=True) | Q(period__locks_at__gt=now)


def _remind(rows: SubmissionQuerySet, stamp: str, *, overdue: bool, now: datetime.datetime) -> int:
    """Remind each row once, grouped by period (never a loop per unit)."""
    sent = 0
    kind = "overdue" if overdue else "before"
    for period_id in rows.values_list("period_id", flat=True).distinct().order_by():
        period = ReturnPeriod.objects.select_related("form").get(pk=period_id)
        with transaction.atomic():
            mine = rows.filter(period=period)
            units = list(mine.values_list("unit_id", flat=True))
            mine.update(**{stamp: now})
            notify_units(
                units,
                reminder_message(period, overdue=overdue),
                key=f"return:{period.pk}:remind-{kind}",
                sms=True,
            )
        sent += len(units)
    return sent


def _escalate(now: datetime.datetime) -> int:
    """Units still missing some hours after the due time go to their parent office, once."""
    hours = getattr(settings, "DAPTAR_RETURNS_ESCALATE_AFTER_HOURS", 24)
    cutoff = now - datetime.timedelta(hours=hours)
    rows = Submission.objects.filter(
        status__in=Submission.TO_DO,
        expected=True,
        escalated_at__isnull=True,
        parent__isnull=False,
        period__due_at__lte=cutoff,
    )
    escalated = 0
    for period_id in rows.values_list("period_id", flat=True).distinct().order_by():
        period = ReturnPeriod.objects.select_related("form").get(pk=period_id)
        form = period.form
        with transaction.atomic():
            mine = rows.filter(period=period)
            parents = list(mine.values_list("parent_id", flat=True).distinct().order_by())
            escalated += mine.update(escalated_at=now)
            notify_units(
                parents,
                Message(
                    kind="return.escalated",
                    url=reverse("returns:rates", args=[form.pk]) + f"?period={period.pk}",
                    text_bn=(
                        f"আপনার অধীন ইউনিট তথ্য প্রেরণ {form.title} ({period.label}) সময়মতো পাঠায়নি"
                    ),
                    text_en=f"Units under you have not sent the return {form.title} "
                    f"({period.label})",
                ),
                key=f"return:{period.pk}:escalated",
            )
    return escalated


def send_return_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass of the periodic job: new periods, reminders before and after, escalation."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(
        hours=getattr(settings, "DAPTAR_RETURNS_REMIND_BEFORE_HOURS", 48)
    )
    to_do = Submission.objects.filter(status__in=Submission.TO_DO)
    before = to_do.filter(
        period__due_at__gt=now, period__due_at__lte=soon, reminded_before_at__isnull=True
    )
    overdue = to_do.filter(period__due_at__lte=now, reminded_overdue_at__isnull=True).filter(
        _still_open(now)
    )
    return {
        "opened": open_due_periods(now),
        "reminded_before": _remind(before, "reminded_before_at", overdue=False, now=now),
        "reminded_overdue": _remind(overdue, "reminded_overdue_at", overdue=True, now=now),
        "escalated": _escalate(now),
    }


@task
def periodic() -> dict[str, int]:
    return send_return_reminders()
