"""Risk model: explanations add up, factors follow their inputs, stored scores stay fresh."""
import pytest
from sqlalchemy import text

from dispatch.analytics import risk
from dispatch.analytics.settings import FACTORS, RiskSettings
from dispatch.calendar.service import WorkingCalendar
from geo.core.db import unit_of_work
from tests import command_fixtures
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, add_employer, committed  # noqa: F401 (fixture)

SETTINGS = RiskSettings()


def test_every_explanation_adds_up_to_its_score(db):
    ids = command_fixtures.build(db, WorkingCalendar.load(db))["employers"]  # grades A to C
    for employer_id in ids:
        found = risk.explain(db, employer_id, SETTINGS)
        assert [f["factor"] for f in found["factors"]] == list(FACTORS)
        assert sum(f["points"] for f in found["factors"]) == pytest.approx(found["score"],
                                                                             abs=1e-9)
        assert 0 <= found["score"] <= 100
        for f in found["factors"]:
            assert 0 <= f["points"] <= f["max_points"] + 1e-9


def test_a_worst_case_employer_scores_each_factor_as_configured(db):
    built = command_fixtures.build(db, WorkingCalendar.load(db))
    red = built["employers"][2]  # C, construction, deposit unpaid, all migrants, never inspected
    db.execute(text("""
        INSERT INTO cases (employer_id, county_adcode, opened_on, due_on, outcome, closed_on)
        VALUES (:e, :a, current_date - 90, current_date - 10, 'penalty', current_date - 20)
    """), {"e": red, "a": command_fixtures.COUNTY})
    found = risk.explain(db, red, SETTINGS)
    points = {f["factor"]: f["points"] for f in found["factors"]}
    # 3 open complaints (cap 3) → full; 1 violation of cap 2 → half; no SI complaint.
    assert points == {"grade": 20, "complaints": 20, "violations": 7.5, "wage_arrears": 15,
                      "social_insurance": 0, "industry": 5, "migrants": 5, "inspection": 10}
    assert found["score"] == 82.5 and found["level"] == "red"


def test_weights_from_the_environment_rescale_to_100(monkeypatch, db):
    monkeypatch.setenv("LIANGWANG_RISK_WEIGHT_GRADE", "60")
    monkeypatch.setenv("LIANGWANG_RISK_INDUSTRY_FACTORS", "F:1")
    settings = RiskSettings.from_env()
    assert sum(settings.max_points().values()) == pytest.approx(100)
    assert settings.max_points()["grade"] == pytest.approx(100 * 60 / 140)
    built = command_fixtures.build(db, WorkingCalendar.load(db))
    found = risk.explain(db, built["employers"][3], settings)  # grade C, industry F
    points = {f["factor"]: f["points"] for f in found["factors"]}
    assert points["grade"] == pytest.approx(round(100 * 60 / 140, 2))
    assert points["industry"] == pytest.approx(round(100 * 5 / 140, 2))


def test_bad_risk_settings_stop_the_app_with_a_message(monkeypatch):
    monkeypatch.setenv("LIANGWANG_RISK_INDUSTRY_FACTORS", "construction:high")
    with pytest.raises(SystemExit, match="INDUSTRY_FACTORS"):
        RiskSettings.from_env()


def test_stored_scores_match_explanations_and_follow_new_complaints(db):
    county = "410102"
    employer = add_employer(db, lon=SITE[0], lat=SITE[1], county=county)  # no complaints yet
    risk.refresh(db, [county], SETTINGS)
    assert risk.refresh(db, [county], SETTINGS) == []  # unchanged inputs: nothing recomputed
    stored = db.execute(text("SELECT score FROM employer_risk WHERE employer_id = :e"),
                        {"e": employer}).scalar_one()
    assert float(stored) == risk.explain(db, employer, SETTINGS)["score"]
    db.execute(text("""
        INSERT INTO complaints (employer_id, county_adcode, category, workers_affected, geom,
                                status)
        SELECT id, county_adcode, 'social_insurance', 1, geom, 'received' FROM employers
        WHERE id = :e"""), {"e": employer})
    assert risk.refresh(db, [county], SETTINGS) == [county]
    after = db.execute(text("SELECT score FROM employer_risk WHERE employer_id = :e"),
                       {"e": employer}).scalar_one()
    assert after > stored
    assert float(after) == risk.explain(db, employer, SETTINGS)["score"]


