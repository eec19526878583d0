"""Every write to return forms, their periods and the submissions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.accounts.queries import require_act
from daptar.audit.actions import record
from daptar.lib import expressions, jobs, paths
from daptar.lib.exceptions import Conflict
from daptar.returns import periods
from daptar.returns.models import (
    ReturnField,
    ReturnForm,
    ReturnPeriod,
    ReturnRule,
    Submission,
    SubmissionValue,
    SubmissionVersion,
)
from daptar.returns.validation import (
    MAX_FIELDS,
    MAX_RULES,
    check_field,
    check_rule,
    clean_answers,
)
from daptar.units.models import Level, Unit, UnitQuerySet

if TYPE_CHECKING:
    from decimal import Decimal

    from daptar.accounts.models import User

MAX_DRAFT_TEXT = 5000


def _require_desk_at(user: User, unit: Unit) -> None:
    """Only the unit's own office (an act desk at exactly that unit) fills in its return."""
    if not any(d.unit.pk == unit.pk and d.can_act for d in user.desks):
        raise PermissionDenied(_("Only this unit's office can send its return."))


def _require_reviewer(user: User, submission: Submission) -> None:
    """The office above the unit (or one above that) reviews; never the unit itself."""
    above = submission.parent or submission.period.form.issuing_unit
    require_act(user, above)


def _require_draft(form: ReturnForm) -> None:
    if form.status != ReturnForm.Status.DRAFT:
        raise Conflict(_("A published form can no longer be changed."))


# --- the form and its questions ----------------------------------------------------------


