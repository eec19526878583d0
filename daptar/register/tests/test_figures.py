import datetime

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from daptar.people.models import Person
from daptar.register import research
from daptar.testing import DaptarTestCase


def tables_en(unit):
    with translation.override("en"):
        return research.tables(unit)


def cells(tables, key: str) -> dict:
    table = next(t for t in tables if t.key == key)
    return {cell.label: cell.count for cell in table.cells}


class FigureTests(DaptarTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        born = today.replace(year=today.year - 35) - datetime.timedelta(days=1)
        Person.objects.bulk_create(
            [
                Person(unit=cls.ward1, name_bn=f"সদস্য {n}", gender="f", born_on=born)
                for n in range(7)
            ]
            + [Person(unit=cls.ward1, name_bn=f"সদস্য {n}", gender="m") for n in range(3)]
        )

    def test_counts_at_or_over_the_floor_are_shown(self):
        tables = tables_en(self.sylhet_district)
        self.assertEqual(cells(tables, "gender")["female"], 7)
        self.assertEqual(cells(tables, "age")["30–39"], 7)

    def test_a_count_under_five_is_withheld(self):
        tables = tables_en(self.sylhet_district)
        self.assertIsNone(cells(tables, "gender")["male"])

    @override_settings(DAPTAR_REGISTER_MIN_CELL=10)
    def test_the_floor_is_a_setting(self):
        self.assertIsNone(cells(tables_en(self.sylhet_district), "gender")["female"])

    def test_a_zero_is_not_a_person_and_is_shown(self):
        self.assertEqual(research.suppress(0), 0)

    def test_district_rollup_from_the_centre(self):
        by_district = cells(tables_en(self.root), "district")
        self.assertEqual(by_district["Sylhet"], 12)  # the ten, Jamal and Sadia

    def test_the_api_and_page_carry_no_names_or_phones(self):
        api = APIClient()
        api.force_authenticate(user=self.fresh(self.central))
        response = api.get(reverse("api:figures-list"))
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertNotIn("+880", text)
        self.assertNotIn("Jamal", text)
        self.client.force_login(self.central)
        page = self.client.get(reverse("register:figures"))
        self.assertNotContains(page, "+880")
        self.assertNotContains(page, "জামাল")
        self.assertContains(page, 'data-testid="figures-gender"')

    def test_the_api_answers_an_outsider_404_for_another_unit(self):
        api = APIClient()
        api.force_authenticate(user=self.fresh(self.dhaka))
        response = api.get(reverse("api:figures-list"), {"unit": self.sylhet_district.pk})
        self.assertEqual(response.status_code, 404)
