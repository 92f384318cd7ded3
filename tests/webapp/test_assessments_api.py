"""The training and assessment API (培训、评议考核) over HTTP, on the hand-built record."""
from __future__ import annotations

from sqlalchemy import text

from tests.conftest import bearer
from tests.dispatch.test_assessment import A_2027, COUNTY, build
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (a fixture)


def _count(sessions, sql: str, **params) -> int:
    with sessions() as s:
        return s.execute(text(sql), params).scalar_one()


def test_training_records(client, tokens, committed, sessions, beijing_day):  # noqa: F811
    beijing_day("2027-06-30")
    officer = committed.inspector(lon=SITE[0], lat=SITE[1])
    committed.undo("DELETE FROM officer_trainings WHERE officer_id = :o", o=officer)
    admin = bearer(tokens["admin"])
    url = f"/api/v1/officers/{officer}/trainings"
    body = {"course": "劳动保障监察执法实务", "hours": 7.5, "held_on": "2027-06-30",
            "provider": "郑州市人社局"}
    r = client.post(url, json=body, headers=admin)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["hours"], r.get_json()["created_by"]) == (7.5, "test-admin")
    r = client.post(url, json={**body, "hours": 4, "held_on": "2026-12-01"}, headers=admin)
    assert r.status_code == 201
    for bad, status in (({"hours": 0}, 422), ({"hours": 1000.1}, 422), ({"hours": 2.25}, 422),
                        ({"held_on": "2027-07-01"}, 422), ({"held_on": "2027-13-01"}, 400),
                        ({"hours": "8"}, 400), ({"course": " "}, 422)):
        r = client.post(url, json={**body, **bad}, headers=admin)
        assert r.status_code == status, (bad, r.get_json())
        assert r.get_json()["error"]["message"]
    r = client.post(url, json={**body, "hours": 0}, headers={**admin, "Accept-Language": "zh"})
    assert "学时" in r.get_json()["error"]["message"]
    assert client.post("/api/v1/officers/2000000000/trainings", json=body,
                       headers=admin).status_code == 404
    assert client.post(url, json=body, headers=bearer(tokens["dispatcher"])).status_code == 403
    assert _count(sessions, "SELECT count(*) FROM officer_trainings WHERE officer_id = :o",
                  o=officer) == 2
    assert _count(sessions, "SELECT count(*) FROM audit_log WHERE action = 'add_training' "
                  "AND entity_id = :o AND actor = 'test-admin'", o=str(officer)) == 2
    r = client.get(url, headers=bearer(tokens["command"]))
    assert r.status_code == 200
    listed = r.get_json()
    assert listed["hours_by_year"] == [{"year": 2027, "hours": 7.5}, {"year": 2026, "hours": 4.0}]
    assert listed["total_hours"] == 11.5
    assert client.get("/api/v1/officers/2000000000/trainings",
                      headers=bearer(tokens["dispatcher"])).status_code == 404


def test_assessment_of_a_year(client, tokens, committed, sessions, beijing_day):  # noqa: F811
    beijing_day("2028-02-01")
    made = build(committed, sessions)
    a = made["a"]
    admin = {**bearer(tokens["admin"]), "Accept-Language": "zh"}
    base = f"/api/v1/officers/{a}/assessments"
    assert client.post(base, json={"year": "2027"}, headers=admin).status_code == 400
    r = client.post(base, json={"year": 2027}, headers=admin)
    assert r.status_code == 201, r.get_json()
    draft = r.get_json()
    assert draft["status"] == "draft" and draft["grade"] is None
    assert {k: v for k, v in draft["figures"].items() if k != "notes"} == \
        {k: v for k, v in A_2027.items() if k != "notes"}
    assert draft["figures"]["notes"] == []
    r = client.post(base, json={"year": 2027}, headers=admin)
    assert r.status_code == 409 and r.get_json()["error"]["message"]
    assert client.post("/api/v1/officers/2000000000/assessments", json={"year": 2027},
                       headers=admin).status_code == 404

    review = f"{base}/2027/review"
    for bad in ({}, {"grade": "great"}, {"grade": "basically_competent"},
                {"grade": "incompetent", "comment": "  "}):
        r = client.post(review, json=bad, headers=admin)
        assert r.status_code == 422, (bad, r.get_json())
    assert client.post(f"{base}/2026/review", json={"grade": "competent"},
                       headers=admin).status_code == 404
    assert client.post(review, json={"grade": "competent"},
                       headers=bearer(tokens["command"])).status_code == 403
    r = client.post(review, json={"grade": "basically_competent", "comment": "结案超期一件"},
                    headers=admin)
    assert r.status_code == 200, r.get_json()
    graded = r.get_json()
    assert (graded["grade"], graded["grade_text"], graded["reviewer"], graded["comment"]) == \
        ("basically_competent", "基本称职", "test-admin", "结案超期一件")
    assert graded["reviewed_at"] is not None
    assert _count(sessions, "SELECT count(*) FROM audit_log WHERE action = 'review_assessment' "
                  "AND entity_id = :o", o=str(a)) == 1

    r = client.get(base, headers={**bearer(tokens["dispatcher"]), "Accept-Language": "en"})
    assert r.status_code == 200
    (item,) = r.get_json()["items"]
    assert (item["year"], item["grade_text"]) == (2027, "Basically competent")
    assert item["figures"]["inspections_on_time"] == 3

    r = client.get(f"/api/v1/assessments?area={COUNTY}&year=2027&lang=zh",
                   headers=bearer(tokens["command"]))
    assert r.status_code == 200
    (unit,) = r.get_json()["units"]
    assert unit["county_adcode"] == COUNTY and unit["county_name"]
    mine = {o["id"]: o for o in unit["officers"]}
    assert mine[a]["grade_text"] == "基本称职"
    assert mine[a]["figures"]["on_time_rate"] == 0.75
    assert mine[a]["figures"]["closed_in_time_rate"] == 0.3333
    assert mine[made["b"]]["figures"]["cases_handled"] == 2
    assert unit["totals"]["grades"]["basically_competent"] >= 1
    assert unit["totals"]["officers"] == len(unit["officers"])
    assert client.get("/api/v1/assessments?area=410100&year=2027",
                      headers=bearer(tokens["dispatcher"])).status_code == 200
    assert client.get("/api/v1/assessments?area=999999&year=2027",
                      headers=bearer(tokens["dispatcher"])).status_code == 404
    assert client.get("/api/v1/assessments?year=1800",
                      headers=bearer(tokens["dispatcher"])).status_code == 400
