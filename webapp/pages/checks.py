"""Two pages of issue 11: 双随机 check items with their yearly coverage and the area's draws
(each draw's replay as a table), and the mass incidents (群体性事件) with their escalation to
the responsible leader. Both read the services the API uses; the incidents page writes
through /api/v1/incidents."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, render_template
from sqlalchemy import text

from dispatch.casework import incidents
from dispatch.inspections import check_items, random_draw
from dispatch.inspections.models import CheckItem
from geo.areas import service as areas
from geo.core import clock
from geo.core.text import Text
from webapp.core.auth import roles
from webapp.core.context import db, settings
from webapp.core.i18n import t
from webapp.core.params import ADCODE, Param, query
from webapp.pages.cases import PROVINCE, area_choices
from webapp.pages.strings import page_strings

bp = Blueprint("checks_pages", __name__)
WATCH = ("dispatcher", "command", "admin")
ESCALATORS = WATCH  # 报告领导: whoever watches the incident may report it
CLOSERS = ("dispatcher", "admin")  # 处置完毕: the command centre watches, it does not close
YEARS_BACK = 5  # the year chooser offers this year and the few before it
RECENT_DRAWS = 20
AREA = Param("area", "adcode of the province, a city or a county", pattern=ADCODE,
             default=PROVINCE)


def beijing_time(value: str | datetime | None) -> str:
    """An instant as Beijing date and time, "2026-11-02 14:00"."""
    if not value:
        return ""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(clock.BEIJING).strftime("%Y-%m-%d %H:%M")


def percent(share: float | None) -> str:
    """0.0537 -> "5.37%" (no trailing zeros); no share (no employers) -> a dash."""
    if share is None:
        return t("checks.no_share")
    value = f"{share * 100:.2f}".rstrip("0").rstrip(".")
    return t("checks.percent", value=value)


def short_basis(basis: str | None) -> str:
    """The first citation of a legal basis (the full text stays one click away)."""
    return (basis or "").split("；")[0].strip()


def item_name(code: str) -> str:
    found = db().get(CheckItem, code)
    return t(check_items.name_text(code, found.name)) if found else t("checks.unknown_item")


# --- 双随机: coverage and draws -------------------------------------------------------------

def coverage_rows(coverage: dict) -> list[dict]:
    """The coverage figures of each check item as the page shows them."""
    rows = []
    for item in coverage["items"]:
        basis = item["legal_basis"] or ""
        rows.append({
            "code": item["code"], "name": t(item["name_text"]), "active": item["active"],
            "basis": basis, "basis_short": short_basis(basis),
            "supervised": item["supervised_employers"], "drawn": item["drawn_employers"],
            "share": percent(item["share"]), "target": percent(item["target_share"]),
            "met": item["met"], "needed": item["needed"],
            "missing": max(0, item["needed"] - item["drawn_employers"])})
    return rows


def recent_draws(area: dict, counties: list[str], year: int) -> list[dict]:
    """The area's draws of the year, newest first (dispatch.inspections.random_draw.recent)."""
    rows = random_draw.recent(db(), area=area["adcode"], counties=counties, year=year,
                              limit=RECENT_DRAWS)
    names: dict[str, str] = {}
    return [{"id": r["id"], "item": names.setdefault(r["check_item"], item_name(r["check_item"])),
             "drawn_at": beijing_time(r["drawn_at"]), "area_name": r["area_name"] or "",
             "drawn": r["drawn"], "drawn_here": r["drawn_here"], "seed": r["seed"]}
            for r in rows]


def year_choices(year: int) -> list[int]:
    this_year = clock.today().year
    years = list(range(this_year, this_year - YEARS_BACK - 1, -1))
    return sorted(set(years) | {year}, reverse=True)


@bp.get("/random-checks")
@roles(*WATCH)
@query(AREA, Param("year", "Beijing calendar year (default: this year)", type="integer",
                   minimum=check_items.YEARS[0], maximum=check_items.YEARS[1]))
def random_checks_page(area: str, year: int | None):
    """双随机: each check item's yearly coverage against the target share, and the draws."""
    found = areas.find_area(db(), area)
    year = clock.today().year if year is None else int(year)
    coverage = check_items.coverage(db(), area=found["adcode"], year=year,
                                    target_share=settings().dispatch.random_share)
    counties = areas.county_adcodes(db(), found["adcode"])
    rows = coverage_rows(coverage)
    return render_template(
        "random_checks.html", user=g.user, area=found, year=year, years=year_choices(year),
        choices=area_choices(), coverage=coverage, rows=rows,
        target=percent(coverage["target_share"]),
        met_count=sum(r["met"] for r in rows), draws=recent_draws(found, counties, year),
        draws_limit=RECENT_DRAWS)


