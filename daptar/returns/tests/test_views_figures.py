"""The rates page with its drill-down and missing list, totals, reminders and exports."""

import csv
import io

from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from daptar.returns import actions
from daptar.returns.models import ReturnForm
from daptar.returns.tests.support import add_office, grow, published
from daptar.returns.tests.test_views_builder import BADGES, ViewTestCase


def url(name: str, form: ReturnForm) -> str:
    return reverse(f"returns:{name}", args=[form.pk])


class FiguresTestCase(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)
        actions.submit(
            self.period, self.jalalabad_union, {"members": 10, "women": 4}, by=self.jalalabad
        )


class RatesPageTests(FiguresTestCase):
    def test_it_shows_completeness_by_level_and_the_missing_with_whom_to_call(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(url("rates", self.form))
        self.assertEqual(response.context["node"], self.sylhet_division)
        self.assertContains(
            response, '<strong data-testid="completeness">50.0%</strong>', html=True
        )
        self.assertContains(response, 'data-testid="by-level"')
        self.assertContains(response, 'data-testid="missing-list"')
        self.assertContains(response, "Ward 1")
        self.assertContains(response, "Ward Office")  # the ward's office secretary
        self.assertContains(response, "+8801811000000")

    def test_bengali_figures_in_bengali_digits(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(url("rates", self.form), HTTP_ACCEPT_LANGUAGE="bn")
        self.assertContains(
            response, '<strong data-testid="completeness">৫০.০%</strong>', html=True
        )

    def test_drilling_down_and_choosing_a_period(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(
            url("rates", self.form), {"unit": self.ward1.pk, "period": self.period.pk}
        )
        self.assertEqual(response.context["total"].expected, 1)
        self.assertEqual(
            [u.code for u in response.context["crumbs"]], ["DIV-SYL", "SYL", "UPZ-281", "UN-2513"]
        )
        other = published(self.sylhet, title="Other")[0]
        self.assertEqual(
            self.client.get(
                url("rates", self.form), {"period": other.periods.get().pk}
            ).status_code,
            404,
        )

    def test_a_unit_below_sees_its_own_subtree(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("rates", self.form))
        self.assertEqual(response.context["node"], self.jalalabad_union)
        self.assertEqual(response.context["total"].expected, 2)
        # …but not a unit outside its scope.
        self.assertEqual(
            self.client.get(url("rates", self.form), {"unit": self.sylhet_sadar.pk}).status_code,
            404,
        )

    def test_a_read_only_desk_may_watch(self) -> None:
        self.client.force_login(self.president)
        self.assertEqual(self.client.get(url("rates", self.form)).status_code, 200)

    def test_outsiders_get_404(self) -> None:
        for user in (self.dhaka, self.nobody):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("rates", self.form)).status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        path = url("rates", self.form)
        self.assertLoginRedirect(self.client.get(path), path)

    def test_htmx_refresh_gets_only_the_live_part(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(url("rates", self.form), HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="live"')
        self.assertNotContains(response, "<html")

    def test_its_queries_do_not_grow_with_the_units(self) -> None:
        unions = grow(self.sylhet_sadar, 30, level="union", by=self.operator)
        for union in unions[:5]:
            grow(union, 6, level="ward", by=self.operator, prefix="W")
        form, period = published(self.central, target=self.sylhet_division, title="Big")
        for n, union in enumerate(unions[:10]):
            actions.submit(period, union, {"members": n}, by=add_office(self, f"u{n}", union))
        self.assertEqual(period.expected, 2 + 30 + 30)
        self.client.force_login(self.central)
        self.client.get(url("rates", form))
        # Session, user, desks, form, period, target in scope, levels, the one GROUP BY,
        # branch units, missing count, missing page, contacts, crumbs, periods, badges.
        with self.assertNumQueries(14 + BADGES):
            response = self.client.get(url("rates", form))
        self.assertEqual(response.context["total"].submitted, 10)
        self.assertEqual(len(response.context["missing_page"]), 25)


class RemindViewTests(FiguresTestCase):
    def test_it_chases_the_missing_units_under_the_node(self) -> None:
        self.client.force_login(self.central)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url("remind", self.form), {"period": self.period.pk, "unit": self.root.pk}
            )
        self.assertRedirects(
            response,
            f"{url('rates', self.form)}?period={self.period.pk}&unit={self.root.pk}",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.message(response), "Reminder sent to 1 unit.")
        self.assertEqual(DBTaskResult.objects.get().task_path, "daptar.returns.tasks.chase_missing")

    def test_a_read_only_desk_gets_403_and_an_outsider_404(self) -> None:
        self.client.force_login(self.president)
        self.assertEqual(self.client.post(url("remind", self.form)).status_code, 403)
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.post(url("remind", self.form)).status_code, 404)
        self.assertFalse(DBTaskResult.objects.exists())


class AggregatePageTests(FiguresTestCase):
    def test_it_shows_sums_by_branch(self) -> None:
        actions.submit(self.period, self.ward1, {"members": 5}, by=self.ward)
        self.client.force_login(self.central)
        response = self.client.get(url("aggregate", self.form), {"unit": self.sylhet_sadar.pk})
        self.assertContains(response, '<td data-testid="sum-members">15</td>', html=True)
        self.assertContains(response, 'data-testid="by-branch"')
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("aggregate", self.form)).status_code, 404)


