"""The Telegram bot: the secret header, linking, reports sent in as albums, repeats of an
update, ended terms, strangers, and directives acknowledged from a button."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.directives.models import Delivery
from daptar.directives.tests.support import issued
from daptar.people.models import Person, Term
from daptar.reports.models import Photo, Report
from daptar.reports.tests.support import heic, jpeg
from daptar.social.bot import linking, notices
from daptar.social.models import BotDraft, BotNotice, BotUpdate, TelegramLink
from daptar.social.tests.support import SocialTestCase

HOOK = reverse("social:telegram_hook")
SECRET = "hook-secret-123"
JALALABAD_TG = 5550001


@override_settings(DAPTAR_TELEGRAM_WEBHOOK_SECRET=SECRET, DAPTAR_TELEGRAM_BOT_TOKEN="42:bot")
class BotTestCase(SocialTestCase):
    next_update = 9000

    def send(
        self, body: dict[str, Any], *, secret: str = SECRET, update_id: int | None = None
    ) -> Any:
        if update_id is None:
            BotTestCase.next_update += 1
            update_id = BotTestCase.next_update
        headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret else {}
        return self.client.post(
            HOOK,
            json.dumps({"update_id": update_id, **body}),
            content_type="application/json",
            **headers,
        )

    def message(self, sender: int = JALALABAD_TG, **fields: Any) -> dict[str, Any]:
        return {
            "message": {
                "message_id": 1,
                "date": 1764900000,
                "from": {"id": sender, "is_bot": False, "first_name": "Jamal"},
                "chat": {"id": sender, "type": "private"},
                **fields,
            }
        }

    def photo(self, file_id: str, content: bytes) -> list[dict[str, Any]]:
        self.fake.files[file_id] = content
        return [
            {
                "file_id": f"{file_id}-small",
                "file_unique_id": f"u-{file_id}-s",
                "width": 90,
                "height": 60,
            },
            {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 64, "height": 48},
        ]

    def document(self, file_id: str, content: bytes) -> dict[str, Any]:
        """An iPhone photo sent as a file: HEIC, metadata and all."""
        self.fake.files[file_id] = content
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": "IMG_0001.HEIC",
            "mime_type": "image/heic",
        }

    def button(self, data: str, sender: int = JALALABAD_TG) -> dict[str, Any]:
        return {
            "callback_query": {
                "id": "cb1",
                "from": {"id": sender, "is_bot": False, "first_name": "Jamal"},
                "message": {"message_id": 2, "chat": {"id": sender, "type": "private"}},
                "data": data,
            }
        }

    def link_jalalabad(self) -> TelegramLink:
        return TelegramLink.objects.create(
            user=self.jalalabad, telegram_id=JALALABAD_TG, chat_id=JALALABAD_TG
        )


class WebhookTests(BotTestCase):
    def test_a_wrong_or_missing_secret_is_refused(self) -> None:
        self.link_jalalabad()
        for secret in ("", "guess"):
            with self.subTest(secret=secret):
                response = self.send(self.message(photo=self.photo("p1", jpeg())), secret=secret)
                self.assertEqual(response.status_code, 403)
        self.assertFalse(BotDraft.objects.exists())
        self.assertFalse(BotUpdate.objects.exists())

    def test_without_a_configured_secret_nothing_is_accepted(self) -> None:
        with self.settings(DAPTAR_TELEGRAM_WEBHOOK_SECRET=""):
            self.assertEqual(self.send(self.message(text="hi"), secret="").status_code, 403)

    def test_a_stranger_gets_a_polite_bengali_answer_and_nothing_is_stored(self) -> None:
        before = AuditEvent.objects.count()
        response = self.send(self.message(sender=777, photo=self.photo("p1", jpeg()), caption="x"))
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertEqual(answer["method"], "sendMessage")
        self.assertIn("দুঃখিত", answer["text"])
        self.assertIn("ধন্যবাদ", answer["text"])
        self.assertTrue(json.loads(answer["reply_markup"])["keyboard"][0][0]["request_contact"])
        self.assertFalse(BotUpdate.objects.exists())
        self.assertFalse(BotDraft.objects.exists())
        self.assertFalse(TelegramLink.objects.exists())
        self.assertEqual(AuditEvent.objects.count(), before)


class LinkingTests(BotTestCase):
    def test_the_code_from_the_profile_page_links_the_account(self) -> None:
        self.client.force_login(self.jalalabad)
        self.client.post(reverse("social:telegram"))
        code = self.client.get(reverse("social:telegram")).context["code"].code
        self.client.logout()
        answer = self.send(self.message(text=f"/start {code}")).json()
        self.assertIn("যুক্ত হয়েছে", answer["text"])
        link = TelegramLink.objects.get()
        self.assertEqual((link.user, link.telegram_id), (self.jalalabad, JALALABAD_TG))
        # The code is used up.
        again = self.send(self.message(sender=888, text=code)).json()
        self.assertIn("মেলেনি", again["text"])

    def test_an_expired_code_does_not_link(self) -> None:
        code = linking.new_code(self.jalalabad, by=self.jalalabad)
        code.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        code.save()
        self.send(self.message(text=code.code))
        self.assertFalse(TelegramLink.objects.exists())

    def contact(self, phone: str, owner: int = JALALABAD_TG) -> dict[str, Any]:
        return self.message(
            contact={"phone_number": phone, "first_name": "Jamal", "user_id": owner}
        )

    def test_a_shared_contact_matching_a_verified_phone_links(self) -> None:
        person = Person.objects.get(user=self.jalalabad)
        Person.objects.filter(pk=person.pk).update(
            phone="+8801711223344", phone_verified_at=timezone.now()
        )
        self.send(self.contact("8801711223344"))
        self.assertEqual(TelegramLink.objects.get().user, self.jalalabad)

    def test_an_unverified_phone_or_someone_elses_contact_does_not_link(self) -> None:
        person = Person.objects.get(user=self.jalalabad)
        Person.objects.filter(pk=person.pk).update(phone="+8801711223344")
        self.send(self.contact("+8801711223344"))
        self.assertFalse(TelegramLink.objects.exists())
        Person.objects.filter(pk=person.pk).update(phone_verified_at=timezone.now())
        self.send(self.contact("+8801711223344", owner=999))  # forwarded, not their own
        self.assertFalse(TelegramLink.objects.exists())


class ReportByBotTests(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_jalalabad()

    def album(self) -> list[Any]:
        caption = "উঠান বৈঠক\nওয়ার্ডের নারী সদস্যদের নিয়ে উঠান বৈঠক হয়েছে।"
        return [
            self.send(
                self.message(
                    media_group_id="g1",
                    photo=self.photo("a", jpeg(colour="green")),
                    caption=caption,
                )
            ),
            self.send(
                self.message(media_group_id="g1", photo=self.photo("b", jpeg(colour="blue")))
            ),
            self.send(self.message(media_group_id="g1", document=self.document("c", heic()))),
        ]

    def test_an_album_in_several_updates_becomes_one_report_through_the_same_actions(self) -> None:
        first, second, third = self.album()
        self.assertEqual(third.content, b"")
        summary = first.json()
        self.assertIn("শিরোনাম: উঠান বৈঠক", summary["text"])
        self.assertIn("জালালাবাদ", summary["text"])
        buttons = json.loads(summary["reply_markup"])["inline_keyboard"]
        self.assertEqual([b["text"] for b in buttons[0]], ["জমা দিন", "আরও ছবি"])
        self.assertEqual(second.content, b"")  # one answer per album, not one per photo
        draft = BotDraft.objects.get()
        self.assertEqual(len(draft.photos), 3)
        answer = self.send(self.button(f"submit:{draft.pk}")).json()
        self.assertIn("জমা হয়েছে", answer["text"])
        report = Report.objects.get()
        self.assertEqual(report.title, "উঠান বৈঠক")
        self.assertEqual(report.body, "ওয়ার্ডের নারী সদস্যদের নিয়ে উঠান বৈঠক হয়েছে।")
        self.assertEqual((report.unit, report.author), (self.jalalabad_union, self.jalalabad))
        self.assertEqual(report.status, Report.Status.SUBMITTED)
        self.assertEqual(report.review_unit, self.sylhet_sadar)
        self.assertEqual(report.photos.count(), 3)
        self.assertIn("image/heif", set(report.photos.values_list("content_type", flat=True)))
        self.assertTrue(
            AuditEvent.objects.filter(verb="report.created", object_id=str(report.pk)).exists()
        )
        self.assertTrue(AuditEvent.objects.filter(verb="report.submitted").exists())

    def test_photos_go_through_the_pipeline_without_metadata(self) -> None:
        from daptar.reports.tasks import make_renditions

        self.send(self.message(photo=self.photo("gps", jpeg(gps=True)), caption="সভা"))
        self.send(self.button(f"submit:{BotDraft.objects.get().pk}"))
        photo = Photo.objects.get()
        self.assertEqual(make_renditions.call(photo.pk), "ready")
        import io

        from PIL import Image

        from daptar.reports.actions import photo_storage

        photo.refresh_from_db()
        with photo_storage().open(photo.rendition_name(photo.renditions[0]["w"], "jpg")) as f:
            self.assertEqual(dict(Image.open(io.BytesIO(f.read())).getexif()), {})

    def test_a_repeated_update_changes_nothing(self) -> None:
        body = self.message(photo=self.photo("a", jpeg()), caption="সভা")
        self.send(body, update_id=123)
        draft = BotDraft.objects.get()
        updated = draft.updated_at
        response = self.send(body, update_id=123)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        draft.refresh_from_db()
        self.assertEqual((len(draft.photos), draft.updated_at), (1, updated))
        # Pressing "submit" twice (or Telegram repeating it) makes one report.
        self.send(self.button(f"submit:{draft.pk}"), update_id=124)
        self.send(self.button(f"submit:{draft.pk}"), update_id=124)
        self.send(self.button(f"submit:{draft.pk}"), update_id=125)
        self.assertEqual(Report.objects.count(), 1)

    def test_photos_one_by_one_join_the_open_draft_and_cancel_drops_it(self) -> None:
        self.send(self.message(photo=self.photo("a", jpeg(colour="green")), caption="সভা"))
        self.send(self.message(photo=self.photo("b", jpeg(colour="blue"))))
        draft = BotDraft.objects.get()
        self.assertEqual(len(draft.photos), 2)
        self.assertIn("বাতিল", self.send(self.button(f"cancel:{draft.pk}")).json()["text"])
        draft.refresh_from_db()
        self.assertEqual(draft.status, BotDraft.Status.CANCELLED)
        self.assertFalse(Report.objects.exists())

    def test_a_sender_whose_term_has_ended_is_refused(self) -> None:
        Term.objects.filter(person__user=self.jalalabad).update(
            started_on=timezone.localdate() - datetime.timedelta(days=400),
            ended_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        answer = self.send(self.message(photo=self.photo("a", jpeg()), caption="সভা")).json()
        self.assertIn("মেয়াদ শেষ", answer["text"])
        self.assertFalse(BotDraft.objects.exists())
        self.assertFalse(BotUpdate.objects.exists())


class DirectiveNoticeTests(BotTestCase):
    def test_a_new_directive_is_sent_with_a_button_that_acknowledges_it(self) -> None:
        self.link_jalalabad()
        directive = issued(
            self.fresh(self.sylhet), target=self.sylhet_district, target_levels=("union",)
        )
        result = notices.sweep()
        self.assertEqual(result["bot_sent"], 1)
        [sent] = self.fake.sent_to_users
        self.assertEqual(sent["chat_id"], JALALABAD_TG)
        self.assertIn(directive.title, sent["text"])
        self.assertIn(f"/office/directives/{directive.pk}/", sent["text"])
        data = json.loads(sent["reply_markup"])["inline_keyboard"][0][0]["callback_data"]
        # A second sweep sends nothing again.
        notices.sweep()
        self.assertEqual(len(self.fake.sent_to_users), 1)
        self.assertEqual(BotNotice.objects.count(), 1)
        answer = self.send(self.button(data)).json()
        self.assertIn("প্রাপ্তি স্বীকার করা হয়েছে", answer["text"])
        delivery = Delivery.objects.get(directive=directive, unit=self.jalalabad_union)
        self.assertEqual(delivery.state, Delivery.State.ACKNOWLEDGED)
        self.assertEqual(delivery.acknowledged_by, self.jalalabad)
        self.assertTrue(AuditEvent.objects.filter(verb="directive.acknowledged").exists())
        self.assertIn("আগেই", self.send(self.button(data)).json()["text"])

    def test_a_button_for_another_units_delivery_does_nothing(self) -> None:
        self.link_jalalabad()
        directive = issued(self.fresh(self.central), target=self.root, target_levels=("district",))
        other = Delivery.objects.get(directive=directive, unit=self.dhaka_district)
        self.send(self.button(f"ack:{other.pk}"))
        other.refresh_from_db()
        self.assertNotEqual(other.state, Delivery.State.ACKNOWLEDGED)


class ProfileLinkTests(BotTestCase):
    def test_the_account_page_leads_to_the_code(self) -> None:
        self.client.force_login(self.jalalabad)
        page = self.client.get(reverse("accounts:password"))
        self.assertContains(page, reverse("social:telegram"))
        self.client.post(reverse("social:telegram"))
        shown = self.client.get(reverse("social:telegram"))
        self.assertContains(shown, 'data-testid="link-code"')
        self.assertContains(shown, shown.context["code"].code)

    def test_unlinking(self) -> None:
        self.link_jalalabad()
        self.client.force_login(self.jalalabad)
        self.assertContains(self.client.get(reverse("social:telegram")), 'data-testid="linked"')
        self.client.post(reverse("social:telegram"), {"unlink": "1"})
        self.assertFalse(TelegramLink.objects.exists())
