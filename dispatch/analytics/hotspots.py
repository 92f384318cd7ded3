"""Risk and complaint hotspots: Getis-Ord Gi* over H3 cells, cached until the inputs change.

Values are aggregated per H3 cell in PostgreSQL from each employer's stored cell
(employer_risk.h3). Weights: each cell and its H3 neighbours (grid_disk k=1, which includes
the cell itself, i.e. the Gi* self-weight) among the cells that hold data, as a binary
libpysal Graph; `esda.G_Local(star=True, permutations=0)` gives z and the normal
p-value, doubled for a two-sided test. Hot/cold classes at 99/95/90 % use the
Benjamini–Hochberg false-discovery-rate cut-off of `esda.fdr` at each level.

Cache: one row per (area, metric, res) in hotspot_results with its cells in hotspot_cells,
and the digest of the counties' stored input fingerprints (dispatch.analytics.inputs, via
risk_inputs) it was computed from. Only `refresh` writes it (the refresh job,
dispatch.analytics.jobs); a request (`get`) reads the cache when its digest matches and
otherwise computes the answer in memory without storing it, so a GET never writes.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from esda import G_Local, fdr
from h3.api import basic_int as h3
from libpysal.graph import Graph
from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import h3cells, inputs, risk
from dispatch.analytics.models import GI_BINS, HOTSPOT_METRICS
from dispatch.analytics.settings import RiskSettings
from geo.areas.service import county_adcodes, find_area
from geo.core.errors import InvalidInput
from geo.core.text import Text

CONFIDENCE = ((3, 0.01), (2, 0.05), (1, 0.10))  # Gi_Bin, alpha


@dataclass(frozen=True)
class Result:
    """A hotspot run: cached (its cells are in hotspot_cells under `id`) or, when the cache
    is behind, computed for this request only (`id` is None and its cells are in `data`)."""

    id: int | None
    area: str
    metric: str
    res: int
    fingerprint: str
    cells: int
    cutoffs: dict
    computed_at: datetime
    elapsed_ms: float
    reused: bool
    data: dict | None = None

    @property
    def etag(self) -> str:
        """Changes when the answer changes: the area, metric, resolution and input digest."""
        return f"hotspots-{self.area}-{self.metric}-{self.res}-{self.fingerprint[:16]}"


def neighbour_graph(cells: np.ndarray) -> Graph:
    """Binary weights: each cell with its grid_disk(k=1) neighbours present in `cells` (sorted)."""
    disks = [h3.grid_disk(c, 1) for c in cells.tolist()]
    sizes = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
    flat = np.fromiter((c for d in disks for c in d), dtype=np.int64, count=int(sizes.sum()))
    focal = np.repeat(np.arange(len(cells)), sizes)
    pos = np.minimum(np.searchsorted(cells, flat), len(cells) - 1)
    present = cells[pos] == flat
    focal, neighbour = focal[present], pos[present]
    order = np.lexsort((neighbour, focal))
    index = pd.MultiIndex.from_arrays([focal[order], neighbour[order]],
                                      names=["focal", "neighbor"])
    return Graph(pd.Series(np.ones(len(order)), index=index, name="weight"),
                 transformation="B", is_sorted=True)


def gi_star(values: np.ndarray, graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided normal p-values (NaN where the statistic is undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = G_Local(values.astype(float), graph, transform="B", permutations=0, star=True)
        z = np.asarray(g.Zs, dtype=float)
        p = np.where(np.isfinite(z), 2 * np.asarray(g.p_norm, dtype=float), np.nan)
    return np.where(np.isfinite(z), z, np.nan), p


def classify(z: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, dict]:
    """Gi_Bin per cell (+3 hot 99 % … −3 cold 99 %) after FDR correction at each level."""
    bins = np.zeros(len(z), dtype=np.int16)
    finite = np.isfinite(p)
    cutoffs = {}
    for level, alpha in sorted(CONFIDENCE):  # 90 % first, then stronger levels overwrite
        cutoff = float(fdr(p[finite], alpha)) if finite.any() else 0.0
        cutoffs[f"{int(round(100 * (1 - alpha)))}"] = cutoff
        significant = finite & (p <= cutoff)
        bins[significant] = np.sign(z[significant]) * level
    return bins, cutoffs


def _employer_cells(session: Session, counties: list[str], res: int) -> dict[str, np.ndarray]:
    return h3cells.read_columns(session, f"""
        SELECT {h3cells.parent_sql('h3', '%(res)s')} AS cell, count(*)::int8,
               avg(score)::float8
        FROM employer_risk WHERE county_adcode = ANY(%(c)s) AND h3 IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """, {"c": counties, "res": res}, {"cell": "int8", "employers": "int8", "risk": "float8"})


def _complaint_counts(session: Session, counties: list[str], res: int,
                      settings: RiskSettings) -> tuple[np.ndarray, np.ndarray]:
    points = h3cells.read_columns(session, """
        SELECT ST_Y(geom), ST_X(geom) FROM complaints
        WHERE county_adcode = ANY(%(c)s) AND geom IS NOT NULL
          AND status NOT IN ('refused', 'redirected')
          AND received_at >= now() - make_interval(days => %(days)s)
    """, {"c": counties, "days": settings.lookback_days}, {"lat": "float8", "lon": "float8"})
    return np.unique(h3cells.cells(points["lat"], points["lon"], res), return_counts=True)


def compute(session: Session, counties: list[str], metric: str, res: int,
            settings: RiskSettings) -> dict[str, np.ndarray]:
    """Per cell: value, employers, z, p and Gi_Bin (arrays sorted by cell), plus FDR cut-offs."""
    emp = _employer_cells(session, counties, res)
    cells, employers = emp["cell"], emp["employers"]
    if metric == "risk":
        values = emp["risk"]
    else:
        c_cells, c_counts = _complaint_counts(session, counties, res, settings)
        cells = np.union1d(cells, c_cells)
        values = np.zeros(len(cells))
        values[np.searchsorted(cells, c_cells)] = c_counts
        counts = np.zeros(len(cells), dtype=np.int64)
        counts[np.searchsorted(cells, emp["cell"])] = emp["employers"]
        employers = counts
    if len(cells) == 0:
        empty = np.zeros(0)
        return {"cell": cells, "value": empty, "employers": employers, "z": empty, "p": empty,
                "gi_bin": np.zeros(0, dtype=np.int16), "cutoffs": {}}
    z, p = gi_star(values, neighbour_graph(cells))
    bins, cutoffs = classify(z, p)
    return {"cell": cells, "value": values, "employers": employers, "z": z, "p": p,
            "gi_bin": bins, "cutoffs": cutoffs}


def _key(session: Session, area: str, metric: str, res: int) -> tuple[str, list[str], str]:
    """The area's adcode, its counties and the digest of their stored inputs (400/404)."""
    if metric not in HOTSPOT_METRICS:
        raise InvalidInput(Text("dispatch.error.one_of", name="metric",
                                choices=", ".join(HOTSPOT_METRICS)),
                           {"parameter": "metric"})
    if not h3cells.MIN_RES <= res <= h3cells.MAX_RES:
        raise InvalidInput(Text("dispatch.error.res_range", low=h3cells.MIN_RES,
                                high=h3cells.MAX_RES),
                           {"parameter": "res"})
    area = find_area(session, area)["adcode"]
    counties = county_adcodes(session, area)
    stored = dict(session.execute(text(
        "SELECT county_adcode, fingerprint FROM risk_inputs WHERE county_adcode = ANY(:c)"),
        {"c": counties}).all())
    return area, counties, inputs.combined(stored, f"{metric}|{res}")


