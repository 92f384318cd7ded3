"""The JSON API: areas, grids, errors, caching, health and the OpenAPI document."""
import pytest
from openapi_spec_validator import validate

from geo.core.config import Settings
from tests.conftest import TEST_SECRET, bearer


@pytest.fixture()
def auth(tokens):
    return bearer(tokens["command"])


@pytest.mark.parametrize("level, count", [("province", 1), ("city", 18), ("county", 157)])
def test_areas_by_level(client, auth, level, count):
    r = client.get(f"/api/v1/areas?level={level}&simplify=200", headers=auth)
    body = r.get_json(force=True)
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    assert body["type"] == "FeatureCollection" and len(body["features"]) == count
    props = body["features"][0]["properties"]
    assert len(props["adcode"]) == 6 and props["name"] and props["level"] == level


def test_counties_of_one_city(client, auth):
    body = client.get("/api/v1/areas?level=county&parent=410100", headers=auth).get_json(force=True)
    names = {f["properties"]["name"] for f in body["features"]}
    assert "中原区" in names and len(names) == 12


def test_grids_of_a_county_carry_counts_and_versions(client, auth):
    body = client.get("/api/v1/grids?county=410102", headers=auth).get_json(force=True)
    assert body["features"]
    props = body["features"][0]["properties"]
    assert set(props) >= {"id", "code", "name", "county_adcode", "version", "employer_count",
                          "staff_count"}
    assert all(f["properties"]["county_adcode"] == "410102" for f in body["features"])
    assert sum(f["properties"]["employer_count"] for f in body["features"]) > 0


def test_grids_of_a_city_via_area(client, auth):
    body = client.get("/api/v1/grids?area=410100&simplify=50", headers=auth).get_json(force=True)
    assert {f["properties"]["county_adcode"][:4] for f in body["features"]} == {"4101"}


@pytest.mark.parametrize("path, status, parameter", [
    ("/api/v1/areas", 400, "level"),
    ("/api/v1/areas?level=planet", 400, "level"),
    ("/api/v1/areas?level=county&parent=41", 400, "parent"),
    ("/api/v1/areas?level=county&simplify=abc", 400, "simplify"),
    ("/api/v1/areas?level=county&simplify=-1", 400, "simplify"),
    ("/api/v1/areas?level=county&simplify=nan", 400, "simplify"),
    ("/api/v1/grids", 400, "county"),
    ("/api/v1/grids?county=4101O2", 400, "county"),
    ("/api/v1/grids?county=410100", 400, "county"),
])
def test_malformed_parameters_are_400_naming_the_parameter(client, auth, path, status, parameter):
    r = client.get(path, headers=auth)
    err = r.get_json()["error"]
    assert r.status_code == status and err["details"]["parameter"] == parameter
    assert parameter in err["message"]


@pytest.mark.parametrize("path", ["/api/v1/grids?county=999999",
                                  "/api/v1/areas?level=county&parent=420100",
                                  "/api/v1/grids?area=110000"])
def test_unknown_adcode_is_404(client, auth, path):
    r = client.get(path, headers=auth)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_unknown_route_is_a_json_404(client, auth):
    r = client.get("/api/v1/nothing-here", headers=auth)
    assert r.status_code == 404 and "error" in r.get_json()


def test_unchanged_layer_answers_304(client, auth):
    r = client.get("/api/v1/areas?level=city&simplify=500", headers=auth)
    etag = r.headers["ETag"]
    again = client.get("/api/v1/areas?level=city&simplify=500",
                       headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_healthz_reports_postgis(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["postgis"].startswith("3.")


def test_healthz_is_503_when_the_database_is_down():
    from webapp import create_app
    down = create_app(Settings(secret_key=TEST_SECRET),
                      database_url="postgresql+psycopg2://x@/x?host=/nonexistent&port=1")
    r = down.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"


def test_openapi_document_is_valid_and_lists_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    from webapp.core.openapi import _path
    api_rules = {_path(r.rule)[0] for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert api_rules <= set(doc["paths"])
    areas = doc["paths"]["/api/v1/areas"]["get"]
    assert {p["name"] for p in areas["parameters"]} == {"level", "parent", "simplify", "precision"}
    assert set(areas["x-roles"]) == {"admin", "command", "dispatcher", "planner", "inspector"}
    assign = doc["paths"]["/api/v1/inspections/{inspection_id}/assign"]["post"]
    assert assign["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "officer_ids"]


def test_pages_forbid_other_hosts_through_content_security_policy(client, auth):
    csp = client.get("/map", headers=auth).headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert "http" not in csp


def test_a_brief_grid_layer_carries_the_same_grids_with_only_what_an_overview_colours_by(
        client, tokens):
    h = bearer(tokens["command"])
    full = client.get("/api/v1/grids?area=410100&simplify=300&precision=3", headers=h).get_json()
    brief = client.get("/api/v1/grids?area=410100&simplify=300&precision=3&fields=brief",
                       headers=h).get_json()
    assert [f["id"] for f in brief["features"]] == [f["id"] for f in full["features"]]
    assert {k for f in brief["features"] for k in f["properties"]} == {
        "id", "code", "employer_count", "staff_count"}
    assert all(b["properties"]["employer_count"] == f["properties"]["employer_count"]
               for b, f in zip(brief["features"], full["features"]))
    assert client.get("/api/v1/grids?area=410100&fields=some", headers=h).status_code == 400
