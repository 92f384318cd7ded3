"""Grid proposals API: auto-partition of a county, export and import of its grids.

Partition and import only propose an edit set (with geo.grid_edits' preview); a
planner commits it through POST /api/v1/grid-edits.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file

from dispatch.officers import service as officers
from geo.accounts.models import ROLES
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.core.uploads import Limits
from geo.grids.planning import files as grid_files
from geo.grids.planning import partition
from webapp.core.apidoc import accepts, errors
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import db, settings
from webapp.core.params import Param, query

bp = Blueprint("partition_files", __name__)
PLANNERS = ("planner", "admin")
CRS_HELP = "EPSG:<code> (4326, 4490, 3857, CGCS2000 zones 4491–4554, …), gcj02 or bd09"


@bp.post("/api/v1/counties/<adcode>/partition")
@roles(*PLANNERS)
@accepts({"grids": {"type": "integer", "minimum": 1, "description": "number of grids"},
          "employers_per_grid": {"type": "integer", "minimum": 1,
                                 "description": "target employers per grid (instead of grids)"}})
@errors("404", "422")
def partition_county(adcode: str):
    """Propose grids that tile the county, balanced by employer count (nothing is written)."""
    body = json_object()
    return jsonify(partition.propose_partition(
        db(), adcode, grids=field(body, "grids", int, required=False),
        employers_per_grid=field(body, "employers_per_grid", int, required=False),
        staff=officers.staff_per_grid, settings=settings().planning,
        job_timeout_ms=settings().job_statement_timeout_ms))


@bp.get("/api/v1/counties/<adcode>/grids/export")
@roles(*ROLES)
@query(Param("format", "file format", enum=tuple(grid_files.FORMATS), default="geojson"),
       Param("crs", f"coordinate system of the file: {CRS_HELP}", default="EPSG:4326",
             pattern=r"[A-Za-z0-9:-]{4,16}"))  # checked by geo.crs
@errors("404")
def export_grids(adcode: str, format: str, crs: str):  # noqa: A002 (the parameter's name)
    """Download the county's grids (code, name, staff, employers, version) as a file."""
    found = grid_files.export_grids(db(), adcode, fmt=format, crs=crs,
                                    staff=officers.staff_per_grid)
    return send_file(found.stream, mimetype=found.mimetype, as_attachment=True,
                     download_name=found.filename)


@bp.post("/api/v1/counties/<adcode>/grids/import")
@roles(*PLANNERS)
@accepts({"file": {"type": "string", "format": "binary",
                   "description": "GeoJSON, GeoPackage or zipped Shapefile with a 'code' column"},
          "crs": {"type": "string", "description": f"the file's CRS when it has none, or to "
                                                   f"override it: {CRS_HELP}"},
          "layer": {"type": "string", "description": "layer of a multi-layer GeoPackage"},
          "encoding": {"type": "string", "description": "attribute encoding, e.g. GBK"}},
         ("file",), content_type="multipart/form-data")
@errors("404", "413", "415", "422")
def import_grids(adcode: str):
    """Propose the edit set that makes the county's grids match the file (nothing is written)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(Text("webapp.grids.file_field"),
                           {"parameter": "file"})
    return jsonify(grid_files.propose_import(
        db(), adcode, upload.read(), crs=request.form.get("crs") or None,
        layer=request.form.get("layer") or None, encoding=request.form.get("encoding") or None,
        limits=Limits.of(settings()), staff=officers.staff_per_grid, settings=settings().planning,
        job_timeout_ms=settings().job_statement_timeout_ms))
