"""Officers API: officer records (create, edit, deactivate), 执法证 and recusals (回避).

Status changes and positions stay in webapp/api/dispatch.py (/status, /location, /live)."""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from dispatch.casework import reviews
from dispatch.officers import loans, records
from dispatch.officers.models import LOAN_STATUSES, OFFICER_KINDS, OFFICER_STATUSES
from geo.core.errors import Forbidden
from geo.core.text import Text
from webapp.api.dispatch import WATCH, committed
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("officers_api", __name__)
_DATE = {"type": "string", "format": "date"}
OFFICER_BODY = {"name": {"type": "string"}, "kind": {"type": "string", "enum": list(OFFICER_KINDS)},
                "county_adcode": {"type": "string"}, "certificate_no": {"type": "string"},
                "certificate_issued_on": _DATE, "certificate_expires_on": _DATE,
                "certificate_reviewed_on": _DATE, "grid_id": {"type": "integer"},
                "skills": {"type": "array", "items": {"type": "string"}},
                "phone": {"type": "string"}, "user_id": {"type": "integer"},
                "badge": {"type": "string"}}


def _scope_record(body: dict) -> None:
    """An officer's home county and grid lie in the administrator's territory (403)."""
    field(body, "county_adcode", required=False, max_length=6, scope="area")
    field(body, "grid_id", int, required=False, scope="grid")


def review_days() -> int:
    return app_settings().dispatch.certificate_review_days


@bp.post("/api/v1/officers")
@roles("admin")
@accepts(OFFICER_BODY, ("name", "kind", "county_adcode"), status="201")
def create_officer():
    """Add an inspector or grid worker (badge generated when not given), in the
    administrator's territory."""
    body = json_object()
    _scope_record(body)
    officer = records.create(db(), body, actor=actor())
    return committed(records.describe(officer, review_days()), 201)


@bp.patch("/api/v1/officers/<int:officer_id>")
@roles("admin")
@accepts({**OFFICER_BODY, "version": {"type": "integer"}}, ("version",))
def edit_officer(officer_id: int):
    """Edit an officer's record; `version` must be the current one (409 when stale)."""
    body = json_object()
    _scope_record(body)
    officer = records.edit(db(), officer_id, body, actor=actor())
    return committed(records.describe(officer, review_days()))


@bp.post("/api/v1/officers/<int:officer_id>/deactivate")
@roles("admin")
@accepts({"reason": {"type": "string"}}, ("reason",))
def deactivate_officer(officer_id: int):
    """Take an officer out of service (409 while on an assignment)."""
    body = json_object()
    officer = records.deactivate(db(), officer_id, field(body, "reason"), actor=actor())
    return committed(records.describe(officer, review_days()))


@bp.get("/api/v1/officers")
@roles(*WATCH, "planner")  # planners see who staffs the grids they draw
@query(Param("area", "only officers of this area (adcode)", pattern=ADCODE),
       Param("kind", "inspector or grid_worker", enum=OFFICER_KINDS),
       Param("certificate", "certificate status", enum=records.CERTIFICATE_STATUSES),
       Param("grid", "only this grid", type="integer", minimum=1, maximum=2 ** 31 - 1),
       Param("status", "only this status", enum=OFFICER_STATUSES),
       Param("q", "name, badge or certificate number contains", max_length=64),
       Param("page", "page number", type="integer", minimum=1, maximum=100_000, default=1))
def list_officers(area, kind, certificate, grid, status, q, page):
    """Officers, paged, each with its certificate status."""
    from geo.areas.service import county_adcodes
    counties = county_adcodes(db(), area) if area else None
    if counties is not None and area == territory.area_of_user():
        counties = sorted(set(counties) | set(territory.loaned_counties()))
    return jsonify(records.listing(db(), review_days=review_days(), counties=counties,
                                   kind=kind, certificate=certificate,
                                   grid=None if grid is None else int(grid), status=status,
                                   q=q, page=int(page)))


@bp.get("/api/v1/officers/<int:officer_id>")
@roles(*WATCH)
def get_officer(officer_id: int):
    """One officer with certificate status, recusals, current assignment, what they answer
    for (执法责任制: inspections, case acts, complaint decisions) and wrong-case reviews."""
    return jsonify(records.detail(db(), officer_id, review_days())
                   | {"responsibility": reviews.responsibility(db(), officer_id),
                      "reviews": reviews.for_officer(db(), officer_id)})


