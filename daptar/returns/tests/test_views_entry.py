"""Filling in on a phone, the to-do list and its badge, one return, and review."""

import datetime

from django.urls import reverse
from django.utils import timezone

from daptar.returns import actions
from daptar.returns.models import ReturnForm, Submission
from daptar.returns.tests.support import (
    MEMBERS,
    add_office,
    frozen,
    grow,
    published,
    slot,
)
from daptar.returns.tests.test_views_builder import BADGES, ViewTestCase

TODO = reverse("returns:todo")
REVIEW = reverse("returns:review")


def url(name: str, form: ReturnForm, *args: int) -> str:
    return reverse(f"returns:{name}", args=[form.pk, *args])


class TodoTests(ViewTestCase):
    def test_it_lists_what_the_unit_still_has_to_send_due_first(self) -> None:
        published(self.central, title="Later", due_at=timezone.now() + datetime.timedelta(days=9))
        published(self.central, title="Sooner", due_at=timezone.now() + datetime.timedelta(days=2))
        _form, done = published(self.central, title="Done")
        actions.submit(done, self.jalalabad_union, {"members": 3}, by=self.jalalabad)
        self.client.force_login(self.jalalabad)
        response = self.client.get(TODO)
        self.assertEqual(
            [s.period.form.title for s in response.context["page"]], ["Sooner", "Later"]
        )
        sent = self.client.get(TODO, {"show": "sent"})
        self.assertEqual([s.period.form.title for s in sent.context["page"]], ["Done"])

    def test_the_navigation_badge_counts_the_returns_to_send(self) -> None:
        published(self.central, title="One")
        published(self.central, title="Two")
        self.client.force_login(self.jalalabad)
        response = self.client.get(TODO)
        self.assertContains(response, 'data-testid="nav-returns"')
        self.assertContains(response, '<span class="badge">2</span>', html=True)
        self.client.force_login(self.central)
        self.assertNotContains(self.client.get(TODO), '<span class="badge">2</span>', html=True)

    def test_a_locked_return_leaves_the_badge_until_reopened(self) -> None:
        _form, period = published(
            self.central, schedule="monthly", timely_days=0, lock_after_days=0
        )
        from daptar.returns.queries import to_do_count

        self.assertEqual(to_do_count(self.jalalabad_union), 1)
        with frozen(period.locks_at + datetime.timedelta(seconds=1)):
            self.assertEqual(to_do_count(self.jalalabad_union), 0)
            actions.reopen(slot(period, self.jalalabad_union), by=self.sadar)
            self.assertEqual(to_do_count(self.jalalabad_union), 1)

    def test_anonymous_and_deskless(self) -> None:
        self.assertLoginRedirect(self.client.get(TODO), TODO)
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(TODO).status_code, 404)

    def test_its_queries_do_not_grow_with_the_returns(self) -> None:
        for n in range(15):
            published(self.central, title=f"Return {n}", target=self.sylhet_division)
        self.client.force_login(self.jalalabad)
        self.client.get(TODO)
        # Session, user, desks, count, page, and the badges.
        with self.assertNumQueries(5 + BADGES):
            response = self.client.get(TODO)
        self.assertEqual(len(response.context["page"]), 15)


class FillTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)
        self.path = url("fill", self.form)
        self.client.force_login(self.jalalabad)

    def post(self, data: dict, **extra: object) -> object:
        return self.client.post(self.path, {"period": self.period.pk, **data}, **extra)

    def test_it_shows_each_field_for_a_phone(self) -> None:
        response = self.client.get(self.path)
        self.assertContains(response, 'data-testid="entry"')
        self.assertContains(response, 'inputmode="numeric"')
        self.assertContains(response, 'name="f-members"')
        self.assertContains(response, "Women members")

    def test_sending_goes_to_the_return(self) -> None:
        response = self.post({"f-members": "10", "f-women": "4", "action": "submit"})
        item = slot(self.period, self.jalalabad_union)
        self.assertRedirects(
            response, url("submission", self.form, item.pk), fetch_redirect_response=False
        )
        self.assertEqual((item.status, item.data), ("submitted", {"members": 10, "women": 4}))
        self.assertEqual(self.message(response), "Your return has been sent.")

    def test_errors_come_back_inline_with_the_input_kept(self) -> None:
        response = self.post({"f-members": "10", "f-women": "12", "action": "submit"})
        self.assertContains(response, 'data-testid="form-errors"')
        self.assertContains(response, "Women members cannot be more than all members")
        self.assertContains(response, 'value="12"')
        response = self.post({"f-members": "ten", "action": "submit"})
        self.assertContains(response, "Enter a whole number.")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertEqual(slot(self.period, self.jalalabad_union).status, "pending")

    def test_the_rules_message_comes_in_bengali_on_a_bengali_page(self) -> None:
        response = self.post(
            {"f-members": "10", "f-women": "12", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="bn"
        )
        self.assertContains(response, "নারী সদস্য মোট সদস্যের বেশি হতে পারে না")

    def test_htmx_gets_the_form_part_or_a_redirect(self) -> None:
        response = self.post({"f-members": "x", "action": "submit"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="entry"')
        self.assertNotContains(response, "<html")
        response = self.post({"f-members": "3", "action": "submit"}, HTTP_HX_REQUEST="true")
        self.assertEqual(
            response["HX-Redirect"],
            url("submission", self.form, slot(self.period, self.jalalabad_union).pk),
        )  # type: ignore[index]

    def test_a_draft_is_saved_with_its_errors_shown(self) -> None:
        response = self.post(
            {"f-members": "", "f-women": "2", "action": "draft"}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(response, "Draft saved.")
        self.assertContains(response, "This field is required.")
        item = slot(self.period, self.jalalabad_union)
        self.assertEqual(item.draft, {"data": {"members": "", "women": "2"}, "nil": False})
        # Opening the page again brings the draft back.
        self.assertContains(self.client.get(self.path), 'value="2"')

    def test_a_nil_return(self) -> None:
        self.post({"f-members": "5", "nil": "1", "action": "submit"})
        item = slot(self.period, self.jalalabad_union)
        self.assertEqual((item.status, item.nil, item.data), ("submitted", True, {}))

    def test_a_locked_return_says_so(self) -> None:
        _form, period = published(
            self.central,
            schedule="monthly",
            target=self.sylhet_division,
            timely_days=0,
            lock_after_days=0,
            title="Locked",
        )
        with frozen(period.locks_at + datetime.timedelta(seconds=1)):
            self.client.force_login(self.jalalabad)  # a session from then, not from today
            response = self.client.get(url("fill", period.form))
            self.assertContains(response, "Ask the office above to reopen it")
            self.assertNotContains(response, 'data-testid="entry"')
            response = self.client.post(
                url("fill", period.form), {"period": period.pk, "f-members": "1"}
            )
            self.assertContains(response, "Ask the office above to reopen it")
        self.assertEqual(slot(period, self.jalalabad_union).status, "pending")

    def test_a_stale_page_is_told_to_reload(self) -> None:
        actions.submit(self.period, self.jalalabad_union, {"members": 1}, by=self.jalalabad)
        response = self.post({"f-members": "3", "version": "0", "action": "submit"})
        self.assertContains(response, "reload it")
        self.assertEqual(slot(self.period, self.jalalabad_union).data, {"members": 1})

    def test_a_unit_not_asked_or_outside_gets_404(self) -> None:
        for user in (self.sadar, self.dhaka, self.central):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.path).status_code, 404)

    def test_a_read_only_desk_may_look_but_not_send(self) -> None:
        self.client.force_login(self.union_president)
        response = self.client.get(self.path)
        self.assertContains(response, 'data-testid="read-only"')
        self.assertNotContains(response, 'data-testid="entry"')
        response = self.post({"f-members": "3", "action": "submit"})
        self.assertEqual(response.status_code, 403)  # type: ignore[attr-defined]
        self.assertEqual(slot(self.period, self.jalalabad_union).status, "pending")

    def test_anonymous_is_sent_to_login(self) -> None:
        self.client.logout()
        self.assertLoginRedirect(self.client.get(self.path), self.path)

    def test_a_unit_opened_after_the_period_began_can_still_send(self) -> None:
        union = grow(self.sylhet_sadar, 1, level="union", by=self.operator)[0]
        self.client.force_login(add_office(self, "newunion", union))
        self.assertEqual(self.client.get(self.path).status_code, 200)
        self.post({"f-members": "3", "action": "submit"})
        self.assertFalse(Submission.objects.get(unit=union).expected)


class SubmissionPageTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        fields = (
            MEMBERS,
            {
                "key": "place",
                "label_bn": "স্থান",
                "label_en": "Place",
                "type": "choice",
                "choices": [{"value": "syl", "label_bn": "সিলেট", "label_en": "Sylhet town"}],
            },
            {"key": "held", "label_bn": "হয়েছে", "label_en": "Held", "type": "yes_no"},
        )
        self.form, self.period = published(
            self.central, target=self.sylhet_division, fields=fields, rules=()
        )
        self.item = actions.submit(
            self.period,
            self.jalalabad_union,
            {"members": 7, "place": "syl", "held": False},
            by=self.jalalabad,
        )
        self.path = url("submission", self.form, self.item.pk)

    def test_it_shows_the_answers_as_people_read_them(self) -> None:
        self.client.force_login(self.sadar)
        response = self.client.get(self.path)
        self.assertContains(response, '<dd data-testid="answer-place">Sylhet town</dd>', html=True)
        self.assertContains(response, '<dd data-testid="answer-held">no</dd>', html=True)
        self.assertContains(response, 'data-testid="approve"')
        self.client.force_login(self.jalalabad)
        self.assertNotContains(self.client.get(self.path), 'data-testid="approve"')

    def test_review_buttons(self) -> None:
        self.client.force_login(self.sadar)
        response = self.client.post(url("approve", self.form, self.item.pk))
        self.assertRedirects(response, self.path, fetch_redirect_response=False)
        self.assertEqual(self.message(response), "Approved.")
        response = self.client.post(url("approve", self.form, self.item.pk))
        self.assertIn("Only a return that has been sent", self.message(response))
        response = self.client.post(url("send_back", self.form, self.item.pk), {"note": ""})
        self.assertEqual(self.message(response), "Say what needs correcting.")
        response = self.client.post(url("send_back", self.form, self.item.pk), {"note": "Place?"})
        self.assertEqual(self.message(response), "Returned to the unit for correction.")
        self.assertEqual(Submission.objects.get(pk=self.item.pk).review_note, "Place?")

    def test_reopening_from_the_page(self) -> None:
        _form, period = published(
            self.central,
            schedule="monthly",
            target=self.sylhet_division,
            timely_days=0,
            lock_after_days=0,
            title="Locked",
        )
        row = slot(period, self.jalalabad_union)
        with frozen(period.locks_at + datetime.timedelta(seconds=1)):
            self.client.force_login(self.sadar)  # a session from then, not from today
            page = self.client.get(url("submission", period.form, row.pk))
            self.assertContains(page, 'data-testid="reopen"')
            response = self.client.post(url("reopen", period.form, row.pk))
        self.assertEqual(self.message(response), "Reopened: the unit can send it late now.")

    def test_the_unit_itself_and_viewers_cannot_review(self) -> None:
        for user in (self.jalalabad, self.union_president, self.president):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.client.post(url("approve", self.form, self.item.pk)).status_code, 403
                )
        self.assertEqual(Submission.objects.get(pk=self.item.pk).status, "submitted")

    def test_outsiders_and_units_below_get_404(self) -> None:
        for user in (self.dhaka, self.ward):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.path).status_code, 404)
                self.assertEqual(
                    self.client.post(url("approve", self.form, self.item.pk)).status_code, 404
                )

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertLoginRedirect(self.client.get(self.path), self.path)


