"""Filling in a return on a phone, and the office above reviewing it."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk
from daptar.lib.exceptions import Conflict
from daptar.lib.requests import AuthedRequest
from daptar.offline.actions import once
from daptar.offline.responses import replayable
from daptar.returns import actions, queries
from daptar.returns.forms import NoteForm
from daptar.returns.models import ReturnField, ReturnForm, ReturnPeriod, Submission
from daptar.returns.views import desk_unit, go, run
from daptar.units.models import Unit


@dataclasses.dataclass
class Row:
    """One question as the fill-in page (or the preview) shows it."""

    field: ReturnField
    label: str
    help: str
    value: Any = ""
    errors: list[str] = dataclasses.field(default_factory=list)
    choices: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def name(self) -> str:
        return f"f-{self.field.key}"

    @property
    def input_type(self) -> str:
        return {"date": "date", "phone": "tel"}.get(self.field.type, "text")

    @property
    def inputmode(self) -> str:
        return {"integer": "numeric", "decimal": "decimal"}.get(self.field.type, "")


def _shown(value: Any) -> Any:
    """A stored answer as the input shows it again."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def rows(
    fields: list[ReturnField],
    values: dict[str, Any],
    errors: dict[str, list[str]],
    language: str,
) -> list[Row]:
    english = language == "en"
    return [
        Row(
            field=f,
            label=f.label_en if english else f.label_bn,
            help=f.help_en if english else f.help_bn,
            value=_shown(values.get(f.key)),
            errors=errors.get(f.key, []),
            choices=[(c["value"], c["label_en"] if english else c["label_bn"]) for c in f.choices],
        )
        for f in fields
    ]


