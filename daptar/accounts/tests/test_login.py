import time
import types
from unittest import mock

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import override_settings
from django.urls import reverse

from daptar.accounts import limits
from daptar.accounts.models import ApiToken
from daptar.accounts.queries import SESSION_KEY
from daptar.audit.models import AuditEvent
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.testing import PASSWORD, DaptarTestCase

LOGIN = reverse("accounts:login")
ENGLISH = {"accept-language": "en"}


class LoginTests(DaptarTestCase):
    def log_in(self, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self.client.post(
            LOGIN, {"username": username, "password": password}, headers=ENGLISH
        )

    def test_it_logs_in_and_records_it(self) -> None:
        response = self.log_in("sylhet")
        self.assertRedirects(response, reverse("units:home"), fetch_redirect_response=False)
        self.assertEqual(self.client.session[AUTH_SESSION_KEY], str(self.sylhet.pk))
        event = AuditEvent.objects.get(verb="auth.login")
        self.assertEqual((event.actor, event.ip), (self.sylhet, "127.0.0.1"))
        self.assertEqual(event.unit, self.sylhet_district)

    def test_it_follows_a_safe_next_and_ignores_another_host(self) -> None:
        url = reverse("units:detail", args=[self.ward1.pk])
        response = self.client.post(
            LOGIN, {"username": "jalalabad", "password": PASSWORD, "next": url}
        )
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.client.logout()
        response = self.client.post(
            LOGIN,
            {"username": "jalalabad", "password": PASSWORD, "next": "https://evil.example/"},
        )
        self.assertRedirects(response, reverse("units:home"), fetch_redirect_response=False)

    def test_a_wrong_password_shows_a_clear_message(self) -> None:
        response = self.log_in("sylhet", "wrong")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Wrong username or password. Both are case-sensitive.")
        self.assertNotIn(AUTH_SESSION_KEY, self.client.session)

    def test_a_failure_is_recorded_with_the_username_tried(self) -> None:
        self.log_in("sylhet", "wrong")
        event = AuditEvent.objects.get(verb="auth.login_failed")
        self.assertEqual((event.actor, event.detail), (None, {"username": "sylhet"}))
        self.assertFalse(AuditEvent.objects.filter(verb="auth.login").exists())

    @override_settings(
        LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=50, LOGIN_LOCKOUT_MINUTES=7
    )
    def test_an_account_is_locked_after_its_failures_even_for_the_right_password(self) -> None:
        for _ in range(3):
            self.log_in("sylhet", "wrong")
        response = self.log_in("sylhet")
        self.assertContains(response, "Too many failed attempts. Try again in 7 minutes.")
        self.assertNotIn(AUTH_SESSION_KEY, self.client.session)
        self.assertFalse(AuditEvent.objects.filter(verb="auth.login").exists())

    @override_settings(
        LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=50, LOGIN_LOCKOUT_MINUTES=7
    )
    def test_the_account_lock_leaves_other_accounts_alone(self) -> None:
        for _ in range(3):
            self.log_in("sylhet", "wrong")
        self.assertEqual(self.log_in("jalalabad").status_code, 302)

    @override_settings(
        LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=50, LOGIN_LOCKOUT_MINUTES=7
    )
    def test_the_minutes_count_down_and_the_lock_lifts(self) -> None:
        for _ in range(3):
            self.log_in("sylhet", "wrong")
        start = time.time()
        later = types.SimpleNamespace(time=lambda: start + 5 * 60 + 1)
        with mock.patch.object(limits, "time", later):
            response = self.log_in("sylhet")
        self.assertContains(response, "Try again in 2 minutes.")
        much_later = types.SimpleNamespace(time=lambda: start + 7 * 60 + 1)
        with mock.patch.object(limits, "time", much_later):
            response = self.log_in("sylhet")
        self.assertEqual(response.status_code, 302)

    @override_settings(
        LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=50, LOGIN_LOCKOUT_MINUTES=1
    )
    def test_one_minute_is_singular(self) -> None:
        for _ in range(3):
            self.log_in("sylhet", "wrong")
        self.assertContains(self.log_in("sylhet"), "Try again in 1 minute.")

    @override_settings(
        LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=4, LOGIN_LOCKOUT_MINUTES=7
    )
    def test_an_address_is_locked_after_its_failures_across_accounts(self) -> None:
        for username in ("a", "b", "c", "d"):
            self.log_in(username, "wrong")
        response = self.log_in("jalalabad")
        self.assertContains(response, "Try again in 7 minutes.")
        self.assertNotIn(AUTH_SESSION_KEY, self.client.session)

    @override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_FAILURES_PER_ADDRESS=50)
    def test_a_success_clears_the_accounts_failures(self) -> None:
        for _ in range(2):
            self.log_in("sylhet", "wrong")
        self.assertEqual(self.log_in("sylhet").status_code, 302)
        self.client.logout()
        for _ in range(2):
            self.log_in("sylhet", "wrong")
        self.assertEqual(self.log_in("sylhet").status_code, 302)

    def test_a_logged_in_user_is_sent_on_from_the_login_page(self) -> None:
        self.client.force_login(self.sylhet)
        self.assertRedirects(
            self.client.get(LOGIN), reverse("units:home"), fetch_redirect_response=False
        )


