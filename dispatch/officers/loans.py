"""Cross-county requests (跨区调用): a county borrows another county's officers for a while.

A dispatcher of the requesting county raises the request with a reason; someone of the
lending county (dispatcher or admin, never the requester) approves or refuses it. While an
approval lasts, the lending county's officers are candidates in the requesting county's
recommendations and may be assigned there (webapp.core.territory reads `lent_to`). Every
step is audited; nothing is deleted.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from dispatch.officers.models import OfficerLoan
from geo.accounts import audit
from geo.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from geo.core.text import Text

DECISIONS = ("approve", "refuse")


def lent_to(session: Session, counties: list[str] | None) -> list[str]:
    """Counties whose officers are lent now to any of `counties`."""
    if counties is None:
        return []
    return list(session.execute(text("""
        SELECT DISTINCT lending_county FROM officer_loans
        WHERE status = 'approved' AND valid_until > now()
          AND requesting_county = ANY(:c)"""), {"c": counties}).scalars())


def _county_exists(session: Session, adcode: str, name: str) -> None:
    if session.execute(text("SELECT 1 FROM admin_areas WHERE level = 'county' AND adcode = :a"),
                       {"a": adcode}).first() is None:
        raise Unprocessable(Text("loans.error.not_a_county", adcode=adcode),
                            {"parameter": name})


def request(session: Session, *, requesting_county: str, lending_county: str, reason: str,
            hours: int, inspection_id: int | None, actor: str | None) -> dict:
    """Raise a request; the caller has checked the requesting county is theirs."""
    _county_exists(session, requesting_county, "requesting_county")
    _county_exists(session, lending_county, "lending_county")
    if requesting_county == lending_county:
        raise Unprocessable(Text("loans.error.same_county"), {"parameter": "lending_county"})
    if not reason.strip():
        raise Unprocessable(Text("loans.error.reason"), {"parameter": "reason"})
    if inspection_id is not None and session.execute(text(
            "SELECT 1 FROM inspections WHERE id = :i AND county_adcode = :c"),
            {"i": inspection_id, "c": requesting_county}).first() is None:
        raise Unprocessable(Text("loans.error.inspection", id=inspection_id,
                                 county=requesting_county), {"parameter": "inspection_id"})
    loan = OfficerLoan(requesting_county=requesting_county, lending_county=lending_county,
                       reason=reason.strip(), hours=hours, inspection_id=inspection_id,
                       requested_by=actor)
    session.add(loan)
    session.flush()
    audit.record(session, actor=actor, action="request", entity="officer_loan",
                 entity_id=loan.id, after=serialise(loan))
    return serialise(loan)


def get(session: Session, loan_id: int, *, lock: bool = False) -> OfficerLoan:
    stmt = select(OfficerLoan).where(OfficerLoan.id == loan_id)
    loan = session.scalar(stmt.with_for_update() if lock else stmt)
    if loan is None:
        raise NotFound(Text("loans.error.not_found", id=loan_id), {"loan_id": loan_id})
    return loan


def decide(session: Session, loan_id: int, *, decision: str, note: str | None,
           actor: str | None, may_lend: bool) -> dict:
    """Approve or refuse (once). `may_lend`: the caller's territory holds the lending county."""
    loan = get(session, loan_id, lock=True)
    if not may_lend:
        raise Forbidden(Text("loans.error.not_lender", county=loan.lending_county))
    if actor is not None and actor == loan.requested_by:
        raise Forbidden(Text("loans.error.own_request"))
    if loan.status != "requested":
        raise Conflict(Text("loans.error.decided", status=Text(f"loans.status.{loan.status}")),
                       {"status": loan.status})
    before = serialise(loan)
    loan.status = "approved" if decision == "approve" else "refused"
    loan.decided_by, loan.decision_note = actor, (note or "").strip() or None
    loan.decided_at = session.scalar(select(func.now()))
    if loan.status == "approved":
        loan.valid_until = loan.decided_at + timedelta(hours=loan.hours)
    session.flush()
    audit.record(session, actor=actor, action=decision, entity="officer_loan",
                 entity_id=loan.id, before=before, after=serialise(loan))
    return serialise(loan)


def withdraw(session: Session, loan_id: int, *, actor: str | None, may_request: bool) -> dict:
    """The requesting county ends its request (pending or approved) early."""
    loan = get(session, loan_id, lock=True)
    if not may_request:
        raise Forbidden(Text("loans.error.not_requester", county=loan.requesting_county))
    if loan.status not in ("requested", "approved"):
        raise Conflict(Text("loans.error.decided", status=Text(f"loans.status.{loan.status}")),
                       {"status": loan.status})
    before = serialise(loan)
    loan.status = "withdrawn"
    loan.valid_until = session.scalar(select(func.now())) if loan.valid_until else None
    session.flush()
    audit.record(session, actor=actor, action="withdraw", entity="officer_loan",
                 entity_id=loan.id, before=before, after=serialise(loan))
    return serialise(loan)


def listing(session: Session, *, counties: list[str] | None, status: str | None) -> list[dict]:
    """Requests that involve these counties (either side), newest first."""
    stmt = select(OfficerLoan).order_by(OfficerLoan.id.desc()).limit(200)
    if counties is not None:
        stmt = stmt.where(OfficerLoan.requesting_county.in_(counties)
                          | OfficerLoan.lending_county.in_(counties))
    if status is not None:
        stmt = stmt.where(OfficerLoan.status == status)
    return [serialise(loan) for loan in session.scalars(stmt)]


def serialise(loan: OfficerLoan) -> dict:
    def iso(value):
        return value.isoformat() if value else None
    return {"id": loan.id, "requesting_county": loan.requesting_county,
            "lending_county": loan.lending_county, "reason": loan.reason, "hours": loan.hours,
            "inspection_id": loan.inspection_id, "status": loan.status,
            "requested_by": loan.requested_by, "requested_at": iso(loan.requested_at),
            "decided_by": loan.decided_by, "decided_at": iso(loan.decided_at),
            "decision_note": loan.decision_note, "valid_until": iso(loan.valid_until)}
