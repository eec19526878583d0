import datetime

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from daptar.accounts import actions
from daptar.accounts.models import OneTimeCode, SMSDevice
from daptar.accounts.tests.support import add_totp, sms_gateway, totp_code, verify_phone
from daptar.audit.models import AuditEvent
from daptar.testing import PASSWORD, DaptarTestCase

LOGIN = reverse("accounts:login")
HOME = reverse("units:home")
STEP = reverse("accounts:second_factor")
ENROL = reverse("accounts:enrol")
ENGLISH = {"accept-language": "en"}
REQUIRED = override_settings(DAPTAR_2FA_REQUIRED_LEVELS=["central", "division", "district"])


class TwoFactorTestCase(DaptarTestCase):
    def assertOpen(self, url: str = HOME) -> None:
        """The office pages open: no detour to a second-factor page on the way."""
        response = self.client.get(url, follow=True)
        self.assertEqual(response.status_code, 200)
        for hop, _status in response.redirect_chain:
            self.assertNotIn("/accounts/", hop)

    def log_in(self, username: str, **extra: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            LOGIN, {"username": username, "password": PASSWORD, **extra}, headers=ENGLISH
        )

    def enter(self, code: str, next_url: str = HOME):  # type: ignore[no-untyped-def]
        return self.client.post(f"{STEP}?next={next_url}", {"code": code}, headers=ENGLISH)


class SecondFactorStepTests(TwoFactorTestCase):
    def test_a_user_with_an_authenticator_is_asked_for_its_code_after_the_password(self) -> None:
        device = add_totp(self.sylhet)
        response = self.log_in("sylhet")
        self.assertRedirects(response, f"{STEP}?next=%2Foffice%2F", fetch_redirect_response=False)
        # Signed in by password, but nothing else opens until the second factor.
        self.assertIn(AUTH_SESSION_KEY, self.client.session)
        self.assertRedirects(
            self.client.get(HOME), f"{STEP}?next=%2Foffice%2F", fetch_redirect_response=False
        )
        self.assertEqual(self.client.get(reverse("api:me")).status_code, 403)
        step = self.client.get(STEP, headers=ENGLISH)
        self.assertContains(step, 'name="code"')
        self.assertNotContains(step, "errorlist")  # nothing typed yet, nothing wrong yet
        response = self.enter(totp_code(device))
        self.assertRedirects(response, HOME, fetch_redirect_response=False)
        self.assertOpen()
        event = AuditEvent.objects.get(verb="auth.2fa_verified")
        self.assertEqual((event.actor, event.detail["device"]), (self.sylhet, "totpdevice"))

    def test_a_user_without_a_device_goes_straight_in(self) -> None:
        self.assertRedirects(self.log_in("sylhet"), HOME, fetch_redirect_response=False)
        self.assertOpen()

    def test_a_wrong_code_is_refused_and_recorded(self) -> None:
        device = add_totp(self.sylhet)
        self.log_in("sylhet")
        wrong = f"{(int(totp_code(device)) + 1) % 10**6:06d}"
        response = self.enter(wrong)
        self.assertContains(response, "That code is wrong or has expired.")
        self.assertEqual(self.client.get(HOME).status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(verb="auth.2fa_failed").exists())

    @override_settings(LOGIN_FAILURES_PER_ACCOUNT=3, LOGIN_LOCKOUT_MINUTES=7)
    def test_too_many_wrong_codes_lock_even_the_right_one_out(self) -> None:
        device = add_totp(self.sylhet)
        self.log_in("sylhet")
        for _ in range(3):
            self.enter("000000" if totp_code(device) != "000000" else "111111")
        # The authenticator's own throttle is django-otp's; wait it out by resetting it.
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        response = self.enter(totp_code(device))
        self.assertContains(response, "Too many failed attempts. Try again in 7 minutes.")
        self.assertEqual(self.client.get(HOME).status_code, 302)

    def test_a_recovery_code_works_once(self) -> None:
        add_totp(self.sylhet)
        codes = actions.new_recovery_codes(self.sylhet, by=self.sylhet)
        self.log_in("sylhet")
        self.assertRedirects(self.enter(codes[0]), HOME, fetch_redirect_response=False)
        self.client.logout()
        self.log_in("sylhet")
        self.assertContains(self.enter(codes[0]), "That code is wrong or has expired.")
        self.assertFalse(StaticToken.objects.filter(token=codes[0]).exists())

    def test_a_code_by_sms_signs_in_once_and_not_after_it_expired(self) -> None:
        verify_phone(self.sylhet, "+8801711000001")
        SMSDevice.objects.create(user=self.sylhet, name="SMS", confirmed=True)
        self.log_in("sylhet")
        with sms_gateway() as sms:
            self.client.post(f"{STEP}?next={HOME}", {"action": "sms"})
        self.assertEqual(sms.sent[0][0], "+8801711000001")
        code = sms.last_code()
        self.assertIn("৫ মিনিট", sms.sent[0][1])  # Bengali text, Bengali digits
        self.assertRedirects(self.enter(code), HOME, fetch_redirect_response=False)
        self.client.logout()
        self.log_in("sylhet")
        self.assertContains(self.enter(code), "That code is wrong or has expired.")  # reused
        with sms_gateway() as sms:
            self.client.post(f"{STEP}?next={HOME}", {"action": "sms"})
        OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        self.assertContains(self.enter(sms.last_code()), "That code is wrong or has expired.")

    @override_settings(DAPTAR_SMS_CODES_PER_NUMBER=2, DAPTAR_SMS_CODE_WINDOW_MINUTES=15)
    def test_sms_codes_are_limited_per_number(self) -> None:
        verify_phone(self.sylhet, "+8801711000001")
        SMSDevice.objects.create(user=self.sylhet, name="SMS", confirmed=True)
        self.log_in("sylhet")
        with sms_gateway() as sms:
            for _ in range(3):
                response = self.client.post(
                    f"{STEP}?next={HOME}", {"action": "sms"}, headers=ENGLISH, follow=True
                )
        self.assertEqual(len(sms.sent), 2)
        self.assertContains(response, "Too many codes asked for. Try again in 15 minutes.")


