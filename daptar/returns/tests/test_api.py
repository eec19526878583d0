"""The returns API: the paths, fields and status codes clients depend on."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from daptar.accounts import actions as account_actions
from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.returns import actions
from daptar.returns.models import ReturnForm, Submission
from daptar.returns.tests.support import (
    MEMBERS,
    RULE,
    WOMEN,
    ReturnsTestCase,
    add_office,
    draft_form,
    grow,
    published,
    slot,
)

LIST = reverse("api:return-list")
PAGE = {"count", "next", "previous", "results"}
RATE_FIELDS = {
    "expected",
    "submitted",
    "on_time",
    "late",
    "missing",
    "nil",
    "completeness",
    "timeliness",
    "approved",
    "returned",
}


def api(name: str, form: ReturnForm, *args: int) -> str:
    return reverse(f"api:return-{name}", args=[form.pk, *args])


def body(**overrides: object) -> dict[str, object]:
    due = timezone.now() + datetime.timedelta(days=4)
    return {
        "title": "Members this year",
        "fields": [
            {
                "key": "members",
                "label_bn": "সদস্য সংখ্যা",
                "label_en": "Members",
                "type": "integer",
                "required": True,
                "min": 0,
                "max": None,
                "choices": [],
            },
            {
                "key": "women",
                "label_bn": "নারী সদস্য",
                "label_en": "Women members",
                "type": "integer",
                "required": False,
            },
        ],
        "rules": [RULE],
        "target_unit": None,
        "target_levels": ["union"],
        "schedule": "once",
        "due_at": due.isoformat(),
        **overrides,
    }


class ApiTestCase(ReturnsTestCase):
    client: APIClient
    client_class = APIClient

    def authorise(self, user: User, unit: object = None) -> None:
        key = account_actions.issue_token(user, by=user).key
        headers = {"HTTP_AUTHORIZATION": f"Token {key}", "HTTP_ACCEPT_LANGUAGE": "en"}
        if unit is not None:
            headers["HTTP_X_DAPTAR_UNIT"] = str(unit.pk)  # type: ignore[attr-defined]
        self.client.credentials(**headers)


class CreateTests(ApiTestCase):
    def test_it_builds_and_publishes_a_return_in_one_call(self) -> None:
        self.authorise(self.central)
        response = self.client.post(LIST, body(target_unit=self.sylhet_division.pk), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        form = ReturnForm.objects.get()
        period = form.periods.get()
        self.assertEqual(data["id"], form.pk)
        self.assertEqual(data["period"]["id"], period.pk)
        self.assertEqual(datetime.datetime.fromisoformat(data["period"]["due_at"]), period.due_at)
        self.assertEqual(data["period"]["expected"], 1)
        self.assertEqual([f["key"] for f in data["fields"]], ["members", "women"])
        self.assertEqual(data["rules"][0]["op"], "<=")
        self.assertEqual((data["status"], data["target_levels"]), ("active", ["union"]))
        self.assertEqual(
            set(
                AuditEvent.objects.filter(verb__startswith="return.").values_list("verb", flat=True)
            ),
            {"return.created", "return.published", "return.period_opened"},
        )

    def test_it_can_keep_a_draft(self) -> None:
        self.authorise(self.central)
        response = self.client.post(
            LIST, body(target_unit=self.sylhet_division.pk, publish=False), format="json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual((response.json()["status"], response.json()["period"]), ("draft", None))
        form = ReturnForm.objects.get()
        response = self.client.post(api("publish", form))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.post(api("publish", form)).status_code, 409)

    def test_bad_input_is_400_and_nothing_is_written(self) -> None:
        self.authorise(self.central)
        cases = [
            (body(target_unit=self.root.pk, title=""), "title"),
            (body(target_unit=self.root.pk, fields=[{"key": "x"}]), "fields"),
            (body(target_unit=self.root.pk, fields=[{**MEMBERS}, {**MEMBERS}]), "fields"),
            (body(target_unit=self.root.pk, rules=[{**RULE, "right": "nope"}]), "rules"),
            (body(target_unit=self.root.pk, due_at=None), "due_at"),
            (body(target_unit=self.root.pk, target_levels=["central"]), "target_levels"),
            (body(target_unit=self.dhaka_division.pk, target_levels=["ward"]), "target_unit"),
            (body(target_unit="x"), "target_unit"),
        ]
        for data, field in cases:
            with self.subTest(field=field):
                response = self.client.post(LIST, data, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        response = self.client.post(
            LIST,
            body(target_unit=self.root.pk, fields=[MEMBERS, {**WOMEN, "key": "members"}]),
            format="json",
        )
        self.assertEqual(
            response.json(), {"fields": ["#2 key: This form already has a field with this key."]}
        )
        self.assertFalse(ReturnForm.objects.exists())

    def test_a_target_outside_the_callers_scope_reads_as_no_such_unit(self) -> None:
        self.authorise(self.sylhet)
        response = self.client.post(LIST, body(target_unit=self.dhaka_district.pk), format="json")
        self.assertEqual(response.json(), {"target_unit": ["No such unit in your subtree."]})

    def test_read_only_403_and_anonymous_401(self) -> None:
        self.authorise(self.president)
        self.assertEqual(
            self.client.post(LIST, body(target_unit=self.root.pk), format="json").status_code, 403
        )
        self.client.credentials()
        self.assertEqual(
            self.client.post(LIST, body(target_unit=self.root.pk), format="json").status_code, 401
        )
        self.assertFalse(ReturnForm.objects.exists())


class ListTests(ApiTestCase):
    def test_the_todo_box_lists_the_acting_units_returns_to_send(self) -> None:
        form, period = published(self.central, target=self.sylhet_division)
        published(
            self.central, target=self.dhaka_division, target_levels=("district",), title="Not ours"
        )
        self.authorise(self.jalalabad)
        data = self.client.get(LIST, {"box": "todo"}).json()
        self.assertEqual(set(data), PAGE)
        self.assertEqual(data["count"], 1)
        item = data["results"][0]
        self.assertEqual(
            (item["id"], item["title"], item["period"]["id"]), (form.pk, form.title, period.pk)
        )
        self.assertEqual(item["submission"]["status"], "pending")
        self.assertEqual(self.client.get(LIST).json()["count"], 1)  # todo is the default

    def test_the_issued_box(self) -> None:
        published(self.central, title="Mine")
        draft_form(self.central, title="Draft")
        draft_form(self.sylhet, title="Theirs")
        self.authorise(self.central)
        data = self.client.get(LIST, {"box": "issued"}).json()
        self.assertEqual([r["title"] for r in data["results"]], ["Draft", "Mine"])

    def test_list_queries_do_not_grow(self) -> None:
        for n in range(10):
            published(self.central, title=f"R{n}", target=self.sylhet_division)
        self.authorise(self.jalalabad)
        self.client.get(LIST)
        # Token and user, desks, count, page.
        with self.assertNumQueries(4):
            self.assertEqual(len(self.client.get(LIST).json()["results"]), 10)
        self.authorise(self.central)
        with self.assertNumQueries(6):  # … page, target levels, periods
            self.assertEqual(len(self.client.get(LIST, {"box": "issued"}).json()["results"]), 10)

    def test_retrieve_gives_the_form_and_my_submission(self) -> None:
        form, _period = published(self.central, target=self.sylhet_division)
        self.authorise(self.jalalabad)
        data = self.client.get(api("detail", form)).json()
        self.assertEqual((data["fields"][0]["min"], data["fields"][0]["max"]), (0, None))
        self.assertEqual(data["my_submission"]["status"], "pending")
        self.authorise(self.dhaka)
        self.assertEqual(self.client.get(api("detail", form)).status_code, 404)


class SubmitTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)
        self.authorise(self.jalalabad)

    def send(self, payload: dict) -> object:
        return self.client.post(api("submissions", self.form), payload, format="json")

    def test_a_valid_return_is_201(self) -> None:
        response = self.send({"data": {"members": 10, "women": 4}, "nil": False})
        self.assertEqual(response.status_code, 201, response.content)  # type: ignore[attr-defined]
        data = response.json()  # type: ignore[attr-defined]
        self.assertEqual(
            (data["status"], data["data"], data["version"], data["on_time"], data["period"]),
            ("submitted", {"members": 10, "women": 4}, 1, True, self.period.pk),
        )

    def test_an_invalid_return_is_400_with_errors_by_field_or_all(self) -> None:
        response = self.send({"data": {"members": 10, "women": 12}})
        self.assertEqual(response.status_code, 400)  # type: ignore[attr-defined]
        self.assertEqual(
            response.json(),  # type: ignore[attr-defined]
            {"errors": {"__all__": ["Women members cannot be more than all members"]}},
        )
        response = self.send({"data": {"members": "x", "extra": 1}})
        self.assertEqual(
            response.json(),  # type: ignore[attr-defined]
            {
                "errors": {
                    "members": ["Enter a whole number."],
                    "extra": ["This form has no such field."],
                }
            },
        )
        self.assertEqual(slot(self.period, self.jalalabad_union).status, "pending")

    def test_the_errors_come_in_the_callers_language(self) -> None:
        self.client.credentials(
            HTTP_AUTHORIZATION=self.client._credentials["HTTP_AUTHORIZATION"],  # type: ignore[attr-defined]
            HTTP_ACCEPT_LANGUAGE="bn",
        )
        response = self.send({"data": {"members": 10, "women": 12}})
        self.assertEqual(
            response.json()["errors"]["__all__"],  # type: ignore[attr-defined]
            ["নারী সদস্য মোট সদস্যের বেশি হতে পারে না"],
        )

    def test_a_nil_return_and_a_named_period(self) -> None:
        response = self.send({"data": {}, "nil": True, "period": self.period.pk})
        self.assertEqual(response.json()["nil"], True)  # type: ignore[attr-defined]
        other = published(self.central, title="Other")[1]
        response = self.send({"data": {}, "nil": True, "period": other.pk})
        self.assertEqual(response.status_code, 404)  # type: ignore[attr-defined]

    def test_a_draft_is_200_with_its_errors(self) -> None:
        response = self.send({"data": {"women": "2"}, "draft": True})
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]
        data = response.json()  # type: ignore[attr-defined]
        self.assertEqual(
            (data["status"], data["errors"]), ("draft", {"members": ["This field is required."]})
        )

    def test_a_stale_version_or_an_approved_return_is_409(self) -> None:
        self.send({"data": {"members": 1}})
        self.assertEqual(self.send({"data": {"members": 2}, "version": 0}).status_code, 409)  # type: ignore[attr-defined]
        actions.approve(slot(self.period, self.jalalabad_union), by=self.sadar)
        self.assertEqual(self.send({"data": {"members": 2}}).status_code, 409)  # type: ignore[attr-defined]

    def test_who_may_send(self) -> None:
        self.authorise(self.union_president)
        self.assertEqual(self.send({"data": {"members": 1}}).status_code, 403)  # type: ignore[attr-defined]
        self.authorise(self.sadar)
        self.assertEqual(self.send({"data": {"members": 1}}).status_code, 404)  # type: ignore[attr-defined]
        self.authorise(self.dhaka)
        self.assertEqual(self.send({"data": {"members": 1}}).status_code, 404)  # type: ignore[attr-defined]
        self.client.credentials()
        self.assertEqual(self.send({"data": {"members": 1}}).status_code, 401)  # type: ignore[attr-defined]

    def test_the_acting_unit_comes_from_the_header(self) -> None:
        both = add_office(self, "both", self.ward1)
        from daptar.people import actions as people_actions
        from daptar.people.models import Post

        people_actions.appoint(
            both.person,
            unit=self.jalalabad_union,
            post=Post.objects.get(slug="office_secretary"),
            by=self.operator,
        )
        both = self.fresh(both)
        self.authorise(both, unit=self.ward1)
        self.send({"data": {"members": 3}})
        self.assertEqual(slot(self.period, self.ward1).status, "submitted")
        self.assertEqual(slot(self.period, self.jalalabad_union).status, "pending")
        self.authorise(both, unit=self.dhaka_district)
        self.assertEqual(self.send({"data": {"members": 3}}).status_code, 404)  # type: ignore[attr-defined]

    def test_the_submissions_in_scope_are_listed(self) -> None:
        self.send({"data": {"members": 1}})
        self.authorise(self.central)
        data = self.client.get(api("submissions", self.form), {"status": "submitted"}).json()
        self.assertEqual([r["unit"] for r in data["results"]], [self.jalalabad_union.pk])
        self.authorise(self.ward)
        data = self.client.get(api("submissions", self.form)).json()
        self.assertEqual([r["unit"] for r in data["results"]], [self.ward1.pk])


class ReviewTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form, self.period = published(self.central, target=self.sylhet_division)
        self.item = actions.submit(
            self.period, self.jalalabad_union, {"members": 1}, by=self.jalalabad
        )

    def test_approve_then_return_with_a_note(self) -> None:
        self.authorise(self.sadar)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(api("approve", self.form, self.item.pk))
        self.assertEqual((response.status_code, response.json()["status"]), (200, "approved"))
        self.assertEqual(
            DBTaskResult.objects.get().task_path, "daptar.returns.tasks.notify_reviewed"
        )
        self.assertEqual(self.client.post(api("approve", self.form, self.item.pk)).status_code, 409)
        response = self.client.post(api("send-back", self.form, self.item.pk), {}, format="json")
        self.assertEqual(response.json(), {"note": ["Say what needs correcting."]})
        response = self.client.post(
            api("send-back", self.form, self.item.pk), {"note": "Count again"}, format="json"
        )
        self.assertEqual(
            (response.json()["status"], response.json()["review_note"]), ("returned", "Count again")
        )

    def test_the_return_path_is_as_published(self) -> None:
        self.assertEqual(
            api("send-back", self.form, self.item.pk),
            f"/api/v1/returns/{self.form.pk}/submissions/{self.item.pk}/return/",
        )
        self.assertEqual(
            api("approve", self.form, self.item.pk),
            f"/api/v1/returns/{self.form.pk}/submissions/{self.item.pk}/approve/",
        )

    def test_the_unit_itself_403_an_outsider_404(self) -> None:
        self.authorise(self.jalalabad)
        self.assertEqual(self.client.post(api("approve", self.form, self.item.pk)).status_code, 403)
        self.authorise(self.dhaka)
        self.assertEqual(self.client.post(api("approve", self.form, self.item.pk)).status_code, 404)
        self.assertEqual(Submission.objects.get(pk=self.item.pk).status, "submitted")

    def test_one_submission_with_its_versions(self) -> None:
        actions.submit(self.period, self.jalalabad_union, {"members": 2}, by=self.jalalabad)
        self.authorise(self.jalalabad)
        data = self.client.get(api("submission", self.form, self.item.pk)).json()
        self.assertEqual([v["number"] for v in data["versions"]], [2, 1])


class FiguresTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.unions = [
            self.jalalabad_union,
            *grow(self.sylhet_sadar, 3, level="union", by=self.operator),
        ]
        self.form, self.period = published(
            self.central, target=self.sylhet_division, target_levels=("union", "ward")
        )
        actions.submit(
            self.period, self.jalalabad_union, {"members": 10, "women": 4}, by=self.jalalabad
        )
        actions.submit(self.period, self.ward1, {}, by=self.ward, nil=True)
        self.authorise(self.central)

    def test_rates(self) -> None:
        data = self.client.get(api("rates", self.form)).json()
        self.assertTrue(RATE_FIELDS | {"by_level", "branches", "unit", "period"} <= set(data))
        self.assertEqual(
            {k: data[k] for k in RATE_FIELDS},
            {
                "expected": 5,
                "submitted": 2,
                "on_time": 2,
                "late": 0,
                "missing": 3,
                "nil": 1,
                "completeness": 40.0,
                "timeliness": 40.0,
                "approved": 0,
                "returned": 0,
            },
        )
        self.assertEqual(
            [(r["level"], r["expected"], r["submitted"]) for r in data["by_level"]],
            [("union", 4, 1), ("ward", 1, 1)],
        )
        within = self.client.get(
            api("rates", self.form), {"unit": self.jalalabad_union.pk, "period": self.period.pk}
        ).json()
        self.assertEqual((within["expected"], within["completeness"]), (2, 100.0))
        self.assertEqual(self.client.get(api("rates", self.form), {"unit": "x"}).status_code, 404)

    def test_missing_is_a_page_of_units_with_their_office(self) -> None:
        data = self.client.get(api("missing", self.form)).json()
        self.assertEqual(set(data), PAGE)
        self.assertEqual(data["count"], 3)
        first = data["results"][0]
        self.assertEqual(
            (first["parent"], first["parent_name_en"], first["level"], first["status"]),
            (self.sylhet_sadar.pk, "Sylhet Sadar", "union", "pending"),
        )
        self.assertEqual(first["office"], [])

    def test_missing_and_rates_queries_do_not_grow(self) -> None:
        for union in self.unions[1:]:
            grow(union, 5, level="ward", by=self.operator, prefix="W")
        form, period = published(self.central, target=self.sylhet_division, title="Wide")
        self.assertEqual(period.expected, 4 + 1 + 15)
        self.client.get(api("missing", form))
        # Token and user, desks, form, period, target in scope, count, page, contacts.
        with self.assertNumQueries(8):
            self.assertEqual(len(self.client.get(api("missing", form)).json()["results"]), 20)
        # Token and user, desks, form, period, target in scope, levels, GROUP BY, branches.
        with self.assertNumQueries(8):
            self.assertEqual(self.client.get(api("rates", form)).json()["expected"], 20)

    def test_aggregate(self) -> None:
        data = self.client.get(api("aggregate", self.form), {"unit": self.sylhet_sadar.pk}).json()
        self.assertEqual(
            data["fields"][0],
            {
                "key": "members",
                "label_bn": "সদস্য সংখ্যা",
                "label_en": "Members",
                "sum": "10",
                "avg": "10",
                "count": 1,
            },
        )
        self.assertEqual(
            data["by_unit"][0]["values"]["women"], {"sum": "4", "avg": "4", "count": 1}
        )

    def test_scope(self) -> None:
        self.authorise(self.dhaka)
        for name in ("rates", "missing", "aggregate"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(api(name, self.form)).status_code, 404)
        self.authorise(self.jalalabad)
        data = self.client.get(api("rates", self.form)).json()
        self.assertEqual((data["unit"], data["expected"]), (self.jalalabad_union.pk, 2))
        self.assertEqual(
            self.client.get(api("rates", self.form), {"unit": self.root.pk}).status_code, 404
        )

    def test_the_schema_stays_valid(self) -> None:
        response = self.client.get(reverse("api:schema"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"/api/v1/returns/{id}/submissions/{sid}/return/", response.content)
