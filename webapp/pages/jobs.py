"""The scheduled-jobs page (/admin/jobs): each job's schedule, next run, last run and result,
the latest runs with their errors, and a button asking the scheduler to run a job now.
Province administrators only: the jobs work on the whole province."""
from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template

from dispatch.schedule import service
from dispatch.schedule.jobs import catalogue
from geo.core import clock
from geo.core.errors import Forbidden
from geo.core.text import Text
from webapp.core import territory
from webapp.core.auth import roles
from webapp.core.context import db
from webapp.core.params import Param, query

bp = Blueprint("job_pages", __name__)


def jobs() -> dict:
    ext = current_app.extensions["liangwang"]
    if "jobs" not in ext:
        ext["jobs"] = catalogue(ext["settings"].var)
    return ext["jobs"]


def _province_only() -> None:
    t = territory.current()
    if t is not None and not t.whole:
        raise Forbidden(Text("jobs.error.province_only", territory=t.name))


@bp.app_template_filter("beijing")
def beijing(value) -> str:
    """An instant as Beijing wall-clock time, to the second ("—" for none)."""
    return value.astimezone(clock.BEIJING).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


@bp.get("/admin/jobs")
@roles("admin")
@query(Param("job", "only this job's runs", max_length=40),
       Param("queued", "the job just requested (the page confirms it)", max_length=40))
def jobs_page(job: str | None, queued: str | None):
    """The jobs and their latest runs (newest first)."""
    _province_only()
    known = jobs()
    state = service.overview(db(), known, now=clock.now())
    job = job if job in known else None
    return render_template("jobs.html", user=g.user, state=state, job=job,
                           runs=service.runs(db(), job=job), names=list(known),
                           queued=queued if queued in known else None)


@bp.post("/admin/jobs/<job>/run")
@roles("admin")
def request_run(job: str):
    """Queue a run for the scheduler and come back to the page (a second request while one
    waits is refused with a 409 page)."""
    _province_only()
    service.request_run(db(), jobs(), job, actor=g.user.username, now=clock.now())
    db().commit()
    return redirect(f"/admin/jobs?queued={job}", code=303)
