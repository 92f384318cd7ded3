"""Tip rewards (举报奖励): the range a fine allows, proposals, approval or refusal, payment,
and the tipster's identity (dispatchers and administrators, every reading audited)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, jsonify

from dispatch.calendar.service import WorkingCalendar
from dispatch.casework.complaints import IDENTITY_ROLES
from dispatch.rewards import service
from dispatch.rewards.models import REFUSALS, STATUSES
from webapp.api.casework import DATE, INT, NUM, STR, area_counties, date_field
from webapp.api.dispatch import WATCH, committed
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object, money
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("rewards_api", __name__)
PROPOSERS = ("dispatcher", "admin", "inspector")
DECIDERS = ("command", "admin")  # the bureau's leadership, never the case's own people
PAYERS = ("dispatcher", "admin")


def reward_settings():
    return app_settings().reward


@bp.get("/api/v1/rewards/range")
@roles(*WATCH, "inspector")
@query(Param("fine", "the fine of the case, in yuan", type="number", minimum=0,
             maximum=1e12, required=True))
def reward_range(fine: float):
    """The least and most reward the fine allows (rate × fine within the floor and cap)."""
    least, most = service.bounds(Decimal(str(fine)), reward_settings())
    return jsonify({"min": float(least), "max": float(most)})


@bp.post("/api/v1/rewards")
@roles(*PROPOSERS)
@accepts({"case_id": INT, "amount": NUM, "reason": STR}, ("case_id", "amount"), status="201")
def propose_reward():
    """Propose the reward of a case begun by a tip and penalised with a fine (outside the
    bounds → 422 naming the bound; no complaint, no fine or a second proposal → 409)."""
    body = json_object()
    reward = service.propose(db(), case_id=field(body, "case_id", int, scope="case"),
                             amount=money(body, "amount"),
                             reason=field(body, "reason", required=False, max_length=2000),
                             settings=reward_settings(), actor=actor())
    return committed(service.view(reward), 201)


@bp.get("/api/v1/rewards")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "reward status", enum=STATUSES),
       Param("overdue", "approved and not paid by the due date (true) or not (false)",
             enum=("true", "false")))
def list_rewards(area, status, overdue):
    """Rewards of the area, overdue payments first; never the tipster."""
    return jsonify({"items": service.listing(
        db(), counties=area_counties(area), status=status,
        overdue=None if overdue is None else overdue == "true")})


@bp.get("/api/v1/rewards/<int:reward_id>")
@roles(*WATCH)
def get_reward(reward_id: int):
    """One reward; never the tipster."""
    return jsonify(service.view(service.get(db(), reward_id)))


@bp.post("/api/v1/rewards/<int:reward_id>/approve")
@roles(*DECIDERS)
@accepts({"version": INT, "amount": NUM}, ("version",))
def approve_reward(reward_id: int):
    """Approve (by someone other than the proposer and the case's handlers: 409), the amount
    changed within the bounds if given; payment falls due within the set working days."""
    body = json_object()
    session = db()
    reward = service.approve(session, reward_id, version=field(body, "version", int),
                             amount=money(body, "amount", required=False),
                             calendar=WorkingCalendar.load(session),
                             settings=reward_settings(), actor=actor())
    return committed(service.view(reward))


@bp.post("/api/v1/rewards/<int:reward_id>/refuse")
@roles(*DECIDERS)
@accepts({"version": INT, "refusal": {"type": "string", "enum": list(REFUSALS)},
          "note": STR}, ("version", "refusal"))
def refuse_reward(reward_id: int):
    """No reward: the tip was untrue (false_tip), not the first (not_first), or other."""
    body = json_object()
    reward = service.refuse(db(), reward_id, version=field(body, "version", int),
                            refusal=field(body, "refusal", choices=REFUSALS),
                            note=field(body, "note", required=False, max_length=2000),
                            actor=actor())
    return committed(service.view(reward))


@bp.post("/api/v1/rewards/<int:reward_id>/payment")
@roles(*PAYERS)
@accepts({"paid_on": DATE, "reference": STR}, ("paid_on",))
def pay_reward(reward_id: int):
    """Record the payment of an approved reward; before the case is closed → 409."""
    body = json_object()
    reward = service.pay(db(), reward_id, paid_on=date_field(body, "paid_on", required=True),
                         reference=field(body, "reference", required=False, max_length=64),
                         actor=actor())
    return committed(service.view(reward))


@bp.get("/api/v1/rewards/<int:reward_id>/tipster")
@roles(*IDENTITY_ROLES)
def reward_tipster(reward_id: int):
    """Who tipped, to pay them (confidential): every reading is in the audit log."""
    return committed(service.tipster(db(), reward_id, actor=actor()))
