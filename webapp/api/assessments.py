"""Officers' training records (培训) and yearly assessments (评议考核)."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, jsonify

from dispatch.officers import assessment
from dispatch.officers.models import ASSESSMENT_GRADES, Training
from geo.areas.service import county_adcodes
from geo.core import clock
from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.api.dispatch import WATCH, committed
from webapp.core.apidoc import accepts, errors
from webapp.core.auth import roles
from webapp.core.body import column_length, field, json_object
from webapp.core.context import actor, db
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("assessments_api", __name__)
STR, INT, NUM = {"type": "string"}, {"type": "integer"}, {"type": "number"}
DATE = {"type": "string", "format": "date"}


def _held_on(body: dict) -> date:
    raw = field(body, "held_on", max_length=10)
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("assessment.error.date_format", name="held_on"),
                           {"parameter": "held_on"}) from None


@bp.post("/api/v1/officers/<int:officer_id>/trainings")
@roles("admin")
@accepts({"course": STR, "hours": NUM, "held_on": DATE, "provider": STR},
         ("course", "hours", "held_on"), status="201")
def add_training(officer_id: int):
    """Record a course an officer attended: hours (0 < h ≤ 1000, one decimal), the date."""
    body = json_object()
    course = field(body, "course", max_length=column_length(Training.course))
    hours = field(body, "hours", (int, float))
    held_on = _held_on(body)
    provider = field(body, "provider", required=False, max_length=column_length(Training.provider))
    return committed(assessment.add_training(db(), officer_id, course=course, hours=hours,
                                             held_on=held_on, provider=provider, actor=actor()),
                     201)


@bp.get("/api/v1/officers/<int:officer_id>/trainings")
@roles(*WATCH)
def list_trainings(officer_id: int):
    """An officer's training records, newest first, with the total hours of each year."""
    return jsonify(assessment.trainings(db(), officer_id))


@bp.post("/api/v1/officers/<int:officer_id>/assessments")
@roles("admin")
@accepts({"year": INT}, ("year",), status="201")
def create_assessment(officer_id: int):
    """Compute an officer's figures of a (Beijing) year and store them as a draft."""
    body = json_object()
    year = field(body, "year", int, minimum=assessment.FIRST_YEAR, maximum=assessment.LAST_YEAR)
    return committed(assessment.create_assessment(db(), officer_id, year, actor=actor()), 201)


@bp.post("/api/v1/officers/<int:officer_id>/assessments/<int:year>/review")
@roles("admin")
@accepts({"grade": {"type": "string", "enum": list(ASSESSMENT_GRADES)}, "comment": STR},
         ("grade",))
def review_assessment(officer_id: int, year: int):
    """The reviewer's grade; a comment is required for 基本称职 and 不称职."""
    body = json_object()
    grade = field(body, "grade", required=False)
    comment = field(body, "comment", required=False)
    return committed(assessment.review(db(), officer_id, year, grade=grade, comment=comment,
                                       actor=actor()))


@bp.get("/api/v1/officers/<int:officer_id>/assessments")
@roles(*WATCH)
def list_assessments(officer_id: int):
    """An officer's assessments, newest year first, with the grade in words."""
    return jsonify(assessment.assessments(db(), officer_id))


@bp.get("/api/v1/assessments")
@roles(*WATCH)
@query(Param("area", "only officers of this area (adcode)", pattern=ADCODE),
       Param("year", "the Beijing calendar year (default: this year)", type="integer",
             minimum=assessment.FIRST_YEAR, maximum=assessment.LAST_YEAR))
@errors("404")
def unit_assessments(area, year):
    """Per unit (county): officers with the year's figures and grade, and the unit's totals."""
    counties = county_adcodes(db(), area) if area else None
    return jsonify(assessment.unit_report(db(), counties,
                                          int(year) if year is not None else clock.today().year))
