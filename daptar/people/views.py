from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from daptar.lib.pagination import PeekPage
from daptar.lib.requests import AuthedRequest
from daptar.people.models import Person, Term
from daptar.people.privacy import sees_personal_data
from daptar.people.search import search_order
from daptar.units.models import Unit
from daptar.units.queries import get_visible_unit


@login_required
def directory(request: AuthedRequest) -> HttpResponse:
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
    # Half a million people: counting every match would cost as much as the page itself.
    page = PeekPage(people, request.GET.get("page"), 50)
    context = {"q": text, "page": page, "unit": unit, "personal": sees_personal_data(request.user)}
    if request.htmx:
        return render(request, "people/directory.html#results", context)
    return render(request, "people/directory.html", context)
