"""The construction-project pages for staff (保障农民工工资支付): the projects of the user's
territory with their warnings (/projects), and one project (/projects/<id>) with its site on
a map, the ten site systems, the deposit ledger, labour-cost payments, complaints, warnings
and referrals. The pages read and write through /api/v1/projects and /api/v1/referrals."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, render_template

from dispatch.projects import service
from dispatch.projects.models import (
    DEPARTMENTS,
    DEPOSIT_FORMS,
    SITE_SYSTEMS,
    STATUSES,
    WARNING_LEVELS,
)
from geo.core import clock
from webapp.core.auth import roles
from webapp.core.context import db, settings
from webapp.core.params import ADCODE, Param, query
from webapp.pages.grading import area_names, territory_choices
from webapp.pages.strings import page_strings

bp = Blueprint("project_pages", __name__)
READERS = ("dispatcher", "command", "admin", "inspector")
EDITORS = ("dispatcher", "admin")  # register projects, deposits, payments, status
REFERRERS = ("dispatcher", "command", "admin")
CHECKERS = ("dispatcher", "admin", "inspector")
CRS_CHOICES = ("wgs84", "gcj02", "bd09", "cgcs2000")
ACT_KEYS = ("grading_ui.saving", "grading_ui.saved", "grading_ui.network_error")  # common.js act()
FEEDBACK_DAYS = 15  # the default deadline a referral asks of the department


def strings() -> dict:
    return page_strings(("http_error", *ACT_KEYS),
                        ("projects_ui.", "project.", "referral.department.",
                         "referral.status.", "casework.category.",
                         "casework.complaint_status."))


def _config(**extra) -> dict:
    role = g.user.role
    today = clock.today()
    return {"user": g.user.username,
            "can": {"edit": role in EDITORS, "refer": role in REFERRERS,
                    "check": role in CHECKERS, "acknowledge": role in EDITORS},
            "today": today.isoformat(),
            "feedbackDue": (today + timedelta(days=FEEDBACK_DAYS)).isoformat(),
            "strings": strings(), "items": list(SITE_SYSTEMS), **extra}


@bp.get("/projects")
@roles("dispatcher", "command", "admin")
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("q", "project or contractor name, or the contractor's credit code"),
       Param("level", "warning level (none: no warning)", enum=(*WARNING_LEVELS, "none")),
       Param("status", "project status", enum=STATUSES),
       Param("department", "competent department", enum=DEPARTMENTS),
       Param("sort", "order", enum=("warning", "newest", "end"), default="warning"),
       Param("page", "page number, from 1", type="integer", minimum=1, maximum=100_000,
             default=1))
def projects_page(area, q, level, status, department, sort, page):
    """The projects of the user's territory, red warnings first; the forms registering one
    (by its site on the map) and importing a file."""
    choices = territory_choices()
    filters = {"area": area or "", "q": q or "", "level": level or "", "status": status or "",
               "department": department or "", "sort": sort, "page": page}
    config = _config(filters=filters, areas=area_names())
    selected = {"adcode": area or choices[0][1][0]["adcode"]}
    return render_template("projects.html", user=g.user, choices=choices, selected=selected,
                           filters=filters, levels=(*WARNING_LEVELS, "none"),
                           statuses=STATUSES, departments=DEPARTMENTS, crs=CRS_CHOICES,
                           config=config, can=config["can"])


@bp.get("/projects/<int:project_id>")
@roles(*READERS)
def project_page(project_id: int):
    """One project: site, facts, warning and referral, checklist, deposit, payments,
    complaints and referrals, with the forms of the user's role."""
    service.get(db(), project_id)  # an unknown project is a 404 page
    config = _config(projectId=project_id)
    return render_template("project.html", user=g.user, project_id=project_id,
                           departments=DEPARTMENTS, statuses=STATUSES,
                           referral_departments=settings().referral.departments,
                           deposit_forms=DEPOSIT_FORMS, items=SITE_SYSTEMS, config=config,
                           can=config["can"])
