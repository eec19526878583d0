"""The bot's webhook: Telegram POSTs each update here with the secret token header."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from daptar.lib.exceptions import Conflict
from daptar.social.bot import conversation

logger = logging.getLogger("daptar.social.bot")
HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    expected = settings.DAPTAR_TELEGRAM_WEBHOOK_SECRET
    given = request.META.get(HEADER, "")
    # No secret configured means no bot: refuse rather than trust anyone.
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return HttpResponseForbidden()
    try:
        update = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(update, dict) or "update_id" not in update:
        return HttpResponse(status=400)
    try:
        reply = conversation.handle(update)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        # The action said no: tell the sender why, keep nothing (Telegram need not retry).
        chat = conversation.chat_of(update)
        text = " ".join(getattr(exc, "messages", [str(exc)]))
        return JsonResponse(
            conversation.message(chat, text), json_dumps_params={"ensure_ascii": False}
        )
    if reply is None:
        return HttpResponse(status=200)
    return JsonResponse(reply, json_dumps_params={"ensure_ascii": False})