def test_an_update_that_forgets_updated_at_still_invalidates_the_scores(db):
    county = "410103"
    employer = add_employer(db, lon=SITE[0], lat=SITE[1], county=county)
    risk.refresh(db, [county], SETTINGS)
    with db.begin_nested():  # a savepoint has its own transaction id, as a later update would
        db.execute(text("UPDATE employers SET grade = 'C' WHERE id = :e"), {"e": employer})
    assert risk.refresh(db, [county], SETTINGS) == [county]


def test_an_employer_that_moved_is_rescored_in_its_new_county_alone(db):
    """Its old county is not refreshed (a write there would do it): the new county's
    refresh takes the row over instead of failing on the duplicate key."""
    old, new = "410181", "410185"
    employer = add_employer(db, lon=SITE[0], lat=SITE[1], county=old)
    risk.refresh(db, [old], SETTINGS)
    db.execute(text("UPDATE employers SET county_adcode = :n WHERE id = :e"),
               {"n": new, "e": employer})
    assert risk.refresh(db, [new], SETTINGS) == [new]
    assert db.execute(text("SELECT county_adcode FROM employer_risk WHERE employer_id = :e"),
                      {"e": employer}).scalar_one() == new


def test_risk_api_returns_the_explanation_and_404s_unknown_employers(client, tokens,
                                                                     committed):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    r = client.get(f"/api/v1/employers/{employer}/risk", headers=bearer(tokens["inspector"]))
    assert r.status_code == 200
    body = r.get_json()
    assert sum(f["points"] for f in body["factors"]) == pytest.approx(body["score"], abs=1e-9)
    assert client.get("/api/v1/employers/999999/risk",
                      headers=bearer(tokens["inspector"])).status_code == 404


def test_warnings_are_sorted_and_counted_by_level(client, tokens):
    h = bearer(tokens["command"])
    r = client.get("/api/v1/warnings?area=4101&level=yellow", headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"] == "area"
    assert client.get("/api/v1/warnings?area=410102&level=purple", headers=h).status_code == 400
    assert client.get("/api/v1/warnings?area=419998", headers=h).status_code == 404
    body = client.get("/api/v1/warnings?area=410100&per_page=500", headers=h).get_json()
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True) and scores
    assert body["total"] == sum(body["counts"].values())
    assert all(i["score"] >= SETTINGS.yellow for i in body["items"])
    yellow = client.get("/api/v1/warnings?area=410100&level=yellow", headers=h).get_json()
    assert yellow["total"] == body["counts"]["yellow"]
    assert {i["level"] for i in yellow["items"]} <= {"yellow"}


def _score(s, employer: int) -> tuple[float, float]:
    row = s.execute(text("SELECT score, p_inspection FROM employer_risk WHERE employer_id = :e"),
                    {"e": employer}).one()
    return float(row[0]), float(row[1])


def _inspected(s, employer: int) -> None:
    s.execute(text("UPDATE employers SET last_inspected_at = now() WHERE id = :e"),
              {"e": employer})


def test_an_inspection_done_rescores_its_employer_alone_and_the_county_stays_current(
        sessions, committed):  # noqa: F811
    county = "410181"
    first = committed.employer(lon=SITE[0], lat=SITE[1], county=county)  # never inspected
    with unit_of_work(sessions) as s:
        risk.refresh(s, [county], SETTINGS)
        before = _score(s, first)
    with unit_of_work(sessions) as s:
        _inspected(s, first)
        assert risk.rescore(s, [first], SETTINGS) == [county]
    with unit_of_work(sessions) as s:
        after = _score(s, first)
        assert after[1] == 0 < before[1]  # the days-since-inspection points are gone
        assert after[0] == risk.explain(s, first, SETTINGS)["score"]
        assert risk.refresh(s, [county], SETTINGS) == []  # current: nothing to recompute


