"""Territory beyond the matrix: what county and city users' lists, searches and tiles hold,
recommendations and cross-county requests, the audit log, pages opening on the user's area."""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from tests.conftest import bearer
from tests.territory_fixtures import world  # noqa: F401 (fixture)


def test_county_lists_hold_only_the_county(client, world):
    """Without an `area`, a county user's lists and searches are their county's."""
    h = bearer(world["tokens"][("county", "dispatcher")])
    found = client.get("/api/v1/employers?q=测试单位&per_page=100", headers=h).get_json()
    assert found["items"] and {e["county_adcode"] for e in found["items"]} == {"410102"}
    items = client.get("/api/v1/inspections?limit=1000", headers=h).get_json()["items"]
    assert items and {i["county_adcode"] for i in items} == {"410102"}
    complaints = client.get("/api/v1/complaints", headers=h).get_json()["items"]
    assert complaints and {c["county_adcode"] for c in complaints} == {"410102"}
    cases = client.get("/api/v1/cases", headers=h).get_json()["items"]
    assert cases and {c["county_adcode"] for c in cases} == {"410102"}
    officers = client.get("/api/v1/officers", headers=h).get_json()["items"]
    assert officers and {o["county_adcode"] for o in officers} == {"410102"}
    grids = client.get("/api/v1/grids/search?q=4101", headers=h).get_json()["items"]
    assert grids and {g["county_adcode"] for g in grids} == {"410102"}
    # the province sees more than one county in the same lists
    hp = bearer(world["tokens"][("province", "dispatcher")])
    wide = client.get("/api/v1/employers?q=测试单位&per_page=100", headers=hp).get_json()
    assert len({e["county_adcode"] for e in wide["items"]}) > 1


def test_city_user_sees_the_counties_of_the_city(client, world):
    h = bearer(world["tokens"][("city", "dispatcher")])
    items = client.get("/api/v1/inspections?limit=1000", headers=h).get_json()["items"]
    counties = {i["county_adcode"] for i in items}
    assert {"410102", "410105"} <= counties and all(c.startswith("4101") for c in counties)


def test_tiles_hold_only_the_territory(client, world, sessions):
    """A tile over 金水区's employer: the city user sees it, the 中原区 user does not."""
    import math
    with sessions() as s:
        lon, lat = s.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM employers WHERE id = :i"),
                             {"i": world["records"]["410105"]["employer"]}).one()
    z = 16
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    def ids(level):
        r = client.get(f"/api/v1/tiles/employers/{z}/{x}/{y}.pbf",
                       headers=bearer(world["tokens"][(level, "command")]))
        assert r.status_code == 200
        layer = mapbox_vector_tile.decode(r.data).get("employers", {"features": []})
        return {f["properties"]["id"] for f in layer["features"]}, r.headers["ETag"]

    city, city_tag = ids("city")
    county, county_tag = ids("county")
    assert world["records"]["410105"]["employer"] in city
    assert world["records"]["410105"]["employer"] not in county
    assert city_tag != county_tag  # cached apart


