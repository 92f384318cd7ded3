"""Officers: the status state machine (with history) and live positions."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.officers.models import OFFICER_STATUSES, Officer, OfficerHistory
from geo.accounts import audit
from geo.areas.service import require_point_in_henan
from geo.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from geo.core.text import Joined, Text

# off_duty → available → assigned → en_route → on_site → available, plus unavailable.
# assigned/en_route → available happens when a dispatcher cancels or reassigns.
TRANSITIONS: dict[str, set[str]] = {
    "off_duty": {"available", "unavailable"},
    "available": {"assigned", "off_duty", "unavailable"},
    "assigned": {"en_route", "available"},
    "en_route": {"on_site", "available"},
    "on_site": {"available"},
    "unavailable": {"available", "off_duty"},
}
# Moves an officer may make on their own; assignment and release belong to dispatch.
SELF_SERVICE = {("off_duty", "available"), ("available", "off_duty"), ("assigned", "en_route"),
                ("en_route", "on_site"), ("on_site", "available"), ("available", "unavailable"),
                ("off_duty", "unavailable"), ("unavailable", "available"),
                ("unavailable", "off_duty")}
ON_A_JOB = ("assigned", "en_route", "on_site")  # each says: on an inspection right now


def status_text(status: str) -> Text:
    """An officer's status in a sentence (en_route → 在途)."""
    return Text(f"dispatch.officer_status.{status}")


def get(session: Session, officer_id: int, *, lock: bool = False) -> Officer:
    q = session.query(Officer).filter(Officer.id == officer_id)
    officer = (q.with_for_update() if lock else q).one_or_none()
    if officer is None:
        raise NotFound(Text("dispatch.error.officer_not_found", officer_id=officer_id),
                       {"officer_id": officer_id})
    return officer


def record_transition(session: Session, officer: Officer, to: str, *, actor: str | None,
                      reason: str | None = None, inspection_id: int | None = None) -> None:
    """History row for a status change already applied to `officer`'s row."""
    session.add(OfficerHistory(officer_id=officer.id, county_adcode=officer.county_adcode,
                               from_status=officer.status, to_status=to, actor=actor,
                               reason=reason, inspection_id=inspection_id))


def change_status(session: Session, officer_id: int, to: str, *, actor: str | None,
                  reason: str | None = None, self_service: bool = False) -> Officer:
    """Move an officer to `to` if the state machine allows it from their current status (409)."""
    if to not in OFFICER_STATUSES:
        raise InvalidInput(Text("dispatch.error.one_of", name="status",
                                choices=", ".join(OFFICER_STATUSES)),
                           {"parameter": "status"})
    officer = get(session, officer_id, lock=True)
    current = officer.status
    if to not in TRANSITIONS[current]:
        raise Conflict(Text("dispatch.error.transition_not_allowed", officer_id=officer_id,
                            current=status_text(current), to=status_text(to),
                            allowed=Joined(map(status_text, sorted(TRANSITIONS[current])),
                                           "dispatch.list.comma")),
                       {"from": current, "to": to})
    if self_service and (current, to) not in SELF_SERVICE:
        raise Conflict(Text("dispatch.error.transition_by_dispatcher",
                            current=status_text(current), to=status_text(to)),
                       {"from": current, "to": to})
    # `assigned` means "on an inspection": only the assignment flow (dispatch.assign), which
    # writes the assignment in the same transaction, may say so.
    if to == "assigned":
        raise Conflict(Text("dispatch.error.assigned_only_by_assignment", officer_id=officer_id),
                       {"from": current, "to": to})
    if to in ON_A_JOB and active_inspection(session, officer_id) is None:
        raise Conflict(Text("dispatch.error.no_active_assignment", officer_id=officer_id,
                            to=status_text(to)), {"from": current, "to": to})
    record_transition(session, officer, to, actor=actor, reason=reason)
    officer.status = to
    officer.version += 1
    officer.updated_at = datetime.now(UTC)
    audit.record(session, actor=actor, action="status", entity="officer", entity_id=officer_id,
                 before={"status": current}, after={"status": to, "reason": reason})
    return officer


def active_inspection(session: Session, officer_id: int) -> int | None:
    """The inspection the officer is assigned to now (an unreleased assignment), if any."""
    return session.execute(text("""
        SELECT inspection_id FROM assignments WHERE officer_id = :o AND released_at IS NULL
    """), {"o": officer_id}).scalar()


