"""Territory (辖区): a role × area matrix of every list and write, tried inside and outside.

Users of every role at three levels — the province (410000), 郑州市 (410100) and 中原区
(410102) — try each route on records of three counties: 中原区 itself, 金水区 (410105, the
same city) and 洛阳 老城区 (410302, another city). Inside their territory the territory
check lets them through (whatever the route then answers, never 403/404 for territory);
outside, a read is 404 (as if nothing were there) and a write is 403, and nothing changes.
"""
from __future__ import annotations

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from geo.accounts import service as accounts
from geo.accounts.models import ROLES
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer
from tests.dispatch_fixtures import add_employer, add_inspection, add_inspector
from tests.webapp.test_roles import ROUTES

LEVELS = {"province": "410000", "city": "410100", "county": "410102"}
COUNTIES = ("410102", "410105", "410302")
COVERS = {"province": set(COUNTIES), "city": {"410102", "410105"}, "county": {"410102"}}
# Per level, the counties each route is tried on: one inside, and one outside if any.
TRIES = {"province": ("410302",), "city": ("410105", "410302"), "county": ("410102", "410105")}


@pytest.fixture(scope="module")
def world(app, sessions):
    """Users of each role × level, and one record of each kind in each county."""
    made = {"users": [], "employers": [], "officers": [], "inspections": []}
    out = {"tokens": {}, "records": {}}
    with unit_of_work(sessions) as s:
        for level, area in LEVELS.items():
            for role in ROLES:
                name = f"terr-{level}-{role}"
                s.execute(text("DELETE FROM users WHERE username = :u"), {"u": name})
                made["users"].append(accounts.create_user(
                    s, username=name, password=PASSWORD, role=role, actor="tests",
                    area=area).id)
        for county in COUNTIES:
            lon, lat = s.execute(text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM admin_areas"
                " WHERE level = 'county' AND adcode = :c) t"), {"c": county}).one()
            employer = add_employer(s, lon=lon, lat=lat, county=county)
            officer = add_inspector(s, lon=lon, lat=lat, county=county)
            inspection = add_inspection(s, lon=lon, lat=lat, employer_id=employer, county=county)
            grid = s.execute(text("SELECT id FROM grids WHERE county_adcode = :c ORDER BY id "
                                  "LIMIT 1"), {"c": county}).scalar_one()
            made["employers"].append(employer)
            made["officers"].append(officer)
            made["inspections"].append(inspection)
            out["records"][county] = {"employer": employer, "officer": officer,
                                      "inspection": inspection, "grid": grid, "county": county}
    c = app.test_client()
    for level in LEVELS:
        for role in ROLES:
            r = c.post("/api/v1/auth/token",
                       json={"username": f"terr-{level}-{role}", "password": PASSWORD})
            assert r.status_code == 200 and r.get_json()["area"] == LEVELS[level]
            out["tokens"][(level, role)] = r.get_json()["token"]
    # a complaint and a case in each county, made by a province dispatcher as a desk would
    h = bearer(out["tokens"][("province", "dispatcher")])
    for rec in out["records"].values():
        code = s_credit(sessions, rec["employer"])
        r = c.post("/api/v1/complaints", headers=h, json={
            "category": "wage_arrears", "workers_affected": 2, "employer": {"credit_code": code}})
        assert r.status_code == 201, r.get_json()
        rec["complaint"] = r.get_json()["id"]
        case_inspection = _inspection(sessions, made, rec)
        r = c.post("/api/v1/cases", headers=h, json={"inspection_id": case_inspection})
        assert r.status_code == 201, r.get_json()
        rec["case"] = r.get_json()["id"]
    yield out
    with unit_of_work(sessions) as s:
        p = {"e": made["employers"], "o": made["officers"], "u": made["users"]}
        for sql in (
                "DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases "
                "WHERE employer_id = ANY(:e))",
                "DELETE FROM case_supervisions WHERE case_id IN (SELECT id FROM cases "
                "WHERE employer_id = ANY(:e))",
                "DELETE FROM cases WHERE employer_id = ANY(:e)",
                "DELETE FROM assignments WHERE officer_id = ANY(:o) OR inspection_id IN "
                "(SELECT id FROM inspections WHERE employer_id = ANY(:e))",
                "DELETE FROM inspections WHERE employer_id = ANY(:e)",
                "DELETE FROM complaint_decisions WHERE complaint_id IN (SELECT id FROM "
                "complaints WHERE employer_id = ANY(:e))",
                "DELETE FROM complaints WHERE employer_id = ANY(:e)",
                "DELETE FROM officer_loans WHERE requested_by LIKE 'terr-%'",
                "DELETE FROM officers WHERE id = ANY(:o) OR name = 'terr-new'",
                "DELETE FROM employer_risk WHERE employer_id = ANY(:e)",
                "DELETE FROM employers WHERE id = ANY(:e)",
                "DELETE FROM user_sessions WHERE user_id = ANY(:u)",
                "DELETE FROM users WHERE id = ANY(:u)"):
            s.execute(text(sql), p)