class LogoutTests(DaptarTestCase):
    def test_it_ends_the_session_and_goes_to_the_public_home(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(reverse("accounts:logout"))
        self.assertRedirects(response, reverse("website:home"))
        self.assertNotIn(AUTH_SESSION_KEY, self.client.session)
        self.assertEqual(self.client.get(reverse("units:home")).status_code, 302)

    def test_a_get_does_not_log_out(self) -> None:
        self.client.force_login(self.sylhet)
        self.assertEqual(self.client.get(reverse("accounts:logout")).status_code, 405)
        self.assertIn(AUTH_SESSION_KEY, self.client.session)


class SwitchUnitTests(DaptarTestCase):
    url = reverse("accounts:switch_unit")

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        people_actions.appoint(
            cls.sylhet.person,
            unit=cls.sylhet_metro,
            post=Post.objects.get(slug="office_secretary"),
            by=cls.central,
        )

    def setUp(self) -> None:
        self.client.force_login(self.sylhet)

    def test_a_user_with_two_desks_acts_for_the_highest_first(self) -> None:
        self.assertEqual(
            [d.unit for d in self.fresh(self.sylhet).desks],
            [self.sylhet_district, self.sylhet_metro],
        )
        self.assertRedirects(
            self.client.get(reverse("units:home")),
            reverse("units:detail", args=[self.sylhet_district.pk]),
        )

    def test_switching_changes_the_acting_unit_of_the_session(self) -> None:
        response = self.client.post(self.url, {"unit": self.sylhet_metro.pk})
        self.assertRedirects(response, reverse("units:home"), fetch_redirect_response=False)
        self.assertEqual(self.client.session[SESSION_KEY], self.sylhet_metro.pk)
        self.assertRedirects(
            self.client.get(reverse("units:home")),
            reverse("units:detail", args=[self.sylhet_metro.pk]),
        )

    def test_switching_is_recorded_for_the_new_unit(self) -> None:
        self.client.post(self.url, {"unit": self.sylhet_metro.pk})
        event = AuditEvent.objects.get(verb="auth.switch_unit")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_metro))

    def test_the_header_offers_both_desks_and_marks_the_acting_one(self) -> None:
        self.client.post(self.url, {"unit": self.sylhet_metro.pk})
        response = self.client.get(reverse("units:detail", args=[self.ward1.pk]))
        self.assertContains(response, f'<option value="{self.sylhet_district.pk}">')
        self.assertContains(response, f'<option value="{self.sylhet_metro.pk}" selected>')

    def test_it_returns_to_a_safe_next_page_only(self) -> None:
        page = reverse("units:detail", args=[self.ward1.pk])
        response = self.client.post(self.url, {"unit": self.sylhet_metro.pk, "next": page})
        self.assertRedirects(response, page, fetch_redirect_response=False)
        response = self.client.post(
            self.url, {"unit": self.sylhet_metro.pk, "next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("units:home"), fetch_redirect_response=False)

    def test_a_unit_without_a_desk_gets_404(self) -> None:
        for unit_id in (self.dhaka_district.pk, self.ward1.pk, 999999, "x", ""):
            with self.subTest(unit=unit_id):
                response = self.client.post(self.url, {"unit": unit_id})
                self.assertEqual(response.status_code, 404)
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertFalse(AuditEvent.objects.filter(verb="auth.switch_unit").exists())

    def test_a_get_is_refused(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.client.logout()
        response = self.client.post(self.url, {"unit": self.sylhet_metro.pk})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))


class PasswordTests(DaptarTestCase):
    url = reverse("accounts:password")
    NEW = "a-much-longer-pass-phrase-42"

    def test_it_changes_the_password_and_keeps_the_session(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(
            self.url,
            {
                "old_password": PASSWORD,
                "new_password1": self.NEW,
                "new_password2": self.NEW,
            },
        )
        self.assertRedirects(response, self.url)
        user = self.fresh(self.sylhet)
        self.assertTrue(user.check_password(self.NEW))
        self.assertEqual(self.client.get(reverse("units:home")).status_code, 302)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        event = AuditEvent.objects.get(verb="auth.password_changed")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_district))

    def test_a_wrong_old_password_changes_nothing(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(
            self.url,
            {
                "old_password": "wrong",
                "new_password1": self.NEW,
                "new_password2": self.NEW,
            },
            headers=ENGLISH,
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your old password was entered incorrectly.")
        self.assertTrue(self.fresh(self.sylhet).check_password(PASSWORD))
        self.assertFalse(AuditEvent.objects.filter(verb="auth.password_changed").exists())

    def test_a_weak_new_password_is_refused(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(
            self.url,
            {
                "old_password": PASSWORD,
                "new_password1": "12345678",
                "new_password2": "12345678",
            },
            headers=ENGLISH,
        )
        self.assertContains(response, "This password is entirely numeric.")
        self.assertTrue(self.fresh(self.sylhet).check_password(PASSWORD))

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{LOGIN}?next={self.url}")


class TokenPageTests(DaptarTestCase):
    url = reverse("accounts:token")

    def setUp(self) -> None:
        self.client.force_login(self.sylhet)

    def test_it_says_there_is_no_token_yet(self) -> None:
        response = self.client.get(self.url)
        self.assertIsNone(response.context["token"])
        self.assertNotContains(response, 'data-testid="token"')

    def test_issuing_creates_one_token_and_records_it(self) -> None:
        self.assertRedirects(self.client.post(self.url, {"action": "issue"}), self.url)
        self.client.post(self.url, {"action": "issue"})
        token = ApiToken.objects.get(user=self.sylhet)
        self.assertContains(self.client.get(self.url), token.key)
        event = AuditEvent.objects.get(verb="auth.token_issued")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_district))

    def test_revoking_deletes_the_token_and_records_it(self) -> None:
        self.client.post(self.url, {"action": "issue"})
        key = ApiToken.objects.get(user=self.sylhet).key
        self.assertRedirects(self.client.post(self.url, {"action": "revoke"}), self.url)
        self.assertFalse(ApiToken.objects.filter(user=self.sylhet).exists())
        self.assertNotContains(self.client.get(self.url), key)
        self.assertEqual(AuditEvent.objects.filter(verb="auth.token_revoked").count(), 1)

    def test_revoking_without_a_token_records_nothing(self) -> None:
        self.client.post(self.url, {"action": "revoke"})
        self.assertFalse(AuditEvent.objects.filter(verb="auth.token_revoked").exists())

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.client.logout()
        self.assertRedirects(self.client.get(self.url), f"{LOGIN}?next={self.url}")
        self.client.post(self.url, {"action": "issue"})
        self.assertFalse(ApiToken.objects.exists())


class AdminSurfaceTests(DaptarTestCase):
    def test_api_keys_and_groups_are_not_in_the_admin(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.models import Group
        from django.urls import reverse
        from rest_framework.authtoken.models import TokenProxy

        self.assertFalse(admin.site.is_registered(TokenProxy))
        self.assertFalse(admin.site.is_registered(Group))
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get("/admin/authtoken/tokenproxy/").status_code, 404)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
