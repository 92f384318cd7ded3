"""Each validation rule of a grid edit set, on the demo grids, in rolled-back sessions."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo.core.errors import Conflict, InvalidInput, NotFound
from geo.grids.edits import service as grid_edits
from geo.grids.settings import PlanningSettings
from tests.grid_edit_fixtures import FULL, area_m2, grid, moved_border, neighbours

COUNTY = "410103"  # 二七区: read-only here, every session is rolled back
SETTINGS = PlanningSettings()


def preview(db, changes, county=COUNTY, **overrides):
    settings = PlanningSettings(**overrides) if overrides else SETTINGS
    return grid_edits.preview(db, county=county, changes=changes, settings=settings,
                              staff=staff_per_grid)


def kinds(result, key="problems"):
    return [p["kind"] for p in result[key]]


@pytest.fixture()
def pair(db):
    a, b = neighbours(db, COUNTY)
    return moved_border(db, a, b)


def test_moving_a_shared_border_in_both_grids_is_valid(db, pair):
    result = preview(db, [pair["a"], pair["b"]])
    assert result["valid"], result["problems"]
    assert result["problems"] == []


def test_growing_one_grid_into_its_neighbour_is_an_overlap_with_its_polygon(db, pair):
    result = preview(db, [pair["a"]])
    assert not result["valid"] and kinds(result) == ["overlap"]
    overlap = result["problems"][0]
    assert overlap["grid"] == pair["a"]["id"] and overlap["other_grid"] == pair["b"]["id"]
    assert overlap["geometry"]["type"] == "Polygon"
    assert overlap["area_m2"] == pytest.approx(area_m2(db, pair["piece"]), rel=1e-3)


def test_shrinking_one_grid_leaves_a_gap_with_its_polygon_and_area(db, pair):
    result = preview(db, [pair["b"]])
    assert not result["valid"] and kinds(result) == ["gap"]
    gap = result["problems"][0]
    assert gap["grid"] == pair["b"]["id"] and gap["geometry"]["type"] == "Polygon"
    assert gap["area_m2"] == pytest.approx(area_m2(db, pair["piece"]), rel=1e-3)
    after = result["impact"]["county"]["coverage_after"]
    assert after["gap_m2"] == pytest.approx(gap["area_m2"], rel=1e-3)
    assert after["covered_pct"] < 100 - 1e-4


@pytest.mark.parametrize("inner, what", [(0.005 * (1 - 2e-5), "overlapping"),
                                         (0.005 * (1 + 2e-5), "uncovered")])
def test_slivers_under_the_tolerance_are_snapped_and_reported(db, inner, what):
    a, b = neighbours(db, COUNTY)
    pair = moved_border(db, a, b, 0.005, inner)
    result = preview(db, [pair["a"], pair["b"]])
    assert result["valid"], result["problems"]
    slivers = [w for w in result["warnings"] if w["kind"] == "sliver_snapped"]
    assert slivers and what in str(slivers[0]["message"])
    assert 1 <= slivers[0]["area_m2"] <= SETTINGS.gap_tolerance_m2
    after = result["impact"]["county"]["coverage_after"]
    assert after["gap_m2"] < 1 and after["overlap_m2"] < 1  # the snap closed it


def test_a_sliver_above_a_lower_tolerance_is_an_error(db):
    a, b = neighbours(db, COUNTY)
    pair = moved_border(db, a, b, 0.005, 0.005 * (1 + 2e-5))
    result = preview(db, [pair["a"], pair["b"]], gap_tolerance_m2=0.5)
    assert kinds(result) == ["gap"]


def test_self_intersection_is_reported_where_it_crosses_with_a_repair(db):
    a = grid(db, neighbours(db, COUNTY)[0])
    x0, y0, x1, y1 = db.execute(text("SELECT ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g) "
                                     "FROM (SELECT geom AS g FROM grids WHERE id = :id) s"),
                                {"id": a["id"]}).one()
    bowtie = {"type": "Polygon",
              "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]}
    result = preview(db, [{"op": "update", "id": a["id"], "version": a["version"],
                           "geometry": bowtie}])
    bad = [p for p in result["problems"] if p["kind"] == "self_intersection"]
    assert len(bad) == 1 and not result["valid"]
    x, y = bad[0]["geometry"]["coordinates"]
    assert x == pytest.approx((x0 + x1) / 2) and y == pytest.approx((y0 + y1) / 2)
    assert bad[0]["repair"]["type"] in ("MultiPolygon", "Polygon")


@pytest.mark.parametrize("geometry, kind", [
    ({"type": "Polygon", "coordinates": "no"}, "unparsable"),
    ({"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.7, 34.7]]]}, "unparsable"),
    ({"coordinates": []}, "unparsable"),
    ("POLYGON((0 0, 1 0, 1 1, 0 0))", "unparsable"),
    ({"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.7, float("nan")], [113.6, 34.8],
                                          [113.6, 34.7]]]}, "unparsable"),
    ({"type": "LineString", "coordinates": [[113.6, 34.7], [113.7, 34.7]]}, "not_polygonal"),
    ({"type": "Point", "coordinates": [113.6, 34.7]}, "not_polygonal"),
    ({"type": "Polygon", "coordinates": []}, "empty"),
])
def test_unreadable_shapes_are_problems_naming_the_grid(db, geometry, kind):
    a = grid(db, neighbours(db, COUNTY)[0])
    result = preview(db, [{"op": "update", "id": a["id"], "version": a["version"],
                           "geometry": geometry}])
    assert not result["valid"] and kinds(result) == [kind]
    assert result["problems"][0]["grid"] == a["id"] and result["problems"][0]["message"]


def test_shapes_outside_henan_are_rejected_and_swapped_coordinates_are_named(db):
    a = grid(db, neighbours(db, COUNTY)[0])
    flipped = db.execute(text(f"SELECT ST_AsGeoJSON(ST_FlipCoordinates(geom), {FULL})::json "
                              "FROM grids WHERE id = :id"), {"id": a["id"]}).scalar_one()
    beijing = {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0],
                                                   [116.3, 39.9]]]}
    for shape, swapped in ((flipped, True), (beijing, False)):
        result = preview(db, [{"op": "update", "id": a["id"], "version": a["version"],
                               "geometry": shape}])
        assert kinds(result) == ["outside_henan"], result["problems"]
        assert result["problems"][0]["swapped"] is swapped
        assert ("swapped" in str(result["problems"][0]["message"])) is swapped


def test_a_grid_reaching_into_the_next_county_is_rejected_with_the_part_outside(db):
    a, b = neighbours(db, COUNTY)
    row = db.execute(text(f"""
        WITH g AS (SELECT geom FROM grids WHERE id = :a),
        c AS (SELECT geom FROM admin_areas WHERE level = 'county' AND adcode = :county),
        edge AS (SELECT ST_ClosestPoint(ST_Boundary(c.geom), ST_Centroid(g.geom)) AS p
                 FROM g, c)
        SELECT ST_AsGeoJSON(ST_Multi(ST_Union(g.geom, ST_Difference(ST_Buffer(edge.p, 0.01),
                                                                       c.geom))), {FULL})::json,
               ST_Area(ST_Difference(ST_Buffer(edge.p, 0.01), c.geom)) > 0
        FROM g, c, edge"""), {"a": a, "county": COUNTY}).one()
    assert row[1]
    result = preview(db, [{"op": "update", "id": a, "version": grid(db, a)["version"],
                           "geometry": row[0]}])
    assert "outside_county" in kinds(result)
    outside = next(p for p in result["problems"] if p["kind"] == "outside_county")
    assert outside["area_m2"] > SETTINGS.outside_tolerance_m2


def test_a_grid_smaller_than_the_minimum_area_is_rejected(db, pair):
    result = preview(db, [pair["a"], pair["b"]], min_grid_area_m2=1e12)
    assert kinds(result) == ["too_small", "too_small"]
    assert {p["grid"] for p in result["problems"]} == {pair["a"]["id"], pair["b"]["id"]}


def test_a_multipart_grid_is_a_warning_not_an_error(db):
    a, b = neighbours(db, COUNTY)
    row = db.execute(text(f"""
        WITH b AS (SELECT geom FROM grids WHERE id = :b),
        island AS (SELECT ST_Buffer(ST_PointOnSurface(b.geom), 0.002) AS geom FROM b)
        SELECT ST_AsGeoJSON(ST_Multi(ST_Union(a.geom, island.geom)), {FULL})::json,
               ST_AsGeoJSON(ST_Multi(ST_Difference(b.geom, island.geom)), {FULL})::json
        FROM grids a, island, b WHERE a.id = :a AND ST_Within(island.geom, b.geom)
          AND NOT ST_Intersects(island.geom, a.geom)"""), {"a": a, "b": b}).one()
    parts_before = db.execute(text("SELECT ST_NumGeometries(geom) FROM grids WHERE id = :a"),
                              {"a": a}).scalar_one()
    result = preview(db, [{"op": "update", "id": a, "version": grid(db, a)["version"],
                           "geometry": row[0]},
                          {"op": "update", "id": b, "version": grid(db, b)["version"],
                           "geometry": row[1]}])
    assert result["valid"], result["problems"]
    multipart = [w for w in result["warnings"] if w["kind"] == "multipart"]
    assert multipart[0]["grid"] == a and multipart[0]["parts"] == parts_before + 1


def test_deleting_a_grid_alone_leaves_a_gap_but_merging_it_into_a_neighbour_is_valid(db):
    a, b = neighbours(db, COUNTY)
    ga, gb = grid(db, a), grid(db, b)
    gone = preview(db, [{"op": "delete", "id": a, "version": ga["version"]}])
    assert set(kinds(gone)) == {"gap"}  # one per part of the deleted grid
    assert {p["grid"] for p in gone["problems"]} == {a}
    merged = db.execute(text(f"SELECT ST_AsGeoJSON(ST_Multi(ST_Union(x.geom, y.geom)), {FULL})"
                             "::json FROM grids x, grids y WHERE x.id = :a AND y.id = :b"),
                        {"a": a, "b": b}).scalar_one()
    result = preview(db, [{"op": "delete", "id": a, "version": ga["version"]},
                          {"op": "update", "id": b, "version": gb["version"], "geometry": merged}])
    assert result["valid"], result["problems"]
    county = result["impact"]["county"]
    assert county["grids_after"] == county["grids_before"] - 1


def test_a_created_grid_needs_a_free_code(db, pair):
    a = grid(db, pair["a"]["id"])
    piece = {"op": "create", "code": a["code"], "name": "新网格", "geometry": pair["piece"]}
    shrunk = pair["b"]
    result = preview(db, [piece, shrunk])
    assert kinds(result) == ["duplicate_code"] and result["problems"][0]["grid"] == a["code"]
    result = preview(db, [piece | {"code": "TEST-NEW-1"}, shrunk])
    assert result["valid"], result["problems"]
    impact = {g["grid"]: g for g in result["impact"]["grids"]}
    assert impact["TEST-NEW-1"]["op"] == "create"
    assert impact["TEST-NEW-1"]["employers_before"] is None


def test_a_grid_of_another_county_is_a_problem(db, pair):
    other = db.execute(text("SELECT id, version FROM grids WHERE county_adcode = '410102' "
                            "ORDER BY id LIMIT 1")).one()
    result = preview(db, [pair["a"], pair["b"],
                          {"op": "delete", "id": other[0], "version": other[1]}])
    assert kinds(result) == ["other_county"] and result["problems"][0]["grid"] == other[0]
    assert "410102" in str(result["problems"][0]["message"])


def test_stale_versions_unknown_grids_and_malformed_changes_raise(db, pair):
    with pytest.raises(Conflict) as stale:
        preview(db, [pair["a"] | {"version": pair["a"]["version"] + 1}, pair["b"]])
    assert stale.value.details["grid"] == pair["a"]["id"]
    with pytest.raises(NotFound):
        preview(db, [{"op": "delete", "id": 99_999_999, "version": 1}])
    for bad in ([], [{"op": "move"}], [{"op": "update", "id": "1", "version": 1}],
                [pair["a"], pair["a"]], [{"op": "create", "code": "X", "name": "x"}]):
        with pytest.raises(InvalidInput):
            preview(db, bad)
    with pytest.raises(InvalidInput):
        preview(db, [pair["a"]], county="410100")  # a city
    with pytest.raises(NotFound):
        preview(db, [pair["a"]], county="419999")


def test_drawn_vertices_a_few_centimetres_off_snap_onto_the_neighbours(db, pair):
    """A browser rounds to 6 decimals: the shared border must still close without slivers."""
    def rounded(geometry):
        def walk(c):
            return [walk(x) for x in c] if isinstance(c[0], list) else [round(v, 6) for v in c]
        return geometry | {"coordinates": walk(geometry["coordinates"])}
    a = pair["a"] | {"geometry": rounded(pair["a"]["geometry"])}
    b = pair["b"] | {"geometry": rounded(pair["b"]["geometry"])}
    result = preview(db, [a, b])
    assert not [p for p in result["problems"] if p["kind"] in ("gap", "overlap")]
    after = result["impact"]["county"]["coverage_after"]
    assert after["gap_m2"] < 1 and after["overlap_m2"] < 1
