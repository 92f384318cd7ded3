"""Wage security on construction projects: projects, the site checklist, the wage-deposit
ledger, labour-cost payments, grid-worker reports, warnings and alerts; referrals."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, jsonify, request

from dispatch.calendar.service import WorkingCalendar
from dispatch.projects import imports, layer, service, sites, warnings
from dispatch.projects.models import (
    DEPARTMENTS,
    DEPOSIT_FORMS,
    REPORT_KINDS,
    SITE_SYSTEMS,
    STATUSES,
    WARNING_LEVELS,
)
from dispatch.referrals import service as referrals
from geo.areas.service import location_in_henan
from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.api.casework import DATE, INT, NUM, PAGE, STR, area_counties, date_field
from webapp.api.dispatch import WATCH, committed
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object, money
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("projects_api", __name__)
EDITORS = ("admin", "dispatcher")
FIELD = ("admin", "dispatcher", "inspector")


def wage():
    return app_settings().wage


def _location(body: dict):
    raw = body.get("location")
    if raw is None:
        return None
    lon, lat, _ = location_in_henan(db(), raw)
    accuracy = field(raw, "accuracy_m", (int, float), required=False, minimum=0, maximum=1e5)
    return lon, lat, accuracy


@bp.post("/api/v1/projects")
@roles(*EDITORS)
@accepts({"name": STR, "site": {"type": "object"}, "crs": STR, "contract_value": NUM,
          "general_contractor_credit_code": STR, "owner_credit_code": STR, "owner_name": STR,
          "subcontractor_credit_codes": {"type": "array", "items": STR},
          "department": {"type": "string", "enum": list(DEPARTMENTS)}, "start_on": DATE,
          "planned_end_on": DATE, "workers": INT,
          "status": {"type": "string", "enum": list(STATUSES)}, "deposit_rate": NUM},
         ("name", "site", "contract_value", "general_contractor_credit_code", "department",
          "start_on", "planned_end_on"), status="201")
def create_project():
    """Register a project by its site (county and grid from the location); 201 with the
    deposit required (contract value × the rate the rules give)."""
    body = json_object()
    session = db()
    geom, crs = sites.parse(body.get("site"), field(body, "crs", required=False, max_length=16))
    site = sites.place(session, geom, crs)
    contractor = service.employer_by_code(session, body.get("general_contractor_credit_code"),
                                          "general_contractor_credit_code")
    owner_code = body.get("owner_credit_code")
    owner = service.employer_by_code(session, owner_code, "owner_credit_code") \
        if owner_code else None
    subs = field(body, "subcontractor_credit_codes", list, required=False, default=[])
    rate = field(body, "deposit_rate", (int, float), required=False, minimum=0, maximum=1)
    project = service.create(
        session, name=field(body, "name", max_length=200), site=site,
        department=field(body, "department", choices=DEPARTMENTS), contractor_id=contractor,
        owner_id=owner, owner_name=field(body, "owner_name", required=False, max_length=200),
        subcontractor_ids=[service.employer_by_code(session, c, "subcontractor_credit_codes")
                           for c in subs[:50]],
        contract_value=money(body, "contract_value"),
        start_on=date_field(body, "start_on", required=True),
        planned_end_on=date_field(body, "planned_end_on", required=True),
        workers=field(body, "workers", int, required=False, default=0, minimum=0,
                      maximum=1_000_000),
        status=field(body, "status", required=False, default="building", choices=STATUSES),
        deposit_rate=None if rate is None else Decimal(str(rate)), settings=wage(),
        actor=actor())
    territory.check_created(project.county_adcode)
    return committed(service.describe(session, project), 201)


@bp.post("/api/v1/projects/import")
@roles(*EDITORS)
@accepts({"file": {"type": "string", "format": "binary",
                   "description": "GeoJSON, GeoPackage, zipped Shapefile, XLSX or CSV (经度/纬度)"},
          "crs": {"type": "string", "description": "wgs84, cgcs2000, gcj02, bd09 or EPSG:n"}},
         ("file",), content_type="multipart/form-data", status="201")
def import_projects():
    """Register the projects of a file, all or none (422 listing each bad row)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(Text("webapp.grids.file_field"), {"parameter": "file"})
    done = imports.import_file(db(), upload.read(), crs_name=request.form.get("crs") or None,
                               settings=wage(), actor=actor())
    for row in done["created"]:
        territory.check_created(row["county_adcode"])
    return committed(done, 201)


