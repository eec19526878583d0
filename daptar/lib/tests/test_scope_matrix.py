"""The scope matrix: every route that takes an object answers 404 to a login outside it.

The routes come from the URL configuration itself, web pages and API alike. Every
keyword argument of a route names an object (mapped below to the object built for it)
or a shape of the answer (`NOT_OBJECTS`); a public route is listed in `PUBLIC` with
its reason. A route added with a keyword that none of these knows fails the test
until the matrix covers it. A route whose keywords all shape the answer has no object
to be outside of, so it is not tried.

For each login of the cast whose subtree is not the whole tree, a world of objects
is built in a sibling subtree through the real actions: the Dhaka district's for the
Sylhet and Jalalabad offices, the Sylhet district's for Dhaka's. Each route is then
tried with GET, POST, PATCH and DELETE; each must answer 404 (or 405 where the route does not
take the method), never 403 or 200: missing and forbidden look the same. The central
office's logins see the whole tree, so nothing is outside them to try.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from daptar.accounts.actions import issue_token
from daptar.accounts.models import User
from daptar.directives import actions as directive_actions
from daptar.directives.tests.support import PDF
from daptar.directives.tests.support import draft as directive_draft
from daptar.letters.tests.support import write
from daptar.meetings import actions as meeting_actions
from daptar.meetings.models import Decision, Invitation
from daptar.meetings.tests.support import districts_of, meeting
from daptar.notifications.actions import Message, notify_units
from daptar.notifications.models import Notification
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.register import actions as register_actions
from daptar.register.models import Committee
from daptar.reports import actions as report_actions
from daptar.reports.tests.support import IN_MEMORY_STORAGE, jpeg
from daptar.reports.tests.support import draft as report_draft
from daptar.returns.models import Submission
from daptar.returns.tests.support import published as published_form
from daptar.social import actions as social_actions
from daptar.social.models import SocialChannel
from daptar.testing import DaptarTestCase
from daptar.units.models import Unit
from daptar.urls import router

# (where, keyword) → the object of the world it names. "where" is the app's URL
# namespace for pages, "api:<basename>" for the API's viewsets.
OBJECTS: dict[tuple[str, str], str] = {
    ("units", "unit_id"): "unit",
    ("directives", "directive_id"): "directive",
    ("directives", "attachment_id"): "directive_attachment",
    ("reports", "report_id"): "report",
    ("reports", "photo_id"): "photo",
    ("returns", "form_id"): "form",
    ("returns", "field_id"): "field",
    ("returns", "rule_id"): "rule",
    ("returns", "submission_id"): "submission",
    ("meetings", "series_id"): "series",
    ("meetings", "meeting_id"): "meeting",
    ("meetings", "invitation_id"): "invitation",
    ("meetings", "decision_id"): "decision",
    ("letters", "letter_id"): "letter",
    ("letters", "attachment_id"): "letter_attachment",
    ("notifications", "notification_id"): "notification",
    ("social", "channel_id"): "channel",
    ("social", "post_id"): "post",
    ("register", "unit_id"): "unit",
    ("register", "committee_id"): "committee",
    ("register", "batch_id"): "batch",
    ("register", "person_id"): "person",
    ("api:unit", "pk"): "unit",
    ("api:directive", "pk"): "directive",
    ("api:report", "pk"): "report",
    ("api:report", "photo_id"): "photo",
    ("api:return", "pk"): "form",
    ("api:return", "sid"): "submission",
    ("api:meeting", "pk"): "meeting",
    ("api:meeting-series", "pk"): "series",
    ("api:letter", "pk"): "letter",
    ("api:letter", "attachment_id"): "letter_attachment",
    ("api:person", "pk"): "person",
    ("api:social-channel", "pk"): "channel",
    ("api:social-post", "pk"): "post",
    ("api:report-posts", "report_id"): "report",
    ("api:committee", "pk"): "committee",
    ("api:unit-committee", "unit_id"): "unit",
    ("api:import", "pk"): "batch",
}
# Keywords that shape the answer and name no object, with a value that is valid: by the
# keyword alone, or by (where, keyword) for a word that may well name an object elsewhere.
NOT_OBJECTS: dict[str | tuple[str, str], Any] = {
    "width": 320,
    "fmt": "jpg",
    ("register", "name"): "expired",  # one of the register's lists
    ("register", "decision"): "approve",  # approve or reject a proposed committee
}
# Routes anyone may read, or whose secret in the address is the permission.
PUBLIC: dict[str, str] = {
    "website:report_short": "a published report is public",
    "website:report": "a published report is public",
    "website:en_report_short": "a published report is public",
    "website:en_report": "a published report is public",
    "website:district_feed": "a district's feed of published reports is public",
    "website:en_district_feed": "a district's feed of published reports is public",
    "website:photo": "renditions of published reports' photos are public",
    "website:photo_unhashed": "renditions of published reports' photos are public",
    "website:sitemap_page": "the sitemap's page number names no object",
    "meetings:feed_ics": "the unguessable token is the permission (a calendar cannot log in)",
    "sms:inbound": "a signed webhook: the signature is the permission; gateway names no object",
    "sms:report": "a signed webhook: the signature is the permission; gateway names no object",
}
METHODS = ("get", "post", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str
    where: str
    keywords: tuple[str, ...]
    api: bool

    def shape(self, keyword: str) -> str | tuple[str, str] | None:
        """The key in NOT_OBJECTS of *keyword*, when it names no object here."""
        for key in ((self.where, keyword), keyword):
            if key in NOT_OBJECTS:
                return key
        return None

    @property
    def objects(self) -> list[str]:
        """The keywords that name an object."""
        return [k for k in self.keywords if self.shape(k) is None]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item.url_patterns, inner)
        elif isinstance(item, URLPattern) and item.name:
            yield (f"{namespace}:{item.name}" if namespace else item.name), item


def _api_where(name: str) -> str:
    bare = name.removeprefix("api:")
    basenames = sorted((b for _p, _v, b in router.registry), key=len, reverse=True)
    for basename in basenames:
        if bare.startswith(f"{basename}-"):
            return f"api:{basename}"
    return "api"


def object_routes() -> list[Route]:
    """Every named route (but the admin's) whose address carries a keyword argument."""
    found: dict[str, Route] = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue
        keywords = tuple(sorted(set(pattern.pattern.regex.groupindex) - {"format"}))
        if not keywords or name in found:
            continue
        api = name.startswith("api:")
        where = _api_where(name) if api else name.split(":")[0]
        found[name] = Route(name, where, keywords, api)
    return list(found.values())


def world(owner: User, district: Unit, division: Unit, central: User) -> dict[str, int]:
    """One of everything, in *district*'s branch of the tree, through the real actions."""
    directive = directive_draft(central, unit=central.desks[0].unit, target=district)
    attachment = directive_actions.add_attachment(
        directive, SimpleUploadedFile("a.pdf", PDF), by=central
    )
    directive_actions.issue(directive, by=central)
    report = report_draft(owner, unit=district, photos=(jpeg(),))
    form, _period = published_form(
        central, target=division, target_levels=("district",), title=f"Form {district.code}"
    )
    letter = write(owner, central.desks[0].unit, attachments=[SimpleUploadedFile("b.pdf", PDF)])
    series = meeting_actions.create_series(host_unit=district, by=owner, title="Series")
    held = meeting(owner, host=district, rule=districts_of(district), send=True, series=series)
    decision = Decision.objects.create(meeting=held, position=1, title="Decided", created_by=owner)
    # A channel that waits for its office's review, and a published report held for it.
    channel = social_actions.save_channel(
        SocialChannel(
            unit=district,
            kind=SocialChannel.Kind.TELEGRAM,
            name=f"Channel of {district.name_en}",
            target=f"@daptar_{district.code.lower()}",
            needs_review=True,
        ),
        by=owner,
    )
    shown = report_actions.submit(report_draft(owner, unit=district, title="Shown"), by=owner)
    shown = report_actions.publish(report_actions.approve(shown, by=central), by=central)
    person = people_actions.register_person(
        unit=district, name_bn="সদস্য", name_en="A member", by=owner
    )
    committee = register_actions.propose_committee(
        district,
        kind=Committee.Kind.FULL,
        formed_on=timezone.localdate(),
        seats=[(Post.objects.get(slug="president"), person)],
        by=owner,
    )
    batch = register_actions.create_import(
        district,
        filename="members.csv",
        content="নাম,মোবাইল নম্বর\nআব্দুল করিম,01711223344\n".encode(),
        by=owner,
    )
    notify_units(
        [district.pk],
        Message(kind="matrix", text_bn="বার্তা", text_en="A notice"),
        key=f"matrix:{district.pk}",
        email=False,
    )
    return {
        "unit": district.pk,
        "directive": directive.pk,
        "directive_attachment": attachment.pk,
        "report": report.pk,
        "photo": report.photos.get().pk,
        "form": form.pk,
        "field": form.fields.first().pk,  # type: ignore[union-attr]
        "rule": form.rules.first().pk,  # type: ignore[union-attr]
        "submission": Submission.objects.get(period__form=form, unit=district).pk,
        "series": series.pk,
        "meeting": held.pk,
        "invitation": Invitation.objects.filter(meeting=held).first().pk,  # type: ignore[union-attr]
        "decision": decision.pk,
        "letter": letter.pk,
        "letter_attachment": letter.attachments.get().pk,
        "notification": Notification.objects.get(unit=district, kind="matrix").pk,
        "channel": channel.pk,
        "post": channel.posts.get(report=shown).pk,
        "person": person.pk,
        "committee": committee.pk,
        "batch": batch.pk,
    }


@IN_MEMORY_STORAGE
class ScopeMatrixTests(DaptarTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        dhaka = world(cls.dhaka, cls.dhaka_district, cls.dhaka_division, cls.central)
        sylhet = world(cls.sylhet, cls.sylhet_district, cls.sylhet_division, cls.central)
        # Each login against the world of a branch it has no part in.
        cls.matrix = [(cls.sylhet, dhaka), (cls.jalalabad, dhaka), (cls.dhaka, sylhet)]

    def test_every_object_route_is_in_the_matrix(self) -> None:
        unmapped = [
            f"{route.name} ({keyword})"
            for route in object_routes()
            if route.name not in PUBLIC
            for keyword in route.objects
            if (route.where, keyword) not in OBJECTS
        ]
        self.assertEqual(unmapped, [], "routes the scope matrix does not cover: map them")

    def test_the_matrix_maps_no_route_that_is_gone(self) -> None:
        used = {(r.where, k) for r in object_routes() for k in r.keywords}
        self.assertEqual(sorted(set(OBJECTS) - used), [])
        names = {r.name for r in object_routes()}
        self.assertEqual(sorted(set(PUBLIC) - names), [])
        scoped = {key for key in NOT_OBJECTS if isinstance(key, tuple)}
        self.assertEqual(sorted(scoped - used), [])

    def test_an_object_outside_the_logins_subtree_answers_404(self) -> None:
        routes = [r for r in object_routes() if r.name not in PUBLIC and r.objects]
        self.assertGreater(len(routes), 100)
        for user, objects in self.matrix:
            for route in routes:
                kwargs = {
                    k: objects[OBJECTS[route.where, k]] if shape is None else NOT_OBJECTS[shape]
                    for k in route.keywords
                    for shape in [route.shape(k)]
                }
                path = reverse(route.name, kwargs=kwargs)
                with self.subTest(user=user.username, route=route.name):
                    self.assertEqual(self.answers(user, route, path), {404})

    def answers(self, user: User, route: Route, path: str) -> set[int]:
        """The statuses of GET, POST, PATCH and DELETE; 405 (a method the route does not
        take) is folded away when another method answered 404."""
        if route.api:
            client: Any = APIClient()
            token = issue_token(user, by=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        else:
            client = self.client
            client.force_login(user)
        codes = {getattr(client, method)(path).status_code for method in METHODS}
        return codes - {405} if 404 in codes else codes
