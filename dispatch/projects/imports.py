"""Import projects from a file: GeoJSON, GeoPackage or zipped Shapefile (sites as points or
polygons, any CRS the grid import accepts), or XLSX/CSV with longitude and latitude columns
(in the CRS named). All or nothing: any bad row → 422 listing each row's problem, nothing
written."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import shapely

from dispatch.projects import service, sites
from dispatch.projects.models import DEPARTMENTS
from dispatch.projects.settings import WageSettings
from geo.core.errors import DomainError, Unprocessable
from geo.core.tabular import read_table
from geo.core.text import Text
from geo.grids.planning.files import parse_crs, read_grid_file

MAX_ROWS = 5000
MAX_PROBLEMS = 100
COLUMNS = {
    "name": ("项目名称", "工程名称", "name", "project_name"),
    "contractor": ("施工总承包单位信用代码", "总包信用代码", "施工单位信用代码",
                   "general_contractor_credit_code", "contractor_credit_code"),
    "owner": ("建设单位信用代码", "owner_credit_code"),
    "owner_name": ("建设单位", "建设单位名称", "owner_name"),
    "value": ("合同金额", "合同额", "合同价款", "contract_value"),
    "department": ("主管部门", "行业主管部门", "department"),
    "start_on": ("开工日期", "start_on"),
    "planned_end_on": ("计划竣工日期", "竣工日期", "planned_end_on"),
    "workers": ("工人数", "农民工人数", "workers"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
}
DEPARTMENT_NAMES = {"住建": "housing", "住房和城乡建设": "housing", "交通": "transport",
                    "交通运输": "transport", "水利": "water", "其他": "other",
                    **{d: d for d in DEPARTMENTS}}


def _records(data: bytes, crs_name: str | None) -> list[tuple[int, dict, object]]:
    """(row number, {field: value}, geometry or None) for each feature or table row."""
    is_table = data.startswith(b"PK\x03\x04") and b"xl/" in data[:4096] or not (
        data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") or data.startswith(b"SQLite")
        or data.startswith(b"PK\x03\x04"))
    if is_table:
        table = read_table(data)
        if not table.rows:
            raise Unprocessable(Text("error.file.empty"), {"parameter": "file"})
        header = [str(c or "").strip().lower() for c in table.rows[0][1]]
        index = {key: next((header.index(a.lower()) for a in names if a.lower() in header), None)
                 for key, names in COLUMNS.items()}
        out = []
        for line, cells in table.rows[1:MAX_ROWS + 2]:
            values = {k: (cells[i] if i is not None and i < len(cells) else None)
                      for k, i in index.items()}
            out.append((line, values, None))
        return out
    read = read_grid_file(data, crs=crs_name)
    frame = read["frame"]
    cols = {c.lower(): c for c in frame.columns}
    out = []
    for i, geom in enumerate(read["geometries"][:MAX_ROWS + 1]):
        values = {}
        for key, names in COLUMNS.items():
            column = next((cols[a.lower()] for a in names if a.lower() in cols), None)
            values[key] = None if column is None else frame[column].iloc[i]
        out.append((i + 1, values, geom))
    return out


def _date(value, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except (ValueError, TypeError):
        raise Unprocessable(Text("error.project_import.date", name=name, value=value)) from None


def import_file(session, data: bytes, *, crs_name: str | None, settings: WageSettings,
                actor: str | None) -> dict:
    crs = parse_crs(crs_name or "wgs84")
    wgs84 = parse_crs("wgs84")  # geometries read from a GIS file are already in WGS 84
    records = _records(data, crs_name)
    if len(records) > MAX_ROWS:
        raise Unprocessable(Text("error.project_import.too_many", max=MAX_ROWS),
                            {"parameter": "file", "max_rows": MAX_ROWS})
    created, problems = [], []
    for row, v, geom in records:
        try:
            with session.begin_nested():
                site_crs = wgs84 if geom is not None else crs
                if geom is None:
                    try:
                        geom = shapely.Point(float(v["lon"]), float(v["lat"]))
                    except (TypeError, ValueError):
                        raise Unprocessable(Text("error.project_import.lonlat")) from None
                place = sites.place(session, geom, site_crs)
                if not v["name"] or not str(v["name"]).strip():
                    raise Unprocessable(Text("error.project_import.name"))
                department = DEPARTMENT_NAMES.get(str(v["department"] or "其他").strip())
                if department is None:
                    raise Unprocessable(Text("error.project_import.department",
                                             value=v["department"]))
                try:
                    value = Decimal(str(v["value"]).replace(",", ""))
                    assert value > 0
                except (InvalidOperation, AssertionError):
                    raise Unprocessable(Text("error.project_import.value",
                                             value=v["value"])) from None
                contractor = service.employer_by_code(session, str(v["contractor"] or ""),
                                                      "general_contractor_credit_code")
                owner = service.employer_by_code(session, str(v["owner"]), "owner_credit_code") \
                    if v["owner"] else None
                project = service.create(
                    session, name=str(v["name"]).strip()[:200], site=place,
                    department=department, contractor_id=contractor, owner_id=owner,
                    owner_name=(str(v["owner_name"]).strip()[:200] if v["owner_name"] else None),
                    subcontractor_ids=[], contract_value=value,
                    start_on=_date(v["start_on"], "start_on"),
                    planned_end_on=_date(v["planned_end_on"], "planned_end_on"),
                    workers=int(float(v["workers"] or 0)), status="building", deposit_rate=None,
                    settings=settings, actor=actor)
                created.append({"row": row, "id": project.id,
                                "county_adcode": project.county_adcode})
        except DomainError as exc:
            problems.append({"row": row, "message": exc.message})
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise Unprocessable(Text("error.project_import.rows", count=len(problems)),
                            {"parameter": "file", "problems": problems})
    return {"created": created, "count": len(created), "crs": crs.label}
