"""The planner page as served (roles, county chooser, bad counties) and full-precision grids."""
import json
import re

from sqlalchemy import text

from tests.conftest import bearer

COUNTY = "411681"  # 项城市, 周口市


def page(client, tokens, role, query=f"?county={COUNTY}"):
    return client.get("/planner" + query, headers=bearer(tokens[role]))


def test_planners_and_admins_get_the_editing_tools_and_other_roles_read_only(client, tokens):
    for role in ("planner", "admin"):
        html = page(client, tokens, role).get_data(as_text=True)
        assert '"canEdit": true' in html and 'id="lw-commit"' in html and 'id="lw-split"' in html
    for role in ("command", "dispatcher", "inspector"):
        r = page(client, tokens, role)
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        assert '"canEdit": false' in html
        assert 'id="lw-commit"' not in html and 'id="lw-split"' not in html


def test_the_page_reads_the_county_grids_at_full_precision_and_loads_geoman_locally(
        client, tokens):
    html = page(client, tokens, "planner").get_data(as_text=True)
    assert f"/api/v1/grids?county={COUNTY}\\u0026precision=15" in html  # HTML-safe JSON
    assert '<script src="/vendor/geoman/leaflet-geoman.min.js?v=' in html  # content-hashed
    assert client.get("/vendor/geoman/leaflet-geoman.min.js").status_code == 200
    assert client.get("/vendor/geoman/leaflet-geoman.css").status_code == 200
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_the_county_chooser_groups_counties_by_city_and_selects_the_one_shown(client, tokens):
    html = page(client, tokens, "planner").get_data(as_text=True)
    group = re.search(r'<optgroup label="周口市">(.*?)</optgroup>', html, re.S)
    assert group and f'<option value="{COUNTY}" selected>项城市</option>' in group.group(1)
    assert len(re.findall(r"<option value=", html)) == 157


def test_a_city_an_unknown_or_a_malformed_county_is_refused(client, tokens):
    assert page(client, tokens, "planner", "?county=411600").status_code == 400
    assert page(client, tokens, "planner", "?county=411699").status_code == 404
    assert page(client, tokens, "planner", "?county=41168x").status_code == 400
    assert page(client, tokens, "planner", "").status_code == 200  # a default county


def coordinates(geometry):
    for polygon in geometry["coordinates"]:
        for ring in polygon:
            yield from ring


def test_grids_with_precision_15_are_the_stored_doubles_and_the_default_stays_rounded(
        client, tokens, db):
    stored = {r.id: r.geometry for r in db.execute(text(
        "SELECT id, ST_AsGeoJSON(geom, 15)::json AS geometry FROM grids WHERE county_adcode = :c"),
        {"c": COUNTY})}
    exact = client.get(f"/api/v1/grids?county={COUNTY}&precision=15",
                       headers=bearer(tokens["planner"])).get_json()
    assert {f["id"]: f["geometry"] for f in exact["features"]} == stored
    assert any(len(repr(x).split(".")[1]) > 6 for f in exact["features"]
               for x, _ in coordinates(f["geometry"]))
    drawn = client.get(f"/api/v1/grids?county={COUNTY}", headers=bearer(tokens["planner"]))
    assert all(len(repr(x).split(".")[-1]) <= 6 for f in drawn.get_json()["features"]
               for x, _ in coordinates(f["geometry"]))
    bad = client.get(f"/api/v1/grids?county={COUNTY}&precision=16",
                     headers=bearer(tokens["planner"]))
    assert bad.status_code == 400 and bad.get_json()["error"]["details"]["parameter"] == "precision"
    assert json.loads(client.get("/api/openapi.json").get_data())  # still documents cleanly
