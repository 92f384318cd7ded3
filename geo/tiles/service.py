"""Employer vector tiles (Mapbox Vector Tile) built in PostGIS with ST_AsMVT.

A tile holds individual employers only when there are few enough of them
(`point_limit`); otherwise, and always below `points_min_zoom`, employers are
counted per square cell of `cluster_px` screen pixels, so a tile never holds more
than (256 / cluster_px)² ≤ `max_features` features and a screenful of tiles stays
near 10k features in the browser.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic_settings import SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.areas.territory import Territory, whole_province
from geo.core.config import EnvSettings
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.tiles.cache import TileCache

EXTENT = 4096           # MVT coordinate extent of a tile
TILE_PX = 256           # tiles are drawn 256 px wide


class TileSettings(EnvSettings):
    """Tile limits; each one overridable by LIANGWANG_TILE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="LIANGWANG_TILE_", frozen=True, extra="ignore")

    max_zoom: int = 22
    max_features: int = 4096     # hard cap per tile
    point_limit: int = 512       # more employers than this in a tile → clusters
    points_min_zoom: int = 12    # below this zoom always clusters (a tile covers > 10 km)
    cluster_px: int = 16         # cluster cell size in screen pixels
    @property
    def cells_per_side(self) -> int:
        """Cluster cells along a tile edge, shrunk if needed so cells² ≤ max_features."""
        n = max(1, TILE_PX // max(1, self.cluster_px))
        while n * n > self.max_features:
            n -= 1
        return n


@dataclass(frozen=True)
class LayerExtension:
    """Columns a caller adds to the employer tiles (dispatch.analytics.tile_layer adds risk).

    SQL fragments over the employers table aliased `e`, each empty or ending with a comma:
    `point_select` and `point_join` for the individual employers; `cluster_join`,
    `cluster_aggregate` (per cell, over `e`) and `cluster_output` (from the cell) for the
    clusters. `version_scopes` name the data-version counters (geo.core.versions) of the
    added data: they key the tile cache together with the employers' own.
    """

    point_select: str = ""
    point_join: str = ""
    cluster_join: str = ""
    cluster_aggregate: str = ""
    cluster_output: str = ""
    version_scopes: tuple[str, ...] = ()


PLAIN = LayerExtension()  # employers only


@dataclass(frozen=True)
class Tile:
    """An encoded tile (None when the client's copy is current) and its ETag."""

    etag: str
    data: bytes | None
    cached: bool = False


def check_coordinates(z: int, x: int, y: int, max_zoom: int) -> None:
    """400 unless 0 ≤ z ≤ max_zoom and 0 ≤ x, y < 2^z."""
    if not 0 <= z <= max_zoom:
        raise InvalidInput(Text("error.tile.zoom", max_zoom=max_zoom, z=z),
                           {"parameter": "z"})
    side = 1 << z
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < side:
            raise InvalidInput(Text("error.tile.index", name=name, max=side - 1, z=z,
                                    value=value), {"parameter": name})


def employer_tile(session: Session, cache: TileCache, z: int, x: int, y: int, *,
                  settings: TileSettings, extension: LayerExtension,
                  if_none_match: tuple[str, ...] = (), territory: Territory | None = None) -> Tile:
    """The employers tile z/x/y (with the caller's extra columns) from the cache, or rendered
    in PostGIS and cached. Only the employers of `territory` (default: the province); each
    territory has its own cached tiles."""
    check_coordinates(z, x, y, settings.max_zoom)
    territory = territory or whole_province()
    version = cache.version(session, extension.version_scopes)
    layer = "employers" if territory.whole else f"employers-{territory.adcode}"
    etag = f"{version}-{layer}-{z}-{x}-{y}"
    if etag in if_none_match:
        return Tile(etag, None)
    data = cache.get(version, layer, z, x, y)
    if data is not None:
        return Tile(etag, data, cached=True)
    data = render_employers(session, z, x, y, settings, extension=extension,
                            territory=territory)
    cache.put(version, layer, z, x, y, data)
    return Tile(etag, data)


def render_employers(session: Session, z: int, x: int, y: int, settings: TileSettings, *,
                     extension: LayerExtension, territory: Territory | None = None) -> bytes:
    """Encode the tile: individual employers if few enough, else counts per cell."""
    territory = territory or whole_province()
    if z >= settings.points_min_zoom:
        limit = min(settings.point_limit, settings.max_features)
        n = session.execute(text(f"""
            SELECT count(*) FROM (SELECT 1 FROM employers e WHERE e.geom && {BOX}
                                  AND {territory.sql("e.county_adcode")} LIMIT :cap) t
        """), {"cap": limit + 1, **tile_bounds(z, x, y), **territory.params()}).scalar_one()
        if n <= limit:
            return _points(session, z, x, y, extension, territory)
    return _clusters(session, z, x, y, settings.cells_per_side, extension, territory)


def tile_bounds(z: int, x: int, y: int) -> dict:
    """Tile edges in degrees: west, south, east, north."""
    n = 1 << z
    return {"w": x / n * 360 - 180, "e": (x + 1) / n * 360 - 180,
            "n": _row_latitude(z, y, 0.0), "s": _row_latitude(z, y, 1.0)}


# Tile bounds are bound as constants (not computed in SQL) so that the planner sees how
# many employers a tile holds: a province-wide tile is then a parallel sequential scan
# with a hash aggregate instead of an index scan and a sort spilled to disk.
BOX = "ST_MakeEnvelope(:w, :s, :e, :n, 4326)"


def _points(session: Session, z: int, x: int, y: int, extension: LayerExtension,
            territory: Territory) -> bytes:
    return bytes(session.execute(text(f"""
        SELECT ST_AsMVT(t, 'employers', {EXTENT}, 'geom', 'fid') FROM (
            SELECT e.id AS fid, e.id, e.name, e.grade, e.grid_id IS NULL AS outside, {extension.point_select}
                   ST_AsMVTGeom(ST_Transform(e.geom, 3857), ST_TileEnvelope(:z, :x, :y),
                                {EXTENT}, 64, true) AS geom
            FROM employers e {extension.point_join}
            WHERE e.geom && {BOX} AND {territory.sql("e.county_adcode")}
        ) t WHERE geom IS NOT NULL
    """), {"z": z, "x": x, "y": y, **tile_bounds(z, x, y), **territory.params()}).scalar_one())


def _clusters(session: Session, z: int, x: int, y: int, cells: int,
              extension: LayerExtension, territory: Territory) -> bytes:
    # Cells are equal squares in Web Mercator: columns are linear in longitude, rows are
    # found among precomputed latitude edges, and only each cell's mean point is
    # transformed, so no employer row is reprojected.
    b = tile_bounds(z, x, y)
    edges = [_row_latitude(z, y, i / cells) for i in range(cells, -1, -1)]  # south → north
    session.execute(text("SET LOCAL jit = off"))  # compiling costs more than it saves here
    return bytes(session.execute(text(f"""
        WITH cell AS (
            SELECT floor((ST_X(e.geom) - :w) / (:e - :w) * :cells)::int AS cx,
                   :cells - width_bucket(ST_Y(e.geom), CAST(:edges AS float8[])) AS cy,
                   count(*) AS n, count(*) FILTER (WHERE e.grade = 'A') AS a,
                   count(*) FILTER (WHERE e.grade = 'B') AS b,
                   count(*) FILTER (WHERE e.grade = 'C') AS c,
                   count(*) FILTER (WHERE e.grade = 'unrated') AS u,
                   count(*) FILTER (WHERE e.grid_id IS NULL) AS outside, {extension.cluster_aggregate}
                   avg(ST_X(e.geom)) AS lon, avg(ST_Y(e.geom)) AS lat
            FROM employers e {extension.cluster_join}
            WHERE e.geom && {BOX} AND {territory.sql("e.county_adcode")}
            GROUP BY 1, 2)
        SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM (
            SELECT n AS count, a, b, c, u, outside, {extension.cluster_output}
                   ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857),
                                ST_TileEnvelope(:z, :x, :y), {EXTENT}, 0, true) AS geom
            FROM cell
            WHERE cx BETWEEN 0 AND :cells - 1 AND cy BETWEEN 0 AND :cells - 1
        ) t WHERE geom IS NOT NULL
    """), {"z": z, "x": x, "y": y, "cells": cells, "edges": edges, **b,
           **territory.params()}).scalar_one())


def _row_latitude(z: int, y: int, fraction: float) -> float:
    """Latitude of the line `fraction` of the way down tile row y."""
    n = 1 << z
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + fraction) / n))))