def employer_editable_by(session: Session, *, user_id: int, role: str, employer_id: int) -> None:
    """Refuse (403) a change to an employer that this user may not make; 404 if it is unknown.

    Inspectors (field staff) change only the employers of the grid(s) of the officer records
    linked to their account; the other roles that may write employers are not limited here.
    Locks the employer row, so it cannot move to another grid before the change is written.
    """
    row = session.execute(text("SELECT grid_id FROM employers WHERE id = :e FOR UPDATE"),
                          {"e": employer_id}).first()
    if row is None:
        raise NotFound(Text("dispatch.error.no_employer_with_id", employer_id=employer_id),
                       {"employer_id": employer_id})
    if role != "inspector":
        return
    mine = session.execute(text("""
        SELECT DISTINCT grid_id FROM officers WHERE user_id = :u AND grid_id IS NOT NULL
        ORDER BY grid_id
    """), {"u": user_id}).scalars().all()
    if not mine:
        raise Forbidden(Text("dispatch.error.account_not_linked_employers"),
                        {"employer_id": employer_id})
    if row.grid_id not in mine:
        raise Forbidden(Text("dispatch.error.employer_not_in_your_grid", employer_id=employer_id),
                        {"employer_id": employer_id, "grid_id": row.grid_id, "your_grids": mine})


def update_position(session: Session, officer_id: int, *, lon, lat, accuracy_m=None,
                    recorded_at: datetime | None = None, actor: str | None) -> Officer:
    """Record a position fix (WGS 84) inside Henan, not in the future, not older than the last."""
    now = datetime.now(UTC)
    recorded_at = recorded_at or now
    if recorded_at.tzinfo is None:
        raise InvalidInput(Text("dispatch.error.recorded_at_zone"),
                           {"parameter": "recorded_at"})
    if recorded_at > now + timedelta(minutes=2):
        raise Unprocessable(Text("dispatch.error.recorded_at_future"),
                            {"parameter": "recorded_at"})
    if accuracy_m is not None and (isinstance(accuracy_m, bool)
                                   or not isinstance(accuracy_m, (int, float))
                                   or not 0 <= accuracy_m <= 10_000):
        raise Unprocessable(Text("dispatch.error.accuracy_range"),
                            {"parameter": "accuracy_m"})
    require_point_in_henan(session, lon, lat)
    officer = get(session, officer_id, lock=True)
    if officer.position_at and recorded_at < officer.position_at:
        raise Conflict(Text("dispatch.error.newer_position"), {
            "position_at": officer.position_at.isoformat()})
    session.execute(text("""
        UPDATE officers SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326), position_at = :at,
                            updated_at = now()
        WHERE id = :id
    """), {"x": float(lon), "y": float(lat), "at": recorded_at, "id": officer_id})
    audit.record(session, actor=actor, action="position", entity="officer", entity_id=officer_id,
                 after={"lon": lon, "lat": lat, "accuracy_m": accuracy_m,
                        "recorded_at": recorded_at.isoformat()})
    session.refresh(officer)
    return officer


def live_geojson(session: Session, counties: list[str] | None, stale_min: float) -> str:
    """Officers with a position as a GeoJSON FeatureCollection built in PostGIS."""
    return session.execute(text("""
        SELECT json_build_object('type', 'FeatureCollection', 'features',
          coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', o.id,
            'geometry', ST_AsGeoJSON(o.geom, 6)::json,
            'properties', json_build_object(
                'id', o.id, 'name', o.name, 'badge', o.badge, 'kind', o.kind,
                'certified', o.certified, 'status', o.status, 'county_adcode', o.county_adcode,
                'grid_id', o.grid_id, 'updated_at', o.position_at,
                'stale', o.position_at < now() - (:stale * interval '1 minute'))
          ) ORDER BY o.id), '[]'::json))::text
        FROM officers o
        WHERE o.geom IS NOT NULL
          AND (CAST(:counties AS text[]) IS NULL OR o.county_adcode = ANY(:counties))
    """), {"counties": counties, "stale": stale_min}).scalar_one()


def staff_per_grid(session: Session, grid_ids: Sequence[int]) -> dict[int, int]:
    """{grid id: officers working in it} for these grids (geo.grids.staffing.StaffCounts)."""
    return dict(session.execute(text("""
        SELECT grid_id, count(*) FROM officers WHERE grid_id = ANY(:g) GROUP BY grid_id
    """), {"g": list(grid_ids)}).all())
