"""API rate limits. Kept apart from views: DRF imports these while building APIView."""

from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (per session user, else per address) in the configured window."""

    scope = "token"
    cache = caches["throttle"]

    def get_cache_key(self, request: Request, view: Any) -> str:
        if request.auth is not None and hasattr(request.auth, "key"):
            ident = f"t:{request.auth.key}"
        elif request.user and request.user.is_authenticated:
            ident = f"u:{request.user.pk}"
        else:
            ident = f"a:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"
