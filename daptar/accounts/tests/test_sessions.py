import datetime

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daptar.accounts import actions, codes
from daptar.accounts.models import OneTimeCode, SignIn
from daptar.accounts.tests.support import sms_gateway
from daptar.audit.models import AuditEvent
from daptar.lib.useragents import describe
from daptar.testing import PASSWORD, DaptarTestCase

LOGIN = reverse("accounts:login")
HOME = reverse("units:home")
PROFILE = reverse("accounts:profile")
SIGN_OUT = reverse("accounts:sign_out")
ENGLISH = {"accept-language": "en"}
ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A146B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


class SessionListTests(DaptarTestCase):
    def sign_in(self, agent: str, ip: str = "10.1.1.1") -> Client:
        client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
        client.post(LOGIN, {"username": "sylhet", "password": PASSWORD})
        self.assertIn(AUTH_SESSION_KEY, client.session)
        return client

    def test_a_sign_in_is_listed_with_its_device_and_address(self) -> None:
        phone = self.sign_in(ANDROID, "10.1.1.1")
        self.sign_in(WINDOWS_FIREFOX, "10.2.2.2")
        page = phone.get(PROFILE, headers=ENGLISH)
        self.assertContains(page, "Chrome · Android")
        self.assertContains(page, "Firefox · Windows")
        self.assertContains(page, "10.2.2.2")
        self.assertContains(page, "this device", count=1)
        row = SignIn.objects.get(ip="10.1.1.1")
        self.assertNotIn(phone.session.session_key, row.key_hash)
        self.assertEqual(row.method, "password")

    def test_last_seen_is_noted_at_most_once_a_minute(self) -> None:
        client = self.sign_in(ANDROID)
        row = SignIn.objects.get()
        client.get(PROFILE)
        self.assertEqual(SignIn.objects.get().last_seen_at, row.last_seen_at)
        session = client.session
        session[actions.SEEN_KEY] -= 61
        session.save()
        client.get(PROFILE, REMOTE_ADDR="10.7.7.7")
        moved = SignIn.objects.get()
        self.assertGreater(moved.last_seen_at, row.last_seen_at)
        self.assertEqual(moved.ip, "10.7.7.7")

    def test_sign_out_everywhere_ends_every_other_session_at_once(self) -> None:
        laptop = self.sign_in(WINDOWS_FIREFOX)
        other = self.sign_in(ANDROID, "10.3.3.3")
        phone = self.sign_in(ANDROID)
        self.assertEqual(laptop.get(PROFILE).status_code, 200)
        phone.post(SIGN_OUT, {"everywhere": "1"})
        for client in (laptop, other):
            response = client.get(PROFILE)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(LOGIN))
        self.assertEqual(phone.get(PROFILE).status_code, 200)
        self.assertEqual(SignIn.objects.filter(ended_at__isnull=True).count(), 1)
        event = AuditEvent.objects.get(verb="auth.signed_out_everywhere")
        self.assertEqual((event.actor, event.detail), (self.sylhet, {"sessions": 2}))

    def test_sign_out_one_ends_only_that_one(self) -> None:
        laptop = self.sign_in(WINDOWS_FIREFOX)
        other = self.sign_in(ANDROID, "10.3.3.3")
        phone = self.sign_in(ANDROID)
        chosen = SignIn.objects.get(ip="10.3.3.3")
        phone.post(SIGN_OUT, {"sign_in": chosen.pk})
        self.assertEqual(other.get(PROFILE).status_code, 302)
        self.assertEqual(laptop.get(PROFILE).status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(verb="auth.signed_out_one").exists())

    def test_another_users_session_cannot_be_ended(self) -> None:
        mine = self.sign_in(ANDROID)
        theirs = Client()
        theirs.post(LOGIN, {"username": "dhaka", "password": PASSWORD})
        row = SignIn.objects.get(user=self.dhaka)
        mine.post(SIGN_OUT, {"sign_in": row.pk})
        self.assertEqual(theirs.get(PROFILE).status_code, 200)

    def test_logging_out_ends_the_row(self) -> None:
        client = self.sign_in(ANDROID)
        client.post(reverse("accounts:logout"))
        self.assertIsNotNone(SignIn.objects.get().ended_at)


