"""Posting to the three networks once, and every error class of each."""

from __future__ import annotations

import datetime
import json
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.notifications.models import Notification
from daptar.social import credentials, fakes, sending
from daptar.social.models import SocialChannel, SocialPost
from daptar.social.tests.support import SITE, SocialTestCase


class QueueingTests(SocialTestCase):
    def test_publishing_queues_one_post_per_accepting_channel_of_the_unit_and_above(self) -> None:
        district = self.channel("facebook")
        centre = self.channel("telegram", unit=self.root, target="@centre")
        self.channel("x", unit=self.dhaka_district)  # a sibling's: not ours
        own_only = self.channel("facebook", unit=self.sylhet_sadar, target="77", reach="own")
        report = self.report()
        posts = SocialPost.objects.filter(report=report)
        self.assertEqual({p.channel_id for p in posts}, {district.pk, centre.pk})
        self.assertNotIn(own_only.pk, {p.channel_id for p in posts})
        self.assertTrue(all(p.status == SocialPost.Status.PENDING for p in posts))

    def test_the_units_own_channel_takes_its_own_report(self) -> None:
        own = self.channel("facebook", unit=self.jalalabad_union, target="66", reach="own")
        self.assertTrue(SocialPost.objects.filter(report=self.report(), channel=own).exists())

    def test_a_channel_takes_only_its_categories(self) -> None:
        from daptar.reports.models import Category

        welfare = Category.objects.exclude(slug="programme").first()
        assert welfare is not None
        channel = self.channel("facebook")
        channel.categories.set([welfare])
        report = self.report()
        self.assertFalse(SocialPost.objects.filter(report=report, channel=channel).exists())

    def test_paused_channel_takes_nothing(self) -> None:
        self.channel("facebook", state=SocialChannel.State.PAUSED)
        self.assertFalse(SocialPost.objects.filter(report=self.report()).exists())

    def test_review_first_holds_the_post_until_the_channels_office_releases_it(self) -> None:
        from daptar.social import actions

        self.channel("facebook", needs_review=True)
        post = SocialPost.objects.get(report=self.report())
        self.assertEqual(post.status, SocialPost.Status.HELD)
        self.assertEqual(sending.send(post.pk), "skipped")
        with self.assertRaises(PermissionDenied):
            actions.release_post(post, by=self.fresh(self.jalalabad))
        with self.captureOnCommitCallbacks(execute=True):
            actions.release_post(post, by=self.fresh(self.sylhet))
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)

    def test_credentials_are_encrypted_and_never_audited(self) -> None:
        channel = self.channel("facebook")
        self.assertNotIn("facebook-token-1", channel.secret)
        self.assertEqual(credentials.unseal(channel.secret), {"access_token": "facebook-token-1"})
        events = AuditEvent.objects.filter(verb="social.channel_added")
        self.assertEqual(events.count(), 1)
        self.assertNotIn("facebook-token-1", json.dumps(next(iter(events.values())), default=str))

    def test_without_a_key_one_is_derived_from_the_secret_key(self) -> None:
        with self.settings(DAPTAR_SOCIAL_KEY=[]):
            sealed = credentials.seal({"a": "b"})
            self.assertTrue(credentials.uses_derived_key())
            self.assertEqual(credentials.unseal(sealed), {"a": "b"})
        self.assertEqual(credentials.unseal(sealed), {})  # another key cannot open it


