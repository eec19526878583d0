"""Every write to the register of people and their terms."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from daptar.accounts.queries import require_act
from daptar.audit.actions import record
from daptar.lib.phones import normalise_phone
from daptar.people.models import Person, Post, Term

if TYPE_CHECKING:
    from daptar.accounts.models import User
    from daptar.units.models import Unit


def register_person(
    *, unit: Unit, name_bn: str, name_en: str = "", phone: str = "", email: str = "", by: User
) -> Person:
    """Add a person to *unit*'s register; the phone is stored as +8801XXXXXXXXX."""
    require_act(by, unit)
    person = Person(
        unit=unit,
        name_bn=name_bn,
        name_en=name_en,
        phone=normalise_phone(phone) if phone else "",
        email=email,
    )
    with transaction.atomic():
        person.full_clean()
        person.save()
        record("person.registered", by=by, obj=person, unit=unit)
    return person


def _require_in_scope(person: Person, by: User) -> None:
    """A person outside the user's scope is, for them, a person who does not exist."""
    if not Person.objects.visible_to(by).filter(pk=person.pk).exists():
        raise Http404(_("No such person in your register."))


def update_person(person: Person, *, by: User, **fields: Any) -> Person:
    """Change a person's record; moving them needs an acting desk over both units."""
    stored = Person.objects.select_related("unit").get(pk=person.pk)
    _require_in_scope(stored, by)
    require_act(by, stored.unit)
    if "unit" in fields:
        require_act(by, fields["unit"])
    if fields.get("phone"):
        fields["phone"] = normalise_phone(fields["phone"])
    changed = sorted(fields)
    if "phone" in fields and fields["phone"] != stored.phone:
        fields["phone_verified_at"] = None  # a new number has to be proved again
    with transaction.atomic():
        for name, value in fields.items():
            setattr(person, name, value)
        person.full_clean()
        person.save()
        record("person.updated", by=by, obj=person, detail={"fields": changed})
    return person


def appoint(
    person: Person, *, unit: Unit, post: Post, by: User, started_on: datetime.date | None = None
) -> Term:
    """Start *person*'s term in *post* at *unit*; the person must be in the user's register."""
    require_act(by, unit)
    _require_in_scope(person, by)
    started_on = started_on or timezone.localdate()
    with transaction.atomic():
        # The new term is open-ended, so any term not over by its start overlaps it.
        clash = (
            Term.objects.filter(person=person, unit=unit, post=post)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
            .exists()
        )
        if clash:
            raise ValidationError(_("This person already holds this post in this unit."))
        term = Term.objects.create(person=person, unit=unit, post=post, started_on=started_on)
        record(
            "term.started",
            by=by,
            obj=term,
            unit=unit,
            detail={"person": person.pk, "post": post.slug},
        )
    return term


def end_term(term: Term, *, by: User, ended_on: datetime.date | None = None) -> Term:
    require_act(by, term.unit)
    ended_on = ended_on or timezone.localdate()
    if ended_on < term.started_on:
        raise ValidationError(_("A term cannot end before it starts."))
    with transaction.atomic():
        term.ended_on = ended_on
        term.save(update_fields=["ended_on", "updated_at"])
        record("term.ended", by=by, obj=term, unit=term.unit, detail={"on": str(ended_on)})
    return term


def mark_phone_verified(person: Person, *, by: User) -> Person:
    """The person proved their phone is theirs (a code sent to it came back).

    Only the person's own login proves it: *by* must be the user linked to *person*.
    """
    if getattr(by, "person_id", None) != person.pk:
        raise Http404(_("No such person in your register."))
    with transaction.atomic():
        person.phone_verified_at = timezone.now()
        person.save(update_fields=["phone_verified_at", "updated_at"])
        record("person.phone_verified", by=by, obj=person, detail={"phone": person.phone[-4:]})
    return person
