"""Every write to the register: committees proposed and approved, imports applied and undone."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.accounts.models import ApiToken
from daptar.accounts.queries import require_act
from daptar.audit.actions import record
from daptar.lib import jobs
from daptar.lib.sheets import SheetError, read_rows
from daptar.people.models import Person, Post, Term
from daptar.register import importing
from daptar.register.models import Committee, ImportBatch, ImportRow, Seat
from daptar.units.models import Unit

if TYPE_CHECKING:
    from daptar.accounts.models import User


def add_months(day: datetime.date, months: int) -> datetime.date:
    """*day* plus *months* calendar months, the 31st falling back to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def term_months(unit: Unit, kind: str) -> int:
    """How long a committee of *kind* at *unit*'s level lasts (settings, per level)."""
    if kind == Committee.Kind.CONVENING:
        return int(settings.DAPTAR_REGISTER_CONVENING_MONTHS)
    by_level: dict[str, int] = settings.DAPTAR_REGISTER_TERM_MONTHS
    return by_level.get(unit.level.slug, int(settings.DAPTAR_REGISTER_DEFAULT_TERM_MONTHS))


def propose_committee(
    unit: Unit,
    *,
    kind: str,
    formed_on: datetime.date,
    seats: Sequence[tuple[Post, Person | None]],
    by: User,
    note: str = "",
) -> Committee:
    """Propose a new committee for *unit*: by its own office or an office above it.

    Every named person must be in the proposer's register; a seat without a person is a
    post left vacant.
    """
    require_act(by, unit)
    if kind not in Committee.Kind.values:
        raise ValidationError(_("Unknown committee kind."))
    if not seats:
        raise ValidationError(_("A committee needs at least one post."))
    pairs = [(post.pk, person.pk) for post, person in seats if person is not None]
    if len(pairs) != len(set(pairs)):
        raise ValidationError(_("The same person is named twice for one post."))
    people = {pk for _post, pk in pairs}
    visible = set(Person.objects.visible_to(by).filter(pk__in=people).values_list("pk", flat=True))
    if missing := set(people) - visible:
        raise ValidationError(
            _("No such person in your register: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in sorted(missing))}
        )
    months = term_months(unit, kind)
    desk_unit = next((d.unit for d in by.desks if d.can_act and unit.is_within(d.unit)), None)
    with transaction.atomic():
        committee = Committee.objects.create(
            unit=unit,
            kind=kind,
            formed_on=formed_on,
            term_months=months,
            expires_on=add_months(formed_on, months),
            note=note,
            proposed_by=by,
            proposed_by_unit=desk_unit,
        )
        Seat.objects.bulk_create(
            Seat(committee=committee, post=post, person=person, position=n)
            for n, (post, person) in enumerate(seats)
        )
        record(
            "committee.proposed",
            by=by,
            obj=committee,
            unit=unit,
            detail={"kind": kind, "seats": len(seats), "vacant": len(seats) - len(pairs)},
        )
    return committee


def approver_unit(committee: Committee, by: User) -> Unit:
    """The office *by* approves for: an acting desk strictly above the committee's unit."""
    unit = committee.unit
    for desk in by.desks:
        if desk.can_act and unit.is_within(desk.unit) and desk.unit.pk != unit.pk:
            return desk.unit
    if by.is_superuser and unit.parent_id is not None:
        return unit.parent  # type: ignore[return-value]
    raise PermissionDenied(_("Only an office above this unit may approve its committee."))


def _move_login(post: Post, outgoing: Person, incoming: Person, *, by: User) -> None:
    """The post's login follows the post: the outgoing holder's login goes to the incoming one.

    Only when the incoming holder has no login and the outgoing holder keeps no other desk;
    the password is made unusable and API tokens revoked, so the new holder sets their own.
    """
    from daptar.accounts.models import User as UserModel

    user = UserModel.objects.filter(person=outgoing).first()
    if user is None or UserModel.objects.filter(person=incoming).exists():
        return
    still_holds = (
        Term.objects.current().filter(person=outgoing).exclude(post__desk_role="").exists()
    )
    if still_holds:
        return
    user.person = incoming
    user.first_name = incoming.name_en[:150]
    user.set_unusable_password()
    user.save(update_fields=["person", "first_name", "password"])
    ApiToken.objects.filter(user=user).delete()  # the old holder's API keys die with the move
    record(
        "login.moved",
        by=by,
        obj=user,
        detail={"post": post.slug, "from": outgoing.pk, "to": incoming.pk},
    )


def approve_committee(committee: Committee, *, by: User) -> Committee:
    """Approve a proposed committee: the old committee's terms end, the new ones begin.

    One transaction, one audit event with every term ended and begun. Desks follow terms,
    so the new holders act for the unit from the next request; logins move with posts.
    """
    approving = approver_unit(committee, by)
    today = timezone.localdate()
    with transaction.atomic():
        committee = (
            Committee.objects.select_for_update().select_related("unit").get(pk=committee.pk)
        )
        if committee.state != Committee.State.PROPOSED:
            raise ValidationError(_("Only a proposed committee can be approved."))
        unit = committee.unit
        yesterday = today - datetime.timedelta(days=1)
        old_terms = list(
            Term.objects.current(today)
            .office_bearers()
            .filter(unit=unit)
            .select_related("post", "person")
        )
        for term in old_terms:
            term.ended_on = max(term.started_on, yesterday)
        Term.objects.bulk_update(old_terms, ["ended_on"])
        old = Committee.objects.filter(unit=unit, state=Committee.State.CURRENT)
        old_ids = list(old.values_list("pk", flat=True))
        old.update(state=Committee.State.ENDED, ended_on=yesterday, updated_at=timezone.now())
        seats = list(committee.seats.select_related("post", "person").filter(person__isnull=False))
        new_terms = Term.objects.bulk_create(
            Term(person=seat.person, unit=unit, post=seat.post, started_on=today) for seat in seats
        )
        for seat, term in zip(seats, new_terms, strict=True):
            seat.term = term
        Seat.objects.bulk_update(seats, ["term"])
        committee.state = Committee.State.CURRENT
        committee.approved_by = by
        committee.approved_by_unit = approving
        committee.approved_at = timezone.now()
        committee.save()
        record(
            "committee.approved",
            by=by,
            obj=committee,
            unit=unit,
            detail={
                "approved_for": approving.pk,
                "ended_committees": old_ids,
                "ended_terms": [t.pk for t in old_terms],
                "started_terms": [t.pk for t in new_terms],
            },
        )
        outgoing = {t.post_id: t.person for t in old_terms if t.post.desk_role}
        for seat in seats:
            before = outgoing.get(seat.post_id)
            if seat.person and seat.post.desk_role and before and before.pk != seat.person.pk:
                _move_login(seat.post, before, seat.person, by=by)
    return committee


def reject_committee(committee: Committee, *, by: User, note: str = "") -> Committee:
    """Turn a proposal down; the current committee stays."""
    approver_unit(committee, by)
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=committee.pk)
        if committee.state != Committee.State.PROPOSED:
            raise ValidationError(_("Only a proposed committee can be rejected."))
        committee.state = Committee.State.REJECTED
        committee.note = (note or committee.note)[:255]
        committee.save(update_fields=["state", "note", "updated_at"])
        record("committee.rejected", by=by, obj=committee, unit=committee.unit)
    return committee


