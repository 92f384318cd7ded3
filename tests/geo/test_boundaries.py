"""Tests for the committed Henan boundary files in data/henan/ (built by data/build_boundaries.py)."""

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

DATA = Path(__file__).resolve().parents[2] / "data" / "henan"
PROPS = {"adcode", "name", "level", "parent_adcode"}
MAX_KM2 = 0.01
BOX = (110.0, 31.0, 117.0, 37.0)  # lon/lat box around Henan
TO_EQUAL_AREA = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True)


def load(name):
    """Return [(properties, geometry)] from one GeoJSON file."""
    fc = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    return [(f["properties"], shapely.from_geojson(json.dumps(f["geometry"]))) for f in fc["features"]]


@pytest.fixture(scope="module")
def province():
    return load("province.geojson")


@pytest.fixture(scope="module")
def cities():
    return load("cities.geojson")


@pytest.fixture(scope="module")
def counties():
    return load("counties.geojson")


def equal_area(geom):
    """Project a lon/lat geometry (or array) to EPSG:6933 metres."""
    return shapely.transform(geom, lambda x, y: TO_EQUAL_AREA.transform(x, y), interleaved=False)


def gap_and_overlap_km2(whole, parts):
    """Gap (whole not covered), overlap (pairwise) and outside (parts beyond whole) areas in km²."""
    whole = equal_area(whole)
    parts = equal_area(np.array(parts, dtype=object))
    union = shapely.union_all(parts)
    i, j = shapely.STRtree(parts).query(parts, predicate="intersects")
    keep = i < j
    overlap = shapely.area(shapely.intersection(parts[i[keep]], parts[j[keep]])).sum()
    return whole.difference(union).area / 1e6, overlap / 1e6, union.difference(whole).area / 1e6


def test_province(province):
    assert len(province) == 1
    props, _ = province[0]
    assert props == {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None}


def test_counties_codes_and_names(counties):
    assert len(counties) == 157
    codes = [p["adcode"] for p, _ in counties]
    assert len(set(codes)) == 157
    assert codes == sorted(codes)
    for props, _ in counties:
        assert set(props) == PROPS
        assert isinstance(props["adcode"], str) and len(props["adcode"]) == 6 and props["adcode"].isdigit()
        assert props["adcode"].startswith("41")
        assert isinstance(props["name"], str) and props["name"].strip()
        assert props["level"] == "county"


def test_eighteen_prefecture_level_units(cities):
    assert len(cities) == 18
    codes = [p["adcode"] for p, _ in cities]
    assert codes == sorted(codes) and len(set(codes)) == 18
    assert "419001" in codes  # 济源
    for props, _ in cities:
        assert set(props) == PROPS
        assert props["level"] == "city" and props["parent_adcode"] == "410000" and props["name"].strip()
    names = {p["adcode"]: p["name"] for p, _ in cities}
    assert names["410100"] == "郑州市" and names["419001"] == "济源市"


def test_county_parents_are_cities(cities, counties):
    city_codes = {p["adcode"] for p, _ in cities}
    for props, _ in counties:
        assert props["parent_adcode"] in city_codes
        expected = "419001" if props["adcode"] == "419001" else props["adcode"][:4] + "00"
        assert props["parent_adcode"] == expected
    assert {p["parent_adcode"] for p, _ in counties} == city_codes


@pytest.mark.parametrize("level", ["cities", "counties"])
def test_units_tile_the_province(level, province, cities, counties):
    parts = [g for _, g in (cities if level == "cities" else counties)]
    gap, overlap, outside = gap_and_overlap_km2(province[0][1], parts)
    assert gap < MAX_KM2
    assert overlap < MAX_KM2
    assert outside < MAX_KM2


def test_counties_tile_their_city(cities, counties):
    for props, city in cities:
        kids = [g for p, g in counties if p["parent_adcode"] == props["adcode"]]
        assert kids, props
        assert max(gap_and_overlap_km2(city, kids)) < MAX_KM2, props["adcode"]


def test_geometries_valid_and_in_henan(province, cities, counties):
    for props, geom in province + cities + counties:
        assert geom.geom_type == "MultiPolygon", props
        assert geom.is_valid and not geom.is_empty, props
        minx, miny, maxx, maxy = geom.bounds
        assert BOX[0] < minx and maxx < BOX[2] and BOX[1] < miny and maxy < BOX[3], props


def test_province_area_plausible(province):
    area = equal_area(province[0][1]).area / 1e6
    assert 160_000 < area < 170_000  # Henan is about 165,700 km²
