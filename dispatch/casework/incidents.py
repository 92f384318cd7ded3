"""Mass incidents (群体性事件): a complaint from the threshold of workers up opens (or joins)
an incident, escalated to the responsible leader with the time they were notified."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.casework.models import Complaint, Incident
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Text


def for_complaint(session: Session, complaint: Complaint, *, actor: str | None) -> int:
    """The open incident at the same employer (joined), else a new one."""
    if complaint.employer_id is not None:
        found = session.query(Incident).filter(
            Incident.employer_id == complaint.employer_id,
            Incident.closed_at.is_(None)).with_for_update().first()
        if found is not None:
            found.workers = max(found.workers, complaint.workers_affected)
            return found.id
    incident = Incident(county_adcode=complaint.county_adcode, employer_id=complaint.employer_id,
                        workers=complaint.workers_affected, summary=complaint.description,
                        received_at=complaint.received_at, created_by=actor)
    session.add(incident)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="incident", entity_id=incident.id,
                 after={"complaint_id": complaint.id, "workers": incident.workers})
    return incident.id


def get(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    q = session.query(Incident).filter(Incident.id == incident_id)
    found = (q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFound(Text("casework.error.incident_not_found", incident_id=incident_id),
                       {"incident_id": incident_id})
    return found


def escalate(session: Session, incident_id: int, *, leader: str | None,
             actor: str | None) -> dict:
    """Record that the responsible leader was notified, and when."""
    if not leader or not leader.strip():
        raise Unprocessable(Text("casework.error.leader_required"), {"parameter": "leader"})
    incident = get(session, incident_id, lock=True)
    if incident.escalated_at is not None:
        raise Conflict(Text("casework.error.incident_escalated", incident_id=incident_id,
                            leader=incident.leader))
    incident.leader, incident.escalated_at, incident.escalated_by = \
        leader.strip(), clock.now(), actor
    audit.record(session, actor=actor, action="escalate", entity="incident",
                 entity_id=incident_id, after={"leader": incident.leader})
    return view(session, incident_id)


def close(session: Session, incident_id: int, *, actor: str | None) -> dict:
    incident = get(session, incident_id, lock=True)
    if incident.closed_at is not None:
        raise Conflict(Text("casework.error.incident_closed", incident_id=incident_id))
    incident.closed_at = clock.now()
    audit.record(session, actor=actor, action="close", entity="incident", entity_id=incident_id)
    return view(session, incident_id)


def view(session: Session, incident_id: int) -> dict:
    rows = listing(session, counties=None, only=incident_id)
    if not rows:
        raise NotFound(Text("casework.error.incident_not_found", incident_id=incident_id))
    return rows[0]


def listing(session: Session, *, counties: list[str] | None, only: int | None = None,
            open_only: bool = False, limit: int = 200) -> list[dict]:
    """Incidents, not yet escalated first, each with its complaints and inspections."""
    rows = session.execute(text("""
        SELECT n.*, e.name AS employer_name, a.name AS county_name,
               (SELECT array_agg(k.id ORDER BY k.id) FROM complaints k
                WHERE k.incident_id = n.id) AS complaint_ids,
               (SELECT array_agg(i.id ORDER BY i.id) FROM inspections i JOIN complaints k
                  ON k.id = i.complaint_id WHERE k.incident_id = n.id) AS inspection_ids
        FROM incidents n LEFT JOIN employers e ON e.id = n.employer_id
        LEFT JOIN admin_areas a ON a.adcode = n.county_adcode
        WHERE (CAST(:c AS text[]) IS NULL OR n.county_adcode = ANY(:c))
          AND (CAST(:only AS bigint) IS NULL OR n.id = :only)
          AND (NOT :open_only OR n.closed_at IS NULL)
        ORDER BY n.closed_at IS NOT NULL, n.escalated_at IS NOT NULL, n.received_at DESC
        LIMIT :limit"""), {"c": counties, "only": only, "open_only": open_only,
                           "limit": limit}).mappings().all()
    return [{
        "id": r["id"], "county_adcode": r["county_adcode"], "county_name": r["county_name"],
        "employer_id": r["employer_id"], "employer_name": r["employer_name"],
        "workers": r["workers"], "summary": r["summary"],
        "received_at": r["received_at"].isoformat(), "leader": r["leader"],
        "escalated_at": r["escalated_at"] and r["escalated_at"].isoformat(),
        "escalated_by": r["escalated_by"], "closed_at": r["closed_at"] and r["closed_at"].isoformat(),
        "status_text": Text("casework.incident_status." + (
            "closed" if r["closed_at"] else "escalated" if r["escalated_at"] else "open")),
        "complaint_ids": r["complaint_ids"] or [], "inspection_ids": r["inspection_ids"] or []}
        for r in rows]
