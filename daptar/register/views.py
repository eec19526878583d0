"""The database team's pages: the lists, committees, imports, a person's history, figures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from daptar.accounts.queries import acting_desk
from daptar.audit.actions import record
from daptar.lib.buttons import press
from daptar.lib.pagination import PeekPage
from daptar.lib.requests import AuthedRequest
from daptar.lib.spreadsheets import csv_download, xlsx_download
from daptar.people.models import Person, Post
from daptar.register import actions, queries, research
from daptar.register.forms import ProposeForm, UploadForm
from daptar.register.models import Committee, ImportBatch
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit

TITLES = {
    "expired": gettext_lazy("Committees past their term"),
    "no_committee": gettext_lazy("Units with no committee"),
    "vacant": gettext_lazy("Vacant posts"),
    "two_places": gettext_lazy("People holding posts in two places"),
}


def _scope(request: AuthedRequest) -> Unit:
    if unit_id := request.GET.get("unit"):
        return get_visible_unit(request.user, unit_id)
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no desk."))
    return desk.unit


def _can_act(request: AuthedRequest, unit: Unit) -> bool:
    if request.user.is_superuser:
        return True
    return any(d.can_act and unit.is_within(d.unit) for d in request.user.desks)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    return render(request, "register/home.html", _counts_context(request))


@login_required
def counts(request: AuthedRequest) -> HttpResponse:
    """The lists' counts alone, for the dashboard (which fetches them after its own page, so
    its figures never wait on the register's)."""
    return render(request, "register/home.html#counts", _counts_context(request))


def _counts_context(request: AuthedRequest) -> dict[str, Any]:
    scope = _scope(request)
    figures = queries.counts(scope)
    vacancies = [(post, figures[f"vacant_{post.slug}"]) for post in queries.required_posts()]
    return {"scope": scope, "figures": figures, "vacancies": vacancies, "titles": TITLES}


@login_required
def list_view(request: AuthedRequest, name: str) -> HttpResponseBase:
    if name not in queries.LISTS:
        raise Http404
    scope = _scope(request)
    post = None
    if name == "vacant":
        slug = request.GET.get("post", "office_secretary")
        post = get_object_or_404(Post, slug=slug)
    rows = queries.rows_of(name, scope, post)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(request, name, scope, rows, fmt)
    context: dict[str, Any] = {
        "name": name,
        "title": TITLES[name],
        "scope": scope,
        "post": post,
        "posts": queries.required_posts(),
        "divisions": queries.rollup(name, scope, queries.DIVISION_DEPTH, post)
        if scope.depth < queries.DIVISION_DEPTH
        else [],
        "districts": queries.rollup(name, scope, queries.DISTRICT_DEPTH, post)
        if scope.depth < queries.DISTRICT_DEPTH
        else [],
        "page": PeekPage(rows, request.GET.get("page"), 50),
    }
    return render(request, "register/list.html", context)


def _export(
    request: AuthedRequest, name: str, scope: Unit, rows: Any, fmt: str
) -> HttpResponseBase:
    download = xlsx_download if fmt == "xlsx" else csv_download
    filename = f"{name}-{scope.code}.{fmt}"
    if name == "two_places":
        # Personal data leaves the system: who, what and how many rows go in the audit log.
        people = list(rows)
        record(
            "register.exported",
            by=request.user,
            unit=scope,
            detail={"list": name, "format": fmt, "rows": len(people), "personal": True},
        )
        header = ["নাম", "Name", "মোবাইল", "ইউনিট কোড", "ইউনিট"]
        return download(
            filename,
            header,
            people,
            lambda p: [p.name_bn, p.name_en, p.phone, p.unit.code, p.unit.name_bn],
        )
    if name == "expired":
        header = ["ইউনিট কোড", "ইউনিট", "কমিটির ধরন", "গঠনের তারিখ", "মেয়াদ শেষ"]
        return download(
            filename,
            header,
            rows.iterator(),
            lambda c: [c.unit.code, c.unit.name_bn, c.kind, c.formed_on, c.expires_on],
        )
    header = ["ইউনিট কোড", "ইউনিট", "Unit", "স্তর"]
    return download(
        filename,
        header,
        rows.iterator(),
        lambda u: [u.code, u.name_bn, u.name_en, u.level.name_bn],
    )


