"""The staff pages (issue 12): the list of inspectors and grid workers of an area with their
执法证 status, and one officer with recusals, training records and yearly assessments (the
pages read and write through /api/v1/officers and the assessments API)."""
from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import text

from dispatch.officers import records, service
from dispatch.officers.models import ASSESSMENT_GRADES, OFFICER_KINDS, OFFICER_STATUSES
from geo.areas import service as areas
from geo.core import clock
from webapp.core.auth import roles
from webapp.core.context import db
from webapp.core.params import ADCODE, Param, query
from webapp.pages.cases import PROVINCE, area_choices
from webapp.pages.strings import page_strings

bp = Blueprint("staff_pages", __name__)
WATCH = ("dispatcher", "command", "admin")


def _strings() -> dict:
    return page_strings(("http_error",), ("staff.", "accountability.", "casework.event.",
                                          "casework.decision."))


def _counties(adcode: str) -> list[dict]:
    """The counties of an area (all of them for the province), for the new-officer form."""
    inside = set(areas.county_adcodes(db(), adcode))
    return [{"adcode": c["adcode"], "name": c["name"]} for c in areas.counties_by_city(db())
            if c["adcode"] in inside]


@bp.get("/staff")
@roles(*WATCH)
@query(Param("area", "adcode of the province, a city or a county", pattern=ADCODE,
             default=PROVINCE),
       Param("kind", "inspector or grid_worker", enum=OFFICER_KINDS),
       Param("certificate", "certificate status", enum=records.CERTIFICATE_STATUSES),
       Param("status", "only this status", enum=OFFICER_STATUSES),
       Param("q", "name, badge or certificate number contains", max_length=64),
       Param("page", "page number, from 1", type="integer", minimum=1, maximum=100_000,
             default=1))
def staff_page(area: str, kind: str | None, certificate: str | None, status: str | None,
               q: str | None, page: int):
    """The officers of an area with filters and paging; rows open the officer."""
    found = areas.find_area(db(), area)
    filters = {"area": found["adcode"], "kind": kind, "certificate": certificate,
               "status": status, "q": q, "page": page}
    counties = _counties(found["adcode"])
    names = {c["adcode"]: c["name"] for c in areas.counties_by_city(db())}
    admin = g.user.role == "admin"
    config = {"filters": filters, "counties": names, "admin": admin,
              "grids": _grids([c["adcode"] for c in counties]), "strings": _strings()}
    return render_template("staff.html", user=g.user, area=found, filters=filters,
                           choices=area_choices(), kinds=OFFICER_KINDS,
                           certificates=records.CERTIFICATE_STATUSES,
                           statuses=OFFICER_STATUSES, counties=counties, admin=admin,
                           config=config)


def _grids(counties: list[str]) -> dict[str, str]:
    rows = db().execute(text("SELECT id, code FROM grids WHERE county_adcode = ANY(:c)"),
                        {"c": counties}).all()
    return {str(i): code for i, code in rows}


@bp.get("/staff/<int:officer_id>")
@roles(*WATCH)
def officer_page(officer_id: int):
    """One officer: certificate, facts, recusals, assignment, trainings and assessments,
    what the officer answers for (执法责任) and the wrong-case reviews naming them."""
    officer = service.get(db(), officer_id)  # an unknown officer is a 404 page
    admin = g.user.role == "admin"
    names = {c["adcode"]: c["name"] for c in areas.counties_by_city(db())}
    today = clock.today()
    config = {"officerId": officer_id, "admin": admin, "counties": names,
              "grids": _grids([officer.county_adcode]), "year": today.year,
              "today": today.isoformat(), "strings": _strings()}
    return render_template("officer.html", user=g.user, officer_id=officer_id, admin=admin,
                           grades=ASSESSMENT_GRADES, today=config["today"], year=today.year,
                           config=config)
