import datetime

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from daptar.accounts.models import User
from daptar.audit.actions import record
from daptar.audit.models import AppendOnlyError, AuditEvent
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post, Term
from daptar.testing import DaptarTestCase, in_request, make_user, nav_queries
from daptar.units import actions as unit_actions
from daptar.units.models import Unit

EVENTS = reverse("audit:events")


class AppendOnlyTests(DaptarTestCase):
    def setUp(self) -> None:
        self.event = record("test.done", by=self.sylhet, unit=self.sylhet_district)

    def test_a_saved_event_cannot_be_saved_again(self) -> None:
        self.event.verb = "test.undone"
        with self.assertRaises(AppendOnlyError):
            self.event.save()
        self.assertEqual(AuditEvent.objects.get(pk=self.event.pk).verb, "test.done")

    def test_an_event_cannot_be_deleted(self) -> None:
        with self.assertRaises(AppendOnlyError):
            self.event.delete()
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())

    def test_a_queryset_cannot_update_events(self) -> None:
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.filter(pk=self.event.pk).update(verb="test.undone")
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.update(verb="test.undone")
        self.assertFalse(AuditEvent.objects.filter(verb="test.undone").exists())

    def test_a_queryset_cannot_delete_events(self) -> None:
        count = AuditEvent.objects.count()
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.filter(pk=self.event.pk).delete()
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.all().delete()
        self.assertEqual(AuditEvent.objects.count(), count)

    def test_bulk_update_is_refused(self) -> None:
        self.event.verb = "test.undone"
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.bulk_update([self.event], ["verb"])

    def test_deleting_a_user_keeps_their_events_under_their_username(self) -> None:
        gone = make_user("gone")
        kept = record("test.done", by=gone)
        gone.delete()
        kept = AuditEvent.objects.get(pk=kept.pk)
        self.assertEqual((kept.actor, kept.actor_username), (None, "gone"))


