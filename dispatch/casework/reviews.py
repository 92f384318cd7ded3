"""Wrong-case review (错案追究) and the record of who answers for what (执法责任制).

A review is opened on a closed case with its grounds and the officers involved (by default
the case's handlers and the inspection team); it is concluded once, with a finding for each
of those officers, the conclusion and the measures taken. Every step is audited.
"""
from __future__ import annotations

from sqlalchemy import any_, func, select, text
from sqlalchemy.orm import Session

from dispatch.casework.models import REVIEW_FINDINGS, Case, CaseReview
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Text


def involved(session: Session, case: Case) -> list[int]:
    """The case's handlers and the officers sent on its inspection."""
    team = session.execute(text(
        "SELECT DISTINCT officer_id FROM assignments WHERE inspection_id = :i"),
        {"i": case.inspection_id}).scalars().all() if case.inspection_id else []
    return sorted(set(case.handler_ids or []) | set(team))


def open_review(session: Session, case_id: int, *, grounds: str | None,
                officer_ids: list | None, actor: str | None) -> dict:
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound(Text("dispatch.error.case_not_found", case_id=case_id), {"case_id": case_id})
    if case.closed_on is None:
        raise Conflict(Text("reviews.error.case_open", case_id=case_id), {"case_id": case_id})
    if not grounds or not grounds.strip():
        raise Unprocessable(Text("reviews.error.grounds"), {"parameter": "grounds"})
    ids = involved(session, case) if officer_ids is None else officer_ids
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise Unprocessable(Text("reviews.error.officer_ids"), {"parameter": "officer_ids"})
    ids = sorted(set(ids))
    if not ids:
        raise Unprocessable(Text("reviews.error.no_officers"), {"parameter": "officer_ids"})
    known = set(session.execute(text("SELECT id FROM officers WHERE id = ANY(:i)"),
                                {"i": ids}).scalars())
    missing = [i for i in ids if i not in known]
    if missing:
        raise Unprocessable(Text("reviews.error.unknown_officer", id=missing[0]),
                            {"parameter": "officer_ids", "officer_id": missing[0]})
    review = CaseReview(case_id=case_id, grounds=grounds.strip(), officer_ids=ids,
                        opened_by=actor, opened_at=clock.now())
    session.add(review)
    session.flush()
    audit.record(session, actor=actor, action="review_open", entity="case", entity_id=case_id,
                 after={"review_id": review.id, "officer_ids": ids, "grounds": review.grounds})
    return serialise(session, review)


def conclude(session: Session, case_id: int, review_id: int, *, findings, conclusion: str | None,
             measures: str | None, version: int, actor: str | None) -> dict:
    review = session.scalar(select(CaseReview).where(CaseReview.id == review_id,
                                                     CaseReview.case_id == case_id)
                            .with_for_update())
    if review is None:
        raise NotFound(Text("reviews.error.not_found", id=review_id))
    if review.concluded_at is not None:
        raise Conflict(Text("reviews.error.concluded", id=review_id))
    if review.version != version:
        raise Conflict(Text("reviews.error.stale", id=review_id, version=review.version),
                       {"version": review.version})
    if not isinstance(findings, dict):
        raise Unprocessable(Text("reviews.error.findings"), {"parameter": "findings"})
    expected = {str(i) for i in review.officer_ids}
    if set(findings) != expected:
        raise Unprocessable(Text("reviews.error.findings_cover",
                                 ids=", ".join(sorted(expected))), {"parameter": "findings"})
    bad = [k for k, v in findings.items() if v not in REVIEW_FINDINGS]
    if bad:
        raise Unprocessable(Text("reviews.error.finding", id=bad[0],
                                 choices=", ".join(REVIEW_FINDINGS)), {"parameter": "findings"})
    if not conclusion or not conclusion.strip():
        raise Unprocessable(Text("reviews.error.conclusion"), {"parameter": "conclusion"})
    now = session.scalar(select(func.now()))  # before the changes (autoflush)
    review.findings = dict(sorted(findings.items()))
    review.conclusion = conclusion.strip()
    review.measures = (measures or "").strip() or None
    review.concluded_by, review.concluded_at = actor, now
    review.version += 1
    session.flush()
    audit.record(session, actor=actor, action="review_conclude", entity="case",
                 entity_id=case_id, after={"review_id": review.id, "findings": review.findings,
                                           "conclusion": review.conclusion})
    return serialise(session, review)


def for_case(session: Session, case_id: int) -> list[dict]:
    return [serialise(session, r) for r in session.scalars(
        select(CaseReview).where(CaseReview.case_id == case_id).order_by(CaseReview.id))]


def for_officer(session: Session, officer_id: int) -> list[dict]:
    return [serialise(session, r) for r in session.scalars(
        select(CaseReview).where(any_(CaseReview.officer_ids) == officer_id)
        .order_by(CaseReview.id.desc()).limit(50))]


def responsibility(session: Session, officer_id: int) -> dict:
    """What this officer answers for: case acts and complaint decisions, by kind."""
    acts = dict(session.execute(text("""
        SELECT kind, count(*) FROM case_events WHERE :o = ANY(responsible_officer_ids)
        GROUP BY kind ORDER BY kind"""), {"o": officer_id}).all())
    decisions = dict(session.execute(text("""
        SELECT decision, count(*) FROM complaint_decisions
        WHERE :o = ANY(responsible_officer_ids) GROUP BY decision ORDER BY decision"""),
        {"o": officer_id}).all())
    inspections = session.execute(text(
        "SELECT count(DISTINCT inspection_id) FROM assignments WHERE officer_id = :o"),
        {"o": officer_id}).scalar_one()
    return {"case_acts": acts, "complaint_decisions": decisions, "inspections": inspections}


def serialise(session: Session, r: CaseReview) -> dict:
    names = dict(session.execute(text("SELECT id, name FROM officers WHERE id = ANY(:i)"),
                                 {"i": list(r.officer_ids)}).all())
    findings = r.findings or {}
    return {
        "id": r.id, "case_id": r.case_id, "grounds": r.grounds, "version": r.version,
        "officers": [{"id": i, "name": names.get(i),
                      "finding": findings.get(str(i)),
                      "finding_text": Text(f"reviews.finding.{findings[str(i)]}")
                      if str(i) in findings else None} for i in r.officer_ids],
        "opened_by": r.opened_by, "opened_at": r.opened_at.isoformat(),
        "status": "concluded" if r.concluded_at else "open",
        "status_text": Text("reviews.status.concluded" if r.concluded_at else
                            "reviews.status.open"),
        "conclusion": r.conclusion, "measures": r.measures, "concluded_by": r.concluded_by,
        "concluded_at": r.concluded_at and r.concluded_at.isoformat(),
    }
