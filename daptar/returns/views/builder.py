"""The central office's form builder: settings, questions, rules, preview, publish."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk, require_act
from daptar.lib.exceptions import Conflict
from daptar.lib.requests import AuthedRequest
from daptar.returns import actions, queries
from daptar.returns.forms import FieldForm, RuleForm, SettingsForm
from daptar.returns.models import ReturnForm
from daptar.returns.views import add_errors, desk_unit, go, run
from daptar.returns.views.entry import rows
from daptar.units.models import Unit


@login_required
def issued(request: AuthedRequest) -> HttpResponse:
    unit = desk_unit(request)
    page = Paginator(queries.issued(unit), 30).get_page(request.GET.get("page"))
    return render(request, "returns/issued.html", {"page": page, "unit": unit})


@login_required
def edit(request: AuthedRequest, form_id: int | None = None) -> HttpResponse:
    """Create a draft (no id) or change a draft's settings."""
    unit = desk_unit(request)
    form = None
    initial: dict[str, Any] = {}
    if form_id is not None:
        form = queries.get_issued_form(request.user, form_id)
        if not form.is_draft:
            messages.info(request, _("A published form can no longer be changed."))
            return redirect("returns:detail", form.pk)
        unit, initial = form.issuing_unit, SettingsForm.initial_from(form)
    require_act(request.user, unit)  # a read-only desk gets its 403 before typing anything
    settings_form = SettingsForm(request.POST or None, initial=initial, issuing_unit=unit)
    if request.method == "POST" and settings_form.is_valid():
        try:
            if form is None:
                form = actions.create_form(
                    issuing_unit=unit, by=request.user, **settings_form.action_kwargs()
                )
            else:
                actions.update_form(form, by=request.user, **settings_form.action_kwargs())
        except ValidationError as error:
            add_errors(settings_form, error)
        else:
            messages.success(request, _("Saved. Now add the fields."))
            return redirect("returns:detail", form.pk)
    return render(
        request, "returns/edit.html", {"settings_form": settings_form, "form": form, "unit": unit}
    )


def _builder_context(
    form: ReturnForm,
    *,
    field_form: FieldForm | None = None,
    rule_form: RuleForm | None = None,
) -> dict[str, Any]:
    return {
        "form": form,
        "fields": queries.form_fields(form),
        "rules": list(form.rules.all()),
        "field_form": field_form or FieldForm(),
        "rule_form": rule_form or RuleForm(),
    }


@login_required
def detail(request: AuthedRequest, form_id: int) -> HttpResponse:
    form = queries.get_visible_form(request.user, form_id)
    is_issuer = Unit.objects.visible_to(request.user).filter(pk=form.issuing_unit_id).exists()
    desk = acting_desk(request)
    context = _builder_context(form)
    periods = list(form.periods.all()[:12])
    context |= {
        "is_issuer": is_issuer,
        "levels": list(form.target_levels.all()),
        "periods": periods,
        "mine": queries.my_submission(periods[0], desk.unit) if periods and desk else None,
        "expected_now": actions.expected_units(form).count() if form.is_draft else None,
    }
    return render(request, "returns/detail.html", context)


def _builder(request: AuthedRequest, form: ReturnForm, **forms: Any) -> HttpResponse:
    """The builder part again (htmx), or the whole page after a plain POST."""
    if request.htmx:
        return render(request, "returns/detail.html#builder", _builder_context(form, **forms))
    if forms and any(f.errors for f in forms.values()):
        for f in forms.values():
            for errors in f.errors.values():
                messages.error(request, " ".join(errors))
    return redirect("returns:detail", form.pk)


@login_required
@require_POST
def add_field(request: AuthedRequest, form_id: int) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    field_form = FieldForm(request.POST)
    if field_form.is_valid():
        try:
            actions.add_field(form, field_form.spec(), by=request.user)
        except ValidationError as error:
            add_errors(field_form, error)
        except Conflict as exc:
            messages.info(request, str(exc))
            return go(request, reverse("returns:detail", args=[form.pk]))
        else:
            return _builder(request, form)
    return _builder(request, form, field_form=field_form)


@login_required
@require_POST
def move_field(request: AuthedRequest, form_id: int, field_id: int, direction: str) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    item = get_object_or_404(form.fields, pk=field_id)
    try:
        actions.move_field(item, by=request.user, up=direction == "up")
    except Conflict as exc:
        messages.info(request, str(exc))
    return _builder(request, form)


@login_required
@require_POST
def remove_field(request: AuthedRequest, form_id: int, field_id: int) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    item = get_object_or_404(form.fields, pk=field_id)
    return run(
        request,
        lambda: actions.remove_field(item, by=request.user),
        _("Field removed."),
        reverse("returns:detail", args=[form.pk]),
    )


@login_required
@require_POST
def add_rule(request: AuthedRequest, form_id: int) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    rule_form = RuleForm(request.POST)
    if rule_form.is_valid():
        try:
            actions.add_rule(form, rule_form.cleaned_data, by=request.user)
        except ValidationError as error:
            add_errors(rule_form, error)
        except Conflict as exc:
            messages.info(request, str(exc))
            return go(request, reverse("returns:detail", args=[form.pk]))
        else:
            return _builder(request, form)
    return _builder(request, form, rule_form=rule_form)


@login_required
@require_POST
def remove_rule(request: AuthedRequest, form_id: int, rule_id: int) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    item = get_object_or_404(form.rules, pk=rule_id)
    return run(
        request,
        lambda: actions.remove_rule(item, by=request.user),
        _("Rule removed."),
        reverse("returns:detail", args=[form.pk]),
    )


@login_required
def preview(request: AuthedRequest, form_id: int) -> HttpResponse:
    """The fill-in form as a unit will see it, in Bengali and in English side by side."""
    form = queries.get_visible_form(request.user, form_id)
    fields = queries.form_fields(form)
    return render(
        request,
        "returns/preview.html",
        {
            "form": form,
            "bn_rows": rows(fields, {}, {}, "bn"),
            "en_rows": rows(fields, {}, {}, "en"),
            "rules": list(form.rules.all()),
        },
    )


@login_required
@require_POST
def publish(request: AuthedRequest, form_id: int) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    return run(
        request,
        lambda: actions.publish(form, by=request.user),
        _("Published: the expected units have it now."),
        reverse("returns:detail", args=[form.pk]),
    )


@login_required
@require_POST
def close(request: AuthedRequest, form_id: int) -> HttpResponse:
    form = queries.get_issued_form(request.user, form_id)
    return run(
        request,
        lambda: actions.close_form(form, by=request.user),
        _("Closed: no new periods will open."),
        reverse("returns:detail", args=[form.pk]),
    )
