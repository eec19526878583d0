import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation

from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.people import actions as people_actions
from daptar.people.models import Person, Post
from daptar.testing import REQUEST_IP, DaptarTestCase, in_request, make_user
from daptar.units import actions
from daptar.units.models import Level, Unit


def level(slug: str) -> Level:
    return Level.objects.get(slug=slug)


class SubtreeTests(DaptarTestCase):
    def test_it_is_the_unit_and_everything_under_it(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.subtree(self.sylhet_district),
            [self.sylhet_district, self.sylhet_sadar, self.jalalabad_union, self.ward1],
        )

    def test_it_leaves_out_parents_and_siblings(self) -> None:
        units = set(Unit.objects.subtree(self.sylhet_district))
        self.assertNotIn(self.sylhet_division, units)
        self.assertNotIn(self.sylhet_metro, units)
        self.assertNotIn(self.dhaka_district, units)

    def test_subtree_q_composes_with_another_filter(self) -> None:
        districts = Unit.objects.filter(
            Unit.objects.subtree_q(self.sylhet_division) & Q(level__slug="district")
        )
        self.assertQuerySetEqual(districts, [self.sylhet_district, self.sylhet_metro])

    def test_subtree_q_filters_a_related_path(self) -> None:
        people = Person.objects.filter(
            Unit.objects.subtree_q(self.sylhet_division, field="unit__path")
        )
        self.assertEqual({p.name_en for p in people}, {"Sadia Islam", "Jamal Hossain"})


class AncestorsTests(DaptarTestCase):
    def test_it_lists_the_units_above_root_first(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.ancestors_of(self.ward1),
            [
                self.root,
                self.sylhet_division,
                self.sylhet_district,
                self.sylhet_sadar,
                self.jalalabad_union,
            ],
        )

    def test_a_root_has_no_ancestors(self) -> None:
        self.assertFalse(Unit.objects.ancestors_of(self.root).exists())

    def test_ancestors_of_q_composes_with_another_filter(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.filter(Unit.objects.ancestors_of_q(self.ward1), level__slug="district"),
            [self.sylhet_district],
        )


class ChildrenTests(DaptarTestCase):
    def test_it_lists_direct_children_only(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.children(self.sylhet_division),
            [self.sylhet_district, self.sylhet_metro],
            ordered=False,
        )

    def test_children_q_composes_with_another_filter(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.filter(
                Unit.objects.children_q(self.sylhet_division) & ~Q(kind=Unit.Kind.METROPOLITAN)
            ),
            [self.sylhet_district],
        )


class VisibleToTests(DaptarTestCase):
    def test_a_district_secretary_sees_the_district_subtree(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.visible_to(self.sylhet),
            [self.sylhet_district, self.sylhet_sadar, self.jalalabad_union, self.ward1],
        )

    def test_the_central_office_sees_the_whole_tree(self) -> None:
        self.assertEqual(Unit.objects.visible_to(self.central).count(), Unit.objects.count())

    def test_a_view_desk_gives_the_same_scope(self) -> None:
        self.assertEqual(Unit.objects.visible_to(self.president).count(), Unit.objects.count())

    def test_the_operator_sees_everything_without_a_desk(self) -> None:
        self.assertEqual(self.operator.desks, [])
        self.assertEqual(Unit.objects.visible_to(self.operator).count(), Unit.objects.count())

    def test_a_login_without_a_post_sees_nothing(self) -> None:
        self.assertFalse(Unit.objects.visible_to(self.nobody).exists())

    def test_an_inactive_user_sees_nothing(self) -> None:
        User.objects.filter(pk=self.sylhet.pk).update(is_active=False)
        self.assertFalse(Unit.objects.visible_to(self.fresh(self.sylhet)).exists())

    def test_a_user_with_two_desks_sees_both_subtrees(self) -> None:
        post = Post.objects.get(slug="office_secretary")
        people_actions.appoint(
            self.dhaka.person, unit=self.jalalabad_union, post=post, by=self.operator
        )
        self.assertQuerySetEqual(
            Unit.objects.visible_to(self.fresh(self.dhaka)),
            [self.dhaka_district, self.jalalabad_union, self.ward1],
            ordered=False,
        )

    def test_visible_to_q_composes_with_another_filter(self) -> None:
        self.assertQuerySetEqual(
            Unit.objects.filter(Unit.objects.visible_to_q(self.sylhet) & Q(level__slug="union")),
            [self.jalalabad_union],
        )

    def test_visible_to_q_filters_a_related_path(self) -> None:
        people = Person.objects.filter(Unit.objects.visible_to_q(self.dhaka, field="unit__path"))
        self.assertEqual([p.name_en for p in people], ["Nasrin Akter"])


