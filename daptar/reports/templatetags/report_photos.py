"""Responsive image markup for report photos: the renditions' srcset, office or public URLs.

Pages list many photos, so addresses are filled into a pattern reversed once per
process rather than reversed photo by photo.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from daptar.reports.models import Photo

register = template.Library()

_MARKS = ("1357913579", "2468024680", "3691436914", "fmt4815162342", "digest5793")


@cache
def _pattern(public: bool, prefix: str, urlconf: str | None) -> str:
    if public:
        return reverse("website:photo", args=[_MARKS[1], _MARKS[4], _MARKS[2], _MARKS[3]])
    return reverse("reports:photo", args=[_MARKS[0], _MARKS[1], _MARKS[2], _MARKS[3]])


def photo_path(photo: Photo, width: int, fmt: str, public: bool = True) -> str:
    """The address of one rendition: public (published reports, named by the rendition's
    hash so it can be cached for good) or the office's own."""
    path = _pattern(public, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    path = path.replace(_MARKS[1], str(photo.pk)).replace(_MARKS[2], str(width))
    if public:
        path = path.replace(_MARKS[4], photo.digest(width, fmt))
    return path.replace(_MARKS[3], fmt).replace(_MARKS[0], str(photo.report_id))


def _srcset(photo: Photo, fmt: str, public: bool) -> str:
    return ", ".join(
        f"{photo_path(photo, r['w'], fmt, public)} {r['w']}w"
        for r in sorted(photo.renditions, key=lambda r: r["w"])
    )


@register.simple_tag
def photo_url(photo: Photo, at_least: int = 800, fmt: str = "jpg", public: bool = False) -> str:
    rendition = photo.rendition(at_least)
    return photo_path(photo, rendition["w"], fmt, public) if rendition else ""


@register.simple_tag
def picture(
    photo: Photo,
    sizes: str = "(min-width: 60rem) 58rem, 100vw",
    public: bool = False,
    decorative: bool = False,
) -> SafeString:
    """<picture> with WebP and JPEG srcsets, lazy, sized; a placeholder until it is ready.

    *decorative*: the photo sits in a link beside the words that name it (a report's
    card), so its caption would only be read twice: its alt is empty.
    """
    if not photo.is_ready:
        failed = photo.status == Photo.Status.FAILED
        return format_html(
            '<div class="photo-placeholder{}" role="img" aria-label="{}"{}>{}{}</div>',
            " failed" if failed else "",
            photo.get_status_display(),
            "" if failed else SafeString(' data-testid="photo-pending"'),
            photo.get_status_display(),
            f": {photo.error}" if failed and photo.error else "…",
        )
    fallback = photo.rendition(800) or {"w": photo.width, "h": photo.height}
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" loading="lazy" '
        'decoding="async" alt="{}"></picture>',
        _srcset(photo, "webp", public),
        sizes,
        photo_path(photo, fallback["w"], "jpg", public),
        _srcset(photo, "jpg", public),
        sizes,
        fallback["w"],
        fallback["h"],
        "" if decorative else photo.caption,
    )
