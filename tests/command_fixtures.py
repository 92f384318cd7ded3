"""A hand-built county for command-centre tests, written in a rolled-back session.

County 419999 is a 0.1° square far from Henan (no demo data near it): two grids cover
its western 60 %, five employers, two staff in grid 1, complaints and cases with known
deadlines. Expected figures are stated next to each row.
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import text

from dispatch.analytics import jobs
from geo.core import clock
from geo.employers import credit_code

COUNTY = "419999"
X0, Y0 = 120.0, 40.0  # south-west corner of the square


def _box(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f"SRID=4326;MULTIPOLYGON((({x1} {y1},{x2} {y1},{x2} {y2},{x1} {y2},"
            f"{x1} {y1})))")


def build(db, calendar) -> dict:
    """Insert the county and return ids and today's date (the Beijing date legal deadlines use)."""
    today = clock.today()
    db.execute(text("""
        INSERT INTO admin_areas (level, adcode, name, parent_adcode, geom, area_km2)
        VALUES ('county', :a, '测试县', '410000', ST_GeomFromEWKT(:g), 93.0)
    """), {"a": COUNTY, "g": _box(X0, Y0, X0 + 0.1, Y0 + 0.1)})
    grids = db.execute(text("""
        INSERT INTO grids (code, name, county_adcode, geom)
        VALUES (:a || '-001', '一网格', :a, ST_GeomFromEWKT(:g1)),
               (:a || '-002', '二网格', :a, ST_GeomFromEWKT(:g2))
        RETURNING id
    """), {"a": COUNTY, "g1": _box(X0, Y0, X0 + 0.03, Y0 + 0.1),
           "g2": _box(X0 + 0.03, Y0, X0 + 0.06, Y0 + 0.1)}).scalars().all()
    codes = credit_code.generate(np.array([COUNTY] * 5), np.random.default_rng(44))
    # (grid, grade, industry, deposit, employees, migrants, days since inspection)
    rows = [(grids[0], "A", "F", "not_required", 10, 0, 100),     # on time
            (grids[0], "B", "C", "not_required", 10, 5, 400),     # overdue (B: 365 d)
            (grids[0], "C", "E", "unpaid", 10, 10, None),         # overdue, red risk
            (grids[1], "C", "F", "not_required", 10, 0, 10),      # on time
            (None, "A", "F", "not_required", 10, 0, 2000)]        # outside grids, overdue
    ids = []
    for i, (grid, grade, industry, deposit, n, migrants, days) in enumerate(rows):
        ids.append(db.execute(text("""
            INSERT INTO employers (credit_code, name, industry, employees, migrant_workers,
                grade, wage_deposit, geom, location_source, county_adcode, grid_id,
                last_inspected_at)
            VALUES (:code, :name, :industry, :n, :m, :grade, :deposit,
                    ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'survey', :a, :grid,
                    CASE WHEN CAST(:days AS int) IS NULL THEN NULL
                         ELSE now() - make_interval(days => CAST(:days AS int)) END)
            RETURNING id
        """), {"code": codes[i], "name": f"测试单位{i}", "industry": industry, "n": n,
               "m": migrants, "grade": grade, "deposit": deposit, "x": X0 + 0.005 + 0.015 * i,
               "y": Y0 + 0.05, "a": COUNTY, "grid": grid, "days": days}).scalar_one())
    for badge in ("T-1", "T-2"):  # grid 1 has two staff, grid 2 none
        db.execute(text("""
            INSERT INTO officers (badge, name, kind, certified, county_adcode, grid_id, status)
            VALUES (:b, '网格员', 'grid_worker', false, :a, :g, 'available')
        """), {"b": badge, "a": COUNTY, "g": grids[0]})
    # Three complaints against the red employer awaiting acceptance (within, due today, past)
    # and one already accepted (not open for acceptance).
    for status, due in (("received", today + timedelta(days=3)), ("received", today),
                        ("received", today - timedelta(days=2)), ("accepted", today)):
        db.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, workers_affected,
                                    geom, received_at, acceptance_due, status)
            VALUES (:e, :a, 'other', 1, ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                    now() - interval '1 day', :due, :status)
        """), {"e": ids[2], "a": COUNTY, "x": X0 + 0.035, "y": Y0 + 0.05, "due": due,
               "status": status})
    # Open cases: due soon, overdue, far away; and a closed one past its date.
    for due, closed in ((calendar.add_working_days(today, 5), None),
                        (today - timedelta(days=1), None),
                        (calendar.add_working_days(today, 30), None),
                        (today - timedelta(days=3), today - timedelta(days=4))):
        db.execute(text("""
            INSERT INTO cases (employer_id, county_adcode, opened_on, due_on, outcome,
                               closed_on)
            VALUES (:e, :a, :opened, :due, CAST(:outcome AS text), :closed)
        """), {"e": ids[1], "a": COUNTY, "opened": today - timedelta(days=80), "due": due,
               "outcome": "withdrawn" if closed else None, "closed": closed})
    jobs.after_write(db, [COUNTY])  # as every write of risk inputs does: scores are fresh
    return {"grids": grids, "employers": ids, "today": today}
