"""People search on the backend's trigram index: Bengali words, English words, phones."""

import unicodedata

from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from daptar.people import actions
from daptar.people.models import Person, Post
from daptar.people.search import ensure_index, search_order
from daptar.testing import DaptarTestCase

NAMES = [
    ("মোহাম্মদ জালালাবাদী ব্যবস্থাপনা", "Mohammad Jalalabadi"),
    ("রোকেয়া সুলতানা", "Rokeya Sultana"),
    ("শ্রী ক্ষিতীশ চক্রবর্তী", "Sri Kshitish Chakraborty"),
    ("আলী আকবর", "Ali Akbar"),
]


class SearchTests(DaptarTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.found = [
            actions.register_person(
                unit=cls.ward1,
                name_bn=bn,
                name_en=en,
                phone=f"0181122334{n}",
                by=cls.operator,
            )
            for n, (bn, en) in enumerate(NAMES)
        ]

    def search(self, text: str, user=None) -> list[str]:
        people = Person.objects.visible_to(self.fresh(user or self.central)).search(text)
        return sorted(p.name_en for p in people)

    def test_every_whole_word_of_every_name_finds_it(self):
        for bn, en in NAMES:
            for word in bn.split() + en.split():
                with self.subTest(word=word):
                    self.assertIn(en, self.search(word))

    def test_words_with_vowel_signs_and_conjuncts(self):
        self.assertEqual(self.search("জালালাবাদী"), ["Mohammad Jalalabadi"])
        self.assertEqual(self.search("ব্যবস্থাপনা"), ["Mohammad Jalalabadi"])
        self.assertEqual(self.search("ক্ষিতীশ"), ["Sri Kshitish Chakraborty"])
        self.assertEqual(self.search("ক্ষিতীশ চক্রবর্তী"), ["Sri Kshitish Chakraborty"])

    def test_a_part_of_a_word_and_two_words_in_any_order(self):
        self.assertEqual(self.search("জালালাবাদ"), ["Mohammad Jalalabadi"])
        self.assertEqual(self.search("সুলতানা রোকেয়া"), ["Rokeya Sultana"])

    def test_english_in_any_case(self):
        self.assertEqual(self.search("CHAKRABORTY"), ["Sri Kshitish Chakraborty"])

    def test_short_words_under_three_letters(self):
        # "শ্রী" is four code points; "Sri" three; "আলী" three, "আলী আ" has a two-letter part
        self.assertEqual(self.search("আলী আ"), ["Ali Akbar"])
        self.assertIn("Mohammad Jalalabadi", self.search("মো"))

    def test_either_spelling_of_ya_and_o(self):
        # য় as one code point (as many keyboards type it) and ো as its two parts
        single = "\u09b0\u09c7\u09be\u0995\u09c7\u09df\u09be"
        self.assertEqual(self.search(single), ["Rokeya Sultana"])
        self.assertEqual(self.search(unicodedata.normalize("NFD", "রোকেয়া")), ["Rokeya Sultana"])

    def test_a_name_stored_in_another_spelling_is_found(self):
        stored = actions.register_person(
            unit=self.ward1, name_bn="ময়মনসিংহ মিয়া", name_en="Mymensingh Mia", by=self.operator
        )
        Person.objects.filter(pk=stored.pk).update(name_bn="ম\u09dfমনসিংহ মি\u09dfা")
        self.assertEqual(self.search("ময়মনসিংহ"), ["Mymensingh Mia"])

    def test_phone_in_any_written_form(self):
        for typed in ("01811223340", "০১৮১১-২২৩৩৪০", "+880 1811 223340", "8801811223340"):
            with self.subTest(typed=typed):
                self.assertEqual(self.search(typed), ["Mohammad Jalalabadi"])

    def test_it_stays_in_scope(self):
        self.assertEqual(self.search("রোকেয়া", user=self.dhaka), [])
        self.assertEqual(self.search("01811223341", user=self.dhaka), [])

    def test_renames_and_removals_follow_into_the_index(self):
        person = self.found[3]
        actions.update_person(person, by=self.operator, name_bn="নতুন নাম", name_en="New Name")
        self.assertEqual(self.search("আকবর"), [])
        self.assertEqual(self.search("নতুন"), ["New Name"])
        Person.objects.filter(pk=person.pk).delete()
        self.assertEqual(self.search("নতুন"), [])

    def test_the_index_is_rebuilt_if_a_table_rebuild_dropped_it(self):
        if connection.vendor != "sqlite":
            self.skipTest("PostgreSQL indexes survive ALTER TABLE")
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER people_person_fts_ai")
        self.assertTrue(ensure_index())
        actions.register_person(unit=self.ward1, name_bn="পরে এলেন", by=self.operator)
        self.assertEqual(len(self.search("এলেন")), 1)


class SearchPlanTests(DaptarTestCase):
    def test_the_query_uses_the_index(self):
        people = Person.objects.search("জালালাবাদ")
        if connection.vendor == "sqlite":
            people = people.order_by(*search_order("জালালাবাদ"))[:51]
        sql, params = people.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN " + ("QUERY PLAN " if connection.vendor == "sqlite" else "") + sql, params
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            self.assertIn("VIRTUAL TABLE INDEX", plan)
            # matches come in the index's order: no sort of them all before the LIMIT
            self.assertNotIn("TEMP B-TREE", plan)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql, params)
                plan = " ".join(str(row) for row in cursor.fetchall())
                cursor.execute("SET enable_seqscan = on")
            self.assertIn("person_names_trgm", plan)


