"""The arithmetic of the measures and the index, on counts made up by hand (no database)."""

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings
from django.utils import translation

from daptar.dashboard import measures
from daptar.dashboard.charts import format_figure
from daptar.dashboard.measures import Counts, dynamism_index, figures, median_hours, share


class ShareTests(SimpleTestCase):
    def test_it_is_a_percentage_with_one_decimal(self) -> None:
        self.assertEqual(share(2, 3), 66.7)
        self.assertEqual(share(3, 3), 100.0)

    def test_nothing_to_count_is_no_data_not_zero(self) -> None:
        self.assertIsNone(share(0, 0))
        self.assertEqual(share(0, 4), 0.0)


class MedianTests(SimpleTestCase):
    def test_it_interpolates_within_the_bucket_holding_the_middle(self) -> None:
        # Four acknowledgements: one within 1 h, three more within 24 h (12 < d <= 24).
        within = [1, 1, 1, 1, 4, 4, 4, 4, 4, 4]
        # The middle (2 of 4) lies a third of the way into the 12-24 h bucket.
        self.assertEqual(median_hours(4, within), 16.0)

    def test_a_median_past_the_last_bound_is_the_last_bound(self) -> None:
        self.assertEqual(median_hours(3, [0] * 9 + [1]), 720.0)

    def test_nothing_acknowledged_has_no_median(self) -> None:
        self.assertIsNone(median_hours(0, [0] * 10))


class FigureTests(SimpleTestCase):
    def test_an_office_with_no_activity_has_no_data_anywhere(self) -> None:
        values = figures(Counts(units=5))
        self.assertEqual(set(values.values()), {None})
        self.assertIsNone(dynamism_index(values, measures.DEFAULT_WEIGHTS))

    def test_reports_count_once_the_office_did_anything(self) -> None:
        values = figures(Counts(units=4, expected=2, submitted=2, on_time=1))
        self.assertEqual(values["published"], 0)
        self.assertEqual(values["reporting"], 0.0)
        self.assertEqual(values["completeness"], 100.0)
        self.assertEqual(values["timeliness"], 50.0)
        self.assertIsNone(values["attendance"])

    def test_acknowledgement_speed_is_full_within_a_day_and_nil_after_a_week(self) -> None:
        fast = Counts(delivered=1, acknowledged=1, ack_within=[0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
        slow = Counts(delivered=1, acknowledged=1, ack_within=[0] * 8 + [1, 1])
        self.assertEqual(figures(fast)["ack_speed"], 100.0)
        self.assertEqual(figures(slow)["ack_speed"], 0.0)
        # 96 h lies halfway between a day and a week.
        self.assertEqual(measures.speed_score(96, 24, 168), 50.0)

    def test_counts_add_field_by_field_and_the_histogram_bucket_by_bucket(self) -> None:
        a = Counts(delivered=2, acknowledged=1, ack_within=[1] * 10, units=3)
        b = Counts(delivered=1, acknowledged=1, ack_within=[0] * 9 + [1], units=1)
        total = Counts().add(a).add(b)
        self.assertEqual(total.delivered, 3)
        self.assertEqual(total.ack_within, [1] * 9 + [2])
        self.assertEqual(total.units, 4)


class IndexTests(SimpleTestCase):
    def test_it_is_the_weighted_mean_of_the_scores_with_data(self) -> None:
        values = {"completeness": 80.0, "attendance": 50.0, "overdue": 10.0, "returned": None}
        weights = {"completeness": 2, "attendance": 1, "overdue": 1, "returned": 5}
        # Overdue should be low: 10 % overdue scores 90. Returned has no data: left out.
        self.assertEqual(dynamism_index(values, weights), (2 * 80 + 50 + 90) / 4)

    def test_the_worked_example_of_the_docs(self) -> None:
        # docs/dashboard.md: one return sent late, one meeting attended, nothing published.
        ward = Counts(units=1, expected=1, submitted=1, on_time=0, invited=1, present=1)
        self.assertEqual(dynamism_index(figures(ward), measures.DEFAULT_WEIGHTS), 58.3)

    @override_settings(DAPTAR_DYNAMISM_WEIGHTS={"attendance": 1})
    def test_the_weights_are_read_from_settings_when_asked(self) -> None:
        self.assertEqual(measures.weights()["attendance"], 1.0)
        self.assertEqual(measures.weights()["completeness"], 0.0)

    def test_without_the_setting_the_defaults_apply_and_add_up_to_100(self) -> None:
        self.assertEqual(sum(measures.weights().values()), 100)

    def test_unknown_negative_or_all_zero_weights_are_refused(self) -> None:
        for bad in ({"speed": 1}, {"attendance": -1}, {"attendance": 0}):
            with (
                self.subTest(bad=bad),
                override_settings(DAPTAR_DYNAMISM_WEIGHTS=bad),
                self.assertRaises(ImproperlyConfigured),
            ):
                measures.weights()

    @override_settings(DAPTAR_DYNAMISM_ACK_HOURS=(48, 24))
    def test_speed_bounds_the_wrong_way_round_are_refused(self) -> None:
        with self.assertRaises(ImproperlyConfigured):
            measures.ack_hours()


class FormatTests(SimpleTestCase):
    def test_figures_are_written_in_the_readers_digits(self) -> None:
        with translation.override("bn"):
            self.assertEqual(format_figure("completeness", 66.7), "৬৬.৭%")
        with translation.override("en"):
            self.assertEqual(format_figure("completeness", 66.7), "66.7%")
            self.assertEqual(format_figure("index", 58.0), "58")
            self.assertEqual(format_figure("ack_median_hours", 6.0), "6 h")
            self.assertEqual(format_figure("ack_median_hours", 96.0), "4 days")
            self.assertEqual(format_figure("ack_median_hours", 720.0), "30 days or more")
            self.assertEqual(format_figure("published", 3), "3")
            self.assertEqual(format_figure("attendance", None), "no data")
