import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone, translation

from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.lib.phones import normalise_phone
from daptar.people import actions
from daptar.people.models import Person, Post, Term
from daptar.testing import DaptarTestCase, in_request, make_user, nav_queries

PHONE_MESSAGE = "Enter a Bangladeshi mobile number, e.g. 01711-223344."


def post(slug: str) -> Post:
    return Post.objects.get(slug=slug)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class PhoneTests(SimpleTestCase):
    def test_it_stores_plain_local_numbers_with_the_country_code(self) -> None:
        self.assertEqual(normalise_phone("01711223344"), "+8801711223344")

    def test_it_accepts_bengali_digits(self) -> None:
        self.assertEqual(normalise_phone("০১৭১১-২২৩৩৪৪"), "+8801711223344")

    def test_it_accepts_the_88_prefix_with_or_without_plus(self) -> None:
        for typed in ("+8801711223344", "8801711223344", "+880 1711 223344"):
            with self.subTest(typed=typed):
                self.assertEqual(normalise_phone(typed), "+8801711223344")

    def test_it_ignores_spaces_dashes_dots_and_brackets(self) -> None:
        for typed in ("01711 223 344", "01711-223-344", "(01711) 223.344", " 01711223344 "):
            with self.subTest(typed=typed):
                self.assertEqual(normalise_phone(typed), "+8801711223344")

    def test_it_refuses_what_is_not_a_bangladeshi_mobile_number(self) -> None:
        for typed in (
            "01211223344",
            "1711223344",
            "0171122334",
            "017112233445",
            "+1 555 0100 200",
            "0171122334x",
            "",
        ):
            with (
                self.subTest(typed=typed),
                translation.override("en"),
                self.assertRaisesMessage(ValidationError, PHONE_MESSAGE),
            ):
                normalise_phone(typed)


