"""Certified for assignment: one rule (执法证 expiry at midnight Beijing, 年审, active) used by
recommendations, assignment, the day plan, random-draw pools and case handlers."""
from datetime import date
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import text

from dispatch.casework import cases
from dispatch.inspections import assign, plan, random_draw, recommend
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.core import clock
from geo.core.errors import Unprocessable
from tests.dispatch_fixtures import SITE, add_employer, add_inspection, add_inspector, metres_east

SETTINGS = DispatchSettings()
DAYS = SETTINGS.certificate_review_days
LAST_NIGHT = "2026-11-30T23:59:00+08:00"  # the last minute of the certificate's last day
FIRST_MINUTE = "2026-12-01T00:01:00+08:00"  # the first minute after it


def row(**kw):
    base = {"kind": "inspector", "certified": True, "active": True,
            "certificate_expires_on": None, "certificate_reviewed_on": None}
    return SimpleNamespace(**(base | kw))


def test_the_python_rule_valid_expired_review_due_none_and_legacy():
    today = date(2026, 12, 1)
    assert officers.is_certified(row(), DAYS, today)  # legacy record without dates
    assert officers.is_certified(row(certificate_expires_on=today), DAYS, today)
    assert not officers.is_certified(row(certificate_expires_on=date(2026, 11, 30)), DAYS, today)
    assert officers.certificate_status(row(certificate_expires_on=date(2026, 11, 30)), DAYS,
                                       today) == "expired"
    reviewed_ok = date(2025, 12, 1)  # exactly review_days ago: still valid today
    assert officers.is_certified(row(certificate_reviewed_on=reviewed_ok), DAYS, today)
    late = row(certificate_reviewed_on=date(2025, 11, 30))
    assert officers.certificate_status(late, DAYS, today) == "review_due"
    assert "2026-11-30" in str(officers.uncertified_reason(late, DAYS, today))
    assert officers.certificate_status(row(certified=False), DAYS, today) == "none"
    assert not officers.is_certified(row(active=False), DAYS, today)
    assert not officers.is_certified(row(kind="grid_worker"), DAYS, today)


def test_sql_and_python_agree(db):
    ids = {}
    for name, expires, reviewed, active in (
            ("legacy", None, None, True), ("valid", "2027-01-01", "2026-06-01", True),
            ("expired", "2026-11-30", None, True), ("review_due", None, "2025-11-30", True),
            ("inactive", None, None, False)):
        i = add_inspector(db, lon=SITE[0], lat=SITE[1])
        db.execute(text("UPDATE officers SET certificate_expires_on = :e, "
                        "certificate_reviewed_on = :r, active = :a WHERE id = :i"),
                   {"e": expires, "r": reviewed, "a": active, "i": i})
        ids[name] = i
    today = date(2026, 12, 1)
    found = set(db.execute(text(f"SELECT o.id FROM officers o WHERE o.id = ANY(:ids) AND "
                                f"{officers.certified_sql('o')}"),
                           {"ids": list(ids.values()),
                            **officers.certified_params(DAYS, today)}).scalars())
    assert found == {ids["legacy"], ids["valid"]}


@pytest.fixture()
def scene(db):
    """Every other inspector off duty; two valid inspectors and one whose certificate runs out
    on 2026-11-30, all next to an inspection (rolled back afterwards)."""
    db.execute(text("UPDATE officers SET status = 'off_duty' WHERE kind = 'inspector'"))
    employer = add_employer(db, lon=SITE[0], lat=SITE[1])
    at = lambda m: metres_east(*SITE, m)[0]  # noqa: E731
    ids = {"a": add_inspector(db, lon=at(500), lat=SITE[1]),
           "b": add_inspector(db, lon=at(900), lat=SITE[1]),
           "expiring": add_inspector(db, lon=at(100), lat=SITE[1])}
    db.execute(text("UPDATE officers SET certificate_no = :n, certificate_issued_on = "
                    "'2020-12-01', certificate_expires_on = '2026-11-30' WHERE id = :i"),
               {"n": f"TEST-{ids['expiring']}", "i": ids["expiring"]})
    return ids, add_inspection(db, lon=SITE[0], lat=SITE[1], employer_id=employer)


def _in_teams(result, officer_id):
    return any(officer_id in t["officer_ids"] for t in result["teams"])


