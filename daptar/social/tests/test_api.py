"""The social API contract: channels within scope with write-only credentials, a report's
posts, and retry."""

from __future__ import annotations

import json

from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.social import credentials, sending
from daptar.social.models import SocialChannel, SocialPost
from daptar.social.tests.support import SocialTestCase

CHANNELS = "/api/v1/social/channels/"


class ApiTestCase(SocialTestCase):
    client: APIClient
    client_class = APIClient

    def authorise(self, user: User) -> None:
        key = account_actions.issue_token(user, by=user).key
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")

    def payload(self, **overrides: object) -> dict[str, object]:
        return {
            "unit": self.sylhet_district.pk,
            "kind": "facebook",
            "name": "Sylhet district Page",
            "target": "998877",
            "categories": ["programme"],
            "hashtags": "#সিলেট",
            "credentials": {"access_token": "EAAB-secret-page-token"},
            **overrides,
        }


class ChannelApiTests(ApiTestCase):
    def test_create_keeps_the_token_encrypted_and_never_answers_it(self) -> None:
        self.authorise(self.sylhet)
        response = self.client.post(CHANNELS, self.payload(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertNotIn("EAAB-secret-page-token", response.content.decode())
        self.assertNotIn("credentials", response.json())
        self.assertTrue(response.json()["has_credentials"])
        self.assertEqual(response.json()["categories"], ["programme"])
        channel = SocialChannel.objects.get(pk=response.json()["id"])
        self.assertNotIn("EAAB-secret-page-token", channel.secret)
        self.assertEqual(
            credentials.unseal(channel.secret)["access_token"], "EAAB-secret-page-token"
        )
        listed = self.client.get(CHANNELS)
        self.assertNotIn("EAAB-secret-page-token", listed.content.decode())
        audit = json.dumps(list(AuditEvent.objects.values()), default=str)
        self.assertNotIn("EAAB-secret-page-token", audit)

    def test_list_is_within_scope(self) -> None:
        ours = self.channel("facebook")
        theirs = self.channel("x", unit=self.dhaka_district)
        self.authorise(self.sylhet)
        ids = [row["id"] for row in self.client.get(CHANNELS).json()["results"]]
        self.assertEqual(ids, [ours.pk])
        self.assertNotIn(theirs.pk, ids)
        self.assertEqual(self.client.get(f"{CHANNELS}{theirs.pk}/").status_code, 404)

    def test_a_unit_outside_scope_is_refused(self) -> None:
        self.authorise(self.sylhet)
        response = self.client.post(
            CHANNELS, self.payload(unit=self.dhaka_district.pk), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("unit", response.json())

    def test_a_read_only_desk_may_not_add(self) -> None:
        self.authorise(self.jalalabad_president)
        response = self.client.post(
            CHANNELS, self.payload(unit=self.jalalabad_union.pk), format="json"
        )
        self.assertEqual(response.status_code, 403)

    def test_missing_token_is_a_clear_400(self) -> None:
        self.authorise(self.sylhet)
        response = self.client.post(CHANNELS, self.payload(credentials={}), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("credentials", response.json())

    def test_anonymous_is_401(self) -> None:
        self.assertEqual(self.client.get(CHANNELS).status_code, 401)


class PostApiTests(ApiTestCase):
    def test_a_reports_posts_say_where_it_went(self) -> None:
        self.channel("facebook")
        report = self.report()
        sending.sweep()
        self.authorise(self.jalalabad)
        response = self.client.get(f"/api/v1/reports/{report.pk}/posts/")
        self.assertEqual(response.status_code, 200)
        [row] = response.json()
        self.assertEqual(row["status"], "sent")
        self.assertEqual(row["network"], "facebook")
        self.assertTrue(row["external_id"])
        self.assertTrue(row["url"])

    def test_posts_of_a_report_outside_scope_are_404(self) -> None:
        report = self.report()
        self.authorise(self.dhaka)
        self.assertEqual(self.client.get(f"/api/v1/reports/{report.pk}/posts/").status_code, 404)

    def test_retry_sends_a_failed_post_again(self) -> None:
        from daptar.social import fakes

        self.channel("facebook")
        report = self.report()
        post = SocialPost.objects.get(report=report)
        with self.settings(DAPTAR_SOCIAL_MAX_ATTEMPTS=1):
            self.fake.fail("fb.photos", fakes.FB_TEMPORARY)
            sending.send(post.pk)
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.FAILED)
        self.authorise(self.sylhet)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/api/v1/social/posts/{post.pk}/retry/")
        self.assertEqual(response.status_code, 200, response.content)
        post.refresh_from_db()
        self.assertEqual(post.status, SocialPost.Status.SENT)
        self.assertTrue(AuditEvent.objects.filter(verb="social.post_retried").exists())

    def test_retry_codes(self) -> None:
        self.channel("facebook")
        post = SocialPost.objects.get(report=self.report())
        sending.send(post.pk)
        self.authorise(self.sylhet)
        url = f"/api/v1/social/posts/{post.pk}/retry/"
        self.assertEqual(self.client.post(url).status_code, 409)  # already posted
        self.authorise(self.jalalabad)  # sees the report, does not run the district's Page
        self.assertEqual(self.client.post(url).status_code, 403)
        self.authorise(self.dhaka)
        self.assertEqual(self.client.post(url).status_code, 404)


class QueryCountTests(ApiTestCase):
    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get(url)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_the_channel_list_costs_the_same_for_more_channels(self) -> None:
        self.authorise(self.sylhet)
        self.channel("facebook")
        before = self.count(CHANNELS)
        for n in range(4):
            self.channel("telegram", target=f"@c{n}")
        self.assertEqual(self.count(CHANNELS), before)

    def test_a_reports_posts_cost_the_same_for_more_posts(self) -> None:
        self.channel("facebook")
        report = self.report()
        self.authorise(self.jalalabad)
        url = f"/api/v1/reports/{report.pk}/posts/"
        before = self.count(url)
        from daptar.social.models import SocialPost

        for n in range(4):
            channel = self.channel("telegram", unit=self.root, target=f"@c{n}")
            SocialPost.objects.create(
                report=report, channel=channel, next_attempt_at=report.published_at
            )
        self.assertEqual(self.count(url), before)
