"""Recommendation: jurisdiction first, then distance; exclusions explained; KNN uses the index."""
import pytest
from sqlalchemy import text

from dispatch.inspections import recommend
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from tests.conftest import bearer
from tests.dispatch_fixtures import (
    SITE,
    add_employer,
    add_inspection,
    add_inspector,
    committed,  # noqa: F401 (fixture)
    metres_east,
)

SETTINGS = DispatchSettings()


@pytest.fixture()
def scene(db):
    """Every other inspector off duty (rolled back afterwards); hand-placed officers around a site."""
    db.execute(text("UPDATE officers SET status = 'off_duty' WHERE kind = 'inspector'"))
    employer = add_employer(db, lon=SITE[0], lat=SITE[1])
    at = lambda m: metres_east(*SITE, m)  # noqa: E731
    ids = {
        "near_same_county": add_inspector(db, lon=at(1000)[0], lat=SITE[1]),
        "far_same_county": add_inspector(db, lon=at(3000)[0], lat=SITE[1]),
        "nearest_other_county": add_inspector(db, lon=at(300)[0], lat=SITE[1], county="410103"),
        "next_other_county": add_inspector(db, lon=at(400)[0], lat=SITE[1], county="410103"),
        "stale": add_inspector(db, lon=at(100)[0], lat=SITE[1], minutes_old=90),
        "uncertified": add_inspector(db, lon=at(150)[0], lat=SITE[1], certified=False),
        "on_site": add_inspector(db, lon=at(120)[0], lat=SITE[1], status="on_site"),
        "recused": add_inspector(db, lon=at(130)[0], lat=SITE[1]),
    }
    db.execute(text("INSERT INTO recusals (officer_id, employer_id, reason, county_adcode) "
                    "VALUES (:o, :e, '配偶任职', '410102')"),
               {"o": ids["recused"], "e": employer})
    inspection = add_inspection(db, lon=SITE[0], lat=SITE[1], employer_id=employer)
    return ids, inspection


def test_same_county_team_ranks_before_a_nearer_team_from_elsewhere(db, scene):
    ids, inspection = scene
    result = recommend.recommend(db, inspection, SETTINGS)
    best = result["teams"][0]
    assert set(best["officer_ids"]) == {ids["near_same_county"], ids["far_same_county"]}
    assert best["tier"] == 1 and 2900 < best["distance_m"] < 3100
    assert best["eta_min"] > 0 and any("same county" in str(r) for r in best["reasons"])
    others = [t for t in result["teams"]
              if set(t["officer_ids"]) == {ids["nearest_other_county"], ids["next_other_county"]}]
    assert others and result["teams"].index(others[0]) > 0


def test_every_left_out_officer_nearby_has_its_reason(db, scene):
    ids, inspection = scene
    reasons = {e["officer_id"]: str(e["reason"])  # a Text: str() is its English
               for e in recommend.recommend(db, inspection, SETTINGS)["excluded"]}
    assert "older than 30 min" in reasons[ids["stale"]]
    assert "not certified" in reasons[ids["uncertified"]]
    assert "on_site" in reasons[ids["on_site"]]
    assert "recused" in reasons[ids["recused"]]


def test_stale_positions_are_used_when_the_dispatcher_asks(db, scene):
    ids, inspection = scene
    result = recommend.recommend(db, inspection, SETTINGS, include_stale=True)
    assert any(ids["stale"] in t["officer_ids"] for t in result["teams"])


def test_no_team_when_fewer_than_two_candidates(db, scene):
    ids, inspection = scene
    db.execute(text("UPDATE officers SET status = 'off_duty' WHERE id <> :o AND kind = 'inspector'"),
               {"o": ids["near_same_county"]})
    result = recommend.recommend(db, inspection, SETTINGS)
    assert result["teams"] == [] and result["candidates"] == 1


@pytest.mark.parametrize("counties", [None, ["410102", "410103"]])
def test_knn_query_uses_the_gist_index(db, counties):
    plan = "\n".join(db.execute(text("EXPLAIN " + recommend.KNN_SQL), {
        "x": SITE[0], "y": SITE[1], "employer": -1, "stale": 30, "include_stale": False,
        "k": 40, "counties": counties, **officers.certified_params(365)}).scalars())
    if counties is None:
        assert "idx_officers_geom" in plan, plan
    else:  # a territory: its few officers by county index (or by distance), never all of them
        assert "Seq Scan on officers" not in plan and "Index" in plan, plan


def test_recommendations_api_and_unknown_inspection(client, tokens, committed):  # noqa: F811
    h = bearer(tokens["dispatcher"])
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    ours = {committed.inspector(lon=metres_east(*SITE, m)[0], lat=SITE[1]) for m in (40, 60)}
    body = client.get(f"/api/v1/inspections/{inspection}/recommendations", headers=h).get_json()
    assert {"teams", "excluded"} <= set(body)
    assert body["teams"] and body["candidates"] >= len(ours)  # ours at least make a team
    for team in body["teams"]:
        assert len(team["officer_ids"]) >= 2 and team["distance_m"] >= 0
    assert client.get("/api/v1/inspections/999999/recommendations", headers=h).status_code == 404
