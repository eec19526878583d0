"""The dynamism measures and the index: additive counts, and the figures made from them.

Every source row is counted into a `Counts`. Counts add, so a subtree's figures are the
sum of its branches' counts, and a district on the map is the sum of the organisational
districts in it (a metropolitan district is folded into its administrative district this
way: each weighs what was asked of it, not one vote each). Shares, the median and the
index are made from summed counts at the very end, never averaged from other shares.

A measure with nothing to count is `None` ("no data"), never 0: an office that received
no directive has no acknowledgement rate, good or bad.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Windows offered, in days; the first is the default.
WINDOWS = (30, 90, 365)
DEFAULT_WINDOW = WINDOWS[0]

#: The median time to acknowledge is read from a histogram of delays with these upper
#: bounds (hours): one COUNT per bucket is plain SQL on every database, and histograms
#: add up the tree where medians do not. Within a bucket the median is interpolated
#: linearly; a median past the last bound is shown as that bound ("30 days or more").
ACK_BOUNDS_HOURS = (1, 3, 6, 12, 24, 48, 72, 168, 336, 720)

#: Index weights when DAPTAR_DYNAMISM_WEIGHTS is not set: one per measure below.
DEFAULT_WEIGHTS: dict[str, float] = {
    "ack_speed": 10,
    "ack_on_time": 15,
    "overdue": 10,
    "completeness": 15,
    "timeliness": 10,
    "reporting": 15,
    "returned": 5,
    "attendance": 20,
}
#: Acknowledgement speed scores 100 for a median at or under the first figure (hours), 0 at
#: or over the second, linearly between; DAPTAR_DYNAMISM_ACK_HOURS overrides it.
DEFAULT_ACK_HOURS = (24.0, 168.0)


@dataclass(frozen=True)
class Measure:
    """How one figure is named, shown and scored."""

    name: str
    label: str | Promise
    kind: str  # "percent", "hours", "count" or "score"
    source: str  # "directives", "returns", "reports", "meetings" or "" for the index
    lower_is_better: bool = False
    help: str | Promise = ""

    @property
    def on_map(self) -> bool:
        """Figures on a 0–100 scale can shade the map; counts and hours cannot."""
        return self.kind in ("percent", "score")


MEASURES: tuple[Measure, ...] = (
    Measure(
        "ack_median_hours",
        _("Median time to acknowledge"),
        "hours",
        "directives",
        lower_is_better=True,
        help=_("From delivery to acknowledgement, over the directives acknowledged."),
    ),
    Measure(
        "ack_speed",
        _("Acknowledgement speed"),
        "score",
        "directives",
        help=_("The median time to acknowledge as a score: 100 within a day, 0 after a week."),
    ),
    Measure(
        "ack_on_time",
        _("Acknowledged on time"),
        "percent",
        "directives",
        help=_("Of the deliveries whose due time has passed or that were acknowledged."),
    ),
    Measure(
        "overdue",
        _("Overdue now"),
        "percent",
        "directives",
        lower_is_better=True,
        help=_("Delivered directives past their due time and not yet done."),
    ),
    Measure(
        "completeness",
        _("Completeness"),
        "percent",
        "returns",
        help=_("Returns sent of the returns expected, for periods due in the window."),
    ),
    Measure(
        "timeliness",
        _("Timeliness"),
        "percent",
        "returns",
        help=_("Returns sent by the due time, of the returns expected."),
    ),
    Measure(
        "published",
        _("Illustrated reports published"),
        "count",
        "reports",
        help=_("Published in the window and still on the website."),
    ),
    Measure(
        "reporting",
        _("Offices that published"),
        "percent",
        "reports",
        help=_("Offices with at least one illustrated report published, of all open offices."),
    ),
    Measure(
        "returned",
        _("Returned by reviewers"),
        "percent",
        "reports",
        lower_is_better=True,
        help=_("Review decisions that sent a report back, of all review decisions."),
    ),
    Measure(
        "attendance",
        _("Meeting attendance"),
        "percent",
        "meetings",
        help=_("Invited office bearers present, at meetings whose attendance was taken."),
    ),
)
INDEX = Measure(
    "index",
    _("Dynamism index"),
    "score",
    "",
    help=_("The weighted mean of the scores that have data, 0–100."),
)
BY_NAME: dict[str, Measure] = {m.name: m for m in (INDEX, *MEASURES)}
MAP_MEASURES: tuple[Measure, ...] = tuple(m for m in (INDEX, *MEASURES) if m.on_map)


@dataclass
class Counts:
    """What one branch (or the whole subtree, or one slice of time) did in the window."""

    # Directives: deliveries received in the window.
    delivered: int = 0
    acknowledged: int = 0
    # Cumulative: acknowledged within each bound of ACK_BOUNDS_HOURS.
    ack_within: list[int] = field(default_factory=lambda: [0] * len(ACK_BOUNDS_HOURS))
    decided: int = 0  # the due time has passed, or it was acknowledged
    ack_on_time: int = 0
    overdue: int = 0
    # Information returns: expected rows of periods due in the window.
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    # Meetings: invited office bearers, at meetings whose attendance was taken.
    invited: int = 0
    present: int = 0
    # Illustrated reports.
    published: int = 0
    reporting_units: int = 0
    reviewed: int = 0
    returned: int = 0
    # Open offices (the denominator of "offices that published").
    units: int = 0

    def add(self, other: Counts | Mapping[str, Any]) -> Counts:
        """Add *other* (another Counts, or a row of counts by field name) in place."""
        if isinstance(other, Counts):
            other = other.as_dict()
        for f in fields(self):
            value = other.get(f.name)
            if value is None:
                continue
            if f.name == "ack_within":
                self.ack_within = [a + b for a, b in zip(self.ack_within, value, strict=True)]
            else:
                setattr(self, f.name, getattr(self, f.name) + value)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def active(self) -> bool:
        """Anything at all to count: something delivered, expected, invited or reviewed."""
        return bool(
            self.delivered or self.expected or self.invited or self.published or self.reviewed
        )


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, never above 100; None when there is nothing to count."""
    if not whole:
        return None
    return round(min(100.0, 100.0 * part / whole), 1)


