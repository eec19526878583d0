from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http.response import HttpResponseBase
from django.shortcuts import render

from daptar.audit.actions import record
from daptar.lib.pagination import PeekPage
from daptar.lib.requests import AuthedRequest
from daptar.lib.spreadsheets import csv_download, xlsx_download
from daptar.people.models import Person, PersonQuerySet, Term
from daptar.people.privacy import sees_personal_data
from daptar.people.search import search_order
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit


def _export(
    request: AuthedRequest, people: PersonQuerySet, fmt: str, *, personal: bool
) -> HttpResponseBase:
    """The directory as a spreadsheet, Bengali headers, formula-safe; audited, since it
    carries personal data: who, how many rows, which search."""
    rows = list(people.prefetch_related(None).values_list(
        "name_bn", "name_en", "phone", "email", "unit__code", "unit__name_bn"
    ))  # fmt: skip
    record(
        "people.exported",
        by=request.user,
        detail={"format": fmt, "rows": len(rows), "q": request.GET.get("q", ""),
                "personal": personal},
    )  # fmt: skip
    header = ["নাম", "Name", "মোবাইল", "ই-মেইল", "ইউনিট কোড", "ইউনিট"]
    download = xlsx_download if fmt == "xlsx" else csv_download

    def row(values: tuple[str, ...]) -> list[str]:
        name_bn, name_en, phone, email, code, unit = values
        return [name_bn, name_en, phone if personal else "", email if personal else "", code, unit]

    return download(f"people.{fmt}", header, rows, row)


@login_required
def directory(request: AuthedRequest) -> HttpResponseBase:
    """People registered within the user's scope, optionally within one unit's subtree."""
    text = request.GET.get("q", "").strip()
    people = Person.objects.visible_to(request.user)
    unit = None
    if unit_id := request.GET.get("unit"):
        unit = get_visible_unit(request.user, unit_id)
        people = people.filter(Unit.objects.subtree_q(unit, field="unit__path"))
    people = (
        people.search(text)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "terms",
                Term.objects.current().visible_to(request.user).select_related("post", "unit"),
                "current_terms",
            )
        )
        .order_by(*search_order(text))
    )
    personal = sees_personal_data(request.user)
    if (fmt := request.GET.get("format")) in ("csv", "xlsx"):
        return _export(request, people, fmt, personal=personal)
    # Half a million people: counting every match would cost as much as the page itself.
    page = PeekPage(people, request.GET.get("page"), 50)
    context = {"q": text, "page": page, "unit": unit, "personal": personal}
    if request.htmx:
        return render(request, "people/directory.html#results", context)
    return render(request, "people/directory.html", context)