def _names(sql: str, ids: set) -> dict:
    if not ids:
        return {}
    return {r[0]: r[1:] for r in db().execute(text(sql), {"ids": sorted(ids)}).all()}


@bp.get("/random-checks/draws/<int:draw_id>")
@roles(*WATCH)
def random_draw_page(draw_id: int):
    """One draw replayed from its seed and pools: per employer the team drawn, the team that
    went and the administrator's reason where they differ."""
    replay = random_draw.replay(db(), draw_id)  # an unknown draw is a 404 page
    teams = {team["employer_id"]: team for team in replay["teams"]}
    employers = _names("""SELECT e.id, e.name, a.name FROM employers e
                          LEFT JOIN admin_areas a ON a.adcode = e.county_adcode AND a.level = 'county'
                          WHERE e.id = ANY(:ids)""",
                       {i["employer_id"] for i in replay["items"]} | set(teams))
    officer_ids = {o for i in replay["items"] for o in i["officer_ids"]}
    for team in replay["teams"]:
        officer_ids |= set(team["drawn_officer_ids"] or ()) | set(team["assigned_officer_ids"])
    officers = _names("SELECT id, name, badge FROM officers WHERE id = ANY(:ids)", officer_ids)

    def team_text(ids) -> list[str]:
        return [t(Text("random_checks.officer", name=officers[o][0], badge=officers[o][1]))
                if o in officers else t("checks.replay.officer_gone", id=o) for o in ids or ()]

    rows = []
    for item in replay["items"]:
        team = teams.get(item["employer_id"])
        name, county = employers.get(item["employer_id"], (None, None))
        rows.append({
            "employer": name or t("checks.replay.employer_gone", id=item["employer_id"]),
            "county": county or "", "drawn": team_text(item["officer_ids"]),
            "complete": item["complete"],
            "assigned": team_text(team["assigned_officer_ids"]) if team else [],
            "inspection": team["inspection_id"] if team else None,
            "status": t(team["status_text"]) if team else "",
            "changed": bool(team and team["team_changed"]),
            "override": team["override"] if team else None})
    record = {"id": replay["id"], "item": item_name(replay["check_item"]),
              "drawn_at": beijing_time(replay["drawn_at"]), "drawn_by": replay["drawn_by"],
              "seed": replay["seed"], "matches": replay["matches"],
              "year": datetime.fromisoformat(replay["drawn_at"]).astimezone(clock.BEIJING).year}
    area = db().execute(text("SELECT area_adcode FROM random_draws WHERE id = :d"),
                        {"d": draw_id}).scalar_one()
    return render_template("random_draw.html", user=g.user, draw=record, rows=rows,
                           area=areas.find_area(db(), area))


# --- 群体性事件 -------------------------------------------------------------------------------

def incident_rows(found: list[dict]) -> list[dict]:
    """The incidents as the page shows them: Beijing times, texts, links."""
    return [{
        "id": n["id"], "received_at": beijing_time(n["received_at"]),
        "county": n["county_name"] or "", "county_adcode": n["county_adcode"],
        "employer": n["employer_name"], "summary": n["summary"] or "", "workers": n["workers"],
        "status": t(n["status_text"]), "leader": n["leader"],
        "escalated_at": beijing_time(n["escalated_at"]),
        "closed_at": beijing_time(n["closed_at"]), "closed": n["closed_at"] is not None,
        "pending": n["escalated_at"] is None and n["closed_at"] is None,
        "complaints": n["complaint_ids"], "inspections": n["inspection_ids"]} for n in found]


@bp.get("/incidents")
@roles(*WATCH)
@query(AREA, Param("open", "only incidents not yet closed", enum=("true", "false"),
                   default="false"))
def incidents_page(area: str, open: str):  # noqa: A002 (the query parameter's name)
    """Mass incidents of an area, those not yet reported to a leader first; report, close."""
    found = areas.find_area(db(), area)
    counties = None if found["level"] == "province" else areas.county_adcodes(db(),
                                                                              found["adcode"])
    rows = incident_rows(incidents.listing(db(), counties=counties, open_only=open == "true"))
    can = {"escalate": g.user.role in ESCALATORS, "close": g.user.role in CLOSERS}
    config = {"can": can, "strings": page_strings(("http_error",), ("incidents.",))}
    return render_template("incidents.html", user=g.user, area=found, rows=rows, can=can,
                           open_only=open == "true", choices=area_choices(), config=config,
                           pending=sum(r["pending"] for r in rows))