def _check_settings(
    *,
    issuing_unit: Unit,
    title: str,
    target_unit: Unit,
    target_levels: list[Level],
    schedule: str,
    due_at: datetime.datetime | None,
    timely_days: int,
    lock_after_days: int | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the return a title.")]
    if not target_unit.is_within(issuing_unit):
        errors["target_unit"] = [_("A unit can only ask for returns from its own subtree.")]
    if any(level.rank <= issuing_unit.level.rank for level in target_levels):
        errors["target_levels"] = [_("Only levels below the issuing unit can be asked.")]
    if schedule not in ReturnForm.Schedule.values:
        errors["schedule"] = [_("Choose once, monthly, quarterly or yearly.")]
    if schedule == ReturnForm.Schedule.ONCE:
        if due_at is None:
            errors["due_at"] = [_("A one-off return needs a due time.")]
        elif due_at <= timezone.now():
            errors["due_at"] = [_("The due time must be in the future.")]
    if not 0 <= timely_days <= 366:
        errors["timely_days"] = [_("Give between 0 and 366 days.")]
    if lock_after_days is not None and not 0 <= lock_after_days <= 366:
        errors["lock_after_days"] = [_("Give between 0 and 366 days, or leave it empty.")]
    if errors:
        raise ValidationError(errors)


def _indexed(errors: ValidationError, name: str, index: int) -> ValidationError:
    """Errors of the n-th field or rule, under one key: "fields": ["#2 key: …"]."""
    lines = [
        f"#{index + 1} {attribute}: {message}"
        for attribute, messages in errors.message_dict.items()
        for message in messages
    ]
    return ValidationError({name: lines})


def create_form(
    *,
    issuing_unit: Unit,
    by: User,
    title: str,
    target_unit: Unit,
    description: str = "",
    target_levels: list[Level] | None = None,
    schedule: str = ReturnForm.Schedule.ONCE,
    due_at: datetime.datetime | None = None,
    timely_days: int = 10,
    lock_after_days: int | None = None,
    fields: Iterable[Mapping[str, Any]] = (),
    rules: Iterable[Mapping[str, Any]] = (),
) -> ReturnForm:
    """A draft form, with its questions and rules when given (the API sends them at once)."""
    require_act(by, issuing_unit)
    target_levels = target_levels or []
    if schedule != ReturnForm.Schedule.ONCE:
        due_at = None  # a recurring return's due times follow from its periods
    _check_settings(
        issuing_unit=issuing_unit,
        title=title,
        target_unit=target_unit,
        target_levels=target_levels,
        schedule=schedule,
        due_at=due_at,
        timely_days=timely_days,
        lock_after_days=lock_after_days,
    )
    field_rows = _field_rows(list(fields))
    numeric = [f["key"] for f in field_rows if f["type"] in ReturnField.NUMERIC]
    rule_rows = []
    for index, spec in enumerate(list(rules)[: MAX_RULES + 1]):
        if index == MAX_RULES:
            raise ValidationError({"rules": [_("At most %(n)s rules.") % {"n": MAX_RULES}]})
        try:
            rule_rows.append(check_rule(spec, numeric))
        except ValidationError as exc:
            raise _indexed(exc, "rules", index) from None
    with transaction.atomic():
        form = ReturnForm.objects.create(
            issuing_unit=issuing_unit,
            author=by,
            title=title.strip(),
            description=description.strip(),
            target_unit=target_unit,
            schedule=schedule,
            due_at=due_at,
            timely_days=timely_days,
            lock_after_days=lock_after_days,
        )
        form.target_levels.set(target_levels)
        ReturnField.objects.bulk_create(
            ReturnField(form=form, position=n, **row) for n, row in enumerate(field_rows, 1)
        )
        ReturnRule.objects.bulk_create(
            ReturnRule(form=form, position=n, **row) for n, row in enumerate(rule_rows, 1)
        )
        record(
            "return.created",
            by=by,
            obj=form,
            unit=issuing_unit,
            detail={"fields": len(field_rows), "rules": len(rule_rows)},
        )
    return form


def _field_rows(specs: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if len(specs) > MAX_FIELDS:
        raise ValidationError({"fields": [_("At most %(n)s fields.") % {"n": MAX_FIELDS}]})
    rows: list[dict[str, Any]] = []
    for index, spec in enumerate(specs):
        try:
            rows.append(check_field(spec, [r["key"] for r in rows]))
        except ValidationError as exc:
            raise _indexed(exc, "fields", index) from None
    return rows


def update_form(
    form: ReturnForm,
    *,
    by: User,
    title: str,
    description: str,
    target_unit: Unit,
    target_levels: list[Level],
    schedule: str,
    due_at: datetime.datetime | None,
    timely_days: int,
    lock_after_days: int | None,
) -> ReturnForm:
    """Change a draft's title, target, schedule and deadlines."""
    require_act(by, form.issuing_unit)
    _require_draft(form)
    _check_settings(
        issuing_unit=form.issuing_unit,
        title=title,
        target_unit=target_unit,
        target_levels=target_levels,
        schedule=schedule,
        due_at=due_at,
        timely_days=timely_days,
        lock_after_days=lock_after_days,
    )
    with transaction.atomic():
        form.title, form.description = title.strip(), description.strip()
        form.target_unit, form.schedule = target_unit, schedule
        form.due_at = due_at if schedule == ReturnForm.Schedule.ONCE else None
        form.timely_days, form.lock_after_days = timely_days, lock_after_days
        form.save()
        form.target_levels.set(target_levels)
        record("return.edited", by=by, obj=form, unit=form.issuing_unit)
    return form


def add_field(form: ReturnForm, spec: Mapping[str, Any], *, by: User) -> ReturnField:
    """Add a question at the end of a draft form."""
    require_act(by, form.issuing_unit)
    _require_draft(form)
    with transaction.atomic():
        existing = list(form.fields.values_list("key", flat=True))
        if len(existing) >= MAX_FIELDS:
            raise ValidationError({"key": [_("At most %(n)s fields.") % {"n": MAX_FIELDS}]})
        row = check_field(spec, existing)
        last = form.fields.aggregate(last=Max("position"))["last"] or 0
        field = ReturnField.objects.create(form=form, position=last + 1, **row)
        record(
            "return.field_added",
            by=by,
            obj=form,
            unit=form.issuing_unit,
            detail={"key": field.key, "type": field.type},
        )
    return field


def move_field(field: ReturnField, *, by: User, up: bool) -> ReturnField:
    """Swap a question with the one above (or below) it."""
    form = field.form
    require_act(by, form.issuing_unit)
    _require_draft(form)
    with transaction.atomic():
        siblings = form.fields.exclude(pk=field.pk)
        other = (
            siblings.filter(position__lt=field.position).order_by("-position").first()
            if up
            else siblings.filter(position__gt=field.position).order_by("position").first()
        )
        if other is None:
            return field
        # Positions are not unique in the schema, so a plain swap needs no third value.
        ReturnField.objects.filter(pk=field.pk).update(position=other.position)
        ReturnField.objects.filter(pk=other.pk).update(position=field.position)
        field.refresh_from_db()
        record(
            "return.field_moved",
            by=by,
            obj=form,
            unit=form.issuing_unit,
            detail={"key": field.key, "position": field.position},
        )
    return field


def remove_field(field: ReturnField, *, by: User) -> None:
    """Take a question off a draft form; one a rule still reads stays."""
    form = field.form
    require_act(by, form.issuing_unit)
    _require_draft(form)
    for rule in form.rules.all():
        used = expressions.names(expressions.parse(rule.left)) | expressions.names(
            expressions.parse(rule.right)
        )
        if field.key in used:
            raise ValidationError(
                _("The rule “%(rule)s” reads this field: remove the rule first.")
                % {"rule": str(rule)}
            )
    with transaction.atomic():
        key = field.key
        field.delete()
        form.fields.filter(position__gt=field.position).update(position=F("position") - 1)
        record("return.field_removed", by=by, obj=form, unit=form.issuing_unit, detail={"key": key})


def add_rule(form: ReturnForm, spec: Mapping[str, Any], *, by: User) -> ReturnRule:
    """Add a cross-field check to a draft form."""
    require_act(by, form.issuing_unit)
    _require_draft(form)
    numeric = form.fields.filter(type__in=ReturnField.NUMERIC).values_list("key", flat=True)
    row = check_rule(spec, list(numeric))
    with transaction.atomic():
        count = form.rules.count()
        if count >= MAX_RULES:
            raise ValidationError({"left": [_("At most %(n)s rules.") % {"n": MAX_RULES}]})
        rule = ReturnRule.objects.create(form=form, position=count + 1, **row)
        record(
            "return.rule_added", by=by, obj=form, unit=form.issuing_unit, detail={"rule": str(rule)}
        )
    return rule


def remove_rule(rule: ReturnRule, *, by: User) -> None:
    form = rule.form
    require_act(by, form.issuing_unit)
    _require_draft(form)
    with transaction.atomic():
        text = str(rule)
        rule.delete()
        record(
            "return.rule_removed", by=by, obj=form, unit=form.issuing_unit, detail={"rule": text}
        )


# --- publishing and periods ------------------------------------------------------------------


def expected_units(form: ReturnForm) -> UnitQuerySet:
    """The open units of the target subtree at the target levels, less the issuer."""
    units = (
        Unit.objects.subtree(form.target_unit)
        .filter(is_active=True)
        .exclude(pk=form.issuing_unit_id)
    )
    level_ids = [level.pk for level in form.target_levels.all()]
    if level_ids:
        units = units.filter(level_id__in=level_ids)
    return units


def is_target(form: ReturnForm, unit: Unit) -> bool:
    """Is *unit* among those the form asks (now, whether or not it was expected)?"""
    return expected_units(form).filter(pk=unit.pk).exists()


def _insert_expected(period: ReturnPeriod, now: datetime.datetime) -> int:
    """The expected snapshot: one INSERT … SELECT, however many thousand units."""
    select, params = (
        expected_units(period.form)
        .values_list("pk", "path", "level_id", "parent_id")
        .query.sql_with_params()
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = Submission._meta.db_table
    sql = (
        f"INSERT INTO {table} (period_id, unit_id, unit_path, level_id, parent_id, "  # noqa: S608
        "expected, status, nil, version, review_note, created_at, updated_at) "
        f"SELECT %s, r.*, %s, %s, %s, 0, '', %s, %s FROM ({select}) r"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [period.pk, True, Submission.Status.PENDING, False, stamp, stamp, *params]
        )
        return cursor.rowcount


def open_period(
    form: ReturnForm, *, day: datetime.date, now: datetime.datetime, by: User | None = None
) -> ReturnPeriod | None:
    """Open the period of *form* that holds *day*, with its expected units; None if open."""
    start, end, due, locks = periods.timing(form, day)
    with transaction.atomic():
        # Two workers opening the same period queue on the form's row; the second finds it.
        ReturnForm.objects.select_for_update().filter(pk=form.pk).first()
        if ReturnPeriod.objects.filter(form=form, starts_on=start).exists():
            return None
        period = ReturnPeriod.objects.create(
            form=form, starts_on=start, ends_on=end, due_at=due, locks_at=locks, opened_at=now
        )
        period.expected = _insert_expected(period, now)
        period.save(update_fields=["expected", "updated_at"])
        record(
            "return.period_opened",
            by=by,
            obj=form,
            unit=form.issuing_unit,
            detail={"period": period.pk, "expected": period.expected, "due_at": due.isoformat()},
        )
        jobs.after_commit("returns.notify_period_opened", period.pk)
    return period


def publish(form: ReturnForm, *, by: User) -> ReturnPeriod:
    """Send a draft form out: its first period opens and every expected unit is listed."""
    require_act(by, form.issuing_unit)
    now = timezone.now()
    with transaction.atomic():
        locked = ReturnForm.objects.select_for_update().get(pk=form.pk)
        if locked.status != ReturnForm.Status.DRAFT:
            raise Conflict(_("This return has already been published."))
        if not locked.fields.exists():
            raise ValidationError({"fields": [_("Add at least one field first.")]})
        if locked.schedule == ReturnForm.Schedule.ONCE and (
            locked.due_at is None or locked.due_at <= now
        ):
            raise ValidationError({"due_at": [_("The due time must be in the future.")]})
        if not expected_units(locked).exists():
            raise ValidationError(
                {"target_unit": [_("No unit matches this target and these levels.")]}
            )
        locked.status, locked.published_at = ReturnForm.Status.ACTIVE, now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        period = open_period(locked, day=timezone.localdate(now), now=now, by=by)
        assert period is not None
        record("return.published", by=by, obj=locked, unit=locked.issuing_unit)
    form.refresh_from_db()
    return period


def close_form(form: ReturnForm, *, by: User) -> ReturnForm:
    """Stop a recurring return: no new periods; those already open run to their end."""
    require_act(by, form.issuing_unit)
    with transaction.atomic():
        updated = ReturnForm.objects.filter(pk=form.pk, status=ReturnForm.Status.ACTIVE).update(
            status=ReturnForm.Status.CLOSED, closed_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("Only an active return can be closed."))
        form.refresh_from_db()
        record("return.closed", by=by, obj=form, unit=form.issuing_unit)
    return form


# --- filling in ------------------------------------------------------------------------------


def _slot(period: ReturnPeriod, unit: Unit) -> Submission:
    """The unit's row for the period, locked; a unit opened after it began gets one now."""
    slot = (
        Submission.objects.select_for_update()
        .select_related("period__form")
        .filter(period=period, unit=unit)
        .first()
    )
    if slot is not None:
        return slot
    if not is_target(period.form, unit):
        raise PermissionDenied(_("This return is not asked of your unit."))
    Submission.objects.create(
        period=period,
        unit=unit,
        unit_path=unit.path,
        level_id=unit.level_id,
        parent_id=unit.parent_id,
        expected=False,
    )
    return (
        Submission.objects.select_for_update()
        .select_related("period__form")
        .get(period=period, unit=unit)
    )


def _check_open(slot: Submission, now: datetime.datetime, version: int | None) -> None:
    if slot.status == Submission.Status.APPROVED:
        raise Conflict(_("This return has been approved and is locked."))
    if not slot.editable(now):
        raise Conflict(_("This return is locked. Ask the office above to reopen it for your unit."))
    if version is not None and version != slot.version:
        raise Conflict(_("This return has changed since you opened it: reload it."))


def _blank(value: object) -> bool:
    return value in (None, "", []) or (isinstance(value, str) and not value.strip())


def submit(
    period: ReturnPeriod,
    unit: Unit,
    data: Mapping[str, Any],
    *,
    by: User,
    nil: bool = False,
    version: int | None = None,
) -> Submission:
    """Send the unit's return: checked field by field and by the rules, then kept as a version.

    The time is the server's. A correction sends a new version; the first
    sending time stays, so a unit that sent on time and corrected when asked is
    still on time. Nothing is written when the answers fail.
    """
    _require_desk_at(by, unit)
    form = period.form
    if nil:
        if any(not _blank(v) for v in data.values()):
            raise ValidationError(
                {NON_FIELD_ERRORS: [_("A nil return has no figures: clear them or untick nil.")]}
            )
        cleaned: dict[str, Any] = {}
        numbers: dict[str, Decimal] = {}
    else:
        cleaned, numbers = clean_answers(list(form.fields.all()), list(form.rules.all()), data)
        if not cleaned:
            raise ValidationError(
                {NON_FIELD_ERRORS: [_("Fill in the form, or tick “nothing to report”.")]}
            )
    now = timezone.now()
    with transaction.atomic():
        slot = _slot(period, unit)
        _check_open(slot, now, version)
        slot.version += 1
        slot.status, slot.nil, slot.data, slot.draft = (
            Submission.Status.SUBMITTED,
            nil,
            cleaned,
            None,
        )
        slot.submitted_at, slot.submitted_by = now, by
        slot.first_submitted_at = slot.first_submitted_at or now
        slot.save()
        SubmissionVersion.objects.create(
            submission=slot,
            number=slot.version,
            data=cleaned,
            nil=nil,
            submitted_at=now,
            submitted_by=by,
        )
        SubmissionValue.objects.filter(submission=slot).delete()
        keys = dict(form.fields.filter(key__in=list(numbers)).values_list("key", "pk"))
        SubmissionValue.objects.bulk_create(
            SubmissionValue(
                submission=slot,
                period=period,
                field_id=keys[key],
                unit_path=slot.unit_path,
                value=value,
            )
            for key, value in numbers.items()
        )
        record(
            "return.submitted",
            by=by,
            obj=form,
            unit=unit,
            detail={"submission": slot.pk, "version": slot.version, "nil": nil},
        )
    return slot


def _draft_value(value: object) -> object:
    if isinstance(value, list):
        return [str(v)[:MAX_DRAFT_TEXT] for v in value[:100]]
    if isinstance(value, bool | int | float):
        return value
    return "" if value is None else str(value)[:MAX_DRAFT_TEXT]


def save_draft(
    period: ReturnPeriod,
    unit: Unit,
    data: Mapping[str, Any],
    *,
    by: User,
    nil: bool = False,
    version: int | None = None,
) -> tuple[Submission, dict[str, list[str]]]:
    """Keep the unit's input as it is typed, half-done or not, with what is still wrong.

    A draft is not a submission: a return already sent stays sent (and
    counted) while a correction is drafted.
    """
    _require_desk_at(by, unit)
    form = period.form
    keys = set(form.fields.values_list("key", flat=True))
    kept = {key: _draft_value(value) for key, value in data.items() if key in keys}
    errors: dict[str, list[str]] = {}
    if not nil:
        try:
            clean_answers(list(form.fields.all()), list(form.rules.all()), kept)
        except ValidationError as exc:
            errors = exc.message_dict
    now = timezone.now()
    with transaction.atomic():
        slot = _slot(period, unit)
        _check_open(slot, now, version)
        slot.draft, slot.draft_saved_at = {"data": kept, "nil": nil}, now
        if slot.status == Submission.Status.PENDING:
            slot.status = Submission.Status.DRAFT
        slot.save(update_fields=["draft", "draft_saved_at", "status", "updated_at"])
        record("return.draft_saved", by=by, obj=form, unit=unit, detail={"submission": slot.pk})
    return slot, errors


# --- review ------------------------------------------------------------------------------------


def approve(submission: Submission, *, by: User) -> Submission:
    """The office above accepts the return; the unit can no longer change it."""
    _require_reviewer(by, submission)
    with transaction.atomic():
        updated = Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.SUBMITTED
        ).update(status=Submission.Status.APPROVED, reviewed_at=timezone.now(), reviewed_by=by)
        if not updated:
            raise Conflict(
                _("Only a return that has been sent, and not reviewed, can be approved.")
            )
        submission.refresh_from_db()
        record(
            "return.approved",
            by=by,
            obj=submission.period.form,
            unit=submission.unit,
            detail={"submission": submission.pk, "version": submission.version},
        )
        jobs.after_commit("returns.notify_reviewed", submission.pk)
    return submission


def return_for_correction(submission: Submission, *, by: User, note: str) -> Submission:
    """Send the return back to the unit with a note; it is open to it again."""
    _require_reviewer(by, submission)
    if not note.strip():
        raise ValidationError({"note": [_("Say what needs correcting.")]})
    with transaction.atomic():
        updated = Submission.objects.filter(pk=submission.pk, status__in=Submission.COUNTED).update(
            status=Submission.Status.RETURNED,
            reviewed_at=timezone.now(),
            reviewed_by=by,
            review_note=note.strip()[:2000],
        )
        if not updated:
            raise Conflict(_("Only a return that has been sent can be sent back for correction."))
        submission.refresh_from_db()
        record(
            "return.returned",
            by=by,
            obj=submission.period.form,
            unit=submission.unit,
            detail={"submission": submission.pk, "note": submission.review_note},
        )
        jobs.after_commit("returns.notify_reviewed", submission.pk)
    return submission


def reopen(submission: Submission, *, by: User) -> Submission:
    """Let one unit send late after its period has locked, for a few days."""
    _require_reviewer(by, submission)
    now = timezone.now()
    days = getattr(settings, "DAPTAR_RETURNS_REOPEN_DAYS", 7)
    with transaction.atomic():
        slot = (
            Submission.objects.select_for_update()
            .select_related("period__form")
            .get(pk=submission.pk)
        )
        if slot.status not in Submission.TO_DO or slot.status == Submission.Status.RETURNED:
            raise Conflict(_("Only a return the unit has not sent can be reopened."))
        if not slot.period.is_locked(now):
            raise Conflict(_("This return is not locked: the unit can still send it."))
        if slot.late_entry_open(now):
            raise Conflict(_("This return is already reopened."))
        slot.reopened_until = now + datetime.timedelta(days=days)
        slot.save(update_fields=["reopened_until", "updated_at"])
        record(
            "return.reopened",
            by=by,
            obj=slot.period.form,
            unit=slot.unit,
            detail={"submission": slot.pk, "until": slot.reopened_until.isoformat()},
        )
        jobs.after_commit("returns.notify_reopened", slot.pk)
    submission.refresh_from_db()
    return submission


def remind(period: ReturnPeriod, *, within: Unit, by: User) -> int:
    """Chase the units under *within* that have not sent (once an hour at most)."""
    require_act(by, within)
    missing = (
        Submission.objects.filter(period=period, expected=True)
        .filter(paths.prefix_q(within.path, "unit_path"))
        .exclude(status__in=Submission.COUNTED)
        .count()
    )
    if not missing:
        return 0
    key = f"return:{period.pk}:chase:{within.pk}:{timezone.now():%Y%m%d%H}"
    with transaction.atomic():
        record(
            "return.reminded",
            by=by,
            obj=period.form,
            unit=within,
            detail={"period": period.pk, "units": missing},
        )
        jobs.after_commit("returns.chase_missing", period.pk, within.pk, key)
    return missing
