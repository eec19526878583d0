"""Facebook Pages through the Graph API.

One photo: POST /{page-id}/photos with the message. Two to ten: each photo uploaded
unpublished (POST /{page-id}/photos published=false), then one POST /{page-id}/feed
with the message and attached_media. No photo: POST /{page-id}/feed with the link.
Errors are read from the JSON body's error.code / error_subcode.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import httpx
from django.conf import settings

from daptar.social.networks.base import (
    ChannelBroken,
    Connector,
    Content,
    Duplicate,
    Posted,
    Refused,
    Temporary,
    client,
    json_body,
    transport_error,
)

TOKEN_INVALID = {190, 102}
THROTTLED = {4, 17, 32, 613, 80001}
TEMPORARY = {1, 2}
DUPLICATE = 506
MAX_PHOTOS = 10
PERMISSION = re.compile(r"\b(pages_[a-z_]+|publish_[a-z_]+|business_management)\b")


def is_permission(code: int) -> bool:
    return code == 10 or 200 <= code <= 299


def regain_after(header: str | None) -> datetime.timedelta | None:
    """The longest estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage."""
    if not header:
        return None
    try:
        usage = json.loads(header)
    except ValueError:
        return None
    minutes = [
        int(entry.get("estimated_time_to_regain_access") or 0)
        for entries in (usage.values() if isinstance(usage, dict) else [])
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict)
    ]
    return datetime.timedelta(minutes=max(minutes)) if minutes and max(minutes) > 0 else None


def error_for(response: httpx.Response) -> Exception:
    """The error class of a Graph API error answer."""
    error = json_body(response).get("error") or {}
    code = int(error.get("code") or 0)
    subcode = error.get("error_subcode")
    message = str(error.get("message") or response.text[:300])
    said = f"Facebook {code}{f'/{subcode}' if subcode else ''}: {message}"
    if code in TOKEN_INVALID:
        return ChannelBroken(f"The Page's access token no longer works ({said})")
    if is_permission(code):
        found = PERMISSION.search(message)
        name = found.group(1) if found else f"#{code}"
        return ChannelBroken(f"The Page's token lacks the permission {name} ({said})")
    if code in THROTTLED:
        after = regain_after(response.headers.get("X-Business-Use-Case-Usage"))
        return Temporary(said, after=after or datetime.timedelta(minutes=5))
    if code in TEMPORARY or response.status_code >= 500:
        return Temporary(said)
    if code == DUPLICATE:
        return Duplicate(said)
    return Refused(said)


class Facebook(Connector):
    network = "facebook"

    def _url(self, path: str) -> str:
        return f"{settings.DAPTAR_FACEBOOK_API_URL.rstrip('/')}/{path}"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        data = dict(kwargs.pop("data", {}) or {})
        params = dict(kwargs.pop("params", {}) or {})
        token = {"access_token": self.credentials.get("access_token", "")}
        if method == "GET":
            params |= token
        else:
            data |= token
        try:
            response = client().request(method, self._url(path), data=data or None, params=params)
        except httpx.TransportError as exc:
            raise transport_error(exc, "Facebook") from exc
        body = json_body(response)
        if response.status_code >= 400 or "error" in body:
            raise error_for(response)
        return body

    def publish(self, content: Content) -> Posted:
        page = self.target
        photos = content.photos[:MAX_PHOTOS]
        if len(photos) == 1:
            body = self._call(
                "POST", f"{page}/photos", data={"url": photos[0].url, "message": content.text}
            )
            post_id = str(body.get("post_id") or body.get("id") or "")
            return Posted(post_id, self.permalink(post_id))
        fields: dict[str, str] = {"message": content.text}
        if photos:
            for n, photo in enumerate(photos):
                uploaded = self._call(
                    "POST", f"{page}/photos", data={"url": photo.url, "published": "false"}
                )
                fields[f"attached_media[{n}]"] = json.dumps({"media_fbid": uploaded["id"]})
        else:
            fields["link"] = content.link
        body = self._call("POST", f"{page}/feed", data=fields)
        post_id = str(body.get("id") or "")
        return Posted(post_id, self.permalink(post_id))

    def permalink(self, post_id: str) -> str:
        return f"https://www.facebook.com/{post_id}" if post_id else ""

    def find(self, content: Content) -> Posted | None:
        body = self._call(
            "GET", f"{self.target}/feed", params={"fields": "id,message", "limit": "25"}
        )
        for item in body.get("data") or []:
            if content.link and content.link in str(item.get("message") or ""):
                return Posted(str(item["id"]), self.permalink(str(item["id"])))
        return None

    def delete(self, external_id: str) -> None:
        self._call("DELETE", external_id)
