import csv
import datetime
import io

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.directives import actions
from daptar.directives.models import Attachment, Directive
from daptar.directives.tests.support import (
    IN_MEMORY_STORAGE,
    PDF,
    PNG,
    TEXT,
    DirectivesTestCase,
    delivery,
    draft,
    frozen,
    future,
    grow,
    issued,
    overdue,
    upload,
)
from daptar.notifications.models import Notification
from daptar.testing import nav_queries
from daptar.units.models import Level

INBOX = reverse("directives:inbox")
SENT = reverse("directives:sent")
ESCALATED = reverse("directives:escalated")
COMPOSE = reverse("directives:compose")
LOGIN = reverse("accounts:login")


def url(name: str, directive: Directive, *args: int) -> str:
    return reverse(f"directives:{name}", args=[directive.pk, *args])


def compose_data(**overrides: object) -> dict[str, object]:
    due = timezone.localtime(future(days=2))
    return {
        "title": "Hold a members' meeting",
        "body": "Every unit meets and reports.",
        "priority": "normal",
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "target_unit": "",
        "mode": "direct",
        **overrides,
    }


class ViewTestCase(DirectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def message(self, response: object) -> str:
        """The message the response's request added last."""
        return [str(m) for m in get_messages(response.wsgi_request)][-1]  # type: ignore[attr-defined]

    def assertLoginRedirect(self, response: object, path: str) -> None:
        self.assertRedirects(response, f"{LOGIN}?next={path}", fetch_redirect_response=False)  # type: ignore[arg-type]


class InboxTests(ViewTestCase):
    def titles(self, response: object) -> list[str]:
        return [d.directive.title for d in response.context["page"]]  # type: ignore[attr-defined]

    def test_it_lists_what_reached_the_unit_newest_first_urgent_pinned(self) -> None:
        start = timezone.now() - datetime.timedelta(hours=5)
        for hours, title, by, priority in [
            (0, "Oldest urgent", self.central, "urgent"),
            (1, "Older", self.sylhet, "normal"),
            (2, "Newest", self.central, "normal"),
        ]:
            with frozen(start + datetime.timedelta(hours=hours)):
                issued(by, title=title, priority=priority)
        draft(self.sylhet, title="Still a draft")
        issued(self.central, target=self.dhaka_division, title="Someone else's")
        self.client.force_login(self.jalalabad)
        response = self.client.get(INBOX)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.titles(response), ["Oldest urgent", "Newest", "Older"])
        self.assertContains(response, 'data-testid="inbox"')
        self.assertNotContains(response, "Still a draft")

    def test_an_urgent_directive_done_is_no_longer_pinned(self) -> None:
        start = timezone.now() - datetime.timedelta(hours=5)
        with frozen(start):
            urgent = issued(self.sylhet, title="Urgent, done", priority="urgent")
        with frozen(start + datetime.timedelta(hours=1)):
            issued(self.sylhet, title="Normal, newer")
        actions.mark_done(delivery(urgent, self.jalalabad_union), by=self.jalalabad)
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.titles(self.client.get(INBOX)), ["Normal, newer", "Urgent, done"])

    def test_it_filters_by_state_priority_and_overdue(self) -> None:
        late = overdue(self.sylhet, title="Late")
        urgent = issued(self.sylhet, title="Urgent", priority="urgent")
        issued(self.sylhet, title="Plain")
        actions.acknowledge(delivery(urgent, self.jalalabad_union), by=self.jalalabad)
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.titles(self.client.get(INBOX, {"state": "acknowledged"})), ["Urgent"])
        self.assertEqual(self.titles(self.client.get(INBOX, {"priority": "urgent"})), ["Urgent"])
        self.assertEqual(self.titles(self.client.get(INBOX, {"overdue": "1"})), ["Late"])
        self.assertEqual(
            set(self.titles(self.client.get(INBOX, {"state": "bogus"}))),
            {"Late", "Urgent", "Plain"},
        )
        self.assertContains(self.client.get(INBOX), "overdue")
        self.assertEqual(late.deliveries.get(unit=self.jalalabad_union).state, "delivered")

    def test_a_relay_shows_only_once_it_has_reached_the_unit(self) -> None:
        directive = issued(self.central, mode=Directive.Mode.RELAY, title="Relayed")
        self.client.force_login(self.sylhet)
        self.assertEqual(self.titles(self.client.get(INBOX)), [])
        actions.forward(delivery(directive, self.sylhet_division), by=self.division)
        self.assertEqual(self.titles(self.client.get(INBOX)), ["Relayed"])

    def test_a_withdrawn_directive_stays_marked_withdrawn(self) -> None:
        directive = issued(self.sylhet, title="Taken back")
        actions.withdraw(directive, by=self.sylhet)
        self.client.force_login(self.jalalabad)
        response = self.client.get(INBOX)
        self.assertEqual(self.titles(response), ["Taken back"])
        self.assertContains(response, "<strong>withdrawn</strong>", html=True)

    def test_htmx_gets_only_the_rows(self) -> None:
        issued(self.sylhet, title="Partial")
        self.client.force_login(self.jalalabad)
        response = self.client.get(INBOX, {"state": "delivered"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="rows"')
        self.assertContains(response, "Partial")
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "<select")

    def test_the_nav_shows_the_unread_count_until_opened(self) -> None:
        first = issued(self.sylhet)
        issued(self.central)
        withdrawn = issued(self.central)
        actions.withdraw(withdrawn, by=self.central)
        self.client.force_login(self.jalalabad)
        response = self.client.get(INBOX)
        self.assertContains(
            response, '<span class="badge" data-testid="unread">2</span>', html=True
        )
        self.client.get(url("detail", first))
        response = self.client.get(INBOX)
        self.assertContains(
            response, '<span class="badge" data-testid="unread">1</span>', html=True
        )

    def test_no_badge_when_nothing_is_unread(self) -> None:
        self.client.force_login(self.jalalabad)
        self.assertNotContains(self.client.get(INBOX), 'data-testid="unread"')

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertLoginRedirect(self.client.get(INBOX), INBOX)

    def test_a_login_without_a_desk_gets_404(self) -> None:
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(INBOX).status_code, 404)

    def test_inbox_queries_do_not_grow_with_the_directives(self) -> None:
        for n in range(30):
            issued(
                self.central if n % 2 else self.sylhet,
                title=f"Directive {n}",
                priority="urgent" if n % 5 == 0 else "normal",
            )
        self.client.force_login(self.jalalabad)
        self.client.get(INBOX)  # warm the session and the caches
        # Session, user, desks, count, page, and the navigation's badges.
        with self.assertNumQueries(5 + nav_queries()):
            response = self.client.get(INBOX)
        self.assertEqual(len(response.context["page"]), 30)


