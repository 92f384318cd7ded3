"""Auto-partition of a county into N compact, contiguous grids balanced by employer count.

Recursive bisection: the county is cut by a straight line that splits its employers
in the ratio of the grids each side will hold (k//2 : k - k//2), trying several
angles and keeping the cut that balances best, detaches no employers and leaves the
most compact halves; each half is cut again until every piece holds one grid's share.
Cuts are fixed-precision overlays (1e-9°, as geo.demo.seed_grids), then every
boundary is noded and re-polygonised so neighbours share each vertex (no T-junction
slivers), and detached pieces join the neighbour they share the longest edge with.
"""
from __future__ import annotations

import math
import time

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.config import Settings
from geo.core.db import job_timeout
from geo.core.errors import InvalidInput, Unprocessable
from geo.core.text import Text
from geo.grids.planning.report import (
    County,
    assess,
    existing_grids,
    geojson,
    require_county,
    with_preview,
)
from geo.grids.settings import PlanningSettings
from geo.grids.staffing import StaffCounts

GRID_SIZE = 1e-9  # degrees (~0.1 mm): the precision grid of every overlay
ANGLES = np.radians(np.arange(0, 180, 15))  # cut directions tried at each bisection
MAX_GRIDS = 5000


def propose_partition(session: Session, adcode: str, *, grids: int | None = None,
                      employers_per_grid: int | None = None, staff: StaffCounts,
                      settings: PlanningSettings | None = None,
                      job_timeout_ms: int = Settings.model_fields["job_statement_timeout_ms"].default) -> dict:
    """A proposed edit set replacing the county's grids by a balanced partition (not written).

    `staff` counts each grid's staff for the preview (dispatch.officers.service.staff_per_grid).
    """
    if (grids is None) == (employers_per_grid is None):
        raise InvalidInput(Text("error.partition.target"), {"parameter": "grids"})
    for name, value in (("grids", grids), ("employers_per_grid", employers_per_grid)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise InvalidInput(Text("error.value.positive_integer", name=name),
                               {"parameter": name})
    job_timeout(session, job_timeout_ms)
    county = require_county(session, adcode)
    x, y = county_employers(session, county.adcode)
    n = grids if grids is not None else max(1, round(len(x) / employers_per_grid))
    if n > MAX_GRIDS:
        raise Unprocessable(Text("error.partition.too_many", n=n, max=MAX_GRIDS),
                            {"parameter": "grids", "grids": n})
    if n > 1 and n > len(x):
        raise Unprocessable(Text("error.partition.too_few_employers", county=county.name,
                                 employers=len(x), n=n),
                            {"parameter": "grids", "grids": n, "employers": len(x)})
    started = time.perf_counter()
    parts = partition(county.geom, x, y, n)
    elapsed = time.perf_counter() - started
    old = existing_grids(session, county.adcode)
    numbered = number_grids(county, parts)
    changes = [{"op": "delete", "id": g.id, "version": g.version} for g in old]
    changes += [{"op": "create", "code": code, "name": name, "geometry": geojson(geom)}
                for code, name, geom in numbered]
    report = assess(session, county.adcode, [(code, geom) for code, _, geom in numbered])
    report["seconds"] = round(elapsed, 3)
    return {"county": county.adcode, "grids": n, "employers": len(x),
            "method": "recursive bisection", "changes": changes, "report": report,
            **with_preview(session, county.adcode, changes, staff=staff, settings=settings)}


def county_employers(session: Session, county: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of the county's employers that lie inside it (those a grid can hold)."""
    rows = session.execute(text("""
        SELECT ST_X(e.geom), ST_Y(e.geom) FROM employers e
        JOIN admin_areas a ON a.level = 'county' AND a.adcode = e.county_adcode
        WHERE e.county_adcode = :c AND ST_Intersects(a.geom, e.geom) ORDER BY e.id
    """), {"c": county}).all()
    xy = np.array(rows, dtype=float).reshape(-1, 2)
    return xy[:, 0], xy[:, 1]


def number_grids(county: County,
                 parts: list[shapely.Geometry]) -> list[tuple[str, str, shapely.Geometry]]:
    """Codes and names in reading order (north to south, then west to east), as the demo does."""
    points = [p.point_on_surface() for p in parts]
    order = sorted(range(len(parts)), key=lambda i: (-points[i].y, points[i].x))
    return [(f"{county.adcode}-{n:03d}", f"{county.name}第{n}网格", parts[i])
            for n, i in enumerate(order, start=1)]


def partition(region: shapely.Geometry, x: np.ndarray, y: np.ndarray,
              n: int) -> list[shapely.Geometry]:
    """n polygons tiling `region`, each holding about len(x)/n of the points (x, y)."""
    k = math.cos(math.radians(region.centroid.y))  # lon scale: cuts are judged in ~metres
    locations, weights = np.unique(np.round(np.column_stack([x, y]), 7), axis=0,
                                   return_counts=True)  # co-located employers move together
    if n > 1 and n > len(locations):
        raise Unprocessable(Text("error.partition.too_few_places", places=len(locations)),
                            {"parameter": "grids"})
    leaves: list[tuple[shapely.Geometry, np.ndarray]] = []
    _bisect(region, np.arange(len(locations)), n, locations, weights.astype(float), k, leaves)
    pieces = node(region, [g for g, _ in leaves])
    parts = repair_contiguity(pieces, locations, weights, k)
    return [p.geoms[0] if p.geom_type == "MultiPolygon" and len(p.geoms) == 1 else p
            for p in parts]


def _bisect(region, idx, n, locations, weights, k, out) -> None:
    if n == 1:
        out.append((region, idx))
        return
    n1 = n // 2
    best = None
    for angle in ANGLES:
        cut = _cut(region, idx, n1, n, angle, locations, weights, k)
        if cut is not None and (best is None or cut[0] < best[0]):
            best = cut
    if best is None:  # no straight cut separates enough places (should not happen)
        raise Unprocessable(Text("error.partition.failed"),
                            {"parameter": "grids"})
    _, (r1, i1), (r2, i2) = best
    _bisect(r1, i1, n1, locations, weights, k, out)
    _bisect(r2, i2, n - n1, locations, weights, k, out)


def _cut(region, idx, n1, n, angle, locations, weights, k):
    """The cut at this angle splitting idx's weight n1 : n - n1, scored; None if impossible."""
    ux, uy = math.cos(angle), math.sin(angle)
    t = locations[idx, 0] * k * ux + locations[idx, 1] * uy
    order = np.argsort(t, kind="stable")
    ts, cw = t[order], np.cumsum(weights[idx][order])
    target = cw[-1] * n1 / n
    # Cut between positions i and i+1: distinct projections, enough places for each side.
    i = np.arange(len(ts) - 1)
    ok = (ts[1:] > ts[:-1]) & (i + 1 >= n1) & (len(ts) - i - 1 >= n - n1)
    if not ok.any():
        return None
    err = np.where(ok, np.abs(cw[:-1] - target), np.inf)
    at = int(np.argmin(err))
    c = (ts[at] + ts[at + 1]) / 2
    half = _half_plane(region, ux, uy, c, k)
    r1 = shapely.intersection(region, half, grid_size=GRID_SIZE)
    r2 = shapely.difference(region, half, grid_size=GRID_SIZE)
    i1, i2 = idx[order[: at + 1]], idx[order[at + 1:]]
    detached = _detached_weight(r1, i1, locations, weights) + \
        _detached_weight(r2, i2, locations, weights)
    score = (round(float(err[at]) + detached, 6),
             -(_polsby_popper(r1, k) + _polsby_popper(r2, k)) / 2)
    return score, (r1, i1), (r2, i2)


def _half_plane(region, ux, uy, c, k) -> shapely.Polygon:
    """The side {lon·k·ux + lat·uy ≤ c} of a line, as a polygon covering the region."""
    minx, miny, maxx, maxy = region.bounds
    span = 4 * (abs(maxx - minx) * k + abs(maxy - miny) + 1e-6)
    mx, my = (minx + maxx) / 2 * k, (miny + maxy) / 2
    shift = c - (mx * ux + my * uy)  # move the box centre onto the cut line
    px, py = mx + shift * ux, my + shift * uy
    vx, vy = -uy, ux  # along the line
    corners = [(px + span * vx, py + span * vy), (px - span * vx, py - span * vy),
               (px - span * vx - span * ux, py - span * vy - span * uy),
               (px + span * vx - span * ux, py + span * vy - span * uy)]
    return shapely.Polygon([(cx / k, cy) for cx, cy in corners])


def _detached_weight(region, idx, locations, weights) -> float:
    """Employers in pieces of the region other than its heaviest piece."""
    pieces = shapely.get_parts(region)
    if len(pieces) < 2:
        return 0.0
    held = [weights[idx][shapely.contains_xy(p, locations[idx, 0], locations[idx, 1])].sum()
            for p in pieces]
    return float(sum(held) - max(held))


def _metric(geom, k):
    return shapely.transform(geom, lambda c: c * np.array([k, 1.0]))


def _polsby_popper(geom, k) -> float:
    m = _metric(geom, k)
    return 4 * math.pi * m.area / m.length ** 2 if m.length else 0.0


def node(region: shapely.Geometry, parts: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """Rebuild the parts from their noded boundaries, so neighbours share every vertex."""
    lines = shapely.union_all([region.boundary] + [p.boundary for p in parts],
                              grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    tree = shapely.STRtree(parts)
    owned: list[list[shapely.Geometry]] = [[] for _ in parts]
    orphans = []
    for face in faces:
        point = face.point_on_surface()
        hits = [int(j) for j in tree.query(point, predicate="intersects")]
        if hits:
            owned[hits[0]].append(face)
        elif region.intersects(point):
            orphans.append(face)  # a sub-millimetre sliver between two cuts
        # else: a hole of the county (another county's enclave)
    for face in orphans:
        j = max(range(len(parts)), key=lambda j: _shared_length(face, parts[j]))
        owned[j].append(face)
    return [shapely.union_all(fs, grid_size=GRID_SIZE) for fs in owned]


def _shared_length(a, b) -> float:
    return shapely.intersection(a.boundary, b.boundary).length


def repair_contiguity(parts: list[shapely.Geometry], locations, weights,
                      k: float) -> list[shapely.Geometry]:
    """Give each detached piece to the neighbour it shares the longest edge with."""
    parts = list(parts)
    for _ in range(len(parts)):
        moved = False
        for i, part in enumerate(parts):
            pieces = list(shapely.get_parts(part))
            if len(pieces) < 2:
                continue
            held = [(weights[shapely.contains_xy(p, locations[:, 0], locations[:, 1])].sum(),
                     p.area) for p in pieces]
            main = max(range(len(pieces)), key=lambda j: held[j])
            keep = [pieces[main]]
            for j, piece in enumerate(pieces):
                if j == main:
                    continue
                edges = [(_metric(shapely.intersection(piece.boundary, q.boundary), k).length, m)
                         for m, q in enumerate(parts) if m != i]
                length, m = max(edges, default=(0.0, None))
                if m is None or length == 0.0:
                    keep.append(piece)  # an island of the county itself: nothing to join
                    continue
                parts[m] = shapely.union(parts[m], piece, grid_size=GRID_SIZE)
                moved = True
            parts[i] = shapely.union_all(keep, grid_size=GRID_SIZE) if len(keep) > 1 else keep[0]
        if not moved:
            break
    return parts