def _cached(session: Session, area: str, metric: str, res: int,
            fingerprint: str) -> Result | None:
    row = session.execute(text("""
        SELECT id, fingerprint, cells, cutoffs, computed_at, elapsed_ms FROM hotspot_results
        WHERE area_adcode = :a AND metric = :m AND res = :r
    """), {"a": area, "m": metric, "r": res}).mappings().first()
    if row is None or row["fingerprint"] != fingerprint:
        return None
    return Result(row["id"], area, metric, res, fingerprint, row["cells"], row["cutoffs"],
                  row["computed_at"], row["elapsed_ms"], reused=True)


def get(session: Session, *, area: str, metric: str, res: int,
        settings: RiskSettings) -> Result:
    """The hotspot result for an area from the cache, or computed now (not stored) when the
    cache is behind the stored risk scores; reads only."""
    area, counties, fingerprint = _key(session, area, metric, res)
    cached = _cached(session, area, metric, res, fingerprint)
    if cached is not None:
        return cached
    started = time.perf_counter()
    out = compute(session, counties, metric, res, settings)
    now = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    return Result(None, area, metric, res, fingerprint, len(out["cell"]), out["cutoffs"], now,
                  (time.perf_counter() - started) * 1000, reused=False, data=out)


def refresh(session: Session, *, area: str, metric: str, res: int,
            settings: RiskSettings) -> Result:
    """Bring the area's risk scores and its cached result up to date (a job; it writes)."""
    area, counties, _ = _key(session, area, metric, res)
    risk.refresh(session, counties, settings)
    area, counties, fingerprint = _key(session, area, metric, res)
    key = {"a": area, "m": metric, "r": res}
    # One computation per key at a time; a waiting job then finds the fresh result.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('hotspots:' || :a || :m || :r))"),
                    key)
    cached = _cached(session, area, metric, res, fingerprint)
    if cached is not None:
        return cached
    started = time.perf_counter()
    out = compute(session, counties, metric, res, settings)
    session.execute(text("DELETE FROM hotspot_results WHERE area_adcode = :a AND metric = :m "
                         "AND res = :r"), key)
    elapsed = (time.perf_counter() - started) * 1000
    new = session.execute(text("""
        INSERT INTO hotspot_results (area_adcode, metric, res, fingerprint, cells, cutoffs,
                                     elapsed_ms, computed_at)
        VALUES (:a, :m, :r, :f, :n, CAST(:cutoffs AS jsonb), :ms, clock_timestamp())
        RETURNING id, computed_at
    """), {**key, "f": fingerprint, "n": len(out["cell"]), "ms": elapsed,
           "cutoffs": json.dumps(out["cutoffs"])}).one()
    n = len(out["cell"])
    h3cells.write_columns(session, "hotspot_cells", {
        "result_id": "int8", "h3": "int8", "value": "float8", "employers": "int4",
        "z": "float8", "p": "float8", "gi_bin": "int2"}, {
        "result_id": np.full(n, new.id), "h3": out["cell"], "value": out["value"],
        "employers": out["employers"], "z": out["z"],
        "p": out["p"], "gi_bin": out["gi_bin"]})
    return Result(new.id, area, metric, res, fingerprint, n, out["cutoffs"], new.computed_at,
                  elapsed, reused=False)


