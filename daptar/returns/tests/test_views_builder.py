"""The builder pages: issued list, settings, fields and rules, preview, publish, close."""

import datetime

from django.apps import apps
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from daptar.audit.models import AuditEvent
from daptar.returns.models import ReturnForm, ReturnPeriod
from daptar.returns.tests.support import (
    MEMBERS,
    ReturnsTestCase,
    draft_form,
    published,
)

LOGIN = reverse("accounts:login")
ISSUED = reverse("returns:issued")
CREATE = reverse("returns:create")
# The navigation's count badges: directives, notices, and each app that declares one.
BADGES = 2 + sum(1 for c in apps.get_app_configs() if getattr(c, "badge", None))


def url(name: str, form: ReturnForm, *args: int) -> str:
    return reverse(f"returns:{name}", args=[form.pk, *args])


def settings_data(**overrides: object) -> dict[str, object]:
    """The settings form filled in for a one-off return (the target added by each test)."""
    due = timezone.localtime(timezone.now() + datetime.timedelta(days=5))
    return {
        "title": "Committee members",
        "description": "How many members each committee has.",
        "target_code": "",
        "schedule": "once",
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "timely_days": "10",
        "lock_after_days": "",
        **overrides,
    }


FIELD = {
    "label_bn": "সভা হয়েছে",
    "label_en": "Meeting held",
    "key": "held",
    "type": "yes_no",
    "required": "on",
    "min": "",
    "max": "",
    "choices": "",
    "help_bn": "",
    "help_en": "",
}


class ViewTestCase(ReturnsTestCase):
    def message(self, response: object) -> str:
        return [str(m) for m in get_messages(response.wsgi_request)][-1]  # type: ignore[attr-defined]

    def assertLoginRedirect(self, response: object, path: str) -> None:
        self.assertRedirects(response, f"{LOGIN}?next={path}", fetch_redirect_response=False)  # type: ignore[arg-type]


class IssuedTests(ViewTestCase):
    def test_it_lists_the_units_forms_newest_first(self) -> None:
        draft_form(self.central, title="Older")
        published(self.central, title="Newer")
        draft_form(self.sylhet, title="Someone else's")
        self.client.force_login(self.central)
        response = self.client.get(ISSUED)
        self.assertEqual([f.title for f in response.context["page"]], ["Newer", "Older"])
        self.assertContains(response, 'data-testid="issued"')

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertLoginRedirect(self.client.get(ISSUED), ISSUED)

    def test_a_login_without_a_desk_gets_404(self) -> None:
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(ISSUED).status_code, 404)

    def test_its_queries_do_not_grow_with_the_forms(self) -> None:
        for n in range(12):
            published(self.central, title=f"Return {n}", target=self.sylhet_division)
        self.client.force_login(self.central)
        self.client.get(ISSUED)
        # Session, user, desks, count, page, target levels, and the badges.
        with self.assertNumQueries(6 + BADGES):
            response = self.client.get(ISSUED)
        self.assertEqual(len(response.context["page"]), 12)


