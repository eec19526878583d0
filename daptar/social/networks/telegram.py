"""Telegram channels (and the bot's own messages) through the Bot API.

No photo: sendMessage with the link. One: sendPhoto. Two to ten: sendMediaGroup with
the caption on the first photo (at most 1,024 characters after entities; no parse
mode is used, so the text is its own length). The bot must be an administrator of
the channel with the right to post.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
from django.conf import settings

from daptar.social.networks.base import (
    ChannelBroken,
    Connector,
    Content,
    Posted,
    Refused,
    Temporary,
    client,
    json_body,
    transport_error,
)

CAPTION_LIMIT = 1024
MESSAGE_LIMIT = 4096
MAX_PHOTOS = 10
RIGHTS = (
    "not enough rights",
    "need administrator rights",
    "chat_admin_required",
    "bot is not a member",
    "bot was kicked",
    "chat not found",
    "have no rights",
)


def utf16_length(text: str) -> int:
    """Telegram counts UTF-16 code units (entity offsets and limits alike)."""
    return len(text.encode("utf-16-le")) // 2


def api_url(token: str, method: str) -> str:
    return f"{settings.DAPTAR_TELEGRAM_API_URL.rstrip('/')}/bot{token}/{method}"


def file_url(token: str, path: str) -> str:
    return f"{settings.DAPTAR_TELEGRAM_API_URL.rstrip('/')}/file/bot{token}/{path}"


def error_for(response: httpx.Response, body: dict[str, Any]) -> Exception:
    code = int(body.get("error_code") or response.status_code)
    description = str(body.get("description") or response.text[:300])
    said = f"Telegram {code}: {description}"
    parameters = body.get("parameters") or {}
    if code == 429 or "retry_after" in parameters:
        seconds = int(parameters.get("retry_after") or 30)
        return Temporary(said, after=datetime.timedelta(seconds=seconds))
    if code == 401:
        return ChannelBroken(f"The bot's token no longer works ({said})")
    lowered = description.lower()
    if (
        code == 403
        or any(words in lowered for words in RIGHTS)
        or "migrate_to_chat_id" in parameters
    ):
        return ChannelBroken(
            f"Make the bot an administrator of the channel with the right to post messages ({said})"
        )
    if code >= 500:
        return Temporary(said)
    return Refused(said)


def call(token: str, method: str, payload: dict[str, Any]) -> Any:
    """One Bot API method; its result, or the error class of its answer."""
    try:
        response = client().post(api_url(token, method), json=payload)
    except httpx.TransportError as exc:
        raise transport_error(exc, f"Telegram {method}") from exc
    body = json_body(response)
    if not body.get("ok"):
        raise error_for(response, body)
    return body.get("result")


def download(token: str, file_id: str) -> bytes:
    """A file a user sent the bot: getFile, then the file itself."""
    found = call(token, "getFile", {"file_id": file_id})
    try:
        response = client().get(file_url(token, found["file_path"]))
    except httpx.TransportError as exc:
        raise transport_error(exc, "Telegram file") from exc
    if response.status_code != 200:
        raise Temporary(f"Telegram file: {response.status_code}")
    return response.content


class Telegram(Connector):
    network = "telegram"

    @property
    def token(self) -> str:
        return self.credentials.get("bot_token") or settings.DAPTAR_TELEGRAM_BOT_TOKEN

    def limit(self, photos: int) -> int:
        return CAPTION_LIMIT if photos else MESSAGE_LIMIT

    def measure(self, text: str) -> int:
        return utf16_length(text)

    def publish(self, content: Content) -> Posted:
        chat = self.target
        photos = content.photos[:MAX_PHOTOS]
        if not photos:
            result = call(self.token, "sendMessage", {"chat_id": chat, "text": content.text})
            ids = [result["message_id"]]
        elif len(photos) == 1:
            result = call(
                self.token,
                "sendPhoto",
                {"chat_id": chat, "photo": photos[0].url, "caption": content.text},
            )
            ids = [result["message_id"]]
        else:
            media = [{"type": "photo", "media": photo.url} for photo in photos]
            media[0]["caption"] = content.text
            result = call(self.token, "sendMediaGroup", {"chat_id": chat, "media": media})
            ids = [message["message_id"] for message in result]
        return Posted(",".join(str(i) for i in ids), self.permalink(ids[0]))

    def permalink(self, message_id: int) -> str:
        if self.target.startswith("@"):
            return f"https://t.me/{self.target[1:]}/{message_id}"
        return ""

    def delete(self, external_id: str) -> None:
        ids = [int(i) for i in external_id.split(",") if i]
        call(self.token, "deleteMessages", {"chat_id": self.target, "message_ids": ids})


def keyboard(rows: list[list[tuple[str, str]]]) -> str:
    """An inline keyboard: rows of (label, callback data)."""
    return json.dumps(
        {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]},
        ensure_ascii=False,
    )
