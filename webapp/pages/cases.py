"""The cases pages (issue 11): the case list, one case with its actions, and the lists behind
the command centre's KPI figures (a table in the reader's language, or an XLSX file)."""
from __future__ import annotations

import io
import re
from datetime import datetime
from itertools import groupby
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, render_template, request
from sqlalchemy import text

from dispatch.analytics import kpis
from dispatch.casework import case_views
from dispatch.casework import cases as casework
from dispatch.casework.models import CASE_OUTCOMES, SUPERVISION_LEVELS, TRANSFER_KINDS
from geo.areas import service as areas
from geo.core import clock
from geo.core.text import catalog
from geo.employers.models import UNRATED
from webapp.api.command import _context as kpi_context
from webapp.core.auth import roles
from webapp.core.context import db
from webapp.core.i18n import language, t
from webapp.core.params import ADCODE, Param, query
from webapp.pages.strings import page_strings

bp = Blueprint("cases_pages", __name__)
WATCH = ("dispatcher", "command", "admin")
WRITERS = ("dispatcher", "admin")  # handlers, suspend/resume, close
SUPERVISORS = ("command", "admin")  # 挂牌督办, progress reports, 摘牌
REVIEWERS = ("command", "admin")  # open a wrong-case review (错案追究); admin concludes it
PROVINCE = "410000"
CASE_STATUSES = case_views.CASE_STATUSES
PAGE = Param("page", "page number, from 1", type="integer", minimum=1, default=1)
EXPORT_MAX_ROWS = 100_000
ID_LISTS = ("case-deadlines", "open-complaints")  # their id is the case or complaint number


def complaint_url() -> str | None:
    """"/complaints/{}" once the app has a page for one complaint (else no link at all)."""
    for rule in current_app.url_map.iter_rules():
        if re.fullmatch(r"/complaints/<int:\w+>", rule.rule) and "GET" in rule.methods:
            return re.sub(r"<int:\w+>", "{}", rule.rule)
    return None


def area_choices() -> list[tuple[str | None, list[dict]]]:
    """The area chooser: the province, then each city with its counties."""
    groups: list[tuple[str | None, list[dict]]] = [
        (None, [{"adcode": PROVINCE, "name": t("province")}])]
    for (city, city_name), counties in groupby(areas.counties_by_city(db()),
                                               key=lambda c: (c["city_adcode"], c["city_name"])):
        options = [] if city == PROVINCE else [
            {"adcode": city, "name": t("cases.area_whole_city", city=city_name)}]
        groups.append((city_name, options + [{"adcode": c["adcode"], "name": c["name"]}
                                             for c in counties]))
    return groups


@bp.get("/cases")
@roles(*WATCH)
@query(Param("area", "adcode of the province, a city or a county", pattern=ADCODE,
             default=PROVINCE),
       Param("status", "only cases in this state", enum=CASE_STATUSES),
       Param("supervision_level", "only cases supervised at this level", enum=SUPERVISION_LEVELS),
       Param("q", "employer name, credit code, decision number or case number",
             max_length=100), PAGE)
def cases_page(area: str, status: str | None, supervision_level: str | None, q: str | None,
               page: int):
    """The case list of an area with filters and paging; rows open the case."""
    found = areas.find_area(db(), area)
    filters = {"area": found["adcode"], "status": status, "supervision_level": supervision_level,
               "q": q, "page": page}
    config = {"filters": filters, "perPage": 50, "strings": page_strings(("http_error",),
                                                                         ("cases.",))}
    return render_template("cases.html", user=g.user, area=found, filters=filters,
                           choices=area_choices(), statuses=CASE_STATUSES,
                           levels=SUPERVISION_LEVELS, config=config)


@bp.get("/cases/<int:case_id>")
@roles(*WATCH)
def case_page(case_id: int):
    """One case: deadline, handlers, outcome, timeline, documents, supervision, and the actions
    the reader's role may take (the page reads and writes through /api/v1/cases)."""
    casework.get(db(), case_id)  # an unknown case is a 404 page, not an empty one
    role = g.user.role
    can = {"write": role in WRITERS, "extend": role == "admin",
           "supervise": role in SUPERVISORS,
           "review": role in REVIEWERS, "conclude": role == "admin"}  # 错案追究
    config = {"caseId": case_id, "today": clock.today().isoformat(), "can": can,
              "complaintUrl": complaint_url(),
              "strings": page_strings(("http_error",), ("cases.", "accountability.",
                                                         "reviews.finding."))}
    return render_template("case.html", user=g.user, case_id=case_id, can=can, config=config,
                           outcomes=CASE_OUTCOMES, transfer_kinds=TRANSFER_KINDS,
                           levels=SUPERVISION_LEVELS, today=config["today"])


# --- the lists behind the KPI figures ------------------------------------------------------

def _names(sql: str, ids: set) -> dict:
    if not ids:
        return {}
    return dict(db().execute(text(sql), {"ids": sorted(ids)}).all())


