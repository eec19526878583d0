"""Helpers for the letters tests: more offices in the cast, letters sent through the actions.

The shared cast has office desks at central, Sylhet district, Jalalabad and
Dhaka (and a read-only president at central). `LettersTestCase` adds office
secretaries at Sylhet division, Sylhet Sadar, Ward 1 and Sylhet Metropolitan.
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
from django.utils import translation
from PIL import Image

from daptar.accounts.models import User
from daptar.letters import actions
from daptar.letters.models import Letter, Receipt
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.testing import DaptarTestCase, make_user
from daptar.units.models import Unit

# Smallest files whose first bytes say what they are.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _picture(fmt: str) -> bytes:
    """A real little picture, since attached images are decoded and re-encoded."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 80)).save(out, fmt)
    return out.getvalue()


PNG = _picture("PNG")
TEXT = b"just some words, not a document\n"

IN_MEMORY_STORAGE = override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)

# A moment after the cast's terms began (they start on the real today).
LATER = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=datetime.UTC)


@contextlib.contextmanager
def frozen(at: datetime.datetime) -> Iterator[datetime.datetime]:
    """Every timezone.now() (auto_now fields, actions, pages) answers *at*."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def unit_of(user: User) -> Unit:
    return user.desks[0].unit


def write(by: User, to: Unit, **fields: Any) -> Letter:
    """A letter from *by*'s office to *to*, through the send action."""
    fields.setdefault("subject", "Committee list for the union")
    fields.setdefault("body", "Please send the list of the new committee.")
    return actions.send(
        sender=fields.pop("sender", None) or unit_of(by), by=by, to_unit=to, **fields
    )


def reply(by: User, letter: Letter, **fields: Any) -> Letter:
    """*by*'s office answers *letter* (back to its writer unless told)."""
    fields.setdefault("subject", f"Re: {letter.subject}")
    fields.setdefault("body", "The list is attached.")
    to = fields.pop("to", None) or letter.sender
    return write(by, to, reply_to=letter, **fields)


def receipt(letter: Letter, unit: Unit) -> Receipt:
    return Receipt.objects.select_related("letter", "unit").get(letter=letter, unit=unit)


def add_office(cast: Any, username: str, unit: Unit, *, name_en: str, name_bn: str) -> User:
    """Register a person at *unit*, appoint them office secretary and give them a login."""
    person = people_actions.register_person(
        unit=unit,
        name_bn=name_bn,
        name_en=name_en,
        phone="01811-000000",
        email=f"{username}@example.org",
        by=cast.operator,
    )
    people_actions.appoint(
        person, unit=unit, post=Post.objects.get(slug="office_secretary"), by=cast.operator
    )
    return make_user(username, person)


class LettersTestCase(DaptarTestCase):
    """The shared cast plus an office at every unit of the Sylhet branch."""

    division: User
    sadar: User
    ward: User
    metro: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.division = add_office(
            cls, "division", cls.sylhet_division, name_en="Division Secretary", name_bn="বিভাগ"
        )
        cls.sadar = add_office(cls, "sadar", cls.sylhet_sadar, name_en="Sadar", name_bn="সদর")
        cls.ward = add_office(cls, "ward", cls.ward1, name_en="Ward Secretary", name_bn="ওয়ার্ড")
        cls.metro = add_office(
            cls, "metro", cls.sylhet_metro, name_en="Metro Secretary", name_bn="মহানগর"
        )

    def setUp(self) -> None:
        # Messages are asserted in English; the pages' Bengali is the catalogue's business.
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def seen_by(self, user: User) -> set[int]:
        """Ids of the letters *user* may read."""
        return set(Letter.objects.visible_to(self.fresh(user)).values_list("pk", flat=True))


def page_overhead() -> int:
    """Queries every signed-in office page makes besides its own.

    The session, the user, the desks, the directives' and notices' badges, and one
    badge per domain app that declares one (letters among them): counted, not
    written down, so another app's new badge does not break these pins.
    """
    from django.apps import apps

    return 5 + sum(1 for config in apps.get_app_configs() if getattr(config, "badge", None))
