import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from daptar.audit.models import AuditEvent
from daptar.lib.requests import AuthedRequest
from daptar.units.models import Unit


@login_required
def events(request: AuthedRequest) -> HttpResponse:
    """The audit log of the user's subtrees, newest first, filtered by action, user and date."""
    scoped = AuditEvent.objects.filter(Unit.objects.visible_to_q(request.user, field="unit_path"))
    rows = scoped
    verb = request.GET.get("verb", "").strip()
    actor = request.GET.get("actor", "").strip()
    if verb:
        rows = rows.filter(verb__startswith=verb)
    if actor:
        rows = rows.filter(actor_username=actor)
    for key, lookup in (("from", "at__date__gte"), ("to", "at__date__lte")):
        if not request.GET.get(key):
            continue
        try:
            rows = rows.filter(**{lookup: datetime.date.fromisoformat(request.GET[key])})
        except ValueError:
            messages.error(request, _("Dates are written like 2026-11-29."))
    page = Paginator(rows.select_related("unit"), 50).get_page(request.GET.get("page"))
    verbs = scoped.values_list("verb", flat=True).distinct().order_by("verb")
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "verb": verb,
            "actor": actor,
            "verbs": verbs,
            "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", ""),
        },
    )
