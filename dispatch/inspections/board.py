"""The dispatcher's console board: the inspections of an area in four tabs, each counted.

waiting   pending, not yet sent;
assigned  a team is on its way (assigned or en route), with a live ETA of its farthest member;
on_site   a team member has reported arriving (officer status on_site);
done      completed since 00:00 Beijing time today.

A tab is decided from the inspection's status and its team's officer statuses in one query,
so the counts and the rows agree with each other and with the officers' own reports.
"""
from __future__ import annotations

import math
from datetime import datetime, time

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections.recommend import eta_minutes
from dispatch.settings import DispatchSettings
from geo.areas.service import county_adcodes
from geo.core import clock
from geo.core.errors import InvalidInput
from geo.core.text import Text

TABS = ("waiting", "assigned", "on_site", "done")

# One row per inspection of the area that belongs on the board, with its tab.
SCOPE_SQL = """
    SELECT i.*,
           CASE WHEN i.status = 'pending' THEN 'waiting'
                WHEN i.status = 'done' THEN 'done'
                WHEN EXISTS (SELECT 1 FROM assignments a JOIN officers o ON o.id = a.officer_id
                             WHERE a.inspection_id = i.id AND a.released_at IS NULL
                               AND o.status = 'on_site') THEN 'on_site'
                ELSE 'assigned' END AS tab
    FROM inspections i
    WHERE i.county_adcode = ANY(:counties)
      AND (i.status IN ('pending', 'assigned', 'in_progress')
           OR (i.status = 'done' AND i.closed_at >= :day_start))
"""

ITEMS_SQL = f"""
    WITH scope AS ({SCOPE_SQL})
    SELECT s.id, s.tab, s.kind, s.status, s.priority, s.description, s.employer_id,
           e.name AS employer,
           s.county_adcode, c.name AS county, c.name LIKE '%区' AS urban,
           ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
           s.created_at, s.due_at, s.assigned_at, s.closed_at, s.closed_reason, s.version,
           (SELECT json_agg(json_build_object(
                       'id', o.id, 'name', o.name, 'status', o.status,
                       'distance_m', CASE WHEN o.geom IS NULL THEN NULL
                                          ELSE round(ST_Distance(o.geom::geography,
                                                                 s.geom::geography))::int END)
                   ORDER BY o.id)
            FROM assignments a JOIN officers o ON o.id = a.officer_id
            WHERE a.inspection_id = s.id
              AND (a.released_at IS NULL OR (s.status = 'done' AND a.release_reason = 'completed'))
           ) AS team
    FROM scope s
    LEFT JOIN employers e ON e.id = s.employer_id
    LEFT JOIN admin_areas c ON c.adcode = s.county_adcode
    WHERE s.tab = :tab
    ORDER BY CASE WHEN :tab = 'done' THEN 0 ELSE
                  CASE s.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END END,
             CASE WHEN :tab = 'done' THEN s.closed_at END DESC,
             s.created_at, s.id
    LIMIT :limit
"""

COUNTS_SQL = f"WITH scope AS ({SCOPE_SQL}) SELECT tab, count(*) FROM scope GROUP BY tab"


def day_start(now: datetime | None = None) -> datetime:
    """00:00 Beijing time of the Beijing day of `now`."""
    return datetime.combine(clock.beijing_date(now or clock.now()), time(0), tzinfo=clock.BEIJING)


def board(session: Session, *, area: str, tab: str, settings: DispatchSettings,
          counties: list[str] | None = None, limit: int = 200) -> dict:
    """Counts of every tab and the rows of one, for the counties of `area` (and, when given,
    only those of `counties`: the user's territory)."""
    if tab not in TABS:
        raise InvalidInput(Text("dispatch.error.one_of", name="tab", choices=", ".join(TABS)),
                           {"parameter": "tab"})
    inside = county_adcodes(session, area)
    if counties is not None:
        inside = sorted(set(inside) & set(counties))
    params = {"counties": inside, "day_start": day_start(), "tab": tab, "limit": limit}
    counts = dict.fromkeys(TABS, 0)
    counts.update(dict(session.execute(text(COUNTS_SQL), params).all()))
    items = [_item(dict(r), settings)
             for r in session.execute(text(ITEMS_SQL), params).mappings()]
    return {"area": area, "tab": tab, "counts": counts, "items": items}


def _item(row: dict, settings: DispatchSettings) -> dict:
    """A board row: times in ISO 8601, the team's ETA (its farthest member still travelling)."""
    urban = bool(row.pop("urban"))
    team = row["team"] or []
    row["team"] = team
    travelling = [m["distance_m"] for m in team
                  if m["status"] in ("assigned", "en_route") and m["distance_m"] is not None]
    row["eta_min"] = (max(1, math.ceil(eta_minutes(max(travelling), urban, settings)))
                      if travelling and row["status"] != "done" else None)
    for key in ("created_at", "due_at", "assigned_at", "closed_at"):
        if isinstance(row.get(key), datetime):
            row[key] = row[key].isoformat()
    return row
