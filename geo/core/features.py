"""Feature collections for OGC API – Features: one table each, paged, filtered by bbox and by
the reader's counties, built as GeoJSON inside PostGIS.

A domain declares its collection (`Collection`: table, geometry, the properties it may
show — never private columns — and the column that places a row in a county); the web
layer (webapp.api.ogc) serves every declared collection the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.text import Text

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Collection:
    id: str
    title: Text
    description: Text
    table: str
    geometry: str  # column, SRID 4326
    properties: tuple[tuple[str, str], ...]  # (name, SQL expression over alias `t`)
    county: str  # SQL expression giving the county adcode of a row (for territory scoping)
    id_column: str = "id"
    integer_ids: bool = True
    where: str = "TRUE"

    def _scope(self, counties: list[str] | None, extra: str = "") -> str:
        scope = "TRUE" if counties is None else f"({self.county}) = ANY(:counties)"
        return f"({self.where}) AND {scope}{extra}"

    def _feature(self) -> str:
        props = ", ".join(f"'{name}', {expr}" for name, expr in self.properties)
        return (f"json_build_object('type', 'Feature', 'id', t.{self.id_column}, "
                f"'geometry', ST_AsGeoJSON(t.{self.geometry}, 7)::json, "
                f"'properties', json_build_object({props}))")

    def items(self, session: Session, *, counties: list[str] | None, limit: int, offset: int,
              bbox: tuple[float, float, float, float] | None) -> tuple[list, int]:
        """(features as GeoJSON text each, number matched) of one page, in id order."""
        box = ""
        params: dict = {"counties": counties, "limit": limit, "offset": offset}
        if bbox is not None:
            box = (f" AND t.{self.geometry} && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
                   f" AND ST_Intersects(t.{self.geometry}, ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326))")
            params.update(x0=bbox[0], y0=bbox[1], x1=bbox[2], y1=bbox[3])
        where = self._scope(counties, box)
        # The page's keys first: PostgreSQL would build the JSON of every row OFFSET skips.
        rows = session.execute(text(
            f"WITH page AS (SELECT t.{self.id_column} AS k FROM {self.table} t WHERE {where} "
            f"ORDER BY t.{self.id_column} LIMIT :limit OFFSET :offset) "
            f"SELECT {self._feature()}::text FROM page JOIN {self.table} t "
            f"ON t.{self.id_column} = page.k ORDER BY page.k"), params).scalars().all()
        if rows and len(rows) < limit:  # the last page: what came before and this are all
            return list(rows), offset + len(rows)
        matched = session.execute(text(
            f"SELECT count(*) FROM {self.table} t WHERE {where}"), params).scalar_one()
        return list(rows), matched

    def item(self, session: Session, feature_id: str, *, counties: list[str] | None) -> str | None:
        """One feature as GeoJSON text, or None (absent, or outside the counties)."""
        key: object = feature_id
        if self.integer_ids:  # compare as integers, so the primary key's index is used
            if not (feature_id.isascii() and feature_id.isdigit() and len(feature_id) <= 18):
                return None
            key = int(feature_id)
        return session.execute(text(
            f"SELECT {self._feature()}::text FROM {self.table} t "
            f"WHERE t.{self.id_column} = :fid AND {self._scope(counties)}"),
            {"fid": key, "counties": counties}).scalar()
