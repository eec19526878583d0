import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post, Term
from daptar.register import actions, queries
from daptar.register.models import Committee
from daptar.testing import DaptarTestCase


def post(slug: str) -> Post:
    return Post.objects.get(slug=slug)


class CommitteeTestCase(DaptarTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # The cast's terms began a year ago, as a sitting committee's would have.
        Term.objects.update(started_on=timezone.localdate() - datetime.timedelta(days=365))

    def newcomer(self, name: str, unit=None) -> Person:
        return people_actions.register_person(
            unit=unit or self.jalalabad_union, name_bn=name, name_en=name, by=self.operator
        )

    def propose(self, by: User | None = None, **kw) -> Committee:
        secretary = kw.pop("secretary", None) or self.newcomer("নতুন সম্পাদক")
        return actions.propose_committee(
            self.jalalabad_union,
            kind=kw.pop("kind", Committee.Kind.FULL),
            formed_on=kw.pop("formed_on", timezone.localdate()),
            seats=[(post("office_secretary"), secretary), (post("president"), None)],
            by=self.fresh(by or self.jalalabad),
        )


class ProposeTests(CommitteeTestCase):
    def test_the_units_own_office_proposes_with_the_levels_term_length(self):
        committee = self.propose()
        self.assertEqual(committee.state, Committee.State.PROPOSED)
        self.assertEqual(committee.term_months, 24)  # union, from the settings
        self.assertEqual(committee.proposed_by_unit, self.jalalabad_union)
        self.assertEqual(committee.seats.count(), 2)
        self.assertTrue(AuditEvent.objects.filter(verb="committee.proposed").exists())

    @override_settings(DAPTAR_REGISTER_CONVENING_MONTHS=3)
    def test_a_convening_committee_runs_for_the_convening_months(self):
        formed = datetime.date(2026, 1, 31)
        committee = self.propose(kind=Committee.Kind.CONVENING, formed_on=formed)
        self.assertEqual(committee.expires_on, datetime.date(2026, 4, 30))

    def test_the_office_above_may_propose(self):
        committee = self.propose(by=self.sylhet)
        self.assertEqual(committee.proposed_by_unit, self.sylhet_district)

    def test_an_outsider_may_not_propose(self):
        with self.assertRaises(PermissionDenied):
            self.propose(by=self.dhaka)

    def test_a_person_outside_the_proposers_register_is_refused(self):
        stranger = self.newcomer("অচেনা", unit=self.dhaka_district)
        with self.assertRaises(ValidationError):
            self.propose(secretary=stranger)


class ApproveTests(CommitteeTestCase):
    def test_the_units_own_office_cannot_approve(self):
        committee = self.propose()
        with self.assertRaises(PermissionDenied):
            actions.approve_committee(committee, by=self.fresh(self.jalalabad))

    def test_an_outsider_cannot_approve(self):
        committee = self.propose()
        with self.assertRaises(PermissionDenied):
            actions.approve_committee(committee, by=self.fresh(self.dhaka))

    def test_approval_ends_old_terms_and_begins_new_ones_in_one_audited_action(self):
        old_term = Term.objects.get(unit=self.jalalabad_union, post__slug="office_secretary")
        newcomer = self.newcomer("নতুন সম্পাদক")
        committee = self.propose(secretary=newcomer)
        # any ancestor may approve: the district, two levels up
        actions.approve_committee(committee, by=self.fresh(self.sylhet))
        committee.refresh_from_db()
        old_term.refresh_from_db()
        today = timezone.localdate()
        self.assertEqual(committee.state, Committee.State.CURRENT)
        self.assertEqual(committee.approved_by_unit, self.sylhet_district)
        self.assertLess(old_term.ended_on, today)
        current = Term.objects.current().filter(unit=self.jalalabad_union).office_bearers()
        self.assertEqual([t.person for t in current], [newcomer])
        event = AuditEvent.objects.get(verb="committee.approved")
        self.assertEqual(event.detail["ended_terms"], [old_term.pk])
        self.assertEqual(len(event.detail["started_terms"]), 1)

    def test_desk_and_login_move_with_the_post(self):
        newcomer = self.newcomer("নতুন সম্পাদক")
        committee = self.propose(secretary=newcomer)
        actions.approve_committee(committee, by=self.fresh(self.sylhet))
        login = User.objects.get(username="jalalabad")
        self.assertEqual(login.person, newcomer)
        self.assertFalse(login.has_usable_password())
        self.assertEqual([d.unit for d in login.desks], [self.jalalabad_union])
        self.assertTrue(AuditEvent.objects.filter(verb="login.moved").exists())

    def test_a_second_approval_is_refused(self):
        committee = self.propose()
        actions.approve_committee(committee, by=self.fresh(self.sylhet))
        with self.assertRaises(ValidationError):
            actions.approve_committee(committee, by=self.fresh(self.sylhet))

    def test_the_next_committee_ends_the_current_one(self):
        first = self.propose()
        actions.approve_committee(first, by=self.fresh(self.sylhet))
        second = self.propose(by=self.sylhet)
        actions.approve_committee(second, by=self.fresh(self.central))
        first.refresh_from_db()
        self.assertEqual(first.state, Committee.State.ENDED)
        self.assertEqual(Committee.objects.current().get(unit=self.jalalabad_union), second)

    def test_rejecting_leaves_the_current_holders(self):
        committee = self.propose()
        actions.reject_committee(committee, by=self.fresh(self.sylhet))
        self.assertEqual(
            Term.objects.current()
            .get(unit=self.jalalabad_union, post__slug="office_secretary")
            .person.user,
            self.jalalabad,
        )


class ListTests(CommitteeTestCase):
    def test_expired_committees_are_listed_and_rolled_up_by_district(self):
        long_ago = timezone.localdate() - datetime.timedelta(days=365 * 3)
        committee = self.propose(formed_on=long_ago)
        actions.approve_committee(committee, by=self.fresh(self.sylhet))
        self.assertEqual(list(queries.expired(self.root)), [committee])
        self.assertEqual(list(queries.expired(self.dhaka_division)), [])
        (division,) = queries.rollup("expired", self.root, queries.DIVISION_DEPTH)
        self.assertEqual((division.unit, division.count), (self.sylhet_division, 1))
        (district,) = queries.rollup("expired", self.root, queries.DISTRICT_DEPTH)
        self.assertEqual((district.unit, district.count), (self.sylhet_district, 1))

    def test_units_without_committee_and_vacant_office_secretaries(self):
        self.assertIn(self.ward1, queries.no_committee(self.root))
        vacant = queries.vacant(self.root, post("office_secretary"))
        self.assertIn(self.ward1, vacant)
        self.assertNotIn(self.jalalabad_union, vacant)
        committee = self.propose()
        actions.approve_committee(committee, by=self.fresh(self.sylhet))
        self.assertNotIn(self.jalalabad_union, queries.no_committee(self.root))

    def test_a_person_holding_posts_in_two_places(self):
        jamal = self.jalalabad.person
        people_actions.appoint(jamal, unit=self.ward1, post=post("president"), by=self.operator)
        self.assertEqual(list(queries.two_places(self.root)), [jamal])
        self.assertEqual(queries.counts(self.root)["two_places"], 1)

    def test_history_lists_every_term_across_units(self):
        jamal = self.jalalabad.person
        people_actions.appoint(jamal, unit=self.ward1, post=post("president"), by=self.operator)
        units = {t.unit for t in queries.history(jamal)}
        self.assertEqual(units, {self.jalalabad_union, self.ward1})


class ApiTests(CommitteeTestCase):
    def client_for(self, user: User) -> APIClient:
        api = APIClient()
        api.force_authenticate(user=self.fresh(user))
        return api

    def body(self, person: Person | None = None) -> dict:
        person = person or self.newcomer("নতুন সম্পাদক")
        self.body_person = person
        return {
            "unit": self.jalalabad_union.pk,
            "kind": "full",
            "formed_on": str(timezone.localdate()),
            "seats": [
                {"post": "office_secretary", "person": person.pk},
                {"post": "president", "person": None},
            ],
        }

    def test_propose_approve_and_read_the_units_committee(self):
        created = self.client_for(self.jalalabad).post(
            reverse("api:committee-list"), self.body(), format="json"
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["state"], "proposed")
        pk = created.json()["id"]
        approve = reverse("api:committee-approve", args=[pk])
        self.assertEqual(self.client_for(self.jalalabad).post(approve).status_code, 403)
        self.assertEqual(self.client_for(self.dhaka).post(approve).status_code, 404)
        approved = self.client_for(self.sylhet).post(approve)
        self.assertEqual(approved.status_code, 200)
        self.assertEqual(approved.json()["state"], "current")
        url = reverse("api:unit-committee-list", args=[self.jalalabad_union.pk])
        self.assertEqual(url, f"/api/v1/units/{self.jalalabad_union.pk}/committee/")
        got = self.client_for(self.jalalabad).get(url)
        self.assertEqual(got.status_code, 200)
        self.assertEqual(got.json()["id"], pk)
        seats = {seat["post"]: seat["person"] for seat in got.json()["seats"]}
        self.assertEqual(seats, {"president": None, "office_secretary": self.body_person.pk})

    def test_a_unit_with_no_committee_answers_404_and_an_outsider_404(self):
        url = reverse("api:unit-committee-list", args=[self.jalalabad_union.pk])
        self.assertEqual(self.client_for(self.jalalabad).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.dhaka).get(url).status_code, 404)

    def test_a_person_outside_scope_is_a_400(self):
        stranger = self.newcomer("অচেনা", unit=self.dhaka_district)
        response = self.client_for(self.jalalabad).post(
            reverse("api:committee-list"), self.body(stranger), format="json"
        )
        self.assertEqual(response.status_code, 400)

    def test_the_list_is_scoped(self):
        self.client_for(self.jalalabad).post(
            reverse("api:committee-list"), self.body(), format="json"
        )
        self.assertEqual(
            self.client_for(self.sylhet).get(reverse("api:committee-list")).json()["count"], 1
        )
        self.assertEqual(
            self.client_for(self.dhaka).get(reverse("api:committee-list")).json()["count"], 0
        )

    def test_anonymous_is_refused(self):
        self.assertIn(APIClient().get(reverse("api:committee-list")).status_code, (401, 403))


