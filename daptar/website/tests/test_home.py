import re

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from daptar.lib.calendars import three_calendar_line
from daptar.lib.numerals import to_ascii_digits
from daptar.people import actions as people_actions
from daptar.testing import DaptarTestCase
from daptar.units import actions as unit_actions

HOME = reverse("website:home")
PHONE = re.compile(r"(?:\+?88)?01[3-9]\d{2}[\s-]?\d{6}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class HomeTests(DaptarTestCase):
    def test_anyone_can_open_it(self) -> None:
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, settings.ORGANISATION_NAME)

    def test_it_is_bengali_by_default(self) -> None:
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="bn">')
        self.assertContains(response, "<li>সিলেট</li>")

    def test_the_header_shows_today_in_three_calendars(self) -> None:
        response = self.client.get(HOME)
        line = three_calendar_line(timezone.localdate(), "bn")
        self.assertContains(response, f'<p class="today" data-testid="today">{line}</p>')
        for era in ("খ্রিস্টাব্দ", "বঙ্গাব্দ", "হিজরি"):
            self.assertIn(era, line)

    def test_it_lists_the_open_divisions(self) -> None:
        unit_actions.close_unit(self.dhaka_division, on=timezone.localdate(), by=self.operator)
        response = self.client.get(HOME)
        self.assertEqual(list(response.context["divisions"]), [self.sylhet_division])

    def test_no_phone_number_or_email_of_an_office_bearer_reaches_it(self) -> None:
        for user in (self.central, self.president, self.sylhet, self.jalalabad, self.dhaka):
            people_actions.update_person(
                user.person,
                email=f"{user.username}@example.org",
                phone="01819-123456",
                by=self.operator,
            )
        for headers in ({}, {"accept-language": "en"}):
            with self.subTest(headers=headers):
                html = to_ascii_digits(self.client.get(HOME, headers=headers).content.decode())
                self.assertIsNone(PHONE.search(html), PHONE.search(html))
                self.assertIsNone(EMAIL.search(html), EMAIL.search(html))
                self.assertNotIn("+880", html)
                self.assertNotIn("tel:", html)
                self.assertNotIn("mailto:", html)

    def test_it_only_answers_get(self) -> None:
        self.assertEqual(self.client.post(HOME).status_code, 405)


class SecurityHeaderTests(DaptarTestCase):
    def test_the_csp_header_carries_a_nonce_and_every_script_uses_it(self) -> None:
        response = self.client.get(HOME)
        policy = response["Content-Security-Policy"]
        match = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
        self.assertIsNotNone(match, policy)
        nonce = match.group(1)  # type: ignore[union-attr]
        self.assertIn("object-src 'none'", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        self.assertTrue(any("htmx" in tag for tag in scripts), scripts)
        for tag in scripts:
            self.assertIn(f'nonce="{nonce}"', tag)

    def test_each_response_gets_a_fresh_nonce(self) -> None:
        first = self.client.get(HOME)["Content-Security-Policy"]
        second = self.client.get(HOME)["Content-Security-Policy"]
        self.assertNotEqual(first, second)


class LanguageTests(DaptarTestCase):
    def test_switching_to_english_renders_english(self) -> None:
        response = self.client.post(reverse("set_language"), {"language": "en", "next": HOME})
        self.assertRedirects(response, HOME)
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, settings.ORGANISATION_NAME_EN)
        self.assertContains(response, three_calendar_line(timezone.localdate(), "en"))
        self.assertContains(response, "<li>Sylhet</li>")
        self.assertNotContains(response, "<li>সিলেট</li>")
        self.assertContains(response, '<button name="language" value="bn" lang="bn">')

    def test_switching_back_renders_bengali(self) -> None:
        self.client.post(reverse("set_language"), {"language": "en", "next": HOME})
        self.client.post(reverse("set_language"), {"language": "bn", "next": HOME})
        response = self.client.get(HOME)
        self.assertContains(response, '<html lang="bn">')
        self.assertContains(response, settings.ORGANISATION_NAME)


class RobotsTests(DaptarTestCase):
    def test_it_keeps_crawlers_out_of_the_office_api_and_admin(self) -> None:
        response = self.client.get(reverse("website:robots"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain")
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "User-agent: *")
        for path in ("/api/", "/office/", "/admin/"):
            self.assertIn(f"Disallow: {path}", lines)