class FacebookTests(SocialTestCase):
    def post(self, photos: int = 1) -> SocialPost:
        self.channel("facebook")
        return SocialPost.objects.get(report=self.report(photos=photos))

    def test_one_photo_is_one_photos_post_with_the_message_and_public_url(self) -> None:
        post = self.post(photos=1)
        self.assertEqual(sending.send(post.pk), "sent")
        post.refresh_from_db()
        self.assertEqual(self.fake.count("fb.photos"), 1)
        self.assertEqual(self.fake.count("fb.feed"), 0)
        made = self.fake.feeds["1122334455"][0]
        self.assertEqual(post.external_id, made["id"])
        self.assertIn(f"{SITE}/", made["message"])
        self.assertIn(post.report.public_url, made["message"])
        self.assertIn("জালালাবাদ", made["message"])

    def test_several_photos_are_uploaded_unpublished_and_attached_to_one_feed_post(self) -> None:
        post = self.post(photos=3)
        self.assertEqual(sending.send(post.pk), "sent")
        self.assertEqual(self.fake.count("fb.photos"), 3)
        self.assertEqual(self.fake.count("fb.feed"), 1)
        self.assertTrue(
            all(c.data["published"] == "false" for c in self.fake.calls if c.op == "fb.photos")
        )
        self.assertEqual(len(self.fake.feeds["1122334455"][0]["photos"]), 3)

    def test_no_photo_is_a_feed_post_with_the_link(self) -> None:
        post = self.post(photos=0)
        sending.send(post.pk)
        self.assertEqual(self.fake.feeds["1122334455"][0]["link"], post.report.public_url)

    def test_invalid_token_marks_the_channel_and_tells_its_office(self) -> None:
        for answer in (fakes.FB_TOKEN_EXPIRED, fakes.FB_SESSION):
            with self.subTest(code=answer[1]["error"]["code"]):
                SocialChannel.objects.all().delete()
                post = self.post()
                self.fake.fail("fb.photos", answer)
                self.assertEqual(sending.send(post.pk), "waiting")
                post.refresh_from_db()
                post.channel.refresh_from_db()
                self.assertEqual(post.channel.state, SocialChannel.State.RECONNECT)
                self.assertEqual(post.status, SocialPost.Status.PENDING)
                self.assertIn("access token", post.channel.state_reason)
                self.assertTrue(
                    Notification.objects.filter(
                        unit=self.sylhet_district, kind="social.reconnect"
                    ).exists()
                )

    def test_missing_permission_names_it(self) -> None:
        for answer, name in (
            (fakes.FB_PERMISSION, "pages_manage_posts"),
            (fakes.FB_PERMISSION_10, "pages_read_engagement"),
        ):
            with self.subTest(name=name):
                SocialChannel.objects.all().delete()
                post = self.post()
                self.fake.fail("fb.photos", answer)
                self.assertEqual(sending.send(post.pk), "waiting")
                post.channel.refresh_from_db()
                self.assertEqual(post.channel.state, SocialChannel.State.RECONNECT)
                self.assertIn(name, post.channel.state_reason)

    def test_reconnecting_sends_the_waiting_posts(self) -> None:
        from daptar.social import actions

        post = self.post()
        self.fake.fail("fb.photos", fakes.FB_TOKEN_EXPIRED)
        sending.send(post.pk)
        channel = SocialChannel.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            actions.save_channel(channel, by=self.operator, secrets={"access_token": "new"})
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)

    def test_throttling_waits_as_long_as_the_business_use_case_header_says(self) -> None:
        post = self.post()
        self.fake.fail("fb.photos", fakes.FB_THROTTLED)
        before = timezone.now()
        self.assertEqual(sending.send(post.pk), "retry")
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.PENDING)
        wait = post.next_attempt_at - before
        self.assertGreaterEqual(wait, datetime.timedelta(minutes=17))
        self.assertLess(wait, datetime.timedelta(minutes=18))

    def test_temporary_error_is_retried_with_back_off(self) -> None:
        post = self.post()
        self.fake.fail("fb.photos", fakes.FB_TEMPORARY)
        self.assertEqual(sending.send(post.pk), "retry")
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.PENDING)
        self.assertFalse(post.unconfirmed)
        self.assertIn("unexpected error", post.last_error)
        self.assertEqual(sending.send(post.pk, now=post.next_attempt_at), "sent")

    def test_duplicate_counts_as_posted(self) -> None:
        post = self.post(photos=0)
        self.fake.fail("fb.feed", fakes.FB_DUPLICATE)
        self.assertEqual(sending.send(post.pk), "sent")
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)
        self.assertIn("506", post.last_error)

    def test_gives_up_after_the_last_attempt(self) -> None:
        post = self.post()
        with self.settings(DAPTAR_SOCIAL_MAX_ATTEMPTS=2):
            self.fake.fail("fb.photos", fakes.FB_TEMPORARY, fakes.FB_TEMPORARY)
            sending.send(post.pk)
            post.refresh_from_db()
            sending.send(post.pk, now=post.next_attempt_at)
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.FAILED)


