"""Helpers for the reports tests: real photos made with Pillow, reports built through actions.

The shared cast has no office at Sylhet Sadar, Jalalabad's parent. `ReportsTestCase`
adds one (`sadar`), and a read-only desk at Jalalabad (`jalalabad_president`), so that
review by the parent office and read-only refusals can be tested.
"""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone, translation
from PIL import Image

from daptar.accounts.models import User
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.reports import actions
from daptar.reports.models import Category, Report
from daptar.testing import DaptarTestCase, make_user
from daptar.units.models import Unit

STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
IN_MEMORY_STORAGE = override_settings(STORAGES=STORAGE)
IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
# Sylhet's coordinates, as a phone writes them into a photo's EXIF.
GPS = {1: "N", 2: (24.0, 53.0, 39.0), 3: "E", 4: (91.0, 52.0, 7.0)}
GPS_IFD = 0x8825
ORIENTATION = 0x0112
TEXT = b"just some words, not a picture\n"


def picture(width: int = 64, height: int = 48, colour: str = "green") -> Image.Image:
    """A picture with a red left half, so a rotation shows in the pixels."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image


def exif(*, gps: bool = False, orientation: int | None = None) -> bytes:
    data = Image.Exif()
    data[0x010F] = "PhoneMaker"  # Make
    data[0x0110] = "Phone 12"  # Model
    if orientation:
        data[ORIENTATION] = orientation
    if gps:
        data[GPS_IFD] = GPS
    return data.tobytes()


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg(
    width: int = 64,
    height: int = 48,
    *,
    gps: bool = False,
    orientation: int | None = None,
    colour: str = "green",
) -> bytes:
    return encode(
        picture(width, height, colour),
        "JPEG",
        exif=exif(gps=gps, orientation=orientation),
        comment=b"taken at the meeting",
    )


def png(width: int = 64, height: int = 48) -> bytes:
    return encode(picture(width, height, "blue"), "PNG")


def webp(width: int = 64, height: int = 48) -> bytes:
    return encode(picture(width, height, "yellow"), "WEBP", exif=exif(gps=True))


def heic(width: int = 64, height: int = 48) -> bytes:
    return encode(picture(width, height, "purple"), "HEIF", quality=60, exif=exif(gps=True))


def bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A few hundred bytes of PNG that declare 900 megapixels: decoding them would take
    gigabytes of memory (a decompression bomb). The chunks are well formed; only the
    declared size is outrageous."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def category(slug: str = "programme") -> Category:
    return Category.objects.get(slug=slug)


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def fields(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "বৃক্ষরোপণ কর্মসূচি",
        "body": "ইউনিয়নের সব ওয়ার্ডে একশোটি চারা রোপণ করা হয়েছে।",
        "category": category(),
        "event_date": yesterday(),
        "place": "জালালাবাদ উচ্চ বিদ্যালয় মাঠ",
        "participants": 120,
        **overrides,
    }


def draft(
    by: User, *, unit: Unit | None = None, photos: tuple[bytes, ...] = (), **kw: Any
) -> Report:
    """A draft from *unit* (the user's first desk unless told) through create_report."""
    return actions.create_report(
        unit=unit or by.desks[0].unit,
        by=by,
        photos=[upload(f"photo{n}.jpg", data) for n, data in enumerate(photos, 1)],
        **fields(**kw),
    )


def submitted(by: User, **kw: Any) -> Report:
    return actions.submit(draft(by, **kw), by=by)


def approved(by: User, reviewer: User, **kw: Any) -> Report:
    return actions.approve(submitted(by, **kw), by=reviewer)


def published(by: User, reviewer: User, **kw: Any) -> Report:
    return actions.publish(approved(by, reviewer, **kw), by=reviewer)


def add_office(cast: Any, username: str, unit: Unit, post: str = "office_secretary") -> User:
    person = people_actions.register_person(
        unit=unit, name_bn=f"{username} বাংলা", name_en=username.title(), phone="01911-000000",
        email=f"{username}@example.org", by=cast.operator,
    )  # fmt: skip
    people_actions.appoint(person, unit=unit, post=Post.objects.get(slug=post), by=cast.operator)
    return make_user(username, person)


def own_queries(captured: Any) -> list[str]:
    """The captured SQL that reads this app's tables (other apps' badges come and go)."""
    return [q["sql"] for q in captured if '"reports_' in q["sql"]]


@IN_MEMORY_STORAGE
class ReportsTestCase(DaptarTestCase):
    """The shared cast plus an office at Sylhet Sadar and a read-only desk at Jalalabad."""

    sadar: User
    jalalabad_president: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sadar = add_office(cls, "sylhet-sadar", cls.sylhet_sadar)
        cls.jalalabad_president = add_office(
            cls, "jalalabad-president", cls.jalalabad_union, post="president"
        )

    def assertQueriesDoNotGrow(self, fetch: Any, grow: Any, *, own: int) -> Any:
        """*fetch* costs as many queries after *grow* adds rows as before, *own* of them
        on this app's tables."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        fetch()
        with CaptureQueriesContext(connection) as before:
            fetch()
        grow()
        fetch()
        with CaptureQueriesContext(connection) as after:
            response = fetch()
        self.assertEqual(len(after), len(before), [q["sql"] for q in after])
        self.assertEqual(len(own_queries(after)), own, own_queries(after))
        return response

    def setUp(self) -> None:
        super().setUp()
        # A fresh in-memory storage per test, so files counted are this test's own.
        self.enterContext(override_settings(STORAGES=STORAGE))
        # Messages are asserted in English; pages set their own language per request.
        self.enterContext(translation.override("en"))
