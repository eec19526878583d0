"""The office pages: channels with their states and the X notice, and a report's posts with
retry and cancel."""

from __future__ import annotations

from django.urls import reverse

from daptar.social import fakes, sending
from daptar.social.models import SocialChannel, SocialPost
from daptar.social.tests.support import SocialTestCase

CHANNELS = reverse("social:channels")


class ViewTestCase(SocialTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class ChannelPageTests(ViewTestCase):
    def test_it_lists_the_channels_in_scope_with_states_and_errors(self) -> None:
        broken = self.channel("facebook")
        self.channel("x", unit=self.dhaka_district)
        post = SocialPost.objects.get(report=self.report())
        self.fake.fail("fb.photos", fakes.FB_TOKEN_EXPIRED)
        sending.send(post.pk)
        self.client.force_login(self.sylhet)
        response = self.client.get(CHANNELS)
        self.assertEqual([c.pk for c in response.context["channels"]], [broken.pk])
        self.assertContains(response, "needs reconnecting")
        self.assertContains(response, "access token no longer works")
        self.assertContains(response, "Reconnect")
        self.assertNotContains(response, 'data-testid="x-cost"')

    def test_x_cost_notice_shows_with_the_months_count(self) -> None:
        channel = self.channel("x")
        self.report()
        sending.sweep()
        self.client.force_login(self.sylhet)
        response = self.client.get(CHANNELS)
        self.assertContains(response, 'data-testid="x-cost"')
        self.assertContains(response, "costs money")
        row = next(c for c in response.context["channels"] if c.pk == channel.pk)
        self.assertEqual(row.month_posts, 1)

    def test_the_page_is_in_bengali_by_default(self) -> None:
        self.channel("x")
        self.client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
        self.client.force_login(self.sylhet)
        response = self.client.get(CHANNELS)
        self.assertContains(response, "সামাজিক মাধ্যম")

    def test_adding_a_channel_keeps_the_token_out_of_the_page(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(
            reverse("social:new"),
            {
                "unit": self.sylhet_district.pk,
                "kind": "telegram",
                "name": "Sylhet channel",
                "target": "@sylhet",
                "reach": "subtree",
                "language": "bn",
                "token": "123:bot-secret",
            },
        )
        self.assertRedirects(response, CHANNELS)
        channel = SocialChannel.objects.get()
        self.assertTrue(channel.has_credentials)
        page = self.client.get(reverse("social:edit", args=[channel.pk]))
        self.assertNotContains(page, "123:bot-secret")

    def test_an_outsider_gets_404_and_a_read_only_desk_403(self) -> None:
        channel = self.channel("facebook", unit=self.jalalabad_union, target="55")
        self.client.force_login(self.dhaka)
        self.assertEqual(
            self.client.get(reverse("social:edit", args=[channel.pk])).status_code, 404
        )
        self.client.force_login(self.jalalabad_president)
        self.assertEqual(
            self.client.get(reverse("social:edit", args=[channel.pk])).status_code, 403
        )

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertEqual(self.client.get(CHANNELS).status_code, 302)

    def test_pausing_and_resuming(self) -> None:
        channel = self.channel("facebook")
        self.client.force_login(self.sylhet)
        self.client.post(reverse("social:state", args=[channel.pk]), {"state": "paused"})
        channel.refresh_from_db()
        self.assertEqual(channel.state, SocialChannel.State.PAUSED)
        self.client.post(reverse("social:state", args=[channel.pk]), {"state": "connected"})
        channel.refresh_from_db()
        self.assertEqual(channel.state, SocialChannel.State.CONNECTED)


class ReportPageTests(ViewTestCase):
    def test_the_reports_page_lists_its_posts_with_link_and_error(self) -> None:
        self.channel("facebook")
        self.channel("telegram", unit=self.root, target="@centre")
        report = self.report()
        self.fake.fail("tg.sendPhoto", fakes.TG_BAD_GATEWAY)
        sending.sweep()
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("reports:detail", args=[report.pk]))
        self.assertContains(response, 'data-testid="social-posts"')
        self.assertContains(response, "https://www.facebook.com/")
        self.assertContains(response, "Bad Gateway")
        # The district runs its Page, not the centre's channel: no buttons on that one.
        telegram = SocialPost.objects.get(channel__kind="telegram")
        self.assertNotContains(response, reverse("social:retry", args=[telegram.pk]))

    def test_retry_and_cancel_from_the_reports_page(self) -> None:
        self.channel("facebook")
        report = self.report()
        post = SocialPost.objects.get(report=report)
        self.fake.fail("fb.photos", fakes.FB_TEMPORARY)
        sending.send(post.pk)
        self.client.force_login(self.sylhet)
        page = reverse("reports:detail", args=[report.pk])
        self.assertContains(self.client.get(page), reverse("social:retry", args=[post.pk]))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("social:retry", args=[post.pk]), {"next": page})
        self.assertRedirects(response, page)
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)
        response = self.client.post(reverse("social:cancel", args=[post.pk]), {"next": page})
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)  # posted: nothing to cancel

    def test_cancel_stops_a_waiting_post(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report())
        self.client.force_login(self.sylhet)
        self.client.post(reverse("social:cancel", args=[post.pk]))
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.CANCELLED)
        self.assertEqual(sending.send(post.pk), "skipped")


class AdminTests(ViewTestCase):
    def test_the_admin_lists_channels_and_posts_with_errors_and_never_the_secret(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report())
        self.fake.fail("fb.photos", fakes.FB_TEMPORARY)
        sending.send(post.pk)
        self.client.force_login(self.operator)
        channels = self.client.get(reverse("admin:social_socialchannel_changelist"))
        self.assertContains(channels, "connected")
        detail = self.client.get(
            reverse("admin:social_socialchannel_change", args=[post.channel_id])
        )
        self.assertNotContains(detail, SocialChannel.objects.get().secret)
        posts = self.client.get(reverse("admin:social_socialpost_changelist"))
        self.assertContains(posts, "unexpected error")

    def test_send_again_from_the_admin(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report())
        with self.settings(DAPTAR_SOCIAL_MAX_ATTEMPTS=1):
            self.fake.fail("fb.photos", fakes.FB_TEMPORARY)
            sending.send(post.pk)
        self.client.force_login(self.operator)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:social_socialpost_changelist"),
                {"action": "send_again", "_selected_action": [post.pk]},
            )
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)


class QueryCountTests(ViewTestCase):
    def count(self) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(CHANNELS)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(CHANNELS).status_code, 200)
        return len(captured)

    def test_the_channels_page_costs_the_same_for_more_channels_and_posts(self) -> None:
        self.channel("facebook")
        self.report()
        sending.sweep()
        self.client.force_login(self.sylhet)
        before = self.count()
        for n in range(3):
            self.channel("telegram", target=f"@c{n}")
        self.report(title="আরেকটি")
        sending.sweep()
        self.assertEqual(SocialPost.objects.count(), 5)
        self.assertEqual(self.count(), before)
