"""The grid planning API: edit sets, split, merge, coverage; bad input changes nothing."""
from __future__ import annotations

import pytest
import shapely
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo.grids import coverage
from tests.conftest import bearer
from tests.dispatch_fixtures import committed  # noqa: F401 (fixture)
from tests.grid_edit_fixtures import county_state, grid, moved_border, neighbours, restored

COUNTY = "410104"  # 管城回族区: only dry runs and refused requests here
SPLIT = "411424"   # committed, then put back


@pytest.fixture()
def planner(tokens):
    return bearer(tokens["planner"])


@pytest.fixture()
def pair(db):
    a, b = neighbours(db, COUNTY)
    return moved_border(db, a, b)


def edit(client, headers, **body):
    return client.post("/api/v1/grid-edits", json={"county": COUNTY, **body}, headers=headers)


def test_a_dry_run_previews_the_impact_and_writes_nothing(client, planner, pair, db):
    before = county_state(db, COUNTY)
    r = edit(client, planner, changes=[pair["a"], pair["b"]], dry_run=True)
    body = r.get_json()
    assert r.status_code == 200 and body["valid"] and not body["committed"]
    assert body["versions"] == {} and body["problems"] == []
    grids = {g["grid"]: g for g in body["impact"]["grids"]}
    a, b = grids[pair["a"]["id"]], grids[pair["b"]["id"]]
    assert a["area_km2_after"] > a["area_km2_before"] and b["area_km2_after"] < b["area_km2_before"]
    assert 0 < a["compactness_after"] <= 1 and a["staff"] >= 1
    moved = body["impact"]["employers_moved"]
    assert a["employers_after"] - a["employers_before"] == \
        sum(1 for m in moved["items"] if m["to_grid"] == a["grid"]) - \
        sum(1 for m in moved["items"] if m["from_grid"] == a["grid"])
    county = body["impact"]["county"]
    assert county["coverage_before"]["covered_pct"] == pytest.approx(100, abs=1e-4)
    assert county["coverage_after"]["covered_pct"] == pytest.approx(100, abs=1e-4)
    assert {g["grid"] for g in county["balance"]} >= {pair["a"]["id"], pair["b"]["id"]}
    db.rollback()
    assert county_state(db, COUNTY) == before


def test_an_invalid_edit_set_is_422_with_every_problem_at_once(client, planner, pair, db):
    before = county_state(db, COUNTY)
    line = {"type": "LineString", "coordinates": [[113.7, 34.7], [113.8, 34.8]]}
    r = edit(client, planner, dry_run=False, reason="test",
             changes=[pair["a"], {"op": "create", "code": "T-LINE", "name": "线", "geometry": line}])
    assert r.status_code == 422
    problems = r.get_json()["error"]["details"]["problems"]
    assert [p["kind"] for p in problems] == ["overlap", "not_polygonal"]
    assert all({"grid", "kind", "message", "geometry"} <= set(p) for p in problems)
    assert problems[0]["geometry"]["type"] == "Polygon" and problems[1]["grid"] == "T-LINE"
    db.rollback()
    assert county_state(db, COUNTY) == before


@pytest.mark.parametrize("send, status, says", [
    ({"data": "{not json", "content_type": "application/json"}, 400, "malformed"),
    ({"json": ["a list"]}, 400, "JSON object"),
    ({"json": {"county": COUNTY}}, 400, "changes"),
    ({"json": {"county": COUNTY, "changes": "all"}}, 400, "changes"),
    ({"json": {"county": "4101", "changes": [{"op": "delete", "id": 1, "version": 1}]}}, 400,
     "county"),
    ({"json": {"county": COUNTY, "changes": [{"op": "delete", "id": 99999999, "version": 1}]}},
     404, "99999999"),
    ({"json": {"county": COUNTY, "changes": [{"op": "explode", "id": 1}]}}, 400, "op"),
    ({"json": {"county": COUNTY, "dry_run": False, "changes": [
        {"op": "delete", "id": 1, "version": 1}]}}, 400, "reason"),
])
def test_bad_requests_are_clear_4xx_and_change_nothing(client, planner, db, send, status, says):
    before = county_state(db, COUNTY)
    r = client.post("/api/v1/grid-edits", headers=planner, **send)
    assert r.status_code == status, r.get_json()
    assert says in r.get_json()["error"]["message"]
    db.rollback()
    assert county_state(db, COUNTY) == before


def test_a_grid_of_another_county_and_a_stale_version_are_refused(client, planner, pair, db):
    other = grid(db, db.execute(text("SELECT min(id) FROM grids WHERE county_adcode = '410102'")
                                ).scalar_one())
    r = edit(client, planner, dry_run=False, reason="x", changes=[
        pair["a"], pair["b"], {"op": "update", "id": other["id"], "version": other["version"],
                               "geometry": other["geometry"]}])
    assert r.status_code == 422
    assert [p["kind"] for p in r.get_json()["error"]["details"]["problems"]] == ["other_county"]
    stale = edit(client, planner, dry_run=True,
                 changes=[pair["a"] | {"version": pair["a"]["version"] - 1}, pair["b"]])
    assert stale.status_code == 409
    assert stale.get_json()["error"]["details"]["grid"] == pair["a"]["id"]


