"""OGC API – Features at /ogc: the standard's resources through Flask, and GDAL's own OAPIF
client (ogrinfo, ogr2ogr) against the app under gunicorn, with a bearer token."""
from __future__ import annotations

import os
import sqlite3
import subprocess

import pytest
from sqlalchemy import text

from geo.accounts import service as accounts
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer

COUNTY = "410102"  # 中原区
BOX = (113.55, 34.70, 113.70, 34.80)  # around 中原区, 郑州


@pytest.fixture(scope="module")
def county_token(app, sessions):
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM users WHERE username = 'ogc-county-planner'"))
        accounts.create_user(s, username="ogc-county-planner", password=PASSWORD,
                             role="planner", actor="tests", area=COUNTY)
    r = app.test_client().post("/api/v1/auth/token", json={
        "username": "ogc-county-planner", "password": PASSWORD})
    return r.get_json()["token"]


def get(client, token, path, **kw):
    return client.get(path, headers={**bearer(token), "Accept-Language": "zh"}, **kw)


def test_landing_conformance_and_collections_link_to_each_other(client, tokens):
    tok = tokens["command"]
    landing = get(client, tok, "/ogc").get_json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= set(rels)
    conf = get(client, tok, "/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    cols = get(client, tok, "/ogc/collections").get_json()["collections"]
    assert [c["id"] for c in cols] == ["grids", "admin_areas", "employers", "projects"]
    assert cols[0]["title"] == "网格" and cols[0]["itemType"] == "feature"
    assert any(link["rel"] == "items" for link in cols[0]["links"])
    api = get(client, tok, "/ogc/api").get_json()
    limit = [p for p in api["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
             if p["name"] == "limit"][0]
    assert limit["schema"]["maximum"] == 10_000


def test_items_page_through_with_limit_offset_and_next_links(client, tokens, db):
    tok = tokens["command"]
    total = db.execute(text("SELECT count(*) FROM grids")).scalar_one()
    seen, path = [], "/ogc/collections/grids/items?limit=400"
    while path:
        r = get(client, tok, path)
        assert r.status_code == 200 and r.mimetype == "application/geo+json"
        page = r.get_json()
        assert page["numberMatched"] == total and page["numberReturned"] <= 400
        seen += [f["id"] for f in page["features"]]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        path = nxt[0].split("localhost", 1)[1] if nxt else None
    assert len(seen) == total == len(set(seen))
    assert seen == sorted(seen)
    capped = get(client, tok, "/ogc/collections/grids/items?limit=50000").get_json()
    assert capped["numberReturned"] == min(total, 10_000)


def test_bbox_returns_exactly_the_features_that_intersect_it(client, tokens, db):
    got = get(client, tokens["command"], "/ogc/collections/employers/items?limit=10000&bbox="
              + ",".join(map(str, BOX))).get_json()
    expected = db.execute(text(
        "SELECT id FROM employers WHERE ST_Intersects(geom, ST_MakeEnvelope(:a, :b, :c, :d, "
        "4326)) ORDER BY id"), dict(zip("abcd", BOX))).scalars().all()
    assert expected and [f["id"] for f in got["features"]] == expected
    for f in got["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]


def test_employers_carry_no_personal_fields(client, tokens):
    f = get(client, tokens["admin"], "/ogc/collections/employers/items?limit=5").get_json()
    props = f["features"][0]["properties"]
    assert {"name", "credit_code", "grade", "county_adcode"} <= set(props)
    assert not {"contact_person", "contact_phone", "legal_representative"} & set(props)


def test_a_county_reader_sees_only_its_county(client, county_token, db):
    grids = get(client, county_token, "/ogc/collections/grids/items?limit=10000").get_json()
    assert grids["numberMatched"] == db.execute(text(
        "SELECT count(*) FROM grids WHERE county_adcode = :c"), {"c": COUNTY}).scalar_one() > 0
    assert {f["properties"]["county_adcode"] for f in grids["features"]} == {COUNTY}
    areas = get(client, county_token, "/ogc/collections/admin_areas/items").get_json()
    assert [f["id"] for f in areas["features"]] == [COUNTY]
    elsewhere = db.execute(text("SELECT id FROM grids WHERE county_adcode <> :c LIMIT 1"),
                           {"c": COUNTY}).scalar_one()
    r = get(client, county_token, f"/ogc/collections/grids/items/{elsewhere}")
    assert r.status_code == 404 and "不在您的辖区内" in r.get_json()["error"]["message"]
    mine = grids["features"][0]["id"]
    one = get(client, county_token, f"/ogc/collections/grids/items/{mine}").get_json()
    assert one["id"] == mine and one["geometry"]["type"] in ("Polygon", "MultiPolygon")


@pytest.mark.parametrize("query, parameter", [
    ("bbox=1,2,3", "bbox"), ("bbox=114,35,113,34", "bbox"), ("bbox=a,b,c,d", "bbox"),
    ("bbox=113,34,114,35&bbox-crs=EPSG:3857", "bbox-crs"), ("limit=0", "limit"),
    ("limit=ten", "limit"), ("offset=-1", "offset"),
    ("offset=99999999999999999999", "offset"), ("limit=" + "9" * 5000, "limit")])
def test_bad_parameters_get_a_400_naming_them_in_chinese(client, tokens, query, parameter):
    r = get(client, tokens["command"], f"/ogc/collections/grids/items?{query}")
    body = r.get_json()
    assert r.status_code == 400 and body["error"]["details"]["parameter"] == parameter
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])


def test_odd_arguments_and_ids_get_an_answer_not_an_error(client, tokens):
    tok = tokens["command"]
    r = get(client, tok, "/ogc/collections/grids/items?limit=2&collection_id=x&_external=1")
    assert r.status_code == 200
    assert all("collection_id=x" not in link["href"] for link in r.get_json()["links"])
    for fid in ("abc", "1.5", "9" * 40, "-1", "１２"):
        assert get(client, tok, f"/ogc/collections/grids/items/{fid}").status_code == 404
    assert get(client, tok, "/ogc/collections/admin_areas/items/410102").get_json()[
        "properties"]["name"] == "中原区"


def test_unknown_collections_and_anonymous_callers(client, tokens):
    r = get(client, tokens["command"], "/ogc/collections/rivers/items")
    assert r.status_code == 404 and "grids" in r.get_json()["error"]["message"]
    r = client.get("/ogc/collections")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def gdal(args: list[str], token: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GDAL_HTTP_HEADERS=f"Authorization: Bearer {token}",
               GDAL_HTTP_TIMEOUT="60", CPL_DEBUG="OFF")
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    return out


def test_gdal_lists_and_reads_the_collections(live_server, tokens, db):
    url = f"OAPIF:{live_server}/ogc"
    listed = gdal(["ogrinfo", "-ro", "-q", url], tokens["command"]).stdout
    for name in ("grids", "admin_areas", "employers", "projects"):
        assert f": {name} " in listed, listed
    info = gdal(["ogrinfo", "-ro", "-so", url, "grids"], tokens["command"]).stdout
    total = db.execute(text("SELECT count(*) FROM grids")).scalar_one()
    assert f"Feature Count: {total}" in info and "code: String" in info


def test_gdal_copies_a_county_readers_grids_and_a_bbox_of_employers(live_server, county_token,
                                                                     tokens, db, tmp_path):
    url = f"OAPIF:{live_server}/ogc"
    out = tmp_path / "grids.gpkg"
    gdal(["ogr2ogr", "-f", "GPKG", str(out), url, "grids", "-oo", "PAGE_SIZE=1000"],
         county_token)
    with sqlite3.connect(out) as con:
        codes = sorted(r[0] for r in con.execute("SELECT code FROM grids"))
    assert codes == db.execute(text("SELECT code FROM grids WHERE county_adcode = :c "
                                    "ORDER BY code"), {"c": COUNTY}).scalars().all()
    info = gdal(["ogrinfo", "-ro", "-so", "-spat", *map(str, BOX), url, "employers"],
                tokens["command"]).stdout
    inside = db.execute(text(
        "SELECT count(*) FROM employers WHERE ST_Intersects(geom, ST_MakeEnvelope(:a, :b, :c, "
        ":d, 4326))"), dict(zip("abcd", BOX))).scalar_one()
    assert inside > 0 and f"Feature Count: {inside}" in info
