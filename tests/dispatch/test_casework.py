"""Complaints (limitation, deadlines, mass incidents, confidentiality), cases, draws, day plan."""
import itertools
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import text

from dispatch.calendar.service import WorkingCalendar
from dispatch.inspections import plan, random_draw
from dispatch.settings import DispatchSettings
from geo.core import clock
from geo.core.db import unit_of_work
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed, metres_east  # noqa: F401 (fixture)


@pytest.fixture()
def employer(committed, db):  # noqa: F811
    """An employer of the test's own in 中原区, committed so the app finds it by credit code."""
    employer_id = committed.employer(lon=SITE[0], lat=SITE[1])
    return db.execute(text("SELECT id, credit_code, county_adcode FROM employers WHERE id = :i"),
                      {"i": employer_id}).one()


def test_complaint_about_a_known_employer_waits_for_its_decision_due_in_5_working_days(
        client, tokens, employer, db):
    r = client.post("/api/v1/complaints", json={
        "category": "wage_arrears", "workers_affected": 3, "description": "拖欠三个月工资",
        "occurred_on": (clock.today() - timedelta(days=40)).isoformat(),
        "employer": {"credit_code": employer.credit_code},
        "complainant": {"name": "张三", "phone": "13800000000"}},
        headers=bearer(tokens["dispatcher"]))
    body = r.get_json()
    assert r.status_code == 201 and body["status"] == "received" and body["proposal"] is None
    assert body["inspection_id"] is None  # nothing is sent before the complaint is accepted
    due = WorkingCalendar.load(db).add_working_days(clock.today(), 5)
    assert body["acceptance_due"] == due.isoformat()
    assert "complainant" not in body and body["complainant_known"] is True
    r = client.post(f"/api/v1/complaints/{body['id']}/decision",
                    json={"decision": "accept", "reason": "属于劳动保障监察事项"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json()["status"] == "accepted"
    priority = db.execute(text("SELECT priority FROM inspections WHERE id = :i"),
                          {"i": r.get_json()["inspection_id"]}).scalar_one()
    assert priority == "high"


def test_ten_workers_make_a_mass_incident_with_urgent_priority_from_receipt(
        client, tokens, employer, db, beijing_day):
    beijing_day("2026-11-30")
    received = "2026-11-30T07:30:00+08:00"
    r = client.post("/api/v1/complaints", json={
        "category": "wage_arrears", "workers_affected": 12, "received_at": received,
        "employer": {"credit_code": employer.credit_code}}, headers=bearer(tokens["dispatcher"]))
    body = r.get_json()
    assert r.status_code == 201 and body["mass_incident"] and body["incident_id"]
    row = db.execute(text("SELECT priority, due_at FROM inspections WHERE id = :i"),
                     {"i": body["inspection_id"]}).one()
    assert row.priority == "urgent"
    # The response clock started at receipt (2 hours), not at assignment.
    assert row.due_at.isoformat() == body["response_due_at"]
    assert row.due_at.astimezone(clock.BEIJING).isoformat() == "2026-11-30T09:30:00+08:00"


def test_a_complaint_past_the_two_year_limitation_is_a_proposal_a_person_confirms(
        client, tokens, employer, db):
    r = client.post("/api/v1/complaints", json={
        "category": "overtime", "occurred_on": (clock.today() - timedelta(days=800)).isoformat(),
        "employer": {"credit_code": employer.credit_code}}, headers=bearer(tokens["dispatcher"]))
    body = r.get_json()
    assert r.status_code == 201 and body["status"] == "received"
    assert body["proposal"]["decision"] == "refuse"
    assert "2 years" in body["proposal"]["reason_text"] and body["inspection_id"] is None
    assert db.execute(text("SELECT status FROM complaints WHERE employer_id = :e"),
                      {"e": employer.id}).scalars().all() == ["received"]
    assert db.execute(text("SELECT count(*) FROM inspections WHERE employer_id = :e"),
                      {"e": employer.id}).scalar_one() == 0


@pytest.mark.parametrize("body, status, words", [
    ({"category": "wage_arrears", "employer": {"credit_code": "91330100799655058C"}}, 400,
     "expected B"),
    ({"category": "gossip", "location": {"lat": 34.7, "lon": 113.6}}, 400, "category"),
    ({"category": "other"}, 422, "competent"),
    ({"category": "other", "location": {"lat": 39.9, "lon": 116.4}}, 422, "outside Henan"),
    ({"category": "other", "workers_affected": 0, "location": {"lat": 34.7, "lon": 113.6}}, 422,
     "at least 1"),
    ({"category": "other", "occurred_on": "next week", "location": {"lat": 34.7, "lon": 113.6}},
     400, "date"),
])
def test_bad_complaints_are_refused_and_nothing_is_written(client, tokens, db, body, status,
                                                           words):
    before = db.execute(text("SELECT count(*) FROM complaints")).scalar_one()
    r = client.post("/api/v1/complaints", json=body, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == status and words in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT count(*) FROM complaints")).scalar_one() == before


def test_lists_never_carry_identities_and_reading_one_is_audited(client, tokens, employer, db):
    made = client.post("/api/v1/complaints", json={
        "category": "other", "employer": {"credit_code": employer.credit_code},
        "complainant": {"name": "李四", "phone": "13900000000"}},
        headers=bearer(tokens["dispatcher"])).get_json()
    for role in ("command", "dispatcher"):
        r = client.get(f"/api/v1/complaints?area=410100&q={made['id']}",
                       headers=bearer(tokens[role]))
        assert r.status_code == 200 and r.get_json()["total"] == 1
        assert "李四" not in r.get_data(as_text=True)
    url = f"/api/v1/complaints/{made['id']}/complainant"
    assert client.get(url, headers=bearer(tokens["command"])).status_code == 403
    before = db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'read_identity' "
                             "AND entity_id = :i"), {"i": str(made["id"])}).scalar_one()
    r = client.get(url, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json() == {"name": "李四", "phone": "13900000000"}
    assert db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'read_identity' "
                           "AND entity_id = :i"), {"i": str(made["id"])}).scalar_one() == before + 1