class AuditPageTests(DaptarTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.in_sylhet = in_request(
            cls.sylhet,
            lambda: unit_actions.rename_unit(
                Unit.objects.get(pk=cls.sylhet_sadar.pk),
                name_bn="সিলেট সদর উপজেলা",
                name_en="Sylhet Sadar Upazila",
                by=cls.sylhet,
            ),
        )
        cls.in_jalalabad = in_request(
            cls.jalalabad,
            lambda: people_actions.register_person(
                unit=cls.ward1,
                name_bn="রফিক মিয়া",
                name_en="Rafiq Mia",
                by=cls.jalalabad,
            ),
        )
        cls.in_dhaka = in_request(
            cls.dhaka,
            lambda: people_actions.register_person(
                unit=cls.dhaka_district,
                name_bn="ঢাকার সদস্য",
                name_en="Dhaka Member",
                by=cls.dhaka,
            ),
        )

    def events(self, user: User, **params: str) -> list[AuditEvent]:
        self.client.force_login(user)
        response = self.client.get(EVENTS, params)
        self.assertEqual(response.status_code, 200)
        return list(response.context["page"])

    def test_it_lists_only_events_in_the_users_subtree(self) -> None:
        events = self.events(self.sylhet)
        self.assertTrue(events)
        for event in events:
            self.assertTrue(event.unit_path.startswith(self.sylhet_district.path), event)
        objects = {(e.verb, e.object_repr) for e in events}
        self.assertIn(("unit.renamed", "সিলেট সদর উপজেলা"), objects)
        self.assertIn(("person.registered", "রফিক মিয়া"), objects)
        self.assertNotIn(("person.registered", "ঢাকার সদস্য"), objects)

    def test_an_outsider_sees_none_of_another_subtrees_events(self) -> None:
        events = self.events(self.dhaka)
        self.assertIn(("person.registered", "ঢাকার সদস্য"), {(e.verb, e.object_repr) for e in events})
        for event in events:
            self.assertTrue(event.unit_path.startswith(self.dhaka_district.path), event)
        self.client.force_login(self.dhaka)
        self.assertNotContains(self.client.get(EVENTS), "রফিক মিয়া")

    def test_the_central_office_sees_every_subtrees_events(self) -> None:
        repr_ = {e.object_repr for e in self.events(self.central, verb="person.registered")}
        self.assertLessEqual({"রফিক মিয়া", "ঢাকার সদস্য"}, repr_)

    def test_a_login_without_a_post_sees_nothing(self) -> None:
        self.assertEqual(self.events(self.nobody), [])

    def test_it_filters_by_action(self) -> None:
        events = self.events(self.sylhet, verb="unit.")
        self.assertEqual(
            [(e.verb, e.object_repr) for e in events], [("unit.renamed", "সিলেট সদর উপজেলা")]
        )

    def test_it_filters_by_actor(self) -> None:
        events = self.events(self.sylhet, actor="jalalabad")
        self.assertEqual(
            [(e.verb, e.actor_username) for e in events], [("person.registered", "jalalabad")]
        )

    def test_it_filters_by_date(self) -> None:
        today = timezone.localdate()
        tomorrow = (today + datetime.timedelta(days=1)).isoformat()
        yesterday = (today - datetime.timedelta(days=1)).isoformat()
        everything = self.events(self.sylhet)
        self.assertEqual(
            self.events(self.sylhet, **{"from": today.isoformat(), "to": today.isoformat()}),
            everything,
        )
        self.assertEqual(self.events(self.sylhet, **{"from": tomorrow}), [])
        self.assertEqual(self.events(self.sylhet, to=yesterday), [])

    def test_a_malformed_date_is_ignored(self) -> None:
        self.assertEqual(
            self.events(self.sylhet, **{"from": "last tuesday"}), self.events(self.sylhet)
        )

    def test_it_lists_newest_first(self) -> None:
        events = self.events(self.central)
        self.assertEqual(events, sorted(events, key=lambda e: (e.at, e.pk), reverse=True))

    def test_anonymous_is_sent_to_log_in(self) -> None:
        self.assertRedirects(self.client.get(EVENTS), f"{reverse('accounts:login')}?next={EVENTS}")

    def test_query_count_does_not_grow_with_events(self) -> None:
        for n in range(60):
            unit = self.ward1 if n % 2 else self.jalalabad_union
            record("test.done", by=self.jalalabad, unit=unit)
        self.client.force_login(self.sylhet)
        # session, user, desks, count, page with units, the action list, the navigation's
        # badges
        with self.assertNumQueries(6 + nav_queries()):
            response = self.client.get(EVENTS)
        self.assertEqual(len(response.context["page"]), 50)


class AdminTests(DaptarTestCase):
    """A database-team staffer at Sylhet district works in the admin."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        person = people_actions.register_person(
            unit=cls.sylhet_district,
            name_bn="ডাটা কর্মী",
            name_en="Data Staffer",
            by=cls.sylhet,
        )
        people_actions.appoint(
            person,
            unit=cls.sylhet_district,
            post=Post.objects.get(slug="office_secretary"),
            by=cls.sylhet,
        )
        cls.staffer = make_user("staffer", person, is_staff=True)
        codenames = [
            "view_unit",
            "change_unit",
            "add_unit",
            "view_person",
            "add_person",
            "change_person",
            "view_term",
            "add_term",
            "change_term",
            "view_auditevent",
        ]
        cls.staffer.user_permissions.set(Permission.objects.filter(codename__in=codenames))

    def setUp(self) -> None:
        self.client.force_login(self.staffer)

    def changelist(self, model: str) -> list[object]:
        response = self.client.get(reverse(f"admin:{model}_changelist"))
        self.assertEqual(response.status_code, 200)
        return list(response.context["cl"].result_list)

    def test_the_unit_list_holds_only_the_staffers_subtree(self) -> None:
        self.assertEqual(
            set(self.changelist("units_unit")),
            {self.sylhet_district, self.sylhet_sadar, self.jalalabad_union, self.ward1},
        )

    def test_a_unit_out_of_scope_cannot_be_opened(self) -> None:
        url = reverse("admin:units_unit_change", args=[self.dhaka_district.pk])
        response = self.client.get(url)
        self.assertRedirects(response, reverse("admin:index"))

    def test_the_people_list_holds_only_the_staffers_subtree(self) -> None:
        names = {p.name_en for p in self.changelist("people_person")}
        self.assertEqual(names, {"Sadia Islam", "Jamal Hossain", "Data Staffer"})

    def test_a_person_out_of_scope_cannot_be_opened(self) -> None:
        nasrin = self.dhaka.person
        response = self.client.get(reverse("admin:people_person_change", args=[nasrin.pk]))
        self.assertRedirects(response, reverse("admin:index"))

    def test_the_term_list_holds_only_the_staffers_subtree(self) -> None:
        units = {t.unit for t in self.changelist("people_term")}
        self.assertEqual(units, {self.sylhet_district, self.jalalabad_union})
        dhaka_term = Term.objects.get(unit=self.dhaka_district)
        response = self.client.get(reverse("admin:people_term_change", args=[dhaka_term.pk]))
        self.assertRedirects(response, reverse("admin:index"))

    def test_the_audit_list_holds_only_the_staffers_subtree(self) -> None:
        events = self.changelist("audit_auditevent")
        self.assertTrue(events)
        for event in events:
            self.assertTrue(event.unit_path.startswith(self.sylhet_district.path), event)

    def test_renaming_a_unit_goes_through_the_action(self) -> None:
        url = reverse("admin:units_unit_change", args=[self.sylhet_sadar.pk])
        response = self.client.post(url, {"name_bn": "সদর", "name_en": "Sadar", "_save": "1"})
        self.assertRedirects(response, reverse("admin:units_unit_changelist"))
        unit = Unit.objects.get(pk=self.sylhet_sadar.pk)
        self.assertEqual((unit.name_bn, unit.name_en), ("সদর", "Sadar"))
        event = AuditEvent.objects.get(verb="unit.renamed")
        self.assertEqual(
            (event.actor, event.unit, event.object_id),
            (self.staffer, self.sylhet_district, str(unit.pk)),
        )

    def test_the_unit_change_form_offers_only_what_the_rename_action_saves(self) -> None:
        url = reverse("admin:units_unit_change", args=[self.sylhet_sadar.pk])
        form = self.client.get(url).context["adminform"].form
        self.assertEqual(set(form.fields), {"name_bn", "name_en"})
        self.client.post(
            url,
            {
                "name_bn": "সদর",
                "name_en": "Sadar",
                "code": "CHANGED",
                "is_active": "",
                "_save": "1",
            },
        )
        unit = Unit.objects.get(pk=self.sylhet_sadar.pk)
        self.assertEqual((unit.code, unit.is_active), ("UPZ-281", True))

    def test_adding_a_unit_goes_through_the_action(self) -> None:
        response = self.client.post(
            reverse("admin:units_unit_add"),
            {
                "parent": self.sylhet_sadar.pk,
                "level": self.jalalabad_union.level_id,
                "code": "UN-NEW",
                "name_bn": "নতুন ইউনিয়ন",
                "name_en": "New Union",
                "kind": "standard",
                "_save": "1",
            },
        )
        self.assertRedirects(response, reverse("admin:units_unit_changelist"))
        unit = Unit.objects.get(code="UN-NEW")
        self.assertEqual((unit.path, unit.depth), (self.sylhet_sadar.path + "0002", 4))
        event = AuditEvent.objects.get(verb="unit.created", object_id=str(unit.pk))
        self.assertEqual((event.actor, event.unit), (self.staffer, self.sylhet_district))

    def test_adding_a_unit_out_of_scope_is_refused(self) -> None:
        response = self.client.post(
            reverse("admin:units_unit_add"),
            {
                "parent": self.dhaka_district.pk,
                "level": self.jalalabad_union.level_id,
                "code": "UN-NEW",
                "name_bn": "নতুন",
                "name_en": "New",
                "kind": "standard",
                "_save": "1",
            },
        )
        self.assertIn(response.status_code, (200, 403))
        self.assertFalse(Unit.objects.filter(code="UN-NEW").exists())

    def test_adding_a_person_goes_through_the_action(self) -> None:
        response = self.client.post(
            reverse("admin:people_person_add"),
            {
                "unit": self.ward1.pk,
                "name_bn": "রফিক মিয়া",
                "name_en": "Rafiq Mia",
                "phone": "০১৮১৯-১২৩৪৫৬",
                "email": "",
                "_save": "1",
            },
        )
        self.assertRedirects(response, reverse("admin:people_person_changelist"))
        person = Person.objects.get(name_en="Rafiq Mia")
        self.assertEqual(person.phone, "+8801819123456")
        event = AuditEvent.objects.get(verb="person.registered", object_id=str(person.pk))
        self.assertEqual(event.actor, self.staffer)

    def test_editing_a_person_goes_through_the_action(self) -> None:
        jamal = self.jalalabad.person
        url = reverse("admin:people_person_change", args=[jamal.pk])
        self.client.post(
            url,
            {
                "unit": jamal.unit_id,
                "name_bn": jamal.name_bn,
                "name_en": jamal.name_en,
                "phone": "01911-000111",
                "email": "",
                "_save": "1",
            },
        )
        jamal.refresh_from_db()
        self.assertEqual(jamal.phone, "+8801911000111")
        event = AuditEvent.objects.get(verb="person.updated")
        self.assertEqual((event.actor, event.detail), (self.staffer, {"fields": ["phone"]}))

    def test_ending_a_term_goes_through_the_action(self) -> None:
        term = self.jalalabad.person.terms.get()
        url = reverse("admin:people_term_change", args=[term.pk])
        on = timezone.localdate()
        response = self.client.post(url, {"ended_on": on.isoformat(), "_save": "1"})
        self.assertRedirects(response, reverse("admin:people_term_changelist"))
        term.refresh_from_db()
        self.assertEqual(term.ended_on, on)
        event = AuditEvent.objects.get(verb="term.ended")
        self.assertEqual((event.actor, event.unit), (self.staffer, self.jalalabad_union))

    def test_appointing_goes_through_the_action_and_offers_no_end_date(self) -> None:
        url = reverse("admin:people_term_add")
        self.assertNotIn("ended_on", self.client.get(url).context["adminform"].form.fields)
        jamal = self.jalalabad.person
        response = self.client.post(
            url,
            {
                "person": jamal.pk,
                "unit": self.ward1.pk,
                "post": Post.objects.get(slug="member").pk,
                "started_on": timezone.localdate().isoformat(),
                "_save": "1",
            },
        )
        self.assertRedirects(response, reverse("admin:people_term_changelist"))
        term = Term.objects.get(person=jamal, unit=self.ward1)
        event = AuditEvent.objects.get(verb="term.started", object_id=str(term.pk))
        self.assertEqual((event.actor, event.unit), (self.staffer, self.ward1))

    def test_the_staffer_cannot_delete_units_people_or_terms(self) -> None:
        for model, pk in (
            ("units_unit", self.ward1.pk),
            ("people_person", self.jalalabad.person.pk),
            ("people_term", self.jalalabad.person.terms.get().pk),
        ):
            with self.subTest(model=model):
                response = self.client.post(
                    reverse(f"admin:{model}_delete", args=[pk]), {"post": "yes"}
                )
                self.assertEqual(response.status_code, 403)
        self.assertTrue(Unit.objects.filter(pk=self.ward1.pk).exists())
