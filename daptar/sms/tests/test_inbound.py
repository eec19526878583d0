from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.directives.models import Delivery, Directive
from daptar.directives.tests.support import delivery, issued
from daptar.lib import shortcodes
from daptar.lib.numerals import to_bengali_digits
from daptar.notifications.models import OutboxMessage
from daptar.people.models import Person, Term
from daptar.returns.models import Submission
from daptar.returns.tests.support import published
from daptar.sms.models import InboundSMS
from daptar.sms.tests.support import (
    DHAKA_PHONE,
    JALALABAD_PHONE,
    SIGNED,
    SmsTestCase,
    post_signed,
)

_ids = itertools.count(1)


@SIGNED
class InboundTestCase(SmsTestCase):
    def setUp(self) -> None:
        self.directive = issued(self.central)
        self.code = self.directive.short_code

    def send(self, text: str, *, sender: str = JALALABAD_PHONE, message_id: str = "") -> Any:
        message_id = message_id or f"m{next(_ids)}"
        response = post_signed(
            self.client, "sms:inbound", {"message_id": message_id, "from": sender, "text": text}
        )
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def mine(self) -> Delivery:
        return delivery(self.directive, self.jalalabad_union)

    def reply(self, phone: str = JALALABAD_PHONE) -> str:
        return OutboxMessage.objects.filter(address=phone).latest("pk").body


class AcknowledgeTests(InboundTestCase):
    def test_bengali_command_with_bengali_digits_acknowledges(self) -> None:
        answer = self.send(f"প্রাপ্তি {to_bengali_digits(self.code)}")
        self.assertEqual(answer["outcome"], "recorded")
        row = self.mine()
        self.assertEqual(row.state, Delivery.State.ACKNOWLEDGED)
        self.assertEqual(row.acknowledged_via, Delivery.Via.SMS)
        self.assertEqual(row.acknowledged_by, self.jalalabad)
        event = AuditEvent.objects.get(verb="directive.acknowledged")
        self.assertEqual(event.actor, self.jalalabad)
        self.assertEqual(event.unit, self.jalalabad_union)
        self.assertIn(self.directive.reference, self.reply())
        self.assertIn("প্রাপ্তি স্বীকার", self.reply())

    def test_lower_case_and_extra_spaces_are_read(self) -> None:
        self.send(f"   ack    {self.code}  ")
        self.assertEqual(self.mine().state, Delivery.State.ACKNOWLEDGED)

    def test_upper_case_glued_and_with_punctuation_are_read(self) -> None:
        self.send(f"ACK{self.code}")
        self.assertEqual(self.mine().state, Delivery.State.ACKNOWLEDGED)
        self.send(f"DONE: {self.code}।")  # the closing full stop is not part of the code
        self.assertEqual(self.mine().state, Delivery.State.DONE)

    def test_a_code_with_a_letter_in_it_is_not_right(self) -> None:
        self.send(f"ack {self.code}x")
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)
        self.assertIn("সঠিক নয়", self.reply())

    def test_done_in_bengali_and_english(self) -> None:
        self.send(f"সম্পন্ন {to_bengali_digits(self.code)}")
        row = self.mine()
        self.assertEqual(row.state, Delivery.State.DONE)
        self.assertEqual((row.done_via, row.acknowledged_via), ("sms", "sms"))
        self.assertIn("বাস্তবায়িত", self.reply())
        answer = self.send(f"done {self.code}")
        self.assertEqual(answer["outcome"], "invalid")
        self.assertIn("আগেই নথিভুক্ত", self.reply())

    def test_a_wrong_code_changes_nothing_and_says_so(self) -> None:
        wrong = self.code[:-1] + str((int(self.code[-1]) + 1) % 10)
        answer = self.send(f"ACK {wrong}")
        self.assertEqual(answer["outcome"], "invalid")
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)
        self.assertIn(to_bengali_digits(wrong), self.reply())

    def test_gibberish_gets_the_help_text(self) -> None:
        self.assertEqual(self.send("hello")["outcome"], "invalid")
        self.assertIn("ACK", self.reply())
        self.assertEqual(self.send("ack")["outcome"], "invalid")

    def test_a_repeated_message_id_is_carried_out_once(self) -> None:
        first = self.send(f"ACK {self.code}", message_id="gw-42")
        again = self.send(f"ACK {self.code}", message_id="gw-42")
        self.assertFalse(first["duplicate"])
        self.assertTrue(again["duplicate"])
        self.assertEqual(again["id"], first["id"])
        self.assertEqual(InboundSMS.objects.count(), 1)
        self.assertEqual(OutboxMessage.objects.filter(address=JALALABAD_PHONE).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="directive.acknowledged").count(), 1)

    def test_any_written_form_of_the_number_is_the_sender(self) -> None:
        self.send(f"ACK {self.code}", sender="০১৭১২-৩৪৫৬৭৮")
        self.assertEqual(self.mine().state, Delivery.State.ACKNOWLEDGED)

    def test_an_unknown_number_is_refused(self) -> None:
        answer = self.send(f"ACK {self.code}", sender="01555-000111")
        self.assertEqual(answer["outcome"], "refused")
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)
        self.assertIn("নিবন্ধিত নয়", self.reply("+8801555000111"))

    def test_an_unknown_number_is_answered_once_a_day_at_most(self) -> None:
        for _ in range(3):
            self.send("hello", sender="01555-000111")
        self.assertEqual(InboundSMS.objects.count(), 3)
        self.assertEqual(OutboxMessage.objects.filter(address="+8801555000111").count(), 1)

    def test_a_known_sender_gets_an_answer_to_every_message(self) -> None:
        for _ in range(3):
            self.send("hello")
        self.assertEqual(OutboxMessage.objects.filter(address=JALALABAD_PHONE).count(), 3)

    def test_an_unverified_number_is_refused(self) -> None:
        Person.objects.filter(pk=self.jalalabad.person_id).update(phone_verified_at=None)
        self.assertEqual(self.send(f"ACK {self.code}")["outcome"], "refused")
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)

    def test_an_ended_term_is_refused(self) -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Term.objects.filter(person_id=self.jalalabad.person_id).update(
            started_on=yesterday - datetime.timedelta(days=30), ended_on=yesterday
        )
        answer = self.send(f"ACK {self.code}")
        self.assertEqual(answer["outcome"], "refused")
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)
        self.assertIn("দায়িত্বে নেই", self.reply())

    def test_a_directive_outside_the_senders_unit_is_refused(self) -> None:
        other = issued(self.central, target=self.dhaka_division)
        answer = self.send(f"ACK {other.short_code}")
        self.assertEqual(answer["outcome"], "refused")
        self.assertFalse(
            Delivery.objects.filter(directive=other).exclude(state="delivered").exists()
        )
        self.assertNotIn(other.reference, self.reply())

    def test_a_withdrawn_directive_is_not_acknowledged(self) -> None:
        Directive.objects.filter(pk=self.directive.pk).update(status=Directive.Status.WITHDRAWN)
        self.assertEqual(self.send(f"ACK {self.code}")["outcome"], "invalid")
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)