class TelegramTests(SocialTestCase):
    def post(self, photos: int = 1) -> SocialPost:
        self.channel("telegram")
        return SocialPost.objects.get(report=self.report(photos=photos))

    def test_kinds_of_message_by_photo_count(self) -> None:
        for photos, op in ((0, "tg.sendMessage"), (1, "tg.sendPhoto"), (3, "tg.sendMediaGroup")):
            with self.subTest(photos=photos):
                SocialChannel.objects.all().delete()
                post = self.post(photos=photos)
                self.assertEqual(sending.send(post.pk), "sent")
                call = [c for c in self.fake.calls if c.op == op][-1]
                post.refresh_from_db()
                if op == "tg.sendMediaGroup":
                    self.assertEqual(len(call.data["media"]), 3)
                    self.assertIn(post.report.public_url, call.data["media"][0]["caption"])
                    self.assertNotIn("caption", call.data["media"][1])
                    self.assertEqual(len(post.external_id.split(",")), 3)
                self.assertTrue(post.url.startswith("https://t.me/sylhet_office/"))

    def test_caption_is_cut_to_1024_with_the_link_kept(self) -> None:
        from daptar.social import texts
        from daptar.social.networks.telegram import Telegram, utf16_length

        link = "https://daptar.example.org/r/1/x"
        connector = Telegram("@c", {})
        caption = texts.compose(
            "শিরোনাম " * 200,
            "বিবরণ " * 300,
            "জালালাবাদ",
            "#সিলেট",
            link,
            limit=connector.limit(2),
            measure=connector.measure,
        )
        self.assertLessEqual(utf16_length(caption), 1024)
        self.assertGreater(utf16_length(caption), 1000)  # cut, not emptied
        self.assertTrue(caption.endswith(link))
        self.assertIn("— জালালাবাদ", caption)

    def test_retry_after_is_honoured(self) -> None:
        post = self.post()
        self.fake.fail("tg.sendPhoto", fakes.TG_TOO_MANY)
        before = timezone.now()
        self.assertEqual(sending.send(post.pk), "retry")
        post.refresh_from_db()
        self.assertGreaterEqual(post.next_attempt_at - before, datetime.timedelta(seconds=7))
        self.assertLess(post.next_attempt_at - before, datetime.timedelta(seconds=9))

    def test_missing_admin_right_is_a_clear_channel_error(self) -> None:
        for answer in (fakes.TG_NO_RIGHTS, fakes.TG_NOT_MEMBER, fakes.TG_UNAUTHORIZED):
            with self.subTest(answer=answer[1]["description"]):
                SocialChannel.objects.all().delete()
                post = self.post()
                self.fake.fail("tg.sendPhoto", answer)
                self.assertEqual(sending.send(post.pk), "waiting")
                post.channel.refresh_from_db()
                self.assertEqual(post.channel.state, SocialChannel.State.RECONNECT)
                expected = "token" if answer is fakes.TG_UNAUTHORIZED else "administrator"
                self.assertIn(expected, post.channel.state_reason)

    def test_server_error_is_retried(self) -> None:
        post = self.post()
        self.fake.fail("tg.sendPhoto", fakes.TG_BAD_GATEWAY)
        self.assertEqual(sending.send(post.pk), "retry")