class ReviewQueueTests(ViewTestCase):
    def test_the_office_above_sees_what_its_units_sent(self) -> None:
        _form, period = published(self.central, target=self.sylhet_division)
        actions.submit(period, self.jalalabad_union, {"members": 3}, by=self.jalalabad)
        actions.submit(period, self.ward1, {"members": 3}, by=self.ward)
        self.client.force_login(self.sadar)
        response = self.client.get(REVIEW)
        self.assertEqual([s.unit for s in response.context["page"]], [self.jalalabad_union])
        self.client.force_login(self.central)
        self.assertEqual(list(self.client.get(REVIEW).context["page"]), [])
        everything = self.client.get(REVIEW, {"all": "1"}).context["page"]
        self.assertEqual({s.unit for s in everything}, {self.jalalabad_union, self.ward1})

    def test_its_queries_do_not_grow_with_the_queue(self) -> None:
        unions = grow(self.sylhet_sadar, 12, level="union", by=self.operator)
        _form, period = published(
            self.central, target=self.sylhet_division, target_levels=("union",)
        )
        for n, union in enumerate(unions):
            actions.submit(period, union, {"members": n}, by=add_office(self, f"u{n}", union))
        self.client.force_login(self.sadar)
        self.client.get(REVIEW)
        # Session, user, desks, count, page, and the badges.
        with self.assertNumQueries(5 + BADGES):
            response = self.client.get(REVIEW)
        self.assertEqual(len(response.context["page"]), 12)

    def test_anonymous_and_deskless(self) -> None:
        self.assertLoginRedirect(self.client.get(REVIEW), REVIEW)
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(REVIEW).status_code, 404)
