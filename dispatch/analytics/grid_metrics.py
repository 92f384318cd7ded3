"""Per-grid figures that colour the command map's grid layer."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import tile_layer as risk_source
from dispatch.inspections.supervision import OVERDUE_SQL, SupervisionSettings

# Complaints still being handled: awaiting the decision or information, or accepted.
OPEN_COMPLAINTS = ("received", "info_requested", "accepted")
METRICS = ("employers_per_staff", "open_complaints", "on_time_share", "mean_risk")


def metrics(session: Session, counties: list[str], settings: SupervisionSettings) -> dict:
    """Employers, staff, employers per staff, open complaints (by the employer's grid, or
    where the complaint was made) and the share of employers inspected within the interval
    their grade requires, for each grid of these counties."""
    risk = risk_source.point_sql("e")
    mean_risk = "avg(risk)"
    rows = session.execute(text(f"""
        WITH g AS (SELECT id, code FROM grids WHERE county_adcode = ANY(:counties)),
        emp AS (
            SELECT e.grid_id, count(*) AS n,
                   count(*) FILTER (WHERE NOT {OVERDUE_SQL}) AS on_time,
                   {mean_risk} AS mean_risk
            FROM (SELECT e.grid_id, e.grade, e.last_inspected_at, {risk['select']} 1
                  FROM employers e {risk['join']}
                  WHERE e.county_adcode = ANY(:counties) AND e.grid_id IS NOT NULL) e
            GROUP BY e.grid_id),
        staff AS (SELECT grid_id, count(*) AS n FROM officers
                  WHERE county_adcode = ANY(:counties) AND grid_id IS NOT NULL GROUP BY grid_id),
        complaint AS (
            SELECT coalesce(e.grid_id, (SELECT g2.id FROM grids g2
                                        WHERE ST_Intersects(g2.geom, c.geom) LIMIT 1)) AS grid_id,
                   count(*) AS n
            FROM complaints c LEFT JOIN employers e ON e.id = c.employer_id
            WHERE c.county_adcode = ANY(:counties) AND c.status = ANY(:open)
            GROUP BY 1)
        SELECT g.id, g.code, coalesce(emp.n, 0) AS employers, coalesce(staff.n, 0) AS staff,
               coalesce(complaint.n, 0) AS open_complaints,
               CASE WHEN emp.n > 0 THEN round(emp.on_time::numeric / emp.n, 4)::float END
                   AS on_time_share,
               round(emp.mean_risk::numeric, 1)::float AS mean_risk
        FROM g LEFT JOIN emp ON emp.grid_id = g.id LEFT JOIN staff ON staff.grid_id = g.id
        LEFT JOIN complaint ON complaint.grid_id = g.id
        ORDER BY g.code
    """), {"counties": counties, "open": list(OPEN_COMPLAINTS),
           **settings.sql_params()}).mappings().all()
    items = []
    for r in rows:
        item = dict(r)
        item["employers_per_staff"] = (round(r["employers"] / r["staff"], 1) if r["staff"]
                                       else None)
        items.append(item)
    return {"items": items, "metrics": list(METRICS)}
