"""Demo construction projects for `make run`: sites near demo employers all over Henan, each
taken through the real services (registration with its deposit terms, site checks, deposit
entries, monthly labour-cost payments, an occasional grid report), so the project pages, the
map layer and the dispatchers' alerts show every warning level. Deterministic for a seed."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.calendar.service import WorkingCalendar
from dispatch.projects import service, sites, warnings
from dispatch.projects.models import DEPOSIT_FORMS, SITE_SYSTEMS
from dispatch.projects.settings import WageSettings
from geo.core import clock
from geo.core.errors import DomainError
from geo.grids.planning.files import parse_crs

# (name, competent department)
KINDS = (("安置房", "housing"), ("人民医院门诊楼", "housing"), ("城区道路改造", "transport"),
         ("中学教学楼", "housing"), ("污水处理厂", "water"), ("产业园标准化厂房", "housing"),
         ("灌区节水改造", "water"), ("商住小区", "housing"), ("国道改建", "transport"),
         ("老旧小区改造", "housing"))
OWNERS = ("城市建设投资有限公司", "城乡发展集团有限公司", "住房和城乡建设局", "交通运输局",
          "水利局", "置业有限公司")
ACTOR = "demo"


def _month(day: date, back: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - back, 12)
    return date(y, m + 1, 1)


def seed_projects(session: Session, rng: np.random.Generator, n: int,
                  settings: WageSettings | None = None) -> int:
    """`n` projects (fewer where a jittered site fell outside Henan); returns how many."""
    settings = settings or WageSettings()
    calendar = WorkingCalendar.load(session)
    # A builder in each county (a construction firm where there is one): sites everywhere.
    builders = session.execute(text("""
        SELECT DISTINCT ON (e.county_adcode) e.id, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat,
               a.name AS county
        FROM employers e JOIN admin_areas a ON a.adcode = e.county_adcode AND a.level = 'county'
        WHERE e.grid_id IS NOT NULL
        ORDER BY e.county_adcode, e.industry IS DISTINCT FROM 'E', e.id
    """)).all()
    if not builders:
        return 0
    made = 0
    # The caller (dispatch.demo.seed_demo) scores every county once at the end: no county
    # rescoring after each of the thousands of writes below.
    session.info[service.DEFER_RISK] = True
    try:
        made = _seed(session, rng, n, builders, calendar, settings)
    finally:
        session.info.pop(service.DEFER_RISK, None)
    warnings.refresh(session, settings)
    return made


def _seed(session, rng, n, builders, calendar, settings) -> int:
    today = clock.today()
    made = 0
    for i in range(n):
        b = builders[int(rng.integers(len(builders)))]
        name, department = KINDS[i % len(KINDS)]
        point = shapely.Point(b.lon + rng.uniform(-0.01, 0.01), b.lat + rng.uniform(-0.01, 0.01))
        start = today - timedelta(days=int(rng.integers(30, 540)))
        end = start + timedelta(days=int(rng.integers(240, 900)))
        try:
            with session.begin_nested():
                site = sites.place(session, point, parse_crs("wgs84"))
                project = service.create(
                    session, name=f"{b.county}{name}（{i + 1}期）", site=site,
                    department=department, contractor_id=b.id, owner_id=None,
                    owner_name=b.county + OWNERS[i % len(OWNERS)], subcontractor_ids=[],
                    contract_value=Decimal(int(rng.integers(8, 400)) * 500_000),
                    start_on=start, planned_end_on=end,
                    workers=int(rng.integers(20, 600)), status="building", deposit_rate=None,
                    settings=settings, actor=ACTOR)
        except DomainError:
            continue  # a jittered site across the provincial border
        _history(session, rng, project, start, calendar, settings)
        made += 1
    return made


def _history(session: Session, rng, project, start: date, calendar, settings) -> None:
    today = clock.today()
    if rng.random() < 0.75:  # a site visit checked the ten systems
        items = [{"item": item, "ok": bool(rng.random() < 0.88), "note": None}
                 for item in SITE_SYSTEMS]
        service.record_checks(session, project.id, items=items, location=None, photo=None,
                              settings=settings, actor=ACTOR)
    required = project.deposit_required
    if required > 0 and rng.random() < 0.8:
        service.deposit_entry(session, project.id, kind="paid", amount=required,
                              form=DEPOSIT_FORMS[int(rng.integers(len(DEPOSIT_FORMS)))],
                              workers_paid=None, on_date=start, note=None, calendar=calendar,
                              settings=settings, actor=ACTOR)
        if rng.random() < 0.06:  # the contractor defaulted: the deposit paid the workers
            service.deposit_entry(session, project.id, kind="drawn",
                                  amount=(required * Decimal("0.4")).quantize(Decimal("0.01")),
                                  form=None, workers_paid=int(rng.integers(8, 60)),
                                  on_date=today - timedelta(days=int(rng.integers(1, 40))),
                                  note="施工单位拖欠工资，动用保证金先行垫付", calendar=calendar,
                                  settings=settings, actor=ACTOR)
    months = min(12, (today.year - start.year) * 12 + today.month - start.month)
    monthly = (project.contract_value * Decimal("0.25") / 24).quantize(Decimal("0.01"))
    for back in range(1, months + 1):
        if rng.random() < 0.9:
            month = _month(today, back)
            service.record_payment(session, project.id, month=month, amount=monthly,
                                   paid_on=month + timedelta(days=int(rng.integers(5, 25))),
                                   reference=f"DEMO{project.id:06d}{month:%Y%m}", source="manual",
                                   settings=settings, actor=ACTOR)
    if rng.random() < 0.03:
        service.report(session, project.id, kind="workers_gathering",
                       note="工人在项目部聚集讨要工资", location=None, settings=settings,
                       actor=ACTOR)
