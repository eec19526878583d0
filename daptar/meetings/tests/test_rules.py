"""Invitation rules: units × posts → the persons holding them today, through current terms."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from daptar.meetings import queries
from daptar.meetings.models import Invitation, Meeting
from daptar.meetings.queries import Rule
from daptar.meetings.tests.support import (
    MeetingsTestCase,
    districts_of,
    level,
    meeting,
    officers,
    post,
)
from daptar.people import actions as people_actions


def names(m: object) -> set[str]:
    return set(Invitation.objects.filter(meeting=m).values_list("person__name_en", flat=True))


class ResolveTests(MeetingsTestCase):
    def test_the_districts_office_secretaries_and_deputies_holding_office_today(self) -> None:
        found = names(meeting(self.central))
        # Not the division's own secretary (another level), not the co-office secretary
        # (another post), not the former deputy (term over), not the next one (not begun).
        self.assertEqual(found, {"Sadia Islam", "Deputy Sylhet", "Metro Secretary"})

    def test_each_invitation_remembers_the_unit_and_post_that_matched(self) -> None:
        m = meeting(self.central)
        rows = {
            i.person.name_en: (i.unit, i.post.slug, i.unit_path)
            for i in Invitation.objects.filter(meeting=m).select_related("person", "unit", "post")
        }
        self.assertEqual(
            rows["Deputy Sylhet"],
            (self.sylhet_district, "deputy_office_secretary", self.sylhet_district.path),
        )
        self.assertEqual(rows["Metro Secretary"][0], self.sylhet_metro)
        self.assertEqual(m.invitations_count, 3)

    def test_a_term_ended_after_invitation_time_leaves_the_invitation_alone(self) -> None:
        m = meeting(self.central)
        term = self.sylhet_deputy.person.terms.get()
        people_actions.end_term(term, by=self.operator)
        self.assertIn("Deputy Sylhet", names(m))
        # A new meeting, made after the term ended, no longer invites them.
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        later = queries.resolve(districts_of(self.sylhet_division), on=tomorrow)
        self.assertNotIn(self.sylhet_deputy.person_id, {i.person_id for i in later})

    def test_the_date_decides_whose_term_is_current(self) -> None:
        in_ten_days = timezone.localdate() + datetime.timedelta(days=11)
        rule = districts_of(self.sylhet_division, "office_secretary", "co_office_secretary")
        later = {i.person_id for i in queries.resolve(rule, on=in_ten_days)}
        now = {i.person_id for i in queries.resolve(rule)}
        self.assertEqual(len(later - now), 1)  # the co-office secretary whose term begins

    def test_listed_units_are_invited_without_their_subtree(self) -> None:
        rule = Rule(units=[self.sylhet_metro, self.dhaka_district], posts=officers())
        self.assertEqual(
            names(meeting(self.central, rule=rule)),
            {"Metro Secretary", "Nasrin Akter", "Deputy Dhaka"},
        )

    def test_a_person_holding_two_matching_posts_is_invited_once(self) -> None:
        people_actions.appoint(
            self.sylhet.person,
            unit=self.sylhet_metro,
            post=post("deputy_office_secretary"),
            by=self.operator,
        )
        m = meeting(self.central)
        mine = Invitation.objects.get(meeting=m, person=self.sylhet.person)
        self.assertEqual(mine.unit, self.sylhet_district)  # the first match in tree order
        self.assertEqual(m.invitations_count, 3)

    def test_named_guests_are_invited_with_no_unit_or_post(self) -> None:
        rule = districts_of(self.sylhet_division, guests=(self.researcher_person,))
        m = meeting(self.central, rule=rule)
        guest = Invitation.objects.get(meeting=m, person=self.researcher_person)
        self.assertIsNone(guest.unit)
        self.assertIsNone(guest.post)
        self.assertTrue(guest.is_guest)
        self.assertEqual(m.invitations_count, 4)

    def test_a_guest_already_matched_by_the_rule_keeps_the_rule_invitation(self) -> None:
        rule = districts_of(self.sylhet_division, guests=(self.sylhet.person,))
        m = meeting(self.central, rule=rule)
        self.assertEqual(
            Invitation.objects.get(meeting=m, person=self.sylhet.person).unit, self.sylhet_district
        )

    def test_a_closed_unit_invites_nobody(self) -> None:
        from daptar.units.models import Unit

        Unit.objects.filter(pk=self.sylhet_metro.pk).update(is_active=False)
        self.assertNotIn("Metro Secretary", names(meeting(self.central)))

    def test_the_rule_is_kept_on_the_meeting(self) -> None:
        m = meeting(self.central)
        self.assertEqual(m.invite_rule["within"], self.sylhet_division.pk)
        self.assertEqual(m.invite_rule["levels"], ["district"])
        self.assertEqual(
            sorted(m.invite_rule["posts"]), ["deputy_office_secretary", "office_secretary"]
        )


class BadRuleTests(MeetingsTestCase):
    def errors(self, **kwargs: object) -> dict[str, list[str]]:
        with self.assertRaises(ValidationError) as caught:
            meeting(self.central, **kwargs)  # type: ignore[arg-type]
        return caught.exception.message_dict

    def test_a_rule_matching_nobody_is_refused_with_a_clear_message(self) -> None:
        rule = Rule(within=self.dhaka_division, levels=[level("ward")], posts=officers())
        self.assertEqual(
            self.errors(rule=rule), {"invite": ["No one holds these posts in these units today."]}
        )
        self.assertFalse(Invitation.objects.exists())

    def test_a_rule_matching_nobody_is_refused_even_with_guests(self) -> None:
        rule = Rule(
            within=self.dhaka_division,
            levels=[level("ward")],
            posts=officers(),
            persons=[self.researcher_person],
        )
        self.assertIn("No one holds", self.errors(rule=rule)["invite"][0])

    def test_units_without_posts_are_refused(self) -> None:
        rule = Rule(within=self.sylhet_division, levels=[level("district")], posts=[])
        self.assertIn("Choose the posts", self.errors(rule=rule)["invite"][0])

    def test_no_one_at_all_is_refused(self) -> None:
        self.assertEqual(
            self.errors(rule=Rule())["invite"], ["Invite at least one unit or person."]
        )

    def test_a_unit_outside_the_hosts_subtree_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            meeting(
                self.sylhet,
                host=self.sylhet_district,
                rule=Rule(units=[self.sylhet_metro], posts=officers()),
            )
        message = caught.exception.message_dict["invite"][0]
        self.assertIn("Sylhet Metropolitan", message.replace("সিলেট মহানগর", "Sylhet Metropolitan"))
        self.assertIn("subtree", message)

    def test_a_guest_outside_the_register_is_refused(self) -> None:
        rule = Rule(units=[self.sylhet_district], posts=officers(), persons=[self.dhaka.person])
        with self.assertRaises(ValidationError) as caught:
            meeting(self.sylhet, host=self.sylhet_district, rule=rule)
        self.assertIn("A guest is not in your register.", caught.exception.message_dict["invite"])

    def test_a_guest_from_the_users_other_subtree_is_refused(self) -> None:
        # Sylhet's office secretary also keeps the Dhaka district office: both registers
        # are theirs, but a Sylhet meeting's guests come from under Sylhet only.
        people_actions.appoint(
            self.sylhet.person,
            unit=self.dhaka_district,
            post=post("office_secretary"),
            by=self.operator,
        )
        both = self.fresh(self.sylhet)
        guest = self.dhaka_deputy.person
        rule = Rule(units=[self.sylhet_district], posts=officers(), persons=[guest])
        with self.assertRaises(ValidationError) as caught:
            meeting(both, host=self.sylhet_district, rule=rule)
        self.assertEqual(
            caught.exception.message_dict["invite"],
            [
                "Deputy Dhaka: not registered under Sylhet. A meeting invites guests only "
                "from its own subtree."
            ],
        )
        self.assertFalse(Meeting.objects.exists())
        at_home = Rule(units=[self.dhaka_district], posts=officers(), persons=[guest])
        hosted = meeting(both, host=self.dhaka_district, rule=at_home)
        self.assertTrue(hosted.invitations.filter(person=guest).exists())


class WithinTests(MeetingsTestCase):
    def test_within_without_levels_is_the_unit_itself(self) -> None:
        rule = Rule(within=self.sylhet_district, posts=officers())
        found = {i.unit_id for i in queries.resolve(rule)}
        self.assertEqual(found, {self.sylhet_district.pk})

    def test_within_with_levels_is_every_unit_at_them_below(self) -> None:
        rule = Rule(
            within=self.root, levels=[level("district")], posts=officers("office_secretary")
        )
        found = {i.unit_id for i in queries.resolve(rule)}
        self.assertEqual(
            found, {self.sylhet_district.pk, self.sylhet_metro.pk, self.dhaka_district.pk}
        )
