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
HOME_EN = reverse("website:en_home")
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
        self.assertContains(response, ">সিলেট</a></li>")

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
        for url in (HOME, HOME_EN):
            with self.subTest(url=url):
                html = to_ascii_digits(self.client.get(url).content.decode())
                self.assertIsNone(PHONE.search(html), PHONE.search(html))
                self.assertIsNone(EMAIL.search(html), EMAIL.search(html))
                self.assertNotIn("+880", html)
                self.assertNotIn("tel:", html)
                self.assertNotIn("mailto:", html)

    def test_it_only_answers_get(self) -> None:
        self.assertEqual(self.client.post(HOME).status_code, 405)

    def test_it_links_to_the_office_login(self) -> None:
        self.assertContains(self.client.get(HOME), f'href="{reverse("accounts:login")}"')


class SecurityHeaderTests(DaptarTestCase):
    def test_the_public_pages_run_no_script_so_a_cached_copy_holds_no_nonce(self) -> None:
        response = self.client.get(HOME)
        policy = response["Content-Security-Policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertNotIn("nonce-", policy)
        self.assertIn("object-src 'none'", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertEqual(re.findall(r"<script\b", response.content.decode()), [])

    def test_it_sets_no_cookie_and_does_not_vary_by_cookie(self) -> None:
        response = self.client.get(HOME)
        self.assertEqual(response.cookies, {})
        self.assertNotIn("Cookie", response.get("Vary", ""))


class LanguageTests(DaptarTestCase):
    def test_english_lives_under_en(self) -> None:
        response = self.client.get(HOME_EN)
        self.assertContains(response, '<html lang="en">')
        self.assertEqual(response["Content-Language"], "en")
        self.assertContains(response, settings.ORGANISATION_NAME_EN)
        self.assertContains(response, three_calendar_line(timezone.localdate(), "en"))
        self.assertContains(response, ">Sylhet</a></li>")
        self.assertNotContains(response, ">সিলেট</a></li>")
        self.assertContains(response, f'href="{HOME}" lang="bn" hreflang="bn"')

    def test_the_bengali_page_links_to_the_english_one(self) -> None:
        response = self.client.get(HOME)
        self.assertContains(response, f'href="{HOME_EN}" lang="en" hreflang="en"')

    def test_a_language_cookie_does_not_change_the_address_s_language(self) -> None:
        # One URL is one page for every reader, so a cache can serve it to all.
        self.client.post(reverse("set_language"), {"language": "en", "next": HOME})
        self.assertContains(self.client.get(HOME), '<html lang="bn">')
        self.assertContains(self.client.get(HOME_EN), '<html lang="en">')


class RobotsTests(DaptarTestCase):
    def test_it_keeps_crawlers_out_of_the_office_api_and_admin(self) -> None:
        response = self.client.get(reverse("website:robots"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain")
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "User-agent: *")
        for path in ("/api/", "/office/", "/admin/", "/accounts/"):
            self.assertIn(f"Disallow: {path}", lines)
        self.assertIn("Allow: /accounts/login/", lines)

    def test_it_names_the_sitemap_at_the_site_address(self) -> None:
        with self.settings(DAPTAR_SITE_URL="https://daptar.example.org/"):
            lines = self.client.get(reverse("website:robots")).content.decode().splitlines()
        self.assertIn("Sitemap: https://daptar.example.org/sitemap.xml", lines)