class SignatureTests(InboundTestCase):
    def test_an_unsigned_call_is_refused_and_changes_nothing(self) -> None:
        response = self.client.post(
            "/sms/inbound/sslwireless/",
            {"message_id": "x1", "from": JALALABAD_PHONE, "text": f"ACK {self.code}"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(InboundSMS.objects.exists())
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)

    def test_a_wrong_secret_is_refused(self) -> None:
        data = {"message_id": "x2", "from": JALALABAD_PHONE, "text": f"ACK {self.code}"}
        response = post_signed(self.client, "sms:inbound", data, secret="guess")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(InboundSMS.objects.exists())

    def test_a_replayed_old_request_is_refused(self) -> None:
        data = {"message_id": "x3", "from": JALALABAD_PHONE, "text": f"ACK {self.code}"}
        import json

        from daptar.sms.signing import signed_headers
        from daptar.sms.tests.support import SECRET

        body = json.dumps(data).encode()
        old = int(timezone.now().timestamp()) - 3600
        response = self.client.post(
            "/sms/inbound/sslwireless/",
            body,
            content_type="application/json",
            headers=signed_headers(body, SECRET, timestamp=old),
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(InboundSMS.objects.exists())

    def test_a_tampered_body_is_refused(self) -> None:
        import json

        from daptar.sms.signing import signed_headers
        from daptar.sms.tests.support import SECRET

        signed = json.dumps({"message_id": "x4", "from": DHAKA_PHONE, "text": "hi"}).encode()
        sent = json.dumps(
            {"message_id": "x4", "from": JALALABAD_PHONE, "text": f"ACK {self.code}"}
        ).encode()
        response = self.client.post(
            "/sms/inbound/sslwireless/",
            sent,
            content_type="application/json",
            headers=signed_headers(signed, SECRET),
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.mine().state, Delivery.State.DELIVERED)

    def test_token_mode_takes_form_fields_with_the_shared_secret(self) -> None:
        from django.test import override_settings

        from daptar.sms.tests.support import SECRET

        data = {"id": "t1", "msisdn": "8801712345678", "sms": f"ack {self.code}"}
        with override_settings(DAPTAR_SMS_WEBHOOK_AUTH="token"):
            refused = self.client.post(
                "/sms/inbound/sslwireless/", data, headers={"X-Daptar-Token": "guess"}
            )
            taken = self.client.post(
                "/sms/inbound/sslwireless/", data, headers={"X-Daptar-Token": SECRET}
            )
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(taken.status_code, 200)
        self.assertEqual(self.mine().state, Delivery.State.ACKNOWLEDGED)

    def test_a_get_is_not_allowed(self) -> None:
        self.assertEqual(self.client.get("/sms/inbound/sslwireless/").status_code, 405)

    def test_a_call_without_the_fields_is_a_400(self) -> None:
        response = post_signed(self.client, "sms:inbound", {"message_id": "x5"})
        self.assertEqual(response.status_code, 400)


class ReturnTests(InboundTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target_levels=("union",))
        self.rcode = to_bengali_digits(shortcodes.encode(self.period.pk))

    def slot(self) -> Submission:
        return Submission.objects.get(period=self.period, unit=self.jalalabad_union)

    def test_figures_in_order_are_submitted_through_the_returns_action(self) -> None:
        answer = self.send(f"R {self.rcode} ১৭ ১২")
        self.assertEqual(answer["outcome"], "recorded")
        slot = self.slot()
        self.assertEqual(slot.status, Submission.Status.SUBMITTED)
        self.assertEqual(slot.data, {"members": 17, "women": 12})
        self.assertEqual(slot.submitted_by, self.jalalabad)
        self.assertTrue(AuditEvent.objects.filter(verb="return.submitted").exists())
        self.assertIn("জমা", self.reply())

    def test_the_forms_rules_are_checked_and_named(self) -> None:
        answer = self.send(f"r {self.rcode} 5 12")
        self.assertEqual(answer["outcome"], "invalid")
        self.assertEqual(self.slot().status, Submission.Status.PENDING)
        self.assertIn("নারী সদস্য মোট সদস্যের বেশি হতে পারে না", self.reply())

    def test_a_bad_figure_is_named_by_its_field(self) -> None:
        self.send(f"R {self.rcode} -3 0")
        self.assertEqual(self.slot().status, Submission.Status.PENDING)
        self.assertIn("সদস্য সংখ্যা", self.reply())

    def test_too_few_figures_lists_the_fields(self) -> None:
        self.send(f"R {self.rcode} 17")
        self.assertEqual(self.slot().status, Submission.Status.PENDING)
        self.assertIn("সদস্য সংখ্যা, নারী সদস্য", self.reply())

    def test_a_return_not_asked_of_the_sender_is_refused(self) -> None:
        answer = self.send(f"R {self.rcode} 17 12", sender=DHAKA_PHONE)
        self.assertEqual(answer["outcome"], "refused")
        self.assertFalse(Submission.objects.filter(status=Submission.Status.SUBMITTED).exists())

    def test_the_reminder_sms_says_how_to_send_it_by_sms(self) -> None:
        from daptar.returns.tasks import reminder_message

        for overdue in (False, True):
            message = reminder_message(self.period, overdue=overdue)
            self.assertTrue(message.sms.startswith(f"এসএমএসে পাঠাতে: R {self.rcode} ও ২টি সংখ্যা"))
            self.assertTrue(message.sms.endswith(message.text_bn))

    def test_a_form_with_words_in_it_gets_no_sms_hint(self) -> None:
        from daptar.returns.tasks import reminder_message

        _form, period = published(
            self.central,
            target_levels=("union",),
            title="Programme",
            fields=({"key": "what", "label_bn": "কী", "label_en": "What", "type": "text"},),
            rules=(),
        )
        self.assertEqual(reminder_message(period, overdue=False).sms, "")

    def test_the_entry_page_shows_the_periods_sms_code(self) -> None:
        from django.urls import reverse

        self.client.force_login(self.jalalabad)
        page = self.client.get(
            reverse("returns:fill", args=[self.form.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(page, f"By SMS: R {self.period.short_code} ")