class UserAgentTests(DaptarTestCase):
    def test_common_browsers_are_named(self) -> None:
        self.assertEqual(describe(ANDROID), "Chrome · Android")
        self.assertEqual(describe(WINDOWS_FIREFOX), "Firefox · Windows")
        self.assertEqual(describe(""), "")


class PhoneVerificationTests(DaptarTestCase):
    url = reverse("accounts:phone_verify")

    def setUp(self) -> None:
        self.client.force_login(self.jalalabad)

    def test_the_code_sent_to_the_phone_verifies_it(self) -> None:
        person = self.jalalabad.person
        self.assertIsNone(person.phone_verified_at)
        with sms_gateway() as sms:
            self.client.post(self.url, {"action": "send"})
        self.assertEqual(sms.sent[0][0], person.phone)
        self.assertIn("যাচাই", sms.sent[0][1])
        response = self.client.post(self.url, {"action": "check", "code": sms.last_code()})
        self.assertRedirects(response, PROFILE, fetch_redirect_response=False)
        person.refresh_from_db()
        self.assertIsNotNone(person.phone_verified_at)
        event = AuditEvent.objects.get(verb="person.phone_verified")
        self.assertEqual((event.actor, event.object_id), (self.jalalabad, str(person.pk)))

    def test_a_wrong_code_verifies_nothing(self) -> None:
        with sms_gateway() as sms:
            self.client.post(self.url, {"action": "send"})
        wrong = f"{(int(sms.last_code()) + 1) % 10**6:06d}"
        response = self.client.post(self.url, {"action": "check", "code": wrong}, headers=ENGLISH)
        self.assertContains(response, "That code is wrong or has expired.")
        self.jalalabad.person.refresh_from_db()
        self.assertIsNone(self.jalalabad.person.phone_verified_at)
        self.assertTrue(AuditEvent.objects.filter(verb="auth.phone_verify_failed").exists())

    def test_a_sign_in_code_does_not_verify_a_phone(self) -> None:
        code = codes.issue(
            OneTimeCode.Purpose.SIGN_IN, self.jalalabad.person.phone, user=self.jalalabad
        )
        self.client.post(self.url, {"action": "check", "code": code})
        self.jalalabad.person.refresh_from_db()
        self.assertIsNone(self.jalalabad.person.phone_verified_at)


class HousekeepingTests(DaptarTestCase):
    def test_a_sign_in_drops_the_users_long_dead_rows_only(self) -> None:
        old = timezone.now() - datetime.timedelta(days=30)
        SignIn.objects.create(user=self.sylhet, key_hash="a" * 64, key_prefix="a", last_seen_at=old)
        SignIn.objects.create(user=self.dhaka, key_hash="b" * 64, key_prefix="b", last_seen_at=old)
        Client().post(LOGIN, {"username": "sylhet", "password": PASSWORD})
        self.assertFalse(SignIn.objects.filter(key_hash="a" * 64).exists())
        self.assertTrue(SignIn.objects.filter(key_hash="b" * 64).exists())
        self.assertEqual(SignIn.objects.filter(user=self.sylhet).count(), 1)

    def test_a_new_code_drops_codes_older_than_a_day(self) -> None:
        codes.issue(OneTimeCode.Purpose.SIGN_IN, "+8801811000000", user=None)
        OneTimeCode.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
        codes.issue(OneTimeCode.Purpose.VERIFY, "+8801911000000", user=None)
        self.assertEqual(
            list(OneTimeCode.objects.values_list("phone", flat=True)), ["+8801911000000"]
        )
