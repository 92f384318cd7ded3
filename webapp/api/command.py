"""Command-centre analytics API: employer risk, early warnings, hotspots and KPIs."""
from __future__ import annotations

from flask import Blueprint, jsonify

from dispatch.analytics import hotspots, kpis, risk
from dispatch.analytics.h3cells import MAX_RES, MIN_RES
from dispatch.analytics.models import HOTSPOT_METRICS
from dispatch.analytics.settings import LEVELS, RiskSettings
from dispatch.calendar.service import WorkingCalendar
from geo.accounts.models import ROLES
from geo.areas.service import county_adcodes
from geo.core import clock
from webapp.api.base import versioned_geojson
from webapp.api.dispatch import WATCH, settings
from webapp.core.auth import roles
from webapp.core.context import db, replica_reads
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("command_api", __name__)
AREA = Param("area", "adcode of a county, city or the province", required=True, pattern=ADCODE)
GRID = Param("grid", "one grid of the area (its id): that grid's figures alone", type="integer",
             minimum=1)
PAGE = Param("page", "page number, from 1", type="integer", minimum=1, default=1)
PER_PAGE = Param("per_page", "rows per page", type="integer", minimum=1, maximum=500, default=50)


def risk_settings() -> RiskSettings:
    return app_settings().risk


@bp.get("/api/v1/employers/<int:employer_id>/risk")
@roles(*ROLES)
def employer_risk(employer_id: int):
    """An employer's risk score (0–100) with the points, share and inputs of each factor."""
    return jsonify(risk.explain(db(), employer_id, risk_settings()))


@bp.get("/api/v1/warnings")
@roles(*WATCH)
@query(Param("area", "adcode of a county, city or the province (default: the province)",
             pattern=ADCODE, default="410000"),
       Param("level", "only this level (default: all three)", enum=LEVELS), PAGE, PER_PAGE)
def warnings(area: str, level: str | None, page: int, per_page: int):
    """Early-warning list: employers at or above the yellow/orange/red thresholds, worst first."""
    found = risk.warnings(db(), counties=county_adcodes(db(), area), level=level, page=page,
                          per_page=per_page, settings=risk_settings())
    return jsonify({"area": area, "level": level, **found})


@bp.get("/api/v1/hotspots")
@roles(*ROLES)
@query(AREA, Param("metric", "value per H3 cell: mean risk score or complaints in the window",
                   enum=HOTSPOT_METRICS, default="risk"),
       Param("res", "H3 resolution", type="integer", minimum=MIN_RES, maximum=MAX_RES,
             default=8),
       Param("significant", "only hot and cold cells", enum=("true", "false"),
             default="false"))
@replica_reads
def hotspots_layer(area: str, metric: str, res: int, significant: str):
    """Gi* hot and cold spots on H3 cells (GeoJSON), cached until the area's inputs change."""
    result = hotspots.get(db(), area=area, metric=metric, res=res, settings=risk_settings())
    resp = versioned_geojson(f"{result.etag}-{significant}", lambda: hotspots.geojson(
        db(), result, significant_only=significant == "true"))
    resp.headers["X-Hotspots-Reused"] = "true" if result.reused else "false"
    return resp


def _context(area: str, grid: int | None = None) -> kpis.Context:
    return kpis.context(db(), area, today=clock.today(), settings=settings(),
                        risk_settings=risk_settings(), calendar=WorkingCalendar.load(db()),
                        grid_id=grid)


@bp.get("/api/v1/kpis")
@roles(*WATCH)
@query(AREA, GRID)
@replica_reads
def kpi_panel(area: str, grid: int | None):
    """KPIs of an area, or of one of its grids; every figure links to the list behind it
    ({"value", "list"}; a figure without a grid view is null at grid level)."""
    return jsonify(kpis.figures(db(), _context(area, grid)))


def _list_view(name: str, doc: str):
    states = kpis.LISTS[name].states
    params = [AREA, PAGE, PER_PAGE] + ([GRID] if kpis.of_grid(name) else [])
    if states:
        params.insert(1, Param("state", "only this state", enum=tuple(states)))

    def view(area: str, page: int, per_page: int, state: str | None = None,
             grid: int | None = None):
        return jsonify(kpis.items(db(), _context(area, grid), name, state=state, page=page,
                                  per_page=per_page))
    view.__name__ = "kpi_" + name.replace("-", "_")
    view.__doc__ = doc
    return roles(*WATCH)(query(*params)(replica_reads(view)))


LIST_DOCS = {
    "employers-outside-grids": "Employers of the area in no grid.",
    "grids-without-staff": "Grids of the area without any staff.",
    "grids-understaffed": "Grids with fewer active grid workers than LIANGWANG_MIN_GRID_STAFF.",
    "employers-per-staff": "Grids with staff, by employers per staff member, highest first.",
    "overdue-employers": "Employers overdue for inspection by their grade's interval.",
    "open-complaints": "Complaints awaiting the acceptance decision (5 working days).",
    "case-deadlines": "Open cases past or within the warning window of their time limit.",
    "high-risk-uninspected": "Red-level employers not inspected in the configured period.",
    "urgent-responses": "Open urgent (mass-incident) inspections, by the time left from receipt.",
    "overdue-referrals": "Referrals out not signed for, or not answered, by their deadlines.",
    "pending-rewards": "Tip rewards awaiting approval, or approved and unpaid past the due date.",
    "review-missing": "Employers past a written review's due date without materials, unscheduled.",
    "overdue-audits": "Entrusted audits whose report is past its deadline.",
}
for _name, _doc in LIST_DOCS.items():
    bp.add_url_rule(f"/api/v1/kpis/{_name}", view_func=_list_view(_name, _doc))