class RegisterPersonTests(DaptarTestCase):
    def test_it_adds_the_person_with_a_normalised_phone(self) -> None:
        person = actions.register_person(
            unit=self.jalalabad_union,
            name_bn="রফিক মিয়া",
            name_en="Rafiq Mia",
            phone="০১৮১৯ ১২৩ ৪৫৬",
            by=self.jalalabad,
        )
        person.refresh_from_db()
        self.assertEqual((person.unit, person.phone), (self.jalalabad_union, "+8801819123456"))

    def test_it_records_the_registration(self) -> None:
        person = in_request(
            self.jalalabad,
            lambda: actions.register_person(unit=self.ward1, name_bn="রফিক মিয়া", by=self.jalalabad),
        )
        event = AuditEvent.objects.get(verb="person.registered", object_id=str(person.pk))
        self.assertEqual(
            (event.actor, event.unit, event.object_id),
            (self.jalalabad, self.ward1, str(person.pk)),
        )

    def test_an_invalid_phone_is_refused_with_a_clear_message(self) -> None:
        with translation.override("en"), self.assertRaisesMessage(ValidationError, PHONE_MESSAGE):
            actions.register_person(
                unit=self.jalalabad_union, name_bn="রফিক মিয়া", phone="12345", by=self.jalalabad
            )
        self.assertFalse(Person.objects.filter(name_bn="রফিক মিয়া").exists())
        self.assertEqual(AuditEvent.objects.filter(verb="person.registered").count(), 5)

    def test_an_outsider_cannot_register(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.register_person(unit=self.jalalabad_union, name_bn="রফিক", by=self.dhaka)

    def test_a_view_desk_cannot_register(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.register_person(unit=self.root, name_bn="রফিক", by=self.president)

    def test_update_normalises_a_changed_phone_and_records_the_fields(self) -> None:
        person = self.jalalabad.person
        actions.update_person(person, phone="+880 1911-000111", by=self.sylhet)
        person.refresh_from_db()
        self.assertEqual(person.phone, "+8801911000111")
        event = AuditEvent.objects.get(verb="person.updated")
        self.assertEqual(event.detail, {"fields": ["phone"]})


class AppointTests(DaptarTestCase):
    def setUp(self) -> None:
        self.person = actions.register_person(
            unit=self.ward1, name_bn="রফিক মিয়া", name_en="Rafiq Mia", by=self.jalalabad
        )

    def test_it_starts_a_term_today_and_records_it(self) -> None:
        term = in_request(
            self.jalalabad,
            lambda: actions.appoint(
                self.person, unit=self.ward1, post=post("office_secretary"), by=self.jalalabad
            ),
        )
        self.assertEqual((term.started_on, term.ended_on), (timezone.localdate(), None))
        event = AuditEvent.objects.get(verb="term.started", object_id=str(term.pk))
        self.assertEqual((event.actor, event.unit), (self.jalalabad, self.ward1))
        self.assertEqual(event.detail, {"person": self.person.pk, "post": "office_secretary"})

    def test_appointing_twice_to_the_same_post_is_refused(self) -> None:
        actions.appoint(self.person, unit=self.ward1, post=post("president"), by=self.jalalabad)
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "already holds this post in this unit"),
        ):
            actions.appoint(self.person, unit=self.ward1, post=post("president"), by=self.jalalabad)
        self.assertEqual(Term.objects.filter(person=self.person).count(), 1)

    def test_appointing_again_from_an_earlier_date_is_refused(self) -> None:
        actions.appoint(self.person, unit=self.ward1, post=post("president"), by=self.jalalabad)
        with self.assertRaises(ValidationError):
            actions.appoint(
                self.person,
                unit=self.ward1,
                post=post("president"),
                by=self.jalalabad,
                started_on=days_ago(30),
            )
        self.assertEqual(Term.objects.filter(person=self.person).count(), 1)

    def test_a_new_term_after_an_ended_one_is_allowed(self) -> None:
        old = actions.appoint(
            self.person,
            unit=self.ward1,
            post=post("president"),
            by=self.jalalabad,
            started_on=days_ago(30),
        )
        actions.end_term(old, by=self.jalalabad, ended_on=days_ago(2))
        actions.appoint(self.person, unit=self.ward1, post=post("president"), by=self.jalalabad)
        self.assertEqual(Term.objects.filter(person=self.person).count(), 2)

    def test_a_second_post_in_the_same_unit_is_allowed(self) -> None:
        actions.appoint(self.person, unit=self.ward1, post=post("president"), by=self.jalalabad)
        actions.appoint(self.person, unit=self.ward1, post=post("member"), by=self.jalalabad)
        self.assertEqual(Term.objects.filter(person=self.person).count(), 2)

    def test_a_view_desk_cannot_appoint(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.appoint(self.person, unit=self.root, post=post("member"), by=self.president)

    def test_an_outsider_cannot_appoint(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.appoint(self.person, unit=self.ward1, post=post("member"), by=self.dhaka)
        self.assertFalse(Term.objects.filter(person=self.person).exists())


class EndTermTests(DaptarTestCase):
    def setUp(self) -> None:
        person = actions.register_person(unit=self.ward1, name_bn="রফিক মিয়া", by=self.jalalabad)
        self.term = actions.appoint(
            person,
            unit=self.ward1,
            post=post("president"),
            by=self.jalalabad,
            started_on=days_ago(10),
        )

    def test_it_ends_the_term_and_records_it(self) -> None:
        in_request(
            self.jalalabad,
            lambda: actions.end_term(self.term, by=self.jalalabad, ended_on=days_ago(1)),
        )
        self.term.refresh_from_db()
        self.assertEqual(self.term.ended_on, days_ago(1))
        event = AuditEvent.objects.get(verb="term.ended")
        self.assertEqual((event.actor, event.unit), (self.jalalabad, self.ward1))
        self.assertEqual(event.detail, {"on": days_ago(1).isoformat()})

    def test_it_ends_today_by_default(self) -> None:
        actions.end_term(self.term, by=self.jalalabad)
        self.term.refresh_from_db()
        self.assertEqual(self.term.ended_on, timezone.localdate())

    def test_an_end_before_the_start_is_refused(self) -> None:
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "A term cannot end before it starts."),
        ):
            actions.end_term(self.term, by=self.jalalabad, ended_on=days_ago(11))
        self.term.refresh_from_db()
        self.assertIsNone(self.term.ended_on)
        self.assertFalse(AuditEvent.objects.filter(verb="term.ended").exists())

    def test_a_view_desk_cannot_end_a_term(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.end_term(self.term, by=self.president)


class DeskTests(DaptarTestCase):
    def new_user(self, username: str) -> User:
        person = actions.register_person(
            unit=self.sylhet_district, name_bn=username, by=self.sylhet
        )
        return make_user(username, person)

    def test_a_current_acting_post_gives_an_acting_desk(self) -> None:
        [desk] = self.sylhet.desks
        self.assertEqual((desk.unit, desk.role, desk.can_act), (self.sylhet_district, "act", True))

    def test_a_view_post_gives_a_view_desk(self) -> None:
        [desk] = self.president.desks
        self.assertEqual((desk.unit, desk.role, desk.can_act), (self.root, "view", False))

    def test_an_ended_term_takes_the_desk_away(self) -> None:
        user = self.new_user("former")
        term = actions.appoint(
            user.person,
            unit=self.sylhet_sadar,
            post=post("office_secretary"),
            by=self.sylhet,
            started_on=days_ago(30),
        )
        self.assertEqual([d.unit for d in self.fresh(user).desks], [self.sylhet_sadar])
        actions.end_term(term, by=self.sylhet, ended_on=days_ago(1))
        self.assertEqual(self.fresh(user).desks, [])

    def test_a_term_ending_today_still_gives_a_desk_today(self) -> None:
        user = self.new_user("leaving")
        term = actions.appoint(
            user.person,
            unit=self.sylhet_sadar,
            post=post("office_secretary"),
            by=self.sylhet,
            started_on=days_ago(30),
        )
        actions.end_term(term, by=self.sylhet)
        self.assertEqual([d.unit for d in self.fresh(user).desks], [self.sylhet_sadar])

    def test_a_term_starting_tomorrow_gives_no_desk_yet(self) -> None:
        user = self.new_user("incoming")
        actions.appoint(
            user.person,
            unit=self.sylhet_sadar,
            post=post("office_secretary"),
            by=self.sylhet,
            started_on=days_ago(-1),
        )
        self.assertEqual(self.fresh(user).desks, [])

    def test_a_member_post_gives_no_desk(self) -> None:
        user = self.new_user("member")
        actions.appoint(user.person, unit=self.sylhet_sadar, post=post("member"), by=self.sylhet)
        self.assertEqual(self.fresh(user).desks, [])

    def test_two_posts_at_two_units_give_two_desks_highest_first(self) -> None:
        actions.appoint(
            self.jalalabad.person,
            unit=self.sylhet_sadar,
            post=post("deputy_office_secretary"),
            by=self.sylhet,
        )
        desks = self.fresh(self.jalalabad).desks
        self.assertEqual(
            [(d.unit, d.role) for d in desks],
            [(self.sylhet_sadar, "act"), (self.jalalabad_union, "act")],
        )

    def test_two_posts_at_one_unit_give_one_desk_and_acting_wins(self) -> None:
        actions.appoint(
            self.president.person, unit=self.root, post=post("office_secretary"), by=self.central
        )
        [desk] = self.fresh(self.president).desks
        self.assertEqual((desk.unit, desk.role), (self.root, "act"))


class DirectoryTests(DaptarTestCase):
    url = reverse("people:directory")

    def names(self, user: User, **params: str) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(self.url, params)
        self.assertEqual(response.status_code, 200)
        return [p.name_en for p in response.context["page"]]

    def test_it_lists_the_people_in_the_users_subtree(self) -> None:
        self.assertEqual(self.names(self.sylhet), ["Jamal Hossain", "Sadia Islam"])

    def test_it_leaves_out_the_people_of_other_subtrees(self) -> None:
        actions.register_person(
            unit=self.ward1, name_bn="রফিক মিয়া", phone="01819-555666", by=self.jalalabad
        )
        self.assertEqual(self.names(self.dhaka), ["Nasrin Akter"])
        response = self.client.get(self.url)
        self.assertNotContains(response, "জামাল হোসেন")
        self.assertNotContains(response, "রফিক মিয়া")
        self.assertNotContains(response, "8801819555666")

    def test_the_central_office_sees_everyone(self) -> None:
        self.assertEqual(len(self.names(self.central)), 5)

    def test_it_narrows_to_one_units_subtree(self) -> None:
        self.assertEqual(
            self.names(self.sylhet, unit=str(self.jalalabad_union.pk)), ["Jamal Hossain"]
        )

    def test_a_unit_out_of_scope_gets_404(self) -> None:
        self.client.force_login(self.dhaka)
        response = self.client.get(self.url, {"unit": self.jalalabad_union.pk})
        self.assertEqual(response.status_code, 404)

    def test_it_finds_people_by_bengali_name(self) -> None:
        self.assertEqual(self.names(self.central, q="জামাল"), ["Jamal Hossain"])

    def test_it_finds_people_by_english_name_in_any_case(self) -> None:
        self.assertEqual(self.names(self.central, q="sadia"), ["Sadia Islam"])

    def test_search_stays_inside_the_scope(self) -> None:
        self.assertEqual(self.names(self.dhaka, q="জামাল"), [])

    def test_it_shows_phones_and_current_posts(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(self.url, {"q": "Jamal"})
        self.assertContains(response, 'href="tel:+8801711000000"')
        self.assertContains(response, "দপ্তর সম্পাদক")

    def test_it_pages_fifty_people_at_a_time(self) -> None:
        for n in range(60):
            actions.register_person(
                unit=self.ward1, name_bn=f"সদস্য {n:02}", name_en=f"Member {n:02}", by=self.jalalabad
            )
        first = self.names(self.jalalabad)
        second = self.names(self.jalalabad, page="2")
        self.assertEqual(len(first), 50)
        self.assertEqual(len(second), 11)
        self.assertEqual(set(first) & set(second), set())
        self.assertEqual(len(set(first) | set(second)), 61)

    def test_an_htmx_search_gets_only_the_results_fragment(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(self.url, {"q": "Jamal"}, headers={"hx-request": "true"})
        html = response.content.decode().strip()
        self.assertTrue(html.startswith('<div id="results">'), html[:80])
        self.assertNotIn("<html", html)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={self.url}")

    def test_query_count_does_not_grow_with_people(self) -> None:
        for n in range(60):
            person = actions.register_person(
                unit=self.ward1,
                name_bn=f"সদস্য {n:02}",
                name_en=f"Member {n:02}",
                phone=f"0171100{n:04}",
                by=self.jalalabad,
            )
            actions.appoint(person, unit=self.ward1, post=post("member"), by=self.jalalabad)
            if n % 10 == 0:
                actions.appoint(
                    person, unit=self.jalalabad_union, post=post("research_cell"), by=self.jalalabad
                )
        self.client.force_login(self.sylhet)
        # session, user, desks, whether the desks may read phones, people (one row past
        # the page, no count), their current terms, the navigation's badges
        with self.assertNumQueries(6 + nav_queries()):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"]), 50)


class RegisterScopeTests(DaptarTestCase):
    """A person outside the acting user's register cannot be appointed, moved or read."""

    def test_appointing_a_person_from_another_subtree_is_404(self) -> None:
        from django.http import Http404

        outsider = self.dhaka.person
        with self.assertRaises(Http404):
            actions.appoint(
                outsider,
                unit=self.jalalabad_union,
                post=Post.objects.get(slug="office_secretary"),
                by=self.jalalabad,
            )
        self.assertFalse(Term.objects.filter(person=outsider, unit=self.jalalabad_union).exists())

    def test_moving_a_person_needs_an_acting_desk_over_the_unit_they_leave(self) -> None:
        # The president views central and acts for Ward 1: moving a central person into
        # Ward 1 would take them from a unit the president may only read.
        people_post = Post.objects.get(slug="office_secretary")
        actions.appoint(self.president.person, unit=self.ward1, post=people_post, by=self.operator)
        president = self.fresh(self.president)
        person = Person.objects.get(pk=self.central.person.pk)
        with self.assertRaises(PermissionDenied):
            actions.update_person(person, by=president, unit=self.ward1, phone="01811-000000")
        person.refresh_from_db()
        self.assertEqual(person.unit_id, self.root.pk)

    def test_the_directory_lists_only_terms_within_scope(self) -> None:
        actions.appoint(
            self.sylhet.person,
            unit=self.dhaka_district,
            post=Post.objects.get(slug="member"),
            by=self.operator,
        )
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("people:directory"), {"q": "Sadia"})
        results = response.content.decode().split('id="results"')[1]
        self.assertIn("সাদিয়া ইসলাম", results)
        self.assertNotIn("ঢাকা", results)  # her membership in Dhaka is outside Sylhet's scope


class PhoneVerificationTests(DaptarTestCase):
    def test_changing_the_phone_drops_its_verification(self) -> None:
        person = Person.objects.get(pk=self.jalalabad.person_id)
        person.phone_verified_at = timezone.now()
        person.save()
        actions.update_person(person, by=self.central, phone="০১৮১১-২২৩৩৪৪")
        person.refresh_from_db()
        self.assertEqual(person.phone, "+8801811223344")
        self.assertIsNone(person.phone_verified_at)
