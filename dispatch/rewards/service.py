"""Tip rewards (举报奖励, Henan 2008): the range a fine allows, a proposal on a case begun by a
complaint and penalised with a fine, approval or refusal by someone other than the proposer
and the case's handlers, and payment once the case is closed. The tipster is the complaint's
complainant: never in a reward's view, only through `tipster`, and every reading audited."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.calendar.service import WorkingCalendar
from dispatch.rewards.models import REFUSALS, Reward
from dispatch.rewards.settings import RewardSettings
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Joined, Text

FEN = Decimal("0.01")


def _yuan(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def bounds(fine: Decimal, settings: RewardSettings) -> tuple[Decimal, Decimal]:
    """(least, most) reward for a fine: rate × fine, each held within [floor, cap]; no fine,
    no reward (0, 0)."""
    if fine <= 0:
        return Decimal("0.00"), Decimal("0.00")

    def held(x: Decimal) -> Decimal:
        return _yuan(min(max(x, settings.floor), settings.cap))
    return held(fine * settings.min_rate), held(fine * settings.max_rate)


def _not_found(reward_id) -> NotFound:
    return NotFound(Text("rewards.error.not_found", id=reward_id), {"reward_id": reward_id})


def get(session: Session, reward_id: int, *, lock: bool = False) -> Reward:
    q = session.query(Reward).filter(Reward.id == reward_id)
    found = (q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise _not_found(reward_id)
    return found


def _case(session: Session, case_id: int):
    row = session.execute(text("""
        SELECT c.id, c.county_adcode, c.complaint_id, c.outcome, c.fine_amount, c.closed_on,
               c.handler_ids, k.actionable
        FROM cases c LEFT JOIN complaints k ON k.id = c.complaint_id WHERE c.id = :c
        FOR UPDATE OF c
    """), {"c": case_id}).mappings().first()
    if row is None:
        raise NotFound(Text("rewards.error.case_unknown", case_id=case_id), {"case_id": case_id})
    return row


def check_amount(amount: Decimal, fine: Decimal, settings: RewardSettings) -> None:
    """A reward outside the bounds of its fine is refused, naming the bound."""
    least, most = bounds(fine, settings)
    if amount < least:
        raise Unprocessable(Text("rewards.error.below", amount=f"{amount:,.2f}",
                                 bound=f"{least:,.2f}", fine=f"{fine:,.2f}"),
                            {"parameter": "amount", "min": float(least), "max": float(most)})
    if amount > most:
        raise Unprocessable(Text("rewards.error.above", amount=f"{amount:,.2f}",
                                 bound=f"{most:,.2f}", fine=f"{fine:,.2f}"),
                            {"parameter": "amount", "min": float(least), "max": float(most)})


def propose(session: Session, *, case_id: int, amount: Decimal, reason: str | None,
            settings: RewardSettings, actor: str | None) -> Reward:
    """A reward for the case's tipster: the case must have begun with a complaint (a tip
    that was not marked unfounded) and carry a fine; one reward per case."""
    case = _case(session, case_id)
    if case["complaint_id"] is None:
        raise Conflict(Text("rewards.error.no_complaint", case_id=case_id), {"case_id": case_id})
    if case["actionable"] is False:
        raise Conflict(Text("rewards.error.false_tip", case_id=case_id), {"case_id": case_id})
    fine = case["fine_amount"]
    if case["outcome"] not in (None, "penalty") or not fine or fine <= 0:
        raise Conflict(Text("rewards.error.no_fine", case_id=case_id), {"case_id": case_id})
    if session.execute(text("SELECT 1 FROM rewards WHERE case_id = :c"), {"c": case_id}).first():
        raise Conflict(Text("rewards.error.exists", case_id=case_id), {"case_id": case_id})
    amount = _yuan(amount)
    check_amount(amount, fine, settings)
    reward = Reward(case_id=case_id, complaint_id=case["complaint_id"],
                    county_adcode=case["county_adcode"], fine_amount=fine, amount=amount,
                    reason=reason, status="proposed", proposed_by=actor)
    session.add(reward)
    session.flush()
    audit.record(session, actor=actor, action="propose", entity="reward", entity_id=reward.id,
                 after={"case_id": case_id, "amount": str(amount), "fine": str(fine)})
    return reward


def _handlers(session: Session, case_id: int) -> set[str]:
    """The user names of the case's handlers (承办人) and of its inspection's officers."""
    return set(session.execute(text("""
        SELECT u.username FROM cases c
        JOIN officers o ON o.id = ANY(c.handler_ids) OR o.id IN (
            SELECT a.officer_id FROM assignments a WHERE a.inspection_id = c.inspection_id)
        JOIN users u ON u.id = o.user_id
        WHERE c.id = :c
    """), {"c": case_id}).scalars())


def _decidable(session: Session, reward: Reward, actor: str | None, version: int) -> None:
    if reward.version != version:
        raise Conflict(Text("rewards.error.version", version=version, current=reward.version),
                       {"version": reward.version})
    if reward.status != "proposed":
        raise Conflict(Text("rewards.error.decided", id=reward.id,
                            status=Text(f"rewards.status.{reward.status}")),
                       {"status": reward.status})
    if actor is not None and actor == reward.proposed_by:
        raise Conflict(Text("rewards.error.own_proposal"), {"proposed_by": actor})
    if actor is not None and actor in _handlers(session, reward.case_id):
        raise Conflict(Text("rewards.error.handler"), {"case_id": reward.case_id})


def approve(session: Session, reward_id: int, *, version: int, amount: Decimal | None,
            calendar: WorkingCalendar, settings: RewardSettings, actor: str | None) -> Reward:
    """Approve (the amount may be changed, within the bounds); due to be paid within the set
    working days from the approval (or from the closing, if later)."""
    reward = get(session, reward_id, lock=True)
    _decidable(session, reward, actor, version)
    before = str(reward.amount)
    if amount is not None:
        amount = _yuan(amount)
        check_amount(amount, reward.fine_amount, settings)
        reward.amount = amount
    today = clock.today()
    closed_on = session.execute(text("SELECT closed_on FROM cases WHERE id = :c"),
                                {"c": reward.case_id}).scalar()
    start = max(today, closed_on) if closed_on else today
    reward.pay_due_on = calendar.add_working_days(start, settings.pay_working_days)
    reward.status, reward.decided_by, reward.decided_at = "approved", actor, clock.now()
    reward.version += 1
    audit.record(session, actor=actor, action="approve", entity="reward", entity_id=reward.id,
                 before={"amount": before}, after={"amount": str(reward.amount),
                                                   "pay_due_on": reward.pay_due_on.isoformat()})
    return reward


def refuse(session: Session, reward_id: int, *, version: int, refusal: str, note: str | None,
           actor: str | None) -> Reward:
    """No reward: the tip was untrue (举报不实), not the first, or another ground."""
    if refusal not in REFUSALS:
        raise Unprocessable(Text("rewards.error.refusal", value=refusal,
                                 choices=Joined((Text(f"rewards.refusal.{r}") for r in REFUSALS),
                                                "dispatch.list.comma")),
                            {"parameter": "refusal"})
    reward = get(session, reward_id, lock=True)
    _decidable(session, reward, actor, version)
    reward.status, reward.refusal, reward.refusal_note = "refused", refusal, note
    reward.decided_by, reward.decided_at = actor, clock.now()
    reward.version += 1
    audit.record(session, actor=actor, action="refuse", entity="reward", entity_id=reward.id,
                 after={"refusal": refusal})
    return reward


def pay(session: Session, reward_id: int, *, paid_on: date, reference: str | None,
        actor: str | None) -> Reward:
    """Record the payment of an approved reward, once the case is closed (409 before)."""
    reward = get(session, reward_id, lock=True)
    if reward.status != "approved":
        raise Conflict(Text("rewards.error.not_approved", id=reward.id,
                            status=Text(f"rewards.status.{reward.status}")),
                       {"status": reward.status})
    closed_on = session.execute(text("SELECT closed_on FROM cases WHERE id = :c"),
                                {"c": reward.case_id}).scalar()
    if closed_on is None:
        raise Conflict(Text("rewards.error.case_open", case_id=reward.case_id),
                       {"case_id": reward.case_id})
    if paid_on < closed_on or paid_on > clock.today():
        raise Unprocessable(Text("rewards.error.paid_on", paid_on=paid_on.isoformat(),
                                 closed_on=closed_on.isoformat()), {"parameter": "paid_on"})
    reward.status, reward.paid_on, reward.paid_by = "paid", paid_on, actor
    reward.payment_reference = reference
    reward.version += 1
    audit.record(session, actor=actor, action="pay", entity="reward", entity_id=reward.id,
                 after={"paid_on": paid_on.isoformat(), "amount": str(reward.amount)})
    return reward


def view(reward: Reward | dict) -> dict:
    """A reward as the API shows it: never who the tipster is."""
    get_ = reward.get if isinstance(reward, dict) else (lambda k: getattr(reward, k))
    today = clock.today()
    status, due = get_("status"), get_("pay_due_on")
    return {"id": get_("id"), "case_id": get_("case_id"), "complaint_id": get_("complaint_id"),
            "county_adcode": get_("county_adcode"), "fine_amount": float(get_("fine_amount")),
            "amount": float(get_("amount")), "reason": get_("reason"), "status": status,
            "proposed_by": get_("proposed_by"),
            "proposed_at": get_("proposed_at") and get_("proposed_at").isoformat(),
            "decided_by": get_("decided_by"),
            "decided_at": get_("decided_at") and get_("decided_at").isoformat(),
            "refusal": get_("refusal"), "refusal_note": get_("refusal_note"),
            "pay_due_on": due and due.isoformat(), "paid_on": get_("paid_on") and
            get_("paid_on").isoformat(), "paid_by": get_("paid_by"),
            "payment_reference": get_("payment_reference"),
            "overdue": status == "approved" and due is not None and due < today,
            "version": get_("version")}


def listing(session: Session, *, counties: list[str] | None, status: str | None,
            overdue: bool | None) -> list[dict]:
    """Rewards of the area: overdue payments first, then waiting for a decision, newest."""
    rows = session.execute(text("""
        SELECT r.* FROM rewards r
        WHERE (CAST(:c AS text[]) IS NULL OR r.county_adcode = ANY(:c))
          AND (CAST(:s AS text) IS NULL OR r.status = :s)
          AND (CAST(:o AS boolean) IS NULL OR
               (r.status = 'approved' AND r.pay_due_on < :today) = :o)
        ORDER BY (r.status = 'approved' AND r.pay_due_on < :today) DESC,
                 r.status <> 'proposed', r.id DESC
        LIMIT 500
    """), {"c": counties, "s": status, "o": overdue, "today": clock.today()}).mappings()
    return [view(dict(r)) for r in rows]


def tipster(session: Session, reward_id: int, *, actor: str | None) -> dict:
    """Who tipped (to pay them): only for the roles allowed (the route checks); audited."""
    reward = get(session, reward_id)
    row = session.execute(text("SELECT complainant_name, complainant_phone FROM complaints "
                               "WHERE id = :k"), {"k": reward.complaint_id}).one()
    audit.record(session, actor=actor, action="read_identity", entity="reward",
                 entity_id=reward.id, after={"complaint_id": reward.complaint_id})
    return {"name": row.complainant_name, "phone": row.complainant_phone}