@bp.post("/api/v1/officers/<int:officer_id>/recusals")
@roles("inspector", "admin")
@accepts({"employer_id": {"type": "integer"}, "reason": {"type": "string"}},
         ("employer_id", "reason"), status="201")
def add_recusal(officer_id: int):
    """Record a recusal: an administrator's, or an inspector's own (on their linked record)."""
    body = json_object()
    if g.user.role == "inspector":
        records.own_officer(db(), officer_id, g.user.id)
        source = "self"
    elif g.user.role == "admin":
        source = "admin"
    else:  # pragma: no cover - roles() already refused
        raise Forbidden(Text("officers.error.own_record_only"))
    recusal = records.add_recusal(db(), officer_id, body.get("employer_id"), body.get("reason"),
                                  source=source, actor=actor())
    return committed({"officer_id": recusal.officer_id, "employer_id": recusal.employer_id,
                      "reason": recusal.reason, "source": recusal.source,
                      "created_by": recusal.created_by}, 201)


@bp.delete("/api/v1/officers/<int:officer_id>/recusals/<int:employer_id>")
@roles("admin")
def remove_recusal(officer_id: int, employer_id: int):
    """Delete a recusal (administrators)."""
    records.remove_recusal(db(), officer_id, employer_id, actor=actor())
    return committed({"officer_id": officer_id, "employer_id": employer_id, "deleted": True})


# Cross-county requests (跨区调用) ---------------------------------------------------------

@bp.post("/api/v1/officer-loans")
@roles("dispatcher", "admin")
@accepts({"requesting_county": {"type": "string"}, "lending_county": {"type": "string"},
          "reason": {"type": "string"}, "hours": {"type": "integer", "minimum": 1,
                                                  "maximum": 720},
          "inspection_id": {"type": "integer"}},
         ("requesting_county", "lending_county", "reason"), status="201")
def request_loan():
    """Ask another county for its officers (for `hours`, default 24, once approved)."""
    body = json_object()
    loan = loans.request(
        db(), requesting_county=field(body, "requesting_county", max_length=6, scope="area"),
        lending_county=field(body, "lending_county", max_length=6),
        reason=field(body, "reason"),
        hours=field(body, "hours", int, required=False, default=24, minimum=1, maximum=720),
        inspection_id=field(body, "inspection_id", int, required=False, scope="inspection"),
        actor=actor())
    return committed(loan, 201)


@bp.post("/api/v1/officer-loans/<int:loan_id>/decision")
@roles("dispatcher", "admin")
@accepts({"decision": {"type": "string", "enum": list(loans.DECISIONS)},
          "note": {"type": "string"}}, ("decision",))
def decide_loan(loan_id: int):
    """Approve or refuse a request to the lending county (its dispatchers or admins)."""
    body = json_object()
    decision = field(body, "decision", choices=loans.DECISIONS)
    loan = loans.get(db(), loan_id)
    mine = territory.current().covers(loan.lending_county) or \
        territory.current().covers(loan.requesting_county)
    if not mine:
        raise _loan_not_found(loan_id)
    return committed(loans.decide(db(), loan_id, decision=decision,
                                  note=field(body, "note", required=False), actor=actor(),
                                  may_lend=territory.current().covers(loan.lending_county)))


@bp.post("/api/v1/officer-loans/<int:loan_id>/withdraw")
@roles("dispatcher", "admin")
def withdraw_loan(loan_id: int):
    """The requesting county ends its request or approval early."""
    loan = loans.get(db(), loan_id)
    t = territory.current()
    if not (t.covers(loan.lending_county) or t.covers(loan.requesting_county)):
        raise _loan_not_found(loan_id)
    return committed(loans.withdraw(db(), loan_id, actor=actor(),
                                    may_request=t.covers(loan.requesting_county)))


@bp.get("/api/v1/officer-loans")
@roles(*WATCH)
@query(Param("status", "only this status", enum=LOAN_STATUSES))
def list_loans(status):
    """Cross-county requests raised by or addressed to the user's territory."""
    return jsonify({"items": loans.listing(db(), counties=territory.current().county_list(),
                                           status=status)})


def _loan_not_found(loan_id: int):
    from geo.core.errors import NotFound
    return NotFound(Text("loans.error.not_found", id=loan_id), {"loan_id": loan_id})
