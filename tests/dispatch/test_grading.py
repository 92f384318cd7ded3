"""Compliance grading from the record: a dozen hand-built employers, one per rule and
boundary (2 vs 3 penalties, the year's edges in Beijing time, every C trigger); a run's
review and approval by another person; the history; objections; unrated employers."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from dispatch.grading import service as grading
from dispatch.inspections.supervision import SupervisionSettings
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer, unique
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

COUNTY = "411728"  # a county no other test writes to: its employers' grades are restored
YEAR = 2025
# name → (cases: [(outcome, decided on, violations, transfer kind)], incidents received at,
#         expected grade, expected triggers)
RECORDS = {
    "clean": ([], [], "A", []),
    "one_penalty": ([("penalty", "2025-03-01", [], None)], [], "B", []),
    "two_penalties": ([("penalty", "2025-03-01", [], None), ("penalty", "2025-12-31", [], None)],
                      [], "B", []),
    "three_penalties": ([("penalty", "2025-01-01", [], None), ("penalty", "2025-06-01", [], None),
                         ("penalty", "2025-12-31", [], None)], [], "C", ["penalties"]),
    # the third penalty was decided on the last day of the year before: not this year's
    "three_across_years": ([("penalty", "2024-12-31", [], None),
                            ("penalty", "2025-06-01", [], None),
                            ("penalty", "2025-07-01", [], None)], [], "B", []),
    "child_labour": ([("order_to_correct", "2025-05-05", ["child_labour"], None)], [], "C",
                     ["child_labour"]),
    "forced_labour": ([("penalty", "2025-05-05", ["forced_labour", "working_hours"], None)], [],
                      "C", ["forced_labour"]),
    "refused_order": ([("order_to_correct", "2025-08-08", ["refused_order"], None)], [], "C",
                      ["refused_order"]),
    "obstruction": ([("penalty", "2025-09-09", ["obstruction"], None)], [], "C", ["obstruction"]),
    "criminal": ([("transferred", "2025-10-10", ["refused_wages"], "public_security")], [], "C",
                 ["criminal"]),
    # 2024-12-31 16:30 UTC is 2025-01-01 00:30 in Beijing: this year's incident
    "mass_incident": ([], ["2024-12-31T16:30:00Z"], "C", ["mass_incident"]),
    # 2025-12-31 16:30 UTC is 2026 in Beijing: not this year's
    "incident_next_year": ([], ["2025-12-31T16:30:00Z"], "A", []),
    "corrected_only": ([("order_to_correct", "2025-04-04", ["wage_arrears"], None)], [], "A",
                       []),
    "child_labour_last_year": ([("order_to_correct", "2024-05-05", ["child_labour"], None)], [],
                               "A", []),
}


@pytest.fixture()
def county_grades(sessions):
    """The county's employer grades before the test, put back afterwards."""
    with sessions() as s:
        saved = s.execute(text("SELECT id, grade FROM employers WHERE county_adcode = :c"),
                          {"c": COUNTY}).all()
    yield
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE employers e SET grade = v.grade FROM unnest(CAST(:ids AS bigint[]),"
                       " CAST(:grades AS text[])) AS v(id, grade) WHERE e.id = v.id"),
                  {"ids": [r[0] for r in saved], "grades": [r[1] for r in saved]})
        s.execute(text("DELETE FROM employer_grades WHERE county_adcode = :c"), {"c": COUNTY})
        s.execute(text("DELETE FROM grading_runs WHERE area_adcode = :c"), {"c": COUNTY})