class SentAndEscalatedTests(ViewTestCase):
    def test_sent_lists_the_units_own_directives_drafts_included(self) -> None:
        draft(self.sylhet, title="My draft")
        issued(self.sylhet, title="My issued")
        issued(self.central, title="Central's")
        self.client.force_login(self.sylhet)
        response = self.client.get(SENT)
        self.assertEqual([d.title for d in response.context["page"]], ["My issued", "My draft"])
        self.assertNotContains(response, "Central's")

    def test_sent_for_anonymous_redirects_and_for_no_desk_is_404(self) -> None:
        self.assertLoginRedirect(self.client.get(SENT), SENT)
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(SENT).status_code, 404)

    def test_escalated_lists_overdue_units_below_us(self) -> None:
        directive = overdue(self.sylhet, title="Late one")
        from daptar.directives.tasks import send_reminders

        send_reminders()
        self.client.force_login(self.jalalabad)
        response = self.client.get(ESCALATED)
        self.assertEqual([d.unit for d in response.context["page"]], [self.ward1])
        self.assertContains(response, "Late one")
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        self.assertEqual(list(self.client.get(ESCALATED).context["page"]), [])

    def test_escalated_is_empty_for_an_outsider(self) -> None:
        overdue(self.sylhet)
        from daptar.directives.tasks import send_reminders

        send_reminders()
        self.client.force_login(self.dhaka)
        self.assertContains(self.client.get(ESCALATED), "Nothing escalated to your office.")


