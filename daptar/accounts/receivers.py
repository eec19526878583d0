"""What every login and logout does, whichever view (or the test client) performs it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from daptar.accounts import actions, twofactor

# A view that signs in some other way than by password sets this on the request first.
METHOD_ATTR = "daptar_sign_in_method"


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    method = getattr(request, METHOD_ATTR, "password")
    request.session[twofactor.METHOD_KEY] = method
    actions.start_sign_in(request, user, method)
    twofactor.refresh(request, user)


def on_logout(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None:
        actions.end_sign_in(request)
