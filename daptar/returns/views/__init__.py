"""Office pages for returns: the builder, filling in and review, and the figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from daptar.accounts.queries import acting_desk
from daptar.lib.exceptions import Conflict
from daptar.units.models import Unit


def desk_unit(request: HttpRequest) -> Unit:
    """The unit the user acts for; 404 for a login without a desk."""
    desk = acting_desk(request)
    if desk is None:
        raise Http404(_("You have no office desk."))
    return desk.unit


def go(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; an htmx request is told to load the page itself."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def run(request: HttpRequest, action: Callable[[], Any], done: str, then: str) -> HttpResponse:
    """Run an action from a button: a repeat or a refusal comes back as a message.

    PermissionDenied is left to Django: a read-only desk gets its 403.
    """
    try:
        action()
    except Conflict as exc:
        messages.info(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return go(request, then)


def add_errors(form: Any, error: ValidationError) -> None:
    """An action's field errors onto a Django form (unknown names at the top)."""
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
