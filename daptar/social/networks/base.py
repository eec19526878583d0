"""What every connector shares: the content to post, the answers, the error classes, and
the one httpx client (timeouts set, the transport swappable for the fake servers)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

# Tests and benches install a transport here (daptar.social.fakes); None means the network.
transport: httpx.BaseTransport | None = None


_local = threading.local()


def client() -> httpx.Client:
    """This thread's client, kept between calls: making one costs ~80 ms (its TLS context),
    more than a post's own requests, and its pool keeps the connections to each network."""
    timeout = float(getattr(settings, "DAPTAR_SOCIAL_HTTP_TIMEOUT", 20))
    key = (id(transport), timeout)
    made: httpx.Client | None = getattr(_local, "client", None)
    if made is None or getattr(_local, "key", None) != key:
        if made is not None:
            made.close()
        # A short connect timeout: failing to connect is certain not to have posted anything.
        made = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            headers={"User-Agent": "Daptar-Social/1"},
            follow_redirects=False,
        )
        _local.client, _local.key = made, key
    return made


@dataclass(frozen=True)
class PhotoRef:
    """One photo of the report: its public rendition address, and its bytes on demand."""

    url: str
    load: Callable[[], bytes]
    name: str = "photo.jpg"


@dataclass(frozen=True)
class Content:
    """What one post says: the text made for the channel (the link inside it), the photos."""

    text: str
    link: str
    photos: list[PhotoRef] = field(default_factory=list)


@dataclass(frozen=True)
class Posted:
    """The network took the post: its id(s) and, where known, the address of the post."""

    external_id: str
    url: str = ""


class NetworkError(Exception):
    """The network did not take the post."""


class Temporary(NetworkError):
    """Try again later: after *after* when the network said so, else after the back-off."""

    def __init__(self, message: str, after: datetime.timedelta | None = None) -> None:
        super().__init__(message)
        self.after = after


class Uncertain(Temporary):
    """The request may have reached the network (a read timeout, a dropped connection):
    the next attempt must look at the channel's recent posts before sending again."""


class ChannelBroken(NetworkError):
    """The channel itself must be fixed by its office: a token that no longer works, a
    missing permission, a bot that is not an administrator. Its posts wait."""


class Refused(NetworkError):
    """The network refused this post for good (bad content, a photo it cannot take)."""


class Duplicate(NetworkError):
    """The network says it already has this post: it counts as posted."""

    def __init__(self, message: str, posted: Posted | None = None) -> None:
        super().__init__(message)
        self.posted = posted


class CannotCheck(NetworkError):
    """The network has no way to list the channel's recent posts."""


def transport_error(exc: httpx.TransportError, what: str) -> Temporary:
    """A connection that never opened posted nothing; any later failure perhaps did."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return Temporary(f"{what}: {exc.__class__.__name__}: {exc}")
    return Uncertain(f"{what}: {exc.__class__.__name__}: {exc}")


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Connector:
    """One channel on one network: publish, find a post among the recent ones, delete."""

    network = ""

    def __init__(self, target: str, credentials: dict[str, str]) -> None:
        self.target = target
        self.credentials = credentials

    def limit(self, photos: int) -> int:
        """The longest text this network takes with *photos* photos."""
        return 60_000

    def measure(self, text: str) -> int:
        """The text's length as the network counts it."""
        return len(text)

    def publish(self, content: Content) -> Posted:
        raise NotImplementedError

    def find(self, content: Content) -> Posted | None:
        """The channel's recent post carrying *content*'s link, if there is one."""
        raise CannotCheck(f"{self.network} cannot list a channel's recent posts")

    def delete(self, external_id: str) -> None:
        raise NotImplementedError
