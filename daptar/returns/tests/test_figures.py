"""Completeness, timeliness, the missing list and aggregates."""

import datetime
from decimal import Decimal

from django.utils import timezone

from daptar.returns import actions, queries
from daptar.returns.tests.support import (
    ReturnsTestCase,
    add_office,
    frozen,
    grow,
    published,
    slot,
)
from daptar.units.models import Unit


class RatesTestCase(ReturnsTestCase):
    """Sylhet Sadar with four unions (Jalalabad and three more), each with an office."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.unions = [
            cls.jalalabad_union,
            *grow(cls.sylhet_sadar, 3, level="union", by=cls.operator),
        ]
        cls.offices = [cls.jalalabad] + [
            add_office(cls, f"union{n}", unit) for n, unit in enumerate(cls.unions[1:], 2)
        ]

    def setUp(self) -> None:
        super().setUp()
        self.due = timezone.now() + datetime.timedelta(days=2)
        self.form, self.period = published(
            self.central, target=self.sylhet_division, target_levels=("union",), due_at=self.due
        )

    def send(
        self,
        n: int,
        data: dict | None = None,
        *,
        at: datetime.datetime | None = None,
        nil: bool = False,
    ) -> object:
        with frozen(at or timezone.now()):
            return actions.submit(
                self.period,
                self.unions[n],
                {} if nil else data or {"members": n + 5},
                by=self.offices[n],
                nil=nil,
            )

    def rates(self, node: Unit | None = None) -> dict:
        return queries.rates(self.period, node or self.root)[0].as_dict()


class RatesTests(RatesTestCase):
    def test_nothing_sent(self) -> None:
        self.assertEqual(
            self.rates(),
            {
                "expected": 4,
                "submitted": 0,
                "on_time": 0,
                "late": 0,
                "missing": 4,
                "nil": 0,
                "approved": 0,
                "returned": 0,
                "completeness": 0.0,
                "timeliness": 0.0,
            },
        )

    def test_on_time_late_nil_and_missing(self) -> None:
        self.send(0)
        self.send(1, nil=True)
        self.send(2, at=self.due + datetime.timedelta(hours=3))
        self.assertEqual(
            self.rates(),
            {
                "expected": 4,
                "submitted": 3,
                "on_time": 2,
                "late": 1,
                "missing": 1,
                "nil": 1,
                "approved": 0,
                "returned": 0,
                "completeness": 75.0,
                "timeliness": 50.0,
            },
        )

    def test_timeliness_at_the_exact_due_time(self) -> None:
        self.send(0, at=self.due)
        self.send(1, at=self.due + datetime.timedelta(microseconds=1))
        rates = self.rates()
        self.assertEqual((rates["on_time"], rates["late"]), (1, 1))
        self.assertTrue(slot(self.period, self.unions[0]).on_time)
        self.assertFalse(slot(self.period, self.unions[1]).on_time)

    def test_a_correction_never_counts_a_unit_twice(self) -> None:
        for _ in range(3):
            self.send(0)
        self.assertEqual((self.rates()["submitted"], self.rates()["completeness"]), (1, 25.0))

    def test_a_correction_after_the_due_time_keeps_a_unit_on_time(self) -> None:
        self.send(0)
        self.send(0, at=self.due + datetime.timedelta(days=1))
        self.assertEqual(self.rates()["on_time"], 1)

    def test_a_returned_return_is_missing_until_sent_again(self) -> None:
        item = self.send(0)
        actions.return_for_correction(item, by=self.sadar, note="count again")  # type: ignore[arg-type]
        rates = self.rates()
        self.assertEqual((rates["submitted"], rates["returned"], rates["missing"]), (0, 1, 4))
        self.send(0)
        self.assertEqual(self.rates()["submitted"], 1)

    def test_approved_ones_are_counted_and_reported(self) -> None:
        actions.approve(self.send(0), by=self.sadar)  # type: ignore[arg-type]
        self.assertEqual((self.rates()["submitted"], self.rates()["approved"]), (1, 1))

    def test_units_opened_mid_period_are_neither_expected_nor_missing(self) -> None:
        for n in range(4):
            self.send(n)
        late = grow(self.sylhet_sadar, 2, level="union", by=self.operator, prefix="L")
        office = add_office(self, "lateunion", late[0])
        actions.submit(self.period, late[0], {"members": 1}, by=office)
        rates = self.rates()
        self.assertEqual(
            (rates["expected"], rates["submitted"], rates["missing"], rates["completeness"]),
            (4, 4, 0, 100.0),
        )
        self.assertNotIn(
            late[1].pk, queries.missing(self.period, self.root).values_list("unit_id", flat=True)
        )

    def test_no_rate_is_ever_above_100(self) -> None:
        # Expected units close and new ones send: still at most everything.
        for n in range(4):
            self.send(n, at=self.due - datetime.timedelta(hours=1))
        extra = grow(self.sylhet_sadar, 1, level="union", by=self.operator, prefix="Z")[0]
        actions.submit(self.period, extra, {"members": 1}, by=add_office(self, "z", extra))
        total, by_level = queries.rates(self.period, self.root)
        for rates in [total, *by_level, *queries.drilldown(self.period, self.root)]:
            self.assertLessEqual(rates.completeness, 100.0)
            self.assertLessEqual(rates.timeliness, 100.0)
        self.assertEqual(total.completeness, 100.0)

    def test_nothing_expected_is_no_rate_at_all(self) -> None:
        rates = self.rates(self.dhaka_division)
        self.assertEqual((rates["expected"], rates["completeness"]), (0, None))

    def test_by_level_and_a_subtree(self) -> None:
        _form, period = published(self.central, target=self.sylhet_division, title="Both levels")
        actions.submit(period, self.ward1, {"members": 1}, by=self.ward)
        total, by_level = queries.rates(period, self.sylhet_sadar)
        self.assertEqual((total.expected, total.submitted), (5, 1))
        self.assertEqual(
            [(r.level.slug, r.expected, r.submitted) for r in by_level],  # type: ignore[union-attr]
            [("union", 4, 0), ("ward", 1, 1)],
        )
        within, _ = queries.rates(period, self.jalalabad_union)
        self.assertEqual((within.expected, within.submitted, within.completeness), (2, 1, 50.0))


class DrilldownTests(RatesTestCase):
    def test_each_branch_below_the_node(self) -> None:
        self.send(0)
        self.send(1)
        branches = queries.drilldown(self.period, self.sylhet_sadar)
        self.assertEqual(
            [(b.unit.code, b.expected, b.submitted) for b in branches],  # type: ignore[union-attr]
            sorted(
                [(u.code, 1, int(n < 2)) for n, u in enumerate(self.unions)],
                key=lambda r: Unit.objects.get(code=r[0]).name,
            ),
        )
        top = queries.drilldown(self.period, self.root)
        self.assertEqual(
            [(b.unit, b.expected, b.completeness) for b in top], [(self.sylhet_division, 4, 50.0)]
        )

    def test_the_missing_list_with_the_office_above_and_whom_to_call(self) -> None:
        self.send(0)
        missing = list(queries.missing(self.period, self.root))
        self.assertEqual([s.unit for s in missing], self.unions[1:])
        self.assertEqual({s.parent for s in missing}, {self.sylhet_sadar})
        contacts = queries.office_contacts([s.unit_id for s in missing])
        self.assertEqual(
            [(c.name, c.phone) for c in contacts[self.unions[1].pk]],
            [("Union2 Office", "+8801811000000")],
        )


class AggregateTests(RatesTestCase):
    def test_sums_and_averages_by_branch_only_of_counted_returns(self) -> None:
        _form, period = published(self.central, target=self.sylhet_division, title="Both levels")
        actions.submit(period, self.jalalabad_union, {"members": 10, "women": 4}, by=self.jalalabad)
        actions.submit(period, self.ward1, {"members": 5}, by=self.ward)
        actions.submit(period, self.unions[1], {}, by=self.offices[1], nil=True)
        returned = actions.submit(period, self.unions[2], {"members": 99}, by=self.offices[2])
        actions.return_for_correction(returned, by=self.sadar, note="no")
        fields, totals, branches = queries.aggregate(period, self.sylhet_sadar)
        members, women = fields
        self.assertEqual(totals[members.pk].as_dict(), {"sum": "15", "avg": "7.5", "count": 2})
        self.assertEqual(totals[women.pk].as_dict(), {"sum": "4", "avg": "4", "count": 1})
        by_unit = {b.unit.code: b.figures for b in branches}  # type: ignore[union-attr]
        self.assertEqual(set(by_unit), {"UN-2513"})
        self.assertEqual(by_unit["UN-2513"][members.pk].total, Decimal(15))
        top = queries.aggregate(period, self.root)
        self.assertEqual([b.unit for b in top[2]], [self.sylhet_division])

    def test_decimals_add_up_exactly(self) -> None:
        fields = ({"key": "amount", "label_bn": "টাকা", "label_en": "Taka", "type": "decimal"},)
        _form, period = published(
            self.central, target=self.sylhet_division, title="Money", fields=fields, rules=()
        )
        for n, value in enumerate(["0.1", "0.2", "1234.505"]):
            actions.submit(period, self.unions[n], {"amount": value}, by=self.offices[n])
        found, totals, _branches = queries.aggregate(period, self.root)
        self.assertEqual(
            totals[found[0].pk].as_dict(), {"sum": "1234.805", "avg": "411.6", "count": 3}
        )
