"""The grading and disclosure pages for staff: 守法诚信等级评价 (runs of an area and year, one
run's proposals with their evidence, changes and approval) and 重大劳动保障违法行为社会公布
(lists of an area and period, one list's entries, approval, publication and withdrawal). The
pages read and write through /api/v1/grading and /api/v1/disclosure-lists."""
from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import text

from dispatch.disclosure import service as disclosure
from dispatch.disclosure.models import CATEGORIES
from dispatch.grading import service as grading
from geo.core import clock
from geo.employers.models import GRADES
from webapp.core import territory
from webapp.core.auth import roles
from webapp.core.context import db
from webapp.core.params import Param, query
from webapp.pages.cases import area_choices
from webapp.pages.strings import page_strings

bp = Blueprint("grading_pages", __name__)
WATCH = ("dispatcher", "command", "admin")
EDITORS = ("command", "admin")  # start, change and approve runs; draft, approve, publish lists


def _strings() -> dict:
    return page_strings(("http_error", "grading.unrated"),
                        ("grading_ui.", "grading.run_status.", "grading.trigger.",
                         "disclosure_ui.", "disclosure.status.", "disclosure.category."))


def territory_choices() -> list[tuple[str | None, list[dict]]]:
    """The area chooser limited to the user's territory (their own area at least)."""
    t = territory.current()
    if t is None or t.whole:
        return area_choices()
    groups = []
    for group, options in area_choices():
        inside = [a for a in options if t.covers(a["adcode"])]
        if inside:
            groups.append((group, inside))
    return groups or [(None, [{"adcode": t.adcode, "name": t.name}])]


def area_names() -> dict[str, str]:
    """Every area's name by adcode (a county beats a city of the same code, as in lists)."""
    rows = db().execute(text("""
        SELECT DISTINCT ON (adcode) adcode, name FROM admin_areas
        ORDER BY adcode, CASE level WHEN 'county' THEN 0 WHEN 'city' THEN 1 ELSE 2 END""")).all()
    return dict(rows)


def _config(**extra) -> dict:
    return {"user": g.user.username, "can": {"edit": g.user.role in EDITORS},
            "today": clock.today().isoformat(), "strings": _strings(), **extra}


@bp.get("/grading")
@roles(*WATCH)
def grading_page():
    """The grading runs of the user's territory, and the form starting one."""
    config = _config(areas=area_names())
    year = clock.today().year
    return render_template("grading.html", user=g.user, choices=territory_choices(), config=config,
                           can=config["can"], year=year, last_year=year - 1)


@bp.get("/grading/<int:run_id>")
@roles(*WATCH)
@query(Param("grade", "only proposals of this grade", enum=GRADES),
       Param("changed", "only proposals a reviewer changed (true) or not (false)",
             enum=("true", "false")),
       Param("page", "page number, from 1", type="integer", minimum=1, maximum=100_000,
             default=1))
def grading_run_page(run_id: int, grade: str | None, changed: str | None, page: int):
    """One run: counts, the proposals filtered by grade and change, the reviewer's changes and
    the approval (by someone other than who started the run)."""
    run = grading.describe(grading.get_run(db(), run_id))  # an unknown run is a 404 page
    names = area_names()
    filters = {"grade": grade, "changed": changed, "page": page}
    config = _config(runId=run_id, areaName=names.get(run["area"], run["area"]),
                     filters=filters)
    return render_template("grading_run.html", user=g.user, run=run, run_id=run_id,
                           area_name=config["areaName"], grades=GRADES, filters=filters,
                           config=config, can=config["can"])


@bp.get("/disclosures")
@roles(*WATCH)
def disclosures_page():
    """The disclosure lists of the user's territory, and the form drafting one."""
    config = _config()
    return render_template("disclosures.html", user=g.user, choices=territory_choices(), config=config,
                           can=config["can"])


@bp.get("/disclosures/<int:list_id>")
@roles(*WATCH)
def disclosure_list_page(list_id: int):
    """One list: its entries with the rule's fields, the draft's edits, approval, publication,
    withdrawal of published entries and the link to the public page."""
    disclosure.get(db(), list_id)  # an unknown list is a 404 page
    config = _config(listId=list_id)
    return render_template("disclosure_list.html", user=g.user, list_id=list_id,
                           categories=CATEGORIES, config=config, can=config["can"])
