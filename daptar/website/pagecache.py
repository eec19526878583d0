"""A whole-page cache for the public pages, correct by construction.

A page is kept under (site generation, today's date, method, language, path, query
string). The generation is one row in the database that every change a public page
shows moves on, in the same transaction as the change (`website.actions.site_changed`):
publishing, withdrawing, a photo's renditions made, a unit or a category renamed. Each
request reads the number first, so once a withdrawal commits the next request looks
for a key nothing was stored under and renders afresh: nothing is ever served past a
change, and nothing has to be found and deleted.

The store is each process's own memory (a crowd reads the same few pages, so a small
LRU holds them); processes share nothing but the number, so many processes behind a
balancer stay correct. A cache hit answers If-None-Match/If-Modified-Since with a 304
from the stored validators, as the view itself would.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

# Headers a stored page carries back; the rest (CSP, security, Vary) the middleware adds.
KEPT = ("Content-Type", "ETag", "Last-Modified", "Content-Language", "Cache-Control", "Location")
CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
GENERATION_SQL = "SELECT number FROM website_generation WHERE id = 1"


@dataclass(frozen=True)
class Page:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return len(self.content) + 200


class Store:
    """An LRU of pages bounded in bytes; a newer generation empties it at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[tuple[Any, ...], Page] = OrderedDict()
        self.bytes = 0
        self.generation = 0

    def get(self, key: tuple[Any, ...]) -> Page | None:
        with self.lock:
            if key[0] > self.generation:
                self._clear(key[0])
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple[Any, ...], page: Page, limit: int) -> None:
        if page.size > limit // 4:
            return
        with self.lock:
            if key[0] < self.generation:
                return  # rendered while a change committed: stale already
            if key[0] > self.generation:
                self._clear(key[0])
            old = self.pages.pop(key, None)
            self.bytes += page.size - (old.size if old else 0)
            self.pages[key] = page
            while self.bytes > limit and self.pages:
                _key, dropped = self.pages.popitem(last=False)
                self.bytes -= dropped.size

    def clear(self) -> None:
        with self.lock:
            self._clear(0)

    def _clear(self, generation: int) -> None:
        self.pages.clear()
        self.bytes = 0
        self.generation = generation


store = Store()
_readers = threading.local()


def _sqlite_reader() -> sqlite3.Connection | None:
    """A read-only connection of this thread to the SQLite file, kept open.

    With SQLite Django opens a connection per request (CONN_MAX_AGE is 0 there); a
    cache hit needs one indexed read, so it reads through a connection of its own and
    leaves Django's unopened. In-memory databases (tests) go through Django's.
    """
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or connection.is_in_memory_db():  # type: ignore[attr-defined]
        return None
    reader = getattr(_readers, "reader", None)
    if reader is None or getattr(_readers, "name", None) != name:
        reader = sqlite3.connect(f"file:{name}?mode=ro", uri=True, check_same_thread=False)
        _readers.reader, _readers.name = reader, name
    return reader


def generation() -> int:
    """The public site's generation number, as committed now."""
    reader = _sqlite_reader() if not connection.in_atomic_block else None
    if reader is not None:
        row = reader.execute(GENERATION_SQL).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(GENERATION_SQL)
            row = cursor.fetchone()
    return int(row[0]) if row else 0


def limit() -> int:
    return int(getattr(settings, "DAPTAR_WEBSITE_PAGE_CACHE_MB", 64)) * 1024 * 1024


def _response(page: Page) -> HttpResponse:
    response = HttpResponse(page.content, status=page.status)
    for name, value in page.headers:
        response[name] = value
    return response


def cached(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Serve a public page (GET or HEAD) from the store, or render it and keep it.

    Goes outside `caching.public`: a stored page already carries the language and the
    cache headers that wrapper gives, so a hit does not need it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not limit():
            return view(request, *args, **kwargs)
        key = (
            generation(),
            timezone.localdate().toordinal(),
            request.method,
            kwargs.get("lang", ""),
            request.path,
            request.META.get("QUERY_STRING", ""),
        )
        page = store.get(key)
        if page is None:
            # The stored page is always the full one: a conditional request that misses is
            # rendered in full (once per generation) and answered from what was stored.
            held = {h: request.META.pop(h) for h in CONDITIONAL if h in request.META}
            response = view(request, *args, **kwargs)
            request.META.update(held)
            if (
                response.status_code not in (200, 301)
                or response.streaming
                or response.cookies
                or not isinstance(response, HttpResponse)
            ):
                return response
            page = Page(
                response.status_code,
                response.content,
                tuple((h, response[h]) for h in KEPT if h in response),
            )
            store.put(key, page, limit())
            # The view answered a full request; the stored page answers conditional ones too.
        conditional = any(h in request.META for h in CONDITIONAL)
        if conditional and page.status == 200 and "ETag" in (headers := dict(page.headers)):
            modified = _last_modified(headers.get("Last-Modified"))
            not_modified = get_conditional_response(
                request, etag=headers["ETag"], last_modified=modified
            )
            if not_modified is not None:
                for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Language"):
                    if name in headers:
                        not_modified[name] = headers[name]
                return not_modified
        return _response(page)

    return wrapper


def _last_modified(value: str | None) -> int | None:
    return parse_http_date_safe(value) if value else None