@bp.get("/api/v1/projects")
@roles(*WATCH, "inspector")
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("q", "project or contractor name, or the contractor's credit code"),
       Param("level", "warning level (none: no warning)", enum=(*WARNING_LEVELS, "none")),
       Param("status", "project status", enum=STATUSES),
       Param("department", "competent department", enum=DEPARTMENTS),
       Param("sort", "order", enum=("warning", "newest", "end"), default="warning"), *PAGE)
def list_projects(area, q, level, status, department, sort, page, per_page):
    """Projects of the area, red warnings first, with counts per warning level."""
    return jsonify(service.listing(db(), counties=area_counties(area), q=q, level=level,
                                   status=status, department=department, contractor_id=None,
                                   page=int(page), per_page=int(per_page), sort=sort))


@bp.get("/api/v1/projects/<int:project_id>")
@roles(*WATCH, "inspector")
def get_project(project_id: int):
    """One project with its checklist, deposit ledger, payments and complaints."""
    session = db()
    project = service.get(session, project_id)
    return jsonify({**service.describe(session, project),
                    "checklist": service.checklist(session, project_id),
                    "deposit": service.ledger(session, project),
                    "payments": service.payments(session, project_id),
                    "complaints": service.complaints_about(session, project, wage()),
                    "referrals": referrals.listing(session, counties=None, overdue=None,
                                                   project_id=project_id)})


@bp.patch("/api/v1/projects/<int:project_id>")
@roles(*EDITORS)
@accepts({"version": INT, "name": STR, "department": {"type": "string",
                                                      "enum": list(DEPARTMENTS)},
          "status": {"type": "string", "enum": list(STATUSES)}, "planned_end_on": DATE,
          "completed_on": DATE, "workers": INT, "owner_name": STR,
          "subcontractor_credit_codes": {"type": "array", "items": STR}}, ("version",))
def update_project(project_id: int):
    """Change a project at its version (409 when someone changed it first)."""
    body = json_object()
    session = db()
    changes = {}
    for name in ("name", "owner_name"):
        if name in body:
            changes[name] = field(body, name, max_length=200)
    if "department" in body:
        changes["department"] = field(body, "department", choices=DEPARTMENTS)
    if "status" in body:
        changes["status"] = field(body, "status", choices=STATUSES)
    for name in ("planned_end_on", "completed_on"):
        if name in body:
            changes[name] = date_field(body, name, required=True)
    if "workers" in body:
        changes["workers"] = field(body, "workers", int, minimum=0, maximum=1_000_000)
    subs = field(body, "subcontractor_credit_codes", list, required=False)
    project = service.update(
        session, project_id, version=field(body, "version", int), changes=changes,
        subcontractor_ids=None if subs is None else
        [service.employer_by_code(session, c, "subcontractor_credit_codes") for c in subs[:50]],
        settings=wage(), actor=actor())
    return committed(service.describe(session, project))


@bp.post("/api/v1/projects/<int:project_id>/checks")
@roles(*FIELD)
@accepts({"items": {"type": "array", "items": {"type": "object", "properties": {
    "item": {"type": "string", "enum": list(SITE_SYSTEMS)}, "ok": {"type": "boolean"},
    "note": STR}}}, "location": {"type": "object"},
    "photo_id": {"type": "integer", "description": "an image attached to this project "
                 "(POST /api/v1/attachments, owner_kind project)"}}, ("items",), status="201")
def record_checks(project_id: int):
    """One visit's findings on the ten site systems, with the phone's GPS when given."""
    body = json_object()
    raw = field(body, "items", list)
    if not raw or len(raw) > len(SITE_SYSTEMS):
        raise InvalidInput(Text("error.project.items", max=len(SITE_SYSTEMS)),
                           {"parameter": "items"})
    items, seen = [], set()
    for entry in raw:
        if not isinstance(entry, dict):
            raise InvalidInput(Text("error.project.items", max=len(SITE_SYSTEMS)),
                               {"parameter": "items"})
        item = field(entry, "item", choices=SITE_SYSTEMS)
        if item in seen:
            raise InvalidInput(Text("error.project.item_twice", item=Text(f"project.item.{item}")),
                               {"parameter": "items"})
        seen.add(item)
        items.append({"item": item, "ok": field(entry, "ok", bool),
                      "note": field(entry, "note", required=False)})
    checklist = service.record_checks(db(), project_id, items=items, location=_location(body),
                                      photo=field(body, "photo_id", int, required=False,
                                                  minimum=1),
                                      settings=wage(), actor=actor())
    return committed({"checklist": checklist}, 201)


