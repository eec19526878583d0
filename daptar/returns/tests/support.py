"""What the returns tests share: more offices in the cast, and forms built through actions."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any
from unittest import mock

from django.utils import timezone, translation

from daptar.accounts.models import User
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.returns import actions
from daptar.returns.models import ReturnForm, ReturnPeriod, Submission
from daptar.testing import DaptarTestCase, make_user
from daptar.units import actions as unit_actions
from daptar.units.models import Level, Unit

MEMBERS = {
    "key": "members",
    "label_bn": "সদস্য সংখ্যা",
    "label_en": "Members",
    "type": "integer",
    "required": True,
    "min": 0,
}
WOMEN = {"key": "women", "label_bn": "নারী সদস্য", "label_en": "Women members", "type": "integer"}
RULE = {
    "left": "women",
    "op": "<=",
    "right": "members",
    "message_bn": "নারী সদস্য মোট সদস্যের বেশি হতে পারে না",
    "message_en": "Women members cannot be more than all members",
}


def future(**delta: float) -> datetime.datetime:
    """A time after now (three days unless told)."""
    return timezone.now() + datetime.timedelta(**(delta or {"days": 3}))


@contextlib.contextmanager
def frozen(at: datetime.datetime) -> Iterator[datetime.datetime]:
    """Every timezone.now() (auto_now fields, actions, sweeps) answers *at*."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


def levels(*slugs: str) -> list[Level]:
    return list(Level.objects.filter(slug__in=slugs))


def add_office(
    cast: Any, username: str, unit: Unit, *, post: str = "office_secretary", email: str = ""
) -> User:
    """Register a person at *unit* with *post* and give them a login."""
    person = people_actions.register_person(
        unit=unit,
        name_bn=f"{username} বাংলা",
        name_en=f"{username.title()} Office",
        phone="01811-000000",
        email=email,
        by=cast.operator,
    )
    people_actions.appoint(person, unit=unit, post=Post.objects.get(slug=post), by=cast.operator)
    return make_user(username, person)


def draft_form(
    by: User,
    *,
    unit: Unit | None = None,
    target: Unit | None = None,
    target_levels: tuple[str, ...] = ("union", "ward"),
    fields: tuple[dict[str, Any], ...] = (MEMBERS, WOMEN),
    rules: tuple[dict[str, Any], ...] = (RULE,),
    **settings: Any,
) -> ReturnForm:
    """A draft form from the user's first desk (unless told), through create_form."""
    unit = unit or by.desks[0].unit
    settings.setdefault("title", "Members this year")
    if settings.get("schedule", "once") == "once":
        settings.setdefault("due_at", future())
    return actions.create_form(
        issuing_unit=unit,
        by=by,
        target_unit=target or unit,
        target_levels=levels(*target_levels),
        fields=fields,
        rules=rules,
        **settings,
    )


def published(by: User, **kwargs: Any) -> tuple[ReturnForm, ReturnPeriod]:
    """A form made and published at once, with its first period."""
    form = draft_form(by, **kwargs)
    period = actions.publish(form, by=by)
    form.refresh_from_db()
    return form, period


def slot(period: ReturnPeriod, unit: Unit) -> Submission:
    return Submission.objects.select_related("period__form", "unit").get(period=period, unit=unit)


def grow(parent: Unit, count: int, *, level: str, by: User, prefix: str = "X") -> list[Unit]:
    """*count* new child units of *parent*, opened through the units action."""
    at = Level.objects.get(slug=level)
    return [
        unit_actions.create_unit(
            parent=parent,
            level=at,
            code=f"{prefix}-{parent.code}-{n}",
            name_bn=f"{prefix} {parent.name_bn} {n}",
            name_en=f"{prefix} {parent.name_en} {n}",
            by=by,
        )
        for n in range(1, count + 1)
    ]


class ReturnsTestCase(DaptarTestCase):
    """The cast plus the office of Sylhet Sadar (Jalalabad's reviewer), of Ward 1, and a
    read-only desk at Jalalabad (its president)."""

    sadar: User
    ward: User
    union_president: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sadar = add_office(cls, "sadar", cls.sylhet_sadar, email="sadar@example.org")
        cls.ward = add_office(cls, "ward", cls.ward1)
        cls.union_president = add_office(
            cls, "unionpresident", cls.jalalabad_union, post="president"
        )

    def setUp(self) -> None:
        # Messages in English, pages in English: the tests read them.
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
