"""Disclosure lists for staff (重大劳动保障违法行为社会公布): draft, edit, approve, publish,
withdraw. The public reads published lists through webapp/api/public.py."""
from __future__ import annotations

from flask import Blueprint, jsonify

from dispatch.disclosure import service as disclosure
from dispatch.disclosure.models import CATEGORIES
from webapp.api.base import geojson_response
from webapp.api.casework import INT, STR
from webapp.api.dispatch import WATCH, committed
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("disclosure_api", __name__)
EDITORS = ("admin", "command")


@bp.post("/api/v1/disclosure-lists")
@roles(*EDITORS)
@accepts({"area": STR, "period": STR}, ("area", "period"), status="201")
def draft_list():
    """Draft the list of an area for an ended period (county/city: 2026-Q3; province: 2026-H1)
    from its decided cases of the rule's categories."""
    body = json_object()
    area = field(body, "area", max_length=6, scope="area")
    return committed(disclosure.draft(db(), area=area, period=field(body, "period", max_length=8),
                                      actor=actor()), 201)


@bp.get("/api/v1/disclosure-lists")
@roles(*WATCH)
def list_lists():
    """Lists of areas inside the user's territory, newest period first, any status."""
    t = territory.current()
    return jsonify({"items": disclosure.lists(db(), counties=t.county_list(),
                                              territory_adcode=t.adcode, published_only=False)})


@bp.get("/api/v1/disclosure-lists/<int:list_id>")
@roles(*WATCH)
def get_list(list_id: int):
    """One list with every entry (withdrawn ones marked)."""
    return jsonify(disclosure.describe(db(), disclosure.get(db(), list_id)))


@bp.post("/api/v1/disclosure-lists/<int:list_id>/entries")
@roles(*EDITORS)
@accepts({"case_id": INT, "category": {"type": "string", "enum": list(CATEGORIES)}},
         ("case_id", "category"), status="201")
def add_entry(list_id: int):
    """Add a decided case to a draft (not decided, another area or a category outside the rule:
    422)."""
    body = json_object()
    return committed(disclosure.add_entry(
        db(), list_id, case_id=field(body, "case_id", int, scope="case"),
        category=field(body, "category"), actor=actor()), 201)


@bp.patch("/api/v1/disclosure-lists/<int:list_id>/entries/<int:entry_id>")
@roles(*EDITORS)
@accepts({"facts": STR, "handling": STR})
def edit_entry(list_id: int, entry_id: int):
    """Rewrite an entry's facts or handling on a draft (what the public will read)."""
    body = json_object()
    return committed(disclosure.edit_entry(
        db(), list_id, entry_id, facts=field(body, "facts", required=False),
        handling=field(body, "handling", required=False), actor=actor()))


@bp.delete("/api/v1/disclosure-lists/<int:list_id>/entries/<int:entry_id>")
@roles(*EDITORS)
def remove_entry(list_id: int, entry_id: int):
    """Take an entry off a draft (not serious enough to publish)."""
    disclosure.remove_entry(db(), list_id, entry_id, actor=actor())
    return committed({"list_id": list_id, "entry_id": entry_id, "deleted": True})


@bp.post("/api/v1/disclosure-lists/<int:list_id>/approve")
@roles(*EDITORS)
def approve_list(list_id: int):
    """Approve a draft (someone other than who drafted it: 403)."""
    return committed(disclosure.approve(db(), list_id, actor=actor()))


@bp.post("/api/v1/disclosure-lists/<int:list_id>/publish")
@roles(*EDITORS)
def publish_list(list_id: int):
    """Publish an approved list on the public portal (not approved: 409)."""
    return committed(disclosure.publish(db(), list_id, actor=actor()))


@bp.post("/api/v1/disclosure-lists/<int:list_id>/entries/<int:entry_id>/withdraw")
@roles(*EDITORS)
@accepts({"reason": STR}, ("reason",))
def withdraw_entry(list_id: int, entry_id: int):
    """Withdraw an entry from the public lists, with the reason."""
    body = json_object()
    return committed(disclosure.withdraw(db(), list_id, entry_id,
                                         reason=field(body, "reason"), actor=actor()))


@bp.get("/api/v1/disclosed-employers")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def disclosed_employers(area):
    """Employers on a published disclosure list (GeoJSON points), for the command map."""
    from geo.areas import territory as territories
    scope = territories.load(db(), area) if area else territory.current()
    return geojson_response(disclosure.disclosed_geojson(db(), scope))
