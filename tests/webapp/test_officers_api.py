"""Officers as records over HTTP: create, edit (optimistic locking), deactivate, list with the
certificate status, detail, recusals; bad input changes nothing; writes are audited."""
import pytest
from sqlalchemy import text

from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)


def count(db, table="officers"):
    db.rollback()
    return db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def grid_of(db, county):
    return db.execute(text("SELECT id FROM grids WHERE county_adcode = :c ORDER BY id LIMIT 1"),
                      {"c": county}).scalar_one()


def body(**kw):
    return {"name": "测试监察员", "kind": "inspector", "county_adcode": "410102",
            "certificate_no": None, "certificate_issued_on": "2022-01-01",
            "certificate_expires_on": "2030-12-31", "skills": ["工资"], "phone": "13800000000"
            } | kw


def create(client, tokens, committed, **kw):
    r = client.post("/api/v1/officers", json=body(**kw), headers=bearer(tokens["admin"]))
    if r.status_code == 201:
        committed.officers.append(r.get_json()["id"])
    return r


def test_create_generates_a_badge_audits_and_reads_back(client, tokens, committed, db):
    no = f"豫人社执{len(committed.officers)}{id(db) % 10**8}"
    r = create(client, tokens, committed, certificate_no=no, grid_id=grid_of(db, "410102"))
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["id"] and made["badge"].startswith("JC410102-")
    assert made["certificate_status"] == "valid" and made["certified"] is True
    assert made["active"] is True and made["status"] == "off_duty" and made["version"] == 1
    audited = db.execute(text("SELECT after FROM audit_log WHERE entity = 'officer' "
                              "AND entity_id = :i AND action = 'create'"),
                         {"i": str(made["id"])}).scalar_one()
    assert audited["certificate_no"] == no
    r = client.get(f"/api/v1/officers/{made['id']}", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json()["recusals"] == []
    assert r.get_json()["current_inspection_id"] is None
    r = client.get(f"/api/v1/officers?q={no}", headers=bearer(tokens["command"]))
    assert [o["id"] for o in r.get_json()["items"]] == [made["id"]]
    assert r.get_json()["items"][0]["certificate_status_text"]


@pytest.mark.parametrize("changes, status", [
    ({"county_adcode": "410100"}, 422),           # a city, not a county
    ({"county_adcode": "999999"}, 422),
    ({"kind": "chief"}, 400),
    ({"name": ""}, 400),
    ({"certificate_expires_on": "2030-02-30"}, 400),
    ({"certificate_expires_on": "2021-01-01"}, 422),  # before the issue date
    ({"skills": "工资"}, 400),
    ({"grid_id": 2 ** 31}, 400),
    ({"user_id": 2 ** 31 - 1}, 422),
])
def test_bad_input_changes_nothing(client, tokens, committed, db, changes, status):
    before = count(db)
    r = create(client, tokens, committed, **changes)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["error"]["message"]
    assert count(db) == before


def test_grid_of_another_county_is_422(client, tokens, committed, db):
    before = count(db)
    r = create(client, tokens, committed, grid_id=grid_of(db, "410103"))
    assert r.status_code == 422 and "410102" in r.get_json()["error"]["message"]
    assert count(db) == before


def test_duplicate_certificate_number_is_409_naming_it(client, tokens, committed, db):
    no = f"DUP-{id(committed) % 10**8}"
    assert create(client, tokens, committed, certificate_no=no).status_code == 201
    before = count(db)
    r = create(client, tokens, committed, certificate_no=no, name="另一人")
    assert r.status_code == 409 and no in r.get_json()["error"]["message"]
    assert count(db) == before


def test_edit_with_version_and_stale_version_is_409(client, tokens, committed, db):
    made = create(client, tokens, committed).get_json()
    url, admin = f"/api/v1/officers/{made['id']}", bearer(tokens["admin"])
    r = client.patch(url, json={"version": 1, "certificate_expires_on": "2026-01-01",
                                "certificate_no": f"E-{made['id']}"}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == 2 and r.get_json()["certificate_status"] in (
        "expired", "valid")  # depends on today: only the write is checked here
    r = client.patch(url, json={"version": 1, "phone": "1"}, headers=admin)
    assert r.status_code == 409
    r = client.patch(url, json={"phone": "1"}, headers=admin)
    assert r.status_code == 400
    assert client.get(url, headers=admin).get_json()["phone"] == "13800000000"
    audited = db.execute(text("SELECT before, after FROM audit_log WHERE entity = 'officer' "
                              "AND entity_id = :i AND action = 'edit'"),
                         {"i": str(made["id"])}).one()
    assert audited.before["certificate_expires_on"] == "2030-12-31"
    assert audited.after["certificate_expires_on"] == "2026-01-01"


def test_certificate_filter(client, tokens, committed, db, beijing_day):
    beijing_day("2026-12-01")
    expired = create(client, tokens, committed, certificate_no=f"X-{id(db) % 10**8}",
                     certificate_expires_on="2026-11-30").get_json()
    valid = create(client, tokens, committed, certificate_no=f"V-{id(db) % 10**8}").get_json()
    none = create(client, tokens, committed, kind="grid_worker").get_json()
    assert expired["certificate_status"] == "expired" and none["certificate_status"] == "none"
    seen = {}
    for status in ("expired", "valid", "none"):
        r = client.get(f"/api/v1/officers?area=410102&certificate={status}&q=测试",
                       headers=bearer(tokens["dispatcher"]))
        assert r.status_code == 200
        seen[status] = {o["id"] for o in r.get_json()["items"]}
    assert expired["id"] in seen["expired"] and expired["id"] not in seen["valid"]
    assert valid["id"] in seen["valid"] and none["id"] in seen["none"]
    r = client.get("/api/v1/officers?certificate=bogus", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 400


def test_deactivate_refused_on_an_assignment_then_allowed(client, tokens, committed, db):
    a = committed.inspector(lon=SITE[0], lat=SITE[1])
    b = committed.inspector(lon=SITE[0], lat=SITE[1])
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    r = client.post(f"/api/v1/inspections/{inspection}/assign", json={"officer_ids": [a, b]},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    admin = bearer(tokens["admin"])
    r = client.post(f"/api/v1/officers/{a}/deactivate", json={"reason": "调离"}, headers=admin)
    assert r.status_code == 409 and str(inspection) in r.get_json()["error"]["message"]
    db.rollback()
    assert db.execute(text("SELECT active FROM officers WHERE id = :i"), {"i": a}).scalar_one()
    r = client.post(f"/api/v1/officers/{b}/deactivate", json={}, headers=admin)
    assert r.status_code == 400
    assert client.post(f"/api/v1/inspections/{inspection}/cancel", json={"reason": "测试"},
                       headers=bearer(tokens["dispatcher"])).status_code == 200
    r = client.post(f"/api/v1/officers/{a}/deactivate", json={"reason": "调离"}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["active"] is False and r.get_json()["status"] == "off_duty"
    assert r.get_json()["certified_for_assignment"] is False
    r = client.post(f"/api/v1/officers/{a}/deactivate", json={"reason": "调离"}, headers=admin)
    assert r.status_code == 409


def _user_id(db, username):
    return db.execute(text("SELECT id FROM users WHERE username = :u"),
                      {"u": username}).scalar_one()


def test_recusals_admin_and_self_declared_and_removed(client, tokens, committed, db):
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    other = committed.inspector(lon=SITE[0], lat=SITE[1])
    mine = create(client, tokens, committed, name="本人",
                  user_id=_user_id(db, "test-inspector")).get_json()["id"]
    admin, inspector = bearer(tokens["admin"]), bearer(tokens["inspector"])
    r = client.post(f"/api/v1/officers/{other}/recusals",
                    json={"employer_id": employer, "reason": "配偶任职"}, headers=admin)
    assert r.status_code == 201 and r.get_json()["source"] == "admin"
    r = client.post(f"/api/v1/officers/{other}/recusals",
                    json={"employer_id": employer, "reason": "again"}, headers=admin)
    assert r.status_code == 409
    before = count(db, "recusals")
    r = client.post(f"/api/v1/officers/{other}/recusals",
                    json={"employer_id": employer, "reason": "亲属"}, headers=inspector)
    assert r.status_code == 403 and count(db, "recusals") == before
    for bad in ({"employer_id": "x", "reason": "a"}, {"employer_id": employer},
                {"employer_id": employer, "reason": "  "}):
        r = client.post(f"/api/v1/officers/{mine}/recusals", json=bad, headers=inspector)
        assert r.status_code == 400 and count(db, "recusals") == before
    r = client.post(f"/api/v1/officers/{mine}/recusals",
                    json={"employer_id": 2 ** 31 - 1, "reason": "亲属"}, headers=inspector)
    assert r.status_code == 404 and count(db, "recusals") == before
    r = client.post(f"/api/v1/officers/{mine}/recusals",
                    json={"employer_id": employer, "reason": "亲属在该单位任职"},
                    headers=inspector)
    assert r.status_code == 201 and r.get_json()["source"] == "self"
    detail = client.get(f"/api/v1/officers/{mine}", headers=admin).get_json()
    assert [(x["employer_id"], x["source"]) for x in detail["recusals"]] == [(employer, "self")]
    r = client.delete(f"/api/v1/officers/{mine}/recusals/{employer}", headers=inspector)
    assert r.status_code == 403
    r = client.delete(f"/api/v1/officers/{mine}/recusals/{employer}", headers=admin)
    assert r.status_code == 200
    r = client.delete(f"/api/v1/officers/{mine}/recusals/{employer}", headers=admin)
    assert r.status_code == 404
    actions = db.execute(text("SELECT action FROM audit_log WHERE entity = 'officer' "
                              "AND entity_id = :i ORDER BY id"), {"i": str(mine)}).scalars().all()
    assert actions[-2:] == ["recusal_add", "recusal_remove"]


@pytest.mark.parametrize("role", ["dispatcher", "command", "planner", "inspector"])
def test_writes_are_for_admins_only(client, tokens, committed, db, role):
    officer = committed.inspector(lon=SITE[0], lat=SITE[1])
    before = count(db)
    headers = bearer(tokens[role])
    assert client.post("/api/v1/officers", json=body(),
                       headers=headers).status_code == 403
    assert client.patch(f"/api/v1/officers/{officer}", json={"version": 1, "name": "x"},
                        headers=headers).status_code == 403
    assert client.post(f"/api/v1/officers/{officer}/deactivate", json={"reason": "x"},
                       headers=headers).status_code == 403
    assert count(db) == before
    db.rollback()
    assert db.execute(text("SELECT active FROM officers WHERE id = :i"),
                      {"i": officer}).scalar_one()


def test_bad_edits_change_nothing(client, tokens, committed, db):
    made = create(client, tokens, committed).get_json()
    url, admin = f"/api/v1/officers/{made['id']}", bearer(tokens["admin"])
    for changes, status in (({"county_adcode": "410100"}, 422), ({"badge": None}, 400),
                            ({"grid_id": grid_of(db, "410103")}, 422),
                            ({"certificate_issued_on": "2031-01-01"}, 422),
                            ({"kind": 3}, 400)):
        r = client.patch(url, json={"version": 1, **changes}, headers=admin)
        assert r.status_code == status, (changes, r.get_json())
    after = client.get(url, headers=admin).get_json()
    assert after["version"] == 1 and after["county_adcode"] == "410102"
    assert after["badge"] == made["badge"] and after["grid_id"] is None
    assert client.patch("/api/v1/officers/999999", json={"version": 1},
                        headers=admin).status_code == 404
    assert client.get("/api/v1/officers/999999", headers=admin).status_code == 404


def test_the_map_above_county_level_counts_officers_and_open_jobs_per_area(
        client, tokens, committed, db):  # noqa: F811
    h = bearer(tokens["command"])

    def row(area, child):
        r = client.get(f"/api/v1/officers/summary?area={area}", headers=h)
        assert r.status_code == 200, r.get_json()
        return next(i for i in r.get_json()["items"] if i["adcode"] == child), r

    before, _ = row("410000", "410100")
    city_before, _ = row("410100", "410181")
    committed.inspector(lon=SITE[0], lat=SITE[1], county="410181")
    committed.inspector(lon=SITE[0], lat=SITE[1], county="410181", status="off_duty",
                        minutes_old=600)
    committed.inspection(lon=SITE[0], lat=SITE[1], county="410181", priority="urgent")
    after, r = row("410000", "410100")
    body = r.get_json()
    assert body["level"] == "city" and len(body["items"]) == 18
    assert after["name"] == "郑州市"
    assert after["officers"]["available"] == before["officers"]["available"] + 1
    assert after["officers"]["off_duty"] == before["officers"]["off_duty"] + 1
    assert after["on_duty"] == before["on_duty"] + 1
    assert after["stale"] == before["stale"] + 1
    assert after["inspections"]["pending"] == before["inspections"]["pending"] + 1
    assert after["urgent"] == before["urgent"] + 1
    city_after, r = row("410100", "410181")
    assert r.get_json()["level"] == "county"
    assert city_after["officers_total"] == city_before["officers_total"] + 2
    assert city_after["open"] == city_before["open"] + 1
    # The same answer again costs a 304; a county has nothing one level down to count by.
    again = client.get("/api/v1/officers/summary?area=410100", headers={
        **h, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    county = client.get("/api/v1/officers/summary?area=410181", headers=h).get_json()
    assert county == {"level": None, "items": []}
    assert client.get("/api/v1/officers/summary", headers=h).status_code == 400
    assert client.get("/api/v1/officers/summary?area=419999", headers=h).status_code == 404
