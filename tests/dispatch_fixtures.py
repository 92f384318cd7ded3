"""Hand-built officers and inspections for dispatch tests (committed, with unique badges)."""
from __future__ import annotations

import itertools

from sqlalchemy import text

_serial = itertools.count(1)

# A quiet spot in 中原区 (410102), Zhengzhou.
SITE = (113.60, 34.75)


def add_inspector(session, *, lon: float, lat: float, county: str = "410102",
                  status: str = "available", certified: bool = True, kind: str = "inspector",
                  minutes_old: int = 1, grid_id=None, user_id=None) -> int:
    badge = f"T{next(_serial):06d}-{county}"
    return session.execute(text("""
        INSERT INTO officers (badge, name, kind, certified, county_adcode, grid_id, status, geom,
                              position_at, user_id)
        VALUES (:badge, :badge, :kind, :certified, :county, :grid, :status,
                ST_SetSRID(ST_MakePoint(:x, :y), 4326), now() - make_interval(mins => :age), :user)
        RETURNING id
    """), {"badge": badge, "kind": kind, "certified": certified, "county": county,
           "grid": grid_id, "status": status, "x": lon, "y": lat, "age": minutes_old,
           "user": user_id}).scalar_one()


def add_employer(session, *, lon: float, lat: float, county: str = "410102") -> int:
    import numpy as np

    from geo.credit_code import generate
    code = generate(np.array([county]), np.random.default_rng(next(_serial) + 1000))[0]
    return session.execute(text("""
        INSERT INTO employers (credit_code, name, location_source, county_adcode, geom)
        VALUES (:code, :name, 'survey', :county, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
        ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name
        RETURNING id
    """), {"code": code, "name": f"测试单位{code[-6:]}", "county": county,
           "x": lon, "y": lat}).scalar_one()


def add_inspection(session, *, lon: float, lat: float, employer_id=None,
                   county: str = "410102", priority: str = "normal") -> int:
    return session.execute(text("""
        INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status)
        VALUES ('scheduled', :e, :county, ST_SetSRID(ST_MakePoint(:x, :y), 4326), :p, 'pending')
        RETURNING id
    """), {"e": employer_id, "county": county, "x": lon, "y": lat, "p": priority}).scalar_one()


def metres_east(lon: float, lat: float, metres: float) -> tuple[float, float]:
    import math
    return lon + metres / (111_320 * math.cos(math.radians(lat))), lat
