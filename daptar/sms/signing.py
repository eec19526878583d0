"""Is a webhook call really from our gateway? HMAC over time and body, or a shared token.

HMAC mode: the gateway sends `X-Daptar-Timestamp` (Unix seconds) and
`X-Daptar-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>." + body)>`.
A call older than DAPTAR_SMS_WEBHOOK_MAX_AGE is refused, so a captured request
cannot be played again later; inside that window the gateway's message id
deduplicates it. Token mode (for gateways that cannot sign) compares
`X-Daptar-Token` with the secret. With no secret configured every call is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def sign(body: bytes, timestamp: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signed_headers(body: bytes, secret: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers a gateway (or a test, or the fake gateway) sends with *body*."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "X-Daptar-Timestamp": str(stamp),
        "X-Daptar-Signature": sign(body, stamp, secret),
    }


def verify(request: HttpRequest) -> bool:
    secret = settings.DAPTAR_SMS_WEBHOOK_SECRET
    if not secret:
        return False
    if settings.DAPTAR_SMS_WEBHOOK_AUTH == "token":
        return hmac.compare_digest(
            request.headers.get("X-Daptar-Token", "").encode(), secret.encode()
        )
    try:
        stamp = int(request.headers.get("X-Daptar-Timestamp", ""))
    except ValueError:
        return False
    if abs(time.time() - stamp) > settings.DAPTAR_SMS_WEBHOOK_MAX_AGE:
        return False
    given = request.headers.get("X-Daptar-Signature", "")
    return hmac.compare_digest(given.encode(), sign(request.body, stamp, secret).encode())


def signed_webhook[**P](
    view: Callable[P, HttpResponse],
) -> Callable[P, HttpResponse]:
    """A gateway's POST: no CSRF token (it has none), 403 unless verify() passes."""

    @wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = args[0]
        assert isinstance(request, HttpRequest)
        if not verify(request):
            return JsonResponse({"error": "signature"}, status=403)
        return view(*args, **kwargs)

    return csrf_exempt(require_POST(checked))
