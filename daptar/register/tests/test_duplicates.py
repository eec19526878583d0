from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from daptar.audit.models import AuditEvent
from daptar.lib.namekeys import name_key
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post, Term
from daptar.register import actions, queries
from daptar.testing import DaptarTestCase


class NameKeyTests(DaptarTestCase):
    def test_bengali_and_romanised_spellings_meet(self):
        spellings = ["মোঃ আব্দুর রহমান", "Md. Abdur Rahman", "Mohammad Abdur Rahaman"]
        self.assertEqual(len({name_key(s) for s in spellings}), 1)
        self.assertEqual(name_key("ফাতেমা বেগম"), name_key("Fatima Begom"))
        self.assertNotEqual(name_key("Fatema Begum"), name_key("Jamal Hossain"))


class DuplicateTests(DaptarTestCase):
    def person(self, bn: str, en: str = "", phone: str = "", unit=None) -> Person:
        return people_actions.register_person(
            unit=unit or self.ward1, name_bn=bn, name_en=en, phone=phone, by=self.operator
        )

    def test_same_phone_and_alike_names_are_offered(self):
        a = self.person("মোঃ আব্দুর রহমান")
        b = self.person("Md. Abdur Rahman", "Md. Abdur Rahman")
        c = self.person("করিম", phone="01811223344")
        d = self.person("রহিম", phone="০১৮১১-২২৩৩৪৪")
        self.person("অন্য কেউ", "Someone Else")
        groups = {(g.reason, tuple(p.pk for p in g.people)) for g in queries.lookalikes(self.ward1)}
        self.assertEqual(groups, {("name", (a.pk, b.pk)), ("phone", (c.pk, d.pk))})

    def test_people_of_other_units_are_not_compared(self):
        self.person("করিম", phone="01811223344")
        self.person("করিম", phone="01811223344", unit=self.jalalabad_union)
        self.assertEqual(queries.lookalikes(self.ward1), [])

    def test_merge_keeps_both_histories_and_the_login(self):
        keep = self.person("আব্দুর রহমান")
        drop = self.person("Abdur Rahman", "Abdur Rahman", phone="01811223344")
        president = Post.objects.get(slug="president")
        people_actions.appoint(drop, unit=self.ward1, post=president, by=self.operator)
        people_actions.appoint(keep, unit=self.ward1, post=Post.objects.get(slug="member"),
                               by=self.operator)  # fmt: skip
        merged = actions.merge_people(keep, drop, by=self.fresh(self.jalalabad))
        self.assertFalse(Person.objects.filter(pk=drop.pk).exists())
        self.assertEqual(
            set(Term.objects.filter(person=merged).values_list("post__slug", flat=True)),
            {"president", "member"},
        )
        self.assertEqual((merged.phone, merged.name_en), ("+8801811223344", "Abdur Rahman"))
        event = AuditEvent.objects.get(verb="person.merged")
        self.assertEqual(event.detail["dropped"], drop.pk)

    def test_an_outsider_or_read_only_desk_cannot_merge(self):
        keep, drop = self.person("ক"), self.person("খ")
        with self.assertRaises(Http404):
            actions.merge_people(keep, drop, by=self.fresh(self.dhaka))
        with self.assertRaises(PermissionDenied):
            actions.merge_people(keep, drop, by=self.fresh(self.president))

    def test_the_page_lists_and_merges(self):
        a = self.person("করিম", phone="01811223344")
        b = self.person("Karim", phone="01811223344")
        self.client.force_login(self.jalalabad)
        url = reverse("register:duplicates", args=[self.ward1.pk])
        self.assertContains(self.client.get(url), 'data-testid="duplicate-group"')
        self.client.post(url, {"keep": a.pk, "drop": b.pk})
        self.assertFalse(Person.objects.filter(pk=b.pk).exists())
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url).status_code, 404)