@pytest.mark.parametrize("role, status", [("planner", 200), ("admin", 200), ("command", 403),
                                          ("dispatcher", 403), ("inspector", 403)])
def test_only_planners_and_admins_edit_grids(client, tokens, pair, role, status):
    r = edit(client, bearer(tokens[role]), changes=[pair["a"], pair["b"]], dry_run=True)
    assert r.status_code == status


def test_split_then_merge_brings_the_county_back_to_its_shapes(client, planner, sessions):
    with sessions() as s:
        target = s.execute(text("SELECT id, version FROM grids WHERE county_adcode = :c "
                                "ORDER BY ST_Area(geom) DESC LIMIT 1"), {"c": SPLIT}).one()
        x0, y0, x1, y1 = s.execute(text(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM grids "
            "WHERE id = :id"), {"id": target[0]}).one()
        before = county_state(s, SPLIT)
    xm = (x0 + x1) / 2
    line = {"type": "LineString", "coordinates": [[xm, y0 - 0.01], [xm + 1e-4, y1 + 0.01]]}
    url = f"/api/v1/grids/{target[0]}/split"
    with restored(sessions, SPLIT):
        miss = client.post(url, headers=planner, json={"version": target[1], "line": {
            "type": "LineString", "coordinates": [[x1 + 1, y0], [x1 + 1, y1]]}})
        assert miss.status_code == 422
        preview = client.post(url, headers=planner, json={"version": target[1], "line": line})
        assert preview.status_code == 200, preview.get_json()
        made = [g for g in preview.get_json()["impact"]["grids"] if g["op"] == "create"]
        assert len(made) == 1 and made[0]["code"].startswith(SPLIT + "-")
        done = client.post(url, headers=planner, json={"version": target[1], "line": line,
                                                       "dry_run": False, "reason": "拆分"})
        assert done.status_code == 200, done.get_json()
        versions = done.get_json()["versions"]
        new_id = next(int(i) for i in versions if int(i) != target[0])
        apart = client.post("/api/v1/grids/merge", headers=planner, json={
            "ids": [target[0], min(g[0] for g in before["grids"] if g[0] != target[0])],
            "versions": {}})
        assert apart.status_code == 400  # versions missing
        merged = client.post("/api/v1/grids/merge", headers=planner, json={
            "ids": [target[0], new_id], "versions": versions, "dry_run": False,
            "reason": "合并"})
        assert merged.status_code == 200, merged.get_json()
        with sessions() as s:
            after = county_state(s, SPLIT)
            assert [g[0] for g in after["grids"]] == [g[0] for g in before["grids"]]
            assert after["employers"] == before["employers"]
            same = s.execute(text("""
                SELECT ST_Area(ST_SymDifference(g.geom, CAST(:old AS geometry))) * 1.2e10
                FROM grids g WHERE g.id = :id"""),
                {"id": target[0], "old": bytes(dict((g[0], g[4]) for g in before["grids"])
                                               [target[0]]).hex()}).scalar_one()
            assert same < 1.0  # m², roughly: the shape came back


def test_merging_grids_that_do_not_touch_is_refused(client, planner, db):
    rows = db.execute(text("""
        SELECT a.id, a.version, b.id, b.version FROM grids a JOIN grids b
          ON b.county_adcode = a.county_adcode AND a.id < b.id
        WHERE NOT ST_Intersects(a.geom, b.geom) ORDER BY a.id LIMIT 1""")).one()
    r = client.post("/api/v1/grids/merge", headers=planner, json={
        "ids": [rows[0], rows[2]], "versions": {str(rows[0]): rows[1], str(rows[2]): rows[3]}})
    assert r.status_code == 422
    assert r.get_json()["error"]["details"]["problems"][0]["kind"] == "not_adjacent"


def test_coverage_of_a_county_matches_its_grids_and_shapely(client, tokens, db):
    r = client.get(f"/api/v1/coverage?area={COUNTY}", headers=bearer(tokens["inspector"]))
    body = r.get_json()
    assert r.status_code == 200 and body["gaps"]["features"] == []
    assert body["overlaps"]["features"] == []
    grids, county, k = _shapes(db, COUNTY)
    m2 = coverage.M2_PER_DEG2 * k
    assert body["covered_km2"] == pytest.approx(sum(g.area for g in grids) * m2 / 1e6, abs=1e-6)
    assert body["area_km2"] == pytest.approx(county.area * m2 / 1e6, abs=1e-6)
    assert body["covered_pct"] == pytest.approx(100, abs=1e-6)
    assert body["employers_outside_grids"] == 0 and body["grids_without_staff"] == 0