class ListText:
    """Column headers and cell texts of a KPI list in the reader's language: codes become
    their catalog texts, ids the names they stand for, instants Beijing time."""

    def __init__(self, name: str, rows: list[dict]):
        self.name = name
        self.counties = {c["adcode"]: c["name"] for c in areas.counties_by_city(db())}
        self.employers = _names("SELECT id, name FROM employers WHERE id = ANY(:ids)",
                                {r["employer_id"] for r in rows if r.get("employer_id")})
        self.grids = _names("SELECT id, code FROM grids WHERE id = ANY(:ids)",
                            {r["grid_id"] for r in rows if r.get("grid_id")})

    def columns(self, rows: list[dict]) -> list[str]:
        """The columns shown: a database id only where it is the case's or complaint's number."""
        keep_id = self.name in ID_LISTS
        return [c for c in (rows[0] if rows else ()) if c != "id" or keep_id]

    def header(self, column: str) -> str:
        key = f"lists.col.{self.name}.{column}"
        return t(key if key in catalog(language()) else f"lists.col.{column}")

    def cell(self, column: str, value):
        """The value as a person reads it (numbers stay numbers, for the spreadsheet)."""
        if value is None:
            return t("lists.never") if column == "last_inspected_at" else (
                t("lists.unrated") if column == "grade" else "")
        if isinstance(value, bool):
            return t("lists.yes" if value else "lists.no")
        if column == "grade" and value == UNRATED:
            return t("lists.unrated")
        if column == "county_adcode":
            return self.counties.get(value, value)
        if column == "employer_id":
            return self.employers.get(value, value)
        if column == "grid_id":
            return self.grids.get(value, value)
        if column in ("category", "location_precision"):
            return t(f"lists.{column}.{value}")
        if column in ("lon", "lat"):
            return round(value, 6)
        if isinstance(value, str) and "T" in value and len(value) > 10:
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                return value
            if instant.tzinfo is not None:
                return instant.astimezone(clock.BEIJING).strftime("%Y-%m-%d %H:%M")
        return value

    def link(self, column: str, row: dict) -> str | None:
        """Where a row's id leads: the case or the complaint page."""
        if column != "id":
            return None
        url = {"case-deadlines": "/cases/{}", "open-complaints": complaint_url()}.get(self.name)
        return url.format(row["id"]) if url else None


def _rows(name: str, ctx, state: str | None, page: int, per_page: int) -> dict:
    return kpis.items(db(), ctx, name, state=state, page=page, per_page=per_page)


def _xlsx(name: str, ctx, state: str | None, found: dict) -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows, page = [], 1
    while len(rows) < EXPORT_MAX_ROWS:
        chunk = _rows(name, ctx, state, page, 1000)["items"]
        rows += chunk
        if len(chunk) < 1000:
            break
        page += 1
    book = Workbook()
    sheet = book.active
    sheet.title = name[:31]
    if rows:
        texts = ListText(name, rows)
        columns = texts.columns(rows)
        sheet.append([texts.header(c) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([texts.cell(c, row[c]) for c in columns])
        sheet.freeze_panes = "A2"
    else:
        sheet.append([t("lists.empty")])
    out = io.BytesIO()
    book.save(out)
    filename = f"{name}-{found['adcode']}" + (f"-{state}" if state else "") + ".xlsx"
    title = f"{t('lists.title.' + name)}-{found['name']}.xlsx"
    resp = Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument"
                                              ".spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{filename}\"; "
                                           f"filename*=UTF-8''{quote(title)}")
    return resp


def _list_view(name: str):
    states = kpis.LISTS[name].states
    params = [Param("area", "adcode of the province, a city or a county", pattern=ADCODE,
                    default=PROVINCE), PAGE,
              Param("per_page", "rows per page", type="integer", minimum=1, maximum=500,
                    default=50),
              Param("format", "html (the page) or xlsx (every row as a spreadsheet)",
                    enum=("html", "xlsx"), default="html")]
    if states:
        params.insert(1, Param("state", "only this state", enum=tuple(states)))
    if kpis.of_grid(name):
        params.append(Param("grid", "only the rows of this grid (its id)", type="integer",
                            minimum=1))

    def view(area: str, page: int, per_page: int, format: str, state: str | None = None,
             grid: int | None = None):
        found = areas.find_area(db(), area)
        ctx = kpi_context(found["adcode"], grid)
        if ctx.grid is not None:  # the heading and the file name name the grid
            found = {**found, "name": ctx.grid["name"], "back": ctx.grid["code"]}
        if format == "xlsx":
            return _xlsx(name, ctx, state, found)
        listing = _rows(name, ctx, state, page, per_page)
        texts = ListText(name, listing["items"])
        columns = texts.columns(listing["items"])
        rows = [[(texts.cell(c, r[c]), texts.link(c, r),
                  isinstance(r[c], int | float) and not isinstance(r[c], bool) and c != "id")
                 for c in columns] for r in listing["items"]]
        pages = max(1, -(-listing["total"] // per_page))
        export = {"area": found["adcode"], "format": "xlsx", **({"state": state} if state else {}),
                  **({"grid": grid} if grid else {})}
        return render_template("kpi_list.html", user=g.user, name=name, area=found,
                               state=state, states=tuple(states or ()), listing=listing,
                               headers=[texts.header(c) for c in columns], rows=rows,
                               pages=pages, per_page=per_page, choices=area_choices(),
                               export=export, args=request.args)
    view.__name__ = "kpi_list_" + name.replace("-", "_")
    view.__doc__ = f"The list behind the KPI figure {name} (a page, or ?format=xlsx)."
    return roles(*WATCH)(query(*params)(view))


# Lists with pages of their own (the KPI panel links there): /referrals, /rewards, /reviews,
# /audits.
OWN_PAGES = {"overdue-referrals", "pending-rewards", "review-missing", "overdue-audits"}
for _name in kpis.LISTS:
    if _name not in OWN_PAGES:
        bp.add_url_rule(f"/lists/{_name}", view_func=_list_view(_name))
