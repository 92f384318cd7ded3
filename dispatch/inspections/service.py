"""Inspections: created from complaints, schedules, random draws and incidents; listed; read."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.calendar.service import WorkingCalendar
from dispatch.inspections.models import (
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    PRIORITIES,
    Inspection,
)
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.areas.service import county_adcodes, location_in_henan
from geo.core import clock
from geo.core.errors import InvalidInput, NotFound
from geo.core.text import Text


def employer_site(session: Session, employer_id: int) -> tuple[float, float, str]:
    row = session.execute(text("""
        SELECT ST_X(geom), ST_Y(geom), county_adcode FROM employers WHERE id = :id
    """), {"id": employer_id}).first()
    if row is None:
        raise NotFound(Text("dispatch.error.employer_not_found", employer_id=employer_id),
                       {"employer_id": employer_id})
    if row[0] is None:
        raise InvalidInput(Text("dispatch.error.employer_no_location", employer_id=employer_id),
                           {"parameter": "location"})
    return row[0], row[1], row[2]


def create(session: Session, *, kind: str, priority: str, description: str | None,
           employer_id: int | None = None, location: dict | None = None,
           complaint_id: int | None = None, actor: str | None) -> Inspection:
    """A pending inspection at the employer's location or at a given lat/lon inside Henan."""
    if kind not in INSPECTION_KINDS:
        raise InvalidInput(Text("dispatch.error.one_of", name="kind",
                                choices=", ".join(INSPECTION_KINDS)),
                           {"parameter": "kind"})
    if priority not in PRIORITIES:
        raise InvalidInput(Text("dispatch.error.one_of", name="priority",
                                choices=", ".join(PRIORITIES)),
                           {"parameter": "priority"})
    if employer_id is None and location is None:
        raise InvalidInput(Text("dispatch.error.employer_or_location"),
                           {"parameter": "location"})
    if location is not None:
        lon, lat, county = location_in_henan(session, location)
        if employer_id is not None:
            employer_site(session, employer_id)  # 404 for an unknown employer
    else:
        lon, lat, county = employer_site(session, employer_id)
    inspection = Inspection(kind=kind, employer_id=employer_id, complaint_id=complaint_id,
                            county_adcode=county, priority=priority, description=description,
                            status="pending", created_by=actor,
                            geom=f"SRID=4326;POINT({float(lon)} {float(lat)})")
    session.add(inspection)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="inspection",
                 entity_id=inspection.id, after={"kind": kind, "priority": priority,
                                                 "employer_id": employer_id, "county": county})
    return inspection


def get(session: Session, inspection_id: int, *, lock: bool = False) -> Inspection:
    q = session.query(Inspection).filter(Inspection.id == inspection_id)
    found = (q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFound(Text("dispatch.error.inspection_not_found", inspection_id=inspection_id),
                       {"inspection_id": inspection_id})
    return found


def status_text(status: str) -> Text:
    """An inspection's status in a sentence (pending → 待派遣)."""
    return Text(f"dispatch.inspection_status.{status}")


def due_at(priority: str, now: datetime, settings: DispatchSettings,
           calendar: WorkingCalendar) -> datetime:
    """When an assigned inspection must be carried out, by priority."""
    if priority == "urgent":
        return now + timedelta(hours=settings.due_hours_urgent)
    if priority == "high":
        return now + timedelta(hours=settings.due_hours_high)
    # 18:00 Beijing time on the n-th working day after the Beijing date of `now`.
    day: date = calendar.add_working_days(clock.beijing_date(now), settings.due_working_days_normal)
    return datetime.combine(day, time(18, 0), tzinfo=clock.BEIJING)


def listing(session: Session, *, status: str | None, area: str | None, limit: int = 200) -> list:
    """Inspections by priority then age, optionally for one status and area."""
    if status is not None and status not in INSPECTION_STATUSES:
        raise InvalidInput(Text("dispatch.error.one_of", name="status",
                                choices=", ".join(INSPECTION_STATUSES)),
                           {"parameter": "status"})
    counties = county_adcodes(session, area) if area else None
    rows = session.execute(text("""
        SELECT i.id, i.kind, i.status, i.priority, i.description, i.employer_id, e.name AS employer,
               i.county_adcode, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.created_at, i.due_at,
               i.version,
               (SELECT array_agg(a.officer_id ORDER BY a.officer_id) FROM assignments a
                WHERE a.inspection_id = i.id AND a.released_at IS NULL) AS officer_ids
        FROM inspections i LEFT JOIN employers e ON e.id = i.employer_id
        WHERE (CAST(:status AS text) IS NULL OR i.status = :status)
          AND (CAST(:counties AS text[]) IS NULL OR i.county_adcode = ANY(:counties))
        ORDER BY CASE i.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END,
                 i.created_at, i.id
        LIMIT :limit
    """), {"status": status, "counties": counties, "limit": limit}).mappings().all()
    return [serialise(dict(r)) for r in rows]


def serialise(row: dict) -> dict:
    out = dict(row)
    for key in ("created_at", "due_at"):
        if isinstance(out.get(key), datetime):
            out[key] = out[key].isoformat()
    out["officer_ids"] = out.get("officer_ids") or []
    return out


def detail(session: Session, inspection_id: int) -> dict:
    row = session.execute(text("""
        SELECT i.id, i.kind, i.status, i.priority, i.description, i.employer_id, e.name AS employer,
               i.county_adcode, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.created_at, i.due_at,
               i.version, i.complaint_id, i.closed_reason,
               (SELECT array_agg(a.officer_id ORDER BY a.officer_id) FROM assignments a
                WHERE a.inspection_id = i.id AND a.released_at IS NULL) AS officer_ids
        FROM inspections i LEFT JOIN employers e ON e.id = i.employer_id WHERE i.id = :id
    """), {"id": inspection_id}).mappings().first()
    if row is None:
        get(session, inspection_id)  # raises the 404
    return serialise(dict(row))


def now_utc() -> datetime:
    return clock.now()
