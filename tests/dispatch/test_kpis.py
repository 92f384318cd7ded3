"""KPIs: exact figures on a hand-built county, and every figure's list returns its count."""
import pytest
from sqlalchemy import text

from dispatch.analytics import kpis
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import case_views
from dispatch.settings import DispatchSettings
from tests import command_fixtures
from tests.conftest import bearer


@pytest.fixture()
def county(db):
    calendar = WorkingCalendar.load(db)
    built = command_fixtures.build(db, calendar)
    ctx = kpis.context(db, command_fixtures.COUNTY, today=built["today"],
                       settings=DispatchSettings(), risk_settings=RiskSettings(),
                       calendar=calendar)
    return db, ctx, built


def test_kpis_of_a_hand_built_county_are_exact(county):
    db, ctx, built = county
    got = kpis.figures(db, ctx)
    assert got["coverage_pct"]["value"] == pytest.approx(60.0, abs=1e-3)
    assert got["employers_outside_grids"]["value"] == 1
    assert got["grids_without_staff"]["value"] == 1
    assert got["employers_per_staff"] == {
        "value": 1.5, "median": 1.5, "max": 1.5, "grids": 1,
        "list": "/api/v1/kpis/employers-per-staff?area=419999"}
    assert got["overdue_inspections"]["value"] == 3
    complaints = got["open_complaints"]
    assert (complaints["value"], complaints["within_limit"]["value"],
            complaints["due_today"]["value"], complaints["past_limit"]["value"]) == (3, 1, 1, 1)
    cases = got["case_deadlines"]
    assert (cases["value"], cases["due_soon"]["value"], cases["overdue"]["value"]) == (2, 1, 1)
    assert got["high_risk_uninspected"]["value"] == 1
    assert got["open_complaints"]["past_limit"]["list"] == \
        "/api/v1/kpis/open-complaints?area=419999&state=past_limit"


def test_each_list_holds_exactly_the_rows_its_figure_counts(county):
    db, ctx, built = county
    expected = {("employers-outside-grids", None): [built["employers"][4]],
                ("grids-without-staff", None): [built["grids"][1]],
                ("grids-understaffed", None): [built["grids"][1]],
                ("employers-per-staff", None): [built["grids"][0]],
                ("high-risk-uninspected", None): [built["employers"][2]]}
    for (name, state), ids in expected.items():
        page = kpis.items(db, ctx, name, state=state, page=1, per_page=50)
        assert [r["id"] for r in page["items"]] == ids and page["total"] == len(ids)
    overdue = kpis.items(db, ctx, "overdue-employers", state=None, page=1, per_page=2)
    assert overdue["total"] == 3 and len(overdue["items"]) == 2  # paged, total unchanged
    assert overdue["items"][0]["id"] == built["employers"][2]  # C first, never inspected


def test_case_warning_window_agrees_with_the_case_alerts(county):
    db, ctx, built = county
    alerts = case_views.alerts(db, counties=[command_fixtures.COUNTY], today=built["today"],
                          settings=DispatchSettings(), calendar=WorkingCalendar.load(db))
    listed = kpis.items(db, ctx, "case-deadlines", state=None, page=1, per_page=50)
    assert sorted(a["id"] for a in alerts) == sorted(r["id"] for r in listed["items"])


def test_every_kpi_link_returns_its_count(client, tokens):
    r = client.get("/api/v1/kpis?area=410102", headers=bearer(tokens["command"]))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    figures = []
    for figure in body.values():
        if isinstance(figure, dict) and "list" in figure:
            figures.append(figure)
            figures.extend(v for v in figure.values() if isinstance(v, dict) and "list" in v)
    assert len(figures) >= 13
    for figure in figures:
        listed = client.get(figure["list"], headers=bearer(tokens["command"]))
        assert listed.status_code == 200, figure
        data = listed.get_json()
        if "covered_pct" in data:
            assert round(data["covered_pct"], 3) == figure["value"]
        else:  # employers per staff: the list holds the grids the median is taken over
            assert data["total"] == figure.get("grids", figure["value"]), figure


def test_unknown_area_is_404_and_malformed_parameters_are_400(client, tokens):
    h = bearer(tokens["admin"])
    assert client.get("/api/v1/kpis?area=419998", headers=h).status_code == 404
    for url in ("/api/v1/kpis", "/api/v1/kpis?area=41", "/api/v1/kpis/open-complaints?"
                "area=410102&state=late", "/api/v1/kpis/overdue-employers?area=410102&page=0"):
        r = client.get(url, headers=h)
        assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"], url


