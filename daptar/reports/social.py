"""Announcing a published report on a social channel: the payload and one HTTP POST.

The generic webhook channel POSTs JSON {title, summary, public_url, photo_urls, ...}
to the channel's URL, signed with HMAC-SHA256 when the channel has a secret. A
2xx answer is success; its JSON "id" (if any) is kept as the post's external id.
Named networks (Facebook pages, X, Telegram channels) will be further kinds here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from daptar.lib.text import clean_data
from daptar.reports.models import Photo, Report, SocialChannel, SocialPost
from daptar.reports.templatetags.report_photos import photo_path

USER_AGENT = "Daptar-Webhook/1"


class SendError(Exception):
    """The channel refused or could not be reached; the outbox retries later."""


def absolute(path: str) -> str:
    return settings.DAPTAR_SITE_URL.rstrip("/") + path


def photo_url(photo: Photo, width: int, fmt: str = "jpg") -> str:
    """The public address of one rendition (the website serves renditions, never originals)."""
    return absolute(photo_path(photo, width, fmt))


def payload(report: Report) -> dict[str, Any]:
    photos = [p for p in report.photos.order_by("order", "pk") if p.is_ready]
    return {
        "title": report.title,
        "summary": report.summary,
        "public_url": report.public_url,
        "photo_urls": [photo_url(p, p.rendition(1600)["w"]) for p in photos],  # type: ignore[index]
        "category": report.category.slug,
        "unit": {"name_bn": report.unit.name_bn, "name_en": report.unit.name_en},
        "event_date": report.event_date.isoformat(),
        "published_at": report.published_at.isoformat() if report.published_at else None,
    }


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """One POST; the boundary tests patch. Answers (status, body); raises OSError on failure."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the operator configures this URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        return error.code, error.read(65536)


def send(post: SocialPost) -> str:
    """Send *post* on its channel; the external id on success, SendError otherwise."""
    channel = post.channel
    if channel.kind != SocialChannel.Kind.WEBHOOK:
        raise SendError(f"unknown channel kind {channel.kind!r}")
    # Cleaned (daptar.lib.text): a lone surrogate cannot even be encoded as UTF-8.
    body = json.dumps(clean_data(payload(post.report)), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Daptar-Delivery": str(post.pk),
    }
    if channel.secret:
        digest = hmac.new(channel.secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Daptar-Signature"] = f"sha256={digest}"
    timeout = float(getattr(settings, "DAPTAR_SOCIAL_TIMEOUT", 15))
    try:
        status, answer = post_json(channel.url, body, headers, timeout)
    except (OSError, ValueError) as exc:
        raise SendError(f"{channel.name}: {exc}") from exc
    if not 200 <= status < 300:
        raise SendError(
            f"{channel.name} answered {status}: {answer[:300].decode(errors='replace')}"
        )
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return ""
    return str(data.get("id", "")) if isinstance(data, dict) else ""