def display(field: ReturnField, value: Any) -> str:
    """An answer as a reader wants it: choice labels, yes or no, "—" for none."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(field.choice_label(str(v)) for v in value)
    if field.type == ReturnField.Type.CHOICE:
        return field.choice_label(str(value))
    return str(value)


def language_of(request: HttpRequest) -> str:
    return "en" if (request.LANGUAGE_CODE or "bn").startswith("en") else "bn"


# --- lists ----------------------------------------------------------------------------


@login_required
def to_do(request: AuthedRequest) -> HttpResponse:
    unit = desk_unit(request)
    show_sent = request.GET.get("show") == "sent"
    rows_ = queries.sent(unit) if show_sent else queries.to_do(unit)
    page = Paginator(rows_, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "returns/todo.html",
        {"page": page, "unit": unit, "show_sent": show_sent, "now": timezone.now()},
    )


@login_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    unit = desk_unit(request)
    subtree = request.GET.get("all") == "1"
    page = Paginator(queries.review_queue(unit, subtree=subtree), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "returns/review.html", {"page": page, "unit": unit, "subtree": subtree})


# --- filling in -------------------------------------------------------------------------


def _posted(request: AuthedRequest, fields: list[ReturnField]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields:
        name = f"f-{f.key}"
        if f.type == ReturnField.Type.MULTIPLE_CHOICE:
            data[f.key] = request.POST.getlist(name)
        elif name in request.POST:
            data[f.key] = request.POST[name]
    return data


def _version(request: AuthedRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _entry_context(
    request: AuthedRequest,
    form: ReturnForm,
    period: ReturnPeriod,
    slot: Submission | None,
    fields: list[ReturnField],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    nil: bool | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    if values is None:
        saved = (slot.draft or {}) if slot is not None and slot.draft else None
        if saved is not None:
            values, nil = saved.get("data", {}), saved.get("nil", False)
        elif slot is not None and slot.data is not None:
            values, nil = slot.data, slot.nil
        else:
            values = {}
    errors = errors or {}
    editable = slot.editable(now) if slot is not None else not period.is_locked(now)
    desk = acting_desk(request)
    return {
        "form": form,
        "period": period,
        "slot": slot,
        "rows": rows(fields, values, errors, language_of(request)),
        "top_errors": errors.get(NON_FIELD_ERRORS, []),
        "nil": bool(nil),
        "editable": editable,
        "can_send": bool(desk and desk.can_act),
        "periods": form.periods.all()[:12],
        "now": now,
    }


@login_required
@replayable
def fill(request: AuthedRequest, form_id: int) -> HttpResponse:
    form = queries.get_visible_form(request.user, form_id)
    unit = desk_unit(request)
    period = queries.get_period(form, request.POST.get("period") or request.GET.get("period"))
    slot = queries.my_submission(period, unit)
    if slot is None and not actions.is_target(form, unit):
        raise Http404(_("This return is not asked of your unit."))
    fields = queries.form_fields(form)
    if request.method != "POST":
        context = _entry_context(request, form, period, slot, fields)
        return render(request, "returns/fill.html", context)
    data = _posted(request, fields)
    nil = request.POST.get("nil") == "1"
    errors: dict[str, list[str]] = {}
    try:
        if request.POST.get("action") == "draft":
            slot, errors = actions.save_draft(
                period, unit, data, by=request.user, nil=nil, version=_version(request)
            )
            messages.success(request, _("Draft saved."))
        else:
            # A phone sending held work again finds its first try: no second version.
            sent, _ran = once(
                lambda: actions.submit(
                    period,
                    unit,
                    {} if nil else data,
                    by=request.user,
                    nil=nil,
                    version=_version(request),
                ),
                by=request.user,
                key=request.POST.get("idempotency_key", ""),
                kind="return.submit",
            )
            slot = sent or queries.my_submission(period, unit)
            assert slot is not None  # the first try made it
            messages.success(request, _("Your return has been sent."))
            return go(request, reverse("returns:submission", args=[form.pk, slot.pk]))
    except ValidationError as exc:
        errors = exc.message_dict
    except Conflict as exc:
        messages.info(request, str(exc))
    context = _entry_context(
        request, form, period, slot, fields, values=data, errors=errors, nil=nil
    )
    template = "returns/fill.html#entry" if request.htmx else "returns/fill.html"
    return render(request, template, context)


# --- one submission and its review --------------------------------------------------------


def can_review(user: Any, submission: Submission) -> bool:
    above: Unit = submission.parent or submission.period.form.issuing_unit
    if user.is_superuser:
        return True
    return any(d.can_act and above.is_within(d.unit) for d in user.desks)


@login_required
def submission(request: AuthedRequest, form_id: int, submission_id: int) -> HttpResponse:
    form = queries.get_visible_form(request.user, form_id)
    item = queries.get_visible_submission(request.user, form, submission_id)
    desk = acting_desk(request)
    now = timezone.now()
    fields = queries.form_fields(form)
    data = item.data or {}
    answers = [(f, display(f, data.get(f.key))) for f in fields] if item.data is not None else []
    return render(
        request,
        "returns/submission.html",
        {
            "form": form,
            "item": item,
            "answers": answers,
            "versions": item.versions.select_related("submitted_by")[:20],
            "is_mine": bool(desk and desk.unit.pk == item.unit_id),
            "can_review": can_review(request.user, item),
            "locked": item.period.is_locked(now) and not item.late_entry_open(now),
            "note_form": NoteForm(),
        },
    )


def _reviewed(request: AuthedRequest, form_id: int, submission_id: int) -> Submission:
    form = queries.get_visible_form(request.user, form_id)
    return queries.get_visible_submission(request.user, form, submission_id)


def _back(item: Submission) -> str:
    return reverse("returns:submission", args=[item.period.form_id, item.pk])


@login_required
@require_POST
def approve(request: AuthedRequest, form_id: int, submission_id: int) -> HttpResponse:
    item = _reviewed(request, form_id, submission_id)
    return run(request, lambda: actions.approve(item, by=request.user), _("Approved."), _back(item))


@login_required
@require_POST
def send_back(request: AuthedRequest, form_id: int, submission_id: int) -> HttpResponse:
    item = _reviewed(request, form_id, submission_id)
    note = NoteForm(request.POST)
    text = note.cleaned_data["note"] if note.is_valid() else ""
    return run(
        request,
        lambda: actions.return_for_correction(item, by=request.user, note=text),
        _("Returned to the unit for correction."),
        _back(item),
    )


@login_required
@require_POST
def reopen(request: AuthedRequest, form_id: int, submission_id: int) -> HttpResponse:
    item = _reviewed(request, form_id, submission_id)
    return run(
        request,
        lambda: actions.reopen(item, by=request.user),
        _("Reopened: the unit can send it late now."),
        _back(item),
    )