@REQUIRED
class RequirementTests(TwoFactorTestCase):
    def test_a_district_desk_without_a_device_is_sent_to_enrol_and_kept_there(self) -> None:
        response = self.log_in("sylhet")
        self.assertRedirects(response, f"{ENROL}?next=%2Foffice%2F", fetch_redirect_response=False)
        for url in (HOME, reverse("accounts:token"), reverse("audit:events")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url)["Location"].split("?")[0], ENROL)
        page = self.client.get(ENROL, headers=ENGLISH)
        self.assertContains(page, 'data-testid="must-enrol"')

    def test_a_union_desk_is_not_required(self) -> None:
        self.assertRedirects(self.log_in("jalalabad"), HOME, fetch_redirect_response=False)

    def test_enrolling_an_authenticator_shows_its_qr_then_the_recovery_codes_once(self) -> None:
        self.log_in("sylhet")
        url = reverse("accounts:totp_enrol") + "?next=/office/"
        page = self.client.get(url, headers=ENGLISH)
        self.assertContains(page, "<svg")
        self.assertNotContains(page, '<script src="http')  # no outside script draws the QR
        device = TOTPDevice.objects.get(user=self.sylhet, confirmed=False)
        self.assertEqual(self.client.get(url).context["secret"], page.context["secret"])
        response = self.client.post(url, {"code": totp_code(device)}, headers=ENGLISH)
        self.assertContains(response, 'data-testid="recovery-codes"')
        self.assertEqual(len(response.context["tokens"]), 10)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertOpen()
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
        self.assertLessEqual({"auth.2fa_added", "auth.recovery_codes_generated"}, verbs)

    def test_a_wrong_enrolment_code_confirms_nothing(self) -> None:
        self.log_in("sylhet")
        url = reverse("accounts:totp_enrol")
        self.client.get(url)
        device = TOTPDevice.objects.get(user=self.sylhet)
        wrong = f"{(int(totp_code(device)) + 1) % 10**6:06d}"
        self.assertContains(self.client.post(url, {"code": wrong}, headers=ENGLISH), "wrong")
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        self.assertEqual(self.client.get(HOME)["Location"].split("?")[0], ENROL)

    def test_recovery_codes_alone_do_not_satisfy_the_requirement(self) -> None:
        self.log_in("sylhet")
        self.client.post(reverse("accounts:recovery_codes"))
        self.assertFalse(StaticDevice.objects.filter(user=self.sylhet).exists())
        self.assertEqual(self.client.get(HOME)["Location"].split("?")[0], ENROL)

    def test_enrolling_sms_needs_a_verified_phone_then_a_code(self) -> None:
        self.log_in("sylhet")
        response = self.client.post(reverse("accounts:sms_enrol"))
        self.assertEqual(response["Location"].split("?")[0], reverse("accounts:phone_verify"))
        self.assertFalse(SMSDevice.objects.exists())
        verify_phone(self.sylhet, "+8801711000001")
        response = self.client.post(reverse("accounts:sms_enrol") + "?next=/office/")
        self.assertContains(response, 'data-testid="recovery-codes"')
        self.assertTrue(SMSDevice.objects.filter(user=self.sylhet).exists())
        # Added, not yet proved: the second-factor step comes next.
        self.assertEqual(self.client.get(HOME)["Location"].split("?")[0], STEP)
        with sms_gateway() as sms:
            self.client.post(STEP, {"action": "sms"})
        self.assertRedirects(self.enter(sms.last_code()), HOME, fetch_redirect_response=False)

    def test_the_last_factor_of_a_required_desk_cannot_be_removed(self) -> None:
        device = add_totp(self.sylhet)
        self.log_in("sylhet")
        self.enter(totp_code(device))
        response = self.client.post(
            reverse("accounts:remove_device"),
            {"device": device.persistent_id},
            follow=True,
            headers=ENGLISH,
        )
        self.assertContains(response, "add another before removing this one")
        self.assertTrue(TOTPDevice.objects.filter(pk=device.pk).exists())

    def test_the_requirement_is_kept_by_the_api_token_too(self) -> None:
        response = self.client.post(
            reverse("api:token"), {"username": "sylhet", "password": PASSWORD}, headers=ENGLISH
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("set it up on the website", response.json()["detail"])


class DeviceChangesTests(TwoFactorTestCase):
    def test_removing_a_factor_is_recorded(self) -> None:
        device = add_totp(self.jalalabad)
        self.log_in("jalalabad")
        self.enter(totp_code(device))
        self.client.post(reverse("accounts:remove_device"), {"device": device.persistent_id})
        self.assertFalse(TOTPDevice.objects.filter(pk=device.pk).exists())
        event = AuditEvent.objects.get(verb="auth.2fa_removed")
        self.assertEqual(event.detail, {"device": "totpdevice"})

    def test_someone_elses_device_is_404(self) -> None:
        other = add_totp(self.sylhet)
        self.client.force_login(self.jalalabad)
        response = self.client.post(
            reverse("accounts:remove_device"), {"device": other.persistent_id}
        )
        self.assertEqual(response.status_code, 404)

    def test_new_recovery_codes_replace_the_old_ones(self) -> None:
        device = add_totp(self.jalalabad)
        old = actions.new_recovery_codes(self.jalalabad, by=self.jalalabad)
        self.log_in("jalalabad")
        self.enter(totp_code(device))
        response = self.client.post(reverse("accounts:recovery_codes"))
        new = response.context["tokens"]
        self.assertEqual(len(new), 10)
        tokens = set(StaticToken.objects.values_list("token", flat=True))
        self.assertEqual(tokens, set(new))
        self.assertFalse(tokens & set(old))
        # Shown once: the profile page tells how many are left, never the codes.
        profile = self.client.get(reverse("accounts:profile"), headers=ENGLISH)
        self.assertContains(profile, "10 recovery codes left.")
        self.assertNotContains(profile, new[0])


class AdminTests(TwoFactorTestCase):
    def test_the_admin_login_is_the_office_login(self) -> None:
        response = self.client.get(reverse("admin:login") + "?next=/admin/")
        self.assertRedirects(response, f"{LOGIN}?next=%2Fadmin%2F", fetch_redirect_response=False)

    def test_the_admin_needs_the_second_factor_of_a_user_who_has_one(self) -> None:
        device = add_totp(self.operator)
        self.log_in("operator", next="/admin/")
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response["Location"].split("?")[0], STEP)
        self.enter(totp_code(device), "/admin/")
        self.assertOpen(reverse("admin:index"))

    @REQUIRED
    def test_staff_must_enrol_before_the_admin(self) -> None:
        self.log_in("operator", next="/admin/")
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response["Location"].split("?")[0], ENROL)


class BengaliTests(TwoFactorTestCase):
    def test_the_sign_in_pages_speak_bengali(self) -> None:
        pages = {
            reverse("accounts:phone_sign_in"): "ফোন দিয়ে সাইন ইন",
            LOGIN: "এসএমএসে কোড দিয়ে সাইন ইন",
        }
        for url, text in pages.items():
            with self.subTest(url=url):
                self.assertContains(self.client.get(url, headers={"accept-language": "bn"}), text)
        self.client.force_login(self.jalalabad)
        bengali = {"accept-language": "bn"}
        self.assertContains(
            self.client.get(reverse("accounts:profile"), headers=bengali),
            "যেখানে আপনি সাইন ইন করে আছেন",
        )
        self.assertContains(self.client.get(ENROL, headers=bengali), "অথেন্টিকেটর অ্যাপ")
        self.assertContains(
            self.client.get(reverse("accounts:totp_enrol"), headers=bengali), "অথবা এই কী লিখুন"
        )
