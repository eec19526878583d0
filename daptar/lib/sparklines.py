"""Tiny trend lines as inline SVG, drawn on the server: no script, no style attribute.

A sparkline is a few hundred bytes of markup in the page itself, so it costs no request on
a slow line and passes the pages' Content Security Policy. Missing points (no data in that
slice) break the line rather than drop it to zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    out: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append(point)
    return [s for s in out if s]


def sparkline(
    values: Sequence[float | None],
    *,
    label: str,
    width: int = 96,
    height: int = 24,
    low: float = 0.0,
    high: float = 100.0,
    colour: str = "#0b6e4f",
) -> SafeString:
    """An inline ``<svg>`` drawing *values* left to right between *low* and *high*.

    *label* is its accessible name and tooltip (say what is drawn and the latest figure).
    A lone point between gaps is drawn as a dot.
    """
    pad = 2.0
    span = (high - low) or 1.0
    count = len(values)
    step = (width - 2 * pad) / (count - 1) if count > 1 else 0.0
    points: list[tuple[float, float] | None] = []
    for i, value in enumerate(values):
        if value is None:
            points.append(None)
            continue
        clamped = min(max(float(value), low), high)
        y = pad + (height - 2 * pad) * (1 - (clamped - low) / span)
        points.append((round(pad + i * step, 1), round(y, 1)))
    parts = [
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img" aria-label={quoteattr(label)}>',
        f"<title>{escape(label)}</title>",
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="#d7e0db"'
        ' stroke-width="1"/>',
    ]
    for segment in _segments(points):
        if len(segment) == 1:
            x, y = segment[0]
            parts.append(f'<circle cx="{x}" cy="{y}" r="1.8" fill="{colour}"/>')
        else:
            coords = " ".join(f"{x},{y}" for x, y in segment)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.6"'
                ' stroke-linejoin="round" stroke-linecap="round"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above from numbers and escaped text