def test_coverage_reports_a_removed_grid_as_a_gap_like_shapely(db):
    grid_id = db.execute(text("SELECT min(id) FROM grids WHERE county_adcode = :c"),
                         {"c": COUNTY}).scalar_one()
    db.execute(text("DELETE FROM grids WHERE id = :g"), {"g": grid_id})
    body = coverage.coverage(db, COUNTY, staff=staff_per_grid)
    grids, county, k = _shapes(db, COUNTY)
    m2 = coverage.M2_PER_DEG2 * k
    gap = county.difference(shapely.union_all(grids))
    assert body["gap_km2"] * 1e6 == pytest.approx(gap.area * m2, abs=1.0)
    assert sum(f["properties"]["area_m2"] for f in body["gaps"]["features"]) == \
        pytest.approx(gap.area * m2, abs=1.0)
    assert body["employers_outside_grids"] > 0 and body["covered_pct"] < 100
    city = coverage.coverage(db, "410100", staff=staff_per_grid)
    assert city["gap_km2"] == pytest.approx(body["gap_km2"], abs=1e-6)


def _shapes(db, county):
    grids = [shapely.from_wkb(bytes(g)) for g in db.execute(text(
        "SELECT ST_AsBinary(geom) FROM grids WHERE county_adcode = :c"), {"c": county}).scalars()]
    shape, k = db.execute(text("SELECT ST_AsBinary(geom), cos(radians(ST_Y(ST_Centroid(geom)))) "
                               "FROM admin_areas WHERE level = 'county' AND adcode = :c"),
                          {"c": county}).one()
    return grids, shapely.from_wkb(bytes(shape)), k


def test_staff_follow_their_grid_through_split_and_merge(client, planner, sessions, committed):
    """Each grid worker of a changed grid ends in the grid holding most of its old
    territory; the answer tells the planner who moved; a merge never leaves one gridless."""
    with sessions() as s:
        target = s.execute(text("SELECT id, version FROM grids WHERE county_adcode = :c "
                                "ORDER BY ST_Area(geom) DESC LIMIT 1"), {"c": SPLIT}).one()
        x0, y0, x1, y1, lon, lat = s.execute(text(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom), "
            "ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM grids "
            "WHERE id = :id"), {"id": target[0]}).one()
    xm = x0 + (x1 - x0) * 0.3
    line = {"type": "LineString", "coordinates": [[xm, y0 - 0.01], [xm + 1e-4, y1 + 0.01]]}
    with restored(sessions, SPLIT):
        worker = committed.inspector(lon=lon, lat=lat, county=SPLIT, kind="grid_worker",
                                     grid_id=target[0])
        done = client.post(f"/api/v1/grids/{target[0]}/split", headers=planner, json={
            "version": target[1], "line": line, "dry_run": False, "reason": "拆分"})
        assert done.status_code == 200, done.get_json()
        versions = done.get_json()["versions"]
        new_id = next(int(i) for i in versions if int(i) != target[0])
        with sessions() as s:
            old = s.execute(text("SELECT geom_before FROM grid_history WHERE grid_id = :g "
                                 "ORDER BY id DESC LIMIT 1"), {"g": target[0]}).scalar_one()
            keeps = s.execute(text("""
                SELECT id FROM grids WHERE id = ANY(:ids)
                ORDER BY ST_Area(ST_Intersection(geom, CAST(:old AS geometry))) DESC LIMIT 1"""),
                {"ids": [target[0], new_id], "old": old}).scalar_one()
            now_in = s.execute(text("SELECT grid_id FROM officers WHERE id = :o"),
                               {"o": worker}).scalar_one()
        assert now_in == keeps
        moved = done.get_json()["staff_moved"]
        assert ([m["officer_id"] for m in moved] == [worker]) == (keeps != target[0])
        # a second worker in the other grid; merge the two: the removed grid's worker moves
        other = new_id if keeps == target[0] else target[0]
        second = committed.inspector(lon=lon, lat=lat, county=SPLIT, kind="grid_worker",
                                     grid_id=other)
        merged = client.post("/api/v1/grids/merge", headers=planner, json={
            "ids": [target[0], new_id], "versions": versions, "dry_run": False,
            "reason": "合并"})
        assert merged.status_code == 200, merged.get_json()
        with sessions() as s:
            grids = dict(s.execute(text("SELECT id, grid_id FROM officers WHERE id = ANY(:o)"),
                                   {"o": [worker, second]}).all())
            alive = s.execute(text("SELECT id FROM grids WHERE id = ANY(:ids)"),
                              {"ids": [target[0], new_id]}).scalars().all()
        assert len(alive) == 1 and set(grids.values()) == set(alive)
        report = merged.get_json()["staff_moved"]
        assert report and all(m["to_grid"] == alive[0] and m["from_grid"] != alive[0]
                              for m in report)
        with sessions() as s:
            assert s.execute(text("SELECT count(*) FROM audit_log WHERE action = 'follow_grid' "
                                  "AND entity_id = ANY(:o)"),
                             {"o": [str(worker), str(second)]}).scalar_one() >= len(report)