def median_hours(acknowledged: int, within: list[int]) -> float | None:
    """The median delay read from the cumulative histogram, interpolated in its bucket."""
    if not acknowledged:
        return None
    half = acknowledged / 2
    lower_bound, lower_count = 0.0, 0
    for bound, count in zip(ACK_BOUNDS_HOURS, within, strict=True):
        if count >= half:
            # lower_count < half <= count, so the bucket is not empty.
            fraction = (half - lower_count) / (count - lower_count)
            return round(lower_bound + (bound - lower_bound) * fraction, 1)
        lower_bound, lower_count = float(bound), count
    return float(ACK_BOUNDS_HOURS[-1])


def ack_hours() -> tuple[float, float]:
    """(good, poor) hours for the speed score, read from settings at call time."""
    good, poor = getattr(settings, "DAPTAR_DYNAMISM_ACK_HOURS", DEFAULT_ACK_HOURS)
    good, poor = float(good), float(poor)
    if not 0 <= good < poor:
        raise ImproperlyConfigured(
            "DAPTAR_DYNAMISM_ACK_HOURS must be (good, poor), 0 <= good < poor"
        )
    return good, poor


def speed_score(median: float | None, good: float, poor: float) -> float | None:
    if median is None:
        return None
    if median <= good:
        return 100.0
    if median >= poor:
        return 0.0
    return round(100.0 * (poor - median) / (poor - good), 1)


def figures(counts: Counts, *, hours: tuple[float, float] | None = None) -> dict[str, Any]:
    """Every measure of *counts*, by name (None where there is no data)."""
    good, poor = hours or ack_hours()
    median = median_hours(counts.acknowledged, counts.ack_within)
    active = counts.active
    return {
        "ack_median_hours": median,
        "ack_speed": speed_score(median, good, poor),
        "ack_on_time": share(counts.ack_on_time, counts.decided),
        "overdue": share(counts.overdue, counts.delivered),
        "completeness": share(counts.submitted, counts.expected),
        "timeliness": share(counts.on_time, counts.expected),
        # An office with no activity at all has no data here either, not "0 published".
        "published": counts.published if active else None,
        "reporting": share(counts.reporting_units, counts.units) if active else None,
        "returned": share(counts.returned, counts.reviewed),
        "attendance": share(counts.present, counts.invited),
    }


def weights() -> dict[str, float]:
    """The index weights from DAPTAR_DYNAMISM_WEIGHTS (read now), else the defaults.

    A configured dict replaces the defaults: a measure it leaves out weighs 0.
    """
    configured = getattr(settings, "DAPTAR_DYNAMISM_WEIGHTS", None)
    if configured is None:
        return dict(DEFAULT_WEIGHTS)
    unknown = set(configured) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ImproperlyConfigured(
            f"DAPTAR_DYNAMISM_WEIGHTS names unknown measures {sorted(unknown)}; "
            f"known: {sorted(DEFAULT_WEIGHTS)}"
        )
    out: dict[str, float] = {}
    for name in DEFAULT_WEIGHTS:
        value = float(configured.get(name, 0))
        if not math.isfinite(value) or value < 0:
            raise ImproperlyConfigured(f"DAPTAR_DYNAMISM_WEIGHTS[{name!r}] must be 0 or more")
        out[name] = value
    if not sum(out.values()):
        raise ImproperlyConfigured("DAPTAR_DYNAMISM_WEIGHTS gives every measure 0")
    return out


def score(name: str, value: float | None) -> float | None:
    """The 0–100 score of a measure, higher is better: shares that should be low count
    as 100 minus themselves."""
    if value is None:
        return None
    return 100.0 - value if BY_NAME[name].lower_is_better else float(value)


def dynamism_index(values: Mapping[str, Any], weights: Mapping[str, float]) -> float | None:
    """The weighted mean of the scores that have data, 0–100; None when none has.

    Measures without data are left out and the others' weights scaled up, so an office
    that holds no meetings is judged on what it does do, neither helped nor punished.
    """
    total = weighted = 0.0
    for name, weight in weights.items():
        value = score(name, values.get(name))
        if value is None or not weight:
            continue
        weighted += weight * value
        total += weight
    return round(weighted / total, 1) if total else None
