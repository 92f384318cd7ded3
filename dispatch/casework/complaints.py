"""Complaints and tips (举报投诉): intake rules, deadlines, and the inspection they lead to."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework.models import COMPLAINT_CATEGORIES, Complaint
from dispatch.inspections import service as inspections
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.areas.service import location_in_henan
from geo.core import clock
from geo.core.errors import InvalidInput, Unprocessable
from geo.core.text import Text
from geo.employers import credit_code

_TIME_BARRED = re.compile(r"the violation occurred on (?P<day>[0-9-]+), more than "
                          r"(?P<years>[0-9]+) years ago \(劳动保障监察条例 Art. 20\)")
# Roles that may see who complained (tipster identities are confidential).
IDENTITY_ROLES = ("dispatcher", "admin")


def _find_employer(session: Session, code: str | None, name: str | None,
                   address: str | None) -> tuple[int | None, Text | None]:
    """(employer id, why not found)."""
    if code:
        try:
            code = credit_code.validate(code)
        except credit_code.CreditCodeError as exc:
            raise InvalidInput(exc.args[0] if exc.args else str(exc),
                               {"parameter": "credit_code"}) from None
        found = session.execute(text("SELECT id FROM employers WHERE credit_code = :c"),
                                {"c": code}).scalar()
        return (found, None) if found else \
            (None, Text("dispatch.complaint.no_credit_code", code=code))
    if name:
        rows = session.execute(text("""
            SELECT id FROM employers WHERE name = :n
              AND (CAST(:a AS text) IS NULL OR address ILIKE '%' || :a || '%')
            ORDER BY id LIMIT 2
        """), {"n": name.strip(), "a": address}).scalars().all()
        if len(rows) == 1:
            return rows[0], None
        return None, (Text("dispatch.complaint.several_named") if rows
                      else Text("dispatch.complaint.no_name", name=repr(name)))
    return None, Text("dispatch.complaint.unidentified")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def priority_for(category: str, workers: int, settings: DispatchSettings) -> str:
    if workers >= settings.mass_incident_workers:
        return "urgent"  # 群体性事件
    return "high" if category in ("wage_arrears", "child_labour") else "normal"


def create(session: Session, *, category: str, workers_affected: int, description: str | None,
           occurred_on: date | None, employer_credit_code: str | None = None,
           employer_name: str | None = None, employer_address: str | None = None,
           location: dict | None = None, complainant_name: str | None = None,
           complainant_phone: str | None = None, actor: str | None,
           risk_settings: RiskSettings | None = None,
           settings: DispatchSettings, calendar: WorkingCalendar) -> dict:
    """Record a complaint; open an inspection when it is actionable and the site is known."""
    if category not in COMPLAINT_CATEGORIES:
        raise InvalidInput(Text("dispatch.error.one_of", name="category",
                                choices=", ".join(COMPLAINT_CATEGORIES)),
                           {"parameter": "category"})
    if workers_affected < 1:
        raise Unprocessable(Text("dispatch.error.workers_at_least_one"),
                            {"parameter": "workers_affected"})
    now, today = clock.now(), clock.today()  # legal dates are Beijing dates
    if occurred_on is not None and occurred_on > today:
        raise Unprocessable(Text("dispatch.error.occurred_future"), {"parameter": "occurred_on"})
    employer_id, not_found = _find_employer(session, employer_credit_code, employer_name,
                                            employer_address)
    lon = lat = county = None
    if location is not None:
        lon, lat, county = location_in_henan(session, location)
    elif employer_id is not None:
        lon, lat, county = inspections.employer_site(session, employer_id)
    if county is None:
        raise Unprocessable(Text("dispatch.error.no_competent_county"),
                            {"parameter": "location"})
    actionable, why_not = True, None
    limit = _years_after(occurred_on, settings.limitation_years) if occurred_on else None
    if limit is not None and limit < today:
        actionable = False
        # Stored as the English sentence (the record); answers render it per reader.
        why_not = str(Text("dispatch.complaint.time_barred", occurred_on=occurred_on.isoformat(),
                           years=settings.limitation_years))
    complaint = Complaint(
        employer_id=employer_id, county_adcode=county, category=category,
        workers_affected=workers_affected, description=description,
        complainant_name=complainant_name, complainant_phone=complainant_phone,
        geom=f"SRID=4326;POINT({float(lon)} {float(lat)})", occurred_on=occurred_on,
        received_at=now, status="received" if actionable else "refused",
        acceptance_due=calendar.add_working_days(today, settings.acceptance_working_days),
        actionable=actionable, not_actionable_reason=why_not)
    session.add(complaint)
    session.flush()
    inspection_id = None
    if actionable:
        inspection_id = inspections.create(
            session, kind="complaint", priority=priority_for(category, workers_affected, settings),
            description=description, employer_id=employer_id,
            location={"lon": float(lon), "lat": float(lat)}, complaint_id=complaint.id,
            actor=actor).id
    audit.record(session, actor=actor, action="create", entity="complaint",
                 entity_id=complaint.id, after={"category": category, "county": county,
                                                "actionable": actionable,
                                                "inspection_id": inspection_id})
    jobs.after_write(session, [county], risk_settings)  # complaints count towards the employer's risk
    view = serialise(complaint, show_identity=True)
    view.update({"inspection_id": inspection_id, "employer_note": not_found})
    return view


def serialise(c: Complaint, show_identity: bool) -> dict:
    return {
        "id": c.id, "employer_id": c.employer_id, "county_adcode": c.county_adcode,
        "category": c.category, "workers_affected": c.workers_affected,
        "mass_incident": c.workers_affected >= DispatchSettings().mass_incident_workers,
        "description": c.description, "occurred_on": c.occurred_on and c.occurred_on.isoformat(),
        "received_at": c.received_at.isoformat(),
        "acceptance_due": c.acceptance_due and c.acceptance_due.isoformat(),
        "status": c.status, "actionable": c.actionable,
        "not_actionable_reason": _reason_text(c.not_actionable_reason),
        "complainant": ({"name": c.complainant_name, "phone": c.complainant_phone}
                        if show_identity else "confidential"),
    }


def _reason_text(stored: str | None) -> Text | str | None:
    """The stored (English) reason a complaint is not actionable, as a Text to render."""
    found = _TIME_BARRED.fullmatch(stored or "")
    if found is None:
        return stored
    return Text("dispatch.complaint.time_barred", occurred_on=found["day"],
                years=int(found["years"]))


def listing(session: Session, *, counties: list[str] | None, show_identity: bool,
            limit: int = 200) -> list[dict]:
    q = session.query(Complaint).order_by(Complaint.received_at.desc(), Complaint.id.desc())
    if counties is not None:
        q = q.filter(Complaint.county_adcode.in_(counties))
    return [serialise(c, show_identity) for c in q.limit(limit)]
