"""Every page an office secretary uses costs a fixed number of queries (bench/pages.py
times the same pages at full scale): pinned here on the small demo country with its
activity, so a page that starts querying per row fails here first."""

from __future__ import annotations

from django.test import TestCase, override_settings

from daptar.accounts.models import User
from daptar.directives.models import Directive
from daptar.meetings.models import Meeting, MeetingSeries
from daptar.returns.models import ReturnForm
from daptar.units import demo
from daptar.units.demo_activity import seed_activity
from daptar.units.models import Unit

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# (login, page, queries): the count includes the session, the user and the desk.
PAGES = [
    ("central", "unit:central", 15),
    ("jalalabad", "unit:jalalabad", 15),
    ("jalalabad", "/office/directives/", 11),
    ("central", "/office/directives/sent/", 11),
    ("central", "directive:tracking", 15),
    ("central", "directive:detail", 14),
    ("jalalabad", "/office/returns/", 10),
    ("central", "/office/returns/issued/", 12),
    ("central", "return:rates", 20),
    ("jalalabad", "return:fill", 14),
    ("jalalabad", "/office/reports/new/", 11),
    ("jalalabad", "/office/reports/", 12),
    ("central", "/office/reports/review/", 10),
    ("jalalabad", "/office/letters/", 11),
    ("central", "/office/letters/inward/", 11),
    ("central", "/office/letters/outward/", 11),
    ("central", "/office/dashboard/?window=30", 22),
    ("central", "/office/dashboard/?window=365", 22),
    ("central", "/office/people/", 12),  # the register: may this login see phones?
    ("central", "/office/people/?q=Rahman", 12),
    ("jalalabad", "/office/meetings/", 10),
    ("central", "/office/meetings/hosted/", 11),
    ("central", "meeting:detail", 15),
    ("central", "meeting:series", 12),
    ("jalalabad", "/office/notifications/", 11),
]


@override_settings(STORAGES=STORAGES, PASSWORD_HASHERS=FAST_HASHER, DAPTAR_DYNAMISM_CACHE_SECONDS=0)
class OfficePageQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed("small", password="demo-test-password")
        seed_activity()

    def url(self, page: str) -> str:
        if page.startswith("/"):
            return page
        central = Unit.objects.get(code=demo.LOGINS["central"][0])
        directive = Directive.objects.filter(
            issuing_unit=central, issued_at__isnull=False
        ).order_by("-issued_at")[0]
        form = ReturnForm.objects.filter(issuing_unit=central).order_by("-pk")[0]
        urls = {
            "unit:central": f"/office/units/{central.pk}/",
            "unit:jalalabad": (
                f"/office/units/{Unit.objects.get(code=demo.LOGINS['jalalabad'][0]).pk}/"
            ),
            "directive:tracking": f"/office/directives/{directive.pk}/tracking/",
            "directive:detail": f"/office/directives/{directive.pk}/",
            "return:rates": f"/office/returns/{form.pk}/rates/",
            "return:fill": f"/office/returns/{form.pk}/fill/",
            "meeting:detail": f"/office/meetings/{Meeting.objects.order_by('-pk')[0].pk}/",
            "meeting:series": (
                f"/office/meetings/series/{MeetingSeries.objects.order_by('-pk')[0].pk}/"
            ),
        }
        return urls[page]

    def test_each_page_costs_its_pinned_number_of_queries(self) -> None:
        for login, page, expected in PAGES:
            self.client.force_login(User.objects.get(username=login))
            url = self.url(page)
            self.client.get(url)  # first visits fill per-process caches (levels, posts)
            with self.subTest(page=page, login=login), self.assertNumQueries(expected):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
