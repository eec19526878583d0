"""Template helpers for the dashboard: figures in the reader's language, sort links."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from daptar.dashboard.charts import format_figure

register = template.Library()


@register.filter
def figure(value: Any, name: str) -> str:
    """{{ value|figure:"completeness" }} → "72.5%" (in Bengali digits on Bengali pages)."""
    return format_figure(name, value)


@register.simple_tag
def cell(row: Any, name: str) -> SafeString:
    """A table cell's figure; "no data" greyed, so it never reads as a zero."""
    value = row.value(name)
    if value is None:
        return format_html('<span class="nodata">{}</span>', format_figure(name, None))
    return format_html("{}", format_figure(name, value))


@register.simple_tag(takes_context=True)
def sort_query(context: dict[str, Any], key: str) -> str:
    """The query string that sorts the table by *key*: the other way if it already is."""
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    if context.get("sort") == key:
        direction = "asc" if context.get("dir") == "desc" else "desc"
    else:
        direction = "asc" if key == "name" else "desc"
    query["sort"], query["dir"] = key, direction
    return "?" + query.urlencode()
