"""Territory (辖区): a role × area matrix of every list and write, tried inside and outside.

Users of every role at three levels — the province (410000), 郑州市 (410100) and 中原区
(410102) — try each route on records of three counties: 中原区 itself, 金水区 (410105, the
same city) and 洛阳 老城区 (410302, another city). Inside their territory the territory
check lets them through (whatever the route then answers, never 403/404 for territory);
outside, a read is 404 (as if nothing were there) and a write is 403, and nothing changes.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import bearer
from tests.territory_fixtures import COVERS, TRIES, world  # noqa: F401 (fixture)
from tests.webapp.test_roles import ROUTES

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
    ("GET", "/api/v1/kpis?area={county}&grid={grid}", None),
    ("GET", "/api/v1/kpis/open-complaints?area={county}", None),
    ("GET", "/api/v1/coverage?area={county}", None),
    ("GET", "/api/v1/grids/metrics?area={county}", None),
    ("GET", "/api/v1/grids?county={county}", None),
    ("GET", "/api/v1/hotspots?area={county}&metric=risk&res=8", None),
    ("GET", "/api/v1/warnings?area={county}", None),
    ("GET", "/api/v1/officers/live?area={county}", None),
    ("GET", "/api/v1/officers/summary?area={county}", None),
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
