"""Completeness and timeliness with the drill-down and the missing list; sums; exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk
from daptar.lib.numerals import localise_digits
from daptar.lib.requests import AuthedRequest
from daptar.returns import actions, export, queries
from daptar.returns.models import ReturnForm, ReturnPeriod
from daptar.units.models import Unit
from daptar.units.queries import breadcrumbs, get_visible_unit


def _scope(request: AuthedRequest, form_id: int) -> tuple[ReturnForm, ReturnPeriod, Unit]:
    """The form, the chosen period (else the latest) and the node (?unit=, in scope)."""
    form = queries.get_visible_form(request.user, form_id)
    period = queries.get_period(form, request.GET.get("period") or request.POST.get("period"))
    chosen = request.GET.get("unit") or request.POST.get("unit")
    if chosen:
        node = get_visible_unit(request.user, chosen)
    else:
        desk = acting_desk(request)
        node = queries.default_node(request.user, form, desk.unit if desk else None)
    return form, period, node


def _crumbs(request: AuthedRequest, form: ReturnForm, node: Unit) -> list[Unit]:
    """The way back up from *node*, starting at the form's target when it is above."""
    ancestors = breadcrumbs(node, request.user)
    if node.is_within(form.target_unit):
        ancestors = [u for u in ancestors if u.depth >= form.target_unit.depth]
    return ancestors


@login_required
def rates(request: AuthedRequest, form_id: int) -> HttpResponse:
    form, period, node = _scope(request, form_id)
    figures = queries.tally(period, node)
    page = Paginator(queries.missing(period, node), 25).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "node": node,
        "total": figures.total,
        "by_level": figures.by_level,
        "branches": figures.branches,
        "missing_page": page,
        "contacts": queries.office_contacts([s.unit_id for s in page]),
        "crumbs": _crumbs(request, form, node),
        "periods": form.periods.all()[:24],
    }
    if request.htmx:
        return render(request, "returns/rates.html#live", context)
    return render(request, "returns/rates.html", context)


@login_required
@require_POST
def remind(request: AuthedRequest, form_id: int) -> HttpResponse:
    form, period, node = _scope(request, form_id)
    count = actions.remind(period, within=node, by=request.user)
    if count:
        messages.success(
            request,
            ngettext("Reminder sent to %(n)s unit.", "Reminder sent to %(n)s units.", count)
            % {"n": localise_digits(count, get_language() or "bn")},
        )
    else:
        messages.info(request, _("Every unit here has sent it."))
    url = reverse("returns:rates", args=[form.pk])
    return redirect(f"{url}?period={period.pk}&unit={node.pk}")


@login_required
def aggregate(request: AuthedRequest, form_id: int) -> HttpResponse:
    form, period, node = _scope(request, form_id)
    fields, totals, branches = queries.aggregate(period, node)
    return render(
        request,
        "returns/aggregate.html",
        {
            "form": form,
            "period": period,
            "node": node,
            "fields": fields,
            "field_totals": [(f, totals[f.pk]) for f in fields],
            "branches": [(b, [b.figures.get(f.pk) for f in fields]) for b in branches],
            "crumbs": _crumbs(request, form, node),
        },
    )


def _filename(form: ReturnForm, period: ReturnPeriod, node: Unit, ext: str) -> str:
    return f"return-{form.pk}-{period.starts_on:%Y%m%d}-{node.code}.{ext}"


@login_required
def export_csv(request: AuthedRequest, form_id: int) -> StreamingHttpResponse:
    form, period, node = _scope(request, form_id)
    response = StreamingHttpResponse(
        export.csv_lines(period, node), content_type="text/csv; charset=utf-8"
    )
    name = _filename(form, period, node, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_xlsx(request: AuthedRequest, form_id: int) -> HttpResponse:
    form, period, node = _scope(request, form_id)
    response = HttpResponse(
        export.xlsx_bytes(period, node),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _filename(form, period, node, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
