from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from daptar.audit.context import current

if TYPE_CHECKING:
    from daptar.accounts.models import Desk, User
    from daptar.units.models import Unit

SESSION_KEY = "acting_unit"
HEADER = "HTTP_X_DAPTAR_UNIT"
CACHE_KEY = "_daptar_desk"


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "DAPTAR_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def acting_desk(request: HttpRequest) -> Desk | None:
    """The desk the user acts for in this request.

    The API names it in the X-Daptar-Unit header (an unknown unit answers 404);
    the web UI keeps the switcher's choice in the session. Otherwise the
    highest of the user's desks.
    """
    raw: HttpRequest = getattr(request, "_request", request)  # a DRF Request wraps it
    cache = raw.__dict__  # the desk is kept on the request; switch_unit() forgets it
    if CACHE_KEY in cache:
        return cache[CACHE_KEY]
    user = request.user
    desk: Desk | None = None
    if user.is_authenticated:
        header = raw.META.get(HEADER)
        if header is not None:  # sent but blank names no desk either: 404, not "the highest"
            desk = user.desk_for(header)
            if desk is None:
                raise Http404(_("You have no desk at that unit."))
        else:
            session = getattr(raw, "session", None)
            chosen = session.get(SESSION_KEY) if session is not None else None
            desk = user.desk_for(chosen) if chosen else None
            desk = desk or (user.desks[0] if user.desks else None)
    cache[CACHE_KEY] = desk
    context = current.get()
    if context is not None:
        context.unit = desk.unit if desk else None
    return desk


def require_act(user: User, unit: Unit) -> None:
    """Raise PermissionDenied (403) unless *user* may act on *unit*.

    Callers have already fetched *unit* through visible_to(), so an outsider
    never gets this far: they got a 404.
    """
    if user.is_superuser:
        return
    for desk in user.desks:
        if desk.can_act and unit.is_within(desk.unit):
            return
    raise PermissionDenied(_("Your desk at this unit is read-only."))
