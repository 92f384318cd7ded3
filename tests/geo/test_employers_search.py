"""Finding employers (trigram search), their detail, and field updates of their location."""
import pytest
from pyproj import Geod
from sqlalchemy import text

from geo import crs
from tests.conftest import bearer
from tests.employer_files import codes, upload, write_csv

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def imported(app, tokens, tmp_path_factory):
    """Three employers with unusual names and addresses, imported once for this module."""
    c = codes(3)
    path = write_csv(tmp_path_factory.mktemp("search") / "s.csv", [
        ["豫检索翡翠湾机械制造有限公司", c[0], "", "郑州市中原区琥珀巷17号", "", "", "C", 40, "",
         "", ""],
        ["豫检索玛瑙山物流有限公司", c[1], "", "洛阳市涧西区玳瑁街9号", "", "", "G", 12, "", "",
         ""],
        ["豫检索珊瑚湖餐饮管理有限公司", c[2], "", "", 113.64, 34.75, "H", 8, "", "", ""],
    ])
    body = upload(app.test_client(), tokens["admin"], path).get_json()
    assert body["accepted"] == 3, body
    return c


def search(client, token, query):
    r = client.get(f"/api/v1/employers?{query}", headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_search_finds_by_name_fragment(client, tokens, imported):
    body = search(client, tokens["inspector"], "q=玛瑙山")
    assert [i["credit_code"] for i in body["items"]] == [imported[1]]
    item = body["items"][0]
    assert set(item) >= {"id", "credit_code", "name", "lon", "lat", "location_source", "grid_id",
                         "county_adcode"}
    assert item["county_adcode"] == "410305" and item["grid_id"] is not None
    assert body["total"] == 1 and body["total_exact"] and body["page"] == 1


def test_search_finds_by_credit_code_whole_or_in_part(client, tokens, imported):
    assert search(client, tokens["command"], f"q={imported[0]}")["items"][0]["credit_code"] \
        == imported[0]
    partial = search(client, tokens["command"], f"q={imported[2][6:16].lower()}")
    assert imported[2] in [i["credit_code"] for i in partial["items"]]


def test_search_finds_by_address(client, tokens, imported):
    body = search(client, tokens["dispatcher"], "q=琥珀巷")
    assert [i["credit_code"] for i in body["items"]] == [imported[0]]


def test_search_pages_through_many_matches(client, tokens, imported):
    first = search(client, tokens["planner"], "q=豫检索&per_page=2")
    second = search(client, tokens["planner"], "q=豫检索&per_page=2&page=2")
    assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])


def test_search_filters_by_area_and_field_visit(client, tokens, imported):
    in_luoyang = search(client, tokens["admin"], "q=豫检索&area=410300")
    assert [i["credit_code"] for i in in_luoyang["items"]] == [imported[1]]
    visit = search(client, tokens["admin"], "q=豫检索&needs_field_visit=true")
    assert {i["credit_code"] for i in visit["items"]} == {imported[0], imported[1]}
    assert all(i["needs_field_visit"] for i in visit["items"])


def test_search_treats_like_wildcards_literally(client, tokens, imported):
    assert search(client, tokens["admin"], "q=%25")["items"] == []
    assert search(client, tokens["admin"], "q=豫检索_")["items"] == []


def test_a_common_fragment_reports_a_capped_total(client, tokens):
    body = search(client, tokens["admin"], "q=有限公司&per_page=5")
    assert len(body["items"]) == 5 and body["total"] > 5


@pytest.mark.parametrize("query, parameter", [("per_page=500", "per_page"), ("page=0", "page"),
                                              ("page=x", "page"), (f"q={'长' * 101}", "q"),
                                              ("area=41", "area")])
def test_malformed_search_parameters_are_400(client, tokens, query, parameter):
    r = client.get(f"/api/v1/employers?{query}", headers=bearer(tokens["admin"]))
    assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"] == parameter


def test_search_uses_the_trigram_indexes(db):
    db.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.execute(text(
        "EXPLAIN SELECT id FROM employers WHERE name ILIKE '%翡翠湾机械%' "
        "OR address ILIKE '%翡翠湾机械%' OR credit_code LIKE '%ABCDE%'")).scalars())
    for index in ("ix_employers_name_trgm", "ix_employers_address_trgm",
                  "ix_employers_credit_code_trgm"):
        assert index in plan


def test_employer_detail_and_unknown_id(client, tokens, imported, db):
    eid = db.execute(text("SELECT id FROM employers WHERE credit_code = :c"),
                     {"c": imported[0]}).scalar_one()
    body = client.get(f"/api/v1/employers/{eid}", headers=bearer(tokens["inspector"])).get_json()
    assert body["name"] == "豫检索翡翠湾机械制造有限公司" and body["industry"] == "C"
    assert body["county_name"] == "中原区" and body["grid_code"].startswith("410102-")
    assert body["needs_field_visit"] and body["location_history"] == []
    r = client.get("/api/v1/employers/987654321", headers=bearer(tokens["inspector"]))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def _id(db, code):
    return db.execute(text("SELECT id FROM employers WHERE credit_code = :c"),
                      {"c": code}).scalar_one()


