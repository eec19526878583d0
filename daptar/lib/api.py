"""DRF glue: actions raise Django's exceptions; the API answers them as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.fields import Field
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from daptar.lib.exceptions import Conflict


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Django ValidationError → 400 with field errors; Conflict → 409; else DRF's own."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                (key if key != "__all__" else "non_field_errors"): [str(m) for m in errs]
                for key, errs in exc.message_dict.items()
            }
        else:
            detail = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def limit_choices(field: Field[Any, Any, Any, Any], queryset: QuerySet[Any]) -> RelatedField:
    """Let a related field (or each item of a many=True one) take only rows of *queryset*.

    Serializers call it in __init__ with the caller's visible_to(): an object outside
    the caller's scope then reads exactly like one that does not exist. Returns the
    related field, e.g. to adjust its error messages.
    """
    relation = field.child_relation if isinstance(field, ManyRelatedField) else field
    if not isinstance(relation, RelatedField):
        raise TypeError(f"{field!r} is not a related field")
    # The stubs declare RelatedField.queryset with Manager in its type, and mypy then
    # applies Manager.__get__ to every access as if it were a descriptor.
    relation.queryset = queryset  # type: ignore[arg-type]
    return relation


class FileNegotiation(DefaultContentNegotiation):
    """For endpoints that serve a file: the file, whatever the client's Accept says.

    Most API clients send `Accept: application/json` on every call; to them a calendar
    file, a map or an attachment is still the answer, not a 406. The endpoint's first
    renderer is used when none of them matches; a `?format=` or suffix still picks one.
    """

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
            first = self.filter_renderers(renderers, fmt)[0] if fmt else renderers[0]
            return first, first.media_type


class FileErrorsAsJson:
    """A view mixin: an error from an endpoint that serves a file is said in JSON.

    The file's renderer (SVG, iCalendar) was chosen before the view ran; a 400, 401 or
    404 is told like every other endpoint's, so clients parse one error shape.
    """

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        renderer = getattr(response, "accepted_renderer", None)
        if (
            isinstance(response, Response)
            and response.status_code >= 400
            and renderer is not None
            and not isinstance(renderer, JSONRenderer | BrowsableAPIRenderer)
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


def query_flag(request: Request, name: str) -> bool:
    """A true/false query parameter; absent is false, anything else but a boolean is a 400."""
    value = request.query_params.get(name)
    if value is None:
        return False
    if value.lower() in {"true", "1"}:
        return True
    if value.lower() in {"false", "0", ""}:
        return False
    raise exceptions.ValidationError({name: [_("Give true or false.")]})


def query_choice(request: Request, name: str, choices: tuple[str, ...], default: str) -> str:
    """A query parameter that takes one of *choices*; absent is *default*, else a 400."""
    value = request.query_params.get(name, default)
    if value not in choices:
        raise exceptions.ValidationError({name: [_("Choose one of: %s.") % ", ".join(choices)]})
    return value
