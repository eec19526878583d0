"""SMS around a directive: its cost before issue, its short code, where SMS answers show."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.test import override_settings
from django.urls import reverse

from daptar.directives import actions
from daptar.directives.models import Delivery, Directive
from daptar.directives.tasks import issued_message
from daptar.directives.tests.support import IMMEDIATE_TASKS, delivery, draft, issued
from daptar.directives.tests.test_api import ApiTestCase
from daptar.directives.tests.test_api import api as url
from daptar.lib import shortcodes
from daptar.lib.numerals import to_bengali_digits
from daptar.lib.sms import count_parts
from daptar.notifications.models import OutboxMessage


@override_settings(DAPTAR_SMS_PRICE_PER_PART="0.50")
class EstimateTests(ApiTestCase):
    def test_the_api_estimates_people_parts_and_cost(self) -> None:
        # Sylhet division's subtree below the division: district, metro, sadar, union, ward.
        directive = draft(self.central, target=self.sylhet_division, priority="urgent")
        self.authorise(self.central)
        response = self.client.get(url("sms-estimate", directive))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertTrue(body["sms"])
        # Acting office secretaries with a phone: division, district, metro, sadar, union, ward.
        self.assertEqual(body["people"], 6)
        parts = count_parts(directive.sms_text)
        self.assertEqual(body["encoding"], "ucs2")
        self.assertEqual(body["parts_per_sms"], parts.parts)
        self.assertEqual(body["parts"], parts.parts * 6)
        self.assertEqual(Decimal(body["cost"]), Decimal("0.50") * parts.parts * 6)
        self.assertEqual(body["currency"], "BDT")

    def test_a_normal_directive_says_it_sends_no_sms(self) -> None:
        directive = draft(self.central, target=self.sylhet_division)
        self.authorise(self.central)
        self.assertFalse(self.client.get(url("sms-estimate", directive)).json()["sms"])

    def test_an_outsider_gets_404(self) -> None:
        directive = draft(self.central, target=self.sylhet_division, priority="urgent")
        self.authorise(self.dhaka)
        self.assertEqual(self.client.get(url("sms-estimate", directive)).status_code, 404)

    def test_the_draft_page_shows_the_estimate_before_issue(self) -> None:
        directive = draft(self.central, target=self.sylhet_division, priority="urgent")
        self.client.force_login(self.central)
        page = self.client.get(
            reverse("directives:detail", args=[directive.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(page, 'data-testid="sms-estimate"')
        self.assertContains(page, "6 people")
        parts = count_parts(directive.sms_text).parts
        self.assertContains(page, f"{parts * 6} parts in all")

    def test_the_compose_preview_estimates_an_urgent_directive_as_it_is_typed(self) -> None:
        self.client.force_login(self.central)
        preview = reverse("directives:recipients")
        query = {"target_unit": self.sylhet_division.pk, "title": "ক" * 150}
        normal = self.client.get(preview, query, HTTP_ACCEPT_LANGUAGE="en")
        self.assertNotContains(normal, 'data-testid="sms-estimate"')
        urgent = self.client.get(
            preview, {**query, "priority": "urgent"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(urgent, 'data-testid="sms-estimate"')
        self.assertContains(urgent, "6 people")
        estimate = urgent.context["sms_estimate"]
        # About 55 characters of reference and answer code before the 150 of the title.
        self.assertEqual(estimate.parts_each, count_parts(estimate.text).parts)
        self.assertEqual(estimate.parts_each, 4)
        self.assertTrue(estimate.text.endswith("ক" * 150))


class ShortCodeTests(ApiTestCase):
    def test_the_directives_sms_carries_its_short_code(self) -> None:
        directive = issued(self.central, target=self.sylhet_division, priority="urgent")
        message = issued_message(directive)
        self.assertIn(f"প্রাপ্তি {to_bengali_digits(directive.short_code)}", message.sms)
        self.assertEqual(shortcodes.decode(directive.short_code), directive.pk)
        self.assertLessEqual(len(message.sms), 300)

    def test_an_api_acknowledgement_is_marked_api_and_a_web_one_web(self) -> None:
        directive = issued(self.central, target=self.sylhet_division)
        self.authorise(self.jalalabad)
        self.client.post(url("acknowledge", directive), {"note": ""}, format="json")
        self.assertEqual(delivery(directive, self.jalalabad_union).acknowledged_via, "api")
        actions.acknowledge(delivery(directive, self.ward1), by=self.ward)
        self.assertEqual(delivery(directive, self.ward1).acknowledged_via, "web")


class TrackingTests(ApiTestCase):
    def test_tracking_shows_which_acknowledgements_came_by_sms(self) -> None:
        directive = issued(self.central, target=self.sylhet_division)
        actions.acknowledge(
            delivery(directive, self.jalalabad_union), by=self.jalalabad, via=Delivery.Via.SMS
        )
        actions.acknowledge(delivery(directive, self.ward1), by=self.ward)
        self.client.force_login(self.central)
        page = self.client.get(reverse("directives:tracking_units", args=[directive.pk]))
        self.assertContains(page, 'data-testid="via-sms"', count=1)
        self.authorise(self.central)
        rows = self.client.get(url("tracking-units", directive)).json()["results"]
        via = {row["unit"]: row["acknowledged_via"] for row in rows}
        self.assertEqual(via[self.jalalabad_union.pk], "sms")
        self.assertEqual(via[self.ward1.pk], "web")
        self.assertEqual(via[self.sylhet_sadar.pk], "")
        only_sms = self.client.get(url("tracking-units", directive), {"via": "sms"}).json()
        self.assertEqual([row["unit"] for row in only_sms["results"]], [self.jalalabad_union.pk])
        funnel = self.client.get(url("tracking", directive)).json()
        self.assertEqual(funnel["acknowledged_by_sms"], 1)
        self.assertEqual(funnel["acknowledged"], 2)
        summary = self.client.get(
            reverse("directives:tracking", args=[directive.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(summary, "1 unit answered by SMS")
        csv_text = b"".join(
            self.client.get(
                reverse("directives:tracking_units", args=[directive.pk]), {"format": "csv"}
            ).streaming_content
        ).decode()
        rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
        self.assertEqual(
            {r["code"]: r["acknowledged_via"] for r in rows if r["acknowledged_via"]},
            {self.jalalabad_union.code: "sms", self.ward1.code: "web"},
        )

    @IMMEDIATE_TASKS
    def test_an_urgent_issue_queues_the_sms_with_the_code(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            directive = issued(self.central, target=self.sylhet_division, priority="urgent")
        self.assertEqual(directive.status, Directive.Status.ISSUED)
        bodies = set(OutboxMessage.objects.filter(channel="sms").values_list("body", flat=True))
        self.assertTrue(bodies)
        for body in bodies:
            self.assertIn(to_bengali_digits(directive.short_code), body)


class ReminderTests(ApiTestCase):
    def test_a_reminder_sms_carries_the_answer_codes_before_the_title(self) -> None:
        directive = issued(self.central, target=self.sylhet_division, title="ক" * 200)
        code = to_bengali_digits(directive.short_code)
        for overdue in (False, True):
            message = actions.reminder_message(directive, overdue=overdue)
            self.assertIn(f"প্রাপ্তি {code} / সম্পন্ন {code}", message.sms[:300])
            self.assertLess(message.sms.index(code), message.sms.index("ক" * 200))
            self.assertNotIn(code, message.text_bn)  # the in-app notice stays as it was
