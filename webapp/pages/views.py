"""HTML pages and the vendored front-end assets."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, send_from_directory
from sqlalchemy import text

from dispatch.calendar import service as calendar
from geo.accounts.models import ROLES
from geo.areas import places as command_map_places
from geo.areas import service as areas
from webapp.core import territory
from webapp.core.assets import VENDOR
from webapp.core.auth import public, roles
from webapp.core.context import db, settings
from webapp.core.i18n import language
from webapp.core.params import ADCODE, Param, query
from webapp.pages import maps
from webapp.pages.command_map_config import command_map_config
from webapp.pages.strings import page_strings

bp = Blueprint("pages", __name__)

PROVINCE = "410000"


@bp.app_context_processor
def user_territory() -> dict:
    """The signed-in user's territory, named in the header of every page."""
    mine = territory.current()
    return {"territory_name": mine.name if mine is not None else None}


@bp.app_context_processor
def calendar_warning() -> dict:
    """Administrators are told on every page when a year's holiday schedule is missing
    (its days then count as ordinary weekdays)."""
    user = g.get("user")
    if user is None or user.role != "admin":
        return {}
    found = calendar.schedule_status(db())["warning"]
    return {"calendar_warning": found and found.render(language())}


@bp.get("/")
@roles(*ROLES)
def index():
    """Home: the phone page for inspectors and grid workers, the command map for the rest."""
    return redirect("/field" if g.user.role == "inspector" else "/map")


@bp.get("/map")
@roles(*ROLES)
@query(Param("area", "adcode of the province, a city or a county, or a grid code",
             pattern=r"[0-9A-Za-z_-]{1,32}", default=PROVINCE),
       Param("employer", "an employer to show on opening (a search result)", type="integer",
             minimum=1))
def command_map(area: str, employer: int | None):
    """The command-centre map of an area (drill-down province → city → county → grid)."""
    found = command_map_places.place(db(), area)
    config = {**command_map_config(found, g.user.role), "focusEmployer": employer}
    parts = maps.map_page(found["bounds"], "map/main.js", config, settings().tile_url)
    mine = territory.current()  # breadcrumb links only inside the user's territory
    reachable = {p["key"] for p in found["path"] if mine.covers(str(p["key"]))}
    return render_template("map.html", parts=parts, user=g.user, place=found,
                           reachable=reachable)


@bp.get("/dispatch")
@roles("dispatcher", "command", "admin")
@query(Param("area", "county or city to work on (adcode)", pattern=ADCODE, default="410100"))
def dispatch_page(area: str):
    """The dispatcher's console: the board in four tabs, officers on the map, ranked teams,
    assign, cancel and new inspections."""
    found = areas.find_area(db(), area)
    choices = db().execute(text("""
        SELECT adcode, name FROM admin_areas WHERE level IN ('province', 'city')
        ORDER BY level DESC, adcode""")).mappings().all()
    mine = territory.current()
    choices = [c for c in choices if mine.covers(c["adcode"])]  # only the user's territory
    if found["adcode"] not in {c["adcode"] for c in choices}:
        choices = [found, *choices]
    parent = {"province": None, "city": found["adcode"], "county": found["parent_adcode"]}
    boundaries = ("/api/v1/areas?level=city&simplify=200" if found["level"] == "province" else
                  f"/api/v1/areas?level=county&simplify=50&parent={parent[found['level']]}")
    config = {
        "area": found["adcode"], "pollMs": 5000, "boundaries": boundaries,
        "canAssign": g.user.role in ("dispatcher", "admin"),
        # cross-county requests (loans.js): the counties the user answers for (None: all)
        "territory": mine.county_list() if mine is not None else None,
        "user": g.user.username,
        "strings": page_strings(("assign", "cancel", "cancel_reason", "cancelled", "assigned", "pick_inspection",
                                 "loading", "empty", "no_team", "updated", "team_distance",
                                 "excluded_reason", "http_error", "time_left", "time_late",
                                 "hours_minutes"),
                                ("status_", "priority_", "kind_", "loans_ui.", "loans.status.",
                                 "projects_ui.alerts.", "console.")),
    }
    parts = maps.map_page(areas.bounds(db(), found["adcode"]), "dispatch/main.js", config,
                          settings().tile_url)
    return render_template("dispatch.html", parts=parts, user=g.user, areas=choices,
                           area=found["adcode"])


@bp.get("/vendor/<package>/<path:filename>")
@public
def vendor(package: str, filename: str):
    """Front-end libraries installed from npm, served by the app (no CDN)."""
    folder = VENDOR.get(package)
    if folder is None:
        abort(404)
    return send_from_directory(current_app.config["NODE_MODULES"] / folder, filename,
                               max_age=86400)
