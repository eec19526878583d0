"""SSL Wireless (Bangladesh) SMS API v3: one JSON POST to /api/v3/send-sms per message.

Each message carries a `csms_id` the sender chooses, unique per message; the gateway
refuses a second message with a csms_id it has seen. The outbox derives the id from
its row, so a retry after a lost answer cannot send the SMS twice: the gateway's
"duplicate" answer means the first attempt got through, and counts as sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class GatewayError(Exception):
    """The gateway refused the message, or could not be reached; worth retrying."""


@dataclass(frozen=True)
class Sent:
    """The gateway took the message: its reference (for delivery reports), or a duplicate."""

    reference: str
    duplicate: bool = False


def msisdn(phone: str) -> str:
    """'+8801711223344' → '8801711223344', the form the gateway takes."""
    return phone.lstrip("+")


def _is_duplicate(answer: dict[str, Any], duplicate_codes: frozenset[int]) -> bool:
    texts = [str(answer.get("error_message") or "")]
    for info in answer.get("smsinfo") or []:
        if isinstance(info, dict):
            texts.append(str(info.get("status_message") or ""))
    return _code(answer) in duplicate_codes or any("duplicate" in t.lower() for t in texts)


def _code(answer: dict[str, Any]) -> int | None:
    try:
        return int(answer.get("status_code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def send(
    *,
    base_url: str,
    api_token: str,
    sid: str,
    phone: str,
    text: str,
    csms_id: str,
    timeout: float = 15,
    duplicate_codes: frozenset[int] = frozenset(),
    transport: httpx.BaseTransport | None = None,
) -> Sent:
    """Send one SMS; GatewayError when it did not go (and a retry may succeed)."""
    payload = {
        "api_token": api_token,
        "sid": sid,
        "msisdn": msisdn(phone),
        "sms": text,
        "csms_id": csms_id,
    }
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.post(f"{base_url.rstrip('/')}/api/v3/send-sms", json=payload)
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise GatewayError(f"SSL Wireless: {exc}") from exc
    if not isinstance(answer, dict):
        raise GatewayError(f"SSL Wireless answered {response.status_code} without a JSON object")
    if _is_duplicate(answer, duplicate_codes):
        return Sent(reference="", duplicate=True)
    status = str(answer.get("status") or "").upper()
    infos = [i for i in answer.get("smsinfo") or [] if isinstance(i, dict)]
    if response.status_code != 200 or status != "SUCCESS" or _code(answer) != 200:
        raise GatewayError(
            f"SSL Wireless refused (HTTP {response.status_code}, "
            f"status_code {answer.get('status_code')}): {answer.get('error_message') or status}"
        )
    info = infos[0] if infos else {}
    if str(info.get("sms_status") or "SUCCESS").upper() != "SUCCESS":
        raise GatewayError(f"SSL Wireless refused the message: {info.get('status_message')}")
    return Sent(reference=str(info.get("reference_id") or ""))