class ExportTests(FiguresTestCase):
    def rows(self, **params: object) -> list[dict[str, str]]:
        response = self.client.get(url("export_csv", self.form), params)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        self.assertTrue(text.startswith("\ufeff"))
        return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))

    def test_csv_one_row_per_unit_with_the_answers(self) -> None:
        self.client.force_login(self.central)
        rows = self.rows()
        self.assertEqual([r["unit_code"] for r in rows], ["UN-2513", "UN-2513-W1"])
        union = rows[0]
        self.assertEqual(
            (
                union["status"],
                union["on_time"],
                union["members"],
                union["women"],
                union["parent_en"],
            ),
            ("submitted", "yes", "10", "4", "Sylhet Sadar"),
        )
        self.assertEqual((rows[1]["status"], rows[1]["members"]), ("pending", ""))

    def test_csv_within_a_unit_and_within_scope(self) -> None:
        self.client.force_login(self.central)
        self.assertEqual([r["unit_code"] for r in self.rows(unit=self.ward1.pk)], ["UN-2513-W1"])
        self.client.force_login(self.ward)
        self.assertEqual([r["unit_code"] for r in self.rows()], ["UN-2513-W1"])
        self.assertEqual(
            self.client.get(url("export_csv", self.form), {"unit": self.root.pk}).status_code, 404
        )
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("export_csv", self.form)).status_code, 404)

    def test_a_typed_formula_stays_text(self) -> None:
        fields = ({"key": "note", "label_bn": "মন্তব্য", "label_en": "Note", "type": "text"},)
        form, period = published(
            self.central, target=self.sylhet_division, title="Notes", fields=fields, rules=()
        )
        actions.submit(period, self.ward1, {"note": "=HYPERLINK(1)"}, by=self.ward)
        self.client.force_login(self.central)
        response = self.client.get(url("export_csv", form))
        self.assertIn("'=HYPERLINK(1)", b"".join(response.streaming_content).decode())  # type: ignore[attr-defined]

    def test_xlsx_labels_over_keys_then_one_row_per_unit(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(url("export_xlsx", self.form))
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn(".xlsx", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][-2:], ("Members", "Women members"))
        self.assertEqual(rows[1][-2:], ("members", "women"))
        self.assertEqual((rows[2][0], rows[2][-2], rows[2][-1]), ("UN-2513", 10, 4))
        self.assertEqual(len(rows), 4)

    def test_anonymous_is_sent_to_login(self) -> None:
        path = url("export_xlsx", self.form)
        self.assertLoginRedirect(self.client.get(path), path)
