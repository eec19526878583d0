"""Sending one e-mail or one SMS. Model-free: the outbox decides what and when.

SMS goes through a backend named by DAPTAR_SMS_BACKEND: "console" (logs the
message; the default), "http", a generic gateway: one POST of form fields to
DAPTAR_SMS_URL, the field names and any fixed extra fields set in settings, or
"sslwireless" (daptar/lib/sslwireless.py), which takes an idempotency key.
"""

from __future__ import annotations

import http.client
import logging
import secrets
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from daptar.lib import sslwireless
from daptar.lib.text import clean

logger = logging.getLogger("daptar.notify")


class SendError(Exception):
    """The channel refused or failed; the outbox retries later."""


def send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(clean(subject), clean(body), None, [address], fail_silently=False)
    except Exception as exc:  # any transport failure is retried the same way
        raise SendError(f"e-mail to {address}: {exc}") from exc


def send_sms(phone: str, text: str, *, key: str = "") -> str:
    """Send one SMS; returns the gateway's reference for it ("" when it gives none).

    *key* is the message's idempotency key: gateways that take one (SSL Wireless's
    csms_id) refuse a second message with the same key, and that refusal is success.
    """
    text = clean(text)  # a gateway may refuse, or a phone garble, what XML forbids
    backend = getattr(settings, "DAPTAR_SMS_BACKEND", "console")
    if backend == "console":
        logger.info("SMS to %s: %s", phone, text)
        return ""
    if backend == "sslwireless":
        return _send_sslwireless(phone, text, key)
    if backend != "http":
        raise SendError(f"unknown SMS backend {backend!r}")
    fields = {
        settings.DAPTAR_SMS_TO_FIELD: phone,
        settings.DAPTAR_SMS_TEXT_FIELD: text,
        **dict(urllib.parse.parse_qsl(settings.DAPTAR_SMS_EXTRA_FIELDS)),
    }
    if settings.DAPTAR_SMS_API_KEY:
        fields[settings.DAPTAR_SMS_KEY_FIELD] = settings.DAPTAR_SMS_API_KEY
    if settings.DAPTAR_SMS_ID_FIELD and key:  # a gateway that deduplicates by our id
        fields[settings.DAPTAR_SMS_ID_FIELD] = key
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
    return ""


def _send_sslwireless(phone: str, text: str, key: str) -> str:
    if not key:
        # A caller outside the outbox (a one-off code, say) gets a fresh id: unique, so the
        # gateway takes it, but not kept, so that caller has no retry protection.
        key = f"{settings.DAPTAR_SMS_CSMS_PREFIX}x{secrets.token_hex(8)}"
    try:
        sent = sslwireless.send(
            base_url=settings.DAPTAR_SMS_URL,
            api_token=settings.DAPTAR_SMS_API_KEY,
            sid=settings.DAPTAR_SMS_SENDER_ID,
            phone=phone,
            text=text,
            csms_id=key,
            timeout=settings.DAPTAR_SMS_TIMEOUT,
            duplicate_codes=frozenset(settings.DAPTAR_SSLWIRELESS_DUPLICATE_CODES),
        )
    except sslwireless.GatewayError as exc:
        raise SendError(str(exc)) from exc
    if sent.duplicate:
        logger.info("SMS %s was already taken by the gateway: counted as sent", key)
    return sent.reference
