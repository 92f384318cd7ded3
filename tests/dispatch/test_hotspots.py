"""Hotspots: Gi* equals esda on independently built weights; classes, cache, bad input."""
import json

import numpy as np
import pytest
from esda import G_Local
from h3.api import basic_int as h3
from libpysal.weights import W
from sqlalchemy import text

from dispatch.analytics import h3cells, hotspots, jobs, risk
from dispatch.analytics.settings import RiskSettings
from geo.core.db import unit_of_work
from tests.conftest import bearer
from tests.dispatch_fixtures import add_employer

SETTINGS = RiskSettings()


def test_parent_cell_in_sql_equals_h3_cell_to_parent(db):
    rng = np.random.default_rng(3)
    cells = h3cells.cells(rng.uniform(31.4, 36.3, 50), rng.uniform(110.4, 116.6, 50),
                          h3cells.STORED_RES)
    for res in (4, 6, 8, 10):
        got = db.execute(text(f"SELECT {h3cells.parent_sql('c')} FROM unnest(CAST(:cells AS "
                              f"bigint[])) AS t(c)"), {"cells": cells.tolist(), "res": res}
                         ).scalars().all()
        assert got == [h3.cell_to_parent(int(c), res) for c in cells]


def test_gi_star_equals_esda_on_a_w_built_from_the_neighbour_dict(db):
    counties = ["410102", "410103", "410104", "410105"]
    risk.refresh(db, counties, SETTINGS)
    ours = hotspots.compute(db, counties, "risk", 8, SETTINGS)
    # Independently: each employer's stored-resolution cell from its coordinates and its
    # res-8 ancestor (H3's hierarchy), the mean stored score per cell, and a classic
    # libpysal W from the grid_disk neighbour dict.
    rows = db.execute(text("""
        SELECT ST_Y(e.geom), ST_X(e.geom), r.score::float8 FROM employer_risk r
        JOIN employers e ON e.id = r.employer_id WHERE r.county_adcode = ANY(:c)
    """), {"c": counties}).all()
    by_cell: dict[int, list[float]] = {}
    for lat, lon, score in rows:
        cell = h3.cell_to_parent(h3.latlng_to_cell(lat, lon, h3cells.STORED_RES), 8)
        by_cell.setdefault(cell, []).append(score)
    cells = sorted(by_cell)
    y = np.array([np.mean(by_cell[c]) for c in cells])
    index = {c: i for i, c in enumerate(cells)}
    neighbours = {i: [index[d] for d in h3.grid_disk(c, 1) if d in index]
                  for i, c in enumerate(cells)}
    expected = G_Local(y, W(neighbours, silence_warnings=True), transform="B",
                       permutations=0, star=True)
    assert ours["cell"].tolist() == cells
    assert len(cells) > 100
    np.testing.assert_allclose(ours["value"], y, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["z"], expected.Zs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["p"], 2 * expected.p_norm, rtol=0, atol=1e-12)


def test_a_planted_cluster_is_hot_at_99_percent_and_classes_follow_fdr():
    centre = h3.latlng_to_cell(34.75, 113.65, 8)
    cells = np.array(sorted(h3.grid_disk(centre, 6)), dtype=np.int64)
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 10, len(cells))
    hot = set(h3.grid_disk(centre, 1))
    values[[i for i, c in enumerate(cells) if c in hot]] = 100
    z, p = hotspots.gi_star(values, hotspots.neighbour_graph(cells))
    bins, cutoffs = hotspots.classify(z, p)
    assert bins[np.searchsorted(cells, centre)] == 3
    assert cutoffs["99"] <= cutoffs["95"] <= cutoffs["90"]
    for b, zi, pi in zip(bins, z, p):
        expected = next((lvl for lvl, key in ((3, "99"), (2, "95"), (1, "90"))
                         if pi <= cutoffs[key]), 0)
        assert b == (np.sign(zi) * expected if expected else 0)