class XTests(SocialTestCase):
    def post(self, photos: int = 1) -> SocialPost:
        self.channel("x")
        return SocialPost.objects.get(report=self.report(photos=photos))

    def test_media_uploaded_then_tweet_with_at_most_four(self) -> None:
        post = self.post(photos=6)
        self.assertEqual(sending.send(post.pk), "sent")
        self.assertEqual(self.fake.count("x.media"), 4)
        tweet = next(iter(self.fake.tweets.values()))
        self.assertEqual(len(tweet["media"]), 4)
        post.refresh_from_db()
        self.assertEqual(post.external_id, tweet["id"])

    def test_text_is_cut_to_the_weighted_length_with_the_link_kept(self) -> None:
        from daptar.social.networks.x import weighted_length

        post = self.post(photos=0)
        report = post.report
        report.title = "বাংলাদেশের তৃণমূল কর্মসূচি " * 7
        report.save()
        sending.send(post.pk)
        text = next(iter(self.fake.tweets.values()))["text"]
        self.assertLessEqual(weighted_length(text), 280)
        self.assertGreater(weighted_length(text), 240)  # cut, not emptied
        self.assertTrue(text.endswith(report.public_url))

    def test_weighted_length_is_xs_not_len(self) -> None:
        from daptar.social.networks.x import weighted_length

        link = "https://daptar.example.org/" + "a" * 80
        self.assertEqual(weighted_length(link), 23)  # a URL counts 23 whatever its length
        self.assertEqual(weighted_length("漢字"), 4)  # CJK counts double

    def test_429_waits_until_the_reset(self) -> None:
        post = self.post()
        reset = int(timezone.now().timestamp()) + 600
        self.fake.fail("x.tweets", fakes.x_too_many(reset))
        self.assertEqual(sending.send(post.pk), "retry")
        post.refresh_from_db()
        self.assertAlmostEqual(post.next_attempt_at.timestamp(), reset, delta=2)

    def test_unauthorized_and_forbidden_mark_the_channel(self) -> None:
        for answer in (fakes.X_UNAUTHORIZED, fakes.X_FORBIDDEN):
            with self.subTest(status=answer[0]):
                SocialChannel.objects.all().delete()
                post = self.post()
                self.fake.fail("x.tweets", answer)
                self.assertEqual(sending.send(post.pk), "waiting")
                post.channel.refresh_from_db()
                self.assertEqual(post.channel.state, SocialChannel.State.RECONNECT)

    def test_unavailable_is_retried(self) -> None:
        post = self.post()
        self.fake.fail("x.tweets", fakes.X_UNAVAILABLE)
        self.assertEqual(sending.send(post.pk), "retry")

    def test_duplicate_content_counts_as_posted(self) -> None:
        post = self.post()
        self.fake.fail("x.tweets", fakes.X_DUPLICATE)
        self.assertEqual(sending.send(post.pk), "sent")


class NetworkDownTests(SocialTestCase):
    def test_a_connection_that_never_opened_is_retried_as_certain(self) -> None:
        import httpx

        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report())
        with mock.patch.object(
            fakes.FakeTransport, "handle_request", side_effect=httpx.ConnectError("refused")
        ):
            self.assertEqual(sending.send(post.pk), "retry")
        post.refresh_from_db()
        self.assertFalse(post.unconfirmed)


class PacingTests(SocialTestCase):
    def test_a_channel_never_goes_past_its_networks_rate(self) -> None:
        from daptar.social import actions

        self.channel("telegram")
        posts = [SocialPost.objects.get(report=self.report(photos=p)) for p in (1, 2, 0)]
        now = timezone.now()
        with mock.patch.dict(actions.RATES, {"telegram": (3, datetime.timedelta(minutes=1))}):
            self.assertEqual(sending.send(posts[0].pk, now=now), "sent")
            # The album counts as two messages: three in the window, the limit.
            self.assertEqual(sending.send(posts[1].pk, now=now), "sent")
            self.assertEqual(sending.send(posts[2].pk, now=now), "paced")
            paced = SocialPost.objects.get(pk=posts[2].pk)
            self.assertEqual(paced.status, SocialPost.Status.PENDING)
            self.assertEqual(paced.attempts, 0)
            self.assertFalse(paced.unconfirmed)
            # The first message leaves the window a minute after it started: one place.
            first = SocialPost.objects.get(pk=posts[0].pk)
            assert first.started_at is not None
            self.assertEqual(
                paced.next_attempt_at,
                first.started_at + datetime.timedelta(minutes=1) + actions.PACE_MARGIN,
            )
            self.assertEqual(sending.send(paced.pk, now=paced.next_attempt_at), "sent")
        self.assertEqual(self.fake.count("tg.sendMessage"), 1)
