"""Typed requests for code that only runs signed in.

django-stubs types ``request.user`` as ``User | AnonymousUser`` because it cannot see
``login_required`` or DRF's ``IsAuthenticated``. Rather than cast at every use:

- web views behind ``login_required`` (and the helpers they call) annotate their
  request as :class:`AuthedRequest`;
- DRF views get the caller from :func:`api_user`;
- ModelAdmin methods, which must keep ``HttpRequest`` to match their base class, get
  the user from :func:`admin_user`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

if TYPE_CHECKING:
    from daptar.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is signed in.

    For annotations only; Django still passes a plain HttpRequest. ``htmx`` is set by
    django-htmx's HtmxMiddleware on every request.
    """

    user: User
    htmx: HtmxDetails


def api_user(request: Request) -> User:
    """The signed-in caller of a DRF view (the API requires IsAuthenticated by default).

    One exception: drf-spectacular calls get_queryset() with an anonymous request to find
    the model behind a path's {id}. A get_queryset() that uses api_user() must answer it
    first, or the schema loses the id's type::

        if getattr(self, "swagger_fake_view", False):
            return Model.objects.none()
    """
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated
    return user


def admin_user(request: HttpRequest) -> User:
    """The signed-in user of a ModelAdmin method (the admin site lets in only active staff)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