class ApiTests(DaptarTestCase):
    def api(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=self.fresh(user))
        return client

    def test_people_search_by_name_and_phone(self):
        url = reverse("api:person-list")
        self.assertEqual(url, "/api/v1/people/")
        body = self.api(self.sylhet).get(url, {"q": "জামাল"}).json()
        self.assertEqual([p["name_en"] for p in body["results"]], ["Jamal Hossain"])
        self.assertEqual(body["results"][0]["phone"], "+8801711000000")
        self.assertEqual(body["results"][0]["terms"][0]["post"], "office_secretary")
        by_phone = self.api(self.sylhet).get(url, {"q": "০১৭১১-০০০০০০"}).json()
        self.assertEqual(
            {p["name_en"] for p in by_phone["results"]}, {"Sadia Islam", "Jamal Hossain"}
        )

    def test_outsider_sees_nobody_and_anonymous_is_refused(self):
        url = reverse("api:person-list")
        self.assertEqual(self.api(self.dhaka).get(url, {"q": "জামাল"}).json()["count"], 0)
        self.assertIn(APIClient().get(url).status_code, (401, 403))

    def test_the_research_cell_sees_no_phones(self):
        analyst = actions.register_person(unit=self.root, name_bn="গবেষক", by=self.operator)
        actions.appoint(
            analyst, unit=self.root, post=Post.objects.get(slug="research_cell"), by=self.operator
        )
        from daptar.testing import make_user

        user = make_user("analyst", analyst)
        body = self.api(user).get(reverse("api:person-list"), {"q": "জামাল"}).json()
        self.assertEqual(body["results"][0]["phone"], "")
        self.client.force_login(user)
        page = self.client.get(reverse("people:directory"), {"q": "Jamal"})
        self.assertNotContains(page, "tel:")


class ExportTests(DaptarTestCase):
    def test_the_directory_downloads_formula_safe_and_audited(self):
        actions.register_person(
            unit=self.ward1, name_bn="=HYPERLINK(1)", phone="01811223344", by=self.operator
        )
        self.client.force_login(self.jalalabad)
        response = self.client.get(reverse("people:directory"), {"format": "csv"})
        text = b"".join(response.streaming_content).decode()
        self.assertIn("'=HYPERLINK(1)", text)
        self.assertIn("+8801811223344", text)
        self.assertNotIn("Sadia", text)  # the district's secretary is above the union
        from daptar.audit.models import AuditEvent

        event = AuditEvent.objects.get(verb="people.exported")
        self.assertEqual((event.detail["rows"], event.actor), (2, self.jalalabad))

    def test_xlsx_download(self):
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("people:directory"), {"format": "xlsx", "q": "Jamal"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