def test_a_county_already_stale_stays_stale_after_one_rescored_employer(sessions, committed):  # noqa: F811
    county = "410181"
    first = committed.employer(lon=SITE[0], lat=SITE[1], county=county)
    other = committed.employer(lon=SITE[0], lat=SITE[1], county=county)
    with unit_of_work(sessions) as s:
        risk.refresh(s, [county], SETTINGS)
    with unit_of_work(sessions) as s:  # a write that rescored nothing
        s.execute(text("UPDATE employers SET grade = 'C' WHERE id = :e"), {"e": other})
    with unit_of_work(sessions) as s:
        _inspected(s, first)
        assert risk.rescore(s, [first], SETTINGS) == []
    with unit_of_work(sessions) as s:
        assert risk.refresh(s, [county], SETTINGS) == [county]
        assert _score(s, other)[0] == risk.explain(s, other, SETTINGS)["score"]


def test_two_rescores_at_once_never_mark_a_score_current_that_was_not_computed(
        sessions, committed):  # noqa: F811
    """The second writer's mark update waits for the first's commit, then finds the mark
    moved: it leaves the county stale instead of claiming the first one's write."""
    import threading
    county = "410181"
    first = committed.employer(lon=SITE[0], lat=SITE[1], county=county)
    second = committed.employer(lon=SITE[0], lat=SITE[1], county=county)
    with unit_of_work(sessions) as s:
        risk.refresh(s, [county], SETTINGS)
    one, two = sessions(), sessions()
    try:
        _inspected(one, first)
        _inspected(two, second)
        assert risk.rescore(one, [first], SETTINGS) == [county]
        kept = []
        waiting = threading.Thread(target=lambda: kept.append(
            risk.rescore(two, [second], SETTINGS)))
        waiting.start()
        with sessions() as watch:  # until the second waits on the first's lock
            for _ in range(200):
                if watch.execute(text("SELECT count(*) FROM pg_stat_activity "
                                      "WHERE wait_event_type = 'Lock'")).scalar_one():
                    break
                watch.rollback()
                threading.Event().wait(0.02)
            else:
                raise AssertionError("the second rescore never waited for the first")
        one.commit()
        waiting.join()
        two.commit()
        assert kept == [[]]
    finally:
        one.close()
        two.close()
    with unit_of_work(sessions) as s:
        assert risk.refresh(s, [county], SETTINGS) == [county]
        assert _score(s, second)[1] == 0


def test_completing_an_inspection_rescores_its_employer_in_a_few_statements(
        sessions, committed):  # noqa: F811
    from sqlalchemy import event

    from dispatch.inspections import assign
    from dispatch.settings import DispatchSettings
    from tests.dispatch_fixtures import metres_east
    county = "410181"
    employer = committed.employer(lon=SITE[0], lat=SITE[1], county=county)
    team = [committed.inspector(lon=x, lat=y, county=county) for x, y in
            (metres_east(*SITE, 100), metres_east(*SITE, 200))]
    job = committed.inspection(lon=SITE[0], lat=SITE[1], employer_id=employer, county=county)
    with unit_of_work(sessions) as s:
        risk.refresh(s, [county], SETTINGS)
    with unit_of_work(sessions) as s:
        assign.assign(s, job, team, actor="test", settings=DispatchSettings())
    statements = []
    with unit_of_work(sessions) as s:
        conn = s.connection()
        event.listen(conn, "before_cursor_execute", lambda *a, **k: statements.append(a[2]))
        assign.complete(s, job, "done", actor="test", risk_settings=SETTINGS)
    with unit_of_work(sessions) as s:
        assert _score(s, employer)[1] == 0
        assert risk.refresh(s, [county], SETTINGS) == []
    assert not any("INSERT INTO employer_risk" in sql for sql in statements)
    assert len(statements) <= 12, "\n".join(s[:90].replace("\n", " ") for s in statements)
