"""Export a county's grids as GeoJSON, GeoPackage or zipped Shapefile in a chosen CRS, and
turn an uploaded file back into a proposed edit set (matched by grid code; nothing written).

CRS: any EPSG code pyproj knows that is geographic or projected (4326, 4490, 3857, the
CGCS2000 Gauss-Kruger zones 4491–4554, …) through pyproj; GCJ-02 and BD-09 (which have
no EPSG code) through geo.crs, as lon/lat files that declare no CRS.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import crs as china_crs
from geo.core.config import Settings
from geo.core.db import job_timeout
from geo.core.errors import InvalidInput, PayloadTooLarge, Unprocessable
from geo.core.text import Text
from geo.core.uploads import Limits, stage, zip_files
from geo.grids import staffing
from geo.grids.planning.report import assess, existing_grids, geojson, require_county, with_preview
from geo.grids.settings import PlanningSettings
from geo.grids.staffing import StaffCounts

FORMATS = {  # format -> (driver, extension, mimetype)
    "geojson": ("GeoJSON", ".geojson", "application/geo+json"),
    "gpkg": ("GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "shp": ("ESRI Shapefile", ".zip", "application/zip"),
}
ALIASES = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}
SHIFTED = ("gcj02", "bd09")  # Chinese lon/lat offsets from WGS 84, no EPSG code
CODE_COLUMNS = ("code", "网格编码", "编码", "grid_code")
NAME_COLUMNS = ("name", "网格名称", "名称", "grid_name")
DECIMALS = 9  # degrees, the 1e-9 precision grid of the stored grids
SAME_SHAPE_DEG = 1e-8  # ~1 mm: a feature this close to its grid is unchanged
NEAR_COUNTY_DEG = 0.1  # a feature must come within ~10 km of its county's bounding box
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class FileCrs:
    """A CRS chosen by name: an EPSG CRS for pyproj, or one of the Chinese offsets."""

    label: str
    epsg: pyproj.CRS | None = None
    shift: str | None = None


@dataclass
class ExportedFile:
    stream: BinaryIO
    filename: str
    mimetype: str


def parse_crs(value: str) -> FileCrs:
    """'EPSG:n', 'wgs84', 'cgcs2000', 'gcj02' or 'bd09'; 400 naming the parameter otherwise."""
    raw = (value or "").strip()
    name = ALIASES.get(raw.lower(), raw)
    if name.lower().replace("-", "") in SHIFTED:
        return FileCrs(name.lower().replace("-", ""), shift=name.lower().replace("-", ""))
    match = re.fullmatch(r"(?i)epsg:(\d{4,6})", name)
    if match:
        try:
            found = pyproj.CRS.from_epsg(int(match.group(1)))
        except pyproj.exceptions.CRSError:
            found = None
        if found is not None and (found.is_geographic or found.is_projected):
            return FileCrs(f"EPSG:{match.group(1)}", epsg=found)
    raise InvalidInput(Text("error.grid_file.crs", value=value),
                       {"parameter": "crs"})


def export_grids(session: Session, adcode: str, *, fmt: str, crs: str,
                 staff: StaffCounts) -> ExportedFile:
    """The county's grids with code, name, staff, employers and version, as an open file.

    `staff` counts each grid's staff (dispatch.officers.service.staff_per_grid).
    """
    county = require_county(session, adcode)
    if fmt not in FORMATS:
        raise InvalidInput(Text("error.grid_file.format", choices=", ".join(FORMATS)),
                           {"parameter": "format"})
    target = parse_crs(crs)
    rows = session.execute(text("""
        SELECT g.id, g.code, g.name,
               (SELECT count(*) FROM employers e WHERE e.grid_id = g.id) AS employers,
               g.version, ST_AsBinary(g.geom) AS wkb
        FROM grids g WHERE g.county_adcode = :c ORDER BY g.code
    """), {"c": county.adcode}).mappings().all()
    staffed = staffing.staff_of(session, staff, [r["id"] for r in rows])
    rows = [{**r, "staff": staffed[r["id"]]} for r in rows]
    geoms = np.array([shapely.from_wkb(bytes(r["wkb"])) for r in rows], dtype=object)
    out_crs = "EPSG:4326"
    if target.shift:
        geoms = china_crs.transform_geometry(
            geoms, lambda x, y: china_crs.from_wgs84(x, y, target.shift))
        out_crs = None  # GCJ-02/BD-09 have no EPSG code: the file names none, the file name says it
    elif target.epsg.to_epsg() != 4326:
        geoms = gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(target.epsg).values
        out_crs = target.epsg
    frame = gpd.GeoDataFrame(
        {k: [r[k] for r in rows] for k in ("code", "name", "staff", "employers", "version")},
        geometry=gpd.GeoSeries(geoms), crs=out_crs)
    driver, ext, mimetype = FORMATS[fmt]
    base = f"grids-{county.adcode}-{target.label.replace(':', '').lower()}"
    folder = Path(tempfile.mkdtemp(prefix="lw-export-"))
    try:
        stream = open(_write(frame, fmt, folder, base), "rb")  # noqa: SIM115 (response closes it)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the open handle keeps the data readable
    return ExportedFile(stream, f"{base}{ext}", mimetype)


def _write(frame: gpd.GeoDataFrame, fmt: str, folder: Path, base: str) -> Path:
    """Write the frame as `fmt` into folder; a Shapefile's parts are zipped."""
    driver, ext, _ = FORMATS[fmt]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'crs' was not provided")  # GCJ-02/BD-09
        if fmt == "shp":
            frame.to_file(folder / f"{base}.shp", driver=driver, engine="pyogrio",
                          encoding="UTF-8", geometry_type="MultiPolygon")
            return zip_files(sorted(folder.glob(f"{base}.*")), folder / f"{base}.zip")
        path = folder / f"{base}{ext}"
        frame.to_file(path, driver=driver, engine="pyogrio", geometry_type="MultiPolygon",
                      **({"layer": "grids"} if fmt == "gpkg" else {}))
        return path


