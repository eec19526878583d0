"""The gateway's webhooks: inbound SMS and delivery reports. Both signed (daptar.sms.signing)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime

from daptar.notifications.actions import record_delivery_report
from daptar.notifications.models import OutboxMessage
from daptar.sms import actions, signing

# Gateways word delivery states differently; SMPP's own words included.
REPORTS = {
    "delivered": OutboxMessage.Report.DELIVERED,
    "delivrd": OutboxMessage.Report.DELIVERED,
    "success": OutboxMessage.Report.DELIVERED,
    "undelivered": OutboxMessage.Report.UNDELIVERED,
    "undeliv": OutboxMessage.Report.UNDELIVERED,
    "failed": OutboxMessage.Report.UNDELIVERED,
    "expired": OutboxMessage.Report.EXPIRED,
    "rejected": OutboxMessage.Report.REJECTED,
    "rejectd": OutboxMessage.Report.REJECTED,
}


def _payload(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _first(data: dict[str, Any], *names: str) -> str:
    for name in names:
        if data.get(name) not in (None, ""):
            return str(data[name])
    return ""


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@signing.signed_webhook
def inbound(request: HttpRequest, gateway: str) -> HttpResponse:
    """An SMS sent to our number: `message_id`, `from` and `text` (JSON or form fields)."""
    data = _payload(request)
    message_id = _first(data, "message_id", "id")
    sender = _first(data, "from", "msisdn", "sender")
    text = _first(data, "text", "sms", "message")
    if not (message_id and sender and text):
        return _bad("message_id, from and text are required")
    row, new = actions.receive(gateway=gateway, message_id=message_id, sender=sender, text=text)
    return JsonResponse({"id": row.pk, "duplicate": not new, "outcome": row.outcome})


@signing.signed_webhook
def delivery_report(request: HttpRequest, gateway: str) -> HttpResponse:
    """A delivery report: `csms_id` (our key) or `reference_id`, `status`, optional `time`."""
    data = _payload(request)
    report = REPORTS.get(_first(data, "status", "sms_status", "dlr_status").strip().lower())
    if report is None:
        return _bad("status must be one of: " + ", ".join(sorted(REPORTS)))
    at: datetime.datetime | None = None
    if stamp := _first(data, "time", "delivered_at", "done_date"):
        at = parse_datetime(stamp)
        if at is None or at.tzinfo is None:
            return _bad("time must be an ISO 8601 date and time with its offset")
    try:
        message = record_delivery_report(
            key=_first(data, "csms_id"),
            reference=_first(data, "reference_id", "reference"),
            report=report,
            at=at,
        )
    except ValidationError as exc:
        return _bad(" ".join(exc.messages))
    if message is None:
        return JsonResponse({"error": "no such message"}, status=404)
    return JsonResponse({"id": message.pk, "report": message.report})
