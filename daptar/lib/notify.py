"""Sending one e-mail or one SMS. Model-free: the outbox decides what and when.

SMS goes through a backend named by DAPTAR_SMS_BACKEND: "console" (logs the
message; the default) or "http", a generic gateway: one POST of form fields to
DAPTAR_SMS_URL, the field names and any fixed extra fields set in settings.
"""

from __future__ import annotations

import http.client
import logging
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from daptar.lib.text import clean

logger = logging.getLogger("daptar.notify")


class SendError(Exception):
    """The channel refused or failed; the outbox retries later."""


def send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(clean(subject), clean(body), None, [address], fail_silently=False)
    except Exception as exc:  # any transport failure is retried the same way
        raise SendError(f"e-mail to {address}: {exc}") from exc


def send_sms(phone: str, text: str) -> None:
    text = clean(text)  # a gateway may refuse, or a phone garble, what XML forbids
    backend = getattr(settings, "DAPTAR_SMS_BACKEND", "console")
    if backend == "console":
        logger.info("SMS to %s: %s", phone, text)
        return
    if backend != "http":
        raise SendError(f"unknown SMS backend {backend!r}")
    fields = {
        settings.DAPTAR_SMS_TO_FIELD: phone,
        settings.DAPTAR_SMS_TEXT_FIELD: text,
        **dict(urllib.parse.parse_qsl(settings.DAPTAR_SMS_EXTRA_FIELDS)),
    }
    if settings.DAPTAR_SMS_API_KEY:
        fields[settings.DAPTAR_SMS_KEY_FIELD] = settings.DAPTAR_SMS_API_KEY
    try:
        # Inside the try: a malformed URL (ValueError) is a failure to record, not a crash.
        request = urllib.request.Request(  # noqa: S310 - the operator configures this URL
            settings.DAPTAR_SMS_URL, data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=settings.DAPTAR_SMS_TIMEOUT) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise SendError(f"SMS gateway answered {response.status}")
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise SendError(f"SMS gateway: {exc}") from exc
