"""Command-map services: places and breadcrumb, grid search, grid metrics, risk in tiles."""
import mapbox_vector_tile
from sqlalchemy import text

from dispatch import grid_metrics
from geo import command_map, tiles
from geo.supervision import SupervisionSettings
from tests.conftest import bearer
from tests.dispatch_fixtures import add_employer
from tests.test_tiles import tile_of


def test_a_grid_code_resolves_to_a_four_level_breadcrumb_and_unknown_places_are_404(client,
                                                                                    tokens, db):
    code = db.execute(text("SELECT code FROM grids WHERE county_adcode = '410102' "
                           "ORDER BY code LIMIT 1")).scalar_one()
    place = command_map.place(db, code)
    assert [p["level"] for p in place["path"]] == ["province", "city", "county", "grid"]
    assert [p["key"] for p in place["path"]][:3] == ["410000", "410100", "410102"]
    county = command_map.place(db, "410102")
    assert code in {c["key"] for c in county["children"]}
    r = client.get("/map?area=999999", headers=bearer(tokens["command"]))
    assert r.status_code == 404


def test_grid_search_puts_the_exact_code_first(client, tokens, db):
    code = db.execute(text("SELECT code FROM grids ORDER BY code LIMIT 1 OFFSET 5")).scalar_one()
    r = client.get(f"/api/v1/grids/search?q={code.lower()}", headers=bearer(tokens["planner"]))
    assert r.status_code == 200 and r.get_json()["items"][0]["code"] == code


def test_grid_metrics_count_open_complaints_and_inspections_on_time(db):
    grid, county = db.execute(text("SELECT id, county_adcode FROM grids ORDER BY id LIMIT 1")).one()
    def row():
        items = grid_metrics.metrics(db, [county], SupervisionSettings())["items"]
        return next(i for i in items if i["id"] == grid)
    before = row()
    employer = db.execute(text("SELECT id FROM employers WHERE grid_id = :g LIMIT 1"),
                          {"g": grid}).scalar_one()
    db.execute(text("""INSERT INTO complaints (employer_id, county_adcode, category,
                       workers_affected, status) VALUES (:e, :c, 'other', 1, 'received'),
                       (:e, :c, 'other', 1, 'closed')"""), {"e": employer, "c": county})
    db.execute(text("UPDATE employers SET last_inspected_at = now() WHERE grid_id = :g"),
               {"g": grid})
    after = row()
    assert after["open_complaints"] == before["open_complaints"] + 1
    assert after["on_time_share"] == 1.0 and after["employers"] == before["employers"]


def test_employer_tiles_carry_the_stored_risk_score_and_level(db):
    site = (113.5012, 34.4021)
    employer = add_employer(db, lon=site[0], lat=site[1], county="410183")
    db.execute(text("INSERT INTO employer_risk (employer_id, county_adcode, score, level, "
                    "p_grade, p_complaints, p_violations, p_wage_arrears, p_social_insurance, "
                    "p_industry, p_migrants, p_inspection) "
                    "VALUES (:e, '410183', 72.5, 'red', 0, 0, 0, 0, 0, 0, 0, 0)"),
               {"e": employer})
    x, y = tile_of(*site, 17)
    layers = mapbox_vector_tile.decode(tiles.render_employers(db, 17, x, y, tiles.TileSettings()))
    found = next(f for f in layers["employers"]["features"] if f["id"] == employer)
    assert found["properties"]["risk"] == 72.5 and found["properties"]["risk_class"] == "red"
    x, y = tile_of(*site, 8)
    cells = mapbox_vector_tile.decode(tiles.render_employers(db, 8, x, y, tiles.TileSettings()))
    assert sum(f["properties"].get("red", 0) for f in cells["clusters"]["features"]) >= 1
