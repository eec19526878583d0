"""The dashboard of a unit, the district map, and the table as CSV. Reads only: no actions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.safestring import mark_safe

from daptar.accounts.queries import acting_desk
from daptar.dashboard import charts, figures, measures, queries
from daptar.dashboard.forms import DashboardForm, MapForm
from daptar.lib.requests import AuthedRequest
from daptar.lib.spreadsheets import csv_download
from daptar.units.models import Unit
from daptar.units.queries import breadcrumbs

PAGE_SIZE = 50


def _node(request: AuthedRequest, unit_id: str) -> Unit:
    desk = acting_desk(request)
    return queries.get_node(request.user, unit_id, desk.unit if desk else None)


def _invalid(request: AuthedRequest, form: DashboardForm) -> HttpResponse:
    return render(request, "dashboard/invalid.html", {"form": form}, status=400)


def _ranked_board(
    request: AuthedRequest, data: dict[str, Any]
) -> tuple[Unit, int, figures.Dashboard, list[figures.Row]]:
    """The chosen unit's board for the chosen window, its children in the chosen order."""
    node = _node(request, data["unit"])
    board = figures.build(node, data["window"])
    rows = figures.sort_rows(board.children, data["sort"], descending=data["dir"] == "desc")
    return node, data["window"], board, rows


def _ranks(rows: list[figures.Row]) -> dict[int, int]:
    """Unit id → place by index (1 = highest); units without an index have none."""
    ranked = figures.sort_rows([r for r in rows if r.index is not None], "index", descending=True)
    return {row.unit.pk: n for n, row in enumerate(ranked, start=1)}


def _weights(weights: dict[str, float]) -> list[dict[str, Any]]:
    """The weights as shares of 100, as the page explains them."""
    total = sum(weights.values())
    return [
        {"measure": measures.BY_NAME[name], "share": round(100 * weight / total, 1)}
        for name, weight in weights.items()
        if weight
    ]


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    node, days, board, rows = _ranked_board(request, data)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "board": board,
        "node": node,
        "days": days,
        "windows": measures.WINDOWS,
        "sort": data["sort"],
        "dir": data["dir"],
        "page": page,
        "ranks": _ranks(board.children),
        "columns": [measures.INDEX, *measures.MEASURES],
        "crumbs": breadcrumbs(node, request.user),
    }
    if request.htmx:
        return render(request, "dashboard/home.html#table", context)
    context.update(
        {
            "trend": charts.trend_lines(board.trend),
            "weights": _weights(board.weights),
            "attention": figures.attention(board, request.user),
        }
    )
    return render(request, "dashboard/home.html", context)


@login_required
def district_map(request: AuthedRequest) -> HttpResponse:
    form = MapForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    node = _node(request, data["unit"])
    days, name = data["window"], data["measure"]
    districts = figures.map_figures(node, days, name)
    svg = charts.district_map(
        districts, name, days=days, link=lambda u: charts.dashboard_url(u, days)
    )
    context = {
        "node": node,
        "days": days,
        "windows": measures.WINDOWS,
        "measure": measures.BY_NAME[name],
        "measures": measures.MAP_MEASURES,
        # render_map escapes every name and figure it writes; links are ours.
        "svg": mark_safe(svg),  # noqa: S308
        "districts": sorted(districts, key=lambda d: (d.value is None, -(d.value or 0))),
        "crumbs": breadcrumbs(node, request.user),
    }
    return render(request, "dashboard/map.html", context)


def _csv_row(label: str, row: figures.Row) -> list[Any]:
    unit = row.unit
    values = [row.index, *(row.values[m.name] for m in measures.MEASURES)]
    counts = row.counts.as_dict()
    counts.pop("ack_within")
    return [
        label,
        unit.code,
        unit.name_bn,
        unit.name_en,
        unit.level.slug,
        unit.closed_on.isoformat() if unit.closed_on else "",
        *("" if v is None else v for v in values),
        *counts.values(),
    ]


@login_required
def export_csv(request: AuthedRequest) -> HttpResponseBase:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    node, days, board, rows = _ranked_board(request, form.cleaned_data)
    header = [
        "row",
        "code",
        "unit_bn",
        "unit_en",
        "level",
        "closed_on",
        "index",
        *(m.name for m in measures.MEASURES),
        *(k for k in measures.Counts().as_dict() if k != "ack_within"),
    ]
    lines = [("subtree", board.total), ("own office", board.own)]
    lines += [("unit below", r) for r in rows]
    return csv_download(
        f"dynamism-{node.code}-{days}d.csv", header, lines, lambda line: _csv_row(*line)
    )
