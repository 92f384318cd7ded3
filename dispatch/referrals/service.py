"""Referrals (部门协调, 移交): out to a department of the configured list or to another
jurisdiction, from a project (its warning), case, complaint or incident, with a deadline to
sign for it (working days) and one for feedback; reminders; a police transfer of malicious
wage refusal (拒不支付劳动报酬) carries the facts the police need; a referral in from another
department becomes a complaint. Overdue: not signed for by the receipt deadline, or no
feedback by the feedback deadline."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.calendar.service import WorkingCalendar
from dispatch.referrals.models import Referral
from dispatch.referrals.settings import ReferralSettings
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Joined, Text

PROJECT_DEPARTMENT = {"housing": "housing", "transport": "transport", "water": "water",
                      "other": "other"}
SOURCES = {
    "project": "SELECT county_adcode, id FROM projects WHERE id = :v",
    "case": "SELECT county_adcode, NULL::bigint FROM cases WHERE id = :v",
    "complaint": "SELECT county_adcode, project_id FROM complaints WHERE id = :v",
    "incident": "SELECT county_adcode, NULL::bigint FROM incidents WHERE id = :v",
}
POLICE = "public_security"
OFFENCES = ("wage_refusal", "obstruction", "other")  # 拒不支付劳动报酬 / 阻挠执法 / other
# What the police need to take up a malicious wage refusal (刑法第276条之一; 人社部发〔2014〕100号).
WAGE_REFUSAL_FACTS = ("amount_owed", "workers", "order_served_on", "deadline_on")
OPEN = ("sent", "received")
OVERDUE_SQL = """(r.direction = 'outgoing' AND (
    (r.status = 'sent' AND r.receipt_due_on < :today)
    OR (r.status IN ('sent', 'received') AND r.feedback_due_on < :today)))"""


def department_names(departments) -> Joined:
    return Joined((Text(f"referral.department.{d}") for d in departments), "dispatch.list.comma")


def check_department(department: str, settings: ReferralSettings) -> None:
    if department not in settings.departments:
        raise Unprocessable(Text("error.referral.department", department=department,
                                 choices=department_names(settings.departments)),
                            {"parameter": "department", "choices": list(settings.departments)})


def source_county(session: Session, kind: str, source_id: int) -> tuple[str, int | None]:
    row = session.execute(text(SOURCES[kind]), {"v": source_id}).first()
    if row is None:
        raise NotFound(Text("error.referral.source_missing", kind=Text(f"referral.source.{kind}"),
                            id=source_id), {"source": {"kind": kind, "id": source_id}})
    return row[0], row[1]


def _fact_date(facts: dict, name: str) -> date:
    try:
        return date.fromisoformat(str(facts[name]))
    except (KeyError, ValueError):
        raise Unprocessable(Text("error.referral.fact", fact=Text(f"referral.fact.{name}")),
                            {"parameter": f"facts.{name}"}) from None


def police_facts(facts, today: date) -> dict:
    """The facts a police transfer carries; a wage refusal needs all of WAGE_REFUSAL_FACTS,
    the order to pay served and its deadline passed."""
    if not isinstance(facts, dict) or facts.get("offence") not in OFFENCES:
        raise Unprocessable(Text("error.referral.offence", choices=Joined(
            (Text(f"referral.offence.{o}") for o in OFFENCES), "dispatch.list.comma")),
            {"parameter": "facts.offence"})
    clean = {"offence": facts["offence"]}
    if facts["offence"] != "wage_refusal":
        return {**clean, **{k: facts[k] for k in ("summary",) if facts.get(k)}}
    try:
        owed = Decimal(str(facts.get("amount_owed")))
        assert owed.is_finite() and owed > 0
    except (InvalidOperation, AssertionError):
        raise Unprocessable(Text("error.referral.fact", fact=Text("referral.fact.amount_owed")),
                            {"parameter": "facts.amount_owed"}) from None
    workers = facts.get("workers")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise Unprocessable(Text("error.referral.fact", fact=Text("referral.fact.workers")),
                            {"parameter": "facts.workers"})
    served, deadline = _fact_date(facts, "order_served_on"), _fact_date(facts, "deadline_on")
    if not served <= deadline < today:
        raise Unprocessable(Text("error.referral.deadline_not_passed", served=served,
                                 deadline=deadline), {"parameter": "facts.deadline_on"})
    return {**clean, "amount_owed": str(owed), "workers": workers,
            "order_served_on": served.isoformat(), "deadline_on": deadline.isoformat(),
            **{k: facts[k] for k in ("summary",) if facts.get(k)}}


def create(session: Session, *, kind: str, source_id: int, department: str, content: str,
           feedback_due_on: date | None, target_area: str | None = None, facts=None,
           calendar: WorkingCalendar, settings: ReferralSettings,
           actor: str | None) -> Referral:
    """Refer a matter out: to be signed for within the receipt working days, answered by
    `feedback_due_on` (default: the feedback working days from today)."""
    check_department(department, settings)
    today = clock.today()
    if department == "jurisdiction" and (not target_area or not session.execute(text(
            "SELECT 1 FROM admin_areas WHERE adcode = :a AND level IN ('city', 'county')"),
            {"a": target_area}).first()):
        raise Unprocessable(Text("error.referral.target_area", value=target_area or ""),
                            {"parameter": "target_area"})
    if feedback_due_on is None:
        feedback_due_on = calendar.add_working_days(today, settings.feedback_working_days)
    if feedback_due_on <= today:
        raise Unprocessable(Text("error.referral.due_past", due=feedback_due_on),
                            {"parameter": "feedback_due_on"})
    kept_facts = police_facts(facts, today) if department == POLICE else None
    county, project_id = source_county(session, kind, source_id)
    row = Referral(source_kind=kind, source_id=source_id, project_id=project_id,
                   county_adcode=county, department=department, content=content,
                   feedback_due_on=feedback_due_on, created_by=actor, direction="outgoing",
                   target_area=target_area if department == "jurisdiction" else None,
                   sent_on=today,
                   receipt_due_on=calendar.add_working_days(today, settings.receipt_working_days),
                   facts=kept_facts, status="sent", reminders=0, version=1)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="referral_create", entity="referral",
                 entity_id=row.id, after={"source": f"{kind}:{source_id}",
                                          "department": department,
                                          "due": feedback_due_on.isoformat()})
    return row


def incoming(session: Session, *, department: str, content: str, register_complaint,
             calendar: WorkingCalendar, settings: ReferralSettings,
             actor: str | None) -> tuple[Referral, dict]:
    """A matter referred in by another department: `register_complaint()` records it as a
    complaint (its intake clock running), and the referral is kept with it, received today,
    our feedback due within the feedback working days."""
    check_department(department, settings)
    complaint = register_complaint()
    today = clock.today()
    row = Referral(source_kind="complaint", source_id=complaint["id"],
                   project_id=complaint.get("project_id"),
                   county_adcode=complaint["county_adcode"], department=department,
                   content=content, direction="incoming", status="received", sent_on=today,
                   received_on=today, feedback_due_on=calendar.add_working_days(
                       today, settings.feedback_working_days), created_by=actor, reminders=0,
                   version=1)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="referral_incoming", entity="referral",
                 entity_id=row.id, after={"department": department,
                                          "complaint_id": complaint["id"]})
    return row, complaint


def get(session: Session, referral_id: int, *, lock: bool = False) -> Referral:
    row = session.get(Referral, referral_id, with_for_update=lock)
    if row is None:
        raise NotFound(Text("error.referral.not_found", id=referral_id),
                       {"referral_id": referral_id})
    return row


def _state(row: Referral, wanted: tuple[str, ...]) -> None:
    if row.status not in wanted:
        raise Conflict(Text("error.referral.state", id=row.id,
                            status=Text(f"referral.status.{row.status}")),
                       {"status": row.status})


def receive(session: Session, referral_id: int, *, received_on: date | None,
            actor: str | None) -> dict:
    """The department signed for it (签收)."""
    row = get(session, referral_id, lock=True)
    _state(row, ("sent",))
    row.status, row.received_on = "received", received_on or clock.today()
    row.version += 1
    audit.record(session, actor=actor, action="referral_receive", entity="referral",
                 entity_id=referral_id)
    return view(row)


def feedback(session: Session, referral_id: int, *, text_: str, actor: str | None) -> dict:
    row = get(session, referral_id, lock=True)
    _state(row, OPEN)
    if row.received_on is None:
        row.received_on = clock.today()  # feedback is a receipt too
    row.status, row.feedback, row.feedback_on = "feedback", text_, clock.today()
    row.version += 1
    audit.record(session, actor=actor, action="referral_feedback", entity="referral",
                 entity_id=referral_id)
    return view(row)


def close(session: Session, referral_id: int, *, actor: str | None) -> dict:
    row = get(session, referral_id, lock=True)
    _state(row, ("received", "feedback") if row.direction == "incoming" else ("feedback",))
    row.status, row.closed_on = "closed", clock.today()
    row.version += 1
    audit.record(session, actor=actor, action="referral_close", entity="referral",
                 entity_id=referral_id)
    return view(row)


def remind(session: Session, referral_id: int, *, calendar: WorkingCalendar,
           settings: ReferralSettings, actor: str | None) -> dict:
    """Record a reminder (催办) of an open outgoing referral; a second one within the set
    working days of the last is a 409."""
    row = get(session, referral_id, lock=True)
    _state(row, OPEN)
    today = clock.today()
    if row.direction != "outgoing":
        raise Conflict(Text("error.referral.remind_incoming", id=row.id), {"direction": "incoming"})
    if row.last_reminded_on is not None:
        next_on = calendar.add_working_days(row.last_reminded_on,
                                            settings.remind_every_working_days)
        if today < next_on:
            raise Conflict(Text("error.referral.remind_soon", last=row.last_reminded_on,
                                next=next_on), {"next_on": next_on.isoformat()})
    row.reminders += 1
    row.last_reminded_on = today
    row.version += 1
    audit.record(session, actor=actor, action="referral_remind", entity="referral",
                 entity_id=referral_id, after={"reminders": row.reminders})
    return view(row)


def _iso(value):
    return value.isoformat() if value is not None else None


def view(row) -> dict:
    today = clock.today()
    get_ = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    status, direction = get_("status"), get_("direction")
    receipt_due, feedback_due = get_("receipt_due_on"), get_("feedback_due_on")
    late_receipt = direction == "outgoing" and status == "sent" and receipt_due is not None \
        and receipt_due < today
    late_feedback = direction == "outgoing" and status in OPEN and feedback_due < today
    return {"id": get_("id"), "direction": direction,
            "source": {"kind": get_("source_kind"), "id": get_("source_id")},
            "project_id": get_("project_id"), "county_adcode": get_("county_adcode"),
            "department": get_("department"), "target_area": get_("target_area"),
            "content": get_("content"), "facts": get_("facts"),
            "sent_on": _iso(get_("sent_on")), "receipt_due_on": _iso(receipt_due),
            "received_on": _iso(get_("received_on")),
            "feedback_due_on": feedback_due.isoformat(), "status": status,
            "overdue": late_receipt or late_feedback,
            "overdue_kind": "receipt" if late_receipt else "feedback" if late_feedback else None,
            "reminders": get_("reminders"), "last_reminded_on": _iso(get_("last_reminded_on")),
            "feedback": get_("feedback"), "feedback_on": _iso(get_("feedback_on")),
            "closed_on": _iso(get_("closed_on")), "created_by": get_("created_by"),
            "version": get_("version")}


def listing(session: Session, *, counties: list[str] | None, overdue: bool | None,
            project_id: int | None = None, department: str | None = None,
            direction: str | None = None, status: str | None = None) -> list[dict]:
    """Referrals of the area, overdue first, then by deadline."""
    rows = session.execute(text(f"""
        SELECT * FROM referrals r
        WHERE (CAST(:c AS text[]) IS NULL OR r.county_adcode = ANY(:c))
          AND (CAST(:p AS bigint) IS NULL OR r.project_id = :p)
          AND (CAST(:d AS text) IS NULL OR r.department = :d)
          AND (CAST(:dir AS text) IS NULL OR r.direction = :dir)
          AND (CAST(:s AS text) IS NULL OR r.status = :s)
          AND (CAST(:o AS boolean) IS NULL OR {OVERDUE_SQL} = :o)
        ORDER BY {OVERDUE_SQL} DESC, r.status IN ('feedback', 'closed'), r.feedback_due_on, r.id
        LIMIT 500
    """), {"c": counties, "p": project_id, "o": overdue, "d": department, "dir": direction,
           "s": status, "today": clock.today()}).mappings()
    return [view(dict(r)) for r in rows]


def counts(session: Session, *, counties: list[str] | None) -> dict:
    """Open, overdue and per-department counts of outgoing referrals (the KPI)."""
    rows = session.execute(text(f"""
        SELECT r.department, count(*) FILTER (WHERE r.status IN ('sent', 'received')) AS open,
               count(*) FILTER (WHERE {OVERDUE_SQL}) AS overdue
        FROM referrals r
        WHERE r.direction = 'outgoing'
          AND (CAST(:c AS text[]) IS NULL OR r.county_adcode = ANY(:c))
        GROUP BY r.department ORDER BY r.department
    """), {"c": counties, "today": clock.today()}).mappings().all()
    return {"open": sum(r["open"] for r in rows), "overdue": sum(r["overdue"] for r in rows),
            "departments": {r["department"]: {"open": r["open"], "overdue": r["overdue"]}
                            for r in rows}}
