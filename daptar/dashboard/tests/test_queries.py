"""Every measure on the hand-made month of support.build_world, against the worked answers."""

from __future__ import annotations

from django.core.cache import cache
from django.test import override_settings

from daptar.dashboard import figures, queries
from daptar.dashboard.measures import Counts
from daptar.dashboard.tests.support import EXPECTED_SYLHET, NO_CACHE, DashboardTestCase, days
from daptar.units.models import Unit


@NO_CACHE
class MeasureTestCase(DashboardTestCase):
    def tally(self, node: Unit, window: int = 30, **kwargs: object) -> queries.Tally:
        return queries.collect(node, queries.window(window, now=self.now), **kwargs)  # type: ignore[arg-type]

    def branches(self, node: Unit, window: int = 30) -> dict[str, Counts]:
        return self.tally(node, window).branches()


class DirectiveTests(MeasureTestCase):
    def test_the_sylhet_branch_counts_what_was_delivered_in_the_window(self) -> None:
        sylhet = self.branches(self.root)[self.sylhet_division.path]
        for name in (
            "delivered",
            "acknowledged",
            "ack_within",
            "decided",
            "ack_on_time",
            "overdue",
        ):
            with self.subTest(name=name):
                self.assertEqual(getattr(sylhet, name), EXPECTED_SYLHET[name])

    def test_its_figures_are_the_shares_and_the_median_of_those_counts(self) -> None:
        row = figures.build(self.sylhet_division, 30)
        # Not from the queries' clock: build() counts up to the real now, a moment later.
        self.assertEqual(row.total.values["ack_on_time"], 62.5)  # 5 of 8
        self.assertEqual(row.total.values["overdue"], 75.0)  # 6 of 8
        # The middle of six (the 3rd) is the last in the 3-6 h bucket: 6 h.
        self.assertEqual(row.total.values["ack_median_hours"], 6.0)
        self.assertEqual(row.total.values["ack_speed"], 100.0)

    def test_each_office_below_jalalabad_gets_its_own_rows(self) -> None:
        branches = self.branches(self.jalalabad_union)
        own, ward1, ward2 = (
            branches[u.path] for u in (self.jalalabad_union, self.ward1, self.ward2)
        )
        self.assertEqual(
            (own.delivered, own.acknowledged, own.ack_on_time, own.overdue), (1, 1, 1, 1)
        )
        self.assertEqual((ward1.delivered, ward1.acknowledged, ward1.ack_on_time), (2, 2, 1))
        self.assertEqual((ward2.delivered, ward2.acknowledged, ward2.ack_on_time), (1, 1, 1))

    def test_a_directive_issued_before_the_window_counts_only_in_a_longer_one(self) -> None:
        self.assertNotIn(self.d0.pk, self.tally(self.root).overdue_by_directive)
        longer = self.tally(self.root, 90)
        # D0 went to 8 offices (Ward 3 was still open) and nobody did it.
        self.assertEqual(longer.overdue_by_directive[self.d0.pk], 8)

    def test_an_office_that_received_nothing_has_no_data(self) -> None:
        dhaka = self.branches(self.root)[self.dhaka_division.path]
        self.assertFalse(dhaka.active)
        board = figures.build(self.root, 30)
        row = next(r for r in board.children if r.unit == self.dhaka_division)
        self.assertIsNone(row.values["ack_on_time"])
        self.assertIsNone(row.index)
        self.assertFalse(row.has_data)


class ClosedUnitTests(MeasureTestCase):
    def test_work_due_after_closing_is_left_out_and_work_due_before_still_counts(self) -> None:
        ward2 = self.branches(self.jalalabad_union)[self.ward2.path]
        # D1 (due T-12d, before Ward 2 closed at T-5d) counts, overdue as it is not done;
        # D2 (due T-3d) does not.
        self.assertEqual((ward2.delivered, ward2.overdue), (1, 1))
        self.assertEqual(self.tally(self.jalalabad_union).overdue_by_directive[self.d2.pk], 1)
        # The return was due at T-15d: Ward 2 is expected and missing.
        self.assertEqual((ward2.expected, ward2.submitted), (1, 0))

    def test_a_unit_closed_in_the_window_is_listed_and_one_closed_before_is_not(self) -> None:
        board = figures.build(self.jalalabad_union, 30)
        listed = [row.unit for row in board.children]
        self.assertEqual(listed, [self.ward1, self.ward2])
        self.assertEqual(figures.build(self.jalalabad_union, 90).children[-1].unit, self.ward3)

    def test_a_closed_unit_counts_as_an_open_office_only_in_windows_it_was_open_in(self) -> None:
        ward3 = self.branches(self.jalalabad_union, 90)[self.ward3.path]
        self.assertEqual(ward3.units, 1)
        self.assertNotIn(self.ward3.path, self.branches(self.jalalabad_union, 30))
        # In the 90-day window D0 (due T-37d, two days before Ward 3 closed) is held against it.
        self.assertEqual((ward3.delivered, ward3.overdue), (1, 1))


