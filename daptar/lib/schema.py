"""The API schema's shared parts: the error answers every operation may give.

drf-spectacular documents the success of each operation; a client (and schemathesis
in CI) also needs to know that any operation may answer 400 with field errors, 401
without a token, 403 for a read-only desk, 404 outside the caller's scope, 409 for a
state conflict and 429 over the rate. One hook documents them all, in one shape:
a JSON object, `{"detail": "…"}` or `{"<field>": ["…"]}`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

ERRORS = {
    "400": "Bad input: field errors, or a detail.",
    "401": "No valid token or session.",
    "403": "The caller's desk may not do this.",
    "404": "No such object in the caller's scope.",
    "405": "The path does not take this method.",
    "406": "No answer in a media type the Accept header allows.",
    "409": "The object's state does not allow this now.",
    "415": "The request body's media type is not accepted.",
    "429": "Over the rate limit: see Retry-After.",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": '{"detail": "<message>"} or {"<field>": ["<message>", ...]}',
    "additionalProperties": True,
}


def document_errors(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: every operation lists the error answers, in JSON."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result


class OneObjectSchema(AutoSchema):
    """For a viewset whose `list` answers one object (a summary), not an array of them."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False