def test_expiry_at_midnight_beijing_recommendation(db, scene):
    ids, inspection = scene
    with time_machine.travel(LAST_NIGHT, tick=False):
        assert clock.today() == date(2026, 11, 30)
        result = recommend.recommend(db, inspection, SETTINGS)
        assert _in_teams(result, ids["expiring"])
    with time_machine.travel(FIRST_MINUTE, tick=False):
        result = recommend.recommend(db, inspection, SETTINGS)
    assert not _in_teams(result, ids["expiring"])
    assert result["teams"] and set(result["teams"][0]["officer_ids"]) == {ids["a"], ids["b"]}
    reasons = {e["officer_id"]: e["reason"] for e in result["excluded"]}
    assert "2026-11-30" in str(reasons[ids["expiring"]])
    assert "expired" in str(reasons[ids["expiring"]])
    assert reasons[ids["expiring"]].render("zh") == "执法证已于 2026-11-30 到期"


def test_a_missed_annual_review_is_excluded_with_its_date(db, scene):
    ids, inspection = scene
    db.execute(text("UPDATE officers SET certificate_expires_on = NULL, "
                    "certificate_reviewed_on = '2025-11-01' WHERE id = :i"),
               {"i": ids["expiring"]})
    with time_machine.travel(FIRST_MINUTE, tick=False):
        result = recommend.recommend(db, inspection, SETTINGS)
    assert not _in_teams(result, ids["expiring"])
    reason = {e["officer_id"]: e["reason"] for e in result["excluded"]}[ids["expiring"]]
    assert "2026-11-01" in str(reason)  # reviewed 2025-11-01 + 365 days


def test_expiry_at_midnight_beijing_assignment(db, scene):
    ids, inspection = scene
    team = [ids["a"], ids["expiring"]]
    with time_machine.travel(FIRST_MINUTE, tick=False):
        with pytest.raises(Unprocessable) as refused:
            assign.assign(db, inspection, team, actor="test", settings=SETTINGS)
    message = str(refused.value.message)
    name = db.execute(text("SELECT name FROM officers WHERE id = :i"),
                      {"i": ids["expiring"]}).scalar_one()
    assert name in message and "2026-11-30" in message
    assert db.execute(text("SELECT count(*) FROM assignments WHERE inspection_id = :i"),
                      {"i": inspection}).scalar_one() == 0
    with time_machine.travel(LAST_NIGHT, tick=False):
        result = assign.assign(db, inspection, team, actor="test", settings=SETTINGS)
    assert result["status"] == "assigned"


def test_plan_pools_and_case_handlers_use_the_same_rule(db, scene):
    ids, _ = scene
    with time_machine.travel(FIRST_MINUTE, tick=False):
        _, officer_rows, _ = plan._load(db, ["410102"], SETTINGS)
        _, pool = random_draw._pools(db, ["410102"])
        with pytest.raises(Unprocessable) as refused:
            cases.handlers_checked(db, "410102", [ids["a"], ids["expiring"]], None, SETTINGS)
        assert cases.handlers_checked(db, "410102", [ids["a"], ids["b"]], None,
                                      SETTINGS) == sorted([ids["a"], ids["b"]])
    planned = {r.id for r in officer_rows}
    assert ids["a"] in planned and ids["expiring"] not in planned
    pooled = {i for i, _ in pool}
    assert ids["a"] in pooled and ids["expiring"] not in pooled
    name = db.execute(text("SELECT name FROM officers WHERE id = :i"),
                      {"i": ids["expiring"]}).scalar_one()
    assert name in str(refused.value.message)
    with time_machine.travel(LAST_NIGHT, tick=False):
        _, officer_rows, _ = plan._load(db, ["410102"], SETTINGS)
    assert ids["expiring"] in {r.id for r in officer_rows}


def test_knn_query_with_the_certification_condition_still_uses_the_gist_index(db):
    plan_text = "\n".join(db.execute(text("EXPLAIN " + recommend.KNN_SQL), {
        "x": SITE[0], "y": SITE[1], "employer": -1, "stale": 30, "include_stale": False,
        "k": 40, "counties": None, **officers.certified_params(DAYS, date(2026, 12, 1))}).scalars())
    assert "idx_officers_geom" in plan_text, plan_text
