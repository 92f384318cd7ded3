"""Auto-partition: a real county tiled exactly by contiguous grids balanced by employer count."""
import json

import numpy as np
import pytest
import shapely
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo.employers.service import assign_to_grids
from geo.grids.edits import service as grid_edits
from geo.grids.planning import partition
from tests.conftest import bearer
from tests.tiling import tiling_errors

URL = "/api/v1/counties/{}/partition"


def propose(client, token, county, **body):
    return client.post(URL.format(county), json=body, headers=bearer(token))


def biggest_single_polygon_county(db) -> str:
    return db.execute(text("""
        SELECT e.county_adcode FROM employers e
        JOIN admin_areas a ON a.level = 'county' AND a.adcode = e.county_adcode
        WHERE ST_NumGeometries(a.geom) = 1
        GROUP BY e.county_adcode ORDER BY count(*) DESC, e.county_adcode LIMIT 1""")).scalar_one()


def apply_in_transaction(db, county: str, changes: list[dict]) -> None:
    """Replace the county's grids by the proposal in the test's rolled-back session."""
    deleted = [c["id"] for c in changes if c["op"] == "delete"]
    db.execute(text("DELETE FROM grids WHERE id = ANY(:ids)"), {"ids": deleted})
    for c in changes:
        if c["op"] == "create":
            db.execute(text("""
                INSERT INTO grids (code, name, county_adcode, geom)
                VALUES (:code, :name, :county,
                        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326)))"""),
                       {"code": c["code"], "name": c["name"], "county": county,
                        "g": json.dumps(c["geometry"])})
    assign_to_grids(db, county)


@pytest.mark.parametrize("county, grids", [("410102", 3), ("410102", 5), ("biggest", 6)])
def test_partition_tiles_a_real_county_exactly_with_contiguous_balanced_grids(
        client, tokens, db, county, grids):
    county = biggest_single_polygon_county(db) if county == "biggest" else county
    before = db.execute(text("SELECT id, version FROM grids WHERE county_adcode = :c"),
                        {"c": county}).all()
    r = propose(client, tokens["planner"], county, grids=grids)
    body = r.get_json()
    assert r.status_code == 200, body
    deletes = {(c["id"], c["version"]) for c in body["changes"] if c["op"] == "delete"}
    assert deletes == {tuple(row) for row in before}
    assert sum(c["op"] == "create" for c in body["changes"]) == grids

    apply_in_transaction(db, county, body["changes"])
    (tiling,) = tiling_errors(db, county)
    assert abs(tiling["gap_m2"]) < 1 and tiling["overlap_m2"] < 1 and tiling["outside_m2"] < 1
    shapes = db.execute(text("""
        SELECT g.code, ST_NumGeometries(g.geom) AS parts, ST_IsValid(g.geom) AS valid,
               (SELECT count(*) FROM employers e WHERE e.grid_id = g.id) AS employers
        FROM grids g WHERE g.county_adcode = :c ORDER BY g.code"""), {"c": county}).all()
    assert all(s.parts == 1 and s.valid for s in shapes), shapes
    counts = np.array([s.employers for s in shapes])
    in_county = db.execute(text("""
        SELECT count(*) FROM employers e JOIN admin_areas a
            ON a.level = 'county' AND a.adcode = e.county_adcode
        WHERE e.county_adcode = :c AND ST_Intersects(a.geom, e.geom)"""), {"c": county}).scalar()
    assert counts.sum() == in_county  # every employer in exactly one new grid
    assert np.abs(counts - counts.mean()).max() <= 0.15 * counts.mean(), counts
    balance = body["report"]["balance"]
    assert balance["within_target"] and balance["max"] == counts.max() \
        and balance["min"] == counts.min()
    assert 0 < body["report"]["compactness"]["polsby_popper_mean"] <= 1


def test_partition_into_one_grid_gives_the_county_itself(client, tokens, db):
    r = propose(client, tokens["admin"], "410102", grids=1)
    (create,) = [c for c in r.get_json()["changes"] if c["op"] == "create"]
    differs_m2 = db.execute(text("""
        SELECT ST_Area(ST_SymDifference(a.geom, ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326))
                       ::geography)
        FROM admin_areas a WHERE a.level = 'county' AND a.adcode = '410102'"""),
                            {"g": json.dumps(create["geometry"])}).scalar()
    assert differs_m2 < 1.0