def test_grade_intervals_are_one_setting_for_geo_and_dispatch(monkeypatch):
    from dispatch.inspections.supervision import SupervisionSettings
    monkeypatch.setenv("LIANGWANG_GRADE_INTERVAL_DAYS_C", "60")
    assert SupervisionSettings.from_env().interval_days("C") == 60
    assert DispatchSettings.from_env().grade_interval_days("C") == 60
    assert RiskSettings.from_env().supervision.grade_interval_days_c == 60
    assert DispatchSettings().grade_interval_days_a == SupervisionSettings().grade_interval_days_a


def test_fixture_county_leaves_no_trace(db):
    assert db.execute(text("SELECT count(*) FROM admin_areas WHERE adcode = '419999'")
                      ).scalar_one() == 0


def test_the_grid_staff_minimum_is_a_setting(county):
    db, _, built = county
    strict = kpis.context(db, command_fixtures.COUNTY, today=built["today"],
                          settings=DispatchSettings(min_grid_staff=5),
                          risk_settings=RiskSettings(), calendar=WorkingCalendar.load(db))
    page = kpis.items(db, strict, "grids-understaffed", state=None, page=1, per_page=50)
    assert sorted(r["id"] for r in page["items"]) == sorted(built["grids"])
    assert kpis.figures(db, strict)["grids_understaffed"]["minimum"] == 5


def test_one_grid_has_figures_of_its_own_rows_and_lists_that_agree(county):
    db, _, built = county
    first, second = built["grids"]
    ctx = kpis.context(db, command_fixtures.COUNTY, today=built["today"],
                       settings=DispatchSettings(), risk_settings=RiskSettings(),
                       calendar=WorkingCalendar.load(db), grid_id=first)
    got = kpis.figures(db, ctx)
    # grid 1: employers 0 (on time), 1 (B overdue), 2 (C never inspected, red); two staff
    assert got["grid"]["id"] == first and (got["grid"]["employers"], got["grid"]["staff"]) == (3, 2)
    assert got["coverage_pct"] == {"value": None, "list": None}
    assert got["employers_outside_grids"]["value"] is None
    assert got["grids_without_staff"]["value"] == 0 and got["grids_understaffed"]["value"] == 0
    assert got["employers_per_staff"]["value"] == 1.5
    assert got["overdue_inspections"]["value"] == 2  # not the county's 3 (one is outside)
    complaints = got["open_complaints"]
    assert (complaints["value"], complaints["past_limit"]["value"]) == (3, 1)
    assert got["case_deadlines"]["value"] == 2 and got["high_risk_uninspected"]["value"] == 1
    assert got["overdue_inspections"]["list"] == \
        f"/api/v1/kpis/overdue-employers?area={command_fixtures.COUNTY}&grid={first}"
    listed = kpis.items(db, ctx, "overdue-employers", state=None, page=1, per_page=50)
    assert sorted(r["id"] for r in listed["items"]) == sorted(built["employers"][1:3])
    other = kpis.context(db, command_fixtures.COUNTY, today=built["today"],
                         settings=DispatchSettings(), risk_settings=RiskSettings(),
                         calendar=WorkingCalendar.load(db), grid_id=second)
    theirs = kpis.figures(db, other)
    assert theirs["grids_without_staff"]["value"] == 1 and theirs["open_complaints"]["value"] == 0
    assert theirs["employers_per_staff"]["value"] is None
    from geo.core.errors import InvalidInput
    with pytest.raises(InvalidInput):  # a grid of another area
        kpis.context(db, "410102", today=built["today"], settings=DispatchSettings(),
                     risk_settings=RiskSettings(), calendar=WorkingCalendar.load(db),
                     grid_id=first)


def test_grid_figures_over_http_link_to_lists_of_that_grid(client, tokens, db):
    h = bearer(tokens["command"])
    grid, code = db.execute(text("SELECT id, code FROM grids WHERE county_adcode = '410102' "
                                 "ORDER BY id LIMIT 1")).one()
    r = client.get(f"/api/v1/kpis?area=410102&grid={grid}", headers=h)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["grid"]["code"] == code
    employers = db.execute(text("SELECT count(*) FROM employers WHERE grid_id = :g"),
                           {"g": grid}).scalar_one()
    assert body["grid"]["employers"] == employers
    overdue = client.get(body["overdue_inspections"]["list"], headers=h).get_json()
    assert overdue["total"] == body["overdue_inspections"]["value"] and overdue["grid"] == grid
    assert all(i["grid_id"] == grid for i in overdue["items"])
    page = client.get(f"/lists/overdue-employers?area=410102&grid={grid}", headers=h)
    assert page.status_code == 200 and body["grid"]["name"].encode() in page.data
    assert client.get(f"/api/v1/kpis?area=410103&grid={grid}", headers=h).status_code == 400
    assert client.get("/api/v1/kpis?area=410102&grid=99999999", headers=h).status_code == 404
    assert client.get("/api/v1/kpis?area=410102&grid=abc", headers=h).status_code == 400
