"""The command map's live layers above county level: officers and open inspections counted
per city (province view) or per county (city view), instead of thousands of markers.

A province holds ~4,000 officers and hundreds of open inspections: drawn one by one they hide
the map and cost ~430 kB per poll. Counted per area they are 18 rows: officers by status
(and how many positions are stale), open inspections by status, the urgent ones and the
mass incidents (kind `incident`). A county view draws the individual markers as before.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.officers.models import OFFICER_STATUSES
from geo.areas.territory import PROVINCE

OPEN_STATUSES = ("pending", "assigned", "in_progress")

# The areas one level down (cities of the province, counties of a city) and, for every
# county, which of them it lies in.
CHILDREN_SQL = """
    SELECT a.adcode, a.name FROM admin_areas a
    WHERE a.level = :child AND a.parent_adcode = :area ORDER BY a.adcode
"""
COUNTY_TO_CHILD = """
    SELECT c.adcode AS county,
           CASE WHEN CAST(:child AS text) = 'city' THEN c.parent_adcode ELSE c.adcode END AS kid
    FROM admin_areas c WHERE c.level = 'county'
"""
OFFICERS_SQL = f"""
    WITH k AS ({COUNTY_TO_CHILD})
    SELECT k.kid, o.status, count(*) AS n,
           count(*) FILTER (WHERE o.position_at < now() - (:stale * interval '1 minute')) AS stale
    FROM officers o JOIN k ON k.county = o.county_adcode
    WHERE o.active AND o.geom IS NOT NULL AND k.kid = ANY(:kids)
    GROUP BY k.kid, o.status
"""
INSPECTIONS_SQL = f"""
    WITH k AS ({COUNTY_TO_CHILD})
    SELECT k.kid, i.status, count(*) AS n,
           count(*) FILTER (WHERE i.priority = 'urgent') AS urgent,
           count(*) FILTER (WHERE i.kind = 'incident') AS incidents
    FROM inspections i JOIN k ON k.county = i.county_adcode
    WHERE i.status = ANY(:open) AND k.kid = ANY(:kids)
    GROUP BY k.kid, i.status
"""


def child_level(level: str) -> str | None:
    """The level the map counts by: cities in the province, counties in a city, else None."""
    return {"province": "city", "city": "county"}.get(level)


def by_area(session: Session, area: str, level: str, stale_min: float) -> dict:
    """{"level": child level, "items": one row per child area with its counts}; a county or
    grid view has no children to count by (`items` empty)."""
    child = child_level(level)
    if child is None:
        return {"level": None, "items": []}
    parent = PROVINCE if level == "province" else area
    items = {r.adcode: {"adcode": r.adcode, "name": r.name,
                        "officers": dict.fromkeys(OFFICER_STATUSES, 0), "stale": 0,
                        "inspections": dict.fromkeys(OPEN_STATUSES, 0), "urgent": 0,
                        "incidents": 0}
             for r in session.execute(text(CHILDREN_SQL), {"child": child, "area": parent})}
    kids = list(items)
    for r in session.execute(text(OFFICERS_SQL), {"child": child, "stale": stale_min,
                                                  "kids": kids}):
        items[r.kid]["officers"][r.status] = r.n
        items[r.kid]["stale"] += r.stale
    for r in session.execute(text(INSPECTIONS_SQL), {"child": child, "kids": kids,
                                                     "open": list(OPEN_STATUSES)}):
        row = items[r.kid]
        row["inspections"][r.status] = r.n
        row["urgent"] += r.urgent
        row["incidents"] += r.incidents
    for row in items.values():
        row["officers_total"] = sum(row["officers"].values())
        row["on_duty"] = row["officers_total"] - row["officers"]["off_duty"] \
            - row["officers"]["unavailable"]
        row["open"] = sum(row["inspections"].values())
    return {"level": child, "items": list(items.values())}