class ComposeTests(ViewTestCase):
    def test_it_saves_a_draft_and_goes_to_it(self) -> None:
        self.client.force_login(self.central)
        self.assertEqual(self.client.get(COMPOSE).status_code, 200)
        district = Level.objects.get(slug="district")
        response = self.client.post(
            COMPOSE,
            compose_data(target_unit=self.sylhet_division.pk, target_levels=[district.pk]),
        )
        directive = Directive.objects.get()
        self.assertRedirects(response, url("detail", directive), fetch_redirect_response=False)
        self.assertEqual(directive.status, "draft")
        self.assertEqual(directive.target_unit, self.sylhet_division)
        self.assertEqual(list(directive.target_levels.all()), [district])
        self.assertTrue(AuditEvent.objects.filter(verb="directive.created").exists())

    def test_a_deep_target_is_picked_by_code(self) -> None:
        self.client.force_login(self.central)
        self.client.post(COMPOSE, compose_data(target_code="un-2513"))
        self.assertEqual(Directive.objects.get().target_unit, self.jalalabad_union)

    def test_a_code_outside_the_subtree_is_refused_with_a_message(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(COMPOSE, compose_data(target_code="DHA"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No unit with this code in your subtree.")
        self.assertFalse(Directive.objects.exists())

    def test_a_target_outside_the_subtree_is_not_offered(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(COMPOSE, compose_data(target_unit=self.dhaka_district.pk))
        self.assertTrue(response.context["form"].errors["target_unit"])
        self.assertFalse(Directive.objects.exists())

    def test_a_due_time_in_the_past_is_shown_on_the_form(self) -> None:
        self.client.force_login(self.sylhet)
        past = timezone.localtime(timezone.now() - datetime.timedelta(hours=2))
        response = self.client.post(
            COMPOSE,
            compose_data(
                target_unit=self.sylhet_district.pk, due_at=past.strftime("%Y-%m-%dT%H:%M")
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The due time must be in the future.")
        self.assertFalse(Directive.objects.exists())

    def test_an_empty_title_is_shown_on_the_form(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.post(
            COMPOSE, compose_data(title="", target_unit=self.sylhet_district.pk)
        )
        self.assertIn("title", response.context["form"].errors)
        self.assertFalse(Directive.objects.exists())

    def test_a_read_only_desk_gets_403(self) -> None:
        self.client.force_login(self.president)
        response = self.client.post(COMPOSE, compose_data(target_unit=self.root.pk))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Directive.objects.exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertLoginRedirect(self.client.get(COMPOSE), COMPOSE)

    def test_a_draft_is_edited_by_its_office(self) -> None:
        directive = draft(self.sylhet, title="Flood relief")
        self.client.force_login(self.sylhet)
        edit = url("edit", directive)
        self.assertContains(self.client.get(edit), directive.title)
        response = self.client.post(
            edit, compose_data(title="Changed", target_unit=self.sylhet_sadar.pk)
        )
        self.assertRedirects(response, url("detail", directive), fetch_redirect_response=False)
        directive.refresh_from_db()
        self.assertEqual((directive.title, directive.target_unit), ("Changed", self.sylhet_sadar))
        self.assertEqual(Directive.objects.count(), 1)

    def test_an_outsider_cannot_edit_a_draft(self) -> None:
        directive = draft(self.sylhet)
        for user in (self.dhaka, self.jalalabad):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("edit", directive)).status_code, 404)

    def test_an_issued_directive_is_not_edited(self) -> None:
        directive = issued(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("edit", directive), compose_data(title="Changed"))
        self.assertRedirects(response, url("detail", directive), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "Only a draft can be edited.")

    def test_the_preview_counts_recipients_by_level(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("directives:recipients"))
        self.assertEqual(response.context["total"], 3)
        self.assertContains(response, 'data-testid="preview"')
        union = Level.objects.get(slug="union")
        response = self.client.get(
            reverse("directives:recipients"),
            {"target_code": "UN-2513", "target_levels": [union.pk]},
        )
        self.assertEqual(response.context["total"], 1)
        # A unit outside the subtree falls back to the desk's own unit.
        response = self.client.get(
            reverse("directives:recipients"), {"target_unit": self.dhaka_district.pk}
        )
        self.assertEqual(response.context["target"], self.sylhet_district)

    def test_the_preview_shrugs_off_a_malformed_target(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("directives:recipients"), {"target_unit": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["target"], self.sylhet_district)

    def test_the_preview_and_the_inbox_rows_replace_themselves_not_nest(self) -> None:
        # The partials carry their own #preview / #rows element, so the swap must be outerHTML.
        self.client.force_login(self.sylhet)
        self.assertContains(
            self.client.get(COMPOSE), 'data-hx-target="#preview" data-hx-swap="outerHTML"'
        )
        self.assertContains(
            self.client.get(INBOX), 'data-hx-target="#rows" data-hx-swap="outerHTML"'
        )


class DetailTests(ViewTestCase):
    def test_a_recipient_opening_it_marks_it_seen_and_may_acknowledge(self) -> None:
        directive = issued(self.sylhet, title="Read me")
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("detail", directive))
        self.assertContains(response, "Read me")
        self.assertContains(response, 'data-testid="acknowledge"')
        self.assertContains(response, 'data-testid="done"')
        self.assertNotContains(response, 'data-testid="forward"')
        self.assertNotContains(response, 'data-testid="issue"')
        mine = delivery(directive, self.jalalabad_union)
        self.assertEqual((mine.state, mine.seen_by), ("seen", self.jalalabad))

    def test_a_relay_intermediate_sees_forward_and_the_note_from_above(self) -> None:
        directive = issued(self.central, target=self.sylhet_division, mode="relay")
        actions.forward(
            delivery(directive, self.sylhet_division), by=self.division, note="Quickly, please."
        )
        self.client.force_login(self.sylhet)
        response = self.client.get(url("detail", directive))
        self.assertContains(response, 'data-testid="forward"')
        self.assertContains(response, "Quickly, please.")
        self.assertEqual(response.context["relay_children"], 1)
        self.client.force_login(self.metro)  # a leaf of the relay: nothing to forward
        response = self.client.get(url("detail", directive))
        self.assertNotContains(response, 'data-testid="forward"')
        self.assertContains(response, 'data-testid="acknowledge"')

    def test_a_relay_recipient_not_yet_reached_gets_404(self) -> None:
        directive = issued(self.central, target=self.sylhet_division, mode="relay")
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.client.get(url("detail", directive)).status_code, 404)

    def test_the_issuer_sees_issue_on_a_draft_and_tracking_after(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        self.assertContains(self.client.get(url("detail", directive)), 'data-testid="issue"')
        actions.issue(directive, by=self.sylhet)
        response = self.client.get(url("detail", directive))
        self.assertContains(response, 'data-testid="tracking-link"')
        self.assertNotContains(response, 'data-testid="issue"')
        self.assertNotContains(response, 'data-testid="my-delivery"')

    def test_a_draft_is_hidden_from_its_recipients(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.client.get(url("detail", directive)).status_code, 404)

    def test_an_outsider_gets_404(self) -> None:
        directive = issued(self.sylhet)
        for user in (self.dhaka, self.nobody):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("detail", directive)).status_code, 404)
        self.assertEqual(self.client.get("/office/directives/999999/").status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        directive = issued(self.sylhet)
        self.assertLoginRedirect(
            self.client.get(url("detail", directive)), url("detail", directive)
        )

    def test_an_office_above_the_issuer_may_read_but_does_not_mark_seen(self) -> None:
        directive = issued(self.jalalabad)
        self.client.force_login(self.sylhet)
        self.assertEqual(self.client.get(url("detail", directive)).status_code, 200)
        self.assertEqual(delivery(directive, self.ward1).state, "delivered")


class DeliveryActionViewTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.directive = issued(self.sylhet)

    def test_acknowledge_with_a_note(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("acknowledge", self.directive), {"note": "On it."})
        self.assertRedirects(response, url("detail", self.directive), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "Acknowledged.")
        mine = delivery(self.directive, self.jalalabad_union)
        self.assertEqual((mine.state, mine.acknowledge_note), ("acknowledged", "On it."))
        self.assertTrue(AuditEvent.objects.filter(verb="directive.acknowledged").exists())

    def test_a_repeat_is_a_message_not_an_error(self) -> None:
        self.client.force_login(self.jalalabad)
        self.client.post(url("acknowledge", self.directive), {"note": "first"})
        response = self.client.post(url("acknowledge", self.directive), {"note": "second"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.message(response), "This has already been recorded.")
        self.assertEqual(delivery(self.directive, self.jalalabad_union).acknowledge_note, "first")

    def test_an_overlong_note_is_refused_with_a_message(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("acknowledge", self.directive), {"note": "x" * 2001})
        self.assertRedirects(response, url("detail", self.directive), fetch_redirect_response=False)
        self.assertEqual(
            self.message(response),
            "Ensure this value has at most 2000 characters (it has 2001).",
        )
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")

    def test_done_with_a_note(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("done", self.directive), {"note": "Held the meeting."})
        self.assertEqual(self.message(response), "Marked as done.")
        self.assertEqual(
            delivery(self.directive, self.jalalabad_union).done_note, "Held the meeting."
        )

    def test_forward_on_a_direct_directive_is_a_message(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.post(url("forward", self.directive), {"note": "x"})
        self.assertEqual(self.message(response), "Only a relayed directive can be forwarded.")

    def test_forward_delivers_the_next_level(self) -> None:
        directive = issued(self.central, target=self.sylhet_division, mode="relay")
        self.client.force_login(self.division)
        response = self.client.post(url("forward", directive), {"note": "Go."})
        self.assertEqual(self.message(response), "Forwarded to the level below.")
        self.assertEqual(delivery(directive, self.sylhet_district).state, "delivered")

    def test_a_non_recipient_gets_404(self) -> None:
        for user in (self.sylhet, self.dhaka, self.central):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.post(url("acknowledge", self.directive))
                self.assertEqual(response.status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(verb="directive.acknowledged").exists())

    def test_get_is_not_allowed(self) -> None:
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.client.get(url("acknowledge", self.directive)).status_code, 405)

    def test_anonymous_is_sent_to_login(self) -> None:
        path = url("done", self.directive)
        self.assertLoginRedirect(self.client.post(path), path)


class IssueWithdrawViewTests(ViewTestCase):
    def test_issue_sends_it_and_says_so(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        with self.captureOnCommitCallbacks() as callbacks:
            response = self.client.post(url("issue", directive))
        self.assertRedirects(response, url("detail", directive), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "The directive has been issued.")
        directive.refresh_from_db()
        self.assertEqual((directive.status, directive.expected), ("issued", 3))
        self.assertEqual(len(callbacks), 1)

    def test_issuing_twice_is_a_message(self) -> None:
        directive = issued(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("issue", directive))
        self.assertEqual(self.message(response), "This directive has already been issued.")
        self.assertEqual(directive.deliveries.count(), 3)

    def test_a_read_only_desk_gets_403(self) -> None:
        directive = draft(self.central)
        self.client.force_login(self.president)
        response = self.client.post(url("issue", directive))
        self.assertEqual(response.status_code, 403)
        directive.refresh_from_db()
        self.assertEqual(directive.status, "draft")

    def test_issue_without_recipients_is_a_message(self) -> None:
        directive = draft(self.sylhet, target_levels=("division",))
        self.client.force_login(self.sylhet)
        response = self.client.post(url("issue", directive))
        self.assertEqual(self.message(response), "No unit matches this target and these levels.")

    def test_outsiders_and_recipients_cannot_issue(self) -> None:
        directive = draft(self.sylhet)
        for user in (self.dhaka, self.jalalabad):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.post(url("issue", directive)).status_code, 404)
        directive.refresh_from_db()
        self.assertEqual(directive.status, "draft")

    def test_anonymous_is_sent_to_login(self) -> None:
        directive = draft(self.sylhet)
        self.assertLoginRedirect(self.client.post(url("issue", directive)), url("issue", directive))

    def test_withdraw_and_again(self) -> None:
        directive = issued(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("withdraw", directive))
        self.assertEqual(self.message(response), "The directive has been withdrawn.")
        response = self.client.post(url("withdraw", directive))
        self.assertEqual(self.message(response), "Only an issued directive can be withdrawn.")

    def test_a_recipient_cannot_withdraw(self) -> None:
        directive = issued(self.sylhet)
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.client.post(url("withdraw", directive)).status_code, 404)


@IN_MEMORY_STORAGE
class AttachViewTests(ViewTestCase):
    def test_it_attaches_a_pdf_which_recipients_can_download(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("attach", directive), {"file": upload("circular.pdf", PDF)})
        self.assertEqual(self.message(response), "Attached.")
        item = Attachment.objects.get()
        actions.issue(directive, by=self.sylhet)
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("attachment", directive, item.pk))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("attachment", directive, item.pk)).status_code, 404)

    def test_a_png_named_pdf_is_kept_as_png(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        self.client.post(url("attach", directive), {"file": upload("scan.pdf", PNG)})
        self.assertEqual(Attachment.objects.get().content_type, "image/png")

    def test_a_text_file_is_refused_with_a_message(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("attach", directive), {"file": upload("photo.jpg", TEXT)})
        self.assertEqual(self.message(response), "photo.jpg is not a PDF, JPEG, PNG or WebP file.")
        self.assertFalse(Attachment.objects.exists())

    def test_no_file_is_a_message(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("attach", directive))
        self.assertEqual(self.message(response), "Choose a file to attach.")

    def test_a_read_only_desk_gets_403(self) -> None:
        directive = draft(self.central)
        self.client.force_login(self.president)
        response = self.client.post(url("attach", directive), {"file": upload("a.pdf", PDF)})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Attachment.objects.exists())

    def test_an_outsider_gets_404(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.dhaka)
        response = self.client.post(url("attach", directive), {"file": upload("a.pdf", PDF)})
        self.assertEqual(response.status_code, 404)


class TrackingViewTests(ViewTestCase):
    def test_it_shows_the_funnel_per_level_cumulatively(self) -> None:
        directive = issued(self.sylhet)
        actions.mark_seen(delivery(directive, self.sylhet_sadar), by=self.sadar)
        actions.acknowledge(delivery(directive, self.jalalabad_union), by=self.jalalabad)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        self.client.force_login(self.sylhet)
        response = self.client.get(url("tracking", directive))
        self.assertEqual(response.status_code, 200)
        total = response.context["total"]
        self.assertEqual(
            total.as_dict(),
            {"expected": 3, "delivered": 3, "seen": 3, "acknowledged": 2, "done": 1, "overdue": 0},
        )
        self.assertEqual(
            [
                (f.level.slug, f.expected, f.acknowledged, f.done)
                for f in response.context["by_level"]
            ],
            [("upazila", 1, 0, 0), ("union", 1, 1, 0), ("ward", 1, 1, 1)],
        )
        self.assertContains(response, '<th data-testid="acknowledged-total">2</th>', html=True)

    def test_the_drilldown_groups_by_child_branch(self) -> None:
        directive = issued(self.central)
        actions.acknowledge(delivery(directive, self.jalalabad_union), by=self.jalalabad)
        self.client.force_login(self.central)
        response = self.client.get(url("tracking", directive))
        branches = {b.unit.code: (b.expected, b.acknowledged) for b in response.context["branches"]}
        self.assertEqual(branches, {"DIV-SYL": (6, 1), "DIV-DHA": (2, 0)})
        response = self.client.get(url("tracking", directive), {"within": self.sylhet_district.pk})
        self.assertEqual(
            [(b.unit.code, b.expected) for b in response.context["branches"]],
            [("SYL", 1), ("UPZ-281", 3)],
        )

    def test_the_overdue_list_names_each_units_parent_office(self) -> None:
        directive = overdue(self.sylhet)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        self.client.force_login(self.sylhet)
        response = self.client.get(url("tracking", directive))
        self.assertEqual(
            [(d.unit, d.unit.parent) for d in response.context["overdue_page"]],
            [(self.sylhet_sadar, self.sylhet_district), (self.jalalabad_union, self.sylhet_sadar)],
        )
        self.assertEqual(response.context["total"].overdue, 2)
        self.assertContains(response, 'data-testid="remind-all"')

    def test_htmx_refresh_gets_only_the_live_part(self) -> None:
        directive = issued(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.get(url("tracking", directive), HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="live"')
        self.assertContains(response, 'data-testid="funnel"')
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "Download CSV")

    def test_a_read_only_desk_above_may_watch(self) -> None:
        directive = issued(self.central)
        self.client.force_login(self.president)
        self.assertEqual(self.client.get(url("tracking", directive)).status_code, 200)

    def test_recipients_and_outsiders_get_404(self) -> None:
        directive = issued(self.sylhet)
        for user in (self.jalalabad, self.dhaka, self.nobody):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("tracking", directive)).status_code, 404)
                self.assertEqual(self.client.get(url("tracking_units", directive)).status_code, 404)

    def test_a_drilldown_outside_the_target_gets_404(self) -> None:
        directive = issued(self.central, target=self.sylhet_district)
        self.client.force_login(self.central)
        response = self.client.get(url("tracking", directive), {"within": self.dhaka_district.pk})
        self.assertEqual(response.status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        directive = issued(self.sylhet)
        path = url("tracking", directive)
        self.assertLoginRedirect(self.client.get(path), path)

    def test_tracking_queries_do_not_grow_with_the_recipients(self) -> None:
        unions = grow(self.sylhet_sadar, 12, level="union", by=self.operator)
        for union in unions[:4]:
            grow(union, 9, level="ward", by=self.operator, prefix="W")
        directive = overdue(self.central)
        self.assertEqual(directive.expected, 8 + 12 + 36)
        self.client.force_login(self.central)
        self.client.get(url("tracking", directive))
        # Session, user, desks, directive, scope check, levels, funnel, branches,
        # branch units, overdue count, overdue page, and the navigation's badges.
        with self.assertNumQueries(11 + nav_queries()):
            response = self.client.get(url("tracking", directive))
        self.assertEqual(response.context["total"].expected, 56)
        self.assertEqual(response.context["total"].overdue, 56)


class TrackingUnitsViewTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.directive = issued(self.central, target=self.sylhet_division)
        actions.acknowledge(
            delivery(self.directive, self.jalalabad_union), by=self.jalalabad, note="noted, yes"
        )

    def codes(self, **params: str) -> list[str]:
        response = self.client.get(url("tracking_units", self.directive), params)
        self.assertEqual(response.status_code, 200)
        return [d.unit.code for d in response.context["page"]]

    def test_it_lists_and_filters_recipients(self) -> None:
        self.client.force_login(self.central)
        self.assertEqual(
            self.codes(), ["DIV-SYL", "SYL", "UPZ-281", "UN-2513", "UN-2513-W1", "SYL-M"]
        )
        self.assertEqual(self.codes(state="acknowledged"), ["UN-2513"])
        self.assertEqual(self.codes(level="district"), ["SYL", "SYL-M"])
        self.assertEqual(self.codes(overdue="1"), [])
        self.assertEqual(
            self.codes(within=str(self.sylhet_sadar.pk)), ["UPZ-281", "UN-2513", "UN-2513-W1"]
        )

    def test_it_exports_csv(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(url("tracking_units", self.directive), {"format": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(self.directive.reference.replace("/", "-"), response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode()
        self.assertTrue(text.startswith("\ufeff"))
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        self.assertEqual(len(rows), 6)
        union = next(r for r in rows if r["code"] == "UN-2513")
        self.assertEqual(
            (union["unit_bn"], union["level"], union["parent_en"], union["state"], union["note"]),
            ("জালালাবাদ", "union", "Sylhet Sadar", "acknowledged", "noted, yes"),
        )
        self.assertTrue(union["acknowledged_at"])

    def test_the_csv_follows_the_filters(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(
            url("tracking_units", self.directive), {"format": "csv", "state": "acknowledged"}
        )
        lines = b"".join(response.streaming_content).decode().strip().splitlines()
        self.assertEqual(len(lines), 2)

    def test_the_list_queries_do_not_grow_with_the_recipients(self) -> None:
        grow(self.sylhet_sadar, 40, level="union", by=self.operator)
        directive = issued(self.central)
        self.client.force_login(self.central)
        path = url("tracking_units", directive)
        self.client.get(path)
        # Session, user, desks, directive, scope check, count, levels, page, and the
        # navigation's badges.
        with self.assertNumQueries(8 + nav_queries()):
            response = self.client.get(path)
        self.assertEqual(len(response.context["page"]), 48)


class RemindViewTests(ViewTestCase):
    def test_it_reminds_every_overdue_unit(self) -> None:
        directive = overdue(self.sylhet)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("remind", directive))
        self.assertRedirects(response, url("tracking", directive), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "Reminder sent to 2 units.")
        self.assertEqual(
            set(Notification.objects.values_list("unit__code", "kind")),
            {("UPZ-281", "directive.overdue"), ("UN-2513", "directive.overdue")},
        )

    def test_it_reminds_the_chosen_units(self) -> None:
        directive = issued(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("remind", directive), {"unit": [self.ward1.pk, "junk"]})
        self.assertEqual(self.message(response), "Reminder sent to 1 unit.")
        self.assertEqual(list(Notification.objects.values_list("unit", flat=True)), [self.ward1.pk])

    def test_a_draft_is_a_message(self) -> None:
        directive = draft(self.sylhet)
        self.client.force_login(self.sylhet)
        response = self.client.post(url("remind", directive), {"unit": [self.ward1.pk]})
        self.assertEqual(
            self.message(response), "Reminders can only be sent for an issued directive."
        )

    def test_a_read_only_desk_gets_403(self) -> None:
        directive = overdue(self.central)
        self.client.force_login(self.president)
        self.assertEqual(self.client.post(url("remind", directive)).status_code, 403)
        self.assertFalse(Notification.objects.exists())

    def test_recipients_and_outsiders_get_404(self) -> None:
        directive = overdue(self.sylhet)
        for user in (self.jalalabad, self.dhaka):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.post(url("remind", directive)).status_code, 404)
        self.assertFalse(Notification.objects.exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        directive = overdue(self.sylhet)
        path = url("remind", directive)
        self.assertLoginRedirect(self.client.post(path), path)
