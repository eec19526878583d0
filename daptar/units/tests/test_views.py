import datetime

from django.urls import reverse
from django.utils import timezone

from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.testing import DaptarTestCase, nav_queries
from daptar.units import actions
from daptar.units.models import Level, Unit


def unit_url(unit: Unit) -> str:
    return reverse("units:detail", args=[unit.pk])


class UnitPageTests(DaptarTestCase):
    def test_it_shows_the_units_office_bearers(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(unit_url(self.sylhet_district))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "সাদিয়া ইসলাম")
        self.assertContains(response, "দপ্তর সম্পাদক")
        self.assertEqual(
            [t.person.name_en for t in response.context["office_bearers"]], ["Sadia Islam"]
        )

    def test_it_leaves_out_members_and_ended_terms(self) -> None:
        member = people_actions.register_person(
            unit=self.sylhet_district,
            name_bn="সাধারণ সদস্য",
            name_en="Plain Member",
            by=self.sylhet,
        )
        people_actions.appoint(
            member,
            unit=self.sylhet_district,
            post=Post.objects.get(slug="member"),
            by=self.sylhet,
        )
        former = people_actions.register_person(
            unit=self.sylhet_district,
            name_bn="সাবেক সম্পাদক",
            name_en="Former Secretary",
            by=self.sylhet,
        )
        today = timezone.localdate()
        term = people_actions.appoint(
            former,
            unit=self.sylhet_district,
            post=Post.objects.get(slug="office_secretary"),
            by=self.sylhet,
            started_on=today - datetime.timedelta(days=30),
        )
        people_actions.end_term(term, by=self.sylhet, ended_on=today - datetime.timedelta(days=1))
        self.client.force_login(self.central)
        response = self.client.get(unit_url(self.sylhet_district))
        self.assertNotContains(response, "সাধারণ সদস্য")
        self.assertNotContains(response, "সাবেক সম্পাদক")
        self.assertEqual(
            [t.person.name_en for t in response.context["office_bearers"]], ["Sadia Islam"]
        )

    def test_it_lists_children_with_how_many_units_each_has_below(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(unit_url(self.sylhet_division))
        children = [(u.name_en, u.children_count) for u in response.context["children"]]
        self.assertEqual(children, [("Sylhet", 1), ("Sylhet Metropolitan", 0)])
        self.assertContains(response, f'href="{unit_url(self.sylhet_district)}"')
        self.assertContains(response, f'href="{unit_url(self.sylhet_metro)}"')

    def test_it_counts_the_subtree_by_level(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(unit_url(self.sylhet_division))
        counts = [(level.slug, n) for level, n in response.context["level_counts"]]
        self.assertEqual(counts, [("district", 2), ("upazila", 1), ("union", 1), ("ward", 1)])

    def test_anonymous_is_sent_to_log_in(self) -> None:
        url = unit_url(self.sylhet_district)
        response = self.client.get(url)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={url}")

    def test_outsider_gets_404(self) -> None:
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(unit_url(self.sylhet_district)).status_code, 404)
        self.assertEqual(self.client.get(unit_url(self.ward1)).status_code, 404)

    def test_a_district_gets_404_for_its_parent(self) -> None:
        self.client.force_login(self.sylhet)
        self.assertEqual(self.client.get(unit_url(self.sylhet_division)).status_code, 404)

    def test_a_missing_unit_gets_404(self) -> None:
        self.client.force_login(self.central)
        self.assertEqual(self.client.get("/office/units/999999/").status_code, 404)

    def test_breadcrumbs_hide_ancestors_out_of_scope(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.get(unit_url(self.ward1))
        self.assertEqual(response.context["crumbs"], [self.jalalabad_union])
        self.assertContains(response, f'href="{unit_url(self.jalalabad_union)}"')
        for hidden in (self.root, self.sylhet_division, self.sylhet_district, self.sylhet_sadar):
            self.assertNotContains(response, f'href="{unit_url(hidden)}"')

    def test_breadcrumbs_show_every_ancestor_in_scope_root_first(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(unit_url(self.ward1))
        self.assertEqual(
            response.context["crumbs"],
            [
                self.root,
                self.sylhet_division,
                self.sylhet_district,
                self.sylhet_sadar,
                self.jalalabad_union,
            ],
        )

    def test_an_htmx_request_for_children_gets_only_the_fragment(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(
            unit_url(self.sylhet_division), headers={"hx-request": "true", "hx-target": "children"}
        )
        html = response.content.decode().strip()
        self.assertTrue(html.startswith('<div id="children">'), html[:80])
        self.assertTrue(html.endswith("</div>"))
        self.assertIn(f'href="{unit_url(self.sylhet_metro)}"', html)
        self.assertNotIn("<html", html)
        self.assertNotIn('data-testid="office-bearers"', html)

    def test_a_plain_request_gets_the_whole_page(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(unit_url(self.sylhet_division))
        self.assertContains(response, "<html")
        self.assertContains(response, '<div id="children">')

    def test_query_count_does_not_grow_with_children(self) -> None:
        upazila = Level.objects.get(slug="upazila")
        union = Level.objects.get(slug="union")
        office_secretary = Post.objects.get(slug="office_secretary")
        for n in range(30):
            child = actions.create_unit(
                parent=self.sylhet_metro,
                level=upazila,
                code=f"M-{n}",
                name_bn=f"থানা {n}",
                name_en=f"Thana {n}",
                by=self.central,
            )
            actions.create_unit(
                parent=child,
                level=union,
                code=f"M-{n}-1",
                name_bn=f"ওয়ার্ড {n}",
                name_en=f"Ward {n}",
                by=self.central,
            )
        for n in range(3):
            person = people_actions.register_person(
                unit=self.sylhet_metro,
                name_bn=f"কর্মকর্তা {n}",
                name_en=f"Officer {n}",
                by=self.central,
            )
            people_actions.appoint(
                person, unit=self.sylhet_metro, post=office_secretary, by=self.central
            )
        self.client.force_login(self.central)
        # session, user, desks, unit, children count + page, levels, level counts,
        # breadcrumbs, office bearers, the navigation's badges
        with self.assertNumQueries(10 + nav_queries()):
            response = self.client.get(unit_url(self.sylhet_metro))
        self.assertEqual(len(response.context["children"]), 30)
        self.assertEqual({u.children_count for u in response.context["children"]}, {1})
        self.assertEqual(len(response.context["office_bearers"]), 3)


class HomeTests(DaptarTestCase):
    def test_it_opens_the_acting_units_page(self) -> None:
        self.client.force_login(self.sylhet)
        self.assertRedirects(self.client.get(reverse("units:home")), unit_url(self.sylhet_district))

    def test_a_login_without_a_post_is_told_so(self) -> None:
        self.client.force_login(self.nobody)
        response = self.client.get(reverse("units:home"))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "units/no_desk.html")

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(reverse("units:home"))
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={reverse('units:home')}")


class SearchTests(DaptarTestCase):
    def search(self, user, text: str) -> list[Unit]:  # type: ignore[no-untyped-def]
        self.client.force_login(user)
        response = self.client.get(reverse("units:search"), {"q": text})
        self.assertEqual(response.status_code, 200)
        return list(response.context["page"])

    def test_it_finds_units_by_bengali_name(self) -> None:
        self.assertEqual(
            self.search(self.central, "ঢাকা"), [self.dhaka_division, self.dhaka_district]
        )

    def test_it_finds_units_by_english_name_in_any_case(self) -> None:
        self.assertEqual(
            self.search(self.central, "dhaka"), [self.dhaka_division, self.dhaka_district]
        )

    def test_it_finds_a_unit_by_its_code(self) -> None:
        self.assertEqual(self.search(self.central, "UN-2513"), [self.jalalabad_union])

    def test_it_finds_nothing_outside_the_users_scope(self) -> None:
        self.assertEqual(self.search(self.sylhet, "ঢাকা"), [])
        self.assertEqual(self.search(self.sylhet, "Dhaka"), [])
        self.assertEqual(self.search(self.jalalabad, "সিলেট"), [])

    def test_it_finds_what_is_inside_the_users_scope(self) -> None:
        self.assertEqual(self.search(self.sylhet, "জালালাবাদ"), [self.jalalabad_union])
        self.assertEqual(
            self.search(self.sylhet, "sylhet"), [self.sylhet_district, self.sylhet_sadar]
        )

    def test_an_empty_query_finds_nothing(self) -> None:
        self.assertEqual(self.search(self.central, "  "), [])

    def test_an_htmx_search_gets_only_the_results_fragment(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(
            reverse("units:search"), {"q": "Dhaka"}, headers={"hx-request": "true"}
        )
        html = response.content.decode().strip()
        self.assertTrue(html.startswith('<div id="results">'), html[:80])
        self.assertIn(f'href="{unit_url(self.dhaka_district)}"', html)

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = self.client.get(reverse("units:search"), {"q": "Dhaka"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))
