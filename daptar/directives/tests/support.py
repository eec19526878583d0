"""Helpers for the directives tests: more offices in the cast, directives built through actions.

The shared cast has office desks only at central, Sylhet district, Jalalabad
and Dhaka. `DirectivesTestCase` adds an office secretary at Sylhet division,
Sylhet Sadar, Ward 1 and Sylhet Metropolitan, so that a relay has someone to
forward at every level and escalations have someone to land on.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from collections.abc import Iterator
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from daptar.accounts.models import User
from daptar.directives import actions
from daptar.directives.models import Delivery, Directive
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post
from daptar.testing import DaptarTestCase, make_user
from daptar.units.models import Level, Unit

# Smallest files whose first bytes say what they are.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _picture(fmt: str) -> bytes:
    """A real little picture, since attached images are decoded and re-encoded."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 80)).save(out, fmt)
    return out.getvalue()


PNG = _picture("PNG")
JPEG = _picture("JPEG")
TEXT = b"just some words, not a picture\n"

IN_MEMORY_STORAGE = override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
LOCMEM_EMAIL = override_settings(
    MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
)


def future(**delta: float) -> datetime.datetime:
    """A time after now (three days unless told)."""
    return timezone.now() + datetime.timedelta(**(delta or {"days": 3}))


@contextlib.contextmanager
def frozen(at: datetime.datetime) -> Iterator[datetime.datetime]:
    """Every timezone.now() (auto_now fields, actions, sweeps) answers *at*."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def levels(*slugs: str) -> list[Level]:
    return list(Level.objects.filter(slug__in=slugs))


def draft(
    by: User,
    *,
    unit: Unit | None = None,
    target: Unit | None = None,
    target_levels: tuple[str, ...] = (),
    title: str = "Hold a members' meeting",
    due_at: datetime.datetime | None = None,
    **fields: Any,
) -> Directive:
    """A draft from *unit* (the user's first desk unless told) through create_directive."""
    unit = unit or by.desks[0].unit
    return actions.create_directive(
        issuing_unit=unit,
        by=by,
        title=title,
        body=fields.pop("body", "Every unit meets before the due date and reports."),
        due_at=due_at or future(),
        target_unit=target or unit,
        target_levels=levels(*target_levels),
        **fields,
    )


def issued(by: User, **kwargs: Any) -> Directive:
    """A draft made and issued at once."""
    return actions.issue(draft(by, **kwargs), by=by)


def delivery(directive: Directive, unit: Unit) -> Delivery:
    return Delivery.objects.select_related("directive", "unit").get(directive=directive, unit=unit)


def states(directive: Directive) -> dict[str, str]:
    """Unit code → delivery state, for compact assertions."""
    return dict(directive.deliveries.values_list("unit__code", "state"))


def add_office(
    cast: Any, username: str, unit: Unit, *, name_en: str, name_bn: str, email: str = ""
) -> User:
    """Register a person at *unit*, appoint them office secretary and give them a login."""
    person = people_actions.register_person(
        unit=unit, name_bn=name_bn, name_en=name_en, phone="01811-000000", email=email,
        by=cast.operator,
    )  # fmt: skip
    people_actions.appoint(
        person, unit=unit, post=Post.objects.get(slug="office_secretary"), by=cast.operator
    )
    return make_user(username, person)


def add_offices(cast: Any) -> None:
    """Office secretaries at the cast's units that have none."""
    cast.division = add_office(
        cast, "division", cast.sylhet_division, name_en="Division Secretary", name_bn="বিভাগ সম্পাদক"
    )
    cast.sadar = add_office(
        cast, "sadar", cast.sylhet_sadar, name_en="Sadar Secretary", name_bn="সদর সম্পাদক"
    )
    cast.ward = add_office(cast, "ward", cast.ward1, name_en="Ward Secretary", name_bn="ওয়ার্ড সম্পাদক")
    cast.metro = add_office(
        cast, "metro", cast.sylhet_metro, name_en="Metro Secretary", name_bn="মহানগর সম্পাদক"
    )


def give_email(user: User, email: str, *, by: User) -> Person:
    """Set the e-mail address of *user*'s person (through the people action)."""
    assert user.person is not None
    return people_actions.update_person(user.person, email=email, by=by)


class DirectivesTestCase(DaptarTestCase):
    """The shared cast plus an office at every unit of the Sylhet branch."""

    division: User
    sadar: User
    ward: User
    metro: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_offices(cls)

    def setUp(self) -> None:
        super().setUp()
        # The cast's terms start today: read every desk now, so that a test which
        # freezes time in the past still finds its users at their desks.
        for name in ("central", "president", "sylhet", "jalalabad", "dhaka", "nobody"):
            getattr(self, name).desks  # noqa: B018
        for user in (self.division, self.sadar, self.ward, self.metro):
            user.desks  # noqa: B018


def overdue(
    by: User, *, issued_days_ago: float = 3, due_days_ago: float = 1, **kwargs: Any
) -> Directive:
    """A directive issued some days ago whose due time has since passed."""
    now = timezone.now()
    by.desks  # noqa: B018 - read today: the cast's terms start today, not in the past
    with frozen(now - datetime.timedelta(days=issued_days_ago)):
        return issued(by, due_at=now - datetime.timedelta(days=due_days_ago), **kwargs)


def grow(parent: Unit, count: int, *, level: str, by: User, prefix: str = "X") -> list[Unit]:
    """*count* new child units of *parent*, opened through the units action."""
    from daptar.units import actions as unit_actions

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
