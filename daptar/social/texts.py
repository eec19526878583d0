"""The text of a post, made from the report in the channel's language, cut to fit the
network's count with the link always whole."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation

from daptar.reports.models import Photo, Report
from daptar.reports.social import photo_url
from daptar.social.models import SocialChannel
from daptar.social.networks import Connector, Content, PhotoRef

ELLIPSIS = "…"
WIDTH = 1600


def hashtags(channel: SocialChannel) -> str:
    tags = [t.strip().lstrip("#") for t in channel.hashtags.replace(",", " ").split()]
    return " ".join(f"#{t}" for t in tags if t)


def cut(text: str, keep: int) -> str:
    """*text* shortened to *keep* characters on a word boundary where one is near."""
    if keep <= 0:
        return ""
    if len(text) <= keep:
        return text
    head = text[: max(keep - 1, 0)]
    space = head.rfind(" ")
    if space > keep * 0.6:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def compose(
    title: str,
    summary: str,
    unit_name: str,
    tags: str,
    link: str,
    *,
    limit: int,
    measure: Callable[[str], int],
) -> str:
    """Title, summary, unit and hashtags, then the link; the summary (then the title,
    then the tags) is cut until the network's *measure* fits *limit*."""

    def join(t: str, s: str, g: str) -> str:
        head = "\n\n".join(part for part in (t, s) if part)
        tail = "\n".join(part for part in (f"— {unit_name}" if unit_name else "", g) if part)
        return "\n\n".join(part for part in (head, tail, link) if part)

    text = join(title, summary, tags)
    # Every character counts at least 1 on each network, so cutting as many characters as
    # the text is over (plus the ellipsis) fits in one or two measures, not a search.
    keep = len(summary)
    while summary and keep > 0 and (over := measure(text) - limit) > 0:
        keep = min(keep - 1, keep - over - 1)
        text = join(title, cut(summary, keep), tags)
    if measure(text) <= limit:
        return text
    for shorter_tags in (tags, ""):
        keep = len(title)
        text = join(title, "", shorter_tags)
        while keep > 0 and (over := measure(text) - limit) > 0:
            keep = min(keep - 1, keep - over - 1)
            text = join(cut(title, keep), "", shorter_tags)
        if measure(text) <= limit:
            return text
    return link


def photos_of(report: Report) -> list[PhotoRef]:
    ready = [p for p in report.photos.order_by("order", "pk") if p.is_ready]
    return [
        PhotoRef(url=photo_url(p, _width(p)), load=_loader(p), name=f"{p.key}.jpg") for p in ready
    ]


def _width(photo: Photo) -> int:
    rendition = photo.rendition(WIDTH)
    return int(rendition["w"]) if rendition else WIDTH


def _loader(photo: Photo) -> Callable[[], bytes]:
    def load() -> bytes:
        from daptar.reports.actions import photo_storage  # reports.actions imports this app

        with photo_storage().open(photo.rendition_name(_width(photo), "jpg"), "rb") as f:
            return bytes(f.read())

    return load


def content_for(report: Report, channel: SocialChannel, connector: Connector) -> Content:
    """The post for *channel*: its language, the unit's name, its hashtags, the public link."""
    language = channel.language or "bn"
    with translation.override(language):
        link = report.public_url if language == "bn" else _english_url(report)
        unit = (
            report.unit.name_en if language == "en" and report.unit.name_en else report.unit.name_bn
        )
    photos = photos_of(report)
    text = compose(
        report.title,
        report.summary,
        unit,
        hashtags(channel),
        link,
        limit=connector.limit(len(photos)),
        measure=connector.measure,
    )
    return Content(text=text, link=link, photos=photos)


def _english_url(report: Report) -> str:
    from django.conf import settings

    return settings.DAPTAR_SITE_URL.rstrip("/") + report.public_path("en")