# --- imports -------------------------------------------------------------------------


def create_import(
    unit: Unit,
    *,
    filename: str,
    content: bytes,
    by: User,
    post: Post | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportBatch:
    """Take a sheet for *unit*'s register and read it into a preview.

    A small sheet is read at once; a big one by the worker, whose progress the batch
    shows. Nothing in the register changes until the preview is applied.
    """
    require_act(by, unit)
    post = post or Post.objects.get(slug="member")
    try:
        rows = list(read_rows(filename, content))
    except SheetError as error:
        raise ValidationError(_("This file is not a spreadsheet Daptar can read.")) from error
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            unit=unit,
            post=post,
            filename=filename[:255],
            mapping=mapping or {},
            created_by=by,
            total=max(len(rows) - 1, 0),
        )
        record("import.uploaded", by=by, obj=batch, unit=unit, detail={"rows": batch.total})
        if batch.total > settings.DAPTAR_REGISTER_SYNC_ROWS:
            batch.content = content
            batch.save(update_fields=["content"])
            jobs.after_commit("register.read_import", batch.pk)
            return batch
    read_import(batch, rows=rows)
    batch.refresh_from_db()
    return batch


def read_import(batch: ImportBatch, *, rows: list[list[str]] | None = None) -> ImportBatch:
    """Read the batch's sheet into its preview rows, saving progress as it goes."""
    if batch.state != ImportBatch.State.READING:
        return batch
    user = batch.created_by
    if rows is None:
        rows = list(read_rows(batch.filename, bytes(batch.content)))

    def progress(done: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(done=done)

    # Not one transaction: the progress written as it goes must be seen by the page polling it.
    try:
        tally = importing.preview(batch, rows, by=user, progress=progress)  # type: ignore[arg-type]
    except ValidationError as error:
        batch.state = ImportBatch.State.FAILED
        batch.error = " ".join(error.messages)[:255]
        batch.content = b""
        batch.save(update_fields=["state", "error", "content", "updated_at"])
        return batch
    batch.counts = tally
    batch.total = sum(tally.values())
    batch.done = batch.total
    batch.state = ImportBatch.State.PREVIEW
    batch.content = b""
    batch.save(update_fields=["counts", "total", "done", "state", "content", "updated_at"])
    return batch


def apply_import(batch: ImportBatch, *, by: User) -> ImportBatch:
    """Write a previewed batch into the register in one transaction.

    New rows become people of the batch's unit; every new or matched row gets a term in
    its post there. Rows with errors, and people already holding the post, are left.
    """
    require_act(by, batch.unit)
    today = timezone.localdate()
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
        if batch.state != ImportBatch.State.PREVIEW:
            raise ValidationError(_("Only a previewed import can be applied."))
        posts = {p.slug: p for p in Post.objects.all()}
        rows = list(batch.rows.filter(outcome__in=[ImportRow.Outcome.NEW, ImportRow.Outcome.MATCH]))
        new = [row for row in rows if row.outcome == ImportRow.Outcome.NEW]
        fields = ("name_bn", "name_en", "phone", "email", "national_id", "gender", "address")
        people = Person.objects.bulk_create(
            (
                Person(
                    unit=batch.unit,
                    born_on=row.data.get("born_on"),
                    **{name: row.data.get(name, "") for name in fields},
                )
                for row in new
            ),
            batch_size=1000,
        )
        for row, person in zip(new, people, strict=True):
            row.person = person
        # Terms by post and start day, each group one INSERT ... SELECT per chunk: at
        # 50,000 rows Django's per-field bulk_create compilation costs more than the rows.
        groups: dict[tuple[int, datetime.date], list[int]] = {}
        for row in rows:
            post = posts.get(row.data.get("post", ""), batch.post)
            since = row.data.get("since")
            day = min(datetime.date.fromisoformat(since) if since else today, today)
            groups.setdefault((post.pk, day), []).append(row.person.pk)  # type: ignore[union-attr]
        term_ids = []
        now = timezone.now()
        for (post_id, day), person_ids in groups.items():
            term_ids += _insert_terms(batch.unit, post_id, day, person_ids, now)
        batch.written = {"people": [p.pk for p in people], "terms": term_ids}
        batch.state = ImportBatch.State.APPLIED
        batch.applied_at = timezone.now()
        batch.save(update_fields=["state", "applied_at", "written", "updated_at"])
        record(
            "import.applied",
            by=by,
            obj=batch,
            unit=batch.unit,
            detail={"people": len(people), "terms": len(term_ids)},
        )
    return batch


UNDO_CHUNK = 5000
_TERMS_FROM_PEOPLE = (
    "INSERT INTO people_term (person_id, unit_id, post_id, started_on, ended_on, created_at,"
    " updated_at) SELECT id, %s, %s, %s, NULL, %s, %s FROM people_person WHERE id IN ({})"
)


def _insert_terms(
    unit: Unit, post_id: int, day: datetime.date, person_ids: list[int], now: datetime.datetime
) -> list[int]:
    """Open terms in one post from one day for these people; the new terms' ids."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(person_ids), UNDO_CHUNK):
            chunk = person_ids[start : start + UNDO_CHUNK]
            sql = _TERMS_FROM_PEOPLE.format(", ".join(["%s"] * len(chunk)))
            params = [unit.pk, post_id, ops.adapt_datefield_value(day), stamp, stamp, *chunk]
            cursor.execute(sql, params)
            ids += Term.objects.filter(
                person_id__in=chunk, unit=unit, post_id=post_id, started_on=day, created_at=now
            ).values_list("pk", flat=True)
    return ids


def undo_import(batch: ImportBatch, *, by: User) -> ImportBatch:
    """Take an applied import back as a whole, within the undo window.

    Its terms go; the people it created go unless something else now refers to them
    (another term, a login, a committee seat), in which case they stay and are counted.
    """
    require_act(by, batch.unit)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
        if batch.state != ImportBatch.State.APPLIED or batch.applied_at is None:
            raise ValidationError(_("Only an applied import can be undone."))
        window = datetime.timedelta(hours=settings.DAPTAR_REGISTER_UNDO_HOURS)
        if timezone.now() - batch.applied_at > window:
            raise ValidationError(_("This import is too old to undo."))
        term_ids = list(batch.written.get("terms", []))
        created = list(batch.written.get("people", []))
        for start in range(0, len(term_ids), UNDO_CHUNK):
            Term.objects.filter(pk__in=term_ids[start : start + UNDO_CHUNK]).delete()
        removed = 0
        for start in range(0, len(created), UNDO_CHUNK):
            ids = list(
                Person.objects.filter(pk__in=created[start : start + UNDO_CHUNK])
                .filter(terms__isnull=True, user__isnull=True, seats__isnull=True)
                .values_list("pk", flat=True)
            )
            removed += Person.objects.filter(pk__in=ids).delete()[1].get("people.Person", 0)
        batch.state = ImportBatch.State.UNDONE
        batch.undone_at = timezone.now()
        batch.save(update_fields=["state", "undone_at", "updated_at"])
        record(
            "import.undone",
            by=by,
            obj=batch,
            unit=batch.unit,
            detail={"terms": len(term_ids), "people": removed, "kept": len(created) - removed},
        )
    return batch


# --- duplicates ----------------------------------------------------------------------


def merge_people(keep: Person, drop: Person, *, by: User) -> Person:
    """Make two records of one person one: *drop*'s posts, terms, seats and login move
    to *keep*, blank fields of *keep* take *drop*'s values, and *drop* goes.

    Both histories are kept: every term *drop* held is now *keep*'s.
    """
    from daptar.accounts.models import User as UserModel

    if keep.pk == drop.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    visible = Person.objects.visible_to(by).filter(pk__in=[keep.pk, drop.pk]).count()
    if visible != 2:
        raise Http404(_("No such person in your register."))
    require_act(by, keep.unit)
    require_act(by, drop.unit)
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        drop = Person.objects.select_for_update().get(pk=drop.pk)
        moved_terms = Term.objects.filter(person=drop).count()
        # Everything that points at the person follows them (terms, seats, invitations,
        # ...); a row that would then clash with one of *keep*'s own stays and goes.
        for relation in Person._meta.related_objects:
            if relation.one_to_one or not relation.field.concrete:
                continue
            field = relation.field.name
            try:
                with transaction.atomic():
                    relation.related_model._default_manager.filter(**{field: drop}).update(
                        **{field: keep}
                    )
            except IntegrityError:
                pass
        filled = []
        for name in ("name_en", "phone", "email", "national_id", "gender", "born_on", "address"):
            if not getattr(keep, name) and getattr(drop, name):
                setattr(keep, name, getattr(drop, name))
                filled.append(name)
        login = UserModel.objects.filter(person=drop).first()
        if login is not None and not UserModel.objects.filter(person=keep).exists():
            login.person = keep
            login.save(update_fields=["person"])
        elif login is not None:
            login.person = None
            login.save(update_fields=["person"])
        dropped = {"id": drop.pk, "name_bn": drop.name_bn, "name_en": drop.name_en}
        drop.delete()
        keep.save()
        record(
            "person.merged",
            by=by,
            obj=keep,
            unit=keep.unit,
            detail={"dropped": dropped["id"], "terms": moved_terms, "filled": filled},
        )
    return keep
