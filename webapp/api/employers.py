"""Employer registry API: import lists, download their rejects, search, detail, field location."""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, url_for

from dispatch.analytics import jobs
from dispatch.officers.service import employer_editable_by
from geo.accounts.models import ROLES
from geo.areas import service as areas
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.core.uploads import Limits
from geo.crs import CRS_NAMES
from geo.employers import service as employers
from geo.employers.imports import service as employer_import
from webapp.core import territory
from webapp.core.apidoc import accepts, errors
from webapp.core.auth import roles
from webapp.core.body import field, instant, json_object
from webapp.core.context import actor, client_ip, db, settings
from webapp.core.i18n import language
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("employers", __name__)
IMPORTERS = ("admin", "planner")
SURVEYORS = ("inspector", "admin")  # inspectors and grid workers in the field
REJECTS_IN_RESPONSE = 1000  # the CSV download has more (employer_import.KEPT_REJECTS)


@bp.post("/api/v1/employers/import")
@roles(*IMPORTERS)
@accepts({"file": {"type": "string", "format": "binary",
                   "description": "CSV (UTF-8, GBK/GB18030, UTF-16) or XLSX"},
          "crs": {"type": "string", "enum": list(CRS_NAMES), "default": "wgs84",
                  "description": "coordinate system of the 经度/纬度 columns"},
          "encoding": {"type": "string", "description": "CSV encoding; detected when empty"},
          "sheet": {"type": "string", "description": "XLSX sheet; the first when empty"}},
         ("file",), content_type="multipart/form-data")
@errors("413", "415", "422")
def import_employers():
    """Import employers from CSV or XLSX (multipart 'file'; form fields crs, encoding, sheet)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(Text("webapp.employers.file_field"),
                           {"parameter": "file"})
    result = employer_import.import_employers(
        db(), upload.read(), filename=upload.filename,
        source_crs=request.form.get("crs") or "wgs84",
        encoding=request.form.get("encoding") or None, sheet=request.form.get("sheet") or None,
        actor=actor(), ip=client_ip(), limits=Limits.of(settings()),
        job_timeout_ms=settings().job_statement_timeout_ms, territory=territory.current())
    jobs.after_write(db(), jobs.all_counties(db()), settings().risk)  # rescores the counties it changed
    db().commit()
    rejected_url = url_for("employers.rejected_rows", import_id=result.import_id) \
        if result.rejected_count else None
    return jsonify({
        "import_id": result.import_id, "accepted": result.accepted, "updated": result.updated,
        "unchanged": result.unchanged, "rejected": result.rejected[:REJECTS_IN_RESPONSE],
        "rejected_count": result.rejected_count, "rejected_csv": rejected_url,
        "rows": result.rows, "located": result.located, "columns": result.columns,
        "ignored_columns": result.ignored_columns, "file_format": result.file_format,
        "encoding": result.encoding, "sheet": result.sheet,
    })


@bp.get("/api/v1/employers/imports/<int:import_id>/rejected.csv")
@roles(*IMPORTERS)
@errors("404")
def rejected_rows(import_id: int):
    """The rejected rows of an import with their reasons, as CSV to fix and import again."""
    body = employer_import.rejected_csv(db(), import_id, language())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition":
            f"attachment; filename=employer-import-{import_id}-rejected.csv"})


@bp.get("/api/v1/employers")
@roles(*ROLES)
@query(
    Param("q", "fragment of the name, address or credit code", max_length=100),
    Param("area", "only employers inside this area (adcode of a county, city or the province)",
          pattern=ADCODE),
    Param("needs_field_visit", "only employers placed at a county centroid (true) or not (false)",
          enum=("true", "false")),
    Param("page", "page number, from 1", type="integer", minimum=1, default=1),
    Param("per_page", "results per page", type="integer", minimum=1, maximum=100, default=20),
)
def search_employers(q: str | None, area: str | None, needs_field_visit: str | None, page: int,
                     per_page: int):
    """Search employers by name fragment, credit code or address (total capped at 10,000)."""
    counties = areas.county_adcodes(db(), area) if area else None
    visit = None if needs_field_visit is None else needs_field_visit == "true"
    return jsonify(employers.search(db(), q=q, counties=counties, field_visit=visit,
                                    page=page, per_page=per_page))


@bp.get("/api/v1/employers/<int:employer_id>")
@roles(*ROLES)
@errors("404")
def employer_detail(employer_id: int):
    """One employer with its grid, county and latest location changes."""
    return jsonify(employers.detail(db(), employer_id))


@bp.post("/api/v1/employers/<int:employer_id>/location")
@roles(*SURVEYORS)
@accepts({"lat": {"type": "number"}, "lon": {"type": "number"},
          "accuracy_m": {"type": "number", "minimum": 0},
          "crs": {"type": "string", "enum": ["wgs84", "cgcs2000", "gcj02", "bd09"]},
          "surveyed_at": {"type": "string", "format": "date-time"}},
         ("lat", "lon", "accuracy_m"))
@errors("403", "404", "409", "422")
def survey_location(employer_id: int):
    """Record the employer's position surveyed in the field; the old one goes to history.
    A survey sent later (queued offline) gives `surveyed_at`: 409 if the location changed since.

    Inspectors survey only the employers of their own grid(s) (403 otherwise)."""
    body = json_object()
    employer_editable_by(db(), user_id=g.user.id, role=g.user.role, employer_id=employer_id)
    before = jobs.counties_of_employers(db(), [employer_id])
    found = employers.relocate(
        db(), employer_id, lon=field(body, "lon", (int, float)),
        lat=field(body, "lat", (int, float)),
        accuracy_m=field(body, "accuracy_m", (int, float)),
        source_crs=field(body, "crs", required=False, default="wgs84"), actor=actor(),
        max_accuracy_m=settings().field_max_accuracy_m, ip=client_ip(),
        surveyed_at=instant(body, "surveyed_at"))
    jobs.after_write(db(), before + jobs.counties_of_employers(db(), [employer_id]), settings().risk)
    db().commit()
    return jsonify(found)
