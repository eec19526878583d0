"""The shared test cast: a small tree and the people who work in it, built through actions.

    central ─┬─ Sylhet division ─┬─ Sylhet district ── Sylhet Sadar ── Jalalabad ── Ward 1
             │                   └─ Sylhet Metropolitan
             └─ Dhaka division ──── Dhaka district

Users: `operator` (superuser), `central` (office secretary, central), `president`
(central president: a view desk), `sylhet` (office secretary, Sylhet district),
`jalalabad` (office secretary, Jalalabad union), `dhaka` (the outsider in a
sibling subtree) and `nobody` (a login with no post).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, TestCase, override_settings

from daptar.accounts.middleware import ActingUnitMiddleware
from daptar.accounts.models import User
from daptar.accounts.queries import SESSION_KEY
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post
from daptar.units import actions as unit_actions
from daptar.units.models import Level, Unit

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (the cast's test password)
REQUEST_IP = "10.20.30.40"


def make_user(username: str, person: Person | None = None, **extra: Any) -> User:
    user = User(username=username, person=person, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def in_request[T](user: User, action: Callable[[], T], *, acting_for: Unit | None = None) -> T:
    """Run *action* the way a view would: inside the request's audit context.

    *acting_for* is the unit chosen in the session's switcher; without it the
    user acts for their highest desk.
    """
    request = RequestFactory().post("/", REMOTE_ADDR=REQUEST_IP)
    request.user = user
    request.session = SessionStore()
    if acting_for is not None:
        request.session[SESSION_KEY] = acting_for.pk
    results: list[T] = []

    def view(_request: HttpRequest) -> HttpResponse:
        results.append(action())
        return HttpResponse()

    ActingUnitMiddleware(view)(request)
    return results[0]


def nav_queries() -> int:
    """Queries the navigation's badges cost on every office page.

    Unread directives, unread notices, and one per domain app whose AppConfig
    names a `badge`; page pins add this so a new app's badge moves them all at once.
    """
    from django.apps import apps

    return 2 + sum(1 for config in apps.get_app_configs() if getattr(config, "badge", None))


class Cast:
    """Attribute bag the tests read: units, people and users of the cast."""

    operator: User
    central: User
    president: User
    sylhet: User
    jalalabad: User
    dhaka: User
    nobody: User
    root: Unit
    sylhet_division: Unit
    dhaka_division: Unit
    sylhet_district: Unit
    sylhet_metro: Unit
    sylhet_sadar: Unit
    jalalabad_union: Unit
    ward1: Unit
    dhaka_district: Unit


def build_cast(cast: Any) -> None:
    """Build the tree and its people on *cast* (a TestCase class or any object)."""
    levels = {level.slug: level for level in Level.objects.all()}
    posts = {post.slug: post for post in Post.objects.all()}
    cast.operator = make_user("operator", is_superuser=True, is_staff=True)
    op = cast.operator

    def unit(parent: Unit | None, level: str, code: str, bn: str, en: str, **kw: Any) -> Unit:
        return unit_actions.create_unit(
            parent=parent, level=levels[level], code=code, name_bn=bn, name_en=en, by=op, **kw
        )

    cast.root = unit(None, "central", "CEN", "কেন্দ্র", "Central")
    cast.sylhet_division = unit(cast.root, "division", "DIV-SYL", "সিলেট", "Sylhet")
    cast.dhaka_division = unit(cast.root, "division", "DIV-DHA", "ঢাকা", "Dhaka")
    cast.sylhet_district = unit(cast.sylhet_division, "district", "SYL", "সিলেট", "Sylhet")
    cast.sylhet_metro = unit(
        cast.sylhet_division,
        "district",
        "SYL-M",
        "সিলেট মহানগর",
        "Sylhet Metropolitan",
        kind=Unit.Kind.METROPOLITAN,
    )
    cast.dhaka_district = unit(cast.dhaka_division, "district", "DHA", "ঢাকা", "Dhaka")
    cast.sylhet_sadar = unit(
        cast.sylhet_district, "upazila", "UPZ-281", "সিলেট সদর", "Sylhet Sadar"
    )
    cast.jalalabad_union = unit(cast.sylhet_sadar, "union", "UN-2513", "জালালাবাদ", "Jalalabad")
    cast.ward1 = unit(cast.jalalabad_union, "ward", "UN-2513-W1", "ওয়ার্ড ১", "Ward 1")

    def holder(username: str, at: Unit, post: str, bn: str, en: str) -> User:
        person = people_actions.register_person(
            unit=at, name_bn=bn, name_en=en, phone="01711-000000", by=op
        )
        people_actions.appoint(person, unit=at, post=posts[post], by=op)
        return make_user(username, person)

    cast.central = holder("central", cast.root, "office_secretary", "করিম উদ্দিন", "Karim Uddin")
    cast.president = holder("president", cast.root, "president", "রহিম খান", "Rahim Khan")
    cast.sylhet = holder(
        "sylhet", cast.sylhet_district, "office_secretary", "সাদিয়া ইসলাম", "Sadia Islam"
    )
    cast.jalalabad = holder(
        "jalalabad", cast.jalalabad_union, "office_secretary", "জামাল হোসেন", "Jamal Hossain"
    )
    cast.dhaka = holder(
        "dhaka", cast.dhaka_district, "office_secretary", "নাসরিন আক্তার", "Nasrin Akter"
    )
    cast.nobody = make_user("nobody")


# Argon2 is deliberately slow; the cast's seven passwords per class need not be.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class DaptarTestCase(TestCase):
    """A TestCase with the cast built once per class."""

    @classmethod
    def setUpTestData(cls) -> None:
        build_cast(cls)

    def fresh(self, user: User) -> User:
        """The user reloaded, so desks are read again after a change of terms."""
        return User.objects.get(pk=user.pk)
