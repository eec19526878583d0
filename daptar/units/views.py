from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from daptar.accounts.queries import acting_desk
from daptar.lib.requests import AuthedRequest
from daptar.units import queries
from daptar.units.models import Level, Unit


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The signed-in start page: the acting unit's own page."""
    desk = acting_desk(request)
    if desk is None:
        return render(request, "units/no_desk.html")
    return redirect("units:detail", unit_id=desk.unit.pk)


@login_required
def detail(request: AuthedRequest, unit_id: int) -> HttpResponse:
    unit = queries.get_visible_unit(request.user, unit_id)
    children = Paginator(queries.children_with_counts(unit), 100).get_page(request.GET.get("page"))
    levels = {level.slug: level for level in Level.objects.all()}
    counts = [
        (levels[slug], n)
        for slug, n in sorted(
            queries.counts_by_level(unit).items(), key=lambda i: levels[i[0]].rank
        )
        if slug != unit.level.slug
    ]
    context = {
        "unit": unit,
        "crumbs": queries.breadcrumbs(unit, request.user),
        "children": children,
        "office_bearers": queries.office_bearers([unit.pk]),
        "level_counts": counts,
    }
    if request.htmx and request.htmx.target == "children":
        return render(request, "units/detail.html#children", context)
    return render(request, "units/detail.html", context)


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    results = (
        Unit.objects.visible_to(request.user)
        .search(text)
        .select_related("level", "parent")
        .order_by("depth", "name_en")
        if text
        else Unit.objects.none()
    )
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    context = {"q": text, "page": page}
    if request.htmx:
        return render(request, "units/search.html#results", context)
    return render(request, "units/search.html", context)
