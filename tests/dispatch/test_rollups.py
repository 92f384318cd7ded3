"""KPI rollups per county (dispatch.analytics.rollups): equal to the recount of every list,
stale the moment a write touches the county (and only that county), refreshed by the job,
and the nightly check reports a stored row that no longer matches."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from dispatch.analytics import kpis, rollups
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.settings import DispatchSettings
from geo.core import clock
from tests.dispatch_fixtures import add_employer, add_inspector

A, B = "410181", "410185"  # free counties
LISTED = {"employers_outside_grids": "employers-outside-grids",
          "grids_without_staff": "grids-without-staff",
          "grids_understaffed": "grids-understaffed",
          "overdue_inspections": "overdue-employers",
          "high_risk_uninspected": "high-risk-uninspected"}


def context(db, area: str) -> kpis.Context:
    return kpis.context(db, area, today=clock.today(), settings=DispatchSettings(),
                        risk_settings=RiskSettings(), calendar=WorkingCalendar.load(db))


@pytest.mark.parametrize("area", ["410100", A])
def test_rollups_equal_the_recount_of_every_list(db, area):
    ctx = context(db, area)
    rolled = rollups.combine(rollups.compute(db, ctx.counties, ctx.params))
    for figure, listing in LISTED.items():
        assert rolled[figure] == kpis.count(db, ctx, listing), figure
    median, most, n = db.execute(text(
        f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s.employers::float8 / s.staff), "
        f"max(s.employers::float8 / s.staff), count(*) FROM {kpis.LISTS['employers-per-staff'].source} "
        f"WHERE s.staff > 0"), ctx.params).one()
    assert (rolled["staffed_grids"], rolled["ratio_max"]) == (n, most)
    assert rolled["ratio_median"] == pytest.approx(median)


def test_a_write_makes_only_its_county_stale_and_reads_stay_exact(db):
    ctx = context(db, "410100")
    now = clock.now()
    rollups.refresh(db, ctx.counties, ctx.params, now)
    figures, recounted = rollups.current(db, ctx.counties, ctx.params)
    assert recounted == 0
    before = rollups.combine(figures)["employers_outside_grids"]
    lon, lat = db.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p "
                               "FROM admin_areas WHERE level = 'county' AND adcode = :c) t"),
                          {"c": A}).one()
    employer = add_employer(db, lon=lon, lat=lat, county=A)  # no grid: outside every grid
    db.execute(text("UPDATE employers SET grid_id = NULL WHERE id = :e"), {"e": employer})
    figures, recounted = rollups.current(db, ctx.counties, ctx.params)
    assert recounted == 1  # 巩义市 only, the other counties of 郑州 come from their rows
    assert rollups.combine(figures)["employers_outside_grids"] == before + 1
    assert rollups.refresh(db, ctx.counties, ctx.params, now)["counties_refreshed"] == 1
    assert rollups.current(db, ctx.counties, ctx.params)[1] == 0


def test_staffing_and_the_day_make_a_county_stale(db):
    ctx = context(db, A)
    now = clock.now()
    rollups.refresh(db, ctx.counties, ctx.params, now)
    officer = add_inspector(db, lon=113.0, lat=34.7, county=A, kind="grid_worker")
    assert rollups.current(db, ctx.counties, ctx.params)[1] == 1  # a new officer
    rollups.refresh(db, ctx.counties, ctx.params, now)
    db.execute(text("UPDATE officers SET geom = ST_SetSRID(ST_MakePoint(113.1, 34.8), 4326), "
                    "status = 'available' WHERE id = :o"), {"o": officer})
    assert rollups.current(db, ctx.counties, ctx.params)[1] == 0  # moving is not staffing
    db.execute(text("UPDATE officers SET active = false WHERE id = :o"), {"o": officer})
    assert rollups.current(db, ctx.counties, ctx.params)[1] == 1
    rollups.refresh(db, ctx.counties, ctx.params, now)
    tomorrow = {**ctx.params, "today": ctx.params["today"] + timedelta(days=1)}
    assert rollups.current(db, ctx.counties, tomorrow)[1] == 1


def test_the_nightly_check_reports_a_rollup_that_differs_from_the_recount(db):
    ctx = context(db, "410100")
    rollups.refresh(db, ctx.counties, ctx.params, clock.now())
    assert rollups.verify(db, ctx.counties, ctx.params)["drift"] == 0
    # A write the data versions would not see (here: the stored row itself is altered).
    db.execute(text("UPDATE county_rollups SET figures = jsonb_set(figures, "
                    "'{overdue_inspections}', to_jsonb((figures->>'overdue_inspections')::int + 5))"
                    " WHERE county_adcode = :c"), {"c": A})
    found = rollups.verify(db, ctx.counties, ctx.params)
    assert found["drift"] == 1 and found["drifting"] == [A]
    assert found["counties_checked"] == len(ctx.counties)


def test_the_kpi_panel_agrees_with_its_lists(client, tokens):
    from tests.conftest import bearer

    r = client.get("/api/v1/kpis?area=410100", headers=bearer(tokens["command"]))
    assert r.status_code == 200
    body = r.get_json()
    for figure, listing in LISTED.items():
        listed = client.get(f"/api/v1/kpis/{listing}?area=410100&per_page=1",
                            headers=bearer(tokens["command"])).get_json()
        assert body[figure]["value"] == listed["total"], figure