@bp.post("/api/v1/projects/<int:project_id>/deposit")
@roles(*EDITORS)
@accepts({"kind": {"type": "string", "enum": ["paid", "returned", "drawn"]}, "amount": NUM,
          "form": {"type": "string", "enum": list(DEPOSIT_FORMS)}, "workers_paid": INT,
          "on_date": DATE, "note": STR}, ("kind", "amount"), status="201")
def deposit_entry(project_id: int):
    """Record a deposit paid in, returned at completion, or drawn to pay workers (动用;
    larger than the deposit held → 422); a draw demands the same top-up."""
    body = json_object()
    session = db()
    ledger = service.deposit_entry(
        session, project_id, kind=field(body, "kind", choices=("paid", "returned", "drawn")),
        amount=money(body, "amount"),
        form=field(body, "form", required=False, choices=DEPOSIT_FORMS),
        workers_paid=field(body, "workers_paid", int, required=False, minimum=1,
                           maximum=1_000_000),
        on_date=date_field(body, "on_date"), note=field(body, "note", required=False),
        calendar=WorkingCalendar.load(session), settings=wage(), actor=actor())
    return committed(ledger, 201)


@bp.post("/api/v1/projects/<int:project_id>/payments")
@roles(*EDITORS)
@accepts({"month": STR, "amount": NUM, "paid_on": DATE, "reference": STR},
         ("month", "amount", "paid_on"), status="201")
def record_payment(project_id: int):
    """The owner's transfer of a month's labour costs (month as YYYY-MM)."""
    body = json_object()
    raw = field(body, "month", max_length=7)
    try:
        from datetime import date as _date
        month = _date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise InvalidInput(Text("error.project.month", value=raw), {"parameter": "month"}) \
            from None
    return committed({"payments": service.record_payment(
        db(), project_id, month=month, amount=money(body, "amount"),
        paid_on=date_field(body, "paid_on", required=True),
        reference=field(body, "reference", required=False, max_length=64), source="manual",
        settings=wage(), actor=actor())}, 201)


@bp.post("/api/v1/projects/<int:project_id>/reports")
@roles(*FIELD)
@accepts({"kind": {"type": "string", "enum": list(REPORT_KINDS)}, "note": STR,
          "location": {"type": "object"}}, ("kind",), status="201")
def report(project_id: int):
    """A field report of warning signs on the site (网格员上报)."""
    body = json_object()
    return committed(service.report(db(), project_id, kind=field(body, "kind",
                                                                choices=REPORT_KINDS),
                                    note=field(body, "note", required=False),
                                    location=_location(body), settings=wage(),
                                    actor=actor()), 201)


@bp.get("/api/v1/projects/<int:project_id>/warnings")
@roles(*WATCH, "inspector")
def project_warnings(project_id: int):
    """The project's warning computed now, with its reasons."""
    service.get(db(), project_id)
    level, reasons = warnings.compute(db(), wage(), project_ids=[project_id])[project_id]
    return jsonify(warnings.view(level, reasons))


@bp.get("/api/v1/map/projects")
@roles(*WATCH, "inspector")
@query(Param("area", "the area shown (adcode)", pattern=ADCODE, required=True))
def project_layer(area):
    """The project layer: counts per warning level per city (province) or county (city),
    one point per project from county level."""
    return jsonify(layer.geojson(db(), area))


@bp.get("/api/v1/projects/alerts")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def project_alerts(area):
    """Red warnings not yet acknowledged in the area, newest first."""
    return jsonify({"items": warnings.alerts(db(), counties=area_counties(area))})


@bp.post("/api/v1/projects/<int:project_id>/alert/acknowledge")
@roles("admin", "dispatcher")
def acknowledge_alert(project_id: int):
    """A dispatcher has seen the red warning (the alert leaves the list)."""
    service.get(db(), project_id)
    return committed({"acknowledged": warnings.acknowledge(db(), project_id, actor())})
