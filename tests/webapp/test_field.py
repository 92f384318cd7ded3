"""Field updates by grid workers, detail corrections with stale checks, duplicates and merges."""

import pytest
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer, unique
from tests.dispatch_fixtures import add_employer, add_inspector


@pytest.fixture()
def grid_worker(sessions, client):
    """A grid worker account linked to a grid worker's record in a grid of 410105."""
    with unit_of_work(sessions) as s:
        grid = s.execute(text("SELECT id FROM grids WHERE county_adcode = '410105' "
                              "ORDER BY id LIMIT 1")).scalar_one()
        user = create_user(s, username=unique("gw"), password=PASSWORD,
                           role="inspector", actor="tests")
        add_inspector(s, lon=113.7, lat=34.8, county="410105", kind="grid_worker",
                      certified=False, grid_id=grid, user_id=user.id)
    token = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": PASSWORD}).get_json()["token"]
    return {"grid": grid, "token": token, "username": user.username}


def test_worklist_shows_my_grid_stalest_first(client, grid_worker):
    r = client.get("/api/v1/field/worklist", headers=bearer(grid_worker["token"]))
    body = r.get_json()
    assert r.status_code == 200 and body["grid"]["id"] == grid_worker["grid"] and body["items"]
    keys = [(not i["needs_field_visit"], i["refreshed_at"]) for i in body["items"]]
    assert keys == sorted(keys)
    other = client.get(f"/api/v1/field/worklist?grid={grid_worker['grid'] + 1}",
                       headers=bearer(grid_worker["token"]))
    assert other.status_code == 403


def test_corrections_need_the_version_read_and_are_audited(client, grid_worker, db):
    item = client.get("/api/v1/field/worklist",
                      headers=bearer(grid_worker["token"])).get_json()["items"][0]
    h = bearer(grid_worker["token"])
    url = f"/api/v1/employers/{item['id']}"
    r = client.patch(url, json={"updated_at": item["updated_at"],
                                "changes": {"contact_phone": "13912345678", "employees": 42}},
                     headers=h)
    assert r.status_code == 200 and r.get_json()["employees"] == 42
    stale = client.patch(url, json={"updated_at": item["updated_at"],
                                    "changes": {"employees": 7}}, headers=h)
    assert stale.status_code == 409
    assert db.execute(text("SELECT employees FROM employers WHERE id = :i"),
                      {"i": item["id"]}).scalar_one() == 42
    audited = db.execute(text("SELECT after FROM audit_log WHERE entity = 'employer' AND "
                              "entity_id = :i AND action = 'update' ORDER BY id DESC LIMIT 1"),
                         {"i": str(item["id"])}).scalar_one()
    assert audited == {"contact_phone": "13912345678", "employees": 42}


@pytest.mark.parametrize("changes, status", [
    ({"employees": -1}, 422), ({"grade": "A"}, 400), ({"employees": "many"}, 400), ({}, 400),
    ({"name": "  "}, 422),
])
def test_bad_corrections_are_refused_and_nothing_changes(client, grid_worker, db, changes,
                                                         status):
    item = client.get("/api/v1/field/worklist",
                      headers=bearer(grid_worker["token"])).get_json()["items"][-1]
    before = db.execute(text("SELECT updated_at FROM employers WHERE id = :i"),
                        {"i": item["id"]}).scalar_one()
    r = client.patch(f"/api/v1/employers/{item['id']}",
                     json={"updated_at": item["updated_at"], "changes": changes},
                     headers=bearer(grid_worker["token"]))
    assert r.status_code == status
    assert db.execute(text("SELECT updated_at FROM employers WHERE id = :i"),
                      {"i": item["id"]}).scalar_one() == before


def add_duplicate_pair(s, lon: float, lat: float, name: str, address: str) -> tuple[int, int]:
    """Two employers of 410305 about 14 m apart with the same name and address."""
    a = add_employer(s, lon=lon, lat=lat, county="410305")
    b = add_employer(s, lon=lon + 0.0001, lat=lat + 0.0001, county="410305")
    s.execute(text("UPDATE employers SET name = :n, address = :addr WHERE id IN (:a, :b)"),
              {"n": name, "addr": address, "a": a, "b": b})
    return a, b


def test_duplicates_are_listed_and_a_merge_moves_complaints(client, tokens, sessions, db):
    with unit_of_work(sessions) as s:
        a, b = add_duplicate_pair(s, 112.45, 34.62, "洛阳重复测试机械有限公司",
                                  "河南省洛阳市涧西区建设路1号")
        s.execute(text("""INSERT INTO complaints (employer_id, county_adcode, category,
                          workers_affected, geom, status) SELECT id, county_adcode, 'overtime', 1,
                          geom, 'received'
                          FROM employers WHERE id = :b"""), {"b": b})
    h = bearer(tokens["admin"])
    items = client.get("/api/v1/employers/duplicates?area=410305", headers=h).get_json()["items"]
    pair = [i for i in items if {i["a_id"], i["b_id"]} == {a, b}]
    assert pair and pair[0]["same_name_address"] and pair[0]["distance_m"] < 20
    r = client.post("/api/v1/employers/merge", json={"keep": a, "remove": b,
                                                     "reason": "同一单位重复登记"}, headers=h)
    assert r.status_code == 200 and r.get_json()["moved"]["complaints"] == 1
    assert db.execute(text("SELECT count(*) FROM employers WHERE id = :b"), {"b": b}).scalar_one() == 0
    assert db.execute(text("SELECT count(*) FROM complaints WHERE employer_id = :a"),
                      {"a": a}).scalar_one() == 1
    audited = db.execute(text("SELECT before FROM audit_log WHERE action = 'merge' AND "
                              "entity_id = :a"), {"a": str(a)}).scalar_one()
    assert audited["removed"]["id"] == b
    again = client.post("/api/v1/employers/merge", json={"keep": a, "remove": b, "reason": "x"},
                        headers=h)
    assert again.status_code == 404
    assert client.post("/api/v1/employers/merge", json={"keep": a, "remove": a, "reason": "x"},
                       headers=h).status_code == 400


@pytest.mark.parametrize("query, status, words", [
    ("", 400, "area"),                      # the whole province was ~40 min on the demo data
    ("?area=410000", 400, "one city or county at a time"),
    ("?area=419998", 404, "419998"),
])
def test_duplicates_need_a_city_or_county(client, tokens, query, status, words):
    r = client.get("/api/v1/employers/duplicates" + query, headers=bearer(tokens["admin"]))
    assert r.status_code == status, r.get_json()
    assert words in r.get_json()["error"]["message"]


def test_duplicates_of_a_city_use_the_spatial_index(db):
    from geo.areas.service import county_adcodes
    from geo.employers import duplicates
    plan = "\n".join(db.execute(text("EXPLAIN " + duplicates.SQL), {
        "counties": county_adcodes(db, "410300"), "deg": 50 / 80_000, "metres": 50,
        "similarity": 0.6, "limit": 200}).scalars())
    assert "Index Scan using idx_employers_geom" in plan, plan


def test_duplicates_of_a_city_find_the_pair_of_one_of_its_counties(client, tokens, sessions):
    with unit_of_work(sessions) as s:
        a, b = add_duplicate_pair(s, 112.46, 34.63, "洛阳城市查重测试有限公司",
                                  "河南省洛阳市涧西区建设路9号")
    items = client.get("/api/v1/employers/duplicates?area=410300",
                       headers=bearer(tokens["admin"])).get_json()["items"]
    assert [i["same_name_address"] for i in items if {i["a_id"], i["b_id"]} == {a, b}] == [True]
