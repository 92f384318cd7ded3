"""Compliance grading API (守法诚信等级评价): runs, proposals, approval, history, objections."""
from __future__ import annotations

from flask import Blueprint, jsonify

from dispatch.grading import service as grading
from dispatch.grading.models import OBJECTION_OUTCOMES
from geo.employers.models import GRADES
from webapp.api.casework import INT, STR
from webapp.api.dispatch import WATCH, committed
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import Param, query

bp = Blueprint("grading_api", __name__)
GRADERS = ("admin", "command")


@bp.post("/api/v1/grading/runs")
@roles(*GRADERS)
@accepts({"year": INT, "area": STR}, ("year", "area"), status="201")
def start_run():
    """Propose a grade for every employer of the area from the year's record (A/B/C with the
    evidence); 201 with the run's id and its counts per grade."""
    body = json_object()
    area = field(body, "area", max_length=6, scope="area")
    return committed(grading.start_run(db(), year=field(body, "year", int), area=area,
                                       actor=actor()), 201)


@bp.get("/api/v1/grading/runs")
@roles(*WATCH)
def list_runs():
    """Grading runs of areas inside the user's territory, newest first."""
    t = territory.current()
    return jsonify({"items": grading.runs(db(), counties=t.county_list(),
                                          territory_adcode=t.adcode)})


@bp.get("/api/v1/grading/runs/<int:run_id>")
@roles(*WATCH)
def get_run(run_id: int):
    """One run with its counts per grade."""
    return jsonify(grading.describe(grading.get_run(db(), run_id)))


@bp.get("/api/v1/grading/runs/<int:run_id>/proposals")
@roles(*WATCH)
@query(Param("grade", "only this proposed or changed grade", enum=GRADES),
       Param("changed", "only proposals a reviewer changed (true) or not (false)",
             enum=("true", "false")),
       Param("page", "page number", type="integer", minimum=1, maximum=100_000, default=1))
def list_proposals(run_id: int, grade, changed, page):
    """A run's proposals, C first, each with its evidence and triggers."""
    return jsonify(grading.proposals(db(), run_id, grade=grade,
                                     changed=None if changed is None else changed == "true",
                                     page=int(page)))


@bp.post("/api/v1/grading/runs/<int:run_id>/proposals/<int:employer_id>")
@roles(*GRADERS)
@accepts({"grade": {"type": "string", "enum": list(GRADES)}, "reason": STR},
         ("grade", "reason"))
def change_proposal(run_id: int, employer_id: int):
    """Set one proposal's grade, with the reason (before the run is approved)."""
    body = json_object()
    return committed(grading.change(db(), run_id, employer_id,
                                    grade=field(body, "grade", choices=GRADES),
                                    reason=field(body, "reason"), actor=actor()))


@bp.post("/api/v1/grading/runs/<int:run_id>/approve")
@roles(*GRADERS)
def approve_run(run_id: int):
    """Approve a run (someone other than who started it: 403): the grades become the year's
    history and the employers' current grades; scheduled inspections are re-prioritised."""
    return committed(grading.approve(db(), run_id, actor=actor(),
                                     risk_settings=app_settings().risk))


@bp.get("/api/v1/employers/<int:employer_id>/grades")
@roles(*WATCH)
def employer_grades(employer_id: int):
    """An employer's approved grades by year (with evidence) and objections."""
    return jsonify(grading.history(db(), employer_id))


@bp.post("/api/v1/employers/<int:employer_id>/grade-objections")
@roles("admin", "dispatcher")
@accepts({"year": INT, "grounds": STR}, ("year", "grounds"), status="201")
def object_to_grade(employer_id: int):
    """Record an employer's objection (异议) to its approved grade of a year."""
    body = json_object()
    return committed(grading.object_to(db(), employer_id, year=field(body, "year", int),
                                       grounds=field(body, "grounds"), actor=actor()), 201)


@bp.post("/api/v1/grade-objections/<int:objection_id>/decision")
@roles(*GRADERS)
@accepts({"outcome": {"type": "string", "enum": list(OBJECTION_OUTCOMES)},
          "grade": {"type": "string", "enum": list(GRADES)}, "reason": STR},
         ("outcome", "reason"))
def decide_objection(objection_id: int):
    """Uphold the grade, or change it (the year's history and, for the latest year, the
    employer's grade)."""
    body = json_object()
    return committed(grading.decide_objection(
        db(), objection_id, outcome=field(body, "outcome", choices=OBJECTION_OUTCOMES),
        grade=field(body, "grade", required=False, choices=GRADES),
        reason=field(body, "reason"), actor=actor(), risk_settings=app_settings().risk))
