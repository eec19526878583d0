"""The organisation's public website: published reports, their photos, feeds and sitemaps.

No login, no cookie, no personal data: a page shows a report, its unit and its
photos' renditions, never an office bearer's name, phone or e-mail.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.encoding import iri_to_uri
from django.views.decorators.http import require_GET

from daptar.lib import text
from daptar.reports.models import Category, Photo, Report
from daptar.reports.templatetags.report_photos import photo_path
from daptar.reports.views import rendition_response
from daptar.units.models import Unit
from daptar.website import caching, pagecache, queries
from daptar.website.feeds import ReportsFeed

HOME_REPORTS = 12
PAGE_SIZE = 20
SITEMAP_PAGE = 10_000


def _other_language(request: HttpRequest, lang: str) -> str:
    """The same page in the other language: the English site mirrors the Bengali under /en/."""
    path = request.path
    other = path[3:] or "/" if lang == "en" else "/en" + path
    query = request.META.get("QUERY_STRING", "")
    return iri_to_uri(f"{other}?{query}" if query else other)


def _categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True))


def _context(
    request: HttpRequest, lang: str, categories: list[Category] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "lang": lang,
        "other_language_url": _other_language(request, lang),
        "site_url": settings.DAPTAR_SITE_URL.rstrip("/"),
        "public": True,
        "categories": _categories() if categories is None else categories,
        **extra,
    }


@require_GET
@pagecache.cached
@caching.public
def home(request: HttpRequest, lang: str) -> HttpResponseBase:
    """The latest published reports with their photos, and the ways into the rest."""
    etag, modified = caching.validators("home", changed=queries.version())
    if cached := caching.not_modified(request, etag, modified):
        return cached
    reports = list(queries.published().prefetch_related(queries.public_photos())[:HOME_REPORTS])
    context = _context(
        request,
        lang,
        reports=reports,
        places=queries.places(reports),
        divisions=list(queries.divisions()),
    )
    return caching.stamp(render(request, "website/home.html", context), etag, modified)


@require_GET
@pagecache.cached
@caching.public
def report_list(request: HttpRequest, lang: str) -> HttpResponseBase:
    """Published reports by division, district and category, with a word search."""
    params = request.GET
    etag, modified = caching.validators("list", params.urlencode(), changed=queries.version())
    if cached := caching.not_modified(request, etag, modified):
        return cached
    division = queries.unit_at(queries.DIVISION, params.get("division"))
    district = queries.unit_at(queries.DISTRICT, params.get("district"))
    if district is not None and division is not None and not district.is_within(division):
        district = None
    categories = _categories()
    category = next((c for c in categories if c.slug == params.get("category")), None)
    text = params.get("q", "").strip()
    rows = queries.search(division=division, district=district, category=category, text=text)
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    reports = list(page)
    context = _context(
        request,
        lang,
        page=page,
        reports=reports,
        places=queries.places(reports),
        division=division,
        district=district,
        category=category,
        q=text,
        divisions=list(queries.divisions()),
        districts=list(queries.districts(division)),
        categories=categories,
    )
    return caching.stamp(render(request, "website/list.html", context), etag, modified)


@require_GET
@pagecache.cached
@caching.public
def report(request: HttpRequest, report_id: int, slug: str, lang: str) -> HttpResponseBase:
    """One published report: photos, the three calendars, share links and preview tags."""
    item = queries.get_published(report_id)
    canonical = item.public_path(lang)
    if slug != item.slug:
        return redirect(canonical, permanent=True)  # a shortened or mistyped address
    etag, modified = caching.validators(
        "report", item.pk, item.updated_at, item.unit.updated_at, item.category.updated_at,
        changed=item.public_changed_at,
    )  # fmt: skip
    if cached := caching.not_modified(request, etag, modified):
        return cached
    photos = queries.ready_photos(item)
    cover = photos[0] if photos else None
    context = _context(
        request,
        lang,
        report=item,
        photos=photos,
        cover=cover,
        cover_rendition=cover.rendition(1200) if cover else None,
        places=queries.places([item]).get(item.pk, []),
        canonical_url=settings.DAPTAR_SITE_URL.rstrip("/") + canonical,
        alternates={
            "bn": settings.DAPTAR_SITE_URL.rstrip("/") + item.public_path("bn"),
            "en": settings.DAPTAR_SITE_URL.rstrip("/") + item.public_path("en"),
        },
    )
    return caching.stamp(render(request, "website/report.html", context), etag, modified)


@require_GET
@pagecache.cached
@caching.public
def report_short(request: HttpRequest, report_id: int, lang: str) -> HttpResponseBase:
    """/reports/<id>/ without its title part: on to the full address."""
    return redirect(queries.get_published(report_id).public_path(lang), permanent=True)


@require_GET
@pagecache.cached
@caching.public
def feed(request: HttpRequest, lang: str, code: str | None = None) -> HttpResponseBase:
    """The Atom feed of published reports, of the whole country or of one district."""
    district = None
    if code is not None:
        district = get_object_or_404(
            Unit, code__iexact=code, level__slug=queries.DISTRICT, is_active=True
        )
    etag, modified = caching.validators("feed", code, changed=queries.version())
    if cached := caching.not_modified(request, etag, modified):
        return cached
    response = ReportsFeed()(request, lang=lang, district=district)
    return caching.stamp(response, etag, modified)


#: A hashed rendition never changes under its address: caches may keep it for a year.
IMMUTABLE_SECONDS = 31_536_000


def _published_photo(photo_id: int) -> Photo:
    return get_object_or_404(
        Photo.objects.only("pk", "report_id", "key", "renditions", "rendered_at"),
        pk=photo_id,
        report__status=Report.Status.PUBLISHED,
        status=Photo.Status.READY,
    )


@require_GET
@pagecache.cached
def photo(
    request: HttpRequest, photo_id: int, digest: str, width: int, fmt: str
) -> HttpResponseBase:
    """A rendition of a published report's photo under its hashed, immutable address.

    Originals are never served, to anyone. An address with an old hash (the photo was
    rendered again since) redirects to the current one. The bytes are read whole, so the
    page cache keeps them beside the pages (keyed on the site's generation as they are:
    a withdrawn report's photos are 404 from the next request).
    """
    item = _published_photo(photo_id)
    current = item.digest(width, fmt)
    if not current:
        raise Http404
    if digest != current:
        moved = redirect(photo_path(item, width, fmt), permanent=False)
        patch_cache_control(moved, public=True, max_age=caching.max_age())
        return moved
    response = rendition_response(request, item, width, fmt, max_age=IMMUTABLE_SECONDS, public=True)
    if isinstance(response, FileResponse):
        body = b"".join(response.streaming_content)  # type: ignore[arg-type]
        whole = HttpResponse(body, response["Content-Type"])
        # Only the file: response.close() would also signal the end of the request.
        if response.file_to_stream is not None:
            response.file_to_stream.close()
        for name in ("ETag", "Last-Modified", "Cache-Control"):
            whole[name] = response[name]
        response = whole
    patch_cache_control(response, immutable=True)
    return response


@require_GET
def photo_unhashed(request: HttpRequest, photo_id: int, width: int, fmt: str) -> HttpResponseBase:
    """The addresses given out before renditions were named by their hash, served as before."""
    item = _published_photo(photo_id)
    seconds = int(getattr(settings, "DAPTAR_WEBSITE_PHOTO_CACHE_SECONDS", 86400))
    return rendition_response(request, item, width, fmt, max_age=seconds, public=True)


@require_GET
def sitemap(request: HttpRequest) -> HttpResponseBase:
    """The sitemap index: the site's pages, then published reports in pages of 10,000."""
    etag, modified = caching.validators("sitemap", changed=queries.version())
    if cached := caching.not_modified(request, etag, modified):
        return _sitemap_headers(cached)
    count = queries.published().count()
    pages = range(1, max(1, -(-count // SITEMAP_PAGE)) + 1)
    response = render(
        request,
        "website/sitemap_index.xml",
        {"site_url": settings.DAPTAR_SITE_URL.rstrip("/"), "pages": pages},
        content_type="application/xml",
    )
    _xml_safe(response)
    return _sitemap_headers(caching.stamp(response, etag, modified))


@require_GET
def sitemap_page(request: HttpRequest, number: int) -> HttpResponseBase:
    etag, modified = caching.validators("sitemap", number, changed=queries.version())
    if cached := caching.not_modified(request, etag, modified):
        return _sitemap_headers(cached)
    rows = (
        Report.objects.published()
        .order_by("pk")
        .values_list("pk", "slug", "public_changed_at")[
            (number - 1) * SITEMAP_PAGE : number * SITEMAP_PAGE
        ]
    )
    entries = [
        {
            "bn": reverse("website:report", args=[pk, slug or "report"]),
            "en": reverse("website:en_report", args=[pk, slug or "report"]),
            "lastmod": changed,
        }
        for pk, slug, changed in rows
    ]
    if not entries and number > 1:
        raise Http404
    response = render(
        request,
        "website/sitemap.xml",
        {
            "site_url": settings.DAPTAR_SITE_URL.rstrip("/"),
            "entries": entries,
            "first": number == 1,
        },
        content_type="application/xml",
    )
    _xml_safe(response)
    return _sitemap_headers(caching.stamp(response, etag, modified))


def _xml_safe(response: HttpResponse) -> None:
    """Defensively drop what XML 1.0 forbids (daptar.lib.text) from a rendered document."""
    response.content = text.clean(response.content.decode()).encode()


def _sitemap_headers(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, public=True, max_age=caching.max_age())
    return response


@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /accounts/login/",  # so that a secretary can search for the way in
        "Disallow: /api/",
        "Disallow: /office/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "",
        f"Sitemap: {settings.DAPTAR_SITE_URL.rstrip('/')}{reverse('website:sitemap')}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
    patch_cache_control(response, public=True, max_age=86400)
    return response