class PageTests(CommitteeTestCase):
    def test_the_approve_button_works_for_the_office_above_only(self):
        committee = self.propose()
        self.client.force_login(self.jalalabad)
        page = self.client.get(reverse("register:committee", args=[committee.pk]))
        self.assertNotContains(page, 'data-testid="approve"')
        self.client.force_login(self.sylhet)
        page = self.client.get(reverse("register:committee", args=[committee.pk]))
        self.assertContains(page, 'data-testid="approve"')
        self.client.post(reverse("register:decide", args=[committee.pk, "approve"]))
        committee.refresh_from_db()
        self.assertEqual(committee.state, Committee.State.CURRENT)

    def test_an_outsider_gets_404(self):
        committee = self.propose()
        self.client.force_login(self.dhaka)
        page = self.client.get(reverse("register:committee", args=[committee.pk]))
        self.assertEqual(page.status_code, 404)

    def test_home_and_lists_render_in_both_languages(self):
        self.client.force_login(self.sylhet)
        for language, heading in (("bn", "কমিটিহীন ইউনিট"), ("en", "Units with no committee")):
            self.client.cookies["django_language"] = language
            self.assertContains(self.client.get(reverse("register:home")), heading)
            for name in queries.LISTS:
                page = self.client.get(reverse("register:list", args=[name]))
                self.assertEqual(page.status_code, 200, name)

    def test_the_dashboard_shows_the_lists_counts_of_its_unit(self):
        self.client.force_login(self.sylhet)
        unit = self.sylhet_district.pk
        dashboard = self.client.get(reverse("dashboard:home"), {"unit": unit})
        counts_url = f"{reverse('register:counts')}?unit={unit}"
        self.assertContains(dashboard, f'data-hx-get="{counts_url}"', html=False)
        card = self.client.get(counts_url, headers={"hx-request": "true", "accept-language": "en"})
        self.assertContains(card, 'data-testid="register-counts"')
        self.assertNotContains(card, "<html")
        expected = queries.counts(self.sylhet_district)["no_committee"]
        self.assertContains(card, f'data-testid="count-no_committee">{expected}<', html=False)
        outside = self.client.get(reverse("register:counts"), {"unit": self.dhaka_district.pk})
        self.assertEqual(outside.status_code, 404)

    def test_proposing_from_the_page(self):
        newcomer = self.newcomer("নতুন সম্পাদক")
        self.client.force_login(self.jalalabad)
        url = reverse("register:unit_committee", args=[self.jalalabad_union.pk])
        response = self.client.post(
            url,
            {"kind": "full", "formed_on": "2026-01-01", "post_office_secretary": newcomer.pk},
        )
        committee = Committee.objects.get()
        self.assertRedirects(response, reverse("register:committee", args=[committee.pk]))
        self.assertEqual(committee.seats.get(post__slug="office_secretary").person, newcomer)

    def test_exporting_people_is_audited(self):
        self.client.force_login(self.central)
        response = self.client.get(reverse("register:list", args=["two_places"]) + "?format=xlsx")
        self.assertEqual(response.status_code, 200)
        event = AuditEvent.objects.get(verb="register.exported")
        self.assertEqual(event.detail["rows"], 0)


class ScopeTests(CommitteeTestCase):
    def test_a_committee_outside_scope_is_404(self):
        committee = self.propose()
        with self.assertRaises(Http404):
            queries.get_visible_committee(self.fresh(self.dhaka), committee.pk)
