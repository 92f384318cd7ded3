"""Command-map services: places and breadcrumb, grid search, grid metrics, risk in tiles."""
import mapbox_vector_tile
from sqlalchemy import text

from dispatch.analytics import grid_metrics, tile_layer
from dispatch.calendar.service import WorkingCalendar
from dispatch.inspections.supervision import SupervisionSettings
from geo.areas import places as command_map
from geo.tiles import service as tiles
from tests import command_fixtures
from tests.conftest import bearer
from tests.dispatch_fixtures import add_employer
from tests.geo.test_tiles import tile_of


def add_grid(db, code: str, name: str = "测试网格", county: str = "410102") -> int:
    """A small square grid near 中原区's centre, in the test's rolled-back session."""
    return db.execute(text("""
        INSERT INTO grids (code, name, county_adcode, geom)
        VALUES (:code, :name, :county, ST_Multi(ST_MakeEnvelope(113.60, 34.75, 113.601, 34.751,
                                                                4326)))
        RETURNING id"""), {"code": code, "name": name, "county": county}).scalar_one()


def test_a_grid_code_resolves_to_a_four_level_breadcrumb_and_unknown_places_are_404(client,
                                                                                    tokens, db):
    code = "410102-T01"
    grid = add_grid(db, code, "面包屑网格")
    place = command_map.place(db, code)
    assert place["grid_id"] == grid and place["path"][-1]["name"] == "面包屑网格"
    assert [p["level"] for p in place["path"]] == ["province", "city", "county", "grid"]
    assert [p["key"] for p in place["path"]][:3] == ["410000", "410100", "410102"]
    county = command_map.place(db, "410102")
    assert code in {c["key"] for c in county["children"]}
    r = client.get("/map?area=999999", headers=bearer(tokens["command"]))
    assert r.status_code == 404


def test_grid_search_puts_the_exact_code_first(client, tokens, db):
    # Sorted by code alone, the name match and the inner match would come first.
    for code, name in (("TQ-10", "前缀"), ("TQ-1", "原码"), ("ATQ-1", "内含"),
                       ("TA-9", "叫 tq-1 的")):
        add_grid(db, code, name)
    found = [g["code"] for g in command_map.search_grids(db, "tq-1")]
    assert found == ["TQ-1", "TQ-10", "ATQ-1", "TA-9"]
    r = client.get("/api/v1/grids/search?q=410102-00&limit=3", headers=bearer(tokens["planner"]))
    items = r.get_json()["items"]
    assert r.status_code == 200 and len(items) == 3
    assert all(i["code"].startswith("410102-00") for i in items)


def test_grid_metrics_count_open_complaints_and_inspections_on_time(db):
    built = command_fixtures.build(db, WorkingCalendar.load(db))
    grid, county, employer = built["grids"][0], command_fixtures.COUNTY, built["employers"][0]

    def row():
        items = grid_metrics.metrics(db, [county], SupervisionSettings())["items"]
        return next(i for i in items if i["id"] == grid)
    before = row()
    assert before["employers"] == 3 and before["on_time_share"] < 1  # two of three are overdue
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
    layers = mapbox_vector_tile.decode(tiles.render_employers(db, 17, x, y, tiles.TileSettings(),
                                                           extension=tile_layer.EMPLOYER_TILES))
    found = next(f for f in layers["employers"]["features"] if f["id"] == employer)
    assert found["properties"]["risk"] == 72.5 and found["properties"]["risk_class"] == "red"
    x, y = tile_of(*site, 8)
    cells = mapbox_vector_tile.decode(tiles.render_employers(db, 8, x, y, tiles.TileSettings(),
                                                           extension=tile_layer.EMPLOYER_TILES))
    assert sum(f["properties"].get("red", 0) for f in cells["clusters"]["features"]) >= 1
