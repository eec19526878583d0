"""A database that is locked or away answers 503 with Retry-After, never a 500.

Exceptions raised in a view reach process_exception(). Those raised elsewhere (the session
saved after the view, another middleware) are turned into a 500 by Django in the layer they
happen in; the got_request_exception signal notes them on the request first, and this
outermost middleware swaps that 500 for the 503. Django closes a connection that failed at
the end of the request and health-checks a kept one at the start of the next
(CONN_HEALTH_CHECKS), so the site recovers by itself when the database is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from daptar.operations import faults

logger = logging.getLogger("daptar.operations")
MARK = "_daptar_db_fault"


def message(kind: str) -> str:
    if kind == faults.LOCKED:
        return _(
            "Daptar is busy saving other work and did not save this. "
            "Please try again in a few seconds."
        )
    return _(
        "Daptar cannot reach its database just now. Please try again in a minute; "
        "what you sent was not saved."
    )


def unavailable(request: HttpRequest, kind: str) -> HttpResponse:
    text = message(kind)
    response: HttpResponse
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": text, "code": f"database_{kind}"}, status=503)
    else:
        # No context processors and no request: they would ask the same database.
        page = render_to_string("operations/unavailable.html", {"message": text})
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.DAPTAR_DB_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception)
def note_fault(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    kind = faults.classify(sys.exc_info()[1])
    if kind and request is not None:
        setattr(request, MARK, kind)


class DatabaseFaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = getattr(request, MARK, None)
        if kind and response.status_code == 500:
            return unavailable(request, kind)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = faults.classify(exception)
        if kind is None:
            return None
        logger.warning("database %s on %s %s: %s", kind, request.method, request.path, exception)
        return unavailable(request, kind)
