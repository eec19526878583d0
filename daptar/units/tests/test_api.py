import json

import yaml
from django.urls import reverse
from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.testing import DaptarTestCase
from daptar.units import actions
from daptar.units.models import Level, Unit

LIST = reverse("api:unit-list")
UNIT_FIELDS = {"id", "code", "name_bn", "name_en", "level", "kind", "parent"}


def detail_url(unit: Unit) -> str:
    return reverse("api:unit-detail", args=[unit.pk])


class UnitApiTestCase(DaptarTestCase):
    client: APIClient
    client_class = APIClient

    def authorise(self, user: User) -> None:
        key = account_actions.issue_token(user, by=user).key
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")

    def ids(self, user: User, **params: str) -> list[int]:
        self.authorise(user)
        response = self.client.get(LIST, params)
        self.assertEqual(response.status_code, 200, response.content)
        return [row["id"] for row in response.json()["results"]]


class UnitListTests(UnitApiTestCase):
    def test_it_is_paginated_with_exactly_the_unit_fields(self) -> None:
        self.authorise(self.central)
        body = self.client.get(LIST).json()
        self.assertEqual(set(body), {"count", "next", "previous", "results"})
        self.assertEqual((body["count"], body["next"], body["previous"]), (9, None, None))
        for row in body["results"]:
            self.assertEqual(set(row), UNIT_FIELDS)
        self.assertEqual(
            body["results"][0],
            {
                "id": self.root.pk,
                "code": "CEN",
                "name_bn": "কেন্দ্র",
                "name_en": "Central",
                "level": "central",
                "kind": "standard",
                "parent": None,
            },
        )
        metro = next(r for r in body["results"] if r["id"] == self.sylhet_metro.pk)
        self.assertEqual(
            (metro["kind"], metro["parent"], metro["level"]),
            ("metropolitan", self.sylhet_division.pk, "district"),
        )

    def test_it_lists_in_tree_order(self) -> None:
        self.assertEqual(
            self.ids(self.central), list(Unit.objects.order_by("path").values_list("pk", flat=True))
        )

    def test_it_pages_on_request(self) -> None:
        self.authorise(self.central)
        body = self.client.get(LIST, {"page_size": 4, "page": 2}).json()
        self.assertEqual((body["count"], len(body["results"])), (9, 4))
        self.assertIn("page=3", body["next"])
        self.assertIsNotNone(body["previous"])

    def test_it_lists_only_the_callers_subtree(self) -> None:
        self.assertEqual(
            self.ids(self.sylhet),
            [self.sylhet_district.pk, self.sylhet_sadar.pk, self.jalalabad_union.pk, self.ward1.pk],
        )
        self.assertEqual(self.ids(self.dhaka), [self.dhaka_district.pk])
        self.assertEqual(self.ids(self.nobody), [])

    def test_it_filters_by_level(self) -> None:
        self.assertEqual(
            self.ids(self.central, level="district"),
            [self.sylhet_district.pk, self.sylhet_metro.pk, self.dhaka_district.pk],
        )
        self.assertEqual(self.ids(self.sylhet, level="district"), [self.sylhet_district.pk])

    def test_an_unknown_level_gets_400_with_a_clear_message(self) -> None:
        self.authorise(self.central)
        response = self.client.get(LIST, {"level": "galaxy"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "level": [
                    "Unknown level “galaxy”. Known levels: "
                    "central, division, district, upazila, union, ward."
                ]
            },
        )

    def test_it_filters_by_parent(self) -> None:
        self.assertEqual(
            self.ids(self.central, parent=str(self.sylhet_division.pk)),
            [self.sylhet_district.pk, self.sylhet_metro.pk],
        )

    def test_it_filters_by_subtree(self) -> None:
        self.assertEqual(
            self.ids(self.central, within=str(self.sylhet_sadar.pk)),
            [self.sylhet_sadar.pk, self.jalalabad_union.pk, self.ward1.pk],
        )

    def test_filters_combine(self) -> None:
        self.assertEqual(
            self.ids(
                self.central, within=str(self.sylhet_division.pk), level="district", search="metro"
            ),
            [self.sylhet_metro.pk],
        )

    def test_it_searches_bengali_names(self) -> None:
        self.assertEqual(
            self.ids(self.central, search="ঢাকা"), [self.dhaka_division.pk, self.dhaka_district.pk]
        )

    def test_it_searches_english_names_in_any_case(self) -> None:
        self.assertEqual(self.ids(self.central, search="JALALABAD"), [self.jalalabad_union.pk])

    def test_search_stays_inside_the_scope(self) -> None:
        self.assertEqual(self.ids(self.dhaka, search="সিলেট"), [])

    def test_an_outsider_naming_a_unit_out_of_scope_gets_404(self) -> None:
        self.authorise(self.dhaka)
        for param in ("within", "parent"):
            with self.subTest(param=param):
                response = self.client.get(LIST, {param: self.sylhet_district.pk})
                self.assertEqual(response.status_code, 404)
                self.assertEqual(set(response.json()), {"detail"})

    def test_anonymous_gets_401(self) -> None:
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(set(response.json()), {"detail"})

    def test_it_is_read_only(self) -> None:
        self.authorise(self.central)
        response = self.client.post(LIST, {"code": "X", "name_bn": "x", "name_en": "x"})
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.client.delete(detail_url(self.ward1)).status_code, 405)
        self.assertTrue(Unit.objects.filter(pk=self.ward1.pk).exists())

    def test_query_count_does_not_grow_with_units(self) -> None:
        upazila = Level.objects.get(slug="upazila")
        for n in range(30):
            actions.create_unit(
                parent=self.sylhet_metro,
                level=upazila,
                code=f"M-{n}",
                name_bn=f"থানা {n}",
                name_en=f"Thana {n}",
                by=self.central,
            )
        self.authorise(self.sylhet)
        people_actions.appoint(
            self.sylhet.person,
            unit=self.sylhet_metro,
            post=Post.objects.get(slug="office_secretary"),
            by=self.central,
        )
        # token; desks; count; page (the rate counters live in process memory)
        with self.assertNumQueries(4):
            response = self.client.get(LIST, {"page_size": 100})
        self.assertEqual(response.json()["count"], 35)


