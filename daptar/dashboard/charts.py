"""How the figures are written and drawn: numbers in the reader's language, the map, sparklines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from daptar.dashboard.figures import District, Point
from daptar.dashboard.measures import ACK_BOUNDS_HOURS, BY_NAME
from daptar.lib.maps import DEFAULT_SCALE, render_map
from daptar.lib.numerals import localise_digits
from daptar.lib.sparklines import sparkline
from daptar.units.models import Unit

#: The measures the page draws a trend line for, with the index first.
TREND = ("index", "ack_on_time", "completeness", "reporting", "attendance")


def language() -> str:
    return "en" if (get_language() or "bn").startswith("en") else "bn"


def _number(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return localise_digits(text, language())


def format_figure(name: str, value: Any) -> str:
    """*value* of measure *name* as the page writes it; "no data" for None."""
    if value is None:
        return _("no data")
    kind = BY_NAME[name].kind
    if kind == "percent":
        return f"{_number(value)}%"
    if kind == "hours":
        if value >= ACK_BOUNDS_HOURS[-1]:
            return _("%(n)s days or more") % {"n": _number(ACK_BOUNDS_HOURS[-1] / 24)}
        if value < 48:
            return _("%(n)s h") % {"n": _number(value)}
        return _("%(n)s days") % {"n": _number(value / 24)}
    if kind == "count":
        return localise_digits(int(value), language())
    return _number(value)


def dashboard_url(unit: Unit, days: int) -> str:
    """Where a district on the map (or a unit in a list) leads: its dashboard, same window."""
    return f"{reverse('dashboard:home')}?unit={unit.pk}&window={days}"


def _scale(name: str) -> Sequence[tuple[float, str]]:
    """Dark green is good: for shares that should be low, the colours run the other way."""
    if not BY_NAME[name].lower_is_better:
        return DEFAULT_SCALE
    colours = [colour for _bound, colour in DEFAULT_SCALE]
    return list(zip([b for b, _c in DEFAULT_SCALE], reversed(colours), strict=True))


def district_map(
    districts: list[District], name: str, *, days: int, link: Callable[[Unit], str]
) -> str:
    """The SVG map of *districts* shaded by measure *name*, each linking to its dashboard."""
    measure = BY_NAME[name]
    titles = {}
    for district in districts:
        names = " + ".join(u.name for u in district.units)
        titles[district.geo_id] = f"{names}: {format_figure(name, district.value)}"
    legend = _("%(measure)s, last %(days)s days") % {
        "measure": measure.label,
        "days": localise_digits(days, language()),
    }
    return render_map(
        {d.geo_id: d.value for d in districts},
        links={d.geo_id: link(d.link_unit) for d in districts},
        titles=titles,
        legend_title=legend,
        scale=_scale(name) if measure.lower_is_better else None,
        language=language(),
        no_data_label=_("no data"),
    )


def trend_lines(points: list[Point]) -> list[dict[str, Any]]:
    """A sparkline per measure in TREND, each labelled with its latest figure."""
    lines = []
    for name in TREND:
        values = [p.index if name == "index" else p.values.get(name) for p in points]
        latest = next((v for v in reversed(values) if v is not None), None)
        label = f"{BY_NAME[name].label}: {format_figure(name, latest)}"
        lines.append(
            {
                "name": name,
                "label": BY_NAME[name].label,
                "latest": latest,
                "svg": sparkline(values, label=label),
            }
        )
    return lines