@login_required
def unit_committee(request: AuthedRequest, unit_id: int) -> HttpResponse:
    unit = get_visible_unit(request.user, unit_id)
    committees = (
        Committee.objects.filter(unit=unit)
        .select_related("proposed_by_unit", "approved_by_unit")
        .prefetch_related("seats__post", "seats__person")
        .order_by("-formed_on", "-pk")
    )
    form = None
    if _can_act(request, unit):
        people = Person.objects.visible_to(request.user).filter(unit=unit).order_by("name_en")
        form = ProposeForm(request.POST or None, people=people)
        if request.method == "POST" and form.is_valid():
            proposed: list[Committee] = []
            ok = press(
                request,
                lambda: proposed.append(
                    actions.propose_committee(
                        unit,
                        kind=form.cleaned_data["kind"],
                        formed_on=form.cleaned_data["formed_on"],
                        seats=form.seats(),
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                ),
                _("The committee is proposed; an office above approves it."),
            )
            if ok:
                return redirect("register:committee", committee_id=proposed[0].pk)
    context = {"unit": unit, "committees": committees, "form": form}
    return render(request, "register/unit_committee.html", context)


@login_required
def committee(request: AuthedRequest, committee_id: int) -> HttpResponse:
    found = queries.get_visible_committee(request.user, committee_id)
    seats = found.seats.select_related("post", "person").order_by("post__rank", "position")
    can_approve = found.state == Committee.State.PROPOSED and any(
        d.can_act and found.unit.is_within(d.unit) and d.unit.pk != found.unit.pk
        for d in request.user.desks
    )
    context = {"committee": found, "seats": seats, "can_approve": can_approve}
    return render(request, "register/committee.html", context)


@login_required
@require_POST
def decide(request: AuthedRequest, committee_id: int, decision: str) -> HttpResponse:
    found = queries.get_visible_committee(request.user, committee_id)
    if decision == "approve":
        press(
            request,
            lambda: actions.approve_committee(found, by=request.user),
            _("The committee is approved: its terms have begun."),
        )
    elif decision == "reject":
        press(
            request,
            lambda: actions.reject_committee(found, by=request.user),
            _("The proposal is rejected."),
        )
    else:
        raise Http404
    return redirect("register:committee", committee_id=found.pk)


@login_required
def imports(request: AuthedRequest) -> HttpResponse:
    scope = _scope(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    # Open when a sheet could not be read as it was (the failed import links here with ?map).
    mapping_open = "map" in request.GET
    if request.method == "POST":
        if not _can_act(request, scope):
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            made: list[ImportBatch] = []
            ok = press(
                request,
                lambda: made.append(
                    actions.create_import(
                        scope,
                        filename=upload.name,
                        content=upload.read(),
                        post=form.cleaned_data["post"],
                        mapping=form.mapping(),
                        by=request.user,
                    )
                ),
                _("The file is read; check the preview before applying it."),
            )
            if ok:
                return redirect("register:import", batch_id=made[0].pk)
            mapping_open = True
    batches = ImportBatch.objects.visible_to(request.user).select_related("unit")[:30]
    context = {"scope": scope, "form": form, "batches": batches, "mapping_open": mapping_open}
    return render(request, "register/imports.html", context)


@login_required
def import_detail(request: AuthedRequest, batch_id: int) -> HttpResponse:
    batch = queries.get_visible_batch(request.user, batch_id)
    if request.method == "POST":
        what = request.POST.get("do")
        if what == "apply":
            press(request, lambda: actions.apply_import(batch, by=request.user), _("Imported."))
        elif what == "undo":
            press(request, lambda: actions.undo_import(batch, by=request.user), _("Undone."))
        return redirect("register:import", batch_id=batch.pk)
    outcome = request.GET.get("outcome", "")
    rows = batch.rows.order_by("number")
    if outcome:
        rows = rows.filter(outcome=outcome)
    context = {
        "batch": batch,
        "page": PeekPage(rows, request.GET.get("page"), 100),
        "outcome": outcome,
        "percent": int(100 * batch.done / batch.total) if batch.total else 100,
    }
    if request.htmx and request.htmx.target == "progress":
        return render(request, "register/import.html#progress", context)
    return render(request, "register/import.html", context)


@login_required
def person_history(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("unit"), pk=person_id
    )
    context = {"person": person, "terms": queries.history(person)}
    return render(request, "register/person.html", context)


@login_required
def figures(request: AuthedRequest) -> HttpResponse:
    scope = _scope(request)
    context = {
        "scope": scope,
        "tables": research.tables(scope),
        "min_cell": settings.DAPTAR_REGISTER_MIN_CELL,
    }
    return render(request, "register/figures.html", context)


@login_required
def duplicates(request: AuthedRequest, unit_id: int) -> HttpResponse:
    """People of one unit who may be one person; merge keeps both histories."""
    unit = get_visible_unit(request.user, unit_id)
    if request.method == "POST":
        people = Person.objects.visible_to(request.user)
        keep = get_object_or_404(people, pk=request.POST.get("keep") or 0)
        drop = get_object_or_404(people, pk=request.POST.get("drop") or 0)
        press(
            request,
            lambda: actions.merge_people(keep, drop, by=request.user),
            _("Merged: one person, both histories."),
        )
        return redirect("register:duplicates", unit_id=unit.pk)
    context = {"unit": unit, "groups": queries.lookalikes(unit), "can_act": _can_act(request, unit)}
    return render(request, "register/duplicates.html", context)
