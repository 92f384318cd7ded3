"""The complaints page (issue 11): intake form, the list with its deadlines, decisions."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template
from sqlalchemy import text

from dispatch.casework.complaint_views import DEADLINE_CLASSES
from dispatch.casework.complaints import REFUSAL_GROUNDS
from dispatch.casework.models import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, REDIRECT_KINDS
from geo.areas import service as areas
from webapp.core.auth import roles
from webapp.core.context import db, settings
from webapp.core.i18n import t
from webapp.core.params import ADCODE, Param, query
from webapp.pages import maps
from webapp.pages.strings import page_strings

bp = Blueprint("complaints_pages", __name__)

PROVINCE = "410000"
READERS = ("dispatcher", "command", "admin")
DECIDERS = ("dispatcher", "admin")  # command watches, it does not register or decide
PER_PAGE = 50


def area_choices(found: dict) -> list[dict]:
    """The province and its cities, and the area shown when it is a county."""
    choices = db().execute(text("""
        SELECT adcode, name FROM admin_areas WHERE level IN ('province', 'city')
        ORDER BY level DESC, adcode""")).mappings().all()
    if found["adcode"] not in {c["adcode"] for c in choices}:
        choices = [found, *choices]
    return list(choices)


def boundaries_url(found: dict) -> str:
    """The outlines drawn on the intake map: cities for the province, else the counties."""
    if found["level"] == "province":
        return "/api/v1/areas?level=city&simplify=200"
    parent = found["adcode"] if found["level"] == "city" else found["parent_adcode"]
    return f"/api/v1/areas?level=county&simplify=50&parent={parent}"


def options(prefix: str, codes: tuple[str, ...]) -> list[list[str]]:
    """[code, text] pairs for a select; the page shows the text, the API gets the code."""
    return [[code, t(prefix + code)] for code in codes]


@bp.get("/complaints")
@roles(*READERS)
@query(Param("area", "province, city or county (adcode)", pattern=ADCODE, default=PROVINCE),
       Param("status", "only complaints in this state", enum=COMPLAINT_STATUSES),
       Param("deadline", "only open complaints in this deadline class", enum=DEADLINE_CLASSES),
       Param("q", "employer name, credit code or text", max_length=100),
       Param("page", "page of the list, from 1", type="integer", minimum=1, default=1))
def complaints_page(area: str, status: str | None, deadline: str | None, q: str | None,
                    page: int):
    """Register complaints (登记), follow their acceptance deadline and decide on them."""
    found = areas.find_area(db(), area)
    can_decide = g.user.role in DECIDERS
    config = {
        "area": found["adcode"], "canDecide": can_decide, "perPage": PER_PAGE,
        "filters": {"status": status or "", "deadline": deadline or "", "q": q or "",
                    "page": page},
        "boundaries": boundaries_url(found),
        "strings": page_strings(("http_error",), ("complaints.",)),
    }
    parts = None
    if can_decide:  # the intake map: only those who register complaints need it
        config["bounds"] = areas.bounds(db(), found["adcode"])
        parts = maps.map_page(config["bounds"], "complaints/main.js", config,
                              settings().tile_url)
    return render_template(
        "complaints.html", parts=parts, config=config, user=g.user, areas=area_choices(found),
        area=found["adcode"], can_decide=can_decide, filters=config["filters"],
        categories=options("casework.category.", COMPLAINT_CATEGORIES),
        statuses=COMPLAINT_STATUSES, deadlines=DEADLINE_CLASSES,
        redirect_kinds=options("complaints.redirect_kind.", REDIRECT_KINDS),
        grounds=options("complaints.ground.", REFUSAL_GROUNDS))


@bp.get("/complaints/<int:complaint_id>")
@roles(*READERS)
def complaint_page(complaint_id: int):
    """One complaint: the list of its county, searched for its number (opens with its row)."""
    row = db().execute(text("SELECT county_adcode FROM complaints WHERE id = :i"),
                       {"i": complaint_id}).first()
    if row is None:
        abort(404)
    return redirect(f"/complaints?area={row[0]}&q={complaint_id}")
