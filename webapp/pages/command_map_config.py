"""What the command map's JavaScript needs: layer URLs, the place shown, its strings."""
from __future__ import annotations

from flask import current_app
from werkzeug.exceptions import HTTPException

from webapp.pages.strings import page_strings

# Catalog keys the command map's modules (static/js/map/) show with t(key).
STRINGS = ("cities", "counties", "grids", "employers", "staff", "grid_code", "loading", "error",
           "officers", "inspections", "hotspots", "coverage", "kpis", "unavailable",
           "no_results", "metric", "colour_by", "grade", "risk", "open_complaints",
           "on_time_share", "mean_risk", "employers_per_staff", "no_staff", "outside_grid",
           "credit_code", "address", "county", "badge", "status", "updated", "position_stale",
           "priority", "kind", "details", "drill_down", "zoom_in", "incident", "employees",
           "legend", "risk_class", "area_m2", "coverage_gap", "coverage_overlap", "hotspot_z",
           "hotspot_p", "hotspot_cell", "http_error", "grade_unrated", "disclosed",
           "period", "projects", "projects_ui.map.layer", "projects_ui.map.counts",
           "projects_ui.col.warning", "no_value", "search_elsewhere", "area_summary",
           "area_summary_hint", "agg_officers", "agg_jobs", "agg_incidents", "on_duty",
           "stale_positions", "open_jobs", "urgent_jobs", "officers_total", "selected_grid",
           "grid_facts")
STRING_PREFIXES = ("status_", "priority_", "kind_", "inspection_status_", "kpi_", "risk_class_",
                   "hotspot_class_", "disclosure.category.", "project.level.",
                   "project.status.")


def usable(url: str, role: str) -> str | None:
    """The URL if a GET route serves it and lets this role in, else None.

    Layers from services built separately (coverage, hotspots, KPIs) appear when their
    routes are registered; until then the page lists them as unavailable without a 404.
    """
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(url.split("?")[0], "GET")
    except HTTPException:
        return None
    access = getattr(current_app.view_functions[endpoint], "access", ())
    return url if isinstance(access, tuple) and role in access else None


# Shapes as fine as the view needs (1 px ≈ 1.2 km at the province's zoom, ≈ 150 m at a
# city's): each layer of the province and city views stays under 150 kB compressed.
# A city view draws its own counties only (the other cities as outlines).
SHAPE_DETAIL = {
    "province": {"counties": "simplify=200&precision=4",
                 "grids": "simplify=300&precision=3&fields=brief"},
    "city": {"counties": "simplify=60&precision=5&parent={area}",
             "grids": "simplify=60&precision=5"},
}
FINE = {"counties": "simplify=100&precision=5", "grids": "simplify=60"}
HOTSPOT_DETAIL = {"province": "&res=6&significant=true", "city": "&res=7&significant=true"}


def command_map_config(place: dict, role: str) -> dict:
    """Config of static/js/map/main.js: every URL the page loads and every string it shows."""
    area = place["adcode"]
    grids_area = area if place["level"] != "grid" else place["adcode"]
    summarised = place["level"] in ("province", "city")
    detail = {k: v.format(area=area) for k, v in SHAPE_DETAIL.get(place["level"], FINE).items()}
    return {
        "place": place,
        "pollMs": 3000,
        "layers": {
            "cities": "/api/v1/areas?level=city&simplify=300&precision=4",
            "counties": f"/api/v1/areas?level=county&{detail['counties']}",
            "grids": f"/api/v1/grids?area={grids_area}&{detail['grids']}",
            "gridMetrics": f"/api/v1/grids/metrics?area={grids_area}",
            "employerTiles": "/api/v1/tiles/employers/{z}/{x}/{y}.pbf",
            "employer": "/api/v1/employers/",
            "employerSearch": "/api/v1/employers?per_page=8&q=",
            "gridSearch": "/api/v1/grids/search?limit=8&q=",
            "coverage": usable(f"/api/v1/coverage?area={area}", role),
            # Province and city views get coarser cells and only significant ones (58 MB → <1 MB).
            "hotspots": usable(f"/api/v1/hotspots?area={area}&metric=risk"
                               + HOTSPOT_DETAIL.get(place["level"], ""), role),
            # A grid's own figures at grid level, not its county's.
            "kpis": usable(f"/api/v1/kpis?area={area}"
                           + (f"&grid={place['grid_id']}" if place.get("grid_id") else ""), role),
            # Officers and open inspections are for the command centre and dispatchers only:
            # counted per city or county above county level, one marker each below.
            "officerSummary": usable(f"/api/v1/officers/summary?area={area}", role)
                              if summarised else None,
            "officers": usable(f"/api/v1/officers/live?area={area}", role),
            "disclosed": usable(f"/api/v1/disclosed-employers?area={area}", role),
            "projects": usable(f"/api/v1/map/projects?area={area}", role),
            "inspections": [f"/api/v1/inspections?status={s}&area={area}&limit=500"
                            for s in ("pending", "assigned")]
                           if usable("/api/v1/inspections", role) and not summarised else [],
        },
        "strings": page_strings(STRINGS, STRING_PREFIXES),
    }