def test_recommendations_and_assignment_stop_at_the_county(client, world):
    """A 中原区 dispatcher never sees nor sends 金水区's inspector without a request; after
    the request is approved by 金水区's side (the city), they may."""
    ours, theirs = world["records"]["410102"], world["records"]["410105"]
    h = bearer(world["tokens"][("county", "dispatcher")])
    rec = client.get(f"/api/v1/inspections/{ours['inspection']}/recommendations",
                     headers=h).get_json()
    seen = {i for t in rec["teams"] for i in t["officer_ids"]} | \
        {e["officer_id"] for e in rec["excluded"]}
    assert theirs["officer"] not in seen
    r = client.post(f"/api/v1/inspections/{ours['inspection']}/assign", headers=h,
                    json={"officer_ids": [ours["officer"], theirs["officer"]]})
    assert r.status_code == 403 and r.get_json()["error"]["details"]["officer_id"] == \
        theirs["officer"]
    assert client.get(f"/api/v1/officers/{theirs['officer']}", headers=h).status_code == 404
    # raise the request; the requester cannot approve it; 金水区's side (the city) can
    r = client.post("/api/v1/officer-loans", headers=h, json={
        "requesting_county": "410102", "lending_county": "410105", "reason": "人手不足",
        "hours": 4, "inspection_id": ours["inspection"]})
    assert r.status_code == 201, r.get_json()
    loan = r.get_json()["id"]
    assert client.post(f"/api/v1/officer-loans/{loan}/decision", headers=h,
                       json={"decision": "approve"}).status_code == 403
    hc = bearer(world["tokens"][("city", "dispatcher")])
    r = client.post(f"/api/v1/officer-loans/{loan}/decision", headers=hc,
                    json={"decision": "approve", "note": "同意"})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert client.post(f"/api/v1/officer-loans/{loan}/decision", headers=hc,
                       json={"decision": "refuse"}).status_code == 409
    # now visible and assignable
    assert client.get(f"/api/v1/officers/{theirs['officer']}", headers=h).status_code == 200
    listed = client.get("/api/v1/officer-loans", headers=h).get_json()["items"]
    assert any(x["id"] == loan and x["status"] == "approved" for x in listed)
    # withdrawn: back to the county alone
    r = client.post(f"/api/v1/officer-loans/{loan}/withdraw", headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/officers/{theirs['officer']}", headers=h).status_code == 404


def test_loan_while_approved_lets_the_team_be_assigned(client, world, db):
    ours, theirs = world["records"]["410102"], world["records"]["410105"]
    h = bearer(world["tokens"][("county", "dispatcher")])
    loan = client.post("/api/v1/officer-loans", headers=h, json={
        "requesting_county": "410102", "lending_county": "410105", "reason": "专项检查"}
    ).get_json()["id"]
    client.post(f"/api/v1/officer-loans/{loan}/decision",
                headers=bearer(world["tokens"][("city", "admin")]), json={"decision": "approve"})
    r = client.post(f"/api/v1/inspections/{ours['inspection']}/assign", headers=h,
                    json={"officer_ids": [ours["officer"], theirs["officer"]]})
    assert r.status_code not in (403, 404, 500), r.get_json()
    client.post(f"/api/v1/inspections/{ours['inspection']}/cancel", headers=h,
                json={"reason": "测试结束"})
    client.post(f"/api/v1/officer-loans/{loan}/withdraw", headers=h)
    audit = db.execute(text("SELECT action FROM audit_log WHERE entity = 'officer_loan' "
                            "AND entity_id = :i ORDER BY id"), {"i": str(loan)}).scalars().all()
    assert audit == ["request", "approve", "withdraw"]


def test_bad_loans_are_refused(client, world):
    h = bearer(world["tokens"][("county", "dispatcher")])
    for body, status in (
            ({"requesting_county": "410102", "lending_county": "410102", "reason": "x"}, 422),
            ({"requesting_county": "410102", "lending_county": "999999", "reason": "x"}, 422),
            ({"requesting_county": "410102", "lending_county": "410105", "reason": " "}, 422),
            ({"requesting_county": "410105", "lending_county": "410102", "reason": "x"}, 403),
            ({"requesting_county": "410102", "lending_county": "410105", "reason": "x",
              "hours": 0}, 400)):
        r = client.post("/api/v1/officer-loans", headers=h, json=body)
        assert r.status_code == status, (body, r.get_json())


def test_audit_log_of_a_county_admin_is_their_users(client, world):
    r = client.get("/api/v1/audit?limit=200", headers=bearer(world["tokens"][("county", "admin")]))
    actors = {i["actor"] for i in r.get_json()["items"]}
    assert "terr-county-dispatcher" in actors and "terr-province-dispatcher" not in actors


def test_me_names_the_territory(client, world):
    me = client.get("/api/v1/me", headers=bearer(world["tokens"][("county", "planner")]))
    assert me.get_json()["area"]["adcode"] == "410102"
    assert me.get_json()["area"]["level"] == "county"


@pytest.mark.parametrize("path", ["/map", "/dispatch", "/planner", "/complaints", "/cases",
                                  "/staff", "/random-checks", "/incidents",
                                  "/lists/open-complaints"])
def test_pages_without_an_area_open_on_the_users_own(client, world, path):
    """A page whose default is the province opens on a county user's county instead."""
    for level in ("city", "county"):
        role = "planner" if path == "/planner" else "dispatcher"
        r = client.get(path, headers=bearer(world["tokens"][(level, role)]))
        assert r.status_code == 200, (level, path, r.status_code, r.get_data(as_text=True)[:300])
