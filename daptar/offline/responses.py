"""Answers for the phone's outbox: it wants to know whether a write landed, not a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

OUTBOX_HEADER = "HTTP_X_DAPTAR_OUTBOX"  # set by offline/field.js when it sends held work


def cut_short(request: HttpRequest) -> bool:
    """True when the line dropped before the whole body arrived (read it first).

    Django's form parser stops quietly where the body stops, so a cut upload would
    otherwise look like a smaller form: the photos sent so far and none after.
    """
    stream = getattr(request, "_stream", None)
    limit = getattr(stream, "limit", None)
    return isinstance(limit, int) and getattr(stream, "_pos", limit) < limit


def refuse_cut_short(request: HttpRequest) -> HttpResponseBadRequest | None:
    """A 400 for a POST whose body the line cut, so that nothing of it is written."""
    # Reading FILES parses the body (and POST with it): only then is its length known.
    if request.method == "POST" and request.FILES is not None and cut_short(request):
        return HttpResponseBadRequest(_("The line dropped before everything arrived."))
    return None


def replayable(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page's write view that the outbox can send again.

    For the outbox, the view's redirect (the write landed, or was found already made)
    becomes 200 with its location, and a page shown again (the form refused the
    answers) becomes 422; anything else (403, 404) stays as it is. Browsers see the
    view's own responses.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = refuse_cut_short(request) or view(request, *args, **kwargs)
        if not request.META.get(OUTBOX_HEADER):
            return response
        if response.status_code in (301, 302, 303):
            return JsonResponse({"location": response["Location"]})
        if response.status_code == 200:
            return JsonResponse({"refused": True}, status=422)
        return response

    return wrapped
