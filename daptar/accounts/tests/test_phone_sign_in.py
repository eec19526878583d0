import datetime

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from daptar.accounts.models import OneTimeCode, SMSDevice
from daptar.accounts.tests.support import add_totp, sms_gateway, totp_code, verify_phone
from daptar.audit.models import AuditEvent
from daptar.testing import DaptarTestCase

PHONE = reverse("accounts:phone_sign_in")
CODE = reverse("accounts:phone_code")
HOME = reverse("units:home")
ENGLISH = {"accept-language": "en"}
SENT = "If this number is verified for an account, a code is on its way by SMS."
WRONG = "That code is wrong or has expired."


class PhoneSignInTests(DaptarTestCase):
    def setUp(self) -> None:
        verify_phone(self.jalalabad, "+8801811223344")

    def ask(self, phone: str, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            PHONE, {"phone": phone}, headers={**ENGLISH, **headers}, follow=True
        )

    def enter(self, code: str):  # type: ignore[no-untyped-def]
        return self.client.post(CODE, {"code": code}, headers=ENGLISH)

    def test_any_written_form_of_a_verified_number_gets_a_code_that_signs_in(self) -> None:
        with sms_gateway() as sms:
            response = self.ask("০১৮১১-২২৩৩৪৪")
        self.assertContains(response, SENT)
        self.assertEqual([to for to, _text in sms.sent], ["+8801811223344"])
        response = self.enter(sms.last_code())
        self.assertRedirects(response, HOME, fetch_redirect_response=False)
        self.assertEqual(self.client.session[AUTH_SESSION_KEY], str(self.jalalabad.pk))
        event = AuditEvent.objects.get(verb="auth.login")
        self.assertEqual((event.actor, event.detail), (self.jalalabad, {"method": "phone"}))

    def test_bengali_digits_in_the_code_work(self) -> None:
        with sms_gateway() as sms:
            self.ask("+880 1811 223344")
        bengali = sms.last_code().translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
        self.assertRedirects(self.enter(bengali), HOME, fetch_redirect_response=False)

    def test_an_unknown_or_unverified_number_reads_the_same_and_gets_nothing(self) -> None:
        self.sylhet.person.phone_verified_at = None
        self.sylhet.person.phone = "+8801911000000"
        self.sylhet.person.save()
        for number in ("01700-000000", "01911-000000"):
            with self.subTest(number=number), sms_gateway() as sms:
                response = self.ask(number)
                self.assertContains(response, SENT)
                self.assertEqual(sms.sent, [])
                self.assertContains(self.enter("123456"), WRONG)
                self.assertNotIn(AUTH_SESSION_KEY, self.client.session)

    def test_a_number_shared_by_two_logins_signs_in_neither(self) -> None:
        verify_phone(self.sylhet, "+8801811223344")
        with sms_gateway() as sms:
            self.ask("01811223344")
        self.assertEqual(sms.sent, [])

    def test_a_code_is_single_use(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
        code = sms.last_code()
        self.enter(code)
        self.client.logout()
        self.ask("01811223344")  # the number in the session again, no new code used
        self.assertContains(self.enter(code), WRONG)

    def test_an_expired_code_fails(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
        OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        self.assertContains(self.enter(sms.last_code()), WRONG)
        self.assertNotIn(AUTH_SESSION_KEY, self.client.session)

    def test_a_new_code_replaces_the_old_one(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
            first = sms.last_code()
            self.ask("01811223344")
        if first != sms.last_code():  # one chance in a million that they are the same
            self.assertContains(self.enter(first), WRONG)
        self.assertRedirects(self.enter(sms.last_code()), HOME, fetch_redirect_response=False)

    @override_settings(DAPTAR_SMS_CODE_ATTEMPTS=3, LOGIN_FAILURES_PER_ACCOUNT=50)
    def test_a_code_dies_after_its_wrong_tries(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
        code = sms.last_code()
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(3):
            self.assertContains(self.enter(wrong), WRONG)
        self.assertContains(self.enter(code), WRONG)
        failures = AuditEvent.objects.filter(verb="auth.login_failed")
        self.assertEqual(failures.count(), 4)
        self.assertNotIn("8801811223344", str(failures[0].detail))  # the number is masked

    def test_codes_are_kept_hashed(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
        row = OneTimeCode.objects.get()
        code = sms.last_code()
        self.assertNotIn(code, row.code_hash)
        self.assertEqual(len(row.code_hash), 64)
        self.assertEqual(row.purpose, "sign_in")

    @override_settings(DAPTAR_SMS_CODES_PER_NUMBER=2, DAPTAR_SMS_CODES_PER_ADDRESS=50)
    def test_codes_are_limited_per_number(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
            self.ask("01811223344")
            response = self.ask("01811223344")
        self.assertEqual(len(sms.sent), 2)
        self.assertContains(response, "Too many codes asked for. Try again in 15 minutes.")

    @override_settings(DAPTAR_SMS_CODES_PER_NUMBER=5, DAPTAR_SMS_CODES_PER_ADDRESS=2)
    def test_codes_are_limited_per_address_across_numbers(self) -> None:
        with sms_gateway() as sms:
            self.ask("01700000001")
            self.ask("01700000002")
            response = self.ask("01811223344")
            self.assertContains(response, "Try again in")
            self.assertEqual(sms.sent, [])
            # Another address may still ask.
            self.client.post(PHONE, {"phone": "01811223344"}, REMOTE_ADDR="10.9.9.9")
        self.assertEqual(len(sms.sent), 1)

    @override_settings(LOGIN_FAILURES_PER_ACCOUNT=2, LOGIN_LOCKOUT_MINUTES=7)
    def test_wrong_codes_lock_the_number_out(self) -> None:
        with sms_gateway() as sms:
            self.ask("01811223344")
        code = sms.last_code()
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        self.enter(wrong)
        self.enter(wrong)
        self.assertContains(self.enter(code), "Try again in 7 minutes.")
        self.assertNotIn(AUTH_SESSION_KEY, self.client.session)

    def test_a_user_with_an_authenticator_still_owes_it_and_sms_is_not_offered(self) -> None:
        device = add_totp(self.jalalabad)
        SMSDevice.objects.create(user=self.jalalabad, name="SMS", confirmed=True)
        with sms_gateway() as sms:
            self.ask("01811223344")
        response = self.enter(sms.last_code())
        step = reverse("accounts:second_factor")
        self.assertEqual(response["Location"].split("?")[0], step)
        page = self.client.get(response["Location"], headers=ENGLISH)
        self.assertNotContains(page, 'data-testid="send-sms"')
        response = self.client.post(response["Location"], {"code": totp_code(device)})
        self.assertRedirects(response, HOME, fetch_redirect_response=False)

    def test_the_code_page_without_a_number_goes_back(self) -> None:
        self.assertRedirects(self.client.get(CODE), PHONE)
