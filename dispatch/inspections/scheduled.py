"""Scheduled inspections for employers overdue by their compliance grade (classified supervision)."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections.supervision import OVERDUE_SQL, SUPERVISED_GRADE_SQL
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.areas.service import county_adcodes


def generate_overdue(session: Session, *, area: str, settings: DispatchSettings,
                     limit: int, actor: str | None) -> dict:
    """Open a scheduled inspection for each overdue employer without an open one (C first)."""
    counties = county_adcodes(session, area)
    rows = session.execute(text(f"""
        INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status,
                                 description, created_by)
        SELECT 'scheduled', e.id, e.county_adcode, e.geom,
               CASE WHEN {SUPERVISED_GRADE_SQL} = 'C' THEN 'high' ELSE 'normal' END, 'pending',
               '分类监管日常检查 (grade ' || e.grade || ')', :actor
        FROM employers e
        WHERE e.county_adcode = ANY(:counties) AND e.geom IS NOT NULL AND {OVERDUE_SQL}
          AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.employer_id = e.id
                          AND i.status IN ('pending', 'assigned', 'in_progress'))
        ORDER BY {SUPERVISED_GRADE_SQL} DESC, e.last_inspected_at NULLS FIRST, e.id
        LIMIT :limit
        RETURNING id
    """), {"counties": counties, **settings.supervision().sql_params(),
           "limit": limit, "actor": actor}).scalars().all()
    audit.record(session, actor=actor, action="generate", entity="scheduled_inspections",
                 entity_id=area, after={"created": len(rows), "limit": limit})
    return {"area": area, "created": len(rows), "inspection_ids": rows}
