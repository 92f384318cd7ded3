"""The demo dataset: realistic, inside Henan, grids tiling every county."""
import numpy as np
from sqlalchemy import text

from geo import demo
from geo.employers import credit_code
from tests.conftest import DEMO_EMPLOYERS
from tests.tiling import tiling_errors


def test_boundaries_loaded_at_every_level(db):
    counts = dict(db.execute(text("SELECT level, count(*) FROM admin_areas GROUP BY level")).all())
    assert counts == {"province": 1, "city": 18, "county": 157}


def test_every_employer_lies_inside_its_county(db):
    outside = db.execute(text("""
        SELECT count(*) FROM employers e JOIN admin_areas a
          ON a.level = 'county' AND a.adcode = e.county_adcode
        WHERE NOT ST_Intersects(a.geom, e.geom)
    """)).scalar_one()
    total = db.execute(text("SELECT count(*) FROM employers")).scalar_one()
    assert total > DEMO_EMPLOYERS * 0.99
    assert outside == 0


def test_every_employer_is_in_exactly_one_grid_of_its_county(db):
    rows = db.execute(text("""
        SELECT e.id, count(g.id) AS n, bool_and(g.id = e.grid_id) AS same
        FROM employers e JOIN grids g ON ST_Intersects(g.geom, e.geom)
        GROUP BY e.id HAVING count(g.id) <> 1 OR NOT bool_and(g.id = e.grid_id)
    """)).all()
    assert rows == []


def test_grids_tile_every_county_without_gaps_or_overlaps(db):
    rows = tiling_errors(db)
    assert len(rows) == 157
    for r in rows:
        assert abs(r["gap_m2"]) < 1.0 and r["overlap_m2"] < 1.0 and r["outside_m2"] < 1.0, r


def test_tiling_errors_see_a_removed_grid_as_a_gap(db):
    grid_id, area = db.execute(text("""
        SELECT id, ST_Area(geom) * 111320 ^ 2 * cos(radians(ST_Y(ST_Centroid(geom))))
        FROM grids WHERE county_adcode = '410102' ORDER BY id LIMIT 1""")).one()
    db.execute(text("DELETE FROM officers WHERE grid_id = :g"), {"g": grid_id})
    db.execute(text("UPDATE employers SET grid_id = NULL WHERE grid_id = :g"), {"g": grid_id})
    db.execute(text("DELETE FROM grids WHERE id = :g"), {"g": grid_id})
    (row,) = tiling_errors(db, "410102")
    assert abs(row["gap_m2"] - area) < 0.01 * area  # m² conversion uses the county latitude


def test_officers_cover_every_county_with_certified_inspectors(db):
    worst = db.execute(text("""
        SELECT min(n) FROM (SELECT a.adcode, count(o.id) AS n FROM admin_areas a
        LEFT JOIN officers o ON o.county_adcode = a.adcode AND o.kind = 'inspector' AND o.certified
        WHERE a.level = 'county' GROUP BY a.adcode) s
    """)).scalar_one()
    assert worst >= 6
    per_grid = db.execute(text("""
        SELECT min(n), max(n) FROM (SELECT g.id, count(o.id) AS n FROM grids g
        LEFT JOIN officers o ON o.grid_id = g.id AND o.kind = 'grid_worker' GROUP BY g.id) s
    """)).one()
    assert per_grid == (1, 2)


def test_credit_codes_are_valid_and_grades_mostly_a(db):
    codes = db.execute(text("SELECT credit_code FROM employers ORDER BY id LIMIT 500")).scalars()
    for c in codes:
        credit_code.validate(c)  # raises CreditCodeError for an invalid code
    grades = dict(db.execute(text("SELECT grade, count(*) FROM employers GROUP BY grade")).all())
    total = sum(grades.values())
    assert grades["A"] / total > 0.75 and grades["C"] / total < 0.08


def test_urban_districts_are_denser_than_rural_counties(db):
    urban, rural = db.execute(text("""
        SELECT avg(n / a.area_km2) FILTER (WHERE a.name LIKE '%区'),
               avg(n / a.area_km2) FILTER (WHERE a.name LIKE '%县')
        FROM (SELECT county_adcode, count(*) AS n FROM employers GROUP BY county_adcode) e
        JOIN admin_areas a ON a.level = 'county' AND a.adcode = e.county_adcode
    """)).one()
    assert urban > 3 * rural


def test_generation_is_deterministic_for_a_seed(db):
    county = demo.read_counties(db)[0]
    a = demo.sample_points(county, 200, np.random.default_rng(3))
    b = demo.sample_points(county, 200, np.random.default_rng(3))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    rows_a = demo.employer_rows(county, *a, np.random.default_rng(4), 0).getvalue()
    rows_b = demo.employer_rows(county, *b, np.random.default_rng(4), 0).getvalue()
    assert rows_a == rows_b and rows_a.count("\n") == 200


DEMO_BADGE = r"^(JC|WG)[0-9]{11}$"  # dispatch.demo's badges; tests make their own


def test_no_demo_officer_claims_an_assignment_that_does_not_exist(db):
    claims = db.execute(text("""
        SELECT o.id, o.status FROM officers o
        WHERE o.badge ~ :badge AND o.status IN ('assigned', 'en_route', 'on_site')
          AND NOT EXISTS (SELECT 1 FROM assignments a JOIN inspections i ON i.id = a.inspection_id
                          WHERE a.officer_id = o.id AND a.released_at IS NULL
                            AND i.status IN ('assigned', 'in_progress'))
    """), {"badge": DEMO_BADGE}).all()
    assert claims == []


def test_demo_teams_on_the_job_are_certified_inspector_pairs(db):
    teams = db.execute(text("""
        SELECT i.id, count(*) AS n, bool_and(o.kind = 'inspector' AND o.certified) AS certified,
               bool_and(o.county_adcode = i.county_adcode) AS same_county
        FROM inspections i JOIN assignments a ON a.inspection_id = i.id AND a.assigned_by = 'demo'
        JOIN officers o ON o.id = a.officer_id
        GROUP BY i.id
    """)).all()
    assert len(teams) > 50  # the demo still shows officers out on inspections
    assert all(t.n == 2 and t.certified and t.same_county for t in teams)