class IsWithinTests(DaptarTestCase):
    def test_a_descendant_is_within(self) -> None:
        self.assertTrue(self.ward1.is_within(self.sylhet_district))

    def test_a_unit_is_within_itself(self) -> None:
        self.assertTrue(self.sylhet_district.is_within(self.sylhet_district))

    def test_a_sibling_or_parent_is_not_within(self) -> None:
        self.assertFalse(self.sylhet_metro.is_within(self.sylhet_district))
        self.assertFalse(self.sylhet_division.is_within(self.sylhet_district))
        self.assertFalse(self.dhaka_district.is_within(self.sylhet_division))


class CreateUnitTests(DaptarTestCase):
    def create(self, parent: Unit, n: int, *, by: User | None = None, **kw: str) -> Unit:
        fields = {"code": f"T-{n}", "name_bn": f"ইউনিট {n}", "name_en": f"Unit {n}", **kw}
        return actions.create_unit(
            parent=parent, level=level("upazila"), by=by or self.central, **fields
        )

    def test_children_get_consecutive_paths_and_the_next_depth(self) -> None:
        made = [self.create(self.sylhet_metro, n) for n in range(1, 4)]
        self.assertEqual(
            [u.path for u in made],
            [self.sylhet_metro.path + s for s in ("0001", "0002", "0003")],
        )
        self.assertEqual({u.depth for u in made}, {self.sylhet_metro.depth + 1})
        self.assertEqual({u.parent_id for u in made}, {self.sylhet_metro.pk})

    def test_a_new_child_follows_the_highest_sibling(self) -> None:
        made = self.create(self.sylhet_division, 1)
        self.assertEqual(made.path, self.sylhet_division.path + "0003")

    def test_the_operator_opens_a_root_after_the_last_root(self) -> None:
        made = actions.create_unit(
            parent=None,
            level=level("central"),
            code="R2",
            name_bn="দ্বিতীয়",
            name_en="Second",
            by=self.operator,
        )
        self.assertEqual((made.path, made.depth), ("0002", 0))

    def test_only_an_operator_opens_a_root(self) -> None:
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "Only an operator can open a root unit."),
        ):
            actions.create_unit(
                parent=None,
                level=level("central"),
                code="R2",
                name_bn="দ্বিতীয়",
                name_en="Second",
                by=self.central,
            )

    def test_the_9999th_child_is_refused(self) -> None:
        Unit.objects.filter(pk=self.sylhet_metro.pk).update(path=self.sylhet_division.path + "9998")
        with self.assertRaisesMessage(ValueError, "at most 9998 children"):
            self.create(self.sylhet_division, 1)
        self.assertFalse(Unit.objects.filter(code="T-1").exists())

    def test_a_bengali_name_taken_by_a_sibling_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.create(self.sylhet_division, 1, name_bn="সিলেট মহানগর")
        self.assertFalse(Unit.objects.filter(code="T-1").exists())

    def test_an_english_name_taken_by_a_sibling_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.create(self.sylhet_division, 1, name_en="Sylhet Metropolitan")

    def test_the_same_name_is_allowed_under_another_parent(self) -> None:
        made = self.create(self.sylhet_metro, 1, name_bn="সিলেট", name_en="Sylhet")
        self.assertEqual(made.parent, self.sylhet_metro)

    def test_the_database_refuses_sibling_names_written_around_the_action(self) -> None:
        clash = Unit(
            parent=self.sylhet_division,
            level=level("district"),
            path="000100019000",
            depth=2,
            code="X",
            name_bn="সিলেট",
            name_en="Another",
        )
        with transaction.atomic(), self.assertRaises(IntegrityError):
            clash.save()

    def test_it_records_who_did_it_as_which_unit(self) -> None:
        made = in_request(self.sylhet, lambda: self.create(self.sylhet_district, 1, by=self.sylhet))
        event = AuditEvent.objects.get(verb="unit.created", object_id=str(made.pk))
        self.assertEqual(event.actor, self.sylhet)
        self.assertEqual(event.actor_username, "sylhet")
        self.assertEqual(event.unit, self.sylhet_district)
        self.assertEqual(event.ip, REQUEST_IP)
        self.assertEqual(event.detail, {"parent": self.sylhet_district.pk})

    def test_a_view_desk_cannot_create(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.create(self.root, 1, by=self.president)
        self.assertFalse(Unit.objects.filter(code="T-1").exists())

    def test_an_outsider_cannot_create(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.create(self.sylhet_district, 1, by=self.dhaka)

    def test_a_district_cannot_create_beside_itself(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.create(self.sylhet_division, 1, by=self.sylhet)


class MoveUnitTests(DaptarTestCase):
    def test_it_moves_the_whole_subtree_with_paths_and_depths(self) -> None:
        actions.move_unit(self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.central)
        base = self.sylhet_metro.path + "0001"
        expected = {
            self.sylhet_sadar.pk: (base, 3, self.sylhet_metro.pk),
            self.jalalabad_union.pk: (base + "0001", 4, self.sylhet_sadar.pk),
            self.ward1.pk: (base + "00010001", 5, self.jalalabad_union.pk),
        }
        moved = Unit.objects.filter(pk__in=expected)
        self.assertEqual({u.pk: (u.path, u.depth, u.parent_id) for u in moved}, expected)
        self.assertQuerySetEqual(
            Unit.objects.subtree(self.sylhet_metro),
            [self.sylhet_metro, self.sylhet_sadar, self.jalalabad_union, self.ward1],
        )
        self.assertQuerySetEqual(Unit.objects.subtree(self.sylhet_district), [self.sylhet_district])

    def test_it_shifts_depths_when_the_new_parent_is_higher(self) -> None:
        actions.move_unit(self.jalalabad_union, new_parent=self.sylhet_district, by=self.central)
        union = Unit.objects.get(pk=self.jalalabad_union.pk)
        ward = Unit.objects.get(pk=self.ward1.pk)
        self.assertEqual((union.path, union.depth), (self.sylhet_district.path + "0002", 3))
        self.assertEqual((ward.path, ward.depth), (union.path + "0001", 4))

    def test_it_leaves_units_outside_the_subtree_alone(self) -> None:
        before = {
            u.pk: (u.path, u.depth)
            for u in Unit.objects.exclude(Unit.objects.subtree_q(self.sylhet_sadar))
        }
        actions.move_unit(self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.central)
        after = {u.pk: (u.path, u.depth) for u in Unit.objects.filter(pk__in=before)}
        self.assertEqual(after, before)

    def test_it_refuses_a_move_under_the_units_own_descendant(self) -> None:
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "cannot be moved under itself"),
        ):
            actions.move_unit(self.sylhet_district, new_parent=self.ward1, by=self.central)
        self.assertEqual(Unit.objects.get(pk=self.ward1.pk).path, self.ward1.path)

    def test_it_refuses_a_move_under_the_unit_itself(self) -> None:
        with self.assertRaises(ValidationError):
            actions.move_unit(
                self.sylhet_district, new_parent=self.sylhet_district, by=self.central
            )

    def test_it_refuses_a_parent_with_a_child_of_the_same_name(self) -> None:
        twin = actions.create_unit(
            parent=self.sylhet_metro,
            level=level("upazila"),
            code="UPZ-X",
            name_bn="সিলেট সদর",
            name_en="Sylhet Sadar (Metro)",
            by=self.central,
        )
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "already has a unit of this name"),
        ):
            actions.move_unit(self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.central)
        self.assertEqual(Unit.objects.get(pk=self.sylhet_sadar.pk).parent, self.sylhet_district)
        self.assertEqual(Unit.objects.get(pk=twin.pk).path, self.sylhet_metro.path + "0001")

    def test_it_records_the_old_and_new_parent(self) -> None:
        in_request(
            self.central,
            lambda: actions.move_unit(
                self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.central
            ),
        )
        event = AuditEvent.objects.get(verb="unit.moved")
        self.assertEqual((event.actor, event.unit), (self.central, self.root))
        self.assertEqual(
            event.detail,
            {"from_parent": self.sylhet_district.pk, "to_parent": self.sylhet_metro.pk},
        )

    def test_a_move_out_of_the_movers_scope_is_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.move_unit(self.jalalabad_union, new_parent=self.sylhet_metro, by=self.sylhet)
        self.assertFalse(AuditEvent.objects.filter(verb="unit.moved").exists())

    def test_a_view_desk_cannot_move(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.move_unit(self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.president)


class RenameAndCloseTests(DaptarTestCase):
    def test_rename_changes_both_names_and_records_the_old_ones(self) -> None:
        in_request(
            self.sylhet,
            lambda: actions.rename_unit(
                self.fresh_unit(self.sylhet_sadar),
                name_bn="সিলেট সদর উপজেলা",
                name_en="Sylhet Sadar Upazila",
                by=self.sylhet,
            ),
        )
        unit = Unit.objects.get(pk=self.sylhet_sadar.pk)
        self.assertEqual((unit.name_bn, unit.name_en), ("সিলেট সদর উপজেলা", "Sylhet Sadar Upazila"))
        event = AuditEvent.objects.get(verb="unit.renamed")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_district))
        self.assertEqual(
            event.detail, {"before": {"name_bn": "সিলেট সদর", "name_en": "Sylhet Sadar"}}
        )

    def test_rename_to_a_siblings_name_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            actions.rename_unit(
                self.fresh_unit(self.sylhet_metro),
                name_bn="সিলেট",
                name_en="Sylhet",
                by=self.central,
            )
        self.assertEqual(Unit.objects.get(pk=self.sylhet_metro.pk).name_en, "Sylhet Metropolitan")

    def test_close_marks_the_unit_inactive_from_the_date(self) -> None:
        on = datetime.date(2026, 3, 1)
        in_request(
            self.sylhet,
            lambda: actions.close_unit(self.fresh_unit(self.ward1), on=on, by=self.sylhet),
        )
        unit = Unit.objects.get(pk=self.ward1.pk)
        self.assertEqual((unit.is_active, unit.closed_on), (False, on))
        event = AuditEvent.objects.get(verb="unit.closed")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_district))
        self.assertEqual(event.detail, {"on": "2026-03-01"})

    def test_a_view_desk_cannot_rename_or_close(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.rename_unit(
                self.fresh_unit(self.root), name_bn="x", name_en="x", by=self.president
            )
        with self.assertRaises(PermissionDenied):
            actions.close_unit(
                self.fresh_unit(self.ward1), on=datetime.date(2026, 1, 1), by=self.president
            )
        self.assertFalse(
            AuditEvent.objects.filter(verb__in=["unit.renamed", "unit.closed"]).exists()
        )

    def test_an_outsider_cannot_rename_or_close(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.rename_unit(
                self.fresh_unit(self.sylhet_district), name_bn="x", name_en="x", by=self.dhaka
            )
        with self.assertRaises(PermissionDenied):
            actions.close_unit(
                self.fresh_unit(self.ward1), on=datetime.date(2026, 1, 1), by=self.dhaka
            )
        self.assertTrue(Unit.objects.get(pk=self.ward1.pk).is_active)

    def test_a_login_without_a_post_cannot_act(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.close_unit(
                self.fresh_unit(self.ward1), on=datetime.date(2026, 1, 1), by=self.nobody
            )

    def test_the_acting_unit_is_the_one_chosen_in_the_switcher(self) -> None:
        people_actions.appoint(
            self.sylhet.person,
            unit=self.sylhet_metro,
            post=Post.objects.get(slug="office_secretary"),
            by=self.central,
        )
        sylhet = self.fresh(self.sylhet)
        in_request(
            sylhet,
            lambda: actions.rename_unit(
                self.fresh_unit(self.sylhet_metro), name_bn="মহানগর", name_en="Metro", by=sylhet
            ),
            acting_for=self.sylhet_metro,
        )
        event = AuditEvent.objects.get(verb="unit.renamed")
        self.assertEqual((event.actor, event.unit), (self.sylhet, self.sylhet_metro))
        self.assertEqual(event.unit_path, self.sylhet_metro.path)

    def test_an_operator_acts_without_a_desk_and_has_no_acting_unit(self) -> None:
        staffer = make_user("staffer", is_superuser=True)
        in_request(
            staffer,
            lambda: actions.close_unit(
                self.fresh_unit(self.ward1), on=datetime.date(2026, 1, 1), by=staffer
            ),
        )
        event = AuditEvent.objects.get(verb="unit.closed")
        self.assertEqual((event.actor, event.unit, event.unit_path), (staffer, None, ""))

    def fresh_unit(self, unit: Unit) -> Unit:
        return Unit.objects.get(pk=unit.pk)


class MoveKeepsCopiesTests(DaptarTestCase):
    """Rows that copy a unit's path for scoping follow the unit when it moves."""

    def test_a_delivery_of_a_moved_unit_is_found_under_its_new_parent(self) -> None:
        import datetime

        from django.utils import timezone

        from daptar.directives import actions as directive_actions
        from daptar.directives.models import Delivery

        directive = directive_actions.create_directive(
            issuing_unit=self.root,
            by=self.central,
            title="Lists",
            body="",
            due_at=timezone.now() + datetime.timedelta(days=2),
            target_unit=self.sylhet_sadar,
        )
        directive_actions.issue(directive, by=self.central)
        actions.move_unit(self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.operator)
        self.sylhet_sadar.refresh_from_db()
        self.sylhet_metro.refresh_from_db()
        delivery = Delivery.objects.get(directive=directive, unit=self.sylhet_sadar)
        self.assertEqual(delivery.unit_path, self.sylhet_sadar.path)
        under_metro = Delivery.objects.filter(
            Unit.objects.subtree_q(self.sylhet_metro, "unit_path")
        )
        self.assertEqual(under_metro.count(), 3)  # Sylhet Sadar, Jalalabad, Ward 1

    def test_a_moved_away_units_path_is_never_given_again(self) -> None:
        old_path = self.sylhet_sadar.path
        actions.move_unit(self.sylhet_sadar, new_parent=self.sylhet_metro, by=self.operator)
        newcomer = actions.create_unit(
            parent=self.sylhet_district,
            level=self.sylhet_sadar.level,
            code="UPZ-NEW",
            name_bn="নতুন",
            name_en="New",
            by=self.operator,
        )
        self.assertNotEqual(newcomer.path, old_path)
        self.assertGreater(newcomer.path, old_path)
