"""JSON API under /api/v1: thin views over geo services."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from dispatch.officers import service as officers
from geo.accounts import audit
from geo.accounts.models import ROLES
from geo.areas import service as areas
from geo.core import versions
from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.core import territory
from webapp.core.auth import public, roles
from webapp.core.context import db
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("api", __name__)
GEOJSON = "application/geo+json"

SIMPLIFY = Param("simplify", "display simplification tolerance in metres (0 = exact)",
                 type="number", minimum=0, maximum=5000, default=0.0)
PRECISION = Param("precision", "decimal digits of the coordinates: 4 (~10 m) for a province "
                  "or city overview, 6 (~0.1 m) to draw, 15 (the stored doubles) to edit and "
                  "send shapes back", type="integer", minimum=1, maximum=15, default=6)


def geojson_response(body: str) -> Response:
    """A FeatureCollection with an ETag, so unchanged layers cost a 304."""
    resp = Response(body, mimetype=GEOJSON)
    resp.add_etag()
    resp.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return resp.make_conditional(request)


def versioned_geojson(etag: str, build: Callable[[], str]) -> Response:
    """A layer whose ETag is known before its body (from the data versions): a client that
    holds it gets a 304 and the body is never built. Compressed answers carry the ETag weak
    (webapp.core.compression), so it is compared weakly."""
    if request.if_none_match.contains_weak(etag):
        resp = Response(status=304)
    else:
        resp = Response(build(), mimetype=GEOJSON)
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return resp


def layer_etag(kind: str, scopes: tuple[str, ...], counties: list[str] | None, *params) -> str:
    """The ETag of a layer: its data versions over these counties and its parameters."""
    raw = "|".join([versions.current(db(), scopes, counties), *map(str, params)])
    return f"{kind}-{hashlib.sha1(raw.encode()).hexdigest()[:20]}"


# What the grids layer draws: the grids, their employer counts and who staffs them.
GRID_LAYER_SCOPES = ("grids", "employers", "officer_grids")


@bp.get("/healthz")
@public
def healthz():
    """Liveness and database check (503 when PostGIS cannot be reached), with the streaming
    replicas and when the derived data (risk scores, hotspot layers) were last computed."""
    try:
        version, replicas, recovery, derived, seen, failed = db().execute(text(
            "SELECT postgis_lib_version(), (SELECT count(*) FROM pg_stat_replication), "
            "pg_is_in_recovery(), (SELECT max(computed_at) FROM hotspot_results), "
            "(SELECT max(seen_at) FROM scheduled_jobs), "
            "(SELECT count(*) FROM job_runs WHERE status = 'failed' "
            "AND finished_at > now() - interval '1 day')")).one()
    except OperationalError:
        resp = jsonify({"status": "unavailable", "error": {
            "code": "database_unavailable", "message": Text("webapp.error.database_unreachable"),
            "details": {}}})
        resp.status_code = 503
        return resp
    configured = current_app.extensions["liangwang"]["replicas"]
    return jsonify({"status": "ok", "postgis": version,
                    "database": {"role": "standby" if recovery else "primary",
                                 "replicas_streaming": replicas,
                                 "replicas_configured": len(configured)},
                    "jobs": {"derived_data_at": derived.isoformat() if derived else None,
                             "scheduler_seen_at": seen.isoformat() if seen else None,
                             "failed_24h": failed}})


@bp.get("/api/v1/areas")
@roles(*ROLES)
@query(
    Param("level", "administrative level", required=True, enum=("province", "city", "county")),
    Param("parent", "only areas whose parent has this adcode", pattern=ADCODE),
    SIMPLIFY, PRECISION,
)
def list_areas(level: str, parent: str | None, simplify: float, precision: int):
    """Administrative areas of one level as a GeoJSON FeatureCollection."""
    etag = layer_etag("areas", ("admin_areas",), None, level, parent, simplify, precision)
    return versioned_geojson(etag, lambda: areas.areas_geojson(db(), level, parent, simplify,
                                                               precision))


@bp.get("/api/v1/grids")
@roles(*ROLES)
@query(
    Param("county", "grids of this county (adcode)", pattern=ADCODE),
    Param("area", "grids inside this area of any level (adcode); alternative to county",
          pattern=ADCODE),
    SIMPLIFY, PRECISION,
    Param("fields", "all properties, or brief (id, code, employer and staff counts) for an "
          "overview of many grids", enum=("all", "brief"), default="all"),
)
def list_grids(county: str | None, area: str | None, simplify: float, precision: int,
               fields: str):
    """Grids of a county (or any area) with employer and staff counts, as GeoJSON."""
    if county is None and area is None:
        raise InvalidInput(Text("webapp.grids.county_required"),
                           {"parameter": "county"})
    if county is not None:
        found = areas.find_area(db(), county)
        if found["level"] != "county" and county != "419001":
            raise InvalidInput(Text("webapp.grids.not_county", county=county,
                                    level=Text(f"level_{found['level']}")),
                               {"parameter": "county"})
    counties = areas.county_adcodes(db(), county or area)
    etag = layer_etag("grids", GRID_LAYER_SCOPES, counties, county or area, simplify, precision,
                      fields)
    return versioned_geojson(etag, lambda: areas.grids_geojson(
        db(), county or area, simplify, precision, staff=officers.staff_per_grid,
        fields=fields))


@bp.get("/api/v1/audit")
@roles("admin")
@query(
    Param("limit", "number of rows, newest first", type="number", minimum=1, maximum=1000,
          default=100),
    Param("entity", "only this kind of record (user, grid, employer, …)", pattern=r"[a-z_]{1,64}"),
    Param("actor", "only this user's actions", pattern=r"[\w.@-]{1,64}"),
)
def list_audit(limit: float, entity: str | None, actor: str | None):
    """The audit log (administrators only; below the province, what their territory's users
    did)."""
    t = territory.current()
    actor_areas = None if t.whole else sorted({t.adcode, *t.counties})
    return jsonify({"items": audit.recent(db(), limit=int(limit), entity=entity, actor=actor,
                                          actor_areas=actor_areas)})
