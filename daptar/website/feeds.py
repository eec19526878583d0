"""The Atom feed of published reports: the whole country, or one organisational district."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import gettext as _

from daptar.lib import paths, text
from daptar.reports.models import Report
from daptar.reports.templatetags.report_photos import photo_path
from daptar.units.models import Unit
from daptar.website import queries

ITEMS = 30


def _absolute(path: str) -> str:
    return settings.DAPTAR_SITE_URL.rstrip("/") + path


class ReportsFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with translation.override(kwargs.get("lang", "bn")):
            return super().__call__(request, *args, **kwargs)

    def get_feed(self, obj: dict[str, Any], request: HttpRequest) -> Any:
        """The feed with every text in it XML-safe (daptar.lib.text), whatever rows hold."""
        feed = super().get_feed(obj, request)
        feed.feed = text.clean_data(feed.feed)
        feed.items = [text.clean_data(item) for item in feed.items]
        return feed

    def get_object(
        self, request: HttpRequest, *args: Any, lang: str = "bn", district: Unit | None = None
    ) -> dict[str, Any]:
        return {"lang": lang, "district": district}

    def _english(self, obj: dict[str, Any]) -> bool:
        return obj["lang"] == "en"

    def _organisation(self, obj: dict[str, Any]) -> str:
        return settings.ORGANISATION_NAME_EN if self._english(obj) else settings.ORGANISATION_NAME

    def title(self, obj: dict[str, Any]) -> str:
        name = self._organisation(obj)
        if obj["district"] is not None:
            return f"{name} · {obj['district'].name} · {_('Illustrated reports')}"
        return f"{name} · {_('Illustrated reports')}"

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Programmes and public welfare work of our offices, from the grassroots up.")

    def link(self, obj: dict[str, Any]) -> str:
        name = "website:en_reports" if self._english(obj) else "website:reports"
        path = reverse(name)
        if obj["district"] is not None:
            path += f"?district={obj['district'].pk}"
        return _absolute(path)

    def feed_url(self, obj: dict[str, Any]) -> str:
        prefix = "en_" if self._english(obj) else ""
        if obj["district"] is not None:
            return _absolute(reverse(f"website:{prefix}district_feed", args=[obj["district"].code]))
        return _absolute(reverse(f"website:{prefix}feed"))

    def feed_guid(self, obj: dict[str, Any]) -> str:
        return self.feed_url(obj)

    def items(self, obj: dict[str, Any]) -> list[Report]:
        rows = queries.published()
        if obj["district"] is not None:
            rows = rows.filter(paths.prefix_q(obj["district"].path, "unit_path"))
        return list(rows.prefetch_related(queries.public_photos())[:ITEMS])

    def item_title(self, item: Report) -> str:
        return item.title

    def item_description(self, item: Report) -> str:
        return item.summary

    def item_link(self, item: Report) -> str:
        return _absolute(item.public_path(translation.get_language() or "bn"))

    def item_guid(self, item: Report) -> str:
        return _absolute(item.public_path("bn"))  # one id per report, whatever the language

    def item_pubdate(self, item: Report) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Report) -> datetime.datetime | None:
        return item.public_changed_at

    def item_author_name(self, item: Report) -> str:
        return item.unit.name  # the unit speaks, never a person

    def item_categories(self, item: Report) -> list[str]:
        return [item.category.name]

    def item_enclosures(self, item: Report) -> list[Enclosure]:
        photos = item.public_photos  # type: ignore[attr-defined]
        if not photos:
            return []
        rendition = photos[0].rendition(800)
        url = photo_path(photos[0], rendition["w"], "jpg")
        return [Enclosure(_absolute(url), str(rendition["jpeg"]), "image/jpeg")]