def read_grid_file(data: bytes, *, crs: str | None = None, layer: str | None = None,
                   encoding: str | None = None, limits: Limits = Limits()) -> dict:
    """Features of an uploaded file as WGS 84 shapely geometries with their attributes."""
    declared = parse_crs(crs) if crs else None
    folder = Path(tempfile.mkdtemp(prefix="lw-import-"))
    try:
        path, fmt = stage(data, folder, limits)
        layer = _choose_layer(path, layer) if fmt == "gpkg" else None  # one layer otherwise
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, encoding=encoding or None)
        except Exception as exc:  # the file's content is the user's: any reader error is a 422
            raise Unprocessable(Text("error.grid_file.unreadable", format=fmt,
                                     reason=_reason(exc, path)),
                                {"parameter": "file"}) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not len(frame):
        raise Unprocessable(Text("error.grid_file.no_features"), {"parameter": "file"})
    if not isinstance(frame, gpd.GeoDataFrame):
        raise Unprocessable(Text("error.grid_file.no_geometry"), {"parameter": "file"})
    geoms = np.asarray(frame.geometry.values, dtype=object)
    # Counted before any reprojection or overlay, whose cost grows with the vertices.
    vertices = int(shapely.get_num_coordinates(geoms).sum())
    if vertices > limits.vertices:
        raise PayloadTooLarge(
            Text("error.grid_file.too_many_vertices", vertices=vertices, max=limits.vertices),
            {"parameter": "file", "vertices": vertices, "max_vertices": limits.vertices})
    file_crs = frame.crs
    if declared is None and file_crs is None:
        raise Unprocessable(Text("error.grid_file.no_crs"), {"parameter": "crs"})
    if declared is not None and declared.shift:
        if file_crs is not None and not file_crs.is_geographic:
            raise Unprocessable(Text("error.grid_file.projected", crs=declared.label,
                                     file_crs=file_crs.name), {"parameter": "crs"})
        geoms = china_crs.transform_geometry(
            geoms, lambda x, y: china_crs.to_wgs84(x, y, declared.shift))
    else:
        source = declared.epsg if declared is not None else file_crs
        if pyproj.CRS(source).to_epsg() != 4326:
            geoms = gpd.GeoSeries(geoms, crs=source).to_crs("EPSG:4326").values
    geoms = shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, DECIMALS))
    return {"format": fmt, "layer": layer, "frame": frame.drop(columns="geometry"),
            "geometries": list(geoms), "crs": declared.label if declared else _label(file_crs),
            "file_crs": _label(file_crs)}


def _label(found: pyproj.CRS | None) -> str | None:
    if found is None:
        return None
    code = found.to_epsg()
    return f"EPSG:{code}" if code else found.name


def _reason(exc: Exception, path: Path) -> str:
    """The reader's message without the server's temporary path."""
    return str(exc).replace(f"'{path}' ", "").replace(str(path), "the file")


def _choose_layer(path: Path, layer: str | None) -> str:
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise Unprocessable(Text("error.grid_file.unopenable", reason=_reason(exc, path)),
                            {"parameter": "file"}) from None
    if layer:
        if layer not in names:
            raise InvalidInput(Text("error.grid_file.no_such_layer", layer=layer,
                                    layers=", ".join(names)),
                               {"parameter": "layer"})
        return layer
    if len(names) == 1:
        return names[0]
    if "grids" in names:
        return "grids"
    raise Unprocessable(Text("error.grid_file.several_layers", layers=", ".join(names)),
                        {"parameter": "layer"})


