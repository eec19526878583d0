from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.models import Desk
from daptar.accounts.queries import acting_desk
from daptar.letters import actions, exports, queries
from daptar.letters.forms import CloseForm, ForwardForm, LetterForm, RegisterFilter
from daptar.letters.models import Letter, Receipt
from daptar.lib.exceptions import Conflict
from daptar.lib.requests import AuthedRequest

PER_PAGE = 30
PAPER_PER_PAGE = 500


def _desk(request: AuthedRequest) -> Desk:
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    return desk


def _with_ages(page: Any) -> Any:
    now = timezone.now()
    for receipt in page:
        receipt.age = queries.age_days(receipt.received_at, now)
    return page


@login_required
def pending(request: AuthedRequest) -> HttpResponse:
    """Pending with us: letters this office has still to answer, forward or close."""
    desk = _desk(request)
    rows = queries.pending_with_us(desk.unit)
    page = _with_ages(Paginator(rows, PER_PAGE).get_page(request.GET.get("page")))
    return render(request, "letters/pending.html", {"page": page, "unit": desk.unit, "tab": "us"})


@login_required
def pending_others(request: AuthedRequest) -> HttpResponse:
    """Pending with others: what this office sent or passed on, still open elsewhere."""
    desk = _desk(request)
    rows = queries.pending_with_others(desk.unit)
    page = _with_ages(Paginator(rows, PER_PAGE).get_page(request.GET.get("page")))
    return render(
        request, "letters/pending.html", {"page": page, "unit": desk.unit, "tab": "others"}
    )


def _register(request: AuthedRequest, box: str) -> HttpResponseBase:
    desk = _desk(request)
    period = RegisterFilter(request.GET)
    valid = period.is_valid()
    year, month = (
        (period.cleaned_data["year"], period.cleaned_data["month"]) if valid else (None, None)
    )
    reader = queries.inward if box == "inward" else queries.outward
    rows = reader(desk.unit, year=year, month=month)
    if request.GET.get("format") == "csv" and valid:
        return exports.register_csv(box, desk.unit, rows, year=year, month=month)
    paper = request.GET.get("view") == "paper"
    page = Paginator(rows, PAPER_PER_PAGE if paper else PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unit": desk.unit,
        "box": box,
        "tab": box,
        "period": period,
        "year": year,
        "month": month,
        "month_name": dict(RegisterFilter.MONTHS).get(month or 0, ""),
        "paper": paper,
    }
    status = 200 if valid else 400
    if request.htmx:
        return render(request, "letters/register.html#rows", context, status=status)
    return render(request, "letters/register.html", context, status=status)


@login_required
def inward(request: AuthedRequest) -> HttpResponseBase:
    """The inward register (আগত চিঠির রেজিস্টার), filterable by year and month; CSV; paper."""
    return _register(request, "inward")


