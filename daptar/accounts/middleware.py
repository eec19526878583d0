import time
from collections.abc import Callable
from functools import cache
from typing import Any, cast

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from daptar.accounts import actions, twofactor
from daptar.accounts.models import User
from daptar.accounts.queries import acting_desk, client_ip
from daptar.audit.context import RequestContext, current

TOUCH_SECONDS = 60
# Views that serve no one's data: the public website, and the offline service worker script
# (a browser refuses a worker script behind a redirect, so the second-factor step must not
# stand in front of it).
PUBLIC_MODULES = ("daptar.website.", "daptar.offline.views")


class ActingUnitMiddleware:
    """Opens the audit context of the request: its address, then its acting unit once known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current.set(
            RequestContext(ip=client_ip(request), resolve_unit=lambda: acting_desk(request))
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)


@cache
def _open_paths(state: str) -> tuple[str, ...]:
    """Where a user who owes a second factor may go: the factor's pages and the way out."""
    names = ["accounts:second_factor", "accounts:logout", "set_language"]
    if state == twofactor.ENROL:
        names += [
            "accounts:enrol",
            "accounts:totp_enrol",
            "accounts:sms_enrol",
            "accounts:phone_verify",
        ]
    return tuple(reverse(name) for name in names)


class SignInMiddleware:
    """Keeps a signed-in session honest.

    Once a minute it notes the session in the sign-in list (and ends it when it was
    signed out from elsewhere). A user who owes a second factor reaches nothing but the
    pages that take it: the code step when they have a device, enrolment when they must
    have one and do not. The API answers such a session 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # The public website never reads the session: one URL is one page for every cache.
        if getattr(view, "__module__", "").startswith(PUBLIC_MODULES):
            return None
        session = getattr(request, "session", None)
        if session is None or AUTH_SESSION_KEY not in session:
            return None
        user = request.user
        state = session.get(twofactor.STATE_KEY)
        if state is None or time.time() - session.get(actions.SEEN_KEY, 0) >= TOUCH_SECONDS:
            if not user.is_authenticated:
                return None
            signed_in = cast("User", user)
            if not actions.touch_sign_in(request, signed_in):
                logout(request)
                return redirect("accounts:login")
            if state != twofactor.OK or not session.get(DEVICE_ID_SESSION_KEY):
                # A desk given since sign-in, or a device added elsewhere, counts from now.
                state = twofactor.refresh(request, signed_in)
        if state == twofactor.OK or request.path in _open_paths(state):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Finish signing in with your second factor first.")}, status=403
            )
        target = "accounts:second_factor" if state == twofactor.VERIFY else "accounts:enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
