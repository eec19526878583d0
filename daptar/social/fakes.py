"""Fake Facebook Graph, Telegram Bot API and X API v2 servers for tests and benches.

One WSGI app answers all three under /facebook/v21.0, /telegram and /x, with the
success and error bodies the networks document. Tests reach it through httpx's
WSGITransport (no socket at all); the bench serves it on 127.0.0.1 with a delay.
Errors are queued per operation (`fail("fb.feed", FB_TOKEN_EXPIRED)`); an
operation marked `lose(op)` is carried out and its answer then lost (a read
timeout), as when a worker's connection drops after the network took the post.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.test import override_settings

Answer = tuple[int, dict[str, Any], dict[str, str]]

# --- documented error bodies ------------------------------------------------------
# Graph API: https-documented {"error": {message, type, code, error_subcode, fbtrace_id}}.
FB_TOKEN_EXPIRED: Answer = (
    400,
    {
        "error": {
            "message": "Error validating access token: Session has expired on Friday, "
            "04-Dec-26 10:00:00 PST.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "AbCdEf1",
        }
    },
    {},
)
FB_SESSION: Answer = (
    400,
    {
        "error": {
            "message": "Session key invalid or no longer valid",
            "type": "OAuthException",
            "code": 102,
            "fbtrace_id": "AbCdEf2",
        }
    },
    {},
)
FB_PERMISSION: Answer = (
    403,
    {
        "error": {
            "message": "(#200) The user hasn't authorized the application to perform this "
            "action. Requires pages_manage_posts permission",
            "type": "OAuthException",
            "code": 200,
            "fbtrace_id": "AbCdEf3",
        }
    },
    {},
)
FB_PERMISSION_10: Answer = (
    403,
    {
        "error": {
            "message": "(#10) This endpoint requires the 'pages_read_engagement' permission",
            "type": "OAuthException",
            "code": 10,
            "fbtrace_id": "AbCdEf4",
        }
    },
    {},
)
FB_THROTTLED: Answer = (
    400,
    {
        "error": {
            "message": "(#32) Page request limit reached",
            "type": "OAuthException",
            "code": 32,
            "fbtrace_id": "AbCdEf5",
        }
    },
    {
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "1122334455": [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 28,
                        "total_time": 25,
                        "estimated_time_to_regain_access": 17,
                    }
                ]
            }
        )
    },
)
FB_TEMPORARY: Answer = (
    500,
    {
        "error": {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException",
            "code": 2,
            "is_transient": True,
            "fbtrace_id": "AbCdEf6",
        }
    },
    {},
)
FB_DUPLICATE: Answer = (
    400,
    {
        "error": {
            "message": "Duplicate status message",
            "type": "OAuthException",
            "code": 506,
            "fbtrace_id": "AbCdEf7",
        }
    },
    {},
)
# Bot API: {"ok": false, "error_code", "description", "parameters"}.
TG_TOO_MANY: Answer = (
    429,
    {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    },
    {},
)
TG_NO_RIGHTS: Answer = (
    400,
    {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: not enough rights to send photos to the chat",
    },
    {},
)
TG_NOT_MEMBER: Answer = (
    403,
    {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot is not a member of the channel chat",
    },
    {},
)
TG_UNAUTHORIZED: Answer = (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, {})
TG_BAD_GATEWAY: Answer = (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}, {})
# X API v2: problem details {title, detail, type, status}.
X_UNAUTHORIZED: Answer = (
    401,
    {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
    {},
)
X_FORBIDDEN: Answer = (
    403,
    {
        "title": "Forbidden",
        "type": "about:blank",
        "status": 403,
        "detail": "You are not permitted to perform this action.",
    },
    {},
)
X_UNAVAILABLE: Answer = (
    503,
    {
        "title": "Service Unavailable",
        "type": "about:blank",
        "status": 503,
        "detail": "Service Unavailable",
    },
    {},
)


def x_too_many(reset_epoch: int) -> Answer:
    return (
        429,
        {
            "title": "Too Many Requests",
            "detail": "Too Many Requests",
            "type": "about:blank",
            "status": 429,
        },
        {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset_epoch),
        },
    )


X_DUPLICATE: Answer = (
    403,
    {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    },
    {},
)


@dataclass
class Call:
    op: str
    target: str
    at: float
    data: dict[str, Any] = field(default_factory=dict)


class FakeNetworks:
    """The three networks' state: what each page, channel and account holds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.ids = itertools.count(1001)
        self.calls: list[Call] = []
        self.failures: dict[str, list[Answer]] = {}
        self.lost: set[str] = set()
        self.lose_now = threading.local()
        self.feeds: dict[str, list[dict[str, Any]]] = {}  # facebook page → posts
        self.photos: dict[str, dict[str, Any]] = {}  # facebook photo id → photo
        self.messages: dict[str, list[dict[str, Any]]] = {}  # telegram chat → messages
        self.tweets: dict[str, dict[str, Any]] = {}  # tweet id → tweet
        self.media: set[str] = set()
        self.files: dict[str, bytes] = {}  # telegram file_id → bytes the bot can download
        self.sent_to_users: list[dict[str, Any]] = []  # the bot's own messages to people

    # --- scripting ---
    def fail(self, op: str, *answers: Answer) -> None:
        self.failures.setdefault(op, []).extend(answers)

    def lose(self, op: str) -> None:
        """Carry out the next *op*, then lose its answer (the client sees a read timeout)."""
        self.lost.add(op)

    def count(self, op: str) -> int:
        return sum(1 for c in self.calls if c.op == op)

    # --- WSGI ---
    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if self.delay:
            time.sleep(self.delay)
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size) if size else b""
        kind = environ.get("CONTENT_TYPE", "")
        if kind.startswith("application/json"):
            data: dict[str, Any] = json.loads(raw or b"{}")
        elif kind.startswith("application/x-www-form-urlencoded"):
            data = dict(urllib.parse.parse_qsl(raw.decode()))
        else:
            data = {"_raw": len(raw)}
        with self.lock:
            status, body, headers = self.route(method, path, query, data, environ)
        if isinstance(body, bytes):
            payload, content_type = body, "image/jpeg"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json"
        start_response(
            f"{status} X",
            [("Content-Type", content_type), *headers.items()],
        )
        return [payload]

    def route(
        self, method: str, path: str, query: dict[str, str], data: dict[str, Any], env: Any
    ) -> tuple[int, Any, dict[str, str]]:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["facebook", "v21.0"]:
            return self.facebook(method, parts[2:], query, data)
        if parts[:1] == ["telegram"]:
            return self.telegram(parts[1:], data)
        if parts[:1] == ["x"]:
            return self.x(method, parts[1:], query, data, env)
        return 404, {"error": "no such fake"}, {}

    def _op(self, op: str, target: str, data: dict[str, Any]) -> Answer | None:
        self.calls.append(Call(op, target, time.monotonic(), data))
        queued = self.failures.get(op)
        if queued:
            return queued.pop(0)
        if op in self.lost:
            self.lost.discard(op)
            self.lose_now.flag = True
        return None

    def facebook(
        self, method: str, parts: list[str], query: dict[str, str], data: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        if method == "GET" and len(parts) == 2 and parts[1] == "feed":
            feed = self.feeds.get(parts[0], [])
            self.calls.append(Call("fb.recent", parts[0], time.monotonic()))
            return (
                200,
                {"data": [{"id": p["id"], "message": p["message"]} for p in feed[::-1]][:25]},
                {},
            )
        if method == "DELETE" and len(parts) == 1:
            if failed := self._op("fb.delete", parts[0], data):
                return failed
            for feed in self.feeds.values():
                feed[:] = [p for p in feed if p["id"] != parts[0]]
            return 200, {"success": True}, {}
        page, edge = parts[0], parts[1]
        if failed := self._op(f"fb.{edge}", page, data):
            return failed
        feed = self.feeds.setdefault(page, [])
        if edge == "photos":
            photo_id = str(next(self.ids))
            if data.get("published") == "false":
                self.photos[photo_id] = {"url": data["url"], "page": page}
                return 200, {"id": photo_id}, {}
            post_id = f"{page}_{next(self.ids)}"
            feed.append({"id": post_id, "message": data.get("message", ""), "photos": [photo_id]})
            return 200, {"id": photo_id, "post_id": post_id}, {}
        # feed
        message = data.get("message", "")
        if feed and feed[-1]["message"] == message:
            return FB_DUPLICATE
        media = [
            json.loads(v)["media_fbid"]
            for k, v in sorted(data.items())
            if k.startswith("attached_media")
        ]
        if any(m not in self.photos for m in media):
            return (
                400,
                {"error": {"message": "Invalid media", "type": "OAuthException", "code": 100}},
                {},
            )
        post_id = f"{page}_{next(self.ids)}"
        feed.append({"id": post_id, "message": message, "photos": media, "link": data.get("link")})
        return 200, {"id": post_id}, {}

    def telegram(self, parts: list[str], data: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if parts[0] == "file":
            file_id = parts[-1]
            self.calls.append(Call("tg.file", file_id, time.monotonic()))
            return 200, self.files[file_id], {}
        method = parts[1]
        chat = str(data.get("chat_id", ""))
        if method == "getFile":
            return (
                200,
                {
                    "ok": True,
                    "result": {
                        "file_id": data["file_id"],
                        "file_unique_id": data["file_id"],
                        "file_path": f"photos/{data['file_id']}",
                    },
                },
                {},
            )
        if failed := self._op(f"tg.{method}", chat, data):
            return failed
        if method == "deleteMessages":
            kept = self.messages.get(chat, [])
            kept[:] = [m for m in kept if m["message_id"] not in data["message_ids"]]
            return 200, {"ok": True, "result": True}, {}
        if method == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}, {}
        messages = self.messages.setdefault(chat, [])
        if chat.lstrip("-").isdigit() and not chat.startswith("-100"):
            self.sent_to_users.append(data)
        if method == "sendMediaGroup":
            sent = []
            for item in data["media"]:
                message = {
                    "message_id": next(self.ids),
                    "chat": {"id": chat},
                    "caption": item.get("caption", ""),
                    "photo": item["media"],
                }
                messages.append(message)
                sent.append(message)
            return 200, {"ok": True, "result": sent}, {}
        message = {
            "message_id": next(self.ids),
            "chat": {"id": chat},
            "text": data.get("text", ""),
            "caption": data.get("caption", ""),
        }
        messages.append(message)
        return 200, {"ok": True, "result": message}, {}

    def x(
        self, method: str, parts: list[str], query: dict[str, str], data: dict[str, Any], env: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if parts == ["2", "media", "upload"]:
            if failed := self._op("x.media", "", data):
                return failed
            media_id = str(next(self.ids))
            self.media.add(media_id)
            return (
                200,
                {
                    "data": {
                        "id": media_id,
                        "media_key": f"3_{media_id}",
                        "expires_after_secs": 86400,
                    }
                },
                {},
            )
        if parts == ["2", "tweets"] and method == "POST":
            if failed := self._op("x.tweets", "", data):
                return failed
            if any(t["text"] == data["text"] for t in self.tweets.values()):
                return X_DUPLICATE
            media = (data.get("media") or {}).get("media_ids", [])
            if len(media) > 4 or any(m not in self.media for m in media):
                return (
                    400,
                    {
                        "title": "Invalid Request",
                        "detail": "media_ids invalid",
                        "type": "about:blank",
                        "status": 400,
                    },
                    {},
                )
            tweet_id = str(next(self.ids))
            self.tweets[tweet_id] = {"id": tweet_id, "text": data["text"], "media": media}
            return (
                201,
                {
                    "data": {
                        "id": tweet_id,
                        "text": data["text"],
                        "edit_history_tweet_ids": [tweet_id],
                    }
                },
                {},
            )
        if parts[:2] == ["2", "tweets"] and method == "DELETE":
            if failed := self._op("x.delete", parts[2], data):
                return failed
            self.tweets.pop(parts[2], None)
            return 200, {"data": {"deleted": True}}, {}
        if parts[:2] == ["2", "users"] and parts[-1] == "tweets":
            self.calls.append(Call("x.recent", parts[2], time.monotonic()))
            recent = [
                {
                    "id": t["id"],
                    "text": t["text"],
                    "entities": {
                        "urls": [
                            {"expanded_url": u} for u in t["text"].split() if u.startswith("http")
                        ]
                    },
                }
                for t in list(self.tweets.values())[::-1][:20]
            ]
            return 200, {"data": recent, "meta": {"result_count": len(recent)}}, {}
        return 404, {"title": "Not Found", "status": 404}, {}


class FakeTransport(httpx.BaseTransport):
    """httpx → the fake WSGI app in-process; a lost answer becomes a ReadTimeout."""

    def __init__(self, fake: FakeNetworks) -> None:
        self.fake = fake
        self.wsgi = httpx.WSGITransport(app=fake)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.wsgi.handle_request(request)
        if getattr(self.fake.lose_now, "flag", False):
            self.fake.lose_now.flag = False
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def urls(base: str) -> dict[str, str]:
    return {
        "DAPTAR_FACEBOOK_API_URL": f"{base}/facebook/v21.0",
        "DAPTAR_TELEGRAM_API_URL": f"{base}/telegram",
        "DAPTAR_X_API_URL": f"{base}/x",
    }


@contextlib.contextmanager
def installed(fake: FakeNetworks, base: str = "http://127.0.0.1:8700") -> Iterator[FakeNetworks]:
    """Route every connector to *fake* (in-process) for the duration."""
    from daptar.social.networks import base as network_base

    previous = network_base.transport
    network_base.transport = FakeTransport(fake)
    try:
        with override_settings(**urls(base)):
            yield fake
    finally:
        network_base.transport = previous