def test_employers_per_grid_sets_the_number_of_grids(client, tokens, db):
    employers = len(partition.county_employers(db, "410102")[0])
    r = propose(client, tokens["planner"], "410102", employers_per_grid=20)
    assert r.status_code == 200
    assert r.get_json()["grids"] == round(employers / 20)


def test_a_proposal_writes_nothing(client, tokens, db):
    def state():
        return db.execute(text("""SELECT count(*), sum(version), (SELECT count(*) FROM audit_log)
                                  FROM grids WHERE county_adcode = '410102'""")).one()
    before = state()
    assert propose(client, tokens["planner"], "410102", grids=4).status_code == 200
    db.rollback()
    assert state() == before


@pytest.mark.parametrize("county, body, status", [
    ("410102", {}, 400),
    ("410102", {"grids": 0}, 400),
    ("410102", {"grids": -2}, 400),
    ("410102", {"grids": 2.5}, 400),
    ("410102", {"grids": "3"}, 400),
    ("410102", {"grids": 3, "employers_per_grid": 20}, 400),
    ("410102", {"employers_per_grid": 0}, 400),
    ("410102", {"grids": 100000}, 422),
    ("410100", {"grids": 3}, 400),  # a city
    ("410000", {"grids": 3}, 400),  # the province
    ("419999", {"grids": 3}, 404),
])
def test_bad_partition_requests_are_refused_with_a_message(client, tokens, county, body, status):
    r = propose(client, tokens["planner"], county, **body)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["error"]["message"]


def test_more_grids_than_employers_is_refused(client, tokens, db):
    employers = len(partition.county_employers(db, "410102")[0])
    r = propose(client, tokens["planner"], "410102", grids=employers + 1)
    assert r.status_code == 422 and str(employers) in r.get_json()["error"]["message"]


def test_the_preview_of_geo_grid_edits_is_attached_when_it_works(client, tokens, monkeypatch):
    seen = {}

    def fake_preview(session, *, county, changes, settings, staff):
        seen.update(county=county, changes=changes, staff=staff)
        return {"valid": True, "problems": [], "impact": {"grids": len(changes)}}

    monkeypatch.setattr(grid_edits, "preview", fake_preview)
    body = propose(client, tokens["planner"], "410102", grids=2).get_json()
    assert body["preview_status"] == "ok" and body["preview"]["valid"]
    assert seen["county"] == "410102" and seen["changes"] == body["changes"]
    assert seen["staff"] is staff_per_grid  # the web layer passes dispatch's staff counts


def u_shape():
    """A U-shaped area near Zhengzhou (lon/lat), 3 × 3 km with a 1 km-wide notch."""
    s = 0.01
    outer = shapely.box(113.6, 34.7, 113.6 + 3 * s, 34.7 + 3 * s)
    notch = shapely.box(113.6 + s, 34.7 + s, 113.6 + 2 * s, 34.7 + 3 * s)
    return outer.difference(notch)


def test_cuts_never_leave_a_grid_in_pieces_in_a_concave_area():
    area = u_shape()
    rng = np.random.default_rng(3)
    pts = rng.uniform(area.bounds[:2], area.bounds[2:], size=(3000, 2))
    pts = pts[shapely.contains_xy(area, pts[:, 0], pts[:, 1])][:1200]
    for n in (2, 3, 4, 5, 7):
        parts = partition.partition(area, pts[:, 0], pts[:, 1], n)
        assert len(parts) == n
        assert all(len(shapely.get_parts(p)) == 1 for p in parts), n
        union = shapely.union_all(parts)
        assert abs(union.area - area.area) < 1e-12 and union.symmetric_difference(area).area < 1e-12
        assert sum(p.area for p in parts) == pytest.approx(area.area, abs=1e-12)  # no overlaps
        counts = np.array([shapely.contains_xy(p, pts[:, 0], pts[:, 1]).sum() for p in parts])
        assert counts.sum() == len(pts)
        assert np.abs(counts - counts.mean()).max() <= 0.15 * counts.mean(), (n, counts)


def test_co_located_employers_stay_together():
    area = shapely.box(113.6, 34.7, 113.63, 34.73)
    x = np.r_[np.full(5, 113.615), np.linspace(113.601, 113.629, 15)]
    y = np.r_[np.full(5, 34.715), np.linspace(34.701, 34.729, 15)]
    parts = partition.partition(area, x, y, 4)
    holders = [p for p in parts if shapely.contains_xy(p, 113.615, 34.715)]
    assert len(holders) == 1
