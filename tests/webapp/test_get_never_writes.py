"""GET requests never write: every GET route of the app, called as a signed-in administrator
and command-centre user with real ids from the demo data, leaves every table untouched.

Writes are counted by row-level (and TRUNCATE) triggers that this module installs on every
table and removes afterwards; each trigger advances a sequence named after its table.
Sequences are not transactional, so a write that the request later rolls back is counted
too. The one exception: reading a tipster's identity (the complainant route, and a notice
read by someone allowed to see the name) writes its audit record, and nothing else. Sign-in bookkeeping (`user_sessions.last_seen_at`, at most once a
minute, in its own transaction) is kept out of the way by moving its interval past the
length of the test: it is not derived data and not written by the views.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from dispatch.analytics import hotspots
from dispatch.analytics.settings import RiskSettings
from geo.accounts import service as accounts
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer
from tests.employer_files import HEADER, bad_check, codes
from tests.geo.test_tiles import tile_of

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
SEQUENCE = "lw_test_writes_"
ZHENGZHOU = (113.66, 34.75)
IDENTITY_READ = re.compile(r"^/api/v1/(complaints/[0-9]+/(complainant|decisions/[0-9]+/notice)"
                           r"|rewards/[0-9]+/tipster)$")


@pytest.fixture(scope="module")
def write_counts(sessions):
    """A function returning {table: writes so far}; triggers live while the module runs."""
    with unit_of_work(sessions) as s:
        s.execute(text("SET LOCAL lock_timeout = '20s'"))
        tables = s.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys' ORDER BY 1")).scalars().all()
        s.execute(text(f"""
            CREATE OR REPLACE FUNCTION lw_test_count_write() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM nextval(quote_ident('{SEQUENCE}' || TG_TABLE_NAME));
                RETURN NULL;
            END $$"""))
        for t in tables:
            s.execute(text(f'CREATE SEQUENCE "{SEQUENCE}{t}"'))
            s.execute(text(f'CREATE TRIGGER lw_test_rows AFTER INSERT OR UPDATE OR DELETE '
                           f'ON "{t}" FOR EACH ROW EXECUTE FUNCTION lw_test_count_write()'))
            s.execute(text(f'CREATE TRIGGER lw_test_truncate AFTER TRUNCATE ON "{t}" '
                           f'FOR EACH STATEMENT EXECUTE FUNCTION lw_test_count_write()'))

    def counts() -> dict[str, int]:
        with sessions() as s:
            rows = s.execute(text(
                "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences "
                "WHERE sequencename LIKE :p"), {"p": SEQUENCE + "%"}).all()
        return {name[len(SEQUENCE):]: n for name, n in rows}

    try:
        yield counts
    finally:
        with unit_of_work(sessions) as s:
            s.execute(text("SET LOCAL lock_timeout = '20s'"))
            for t in tables:
                s.execute(text(f'DROP TRIGGER IF EXISTS lw_test_rows ON "{t}"'))
                s.execute(text(f'DROP TRIGGER IF EXISTS lw_test_truncate ON "{t}"'))
                s.execute(text(f'DROP SEQUENCE IF EXISTS "{SEQUENCE}{t}"'))
            s.execute(text("DROP FUNCTION IF EXISTS lw_test_count_write()"))


def signed_in(app, username: str):
    """A browser-like client signed in through the login page (session cookie, CSRF)."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:200]
    return client


