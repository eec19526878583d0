"""HTTP caching of public pages, so a CDN or a caching proxy can take a sudden crowd.

Every public page says how long it may be kept (Cache-Control: public, max-age) and
carries validators (ETag, Last-Modified) built from cheap data before anything is
rendered, so a conditional request is answered 304 after one indexed query. Public
pages set no cookie and read no session: a cached copy is the same for everyone.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

LANGUAGES = ("bn", "en")


def max_age() -> int:
    return int(getattr(settings, "DAPTAR_WEBSITE_CACHE_SECONDS", 300))


def start_of_today() -> datetime.datetime:
    """Pages show today's date in three calendars, so they change at local midnight too."""
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, today.day))


def validators(*parts: object, changed: datetime.datetime | None) -> tuple[str, int]:
    """(ETag, Last-Modified timestamp) for a page built from *parts* and last *changed*."""
    modified = max(filter(None, [changed, start_of_today()]))
    seed = "|".join(str(p) for p in (*parts, translation.get_language(), modified.isoformat()))
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    return etag, int(modified.timestamp())


def not_modified(request: HttpRequest, etag: str, modified: int) -> HttpResponseBase | None:
    """The 304 (or 412) a conditional request earns, else None: render the page."""
    return get_conditional_response(request, etag=etag, last_modified=modified)


def stamp(response: HttpResponseBase, etag: str, modified: int) -> HttpResponseBase:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    return response


def public(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A public page in the URL's language (/ is Bengali, /en/ English), cacheable by anyone.

    The language comes from the address, never from a cookie, so one URL is one page
    for every reader and every cache.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, lang: str = "bn", **kwargs: Any) -> Any:
        lang = lang if lang in LANGUAGES else "bn"
        with translation.override(lang):
            response = view(request, *args, lang=lang, **kwargs)
        response["Content-Language"] = lang
        if response.status_code in (200, 304, 301, 404):
            patch_cache_control(response, public=True, max_age=max_age())
        return response

    return wrapper