def test_a_result_is_reused_until_a_complaint_changes_the_area(db):
    employer = add_employer(db, lon=113.7312, lat=34.7719, county="410105")

    def complain():
        db.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, workers_affected, geom,
                                    status)
            SELECT id, county_adcode, 'wage_arrears', 1, geom, 'received' FROM employers
            WHERE id = :e"""), {"e": employer})

    complain()  # inputs no other test has seen, so nothing is cached for them yet
    first = hotspots.refresh(db, area="410105", metric="complaints", res=8, settings=SETTINGS)
    again = hotspots.refresh(db, area="410105", metric="complaints", res=8, settings=SETTINGS)
    assert (first.reused, again.reused, again.id) == (False, True, first.id)
    read = hotspots.get(db, area="410105", metric="complaints", res=8, settings=SETTINGS)
    assert (read.reused, read.id, read.etag) == (True, first.id, first.etag)
    complain()
    behind = hotspots.get(db, area="410105", metric="complaints", res=8, settings=SETTINGS)
    assert behind.reused and behind.id == first.id  # a read does not rescore the county
    changed = hotspots.refresh(db, area="410105", metric="complaints", res=8, settings=SETTINGS)
    assert not changed.reused and changed.id != first.id
    assert changed.fingerprint != first.fingerprint and changed.etag != first.etag
    other = hotspots.refresh(db, area="410105", metric="complaints", res=7, settings=SETTINGS)
    assert not other.reused  # each resolution is its own cache entry


def test_a_read_behind_the_cache_computes_the_same_answer_without_storing_it(db):
    counties = ["410102"]
    risk.refresh(db, counties, SETTINGS)
    db.execute(text("DELETE FROM hotspot_results WHERE area_adcode = '410102'"))
    computed = hotspots.get(db, area="410102", metric="risk", res=8, settings=SETTINGS)
    assert computed.id is None and not computed.reused and computed.cells > 0
    assert db.execute(text("SELECT count(*) FROM hotspot_results WHERE area_adcode = '410102'")
                      ).scalar_one() == 0
    stored = hotspots.refresh(db, area="410102", metric="risk", res=8, settings=SETTINGS)
    assert stored.etag == computed.etag and stored.cells == computed.cells

    def features(result, significant):
        body = json.loads(hotspots.geojson(db, result, significant_only=significant))
        return body["features"], body["fdr_cutoffs"]

    for significant in (False, True):
        assert features(computed, significant) == features(stored, significant)


def test_hotspots_api_serves_hexagons_and_answers_304_when_unchanged(client, tokens, sessions):
    with unit_of_work(sessions) as s:  # the refresh job, as `prepare` runs it
        hotspots.refresh(s, area="410102", metric="risk", res=8, settings=SETTINGS)
    h = bearer(tokens["planner"])
    r = client.get("/api/v1/hotspots?area=410102&metric=risk", headers=h)
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    body = r.get_json()
    assert body["res"] == 8 and body["cells"] == len(body["features"]) > 0
    feature = body["features"][0]
    assert set(feature["properties"]) >= {"h3", "value", "z", "p", "class"}
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    assert h3.latlng_to_cell(ring[0][1], ring[0][0], 8) is not None
    again = client.get("/api/v1/hotspots?area=410102&metric=risk", headers=h)
    assert again.headers["X-Hotspots-Reused"] == "true"
    assert again.headers["ETag"] == r.headers["ETag"]
    cached = client.get("/api/v1/hotspots?area=410102&metric=risk",
                        headers={**h, "If-None-Match": r.headers["ETag"]})
    assert cached.status_code == 304
    significant = client.get("/api/v1/hotspots?area=410102&metric=risk&significant=true",
                             headers=h).get_json()
    assert all(f["properties"]["class"] != "not_significant" for f in significant["features"])


@pytest.mark.parametrize("query, status", [
    ("area=419998", 404), ("area=4101", 400), ("area=410102&metric=wages", 400),
    ("area=410102&res=3", 400), ("area=410102&res=11", 400), ("area=410102&res=eight", 400),
    ("metric=risk", 400), ("area=410102&significant=yes", 400)])
def test_bad_hotspot_requests_are_refused(client, tokens, query, status):
    r = client.get(f"/api/v1/hotspots?{query}", headers=bearer(tokens["command"]))
    assert r.status_code == status, r.get_json()


def test_the_refresh_job_caches_every_map_layer_and_then_has_nothing_to_do(db):
    first = jobs.refresh_all(db, SETTINGS)
    assert first["hotspot_views"] >= 1 + 17 + 100  # the province, its cities and counties
    assert jobs.refresh_all(db, SETTINGS) == {
        "project_warnings_changed": 0, "counties_rescored": 0,
        "hotspot_views": first["hotspot_views"], "hotspots_recomputed": 0}
    for area, res in (("410000", 6), ("410100", 7), ("410102", 8)):
        assert hotspots.get(db, area=area, metric="risk", res=res, settings=SETTINGS).reused