class CreateTests(ViewTestCase):
    def test_it_offers_the_target_and_levels_below(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(CREATE)
        self.assertContains(response, 'data-testid="settings"')
        levels = [
            lvl.slug for lvl in response.context["settings_form"].fields["target_levels"].queryset
        ]
        self.assertEqual(levels, ["division", "district", "upazila", "union", "ward"])

    def test_it_saves_a_draft_and_goes_to_the_builder(self) -> None:
        self.client.force_login(self.central)
        response = self.client.post(
            CREATE,
            settings_data(
                target_unit=self.sylhet_division.pk, target_levels=[self.jalalabad_union.level_id]
            ),
        )
        form = ReturnForm.objects.get()
        self.assertRedirects(response, url("detail", form), fetch_redirect_response=False)
        self.assertEqual(
            (form.title, form.target_unit, form.status, form.issuing_unit),
            ("Committee members", self.sylhet_division, "draft", self.root),
        )
        self.assertEqual(list(form.target_levels.values_list("slug", flat=True)), ["union"])
        self.assertTrue(AuditEvent.objects.filter(verb="return.created").exists())

    def test_a_unit_code_picks_a_deeper_target(self) -> None:
        self.client.force_login(self.central)
        self.client.post(CREATE, settings_data(target_code="un-2513", target_unit=self.root.pk))
        self.assertEqual(ReturnForm.objects.get().target_unit, self.jalalabad_union)

    def test_bad_input_comes_back_with_the_reasons(self) -> None:
        self.client.force_login(self.sylhet)
        past = timezone.localtime(timezone.now() - datetime.timedelta(days=1))
        response = self.client.post(CREATE, settings_data(title=""))
        self.assertEqual(response.status_code, 200)
        self.assertFormError(response.context["settings_form"], "title", "This field is required.")
        self.assertFormError(
            response.context["settings_form"], "target_unit", "Choose who the return is for."
        )
        response = self.client.post(
            CREATE,
            settings_data(
                target_unit=self.sylhet.desks[0].unit.pk, due_at=past.strftime("%Y-%m-%dT%H:%M")
            ),
        )
        self.assertFormError(
            response.context["settings_form"], "due_at", "The due time must be in the future."
        )
        response = self.client.post(CREATE, settings_data(target_code="DHA"))
        self.assertFormError(
            response.context["settings_form"],
            "target_code",
            "No unit with this code in your subtree.",
        )
        self.assertFalse(ReturnForm.objects.exists())

    def test_a_read_only_desk_gets_403(self) -> None:
        self.client.force_login(self.president)
        self.assertEqual(self.client.get(CREATE).status_code, 403)
        self.assertEqual(
            self.client.post(CREATE, settings_data(target_unit=self.root.pk)).status_code, 403
        )
        self.assertFalse(ReturnForm.objects.exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertLoginRedirect(self.client.get(CREATE), CREATE)

    def test_a_draft_can_be_changed_a_published_form_not(self) -> None:
        form = draft_form(self.central)
        self.client.force_login(self.central)
        response = self.client.post(
            url("edit", form), settings_data(title="Renamed", target_unit=self.root.pk)
        )
        self.assertRedirects(response, url("detail", form), fetch_redirect_response=False)
        form.refresh_from_db()
        self.assertEqual(form.title, "Renamed")
        live, _period = published(self.central)
        response = self.client.get(url("edit", live))
        self.assertRedirects(response, url("detail", live), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "A published form can no longer be changed.")

    def test_outsiders_cannot_edit(self) -> None:
        form = draft_form(self.central)
        for user in (self.dhaka, self.jalalabad):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("edit", form)).status_code, 404)


class FieldsAndRulesTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form = draft_form(
            self.central, fields=(MEMBERS,), rules=(), target=self.sylhet_division
        )
        self.client.force_login(self.central)

    def keys(self) -> list[str]:
        return list(self.form.fields.values_list("key", flat=True))

    def test_the_builder_shows_the_fields_and_how_many_units_will_be_asked(self) -> None:
        response = self.client.get(url("detail", self.form))
        self.assertContains(response, 'data-testid="add-field"')
        self.assertContains(response, "সদস্য সংখ্যা")
        self.assertContains(response, "2 units will be asked.")

    def test_adding_a_field_with_htmx_returns_the_builder_only(self) -> None:
        response = self.client.post(url("add_field", self.form), FIELD, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="builder"')
        self.assertNotContains(response, "<html")
        self.assertContains(response, "Meeting held")
        self.assertEqual(self.keys(), ["members", "held"])

    def test_a_bad_field_is_shown_inline_and_not_added(self) -> None:
        response = self.client.post(
            url("add_field", self.form), {**FIELD, "key": "members"}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(response, "This form already has a field with this key.")
        response = self.client.post(
            url("add_field", self.form),
            {**FIELD, "type": "choice", "key": "place"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "Give at least one choice.")
        self.assertEqual(self.keys(), ["members"])

    def test_choices_are_typed_one_a_line(self) -> None:
        self.client.post(
            url("add_field", self.form),
            {**FIELD, "type": "choice", "key": "place", "choices": "dha | ঢাকা | Dhaka\nsyl|সিলেট\n"},
        )
        self.assertEqual(
            self.form.fields.get(key="place").choices,
            [
                {"value": "dha", "label_bn": "ঢাকা", "label_en": "Dhaka"},
                {"value": "syl", "label_bn": "সিলেট", "label_en": "সিলেট"},
            ],
        )

    def test_fields_move_up_and_down(self) -> None:
        self.client.post(url("add_field", self.form), FIELD)
        held = self.form.fields.get(key="held")
        response = self.client.post(url("field_up", self.form, held.pk), HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="builder"')
        self.assertEqual(self.keys(), ["held", "members"])
        response = self.client.post(url("field_down", self.form, held.pk))
        self.assertRedirects(response, url("detail", self.form), fetch_redirect_response=False)
        self.assertEqual(self.keys(), ["members", "held"])

    def test_removing_a_field_and_a_rule(self) -> None:
        self.client.post(url("add_field", self.form), {**FIELD, "key": "women", "type": "integer"})
        rule = {
            "left": "women",
            "op": "<=",
            "right": "members",
            "message_bn": "ভুল",
            "message_en": "Wrong",
        }
        response = self.client.post(url("add_rule", self.form), rule, HTTP_HX_REQUEST="true")
        self.assertContains(response, "women &lt;= members")
        women = self.form.fields.get(key="women")
        response = self.client.post(url("remove_field", self.form, women.pk))
        self.assertIn("reads this field", self.message(response))
        self.client.post(url("remove_rule", self.form, self.form.rules.get().pk))
        response = self.client.post(url("remove_field", self.form, women.pk))
        self.assertEqual(self.message(response), "Field removed.")
        self.assertEqual(self.keys(), ["members"])

    def test_a_bad_rule_is_shown_inline(self) -> None:
        rule = {
            "left": "members +",
            "op": "<=",
            "right": "9",
            "message_bn": "ভুল",
            "message_en": "Wrong",
        }
        response = self.client.post(url("add_rule", self.form), rule, HTTP_HX_REQUEST="true")
        self.assertContains(response, "Not a calculation")
        self.assertFalse(self.form.rules.exists())

    def test_outsiders_get_404_and_read_only_desks_403(self) -> None:
        for user in (self.dhaka, self.sylhet):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.client.post(url("add_field", self.form), FIELD).status_code, 404
                )
                self.assertEqual(self.client.post(url("publish", self.form)).status_code, 404)
        self.client.force_login(self.president)
        self.assertEqual(self.client.post(url("add_field", self.form), FIELD).status_code, 403)
        self.assertEqual(self.client.post(url("publish", self.form)).status_code, 403)
        self.assertEqual(self.keys(), ["members"])

    def test_anonymous_is_sent_to_login(self) -> None:
        self.client.logout()
        path = url("add_field", self.form)
        self.assertLoginRedirect(self.client.post(path, FIELD), path)


class PreviewTests(ViewTestCase):
    def test_it_shows_the_form_in_both_languages(self) -> None:
        form = draft_form(self.central)
        self.client.force_login(self.central)
        response = self.client.get(url("preview", form))
        self.assertContains(response, 'data-testid="preview-bn"')
        self.assertContains(response, 'id="bn-id-members"')
        self.assertContains(response, 'id="en-id-members"')
        self.assertContains(response, "সদস্য সংখ্যা")
        self.assertContains(response, "Women members")
        self.assertContains(response, "নারী সদস্য মোট সদস্যের বেশি হতে পারে না")

    def test_a_draft_is_hidden_from_the_units_it_will_ask(self) -> None:
        form = draft_form(self.central, target=self.sylhet_division)
        self.client.force_login(self.jalalabad)
        self.assertEqual(self.client.get(url("preview", form)).status_code, 404)
        self.assertEqual(self.client.get(url("detail", form)).status_code, 404)


class PublishViewTests(ViewTestCase):
    def test_publishing_opens_the_first_period(self) -> None:
        form = draft_form(self.central, target=self.sylhet_division)
        self.client.force_login(self.central)
        response = self.client.post(url("publish", form))
        self.assertRedirects(response, url("detail", form), fetch_redirect_response=False)
        self.assertEqual(self.message(response), "Published: the expected units have it now.")
        self.assertEqual(ReturnPeriod.objects.get(form=form).expected, 2)
        response = self.client.post(url("publish", form))
        self.assertEqual(self.message(response), "This return has already been published.")
        response = self.client.get(url("detail", form))
        self.assertContains(response, 'data-testid="periods"')
        self.assertNotContains(response, 'data-testid="add-field"')

    def test_closing_a_recurring_return(self) -> None:
        form, _period = published(self.central, schedule="monthly")
        self.client.force_login(self.central)
        response = self.client.post(url("close", form))
        self.assertEqual(self.message(response), "Closed: no new periods will open.")
        form.refresh_from_db()
        self.assertEqual(form.status, "closed")
        self.client.force_login(self.president)
        self.assertEqual(self.client.post(url("close", form)).status_code, 403)

    def test_the_units_asked_see_the_form_with_a_link_to_fill_it_in(self) -> None:
        form, _period = published(self.central, target=self.sylhet_division)
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("detail", form))
        self.assertContains(response, 'data-testid="fill-link"')
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("detail", form)).status_code, 404)
