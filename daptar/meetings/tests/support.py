"""The meetings tests' cast: the shared one plus deputies, a metropolitan office, a guest."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any
from unittest import mock

from django.test import override_settings
from django.utils import timezone, translation

from daptar.accounts.models import User
from daptar.meetings import actions
from daptar.meetings.actions import AgendaEntry
from daptar.meetings.models import Invitation, Meeting
from daptar.meetings.queries import Rule
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post
from daptar.testing import DaptarTestCase, make_user
from daptar.units.models import Level, Unit

IMMEDIATE_TASKS = override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
JITSI = override_settings(DAPTAR_JITSI_BASE_URL="https://meet.example.org/")
NO_JITSI = override_settings(DAPTAR_JITSI_BASE_URL="")
VIDEO = "https://meet.google.com/abc-defg-hij"


def future(**delta: float) -> datetime.datetime:
    """A time after now (three days unless told), on the minute."""
    at = timezone.now() + datetime.timedelta(**(delta or {"days": 3}))
    return at.replace(second=0, microsecond=0)


@contextlib.contextmanager
def frozen(at: datetime.datetime) -> Iterator[datetime.datetime]:
    """Every timezone.now() (auto_now fields, actions, sweeps) answers *at*."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


def post(slug: str) -> Post:
    return Post.objects.get(slug=slug)


def level(slug: str) -> Level:
    return Level.objects.get(slug=slug)


def officers(*slugs: str) -> list[Post]:
    return list(
        Post.objects.filter(slug__in=slugs or ("office_secretary", "deputy_office_secretary"))
    )


def districts_of(division: Unit, *posts: str, guests: tuple[Person, ...] = ()) -> Rule:
    """The planner's rule: the districts under *division*, office secretaries and deputies."""
    return Rule(
        within=division, levels=[level("district")], posts=officers(*posts), persons=list(guests)
    )


def meeting(
    by: User,
    *,
    host: Unit | None = None,
    rule: Rule | None = None,
    send: bool = False,
    starts_at: datetime.datetime | None = None,
    **fields: Any,
) -> Meeting:
    """A meeting of *by*'s first desk (central unless told) through create_meeting."""
    host = host or by.desks[0].unit
    return actions.create_meeting(
        host_unit=host,
        by=by,
        title=fields.pop("title", "মতবিনিময় সভা"),
        starts_at=starts_at or future(),
        duration_minutes=fields.pop("duration_minutes", 90),
        agenda=fields.pop("agenda", [AgendaEntry("Opening", 10), AgendaEntry("Reports", 60)]),
        rule=rule or districts_of(fields.pop("division", None) or _division(host)),
        video_url=fields.pop("video_url", VIDEO),
        send=send,
        **fields,
    )


def _division(host: Unit) -> Unit:
    return host if host.level.slug == "division" else Unit.objects.get(code="DIV-SYL")


def invitation(meeting: Meeting, user: User) -> Invitation:
    found = Invitation.objects.select_related("meeting__host_unit").get(
        meeting=meeting, person_id=user.person_id
    )
    return found


def add_holder(
    cast: Any,
    username: str | None,
    unit: Unit,
    post_slug: str,
    *,
    name_en: str,
    name_bn: str,
    email: str = "",
    **term: Any,
) -> Person:
    """Register a person at *unit*, appoint them to *post_slug*, and (if named) give a login."""
    person = people_actions.register_person(
        unit=unit,
        name_bn=name_bn,
        name_en=name_en,
        phone="01811-000000",
        email=email,
        by=cast.operator,
    )
    people_actions.appoint(person, unit=unit, post=post(post_slug), by=cast.operator, **term)
    if username:
        setattr(cast, username.replace("-", "_"), make_user(username, person))
    return person


def add_meeting_cast(cast: Any) -> None:
    """Deputies, the metropolitan office, a division office, a co-office secretary, a guest,
    and office bearers whose terms are over or not begun (none of them is invited)."""
    op = cast.operator
    people_actions.update_person(cast.sylhet.person, email="sadia@example.org", by=op)
    add_holder(
        cast,
        "sylhet-deputy",
        cast.sylhet_district,
        "deputy_office_secretary",
        name_en="Deputy Sylhet",
        name_bn="উপ সিলেট",
        email="deputy@example.org",
    )
    add_holder(
        cast,
        "metro",
        cast.sylhet_metro,
        "office_secretary",
        name_en="Metro Secretary",
        name_bn="মহানগর সম্পাদক",
        email="metro@example.org",
    )
    add_holder(
        cast,
        "division",
        cast.sylhet_division,
        "office_secretary",
        name_en="Division Secretary",
        name_bn="বিভাগ সম্পাদক",
    )
    add_holder(
        cast,
        None,
        cast.sylhet_district,
        "co_office_secretary",
        name_en="Co Sylhet",
        name_bn="সহ সিলেট",
    )
    add_holder(
        cast,
        "researcher",
        cast.root,
        "research_cell",
        name_en="Research Coordinator",
        name_bn="গবেষণা সমন্বয়ক",
        email="cell@example.org",
    )
    add_holder(
        cast,
        "dhaka-deputy",
        cast.dhaka_district,
        "deputy_office_secretary",
        name_en="Deputy Dhaka",
        name_bn="উপ ঢাকা",
    )
    today = timezone.localdate()
    old = add_holder(
        cast,
        None,
        cast.sylhet_metro,
        "deputy_office_secretary",
        name_en="Former Deputy",
        name_bn="সাবেক উপ",
        started_on=today - datetime.timedelta(days=400),
    )
    term = old.terms.get()
    people_actions.end_term(term, by=op, ended_on=today - datetime.timedelta(days=1))
    add_holder(
        cast,
        None,
        cast.sylhet_metro,
        "co_office_secretary",
        name_en="Next Co",
        name_bn="পরের সহ",
        started_on=today + datetime.timedelta(days=10),
    )
    cast.researcher_person = cast.researcher.person


class MeetingsTestCase(DaptarTestCase):
    """The shared cast plus the meeting cast, with the Jitsi server unset unless a test sets it."""

    sylhet_deputy: User
    metro: User
    division: User
    researcher: User
    dhaka_deputy: User
    researcher_person: Person

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # Messages are asserted in English; pages set their own language per request.
        cls.enterClassContext(translation.override("en"))

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_meeting_cast(cls)
