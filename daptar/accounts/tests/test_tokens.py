import datetime

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from daptar.accounts import actions
from daptar.accounts.models import ApiToken, SMSDevice
from daptar.accounts.tests.support import add_totp, sms_gateway, totp_code, verify_phone
from daptar.audit.models import AuditEvent
from daptar.testing import PASSWORD, DaptarTestCase

TOKEN = reverse("api:token")
ME = reverse("api:me")


class TokenNeedsSecondFactorTests(DaptarTestCase):
    client: APIClient
    client_class = APIClient

    def setUp(self) -> None:
        self.client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        self.device = add_totp(self.sylhet)

    def ask(self, **extra: object):  # type: ignore[no-untyped-def]
        return self.client.post(
            TOKEN, {"username": "sylhet", "password": PASSWORD, **extra}, format="json"
        )

    def test_without_the_code_there_is_no_token(self) -> None:
        response = self.ask()
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "otp_required")
        self.assertFalse(ApiToken.objects.exists())

    def test_a_wrong_code_gets_no_token_and_is_recorded(self) -> None:
        wrong = f"{(int(totp_code(self.device)) + 1) % 10**6:06d}"
        response = self.ask(otp=wrong)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "otp_invalid")
        self.assertFalse(ApiToken.objects.exists())
        event = AuditEvent.objects.get(verb="auth.2fa_failed")
        self.assertEqual(event.detail["step"], "api-token")

    def test_the_right_code_gets_the_token(self) -> None:
        response = self.ask(otp=totp_code(self.device))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"token": ApiToken.objects.get(user=self.sylhet).key})

    def test_a_code_by_sms_can_be_asked_for_then_used(self) -> None:
        verify_phone(self.sylhet, "+8801711000001")
        SMSDevice.objects.create(user=self.sylhet, name="SMS", confirmed=True)
        with sms_gateway() as sms:
            response = self.ask(send_sms=True)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(len(sms.sent), 1)
        self.assertEqual(self.ask(otp=sms.last_code()).status_code, 200)

    def test_a_wrong_password_never_reaches_the_second_factor(self) -> None:
        response = self.client.post(TOKEN, {"username": "sylhet", "password": "x"})
        self.assertEqual(response.json(), {"detail": "Wrong username or password."})


class TokenLifeTests(DaptarTestCase):
    client: APIClient
    client_class = APIClient

    def setUp(self) -> None:
        self.client.credentials(HTTP_ACCEPT_LANGUAGE="en")

    def use(self, key: str):  # type: ignore[no-untyped-def]
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
        return self.client.get(ME)

    @override_settings(DAPTAR_API_TOKEN_DAYS=30)
    def test_a_token_expires_and_a_new_one_replaces_it(self) -> None:
        token = actions.issue_token(self.sylhet, by=self.sylhet)
        lifetime = token.expires_at - token.created_at
        self.assertLess(abs(lifetime - datetime.timedelta(days=30)), datetime.timedelta(seconds=5))
        self.assertEqual(self.use(token.key).status_code, 200)
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
        response = self.use(token.key)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"detail": "This token has expired; sign in again."})
        self.client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        fresh = self.client.post(TOKEN, {"username": "sylhet", "password": PASSWORD}).json()
        self.assertNotEqual(fresh["token"], token.key)

    def test_the_last_use_is_noted_at_most_once_a_minute(self) -> None:
        token = actions.issue_token(self.sylhet, by=self.sylhet)
        long_ago = timezone.now() - datetime.timedelta(minutes=5)
        ApiToken.objects.filter(pk=token.pk).update(created_at=long_ago, last_used_at=long_ago)
        self.use(token.key)
        token.refresh_from_db()
        self.assertTrue(token.used)
        first = token.last_used_at
        self.assertGreater(first, long_ago)
        self.use(token.key)
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, first)

    def test_a_token_is_revoked_from_the_profile_page(self) -> None:
        token = actions.issue_token(self.sylhet, by=self.sylhet)
        self.client.force_login(self.sylhet)
        page = self.client.get(reverse("accounts:profile"), headers={"accept-language": "en"})
        self.assertContains(page, str(token))
        self.assertContains(page, "never")
        self.client.post(reverse("accounts:token"), {"action": "revoke", "token": token.pk})
        self.client.logout()
        self.assertEqual(self.use(token.key).status_code, 401)
        event = AuditEvent.objects.get(verb="auth.token_revoked")
        self.assertEqual(event.detail, {"tokens": [token.pk]})

    def test_revoking_one_leaves_another_users_token(self) -> None:
        mine = actions.issue_token(self.sylhet, by=self.sylhet)
        theirs = actions.issue_token(self.dhaka, by=self.dhaka)
        self.client.force_login(self.sylhet)
        self.client.post(reverse("accounts:token"), {"action": "revoke", "token": theirs.pk})
        self.assertTrue(ApiToken.objects.filter(pk=theirs.pk).exists())
        self.assertTrue(ApiToken.objects.filter(pk=mine.pk).exists())

    def test_delete_revokes_only_the_token_in_use(self) -> None:
        old = actions.issue_token(self.sylhet, by=self.sylhet)
        ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now())
        live = actions.issue_token(self.sylhet, by=self.sylhet)
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {live.key}")
        self.assertEqual(self.client.delete(TOKEN).status_code, 204)
        self.assertEqual(list(ApiToken.objects.values_list("pk", flat=True)), [old.pk])
