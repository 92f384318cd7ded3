"""HTML pages and the vendored front-end assets."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, send_from_directory

from geo import areas
from geo.models import ROLES
from webapp import maps
from webapp.auth import public, roles
from webapp.context import db, settings
from webapp.i18n import t

bp = Blueprint("pages", __name__)

# npm package -> folder inside it that the browser may load from.
VENDOR = {"leaflet": "leaflet/dist", "bootstrap": "bootstrap/dist",
          "noto-sans-sc": "@fontsource/noto-sans-sc"}
PROVINCE = "410000"


@bp.get("/")
@roles(*ROLES)
def index():
    """Home: the command map."""
    return redirect("/map")


@bp.get("/map")
@roles(*ROLES)
def command_map():
    """The command-centre map: city and county boundaries and the grids."""
    config = {
        "layers": {
            "cities": "/api/v1/areas?level=city&simplify=150",
            "counties": "/api/v1/areas?level=county&simplify=100",
            "grids": f"/api/v1/grids?area={PROVINCE}&simplify=60",
        },
        "labels": {k: t(k) for k in ("cities", "counties", "grids", "employers", "staff",
                                     "grid_code", "loading", "error")},
    }
    parts = maps.command_map(areas.bounds(db(), PROVINCE), config, settings().tile_url)
    return render_template("map.html", parts=parts, user=g.user)


@bp.get("/vendor/<package>/<path:filename>")
@public
def vendor(package: str, filename: str):
    """Front-end libraries installed from npm, served by the app (no CDN)."""
    folder = VENDOR.get(package)
    if folder is None:
        abort(404)
    return send_from_directory(current_app.config["NODE_MODULES"] / folder, filename,
                               max_age=86400)
