"""The same idempotency key makes its write once: acknowledgements, returns, and the
outbox's answers."""

import io
import json

from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from django.urls import reverse

from daptar.audit.models import AuditEvent
from daptar.directives.models import Delivery
from daptar.directives.tests.support import DirectivesTestCase, delivery, issued
from daptar.offline.actions import once
from daptar.offline.models import SentOnce
from daptar.offline.responses import refuse_cut_short
from daptar.returns.models import SubmissionVersion
from daptar.returns.tests.support import published, slot

OUTBOX = {"HTTP_X_DAPTAR_OUTBOX": "1"}


class OnceTests(DirectivesTestCase):
    def test_the_same_key_runs_the_action_once(self) -> None:
        calls: list[int] = []
        first = once(lambda: calls.append(1) or "made", by=self.jalalabad, key="k1", kind="t")
        again = once(lambda: calls.append(2) or "made", by=self.jalalabad, key="k1", kind="t")
        self.assertEqual((first, again, calls), (("made", True), (None, False), [1]))

    def test_keys_are_per_user_and_a_blank_key_always_runs(self) -> None:
        calls: list[str] = []
        once(lambda: calls.append("a"), by=self.jalalabad, key="k1", kind="t")
        once(lambda: calls.append("b"), by=self.sadar, key="k1", kind="t")
        once(lambda: calls.append("c"), by=self.sadar, key=" ", kind="t")
        once(lambda: calls.append("d"), by=self.sadar, key="", kind="t")
        self.assertEqual(calls, ["a", "b", "c", "d"])
        self.assertEqual(SentOnce.objects.count(), 2)

    def test_a_failed_action_leaves_its_key_free_for_the_next_try(self) -> None:
        def fail() -> None:
            raise ValueError("the line dropped")

        with self.assertRaises(ValueError):
            once(fail, by=self.jalalabad, key="k1", kind="t")
        self.assertFalse(SentOnce.objects.exists())
        self.assertEqual(once(lambda: "ok", by=self.jalalabad, key="k1", kind="t"), ("ok", True))


class AcknowledgeTests(DirectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.directive = issued(self.central, target=self.sylhet_sadar)
        self.path = reverse("directives:acknowledge", args=[self.directive.pk])
        self.client.force_login(self.jalalabad)

    def test_the_page_gives_each_action_form_its_own_fresh_key(self) -> None:
        page = self.client.get(reverse("directives:detail", args=[self.directive.pk]))
        self.assertContains(page, 'data-offline="Acknowledgement"')
        keys = page.content.decode().count('name="idempotency_key"')
        self.assertEqual(keys, 2)

    def test_an_acknowledgement_sent_twice_under_one_key_is_recorded_once(self) -> None:
        first = self.client.post(self.path, {"idempotency_key": "ack-1", "note": "got it"})
        again = self.client.post(self.path, {"idempotency_key": "ack-1", "note": "got it"})
        self.assertEqual(first.status_code, 302)
        self.assertEqual(again.status_code, 302)
        row = delivery(self.directive, self.jalalabad_union)
        self.assertEqual(row.state, Delivery.State.ACKNOWLEDGED)
        self.assertEqual(AuditEvent.objects.filter(verb="directive.acknowledged").count(), 1)
        self.assertEqual(SentOnce.objects.get().kind, "directive.acknowledge")

    def test_the_outbox_is_told_where_the_write_landed(self) -> None:
        response = self.client.post(self.path, {"idempotency_key": "ack-2"}, **OUTBOX)
        again = self.client.post(self.path, {"idempotency_key": "ack-2"}, **OUTBOX)
        detail = reverse("directives:detail", args=[self.directive.pk])
        self.assertEqual(json.loads(response.content), {"location": detail})
        self.assertEqual(json.loads(again.content), {"location": detail})

    def test_the_outbox_gets_the_404_of_a_directive_not_sent_to_the_unit(self) -> None:
        self.client.force_login(self.dhaka)
        response = self.client.post(self.path, {"idempotency_key": "ack-3"}, **OUTBOX)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(SentOnce.objects.exists())


class ReturnTests(DirectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.form, self.period = published(self.central, target=self.sylhet_division)
        self.path = reverse("returns:fill", args=[self.form.pk])
        self.client.force_login(self.jalalabad)

    def post(self, **data: str) -> object:
        return self.client.post(self.path, {"period": self.period.pk, **data}, **OUTBOX)

    def test_a_return_sent_twice_under_one_key_makes_one_version(self) -> None:
        first = self.post(**{"f-members": "10", "action": "submit", "idempotency_key": "r-1"})
        again = self.post(**{"f-members": "10", "action": "submit", "idempotency_key": "r-1"})
        item = slot(self.period, self.jalalabad_union)
        where = reverse("returns:submission", args=[self.form.pk, item.pk])
        self.assertEqual(json.loads(first.content), {"location": where})
        self.assertEqual(json.loads(again.content), {"location": where})
        self.assertEqual(SubmissionVersion.objects.filter(submission=item).count(), 1)
        self.assertEqual(item.version, 1)

    def test_a_new_key_is_a_new_sending(self) -> None:
        self.post(**{"f-members": "10", "action": "submit", "idempotency_key": "r-1"})
        self.post(**{"f-members": "11", "action": "submit", "idempotency_key": "r-2"})
        item = slot(self.period, self.jalalabad_union)
        self.assertEqual((item.version, item.data), (2, {"members": 11}))

    def test_refused_answers_are_a_422_and_leave_the_key_unused(self) -> None:
        response = self.post(**{"f-members": "ten", "action": "submit", "idempotency_key": "r-3"})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(SentOnce.objects.exists())
        self.assertFalse(SubmissionVersion.objects.exists())


class WorkerTests(DirectivesTestCase):
    def test_the_service_worker_is_served_from_the_root_without_a_login(self) -> None:
        response = self.client.get("/sw.js")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/javascript; charset=utf-8")
        self.assertEqual(response["Cache-Control"], "no-cache")
        self.assertIn('var OFFICE = "/office/"', response.content.decode())

    def test_only_signed_in_pages_carry_the_field_script(self) -> None:
        self.assertNotContains(self.client.get(reverse("website:home")), "<script")
        self.client.force_login(self.jalalabad)
        page = self.client.get(reverse("directives:inbox"))
        self.assertContains(page, "offline/field.js")
        self.assertContains(page, 'data-testid="outbox"')


class CutShortTests(DirectivesTestCase):
    def request(self, body: bytes, length: int) -> WSGIRequest:

        environ = RequestFactory().post("/").environ
        environ.update(
            {
                "CONTENT_TYPE": "multipart/form-data; boundary=B",
                "CONTENT_LENGTH": str(length),
                "wsgi.input": io.BytesIO(body),
            }
        )
        return WSGIRequest(environ)

    def test_a_body_the_line_cut_is_refused_and_a_whole_one_is_not(self) -> None:
        whole = b'--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nTrees\r\n--B--\r\n'
        complete = self.request(whole, len(whole))
        self.assertIsNone(refuse_cut_short(complete))
        self.assertEqual(complete.POST["title"], "Trees")
        refused = refuse_cut_short(self.request(whole[:30], len(whole)))
        self.assertEqual(refused.status_code if refused else None, 400)
