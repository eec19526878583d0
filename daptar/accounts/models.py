from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from daptar.people.models import Post, Term
from daptar.units.models import Unit


@dataclass(frozen=True)
class Desk:
    """A unit a user may work for, with what they may do there (act or view)."""

    unit: Unit
    role: str
    post_name: str

    @property
    def can_act(self) -> bool:
        return self.role == Post.DeskRole.ACT


class User(AbstractUser):
    """A login. What it may see and do follows from its person's current terms."""

    person = models.OneToOneField(
        "people.Person",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    class Meta(AbstractUser.Meta):
        # django-stubs types these as str, but Meta takes lazy strings (Django's own is one).
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @cached_property
    def desks(self) -> list[Desk]:
        """The user's desks, highest unit first; one per unit, acting beating viewing."""
        if not self.person_id:
            return []
        terms = (
            Term.objects.current()
            .filter(person_id=self.person_id)
            .exclude(post__desk_role="")
            .select_related("unit__level", "post")
            .order_by("unit__depth", "unit__path", "post__rank")
        )
        by_unit: dict[int, Desk] = {}
        for term in terms:
            known = by_unit.get(term.unit_id)
            if known is None or (term.post.desk_role == Post.DeskRole.ACT and not known.can_act):
                by_unit[term.unit_id] = Desk(term.unit, term.post.desk_role, term.post.name)
        return list(by_unit.values())

    def desk_for(self, unit_id: int | str | None) -> Desk | None:
        for desk in self.desks:
            if str(desk.unit.pk) == str(unit_id):
                return desk
        return None
