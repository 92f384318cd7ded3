"""The planner's page: a county's grids on a map, edited as sets with preview, history, partition.

Planners and administrators edit; every other role may open the page read-only (grids,
employers, coverage, history), as the issue says everyone else reads.
"""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, g, render_template

from geo.accounts.models import ROLES
from geo.areas import service as areas
from geo.grids.edits import service as grid_edits
from webapp.core.auth import roles
from webapp.core.context import db, settings
from webapp.core.params import ADCODE, Param, query
from webapp.pages import maps
from webapp.pages.strings import page_strings

bp = Blueprint("planner", __name__)
EDITORS = ("planner", "admin")
DEFAULT_COUNTY = "410102"
# Catalog keys static/js/planner/ (and the employer tiles of static/js/map/tiles.js) show.
STRINGS = ("grids", "employers", "staff", "grid_code", "loading", "error", "grade", "risk",
           "risk_class", "outside_grid", "credit_code", "address", "county", "employees",
           "zoom_in", "http_error", "grade_unrated")
STRING_PREFIXES = ("plan_", "risk_class_", "staffing_")
STAFFERS = ("admin",)  # who may change who staffs a grid (PATCH /api/v1/officers/<id>)


def planner_config(county: dict, can_edit: bool, can_staff: bool = False,
                   min_grid_staff: int = 1) -> dict:
    """What static/js/planner/main.js needs: the county, every URL it calls, whether it may
    edit grids and who staffs them (static/js/planner/staffing.js), the minimum staff of a
    grid, and its strings."""
    adcode = county["adcode"]
    return {
        "county": county, "canEdit": can_edit, "canStaff": can_staff,
        "minGridStaff": min_grid_staff,
        "urls": {
            "grids": f"/api/v1/grids?county={adcode}&precision=15",
            "counties": f"/api/v1/areas?level=county&parent={county['city_adcode']}",
            "coverage": f"/api/v1/coverage?area={adcode}",
            "edits": "/api/v1/grid-edits",
            "grid": "/api/v1/grids/",
            "merge": "/api/v1/grids/merge",
            "partition": f"/api/v1/counties/{adcode}/partition",
            "import": f"/api/v1/counties/{adcode}/grids/import",
            "export": f"/api/v1/counties/{adcode}/grids/export?format=",
            "officers": "/api/v1/officers",
        },
        # static/js/map/tiles.js reads these names.
        "layers": {"employerTiles": "/api/v1/tiles/employers/{z}/{x}/{y}.pbf",
                   "employer": "/api/v1/employers/"},
        "strings": page_strings(STRINGS, STRING_PREFIXES),
    }


@bp.get("/planner")
@roles(*ROLES)
@query(Param("county", "county to plan (adcode)", pattern=ADCODE, default=DEFAULT_COUNTY))
def planner_page(county: str):
    """Grid planning of one county: edit, split, merge, preview, commit, history, partition."""
    adcode = grid_edits.require_county(db(), county)
    counties = areas.counties_by_city(db())
    found = next(c for c in counties if c["adcode"] == adcode)
    cities = [(city, list(group)) for city, group in
              groupby(counties, key=lambda c: (c["city_adcode"], c["city_name"]))]
    can_edit = g.user.role in EDITORS
    can_staff = g.user.role in STAFFERS
    config = planner_config(found, can_edit, can_staff, settings().dispatch.min_grid_staff)
    parts = maps.map_page(areas.bounds(db(), adcode), "planner/main.js", config,
                          settings().tile_url)
    return render_template("planner.html", parts=parts, user=g.user, cities=cities,
                           county=found, can_edit=can_edit, can_staff=can_staff)
