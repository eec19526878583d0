"""Answers for the phone's outbox: it wants to know whether a write landed, not a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse

OUTBOX_HEADER = "HTTP_X_DAPTAR_OUTBOX"  # set by offline/field.js when it sends held work


def replayable(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page's write view that the outbox can send again.

    For the outbox, the view's redirect (the write landed, or was found already made)
    becomes 200 with its location, and a page shown again (the form refused the
    answers) becomes 422; anything else (403, 404) stays as it is. Browsers see the
    view's own responses.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if not request.META.get(OUTBOX_HEADER):
            return response
        if response.status_code in (301, 302, 303):
            return JsonResponse({"location": response["Location"]})
        if response.status_code == 200:
            return JsonResponse({"refused": True}, status=422)
        return response

    return wrapped