class UnitDetailTests(UnitApiTestCase):
    def test_it_adds_children_count_and_office_bearers(self) -> None:
        member = people_actions.register_person(
            unit=self.sylhet_district, name_bn="সদস্য", name_en="Member", by=self.sylhet
        )
        people_actions.appoint(
            member, unit=self.sylhet_district, post=Post.objects.get(slug="member"), by=self.sylhet
        )
        self.authorise(self.sylhet)
        response = self.client.get(detail_url(self.sylhet_district))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(set(body), UNIT_FIELDS | {"children_count", "office_bearers"})
        self.assertEqual(body["children_count"], 1)
        self.assertEqual(
            body["office_bearers"],
            [
                {"post": "office_secretary", "name_bn": "সাদিয়া ইসলাম", "name_en": "Sadia Islam"},
            ],
        )

    def test_a_leaf_has_no_children_and_no_office_bearers(self) -> None:
        self.authorise(self.central)
        body = self.client.get(detail_url(self.ward1)).json()
        self.assertEqual((body["children_count"], body["office_bearers"]), (0, []))

    def test_a_unit_out_of_scope_gets_404(self) -> None:
        self.authorise(self.dhaka)
        response = self.client.get(detail_url(self.sylhet_district))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(set(response.json()), {"detail"})

    def test_a_missing_unit_gets_404(self) -> None:
        self.authorise(self.central)
        self.assertEqual(self.client.get("/api/v1/units/999999/").status_code, 404)


class SchemaTests(UnitApiTestCase):
    def test_the_schema_is_openapi_3_with_every_endpoint(self) -> None:
        response = self.client.get(reverse("api:schema"))
        self.assertEqual(response.status_code, 200)
        schema = yaml.safe_load(response.content)
        self.assertTrue(schema["openapi"].startswith("3."))
        for path in ("/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/me/", "/api/v1/auth/token/"):
            self.assertIn(path, schema["paths"])
        names = {p["name"] for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]}
        self.assertLessEqual({"level", "parent", "within", "search", "page"}, names)

    def test_the_schema_is_served_as_json_on_request(self) -> None:
        response = self.client.get(reverse("api:schema"), {"format": "json"})
        self.assertTrue(json.loads(response.content)["openapi"].startswith("3."))

    def test_the_docs_page_loads_nothing_from_other_hosts(self) -> None:
        response = self.client.get(reverse("api:docs"))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(reverse("api:schema"), html)
        self.assertIn("/static/", html)
        self.assertNotIn("http://", html)
        self.assertNotIn("https://", html)
        self.assertNotIn("//fonts.", html)