def s_credit(sessions, employer_id: int) -> str:
    with sessions() as s:
        return s.execute(text("SELECT credit_code FROM employers WHERE id = :i"),
                         {"i": employer_id}).scalar_one()


def _inspection(sessions, made, rec) -> int:
    """A second inspection of the county's employer, for its case."""
    with unit_of_work(sessions) as s:
        lon, lat = s.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM employers WHERE id = :i"),
                             {"i": rec["employer"]}).one()
        inspection = add_inspection(s, lon=lon, lat=lat, employer_id=rec["employer"],
                                    county=rec["county"])
    made["inspections"].append(inspection)
    return inspection


# (method, path with {placeholders}, body or None). Roles come from the role table.
MATRIX = [
    ("GET", "/api/v1/inspections/{inspection}", None),
    ("GET", "/api/v1/inspections/{inspection}/recommendations", None),
    ("GET", "/api/v1/complaints/{complaint}", None),
    ("GET", "/api/v1/complaints/{complaint}/complainant", None),
    ("GET", "/complaints/{complaint}", None),
    ("GET", "/api/v1/cases/{case}", None),
    ("GET", "/cases/{case}", None),
    ("GET", "/api/v1/officers/{officer}", None),
    ("GET", "/api/v1/officers/{officer}/trainings", None),
    ("GET", "/api/v1/officers/{officer}/assessments", None),
    ("GET", "/staff/{officer}", None),
    ("GET", "/api/v1/employers/{employer}", None),
    ("GET", "/api/v1/employers/{employer}/risk", None),
    ("GET", "/api/v1/grids/{grid}/history", None),
    ("GET", "/api/v1/field/worklist?grid={grid}", None),
    ("GET", "/api/v1/counties/{county}/grids/export?format=geojson", None),
    ("GET", "/planner?county={county}", None),
    ("GET", "/map?area={county}", None),
    ("GET", "/dispatch?area={county}", None),
    ("GET", "/api/v1/kpis?area={county}", None),
    ("GET", "/api/v1/kpis/open-complaints?area={county}", None),
    ("GET", "/api/v1/coverage?area={county}", None),
    ("GET", "/api/v1/grids/metrics?area={county}", None),
    ("GET", "/api/v1/grids?county={county}", None),
    ("GET", "/api/v1/hotspots?area={county}&metric=risk&res=8", None),
    ("GET", "/api/v1/warnings?area={county}", None),
    ("GET", "/api/v1/officers/live?area={county}", None),
    ("GET", "/api/v1/officers?area={county}", None),
    ("GET", "/api/v1/inspections?area={county}", None),
    ("GET", "/api/v1/complaints?area={county}", None),
    ("GET", "/api/v1/cases?area={county}", None),
    ("GET", "/api/v1/supervisions?area={county}", None),
    ("GET", "/api/v1/cases/alerts?area={county}", None),
    ("GET", "/api/v1/incidents?area={county}", None),
    ("GET", "/api/v1/employers?area={county}", None),
    ("GET", "/api/v1/employers/duplicates?area={county}", None),
    ("GET", "/api/v1/check-items/coverage?area={county}", None),
    ("GET", "/api/v1/assessments?area={county}&year=2026", None),
    ("GET", "/staff?area={county}", None),
    ("GET", "/cases?area={county}", None),
    ("GET", "/complaints?area={county}", None),
    ("GET", "/random-checks?area={county}", None),
    ("GET", "/incidents?area={county}", None),
    ("GET", "/lists/open-complaints?area={county}", None),
    ("POST", "/api/v1/inspections/{inspection}/assign", {}),
    ("POST", "/api/v1/inspections/{inspection}/reassign", {}),
    ("POST", "/api/v1/inspections/{inspection}/cancel", {}),
    ("POST", "/api/v1/inspections/{inspection}/complete", {}),
    ("POST", "/api/v1/complaints/{complaint}/decision", {}),
    ("POST", "/api/v1/complaints/{complaint}/information", {}),
    ("POST", "/api/v1/cases/{case}/handlers", {}),
    ("POST", "/api/v1/cases/{case}/suspend", {}),
    ("POST", "/api/v1/cases/{case}/resume", {}),
    ("POST", "/api/v1/cases/{case}/extend", {}),
    ("POST", "/api/v1/cases/{case}/close", {}),
    ("POST", "/api/v1/cases/{case}/supervision", {}),
    ("POST", "/api/v1/cases/{case}/reviews", {}),
    ("GET", "/api/v1/cases/{case}/reviews", None),
    ("PATCH", "/api/v1/officers/{officer}", {}),
    ("POST", "/api/v1/officers/{officer}/deactivate", {}),
    ("POST", "/api/v1/officers/{officer}/recusals", {}),
    ("POST", "/api/v1/officers/{officer}/trainings", {}),
    ("POST", "/api/v1/officers/{officer}/assessments", {}),
    ("POST", "/api/v1/officers/{officer}/status", {}),
    ("POST", "/api/v1/officers/{officer}/location", {}),
    ("PATCH", "/api/v1/employers/{employer}", {}),
    ("POST", "/api/v1/employers/{employer}/location", {}),
    ("POST", "/api/v1/grids/{grid}/split", {}),
    ("POST", "/api/v1/grids/{grid}/revert", {}),
    ("POST", "/api/v1/counties/{county}/partition", {}),
    ("POST", "/api/v1/counties/{county}/grids/import", {}),
    # writes that name the territory in their body
    ("POST", "/api/v1/grid-edits", {"county": "{county}", "changes": []}),
    ("POST", "/api/v1/grids/merge", {"ids": ["{grid}"], "versions": {}}),
    ("POST", "/api/v1/inspections", {"kind": "scheduled", "employer_id": "{employer}"}),
    ("POST", "/api/v1/cases", {"inspection_id": "{inspection}"}),
    ("POST", "/api/v1/random-draws", {"area": "{county}", "check_item": "—"}),
    ("POST", "/api/v1/dispatch/plan", {"area": "{county}"}),
    ("POST", "/api/v1/officers", {"county_adcode": "{county}", "name": "terr-new",
                                  "kind": "grid_worker"}),
    ("GET", "/api/v1/employers/{employer}/grades", None),
    ("POST", "/api/v1/employers/{employer}/grade-objections", {}),
    ("POST", "/api/v1/grading/runs", {"area": "{county}", "year": 2999}),
    ("POST", "/api/v1/officer-loans", {"requesting_county": "{county}",
                                       "lending_county": "410104", "reason": "test"}),
]


