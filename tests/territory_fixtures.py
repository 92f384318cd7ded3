"""The world of the territory tests: users of every role at the province (410000), 郑州市
(410100) and 中原区 (410102), and one record of each kind in 中原区, 金水区 (410105, the same
city) and 洛阳 老城区 (410302, another city). Import `world` into a test module to use it."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from geo.accounts import service as accounts
from geo.accounts.models import ROLES
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer
from tests.dispatch_fixtures import add_employer, add_inspection, add_inspector

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
