"""The changes of a grid edit set, read from JSON: shape errors are 400, geometry ones problems.

Geometry is parsed here (shapely) only to give a planner a precise message about what
cannot be read; every spatial test runs in PostGIS (geo.grid_proposal).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from geo.core.errors import InvalidInput
from geo.core.text import Text

OPS = ("create", "update", "delete")
MAX_CHANGES = 5000
CODE_MAX, NAME_MAX = 32, 128


@dataclass
class Change:
    """One change of an edit set; `key` names its grid in problems (id, or code for a create)."""

    index: int
    op: str
    id: int | None = None
    version: int | None = None
    code: str | None = None
    name: str | None = None
    wkb: str | None = None  # hex WKB, 2D; None when deleted or unreadable
    restore_id: int | None = None  # revert of a deleted grid: recreate it under its old id

    @property
    def key(self) -> str:
        """Row key in the proposal: the id, or 'new:<code>' so a code never meets an id."""
        return str(self.id) if self.op != "create" else f"new:{self.code}"

    @property
    def grid(self) -> int | str:
        return self.id if self.op != "create" else self.code


def problem(grid: Any, kind: str, message: Text, geometry: Any = None, *,
            severity: str = "error", **extra: Any) -> dict:
    """One entry of `problems` (errors) or `warnings`: where, what and the place on the map."""
    return {"grid": grid, "kind": kind, "message": message, "geometry": geometry,
            "severity": severity, **extra}


def _integer(raw: dict, name: str, where: str) -> int:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(Text("error.grid_edit.not_integer", where=where, name=name),
                           {"parameter": name})
    return value


def _text(raw: dict, name: str, where: str, limit: int, required: bool) -> str | None:
    value = raw.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(Text("error.grid_edit.not_text", where=where, name=name),
                           {"parameter": name})
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(Text("error.grid_edit.too_long", where=where, name=name, limit=limit),
                           {"parameter": name})
    return value


def read_geometry(raw: Any, grid: Any) -> tuple[str | None, list[dict]]:
    """GeoJSON Polygon/MultiPolygon (or a Feature holding one) → hex WKB, or its problems."""
    if isinstance(raw, dict) and raw.get("type") == "Feature":
        raw = raw.get("geometry")
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return None, [problem(grid, "unparsable", Text("problem.grid.not_geojson"))]
    if raw["type"] not in ("Polygon", "MultiPolygon"):
        return None, [problem(grid, "not_polygonal",
                              Text("problem.grid.not_polygonal", type=raw["type"]))]
    try:
        with np.errstate(invalid="ignore"):  # NaN is reported below, not warned about
            geom = shape(raw)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError,
            shapely.errors.GEOSException) as exc:
        return None, [problem(grid, "unparsable",
                              Text("problem.grid.unreadable", type=raw["type"], reason=str(exc)))]
    if geom.is_empty:
        return None, [problem(grid, "empty", Text("problem.grid.no_coordinates"))]
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        return None, [problem(grid, "unparsable", Text("problem.grid.not_finite"))]
    return shapely.to_wkb(geom, hex=True, output_dimension=2, include_srid=False), []


def read_changes(raw: Any) -> tuple[list[Change], list[dict]]:
    """The changes of an edit set and the geometry problems found while reading them."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(Text("error.grid_edit.no_changes"), {"parameter": "changes"})
    if len(raw) > MAX_CHANGES:
        raise InvalidInput(Text("error.grid_edit.too_many_changes", max=MAX_CHANGES),
                           {"parameter": "changes"})
    changes, problems, seen = [], [], set()
    for i, item in enumerate(raw):
        where = f"changes[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(Text("error.grid_edit.not_object", where=where),
                               {"parameter": "changes", "index": i})
        op = item.get("op")
        if op not in OPS:
            raise InvalidInput(Text("error.grid_edit.bad_op", where=where, ops=", ".join(OPS)),
                               {"parameter": "op", "index": i})
        change = Change(index=i, op=op)
        if op == "create":
            change.code = _text(item, "code", where, CODE_MAX, True)
            change.name = _text(item, "name", where, NAME_MAX, True)
        else:
            change.id = _integer(item, "id", where)
            change.version = _integer(item, "version", where)
            change.name = _text(item, "name", where, NAME_MAX, False) if op == "update" else None
        if change.key in seen:
            raise InvalidInput(Text("error.grid_edit.twice", where=where, grid=change.grid),
                               {"parameter": "changes", "index": i, "grid": change.grid})
        seen.add(change.key)
        if op != "delete":
            if "geometry" not in item:
                raise InvalidInput(Text("error.grid_edit.geometry_required", where=where, op=op),
                                   {"parameter": "geometry", "index": i})
            change.wkb, found = read_geometry(item["geometry"], change.grid)
            problems += found
        changes.append(change)
    return changes, problems