def propose_import(session: Session, adcode: str, data: bytes, *, crs: str | None = None,
                   layer: str | None = None, encoding: str | None = None,
                   limits: Limits = Limits(), staff: StaffCounts,
                   settings: PlanningSettings | None = None,
                   job_timeout_ms: int = Settings.model_fields["job_statement_timeout_ms"].default) -> dict:
    """The edit set that makes the county's grids what the file says (proposed, not written).

    `staff` counts each grid's staff for the preview (dispatch.officers.service.staff_per_grid).
    """
    job_timeout(session, job_timeout_ms)
    county = require_county(session, adcode)
    read = read_grid_file(data, crs=crs, layer=layer, encoding=encoding, limits=limits)
    features = _features(read, county)
    current = {g.code: g for g in existing_grids(session, county.adcode)}
    changes, unchanged, stale = [], [], []
    for f in features:
        old = current.get(f["code"])
        if old is None:
            changes.append({"op": "create", "code": f["code"], "name": f["name"] or f["code"],
                            "geometry": geojson(f["geom"])})
            continue
        if f["version"] is not None and f["version"] < old.version:
            stale.append({"code": f["code"], "file_version": f["version"],
                          "current_version": old.version})
        same_shape = _same_shape(f["geom"], old.geom)
        renamed = bool(f["name"]) and f["name"] != old.name
        if same_shape and not renamed:
            unchanged.append(f["code"])
            continue
        change = {"op": "update", "id": old.id, "version": old.version,
                  "geometry": geojson(f["geom"])}
        if renamed:
            change["name"] = f["name"]
        changes.append(change)
    in_file = {f["code"] for f in features}
    changes += [{"op": "delete", "id": g.id, "version": g.version}
                for code, g in current.items() if code not in in_file]
    summary = {op: sum(c["op"] == op for c in changes) for op in ("create", "update", "delete")}
    return {
        "county": county.adcode, "changes": changes,
        "summary": summary | {"unchanged": len(unchanged)},
        "unchanged": unchanged, "stale": stale,
        "file": {"format": read["format"], "layer": read["layer"], "features": len(features),
                 "crs": read["crs"], "file_crs": read["file_crs"]},
        "report": assess(session, county.adcode, [(f["code"], f["geom"]) for f in features]),
        **with_preview(session, county.adcode, changes, staff=staff, settings=settings),
    }


def _column(frame, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _features(read: dict, county) -> list[dict]:
    """Code, name, version and geometry per feature; 422 listing every unusable feature."""
    frame, geoms = read["frame"], read["geometries"]
    if not len(geoms):
        raise Unprocessable(Text("error.grid_file.no_features"), {"parameter": "file"})
    code_col, name_col = _column(frame, CODE_COLUMNS), _column(frame, NAME_COLUMNS)
    version_col = _column(frame, ("version",))
    if code_col is None:
        raise Unprocessable(Text("error.grid_file.no_code_column",
                                 columns=", ".join(map(str, frame.columns)) or Text("word.none")),
                            {"parameter": "file"})
    box = shapely.box(*county.geom.bounds).buffer(NEAR_COUNTY_DEG, join_style="mitre")
    out, problems, seen = [], [], {}
    for i, geom in enumerate(geoms):
        code = _text(frame[code_col].iloc[i])
        name = _text(frame[name_col].iloc[i]) if name_col is not None else ""
        where = {"feature": i + 1, "code": code or None}
        if not code:
            problems.append(where | {"message": Text("problem.grid_file.no_code")})
        elif len(code) > 32 or len(name) > 128:
            problems.append(where | {"message": Text("problem.grid_file.too_long",
                                                     code_max=32, name_max=128)})
        elif code in seen:
            problems.append(where | {"message": Text("problem.grid_file.duplicate", code=code,
                                                     feature=seen[code])})
        seen.setdefault(code, i + 1)
        if geom is None or geom.is_empty:
            problems.append(where | {"message": Text("problem.grid_file.no_geometry")})
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(where | {"message": Text("problem.grid_file.not_polygon",
                                                     type=geom.geom_type)})
            continue
        if not box.intersects(shapely.box(*geom.bounds)):
            flipped = shapely.transform(geom, lambda c: c[:, ::-1])
            swapped = box.intersects(shapely.box(*flipped.bounds))
            x0, y0 = geom.bounds[:2]
            problems.append(where | {"message": Text(
                "problem.grid_file.elsewhere_swapped" if swapped else
                "problem.grid_file.elsewhere", x=x0, y=y0, county=county.name,
                crs=read["crs"])})
            continue
        version = _version(frame[version_col].iloc[i]) if version_col is not None else None
        out.append({"code": code, "name": name, "geom": geom, "version": version})
    if problems:
        raise Unprocessable(Text("error.grid_file.unusable_features", n=len(problems)),
                            {"parameter": "file", "problems": problems[:MAX_PROBLEMS]})
    return out


def _version(value) -> int | None:
    """The grid version the file was exported at, if it says so."""
    try:
        return int(float(value)) if value is not None and value == value else None
    except (TypeError, ValueError):
        return None


def _same_shape(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    """True when both have the same vertices to ~1 mm, whatever the ring order or start."""
    def canon(g):
        parts = shapely.get_parts(g)
        return shapely.normalize(parts[0] if len(parts) == 1 else shapely.multipolygons(parts))
    return bool(shapely.equals_exact(canon(a), canon(b), tolerance=SAME_SHAPE_DEG))
