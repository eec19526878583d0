from django.urls import reverse
from rest_framework.test import APIClient

from daptar.accounts import actions
from daptar.accounts.models import ApiToken, User
from daptar.audit.models import AuditEvent
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.testing import PASSWORD, DaptarTestCase

TOKEN = reverse("api:token")
ME = reverse("api:me")


class ApiTestCase(DaptarTestCase):
    client: APIClient
    client_class = APIClient

    def setUp(self) -> None:
        self.client.credentials(HTTP_ACCEPT_LANGUAGE="en")

    def authorise(self, user: User) -> str:
        key = actions.issue_token(user, by=user).key
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
        return key


class ObtainTokenTests(ApiTestCase):
    def test_it_exchanges_credentials_for_the_users_token(self) -> None:
        response = self.client.post(TOKEN, {"username": "sylhet", "password": PASSWORD})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"token": ApiToken.objects.get(user=self.sylhet).key})

    def test_it_hands_out_the_same_token_twice(self) -> None:
        first = self.client.post(TOKEN, {"username": "sylhet", "password": PASSWORD}).json()
        second = self.client.post(TOKEN, {"username": "sylhet", "password": PASSWORD}).json()
        self.assertEqual(first, second)
        self.assertEqual(AuditEvent.objects.filter(verb="auth.token_issued").count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="auth.login").count(), 2)

    def test_a_wrong_password_gets_401_with_a_detail(self) -> None:
        response = self.client.post(TOKEN, {"username": "sylhet", "password": "wrong"})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"detail": "Wrong username or password."})
        self.assertFalse(ApiToken.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(verb="auth.login_failed").exists())

    def test_an_unknown_user_gets_the_same_401(self) -> None:
        response = self.client.post(TOKEN, {"username": "ghost", "password": PASSWORD})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"detail": "Wrong username or password."})

    def test_a_missing_field_gets_400_naming_the_field(self) -> None:
        response = self.client.post(TOKEN, {"username": "sylhet"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"password": ["This field is required."]})

    def test_a_locked_account_gets_429_with_the_minutes(self) -> None:
        with self.settings(LOGIN_FAILURES_PER_ACCOUNT=2, LOGIN_LOCKOUT_MINUTES=7):
            for _ in range(2):
                self.client.post(TOKEN, {"username": "sylhet", "password": "wrong"})
            response = self.client.post(TOKEN, {"username": "sylhet", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(set(response.json()), {"detail"})
        self.assertTrue(
            response.json()["detail"].startswith(
                "Too many failed attempts. Try again in 7 minutes."
            )
        )
        self.assertEqual(response["Retry-After"], str(7 * 60))
        self.assertFalse(ApiToken.objects.exists())

    def test_too_many_requests_from_one_address_get_429(self) -> None:
        # The login rate is 10 a minute per address, whatever the usernames.
        for n in range(10):
            response = self.client.post(TOKEN, {"username": f"u{n}", "password": "wrong"})
            self.assertEqual(response.status_code, 401)
        response = self.client.post(TOKEN, {"username": "sylhet", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertIn("detail", response.json())


class RevokeTokenTests(ApiTestCase):
    def test_it_revokes_the_callers_token(self) -> None:
        self.authorise(self.sylhet)
        self.assertEqual(self.client.get(ME).status_code, 200)
        response = self.client.delete(TOKEN)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(ApiToken.objects.filter(user=self.sylhet).exists())
        self.assertEqual(self.client.get(ME).status_code, 401)
        event = AuditEvent.objects.get(verb="auth.token_revoked")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_district))

    def test_without_a_token_it_gets_401(self) -> None:
        response = self.client.delete(TOKEN)
        self.assertEqual(response.status_code, 401)
        self.assertIn("detail", response.json())


class MeTests(ApiTestCase):
    def test_without_a_token_it_gets_401(self) -> None:
        response = self.client.get(ME)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(set(response.json()), {"detail"})

    def test_an_unknown_token_gets_401(self) -> None:
        self.client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
        self.assertEqual(self.client.get(ME).status_code, 401)

    def test_it_describes_the_caller_and_their_desks(self) -> None:
        self.authorise(self.president)
        response = self.client.get(ME)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(set(body), {"username", "name_bn", "name_en", "units", "acting_unit"})
        self.assertEqual(
            (body["username"], body["name_bn"], body["name_en"]),
            ("president", "রহিম খান", "Rahim Khan"),
        )
        central = {
            "id": self.root.pk,
            "name_bn": "কেন্দ্র",
            "name_en": "Central",
            "level": "central",
            "role": "view",
        }
        self.assertEqual(body["units"], [central])
        self.assertEqual(body["acting_unit"], central)

    def test_a_login_without_a_post_has_no_units(self) -> None:
        self.authorise(self.nobody)
        body = self.client.get(ME).json()
        self.assertEqual(
            (body["username"], body["units"], body["acting_unit"]), ("nobody", [], None)
        )

    def test_the_unit_header_selects_the_acting_unit(self) -> None:
        people_actions.appoint(
            self.sylhet.person,
            unit=self.sylhet_metro,
            post=Post.objects.get(slug="office_secretary"),
            by=self.central,
        )
        self.authorise(self.sylhet)
        body = self.client.get(ME).json()
        self.assertEqual(
            [u["id"] for u in body["units"]], [self.sylhet_district.pk, self.sylhet_metro.pk]
        )
        self.assertEqual(body["acting_unit"]["id"], self.sylhet_district.pk)
        body = self.client.get(ME, headers={"x-daptar-unit": str(self.sylhet_metro.pk)}).json()
        self.assertEqual(body["acting_unit"]["id"], self.sylhet_metro.pk)

    def test_a_unit_header_without_a_desk_there_gets_404(self) -> None:
        self.authorise(self.sylhet)
        for unit_id in (self.dhaka_district.pk, self.jalalabad_union.pk, 999999, "x"):
            with self.subTest(unit=unit_id):
                response = self.client.get(ME, headers={"x-daptar-unit": str(unit_id)})
                self.assertEqual(response.status_code, 404)
                self.assertEqual(set(response.json()), {"detail"})

    def test_the_unit_header_names_the_acting_unit_in_the_audit(self) -> None:
        people_actions.appoint(
            self.sylhet.person,
            unit=self.sylhet_metro,
            post=Post.objects.get(slug="office_secretary"),
            by=self.central,
        )
        self.authorise(self.sylhet)
        response = self.client.delete(TOKEN, headers={"x-daptar-unit": str(self.sylhet_metro.pk)})
        self.assertEqual(response.status_code, 204)
        event = AuditEvent.objects.get(verb="auth.token_revoked")
        self.assertEqual(event.unit, self.sylhet_metro)
