"""API rate limits. Kept apart from views: DRF imports these while building APIView.

The counters live in a cache every web process shares (settings: the database by
default, Redis by DAPTAR_REDIS_URL), looked up when a request is counted, never at
import, so the configured cache is the one used.
"""

from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class SharedCounters(SimpleRateThrottle):
    """Counts in the "throttle" cache, which every process shares."""

    def __init__(self) -> None:
        super().__init__()
        self.cache = caches["throttle"]


class TokenRateThrottle(SharedCounters):
    """Requests per token (per session user, else per address) in the configured window."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if request.auth is not None and hasattr(request.auth, "key"):
            ident = f"t:{request.auth.key}"
        elif request.user and request.user.is_authenticated:
            ident = f"u:{request.user.pk}"
        else:
            ident = f"a:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginRateThrottle(SharedCounters, AnonRateThrottle):
    scope = "login"
