"""Committing grid edit sets: atomicity, races, history, revert, and employers re-assigned."""
from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import pytest
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo.employers import credit_code
from geo.grids.edits import service as grid_edits
from geo.grids.settings import PlanningSettings
from tests.conftest import bearer
from tests.grid_edit_fixtures import county_state, moved_border, neighbours, restored

# Committed tests each own a county and put it back afterwards.
RACE, FAILING, HISTORY, SJOIN = "411421", "411422", "411423", "411502"


def post(client, tokens, body, role="planner", path="/api/v1/grid-edits"):
    return client.post(path, json=body, headers=bearer(tokens[role]))


def edit_set(db, county, **body):
    a, b = neighbours(db, county)
    pair = moved_border(db, a, b)
    return {"county": county, "changes": [pair["a"], pair["b"]], "reason": "新工业园区", **body}


def test_two_planners_racing_on_the_same_grids_one_wins_one_gets_409(app, sessions, tokens):
    s = sessions()
    body = edit_set(s, RACE, dry_run=False)
    a = body["changes"][0]["id"]
    s.close()
    barrier, answers = threading.Barrier(2), []

    def planner():
        client = app.test_client()
        barrier.wait()
        r = post(client, tokens, body)
        answers.append((r.status_code, r.get_json()))

    with restored(sessions, RACE):
        threads = [threading.Thread(target=planner) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(code for code, _ in answers) == [200, 409]
        lost = next(body for code, body in answers if code == 409)
        assert lost["error"]["details"]["grid"] in (a, body["changes"][1]["id"])
        assert "version" in lost["error"]["message"]
        with sessions() as check:
            rows = check.execute(text("SELECT version, op, reason, changed_by FROM grid_history "
                                      "WHERE grid_id = :a"), {"a": a}).all()
            assert len(rows) == 1 and rows[0][1:] == ("update", "新工业园区", "test-planner")
            assert check.execute(text("SELECT version FROM grids WHERE id = :a"),
                                 {"a": a}).scalar_one() == body["changes"][0]["version"] + 1


@pytest.mark.parametrize("target", ["geo.grids.edits.service.assign_to_grids", "geo.accounts.audit.record"])
def test_an_error_in_the_middle_of_a_commit_leaves_nothing_changed(app, sessions, tokens,
                                                                   monkeypatch, target):
    with sessions() as s:
        body = edit_set(s, FAILING, dry_run=False)
        before = county_state(s, FAILING)
    calls = []

    def fail(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("disk full")

    with restored(sessions, FAILING):
        monkeypatch.setattr(target, fail)
        r = post(app.test_client(), tokens, body)
        assert r.status_code == 500 and calls
        with sessions() as s:
            assert county_state(s, FAILING) == before


def test_a_commit_bumps_versions_writes_history_and_audit_and_reverts_with_its_partner(
        client, sessions, tokens):
    with sessions() as s:
        body = edit_set(s, HISTORY, dry_run=False)
        original = county_state(s, HISTORY)
    a, b = (c["id"] for c in body["changes"])
    va = body["changes"][0]["version"]
    with restored(sessions, HISTORY):
        r = post(client, tokens, body)
        assert r.status_code == 200, r.get_json()
        answer = r.get_json()
        assert answer["committed"] and answer["valid"]
        assert answer["versions"] == {str(a): va + 1, str(b): body["changes"][1]["version"] + 1}
        with sessions() as s:
            assert county_state(s, HISTORY)["history"] == original["history"] + 2
            audit = s.execute(text("SELECT action, actor FROM audit_log WHERE entity = 'grid' "
                                   "AND entity_id = :a ORDER BY id DESC LIMIT 1"),
                              {"a": str(a)}).one()
            assert tuple(audit) == ("grid_update", "test-planner")
            _employers_are_in_the_grid_containing_them(s, HISTORY)

        h = client.get(f"/api/v1/grids/{a}/history", headers=bearer(tokens["inspector"]))
        item = h.get_json()["items"][0]
        assert h.status_code == 200 and item["version"] == va + 1 and item["reason"] == "新工业园区"
        assert item["changed_by"] == "test-planner"
        assert item["area_km2_after"] > item["area_km2_before"]

        alone = post(client, tokens, {"version": va, "with_partners": False, "dry_run": True},
                     path=f"/api/v1/grids/{a}/revert")
        assert alone.status_code == 422  # b still gives up the piece a no longer takes
        assert {p["kind"] for p in alone.get_json()["error"]["details"]["problems"]} == {"gap"}
        back = post(client, tokens, {"version": va, "dry_run": False, "reason": "撤销"},
                    path=f"/api/v1/grids/{a}/revert")
        assert back.status_code == 200, back.get_json()
        vb = body["changes"][1]["version"]
        assert back.get_json()["versions"] == {str(a): va + 2, str(b): vb + 2}
        with sessions() as s:
            now = county_state(s, HISTORY)
            shapes = dict((g[0], g[4]) for g in now["grids"])
            assert shapes == dict((g[0], g[4]) for g in original["grids"])
            assert now["employers"] == original["employers"]


def _employers_are_in_the_grid_containing_them(s, county):
    wrong = s.execute(text("""
        SELECT e.id FROM employers e
        WHERE e.county_adcode = :c AND e.grid_id IS DISTINCT FROM (
            SELECT g.id FROM grids g WHERE g.county_adcode = :c AND ST_Intersects(g.geom, e.geom)
            ORDER BY g.id LIMIT 1)"""), {"c": county}).all()
    assert wrong == []


def test_reassignment_after_an_edit_equals_a_geopandas_sjoin(db):
    rng = np.random.default_rng(3)
    a, b = neighbours(db, SJOIN)
    pair = moved_border(db, a, b, radius_deg=0.02)
    # Crowd the moved border with employers, so that many change grid.
    n = 1500
    x0, y0 = pair["at"]
    xs, ys = x0 + rng.normal(0, 0.02, n), y0 + rng.normal(0, 0.02, n)
    codes = credit_code.generate(np.full(n, SJOIN), rng)
    db.execute(text("""
        INSERT INTO employers (credit_code, name, geom, location_source, county_adcode)
        SELECT c, 'sjoin test ' || c, ST_SetSRID(ST_MakePoint(x, y), 4326), 'survey', :county
        FROM unnest(CAST(:codes AS text[]), CAST(:xs AS float8[]), CAST(:ys AS float8[])) u(c, x, y)
        WHERE ST_Intersects((SELECT geom FROM admin_areas WHERE level = 'county'
                             AND adcode = :county), ST_SetSRID(ST_MakePoint(x, y), 4326))
    """), {"codes": codes, "xs": xs.tolist(), "ys": ys.tolist(), "county": SJOIN})
    from geo.employers.service import assign_to_grids
    assign_to_grids(db, SJOIN)
    result = grid_edits.commit(db, county=SJOIN, changes=[pair["a"], pair["b"]], reason="sjoin",
                               actor="tests", settings=PlanningSettings(), staff=staff_per_grid)
    assert result["impact"]["employers_moved"]["count"] > 50

    con = db.connection()
    employers = gpd.read_postgis(text("SELECT id, grid_id, geom FROM employers "
                                      "WHERE county_adcode = :c"), con, params={"c": SJOIN})
    grids = gpd.read_postgis(text("SELECT id AS grid, geom FROM grids WHERE county_adcode = :c"),
                             con, params={"c": SJOIN})
    joined = gpd.sjoin(employers, grids, predicate="intersects", how="left")
    expected = joined.groupby("id")["grid"].min()
    ours = employers.set_index("id")["grid_id"]
    assert len(ours) > n / 2
    expected = expected.reindex(ours.index).fillna(-1).astype(int)
    assert (ours.fillna(-1).astype(int) == expected).all()
    moved = {m["id"] for m in result["impact"]["employers_moved"]["items"]}
    assert moved and all(ours[i] in (a, b) for i in moved)
