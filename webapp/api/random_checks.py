"""双随机、一公开: draws and their replay, the check items and their yearly coverage."""
from __future__ import annotations

from flask import Blueprint, jsonify

from dispatch.inspections import check_items, random_draw
from geo.areas.service import find_area
from webapp.api.dispatch import DISPATCH, WATCH, committed, settings
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("random_checks_api", __name__)
STR, INT, NUM = {"type": "string"}, {"type": "integer"}, {"type": "number"}


@bp.post("/api/v1/random-draws")
@roles(*DISPATCH)
@accepts({"area": STR, "check_item": STR, "share": NUM, "seed": INT}, ("area", "check_item"),
         status="201")
def create_random_draw():
    """双随机: draw employers and inspector pairs for a check item, with a recorded seed.

    Each employer drawn gets an inspection bound to the inspectors drawn for it."""
    body = json_object()
    area = field(body, "area", max_length=6, scope="area")
    find_area(db(), area)
    result = random_draw.draw(db(), area=area, check_item=field(body, "check_item"),
                              share=float(field(body, "share", (int, float), required=False,
                                                default=settings().random_share)),
                              seed=field(body, "seed", int, required=False), actor=actor())
    return committed(result, 201)


@bp.get("/api/v1/random-draws/<int:draw_id>/replay")
@roles(*WATCH)
def replay_random_draw(draw_id: int):
    """Recompute a draw from its seed and pools; show each inspection's drawn and actual team.

    `matches` is true when the draw reproduces; `teams` gives per inspection the team drawn,
    the team assigned and any administrator's change with its reason."""
    return jsonify(random_draw.replay(db(), draw_id))


@bp.get("/api/v1/check-items")
@roles(*WATCH)
def list_check_items():
    """The active check items (检查事项) a draw can be for, with their legal basis."""
    return jsonify({"items": check_items.listing(db())})


@bp.get("/api/v1/check-items/coverage")
@roles(*WATCH)
@query(Param("area", "adcode of a county, city or the province", required=True,
             pattern=ADCODE),
       Param("year", "Beijing calendar year (default: this year)", type="integer",
             minimum=check_items.YEARS[0], maximum=check_items.YEARS[1]))
def check_item_coverage(area, year):
    """Yearly coverage of each check item: the share of an area's employers drawn for it.

    Per item: supervised employers in the area, employers drawn for it in the Beijing year,
    the share and whether it reaches the target share (random_share, 5 % by default)."""
    return jsonify(check_items.coverage(db(), area=area,
                                        year=None if year is None else int(year),
                                        target_share=settings().random_share))