@pytest.fixture(scope="module")
def ids(app, sessions, tokens):
    """Real ids for the path parameters, and the records only a write creates (an import
    with a rejected row, a random draw), made before anything is counted."""
    admin = bearer(tokens["admin"])
    client = app.test_client()
    good, bad = codes(2)
    rows = [["计数测试甲公司", good, "张三", "郑州市金水区", ZHENGZHOU[0], ZHENGZHOU[1], "F", 10, 0,
             "李四", "13800000000"],
            ["计数测试乙公司", bad_check(bad), "王五", "郑州市", ZHENGZHOU[0], ZHENGZHOU[1], "F", 5,
             0, "赵六", "13800000001"]]
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    imported = client.post("/api/v1/employers/import", headers=admin,
                           data={"file": (io.BytesIO(buf.getvalue().encode("utf-8-sig")),
                                          "employers.csv")},
                           content_type="multipart/form-data")
    assert imported.status_code == 200 and imported.get_json()["rejected_count"] == 1
    draw = client.post("/api/v1/random-draws", headers=admin,
                       json={"area": "410102", "check_item": "wage_payment", "share": 0.05,
                             "seed": 11})
    assert draw.status_code == 201, draw.get_json()
    employer_code = client.get("/api/v1/employers?area=410102&per_page=1", headers=admin
                               ).get_json()["items"][0]["credit_code"]
    complaint = client.post("/api/v1/complaints", headers=admin, json={
        "category": "wage_arrears", "workers_affected": 12, "employer": {
            "credit_code": employer_code}, "complainant": {"name": "计数", "phone": "1"}}
        ).get_json()
    decided = client.post(f"/api/v1/complaints/{complaint['id']}/decision", headers=admin,
                          json={"decision": "accept", "mode": "case", "reason": "立案"}).get_json()
    assert decided["case_id"], decided
    run = client.post("/api/v1/grading/runs", headers=admin,
                      json={"year": 2025, "area": "411729"})  # a county no other test grades
    assert run.status_code == 201, run.get_json()
    listed = client.post("/api/v1/disclosure-lists", headers=admin,
                         json={"area": "411729", "period": "2025-Q1"})
    assert listed.status_code == 201, listed.get_json()
    for step in ("approve", "publish"):  # published: the portal shows it
        done = client.post(f"/api/v1/disclosure-lists/{listed.get_json()['id']}/{step}",
                           headers=bearer(tokens["command"]))
        assert done.status_code == 200, done.get_json()
    project = client.post("/api/v1/projects", headers=admin, json={
        "name": "计数测试项目", "site": {"type": "Point", "coordinates": [113.60, 34.75]},
        "contract_value": 5_000_000, "general_contractor_credit_code": employer_code,
        "department": "housing", "start_on": "2026-01-01", "planned_end_on": "2027-12-31"})
    assert project.status_code == 201, project.get_json()
    referral = client.post("/api/v1/referrals", headers=admin, json={
        "source": {"kind": "project", "id": project.get_json()["id"]}, "department": "housing",
        "content": "计数", "feedback_due_on": "2099-01-01"})
    assert referral.status_code == 201, referral.get_json()
    with unit_of_work(sessions) as s:  # the case closed with a fine: its tipster's reward
        s.execute(text("UPDATE cases SET outcome = 'penalty', fine_amount = 20000, "
                       "closed_on = opened_on, decision_date = opened_on WHERE id = :c"),
                  {"c": decided["case_id"]})
    reward = client.post("/api/v1/rewards", headers=bearer(tokens["dispatcher"]),
                         json={"case_id": decided["case_id"], "amount": 500})
    assert reward.status_code == 201, reward.get_json()
    attachment = client.post("/api/v1/attachments", headers=admin, data={
        "owner_kind": "case", "owner_id": str(decided["case_id"]),
        "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "counted.pdf")},
        content_type="multipart/form-data")
    assert attachment.status_code == 201, attachment.get_json()
    campaign = client.post("/api/v1/review-campaigns", headers=admin, json={
        "area": "411729", "year": 2026, "due_on": "2099-12-31", "min_employees": 0})
    assert campaign.status_code == 201, campaign.get_json()
    audit = client.post("/api/v1/audits", headers=admin, json={
        "employer_id": decided["complaint"]["employer_id"], "firm": "计数事务所",
        "scope": ["wages"], "period_from": "2026-01-01", "period_to": "2026-06-30", "fee": 1,
        "due_on": "2099-12-31"})
    assert audit.status_code == 201, audit.get_json()
    with unit_of_work(sessions) as s:
        found = s.execute(text("""
            SELECT (SELECT min(id) FROM employers WHERE county_adcode = '410102'
                      AND grid_id IS NOT NULL) AS employer,
                   (SELECT min(id) FROM grids WHERE county_adcode = '410102') AS grid,
                   (SELECT min(id) FROM inspections WHERE status = 'pending') AS inspection,
                   (SELECT max(id) FROM random_draws) AS draw,
                   (SELECT min(id) FROM officers) AS officer
        """)).mappings().one()
        # A cached hotspot layer (the city's) next to ones the cache does not hold yet.
        hotspots.refresh(s, area="410100", metric="risk", res=7, settings=RiskSettings())
    static = next(p for p in sorted(STATIC.rglob("*")) if p.is_file())
    return {**found, "import": imported.get_json()["import_id"], "complaint": complaint["id"],
            "decision": decided["complaint"]["decisions"][0]["id"], "case": decided["case_id"],
            "incident": complaint["incident_id"], "run": run.get_json()["id"],
            "list": listed.get_json()["id"], "project": project.get_json()["id"],
            "referral": referral.get_json()["id"], "reward": reward.get_json()["id"],
            "attachment": attachment.get_json()["id"], "campaign": campaign.get_json()["id"],
            "audit": audit.get_json()["id"],
            "static": static.relative_to(STATIC).as_posix()}


def requests_for(app, ids: dict) -> list[str]:
    """One or more concrete URLs for every GET route: path parameters from `ids`, and the
    query parameters each route needs to do its real work."""
    x7, y7 = tile_of(*ZHENGZHOU, 7)
    x12, y12 = tile_of(*ZHENGZHOU, 12)
    x16, y16 = tile_of(*ZHENGZHOU, 16)
    queries = {
        "/api/v1/areas": ["level=province", "level=city&simplify=150",
                          "level=county&parent=410100"],
        "/api/v1/audit": ["limit=5"],
        "/api/v1/cases/alerts": ["area=410000"],
        "/api/v1/complaints": ["area=410100", "area=410000&deadline=past_limit",
                               "area=410102&q=公司&status=accepted"],
        "/api/v1/cases": ["area=410000", "area=410100&status=supervised", "q=罚"],
        "/api/v1/supervisions": ["level=city", "area=410000"],
        "/api/v1/incidents": ["area=410000"],
        "/api/v1/check-items/coverage": ["area=410102", "area=410000&year=2026"],
        "/api/v1/counties/<adcode>/grids/export": ["format=geojson", "format=gpkg&crs=gcj02"],
        "/api/v1/coverage": ["area=410102", "area=410100"],
        "/api/v1/employers": ["q=公司", "area=410102&per_page=5"],
        "/api/v1/employers/duplicates": ["area=410102"],
        "/api/v1/field/worklist": [f"grid={ids['grid']}"],
        "/api/v1/grids": ["county=410102", "area=410100&simplify=60"],
        "/api/v1/grids/metrics": ["area=410102", "area=410000"],
        "/api/v1/grids/search": ["q=4101"],
        "/api/v1/hotspots": ["area=410000&metric=risk&res=6&significant=true",
                             "area=410100&metric=risk&res=7&significant=true",
                             "area=410102&metric=risk", "area=410102&metric=complaints&res=7"],
        "/api/v1/inspections": ["status=pending&area=410000&limit=500"],
        "/api/v1/inspections/board": [f"area=410000&tab={tab}" for tab in
                                      ("waiting", "assigned", "on_site", "done")],
        "/api/v1/kpis": ["area=410000", "area=410102"],
        "/api/v1/officers/live": ["area=410100"],
        "/api/v1/officers/summary": ["area=410000", "area=410100", "area=410102"],
        "/api/v1/warnings": ["area=410000", "area=410100&level=red"],
        "/api/v1/projects": ["area=410102", "area=410000&level=orange&q=计数"],
        "/api/v1/projects/alerts": ["area=410000"],
        "/api/v1/map/projects": ["area=410000", "area=410100", "area=410102"],
        "/api/v1/referrals": ["area=410000&overdue=true", "area=410102",
                              "department=housing&direction=outgoing&status=sent"],
        "/api/v1/referrals/counts": ["area=410000", "area=410102"],
        "/api/v1/field/projects": [f"grid={ids['grid']}"],
        "/api/v1/rewards/range": ["fine=20000"],
        "/api/v1/attachments": [f"owner_kind=case&owner_id={ids['case']}"],
        "/api/v1/review-campaigns": ["area=410000", "area=411729"],
        "/api/v1/audits": ["area=410000"],
        "/api/v1/rewards": ["area=410000", "area=410102&status=proposed&overdue=false"],
        "/projects": ["area=410102&level=red"],
        "/ogc/collections/<collection_id>/items": ["limit=50&bbox=113.5,34.6,113.8,34.9"],
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/kpis/"):
            queries[rule.rule] = ["area=410000", "area=410102&per_page=5"]
    paths = {
        "<adcode>": "410102", "<int:employer_id>": str(ids["employer"]),
        "<int:grid_id>": str(ids["grid"]), "<int:inspection_id>": str(ids["inspection"]),
        "<int:draw_id>": str(ids["draw"]), "<int:import_id>": str(ids["import"]),
        "<path:filename>": ids["static"], "<package>/<path:filename>": "leaflet/leaflet.js",
        "<int:complaint_id>": str(ids["complaint"]), "<int:decision_id>": str(ids["decision"]),
        "<int:case_id>": str(ids["case"]), "<int:incident_id>": str(ids["incident"]),
        "<int:officer_id>": str(ids["officer"]), "<int:run_id>": str(ids["run"]),
        "<int:list_id>": str(ids["list"]), "<int:project_id>": str(ids["project"]),
        "<int:referral_id>": str(ids["referral"]), "<int:reward_id>": str(ids["reward"]),
        "<int:attachment_id>": str(ids["attachment"]),
        "<int:campaign_id>": str(ids["campaign"]), "<int:audit_id>": str(ids["audit"]),
        "<day>": "2026-10-01", "<int:year>": "2026", "<year>": "2026",
        "<collection_id>/items/<feature_id>": f"grids/items/{ids['grid']}",
        "<collection_id>": "employers",
    }
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        if rule.rule == "/api/v1/tiles/employers/<z>/<x>/<y>.pbf":
            urls += [f"/api/v1/tiles/employers/{z}/{x}/{y}.pbf"
                     for z, x, y in ((5, 26, 12), (7, x7, y7), (12, x12, y12), (16, x16, y16))]
            continue
        path = rule.rule
        for name, value in sorted(paths.items(), key=lambda kv: -len(kv[0])):
            path = path.replace(name, value)
        assert "<" not in path, f"no value for the path parameters of {rule.rule}"
        urls += [f"{path}?{q}" for q in queries.get(rule.rule, [])] or [path]
    return urls


def test_no_get_route_writes_anything(app, ids, write_counts, monkeypatch):
    monkeypatch.setattr(accounts, "TOUCH_EVERY_S", 86_400)  # see the module's docstring
    users = {"admin": signed_in(app, "test-admin"), "command": signed_in(app, "test-command")}
    urls = requests_for(app, ids)
    answered: dict[str, set[int]] = {}
    wrote = []
    before = write_counts()
    for url in urls:
        for role, client in users.items():
            r = client.get(url)
            answered.setdefault(url, set()).add(r.status_code)
            assert r.status_code < 500, (role, url, r.get_data(as_text=True)[:300])
            after = write_counts()
            changed = {t: after[t] - before.get(t, 0) for t in after
                       if after[t] != before.get(t, 0)}
            if changed and IDENTITY_READ.search(url) and set(changed) == {"audit_log"}:
                changed = {}  # the audit record of a reading of who complained
            if changed:
                wrote.append(f"{role} GET {url}: {changed}")
            before = after
    assert not wrote, "GET requests that wrote:\n" + "\n".join(wrote)
    # Every route did its work for at least one of the two users (not only 403 or 404).
    idle = [u for u, statuses in answered.items() if not statuses & {200, 302}]
    assert not idle, f"routes that answered neither user: {idle}"
    assert len(urls) > 60


def test_the_counter_sees_a_write_even_when_it_is_rolled_back(sessions, write_counts):
    before = write_counts().get("holidays", 0)
    with sessions() as s:
        s.execute(text("INSERT INTO holidays (day, kind, name) "
                       "VALUES ('2099-01-02', 'holiday', 'x')"))
        s.rollback()
    assert write_counts()["holidays"] == before + 1