def _number(x: float) -> str:
    return repr(float(x)) if np.isfinite(x) else "null"


def geojson(session: Session, result: Result, *, significant_only: bool = False) -> str:
    """The result as a FeatureCollection: hexagons with h3, value, employers, z, p, class."""
    if result.data is not None:
        d = result.data
        rows = [(int(c), float(v), int(n), float(z), float(p), int(b))
                for c, v, n, z, p, b in zip(d["cell"], d["value"], d["employers"], d["z"],
                                            d["p"], d["gi_bin"])
                if not significant_only or b != 0]
    else:
        rows = session.execute(text("""
            SELECT h3, value, employers, z, p, gi_bin FROM hotspot_cells
            WHERE result_id = :id AND (NOT :sig OR gi_bin <> 0) ORDER BY h3
        """), {"id": result.id, "sig": significant_only}).all()
    features = []
    for cell, value, employers, z, p, gi_bin in rows:
        ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        coords = ",".join(f"[{x:.6f},{y:.6f}]" for x, y in ring)
        features.append(
            f'{{"type":"Feature","id":"{h3.int_to_str(cell)}","geometry":{{"type":"Polygon",'
            f'"coordinates":[[{coords}]]}},"properties":{{"h3":"{h3.int_to_str(cell)}",'
            f'"value":{_number(value)},"employers":{employers},'
            f'"z":{_number(z) if z is not None else "null"},'
            f'"p":{_number(p) if p is not None else "null"},"class":"{GI_BINS[gi_bin]}"}}}}')
    cutoffs = ",".join(f'"{k}":{_number(v)}' for k, v in sorted(result.cutoffs.items()))
    return (f'{{"type":"FeatureCollection","area":"{result.area}","metric":"{result.metric}",'
            f'"res":{result.res},"cells":{result.cells},"computed_at":'
            f'"{result.computed_at.isoformat()}","elapsed_ms":{result.elapsed_ms:.1f},'
            f'"fdr_cutoffs":{{{cutoffs}}},'
            f'"features":[{",".join(features)}]}}')
