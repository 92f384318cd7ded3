"""Entrusted audits (委托审计): commission an audit firm for an employer (scope, period, fee,
deadline); record its report (a PDF or document attached to the audit) and findings; a
finding of a violation opens an inspection of the employer and a case from it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.audits.models import FINDINGS, SCOPES, Audit
from geo.accounts import audit as audit_log
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Joined, Text


def _codes(values, allowed, name: str) -> list[str]:
    if not values or any(v not in allowed for v in values):
        raise Unprocessable(Text("audit.error.codes", name=name, choices=Joined(
            (Text(f"audit.{name}.{a}") for a in allowed), "dispatch.list.comma")),
            {"parameter": name})
    return list(dict.fromkeys(values))


def commission(session: Session, *, employer_id: int, firm: str, scope: list[str],
               period_from: date, period_to: date, fee: Decimal, due_on: date,
               actor: str | None) -> Audit:
    today = clock.today()
    if period_to < period_from or period_to > today:
        raise Unprocessable(Text("audit.error.period", start=period_from, end=period_to),
                            {"parameter": "period_to"})
    if due_on <= today:
        raise Unprocessable(Text("audit.error.due_past", due=due_on), {"parameter": "due_on"})
    county = session.execute(text("SELECT county_adcode FROM employers WHERE id = :e"),
                             {"e": employer_id}).scalar()
    if county is None:
        raise NotFound(Text("audit.error.employer", id=employer_id), {"employer_id": employer_id})
    row = Audit(employer_id=employer_id, county_adcode=county, firm=firm,
                scope=_codes(scope, SCOPES, "scope"), period_from=period_from,
                period_to=period_to, fee=fee, commissioned_on=today, due_on=due_on,
                status="commissioned", created_by=actor, version=1)
    session.add(row)
    session.flush()
    audit_log.record(session, actor=actor, action="audit_commission", entity="audit",
                     entity_id=row.id, after={"employer_id": employer_id, "firm": firm,
                                              "fee": str(fee)})
    return row


def get(session: Session, audit_id: int, *, lock: bool = False) -> Audit:
    row = session.get(Audit, audit_id, with_for_update=lock)
    if row is None:
        raise NotFound(Text("audit.error.not_found", id=audit_id), {"audit_id": audit_id})
    return row


def report(session: Session, audit_id: int, *, attachment_id: int, findings: list[dict],
           open_case, actor: str | None) -> dict:
    """The firm's report and its findings ({kind, amount?, workers?, note}); any finding is a
    violation: `open_case(audit, summary)` opens the inspection and case, → (inspection, case)."""
    row = get(session, audit_id, lock=True)
    if row.status != "commissioned":
        raise Conflict(Text("audit.error.reported", id=row.id), {"status": row.status})
    if not session.execute(text(
            "SELECT 1 FROM attachments WHERE id = :a AND owner_kind = 'audit' AND owner_id = :o "
            "AND kind IN ('pdf', 'docx', 'xlsx')"), {"a": attachment_id, "o": row.id}).first():
        raise Unprocessable(Text("audit.error.report_file", id=attachment_id),
                            {"parameter": "attachment_id"})
    kept = []
    for f in findings:
        if not isinstance(f, dict) or f.get("kind") not in FINDINGS:
            raise Unprocessable(Text("audit.error.codes", name="findings", choices=Joined(
                (Text(f"audit.findings.{a}") for a in FINDINGS), "dispatch.list.comma")),
                {"parameter": "findings"})
        amount, workers = f.get("amount"), f.get("workers")
        if amount is not None and (not isinstance(amount, int | float) or amount < 0):
            raise Unprocessable(Text("audit.error.amount"), {"parameter": "findings.amount"})
        if workers is not None and (not isinstance(workers, int) or workers < 0):
            raise Unprocessable(Text("audit.error.workers"), {"parameter": "findings.workers"})
        kept.append({"kind": f["kind"], "amount": amount, "workers": workers,
                     "note": (f.get("note") or "")[:2000] or None})
    row.findings, row.report_attachment_id = kept, attachment_id
    row.status, row.reported_on = "reported", clock.today()
    if kept:
        summary = "委托审计发现：" + "；".join(
            str(Text(f"audit.findings.{f['kind']}").render("zh")) +
            (f" {f['amount']:,.2f} 元" if f["amount"] is not None else "") for f in kept)
        row.inspection_id, row.case_id = open_case(row, summary)
    row.version += 1
    audit_log.record(session, actor=actor, action="audit_report", entity="audit",
                     entity_id=row.id, after={"findings": len(kept), "case_id": row.case_id})
    return view(row)


def view(row) -> dict:
    get_ = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    today = clock.today()
    return {"id": get_("id"), "employer_id": get_("employer_id"),
            "employer_name": row.get("employer_name") if isinstance(row, dict) else None,
            "county_adcode": get_("county_adcode"), "firm": get_("firm"),
            "scope": list(get_("scope")), "period_from": get_("period_from").isoformat(),
            "period_to": get_("period_to").isoformat(), "fee": float(get_("fee")),
            "commissioned_on": get_("commissioned_on").isoformat(),
            "due_on": get_("due_on").isoformat(), "status": get_("status"),
            "overdue": get_("status") == "commissioned" and get_("due_on") < today,
            "reported_on": get_("reported_on") and get_("reported_on").isoformat(),
            "report": get_("report_attachment_id") and
            f"/api/v1/attachments/{get_('report_attachment_id')}",
            "findings": get_("findings"), "inspection_id": get_("inspection_id"),
            "case_id": get_("case_id"), "created_by": get_("created_by"),
            "version": get_("version")}


def listing(session: Session, *, counties: list[str] | None) -> list[dict]:
    rows = session.execute(text("""
        SELECT a.*, e.name AS employer_name FROM audits a JOIN employers e ON e.id = a.employer_id
        WHERE (CAST(:c AS text[]) IS NULL OR a.county_adcode = ANY(:c))
        ORDER BY a.status = 'commissioned' AND a.due_on < :today DESC, a.status, a.due_on, a.id
        LIMIT 500
    """), {"c": counties, "today": clock.today()}).mappings()
    return [view(dict(r)) for r in rows]