def build(committed, sessions) -> dict[str, int]:  # noqa: F811
    ids = {name: committed.employer(lon=SITE[0], lat=SITE[1], county=COUNTY) for name in RECORDS}
    with unit_of_work(sessions) as s:
        for name, (cases, incidents, _, _) in RECORDS.items():
            for outcome, day, violations, transfer in cases:
                s.execute(text("""
                    INSERT INTO cases (county_adcode, employer_id, opened_on, due_on, outcome,
                                       closed_on, decision_date, fine_amount, decision_number,
                                       violations, transfer_kind, transfer_target, created_by)
                    VALUES (:c, :e, CAST(:d AS date) - 30, CAST(:d AS date) + 60, :o, :d,
                            CASE WHEN :o = 'penalty' THEN CAST(:d AS date) END,
                            CASE WHEN :o = 'penalty' THEN 5000 END,
                            CASE WHEN :o = 'penalty' THEN 'X' END, :v, :t,
                            CASE WHEN :t IS NOT NULL THEN '公安局' END, 'tests')"""),
                          {"c": COUNTY, "e": ids[name], "d": date.fromisoformat(day), "o": outcome,
                           "v": violations, "t": transfer})
            for at in incidents:
                s.execute(text("INSERT INTO incidents (county_adcode, employer_id, workers, "
                               "received_at) VALUES (:c, :e, 30, CAST(:at AS timestamptz))"),
                          {"c": COUNTY, "e": ids[name], "at": at})
    committed.undo("DELETE FROM grade_objections WHERE employer_id = ANY(:e)",
                   e=list(ids.values()))
    committed.undo("DELETE FROM employer_grades WHERE employer_id = ANY(:e)",
                   e=list(ids.values()))
    committed.undo("DELETE FROM grading_runs WHERE area_adcode = :c", c=COUNTY)
    return ids


def test_each_record_gets_its_grade_and_evidence(committed, sessions, county_grades):  # noqa: F811
    ids = build(committed, sessions)
    with unit_of_work(sessions) as s:
        run = grading.start_run(s, year=YEAR, area=COUNTY, actor="tests")
        got = {r.employer_id: (r.grade, r.evidence) for r in s.execute(text(
            "SELECT employer_id, grade, evidence FROM grade_proposals WHERE run_id = :r"),
            {"r": run["id"]})}
    for name, (_, _, grade, triggers) in RECORDS.items():
        found, evidence = got[ids[name]]
        assert found == grade, (name, found, evidence)
        assert sorted((evidence or {}).get("triggers", [])) == sorted(triggers), (name, evidence)
    evidence = got[ids["three_penalties"]][1]
    assert evidence["penalties"] == 3 and len(evidence["penalty_cases"]) == 3
    assert len(got[ids["mass_incident"]][1]["incidents"]) == 1
    assert run["total"] == sum(run["counts"].values()) >= len(RECORDS)


def test_review_approval_by_another_person_and_the_history(client, tokens, committed,  # noqa: F811
                                                          sessions, county_grades, db):
    ids = build(committed, sessions)
    h_admin, h_command = bearer(tokens["admin"]), bearer(tokens["command"])
    r = client.post("/api/v1/grading/runs", json={"year": YEAR, "area": COUNTY}, headers=h_admin)
    assert r.status_code == 201, r.get_json()
    run = r.get_json()
    assert set(run["counts"]) == {"A", "B", "C"} and run["counts"]["C"] >= 7
    url = f"/api/v1/grading/runs/{run['id']}"
    page = client.get(url + "/proposals?grade=C", headers=h_command).get_json()
    assert {p["employer_id"] for p in page["items"]} >= {ids["child_labour"], ids["criminal"]}
    assert all(p["triggers_text"] for p in page["items"])
    # a reviewer changes one, with a reason; without one it is refused
    change = url + f"/proposals/{ids['two_penalties']}"
    assert client.post(change, json={"grade": "C"}, headers=h_command).status_code == 400
    assert client.post(change, json={"grade": "C", "reason": " "},
                       headers=h_command).status_code == 422
    r = client.post(change, json={"grade": "C", "reason": "两次处罚均为拖欠工资，情节严重"},
                    headers=h_command)
    assert r.status_code == 200 and r.get_json()["status"] == "changed"
    # whoever started the run may not approve it
    assert client.post(url + "/approve", headers=h_admin).status_code == 403
    r = client.post(url + "/approve", headers=h_command)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved"
    assert client.post(url + "/approve", headers=h_command).status_code == 409
    assert client.post(change, json={"grade": "A", "reason": "x"},
                       headers=h_command).status_code == 409
    grades = dict(db.execute(text("SELECT id, grade FROM employers WHERE id = ANY(:e)"),
                             {"e": list(ids.values())}).all())
    assert grades[ids["two_penalties"]] == "C" and grades[ids["one_penalty"]] == "B"
    assert grades[ids["clean"]] == "A"
    history = client.get(f"/api/v1/employers/{ids['criminal']}/grades", headers=h_command)
    body = history.get_json()
    assert body["grade"] == "C" and body["grades"][0]["year"] == YEAR
    assert body["grades"][0]["evidence"]["triggers"] == ["criminal"]
    assert client.get(f"/api/v1/employers/{ids['criminal']}",
                      headers=h_command).get_json()["grade"] == "C"


