"""Command-map API: employer vector tiles, grid metrics and grid search."""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify, request

from dispatch.analytics import grid_metrics, tile_layer
from geo.accounts.models import ROLES
from geo.areas import places as command_map
from geo.areas import service as areas
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.tiles import service as tiles
from geo.tiles.cache import TileCache
from webapp.core import territory
from webapp.core.auth import roles
from webapp.core.context import db, replica_reads, settings
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("map_api", __name__)
MVT = "application/vnd.mapbox-vector-tile"


def tile_settings() -> tiles.TileSettings:
    return app_settings().tiles


def tile_cache() -> TileCache:
    """One cache object per app; its state lives on disk, shared by every worker."""
    ext = current_app.extensions["liangwang"]
    if "tile_cache" not in ext:
        ext["tile_cache"] = TileCache(settings().var / "tiles")
    return ext["tile_cache"]


def _coordinate(name: str, raw: str) -> int:
    if not re.fullmatch(r"-?[0-9]{1,9}", raw):
        raise InvalidInput(Text("webapp.map.tile_integer", name=name, value=repr(raw)),
                           {"parameter": name})
    return int(raw)


@bp.get("/api/v1/tiles/employers/<z>/<x>/<y>.pbf")
@roles(*ROLES)
@replica_reads
def employer_tile(z: str, x: str, y: str):
    """Employers as a Mapbox Vector Tile (layer `employers`, or `clusters` when dense)."""
    if_none_match = tuple(request.if_none_match.as_set()) if request.if_none_match else ()
    tile = tiles.employer_tile(db(), tile_cache(), _coordinate("z", z), _coordinate("x", x),
                               _coordinate("y", y), settings=tile_settings(),
                               extension=tile_layer.EMPLOYER_TILES, if_none_match=if_none_match,
                               territory=territory.current())
    resp = Response(tile.data or b"", status=304 if tile.data is None else 200, mimetype=MVT)
    resp.set_etag(tile.etag)
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.headers["X-Tile-Cache"] = "hit" if tile.cached else "miss"
    return resp


@bp.get("/api/v1/grids/metrics")
@roles(*ROLES)
@query(Param("area", "grids inside this area (adcode of a county, city or the province)",
             pattern=ADCODE, required=True))
@replica_reads
def list_grid_metrics(area: str):
    """Per grid: employers, staff, employers per staff, open complaints, share inspected on time."""
    counties = areas.county_adcodes(db(), area)
    return jsonify(grid_metrics.metrics(db(), counties, app_settings().supervision))


@bp.get("/api/v1/grids/search")
@roles(*ROLES)
@query(Param("q", "fragment of a grid code or name", required=True, max_length=64),
       Param("limit", "maximum results", type="integer", minimum=1, maximum=50, default=10))
@replica_reads
def search_grids(q: str, limit: int):
    """Grids whose code or name contains `q`, exact codes first, with their bounds."""
    return jsonify({"items": command_map.search_grids(db(), q, limit, territory.current())})