def test_a_field_survey_replaces_a_geocoded_position_and_keeps_history(client, tokens, db,
                                                                      imported):
    eid = _id(db, imported[1])
    before = client.get(f"/api/v1/employers/{eid}", headers=bearer(tokens["admin"])).get_json()
    lon, lat = 112.3850, 34.6600  # 涧西区
    gx, gy = crs.from_wgs84(lon, lat, "gcj02")  # as the field app's Amap SDK reports it
    r = client.post(f"/api/v1/employers/{eid}/location", headers=bearer(tokens["admin"]),
                    json={"lon": float(gx), "lat": float(gy), "accuracy_m": 8, "crs": "gcj02"})
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["location_source"] == "survey" and body["location_precision"] == "point"
    assert not body["needs_field_visit"] and body["last_field_update_at"]
    assert GEOD.inv(lon, lat, body["lon"], body["lat"])[2] < 1.0
    assert body["location_accuracy_m"] == 8 and body["source_crs"] == "gcj02"
    (history,) = body["location_history"]
    assert (history["lon_before"], history["lat_before"]) == (before["lon"], before["lat"])
    assert history["source_before"] == "county_centroid"
    assert history["changed_by"] == "test-admin"  # an inspector: own grid only
    db.rollback()
    inside = db.execute(text("""
        SELECT ST_Intersects(g.geom, e.geom) FROM employers e JOIN grids g ON g.id = e.grid_id
        WHERE e.id = :id"""), {"id": eid}).scalar_one()
    assert inside  # the grid was re-assigned to the one containing the new position
    audited = db.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'employer' "
                              "AND action = 'relocate' AND entity_id = :id"),
                         {"id": str(eid)}).scalar_one()
    assert audited == 1


@pytest.mark.parametrize("payload, status, words", [
    ({"lon": 116.40, "lat": 39.90, "accuracy_m": 5}, 422, "outside Henan"),
    ({"lon": 34.70, "lat": 113.60, "accuracy_m": 5}, 422, "swapped"),
    ({"lon": 113.60, "lat": 34.70, "accuracy_m": 500}, 422, "too coarse"),
    ({"lon": 113.60, "lat": 34.70, "accuracy_m": -1}, 400, "accuracy_m"),
    ({"lon": "113.6", "lat": 34.70, "accuracy_m": 5}, 400, "lon"),
    ({"lat": 34.70, "accuracy_m": 5}, 400, "lon"),
    ({"lon": 113.60, "lat": 34.70, "accuracy_m": 5, "crs": "mars"}, 400, "crs"),
])
def test_a_bad_field_position_is_refused_and_changes_nothing(client, tokens, db, imported,
                                                             payload, status, words):
    eid = _id(db, imported[2])
    before = db.execute(text("SELECT ST_AsText(geom), updated_at FROM employers WHERE id = :id"),
                        {"id": eid}).one()
    r = client.post(f"/api/v1/employers/{eid}/location", headers=bearer(tokens["admin"]),
                    json=payload)
    assert r.status_code == status and words in r.get_json()["error"]["message"], r.get_json()
    db.rollback()
    assert db.execute(text("SELECT ST_AsText(geom), updated_at FROM employers WHERE id = :id"),
                      {"id": eid}).one() == before


def test_only_field_staff_and_admins_update_positions(client, tokens, db, imported):
    eid = _id(db, imported[2])
    for role in ("planner", "dispatcher", "command"):
        r = client.post(f"/api/v1/employers/{eid}/location", headers=bearer(tokens[role]),
                        json={"lon": 113.6, "lat": 34.7, "accuracy_m": 5})
        assert r.status_code == 403
    r = client.post("/api/v1/employers/987654321/location", headers=bearer(tokens["admin"]),
                    json={"lon": 113.6, "lat": 34.7, "accuracy_m": 5})
    assert r.status_code == 404


def test_a_whole_credit_code_is_found_by_the_unique_index_first(client, tokens, imported):
    body = search(client, tokens["command"], f"q={imported[1].lower()}")
    assert body["match"] == "code" and [i["credit_code"] for i in body["items"]] == [imported[1]]
    assert body["total"] == 1
    outside = search(client, tokens["command"], f"q={imported[1]}&area=410100")  # it is in 洛阳
    assert outside["items"] == []


def test_a_two_character_query_matches_name_starts_across_the_province(client, tokens, imported):
    """Trigrams need three characters: across the province "豫检" matches names that start
    with it (an index range), inside a city anywhere in the name."""
    province = search(client, tokens["admin"], "q=豫检&per_page=50")
    assert province["match"] == "prefix"
    assert set(imported) <= {i["credit_code"] for i in province["items"]}
    assert all(i["name"].startswith("豫检") for i in province["items"])
    assert search(client, tokens["admin"], "q=瑙山")["items"] == []  # not at the start
    city = search(client, tokens["admin"], "q=瑙山&area=410300")
    assert city["match"] == "contains" and [i["credit_code"] for i in city["items"]] == [
        imported[1]]
    assert search(client, tokens["admin"], "q=%25%25")["items"] == []  # wildcards are literal


def test_short_queries_read_an_index_range_not_every_employer(db):
    from geo.employers import service

    db.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.execute(text(
        'EXPLAIN SELECT id FROM employers WHERE (name COLLATE "C") LIKE \'郑州%\' '
        'ORDER BY name COLLATE "C", id LIMIT 20')).scalars())
    assert "ix_employers_name_prefix" in plan
    assert service.search_mode("郑州", None) == "prefix"
    assert service.search_mode("郑州", ["410102"]) == "contains"
    assert service.search_mode("郑州市", None) == "contains"
