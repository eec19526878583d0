"""X accounts through API v2: media upload, then POST /2/tweets with at most four.

The token is an OAuth 2.0 user-context token (tweet.write, media.write, tweet.read,
users.read). X refuses a tweet with the same text as a recent one (403, "duplicate
content"): that is its own protection against posting twice, and counts as posted.
"""

from __future__ import annotations

import datetime
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

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

MAX_PHOTOS = 4
LIMIT = 280


def weighted_length(text: str) -> int:
    """X's own count (twitter-text): URLs count 23, CJK 2, most scripts incl. Bengali 1."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package imports pkg_resources
        from twitter_text import parse_tweet

    return int(parse_tweet(text).weightedLength)


def error_for(response: httpx.Response) -> Exception:
    body = json_body(response)
    detail = str(body.get("detail") or body.get("title") or response.text[:300])
    said = f"X {response.status_code}: {detail}"
    if response.status_code == 429:
        reset = response.headers.get("x-rate-limit-reset")
        after = None
        if reset and reset.isdigit():
            at = datetime.datetime.fromtimestamp(int(reset), tz=datetime.UTC)
            after = max(at - timezone.now(), datetime.timedelta(seconds=1))
        return Temporary(said, after=after or datetime.timedelta(minutes=15))
    if response.status_code == 401:
        return ChannelBroken(f"The X account's token no longer works ({said})")
    if response.status_code == 403 and "duplicate" in detail.lower():
        return Duplicate(said)
    if response.status_code == 403:
        return ChannelBroken(f"The X app or account may not post ({said})")
    if response.status_code >= 500:
        return Temporary(said)
    return Refused(said)


class X(Connector):
    network = "x"

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{settings.DAPTAR_X_API_URL.rstrip('/')}/{path}"
        headers = {"Authorization": f"Bearer {self.credentials.get('access_token', '')}"}
        try:
            response = client().request(method, url, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise transport_error(exc, "X") from exc
        if response.status_code >= 400:
            raise error_for(response)
        return json_body(response)

    def limit(self, photos: int) -> int:
        return LIMIT

    def measure(self, text: str) -> int:
        return weighted_length(text)

    def publish(self, content: Content) -> Posted:
        media_ids = []
        for photo in content.photos[:MAX_PHOTOS]:
            body = self._request(
                "POST",
                "2/media/upload",
                files={"media": (photo.name, photo.load(), "image/jpeg")},
                data={"media_category": "tweet_image"},
            )
            media_ids.append(str(body["data"]["id"]))
        tweet: dict[str, Any] = {"text": content.text}
        if media_ids:
            tweet["media"] = {"media_ids": media_ids}
        body = self._request("POST", "2/tweets", json=tweet)
        tweet_id = str(body["data"]["id"])
        return Posted(tweet_id, self.permalink(tweet_id))

    def permalink(self, tweet_id: str) -> str:
        return f"https://x.com/i/status/{tweet_id}"

    def find(self, content: Content) -> Posted | None:
        """The account's recent tweets (GET /2/users/{id}/tweets), links expanded."""
        body = self._request(
            "GET",
            f"2/users/{self.target}/tweets",
            params={"max_results": "20", "tweet.fields": "entities"},
        )
        for tweet in body.get("data") or []:
            urls = [
                u.get("expanded_url", "") for u in (tweet.get("entities") or {}).get("urls", [])
            ]
            if content.link in urls or content.link in str(tweet.get("text") or ""):
                return Posted(str(tweet["id"]), self.permalink(str(tweet["id"])))
        return None

    def delete(self, external_id: str) -> None:
        self._request("DELETE", f"2/tweets/{external_id}")
