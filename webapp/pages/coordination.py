"""The coordination pages for staff: referrals to and from other departments (/referrals) and
tip rewards (/rewards), both linked from the KPI panel. They read and write through
/api/v1/referrals and /api/v1/rewards."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from dispatch.casework.complaints import IDENTITY_ROLES
from dispatch.casework.models import COMPLAINT_CATEGORIES
from dispatch.referrals.models import DIRECTIONS, STATUSES
from dispatch.rewards.models import REFUSALS
from dispatch.rewards.models import STATUSES as REWARD_STATUSES
from geo.core import clock
from webapp.api.referrals import WRITERS
from webapp.api.rewards import DECIDERS, PAYERS, PROPOSERS
from webapp.core.auth import roles
from webapp.core.context import settings
from webapp.core.params import ADCODE, Param, query
from webapp.pages.grading import area_names, territory_choices
from webapp.pages.projects import ACT_KEYS
from webapp.pages.strings import page_strings

bp = Blueprint("coordination_pages", __name__)
WATCH = ("dispatcher", "command", "admin")


def _config(**extra) -> dict:
    role = g.user.role
    return {"user": g.user.username, "today": clock.today().isoformat(),
            "areas": area_names(),
            "can": {"write": role in WRITERS, "incoming": role in ("admin", "dispatcher"),
                    "propose": role in PROPOSERS, "decide": role in DECIDERS,
                    "pay": role in PAYERS, "identity": role in IDENTITY_ROLES},
            "strings": page_strings(("http_error", *ACT_KEYS),
                                    ("referrals_ui.", "rewards_ui.", "referral.", "attachments_ui.",
                                     "rewards.status.", "rewards.refusal.")),
            **extra}


def _selected(area, choices):
    return {"adcode": area or choices[0][1][0]["adcode"]}


@bp.get("/referrals")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("department", "only to or from this department"),
       Param("direction", "outgoing or incoming", enum=DIRECTIONS),
       Param("status", "only this status", enum=STATUSES),
       Param("overdue", "only overdue", enum=("true", "false")))
def referrals_page(area, department, direction, status, overdue):
    """Referrals of the territory, overdue first, with receipt, reminder, feedback and
    closing; the form registering a matter referred in."""
    choices = territory_choices()
    filters = {"area": area or "", "department": department or "",
               "direction": direction or "", "status": status or "", "overdue": overdue or ""}
    config = _config(filters=filters)
    return render_template("referrals.html", user=g.user, choices=choices,
                           selected=_selected(area, choices), filters=filters,
                           departments=settings().referral.departments, directions=DIRECTIONS,
                           statuses=STATUSES, categories=COMPLAINT_CATEGORIES, config=config,
                           can=config["can"])


@bp.get("/rewards")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "only this status", enum=REWARD_STATUSES))
def rewards_page(area, status):
    """Tip rewards of the territory: proposals, approval or refusal, payment, the tipster
    for those allowed (audited)."""
    choices = territory_choices()
    filters = {"area": area or "", "status": status or ""}
    r = settings().reward
    terms = {"min_rate": f"{(r.min_rate * 100).normalize():f}%",
             "max_rate": f"{(r.max_rate * 100).normalize():f}%",
             "floor": f"{r.floor:,.0f}", "cap": f"{r.cap:,.0f}"}
    config = _config(filters=filters, refusals=list(REFUSALS))
    return render_template("rewards.html", user=g.user, choices=choices,
                           selected=_selected(area, choices), filters=filters,
                           statuses=REWARD_STATUSES, terms=terms, config=config,
                           can=config["can"])