def test_an_objection_upholds_or_changes_the_grade(client, tokens, committed, sessions,  # noqa: F811
                                                   county_grades, db):
    ids = build(committed, sessions)
    with unit_of_work(sessions) as s:
        run = grading.start_run(s, year=YEAR, area=COUNTY, actor="someone-else")
    h = bearer(tokens["admin"])
    assert client.post(f"/api/v1/grading/runs/{run['id']}/approve", headers=h).status_code == 200
    url = f"/api/v1/employers/{ids['obstruction']}/grade-objections"
    assert client.post(url, json={"year": YEAR - 3, "grounds": "x"}, headers=h).status_code == 422
    assert client.post(url, json={"year": YEAR, "grounds": " "}, headers=h).status_code == 422
    r = client.post(url, json={"year": YEAR, "grounds": "检查当日负责人不在场，并非拒绝检查"},
                    headers=h)
    assert r.status_code == 201, r.get_json()
    objection = r.get_json()
    assert objection["grade_before"] == "C" and objection["status"] == "open"
    assert client.post(url, json={"year": YEAR, "grounds": "again"}, headers=h).status_code == 409
    decide = f"/api/v1/grade-objections/{objection['id']}/decision"
    assert client.post(decide, json={"outcome": "changed", "grade": "C", "reason": "x"},
                       headers=h).status_code == 422  # not a different grade
    r = client.post(decide, json={"outcome": "changed", "grade": "B",
                                  "reason": "复核认定不构成阻挠检查"}, headers=h)
    assert r.status_code == 200 and r.get_json()["grade_after"] == "B"
    assert client.post(decide, json={"outcome": "upheld", "reason": "x"},
                       headers=h).status_code == 409
    assert db.execute(text("SELECT grade FROM employers WHERE id = :e"),
                      {"e": ids["obstruction"]}).scalar_one() == "B"
    assert db.execute(text("SELECT grade FROM employer_grades WHERE employer_id = :e "
                           "AND year = :y"), {"e": ids["obstruction"], "y": YEAR}
                      ).scalar_one() == "B"


def test_a_future_year_and_an_area_outside_are_refused(client, tokens, sessions):
    h = bearer(tokens["admin"])
    r = client.post("/api/v1/grading/runs", json={"year": 2999, "area": COUNTY}, headers=h)
    assert r.status_code == 422
    name = unique("grader")
    with unit_of_work(sessions) as s:
        from geo.accounts import service as accounts
        accounts.create_user(s, username=name, password=PASSWORD, role="admin", actor="tests",
                             area="410102")
    token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}
                        ).get_json()["token"]
    r = client.post("/api/v1/grading/runs", json={"year": YEAR, "area": COUNTY},
                    headers=bearer(token))
    assert r.status_code == 403
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM user_sessions WHERE user_id IN (SELECT id FROM users "
                       "WHERE username = :u)"), {"u": name})
        s.execute(text("DELETE FROM users WHERE username = :u"), {"u": name})


def test_new_employers_are_unrated_and_supervised_as_the_setting_says(client, tokens,
                                                                    committed, db):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1], county="410103")
    body = client.get(f"/api/v1/employers/{employer}", headers=bearer(tokens["command"]))
    assert body.get_json()["grade"] == "unrated"
    # last inspected 200 days ago: within B's year, past C's quarter
    with unit_of_work(committed.sessions) as s:
        s.execute(text("UPDATE employers SET last_inspected_at = now() - interval '200 days' "
                       "WHERE id = :e"), {"e": employer})
    from dispatch.inspections.supervision import OVERDUE_SQL
    for unrated_as, overdue in (("B", False), ("C", True), ("A", False)):
        params = SupervisionSettings(unrated_as=unrated_as).sql_params()
        found = db.execute(text(f"SELECT {OVERDUE_SQL} FROM employers e WHERE e.id = :e"),
                           {"e": employer, **params}).scalar_one()
        assert found is overdue, unrated_as
    assert SupervisionSettings().interval_days("unrated") == SupervisionSettings().interval_days("B")