def test_case_runs_60_working_days_and_extends_once_with_admin_approval(
        client, tokens, beijing_day, committed):  # noqa: F811
    beijing_day("2026-12-01")
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    committed.holiday("2027-01-01")
    r = client.put("/api/v1/holidays/2027-01-01", json={"kind": "holiday", "name": "元旦"},
                   headers=bearer(tokens["admin"]))
    assert r.status_code == 200
    r = client.post("/api/v1/cases", json={"inspection_id": inspection, "opened_on": "2026-12-01"},
                    headers=bearer(tokens["dispatcher"]))
    case = r.get_json()
    cal = WorkingCalendar({date(2027, 1, 1): "holiday"})
    assert r.status_code == 201 and case["due_on"] == cal.add_working_days(
        date(2026, 12, 1), 60).isoformat()
    assert client.post("/api/v1/cases", json={"inspection_id": inspection},
                       headers=bearer(tokens["dispatcher"])).status_code == 409
    url = f"/api/v1/cases/{case['id']}"
    assert client.post(url + "/extend", json={"reason": "x"},
                       headers=bearer(tokens["dispatcher"])).status_code == 403
    r = client.post(url + "/extend", json={"reason": "证据调取需要时间"},
                    headers=bearer(tokens["admin"]))
    assert r.status_code == 200 and r.get_json()["due_on"] == cal.add_working_days(
        date.fromisoformat(case["due_on"]), 30).isoformat()
    assert client.post(url + "/extend", json={"reason": "again"},
                       headers=bearer(tokens["admin"])).status_code == 409
    r = client.post(url + "/close", json={"outcome": "fined"}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 400
    live = client.get("/api/v1/officers/live?area=410102", headers=bearer(tokens["dispatcher"])
                      ).get_json()["features"]
    team = sorted(f["properties"]["id"] for f in live if f["properties"]["kind"] == "inspector")
    assert client.post(url + "/handlers", json={"handler_ids": team[:2]},
                       headers=bearer(tokens["dispatcher"])).status_code == 200
    fine = {"outcome": "penalty", "fine_amount": 5000, "decision_number": "中原人社监罚〔2027〕3号"}
    r = client.post(url + "/close", json={**fine, "closed_on": "2026-11-30"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 400 and "before the case was opened" in r.get_json()["error"]["message"]
    beijing_day("2027-02-01")
    r = client.post(url + "/close", json={**fine, "closed_on": "2027-02-01"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json()["outcome"] == "penalty"
    assert r.get_json()["fine_amount"] == 5000 and r.get_json()["decision_number"] == fine[
        "decision_number"]


def test_overdue_cases_raise_alerts(client, tokens, beijing_day, committed):  # noqa: F811
    beijing_day("2026-06-01")  # 60 working days from 5 January ended on 30 March
    job = committed.inspection(lon=SITE[0], lat=SITE[1])
    r = client.post("/api/v1/cases", json={"inspection_id": job, "opened_on": "2026-01-05"},
                    headers=bearer(tokens["dispatcher"]))
    case_id = r.get_json()["id"]
    alerts = client.get("/api/v1/cases/alerts?area=410102",
                        headers=bearer(tokens["command"])).get_json()["items"]
    mine = [a for a in alerts if a["id"] == case_id]
    assert mine and mine[0]["alert"] == "overdue" and mine[0]["working_days_left"] < 0


def test_random_draw_is_reproducible_from_its_seed_and_honours_recusal(client, tokens, db,
                                                                       committed):  # noqa: F811
    h = bearer(tokens["dispatcher"])
    body = {"area": "410102", "check_item": "labour_contract", "share": 0.05, "seed": 20261129}

    def draw():
        r = client.post("/api/v1/random-draws", json=body, headers=h)
        assert r.status_code == 201, r.get_json()
        drawn = r.get_json()
        committed.draws.append(drawn["id"])
        committed.inspections += db.execute(text(
            "SELECT id FROM inspections WHERE random_draw_id = :d"),
            {"d": drawn["id"]}).scalars().all()
        return drawn

    first = draw()
    assert first["drawn"] == -(-first["employer_pool"] * 5 // 100)
    assert first["inspections_created"] == first["drawn"]
    assert all(len(i["officer_ids"]) == 2 for i in first["items"] if i["complete"])
    replay = client.get(f"/api/v1/random-draws/{first['id']}/replay", headers=h).get_json()
    assert replay["matches"] is True and replay["items"] == first["items"]
    # Recuse one drawn inspector from their employer: the same seed draws the same employers,
    # and that inspector is no longer sent there.
    item = next(i for i in first["items"] if i["complete"])
    officer, employer = item["officer_ids"][0], item["employer_id"]
    committed.undo("DELETE FROM recusals WHERE officer_id = :o AND employer_id = :e",
                   o=officer, e=employer)
    with unit_of_work(committed.sessions) as s:
        s.execute(text("INSERT INTO recusals (officer_id, employer_id, reason, county_adcode) "
                       "VALUES (:o, :e, '配偶任职', '410102')"), {"o": officer, "e": employer})
    again = draw()
    assert [i["employer_id"] for i in again["items"]] == [i["employer_id"] for i in first["items"]]
    team = next(i for i in again["items"] if i["employer_id"] == employer)["officer_ids"]
    assert officer not in team and len(team) == 2


def test_draw_computation_avoids_recused_inspectors():
    employers = [(e, "410102") for e in range(1, 41)]
    inspectors = [(o, "410102") for o in (101, 102, 103)]
    recused = {(101, e) for e in range(1, 41)}
    result = random_draw.compute(7, 0.5, employers, inspectors, recused)
    assert len(result) == 20 and all(i["officer_ids"] == [102, 103] for i in result)
    assert result == random_draw.compute(7, 0.5, employers, inspectors, recused)
    assert result != random_draw.compute(8, 0.5, employers, inspectors, recused)


def test_plan_cost_equals_the_brute_force_optimum():
    rng = np.random.default_rng(3)
    cost = rng.uniform(0, 10_000, size=(5, 6))
    pairs = plan.solve(cost)
    best = min(sum(cost[r, c] for r, c in zip(range(5), perm))
               for perm in itertools.permutations(range(6), 5))
    assert abs(sum(cost[r, c] for r, c in pairs) - best) < 1e-6
    greedy = plan.greedy(cost, list(range(5)))
    assert sum(cost[r, c] for r, c in greedy) >= best - 1e-6


def test_plan_preview_then_apply_assigns_teams_atomically(client, tokens, sessions, db,
                                                          committed):  # noqa: F811
    committed.statuses("410104")  # put back afterwards
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE officers SET status = 'off_duty' WHERE county_adcode = '410104' "
                       "AND kind = 'inspector'"))
        s.execute(text("UPDATE inspections SET status = 'cancelled' WHERE county_adcode = '410104' "
                       "AND status = 'pending'"))
    base = (113.69, 34.74)
    ids = [committed.inspector(lon=metres_east(*base, 300 * i)[0], lat=base[1], county="410104")
           for i in range(4)]
    jobs = [committed.inspection(lon=metres_east(*base, 900 * i)[0], lat=base[1] + 0.005,
                                 county="410104") for i in range(3)]
    h = bearer(tokens["dispatcher"])
    preview = client.post("/api/v1/dispatch/plan", json={"area": "410104", "dry_run": True},
                          headers=h).get_json()
    assert preview["teams"] == 2 and len(preview["assignments"]) == 2
    assert preview["total_distance_m"] <= preview["greedy_total_distance_m"]
    still = db.execute(text("SELECT count(*) FROM inspections WHERE id = ANY(:j) "
                            "AND status = 'pending'"), {"j": jobs}).scalar_one()
    assert still == 3
    applied = client.post("/api/v1/dispatch/plan", json={"area": "410104", "dry_run": False},
                          headers=h)
    assert applied.status_code == 200
    assigned = db.execute(text("SELECT count(*) FROM assignments WHERE officer_id = ANY(:o) "
                               "AND released_at IS NULL"), {"o": ids}).scalar_one()
    assert assigned == 4


def test_scheduled_inspections_follow_the_grade_frequency(client, tokens, db,
                                                         committed):  # noqa: F811
    settings = DispatchSettings()
    due, recent = (committed.employer(lon=SITE[0], lat=SITE[1], county="410103")
                   for _ in range(2))
    with unit_of_work(committed.sessions) as s:  # grade C: due again after its interval
        s.execute(text("""
            UPDATE employers SET grade = 'C', last_inspected_at = now() - make_interval(
                days => CASE WHEN id = :due THEN :c + 1 ELSE :c - 1 END)
            WHERE id IN (:due, :recent)"""),
                  {"due": due, "recent": recent, "c": settings.grade_interval_days("C")})
    r = client.post("/api/v1/scheduled-inspections", json={"area": "410103", "limit": 10_000},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201
    created = r.get_json()["inspection_ids"]
    committed.inspections += created
    rows = db.execute(text("""
        SELECT e.id, e.grade, e.last_inspected_at, now() FROM inspections i JOIN employers e
        ON e.id = i.employer_id WHERE i.id = ANY(:ids)"""), {"ids": created}).all()
    assert due in {r.id for r in rows} and recent not in {r.id for r in rows}
    for _, grade, last, now in rows:
        assert last is None or (now - last).days >= settings.grade_interval_days(grade)