class ReturnTests(MeasureTestCase):
    def test_completeness_and_timeliness_of_the_periods_due_in_the_window(self) -> None:
        board = figures.build(self.sylhet_district, 30)
        self.assertEqual(board.total.values["completeness"], 66.7)  # 2 of 3
        self.assertEqual(board.total.values["timeliness"], 33.3)  # 1 of 3, Ward 1 was late
        self.assertEqual(self.tally(self.root).missing_by_period[self.period.pk], 1)

    def test_the_figures_match_the_returns_apps_own_rates_page(self) -> None:
        from daptar.returns.queries import tally as returns_tally

        theirs = returns_tally(self.period, self.sylhet_district).total
        ours = self.tally(self.sylhet_district).total()
        self.assertEqual((ours.expected, ours.submitted, ours.on_time),
                         (theirs.expected, theirs.submitted, theirs.on_time))  # fmt: skip

    def test_a_period_due_after_the_window_end_is_not_counted_yet(self) -> None:
        before = queries.collect(self.root, queries.window(30, now=self.now - days(16)))
        self.assertEqual(before.total().expected, 0)


class ReportTests(MeasureTestCase):
    def test_published_reports_reporting_offices_and_returns_by_reviewers(self) -> None:
        sylhet = self.branches(self.root)[self.sylhet_division.path]
        for name in ("published", "reporting_units", "reviewed", "returned", "units"):
            with self.subTest(name=name):
                self.assertEqual(getattr(sylhet, name), EXPECTED_SYLHET[name])
        row = figures.build(self.sylhet_division, 30).total
        self.assertEqual(row.values["reporting"], 28.6)  # 2 offices of 7
        self.assertEqual(row.values["returned"], 33.3)  # 1 decision of 3

    def test_a_report_waiting_for_review_needs_attention_at_the_office_above(self) -> None:
        board = figures.build(self.sylhet_division, 30)
        attention = figures.attention(board, self.division)
        self.assertEqual(attention.reports_waiting, 1)  # R3, from Sylhet district
        self.assertEqual(attention.reports_below, 1)


class MeetingTests(MeasureTestCase):
    def test_attendance_counts_meetings_whose_attendance_was_taken(self) -> None:
        branches = self.branches(self.root)
        sylhet, dhaka = branches[self.sylhet_division.path], branches[self.dhaka_division.path]
        self.assertEqual((sylhet.invited, sylhet.present), (2, 1))
        # Dhaka's meeting invited its deputy but nobody took attendance.
        self.assertEqual((dhaka.invited, dhaka.present), (0, 0))
        self.assertEqual(figures.build(self.sylhet_division, 30).total.values["attendance"], 50.0)


class RollUpTests(MeasureTestCase):
    def test_every_unit_adds_up_to_the_sum_of_its_parts(self) -> None:
        for node in (self.root, self.sylhet_division, self.sylhet_district, self.jalalabad_union):
            with self.subTest(node=node.name_en):
                tally = self.tally(node)
                parts = Counts()
                # Its own office, and each child's subtree counted from the child's own dashboard.
                parts.add(tally.branches().get(node.path, Counts()))
                for child in Unit.objects.children(node):
                    parts.add(self.tally(child).total())
                self.assertEqual(parts, tally.total())

    def test_the_slices_of_the_trend_add_up_to_the_window(self) -> None:
        tally = self.tally(self.root)
        summed = Counts()
        for part in tally.slices():
            summed.add(part)
        whole = tally.total()
        for name in ("delivered", "acknowledged", "overdue", "expected", "invited", "published"):
            self.assertEqual(getattr(summed, name), getattr(whole, name), name)

    def test_the_sylhet_branch_is_the_whole_countrys_activity(self) -> None:
        total = self.tally(self.root).total()
        expected = Counts().add(EXPECTED_SYLHET)
        expected.units = total.units  # the Dhaka branch and central are open offices too
        self.assertEqual(total, expected)

    def test_it_costs_eleven_queries_however_many_units_and_rows(self) -> None:
        with self.assertNumQueries(11):
            self.tally(self.root)


class CacheTests(MeasureTestCase):
    @override_settings(DAPTAR_DYNAMISM_CACHE_SECONDS=600)
    def test_a_long_window_is_counted_once_then_read_from_the_cache(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)
        figures.tally(self.root, 90)
        with self.assertNumQueries(1):  # the cache read
            again = figures.tally(self.root, 90)
        self.assertEqual(again.total().delivered, 16)  # D0's 8 and the month's 8

    @override_settings(DAPTAR_DYNAMISM_CACHE_SECONDS=600)
    def test_the_periodic_job_counts_the_long_windows_ahead_of_the_readers(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)
        # The dashboard and the map (one district width), for 90 and 365 days.
        self.assertEqual(figures.warm(), 4)
        with self.assertNumQueries(2):  # the cache reads
            figures.tally(self.root, 365)
            figures.tally(self.root, 365, width=len(self.sylhet_district.path), detail=False)

    def test_without_a_cache_the_periodic_job_does_nothing(self) -> None:
        with self.assertNumQueries(0):
            self.assertEqual(figures.warm(), 0)

    @override_settings(DAPTAR_DYNAMISM_CACHE_SECONDS=600)
    def test_the_default_window_is_always_counted_afresh(self) -> None:
        figures.tally(self.root, 30)
        with self.assertNumQueries(11):
            figures.tally(self.root, 30)


class WarmTaskTests(MeasureTestCase):
    @override_settings(
        DAPTAR_DYNAMISM_CACHE_SECONDS=600,
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
    )
    def test_the_periodic_job_queues_the_warming_once_per_half_lifetime(self) -> None:
        from daptar.dashboard.tasks import schedule_warm

        cache.clear()
        self.addCleanup(cache.clear)
        self.assertTrue(schedule_warm())
        self.assertFalse(schedule_warm())  # the job's next pass, a minute later
        with self.assertNumQueries(1):  # counted by the (immediate) task: a cache read
            figures.tally(self.root, 365)