def _allowed(method: str, path: str) -> set[str]:
    """The roles the role table admits on this route."""
    probe = path.split("?")[0]
    for key in ("inspection", "complaint", "case", "officer", "employer", "grid"):
        probe = probe.replace("{" + key + "}", "999999")
    probe = probe.replace("{county}", "410102")
    for m, p, roles in ROUTES:
        if m == method and p.split("?")[0] == probe:
            return set(roles)
    raise AssertionError(f"{method} {path} is not in the role table")


def _fill(value, rec: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return rec[value[1:-1]]
    if isinstance(value, str):
        return value.format(**rec)
    if isinstance(value, list):
        return [_fill(v, rec) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, rec) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method, path, body", MATRIX,
                         ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_role_by_area_matrix(client, world, method, path, body):
    tried = 0
    for role in sorted(_allowed(method, path)):
        for level, counties in TRIES.items():
            for county in counties:
                rec = world["records"][county]
                url = path.format(**rec)
                kwargs = {} if body is None else {"json": _fill(body, rec)}
                r = client.open(url, method=method,
                                headers=bearer(world["tokens"][(level, role)]), **kwargs)
                where = (role, level, county, url, r.status_code, r.get_data(as_text=True)[:300])
                assert r.status_code != 500, where
                details = (r.get_json(silent=True) or {}).get("error", {}).get("details", {})
                if county in COVERS[level]:  # the route's own answers, never the territory's
                    assert r.status_code != 401, where
                    assert not (r.status_code == 404 and "kind" in details), where
                    assert not (r.status_code == 403 and "territory" in details), where
                elif method == "GET":
                    assert r.status_code == 404, where
                else:
                    assert r.status_code == 403 and "territory" in details, where
                tried += 1
    assert tried


def test_outside_writes_change_nothing(client, world, db):
    """A 403 for a write outside the territory happens before anything is written."""
    far = world["records"]["410302"]
    before = db.execute(text("SELECT status, version FROM inspections WHERE id = :i"),
                        {"i": far["inspection"]}).one()
    audit = db.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    h = bearer(world["tokens"][("county", "dispatcher")])
    r = client.post(f"/api/v1/inspections/{far['inspection']}/cancel", headers=h,
                    json={"reason": "not mine"})
    assert r.status_code == 403 and "中原区" in client.post(
        f"/api/v1/inspections/{far['inspection']}/cancel", headers={
            **h, "Accept-Language": "zh-CN"}, json={"reason": "x"}).get_json()["error"]["message"]
    db.rollback()
    assert db.execute(text("SELECT status, version FROM inspections WHERE id = :i"),
                      {"i": far["inspection"]}).one() == before
    assert db.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audit


def test_reads_outside_look_like_nothing_there(client, world):
    """No leak of existence: another county's inspection and an id that does not exist give
    the same answer."""
    h = bearer(world["tokens"][("county", "dispatcher")])
    far = world["records"]["410302"]["inspection"]
    outside = client.get(f"/api/v1/inspections/{far}", headers=h)
    missing = client.get("/api/v1/inspections/2000000000", headers=h)
    assert outside.status_code == missing.status_code == 404
    assert outside.get_json()["error"]["code"] == missing.get_json()["error"]["code"]
    assert outside.get_json()["error"]["message"].replace(str(far), "N") == \
        missing.get_json()["error"]["message"].replace("2000000000", "N")


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


@pytest.mark.parametrize("path, body", [
    ("/api/v1/grids/merge", {"ids": ["x", True, 2 ** 40], "versions": {}}),
    ("/api/v1/inspections/{inspection}/assign", {"officer_ids": ["a", None, 2 ** 40]}),
    ("/api/v1/grid-edits", {"county": 410102, "changes": []}),
    ("/api/v1/random-draws", {"area": "../../", "check_item": "x"}),
])
def test_malformed_scoped_fields_are_a_400_not_a_500(client, world, path, body):
    h = bearer(world["tokens"][("county", "admin")])
    r = client.post(path.format(**world["records"]["410102"]), headers=h, json=body)
    assert r.status_code in (400, 404, 422), (path, r.status_code, r.get_data(as_text=True))
