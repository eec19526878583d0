"""Never twice: a worker that dies after the network took the post, a lost answer, two
workers at once; and withdrawal deleting the posts."""

from __future__ import annotations

import datetime
from unittest import mock

import httpx
from django.utils import timezone

from daptar.notifications.models import Notification
from daptar.reports import actions as reports
from daptar.social import actions, fakes, sending
from daptar.social.models import SocialPost
from daptar.social.tests.support import SocialTestCase

LATER = sending.LEASE + datetime.timedelta(seconds=1)


class WorkerKilled(BaseException):
    """What the worker's death looks like from inside: nothing after it runs."""


class ExactlyOnceTests(SocialTestCase):
    def kill_after_network(self, post: SocialPost) -> None:
        """Send, and die between the network's answer and recording it."""
        with (
            mock.patch.object(actions, "posted", side_effect=WorkerKilled),
            self.assertRaises(WorkerKilled),
        ):
            sending.send(post.pk)
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENDING)
        self.assertTrue(post.unconfirmed)

    def test_facebook_post_of_a_killed_worker_is_found_not_posted_again(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report(photos=2))
        self.kill_after_network(post)
        # Before the lease runs out nobody touches it.
        self.assertEqual(sending.sweep()["due"], 0)
        self.assertEqual(sending.sweep(now=timezone.now() + LATER)["sent"], 1)
        post.refresh_from_db()
        feed = self.fake.feeds["1122334455"]
        self.assertEqual(len(feed), 1)
        self.assertEqual(self.fake.count("fb.feed"), 1)
        self.assertEqual(post.status, SocialPost.Status.SENT)
        self.assertEqual(post.external_id, feed[0]["id"])
        self.assertFalse(post.unconfirmed)

    def test_x_post_of_a_killed_worker_is_found_among_recent_tweets(self) -> None:
        self.channel("x")
        post = SocialPost.objects.get(report=self.report(photos=1))
        self.kill_after_network(post)
        sending.sweep(now=timezone.now() + LATER)
        post.refresh_from_db()
        self.assertEqual(self.fake.count("x.tweets"), 1)
        self.assertEqual(len(self.fake.tweets), 1)
        self.assertEqual(post.external_id, next(iter(self.fake.tweets)))

    def test_telegram_post_of_a_killed_worker_is_left_for_the_office_to_check(self) -> None:
        self.channel("telegram")
        post = SocialPost.objects.get(report=self.report(photos=1))
        self.kill_after_network(post)
        self.assertEqual(sending.send(post.pk, now=timezone.now() + LATER), "unknown")
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.UNKNOWN)
        self.assertEqual(self.fake.count("tg.sendPhoto"), 1)
        self.assertTrue(
            Notification.objects.filter(unit=self.sylhet_district, kind="social.unknown").exists()
        )
        # The sweep leaves it alone; the office's "send again" is the only way on.
        sending.sweep(now=timezone.now() + LATER * 2)
        self.assertEqual(self.fake.count("tg.sendPhoto"), 1)
        with self.captureOnCommitCallbacks(execute=True):
            actions.retry_post(post, by=self.fresh(self.sylhet))
        self.assertEqual(self.fake.count("tg.sendPhoto"), 2)

    def test_a_lost_answer_is_checked_before_the_next_attempt(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report(photos=1))
        self.fake.lose("fb.photos")
        self.assertEqual(sending.send(post.pk), "retry")
        post.refresh_from_db()
        self.assertTrue(post.unconfirmed)
        self.assertEqual(sending.send(post.pk, now=post.next_attempt_at), "sent")
        self.assertEqual(self.fake.count("fb.photos"), 1)
        self.assertEqual(len(self.fake.feeds["1122334455"]), 1)

    def test_a_lost_request_that_never_arrived_is_sent_after_the_check(self) -> None:
        self.channel("x")
        post = SocialPost.objects.get(report=self.report(photos=0))
        # The connection dropped before the request arrived: the network has nothing, but
        # the worker cannot know that, so the check runs and finds nothing.
        with mock.patch.object(
            fakes.FakeTransport, "handle_request", side_effect=httpx.ReadTimeout("lost")
        ):
            sending.send(post.pk)
        post.refresh_from_db()
        self.assertTrue(post.unconfirmed)
        self.assertEqual(sending.send(post.pk, now=post.next_attempt_at), "sent")
        self.assertEqual(self.fake.count("x.recent"), 1)
        self.assertEqual(len(self.fake.tweets), 1)

    def test_a_worker_that_died_before_sending_sends_without_looking(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report(photos=1))
        self.assertTrue(actions.claim(post.pk, timezone.now(), sending.LEASE))
        # ... and the worker dies here, before recording an attempt.
        self.assertEqual(sending.send(post.pk, now=timezone.now() + LATER), "sent")
        self.assertEqual(self.fake.count("fb.recent"), 0)
        self.assertEqual(self.fake.count("fb.photos"), 1)

    def test_two_workers_never_hold_one_post(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report())
        now = timezone.now()
        self.assertTrue(actions.claim(post.pk, now, sending.LEASE))
        self.assertFalse(actions.claim(post.pk, now, sending.LEASE))
        self.assertEqual(sending.send(post.pk, now=now), "skipped")


class WithdrawTests(SocialTestCase):
    def test_withdrawing_deletes_the_posts_on_every_network(self) -> None:
        self.channel("facebook")
        self.channel("telegram", unit=self.root, target="@centre")
        self.channel("x", unit=self.root)
        report = self.report(photos=2)
        sending.sweep()
        self.assertEqual(
            set(SocialPost.objects.filter(report=report).values_list("status", flat=True)),
            {SocialPost.Status.SENT},
        )
        with self.captureOnCommitCallbacks(execute=True):
            reports.withdraw(report, by=self.fresh(self.sadar))
        self.assertEqual(
            set(SocialPost.objects.filter(report=report).values_list("status", flat=True)),
            {SocialPost.Status.DELETED},
        )
        self.assertEqual(self.fake.feeds["1122334455"], [])
        self.assertEqual(self.fake.messages["@centre"], [])
        self.assertEqual(self.fake.tweets, {})

    def test_a_post_the_network_will_not_delete_is_listed_for_removal_by_hand(self) -> None:
        self.channel("facebook")
        report = self.report()
        sending.sweep()
        self.fake.fail("fb.delete", fakes.FB_PERMISSION)
        with self.captureOnCommitCallbacks(execute=True):
            reports.withdraw(report, by=self.fresh(self.sadar))
        post = SocialPost.objects.get(report=report)
        self.assertEqual(post.status, SocialPost.Status.REMOVE)
        self.assertIn("pages_manage_posts", post.last_error)

    def test_unsent_posts_are_cancelled_and_come_back_on_publishing_again(self) -> None:
        self.channel("facebook")
        report = self.report()
        with self.captureOnCommitCallbacks(execute=False):
            reports.withdraw(report, by=self.fresh(self.sadar))
        post = SocialPost.objects.get(report=report)
        self.assertEqual(post.status, SocialPost.Status.CANCELLED)
        with self.captureOnCommitCallbacks(execute=False):
            reports.publish(report, by=self.fresh(self.sadar))
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.PENDING)
