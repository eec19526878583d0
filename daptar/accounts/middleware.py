from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from daptar.accounts.queries import acting_desk, client_ip
from daptar.audit.context import RequestContext, current


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