@login_required
def outward(request: AuthedRequest) -> HttpResponseBase:
    """The outward register (প্রেরিত চিঠির রেজিস্টার), filterable by year and month; CSV; paper."""
    return _register(request, "outward")


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def compose(request: AuthedRequest) -> HttpResponse:
    """Write a letter, or a reply (?reply_to=<id>) to one this office holds."""
    desk = _desk(request)
    actions.require_office(request.user, desk.unit)
    reply_to, targets = None, None
    if raw := (request.POST.get("reply_to") or request.GET.get("reply_to")):
        reply_to = queries.get_visible_letter(request.user, raw)
        mine = queries.holding(reply_to, desk.unit)
        if mine is None:
            raise Http404(_("This letter has not come to your office."))
        targets = actions.reply_targets(reply_to, mine)
    form = LetterForm(
        request.POST or None,
        request.FILES or None,
        sender=desk.unit,
        reply_to=reply_to,
        reply_targets=targets,
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = actions.send(
                    sender=desk.unit,
                    by=request.user,
                    to_unit=data["to_unit"],
                    subject=data["subject"],
                    body=data["body"],
                    priority=data["priority"],
                    confidential=data["confidential"],
                    reply_to=reply_to,
                    attachments=data["attachments"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request, _("Sent as memo no. %(memo)s.") % {"memo": letter.memo_no}
                )
                return redirect("letters:detail", letter.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "letters/compose.html",
        {"form": form, "unit": desk.unit, "reply_to": reply_to, "tab": "new"},
        status=status,
    )


def _detail_context(request: AuthedRequest, letter: Letter, **forms: Any) -> dict[str, Any]:
    desk = acting_desk(request)
    mine = queries.holding(letter, desk.unit if desk else None)
    can_act = bool(desk and desk.can_act and mine is not None)
    context: dict[str, Any] = {
        "letter": letter,
        "thread": list(queries.thread(letter, request.user)),
        "movements": list(queries.movements(letter)),
        "mine": mine,
        "can_act": can_act,
        "tab": "",
    }
    if mine is not None:
        context["mine_age"] = queries.age_days(mine.received_at)
    if can_act and desk is not None and mine is not None:
        context["reply_form"] = LetterForm(
            auto_id="reply_%s",
            sender=desk.unit,
            reply_to=letter,
            reply_targets=actions.reply_targets(letter, mine),
        )
        if mine.is_pending:
            context["forward_form"] = forms.get("forward_form") or ForwardForm(
                auto_id="forward_%s", holder=desk.unit
            )
            context["close_form"] = forms.get("close_form") or CloseForm(auto_id="close_%s")
    return context


@login_required
def detail(request: AuthedRequest, letter_id: int) -> HttpResponse:
    """A letter with its thread as far as the reader may read, and what the office can do."""
    letter = queries.get_visible_letter(request.user, letter_id)
    return render(request, "letters/detail.html", _detail_context(request, letter))


def _my_receipt(request: AuthedRequest, letter: Letter) -> Receipt:
    desk = _desk(request)
    mine = queries.holding(letter, desk.unit)
    if mine is None:
        raise Http404(_("This letter has not come to your office."))
    actions.require_office(request.user, desk.unit)
    return mine


@login_required
@require_POST
def forward(request: AuthedRequest, letter_id: int) -> HttpResponse:
    letter = queries.get_visible_letter(request.user, letter_id)
    mine = _my_receipt(request, letter)
    form = ForwardForm(request.POST, auto_id="forward_%s", holder=mine.unit)
    if form.is_valid():
        try:
            passed = actions.forward(
                mine,
                to_unit=form.cleaned_data["to_unit"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except Conflict as exc:
            messages.info(request, str(exc))
            return redirect("letters:detail", letter.pk)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Forwarded to %(unit)s.") % {"unit": passed.unit.name})
            return redirect("letters:detail", letter.pk)
    context = _detail_context(request, letter, forward_form=form)
    return render(request, "letters/detail.html", context, status=400)


@login_required
@require_POST
def close(request: AuthedRequest, letter_id: int) -> HttpResponse:
    letter = queries.get_visible_letter(request.user, letter_id)
    mine = _my_receipt(request, letter)
    form = CloseForm(request.POST, auto_id="close_%s")
    if form.is_valid():
        try:
            actions.close(mine, note=form.cleaned_data["note"], by=request.user)
        except Conflict as exc:
            messages.info(request, str(exc))
            return redirect("letters:detail", letter.pk)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Closed."))
            return redirect("letters:detail", letter.pk)
    context = _detail_context(request, letter, close_form=form)
    return render(request, "letters/detail.html", context, status=400)


@login_required
def attachment(request: AuthedRequest, letter_id: int, attachment_id: int) -> FileResponse:
    letter = queries.get_visible_letter(request.user, letter_id)
    item = get_object_or_404(letter.attachments, pk=attachment_id)
    return FileResponse(item.file.open("rb"), filename=item.name, content_type=item.content_type)
