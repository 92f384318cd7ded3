"""Cases: certified handlers (another county with a reason), the extension approved by
another administrator, suspension, outcomes with their details, 挂牌督办 as a workflow."""

import pytest
from sqlalchemy import text

from geo.core import clock
from geo.core.db import unit_of_work
from tests.casework_fixtures import (  # noqa: F401 (fixtures)
    accepted_as_case,
    complain,
    decide,
    employer,
    post,
    team,
)
from tests.conftest import PASSWORD, bearer, unique
from tests.dispatch_fixtures import committed  # noqa: F401 (fixture)


def test_handlers_are_certified_and_another_county_needs_a_reason(client, tokens, employer,
                                                                 team):
    _, case_id = accepted_as_case(client, tokens, employer, handlers=False)
    r = post(client, tokens, f"/api/v1/cases/{case_id}/close", outcome="withdrawn")
    assert r.status_code == 422 and "handling inspectors" in r.get_json()["error"]["message"]
    url = f"/api/v1/cases/{case_id}/handlers"
    r = post(client, tokens, url, handler_ids=[team["ids"][0]])
    assert r.status_code == 422 and "At least 2" in r.get_json()["error"]["message"]
    r = post(client, tokens, url, handler_ids=[team["ids"][0], team["uncertified"]])
    assert r.status_code == 422 and "certified" in r.get_json()["error"]["message"]
    r = post(client, tokens, url, handler_ids=[team["ids"][0], team["other"]])
    assert r.status_code == 422 and "another county" in r.get_json()["error"]["message"]
    r = post(client, tokens, url, handler_ids=[team["ids"][0], team["other"]],
             reason="二七区监察员熟悉该单位")
    assert r.status_code == 200
    assert [h["id"] for h in r.get_json()["handlers"]] == sorted([team["ids"][0], team["other"]])
    r = post(client, tokens, url, handler_ids=team["ids"])
    assert r.status_code == 200


def test_extension_by_the_admin_who_opened_the_case_is_refused(
        app, client, tokens, employer, sessions):
    from geo.accounts import service as accounts
    made = complain(client, tokens, employer)
    decide(client, tokens, made["id"], decision="accept", reason="受理")
    r = post(client, tokens, "/api/v1/cases", role="admin", complaint_id=made["id"])
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    r = post(client, tokens, f"/api/v1/cases/{case['id']}/extend", role="admin", reason="取证")
    assert r.status_code == 403
    name = unique("admin2")
    with unit_of_work(sessions) as s:
        accounts.create_user(s, username=name, password=PASSWORD, role="admin",
                             actor="test", display_name="第二管理员")
    token = client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}
                        ).get_json()["token"]
    r = client.post(f"/api/v1/cases/{case['id']}/extend", json={"reason": "需要调取银行流水"},
                    headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["extended"]
    assert r.get_json()["extension_approved_by"] == name


def test_suspension_stops_the_limit_and_resumes_with_the_days_left(
        client, tokens, employer, beijing_day):
    beijing_day("2026-11-30")
    _, case_id = accepted_as_case(client, tokens, employer)
    url = f"/api/v1/cases/{case_id}"
    opened = client.get(url, headers=bearer(tokens["command"])).get_json()
    assert opened["working_days_left"] == 60
    beijing_day("2026-12-07")  # a week later: 55 working days left
    r = post(client, tokens, url + "/suspend", reason="等待司法鉴定")
    assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    assert post(client, tokens, url + "/suspend", reason="again").status_code == 409
    r = post(client, tokens, url + "/close", outcome="withdrawn")
    assert r.status_code == 409 and "suspended" in r.get_json()["error"]["message"]
    beijing_day("2026-12-21")
    r = post(client, tokens, url + "/resume")
    assert r.status_code == 200 and r.get_json()["working_days_left"] == 55
    assert post(client, tokens, url + "/resume").status_code == 409


@pytest.mark.parametrize("body, status, words", [
    ({"outcome": "penalty"}, 422, "fine_amount"),
    ({"outcome": "penalty", "fine_amount": -5, "decision_number": "x"}, 422, "above 0"),
    ({"outcome": "penalty", "fine_amount": 5000}, 422, "decision_number"),
    ({"outcome": "order_to_correct"}, 422, "correction_deadline"),
    ({"outcome": "wages_recovered", "wages_recovered": 80000}, 422, "workers_paid"),
    ({"outcome": "transferred", "transfer_target": "公安"}, 422, "transfer_kind"),
    ({"outcome": "transferred", "transfer_kind": "police", "transfer_target": "x"}, 400,
     "transfer_kind"),
])
def test_outcomes_need_their_details(client, tokens, employer, body, status, words, db):
    _, case_id = accepted_as_case(client, tokens, employer)
    r = post(client, tokens, f"/api/v1/cases/{case_id}/close", **body)
    assert r.status_code == status and words in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT closed_on FROM cases WHERE id = :i"),
                      {"i": case_id}).scalar_one() is None


def test_order_to_correct_schedules_the_follow_up_and_closes_the_complaint(
        client, tokens, employer, beijing_day, db):
    beijing_day("2026-12-01")
    made, case_id = accepted_as_case(client, tokens, employer)
    r = post(client, tokens, f"/api/v1/cases/{case_id}/close", outcome="order_to_correct",
             correction_deadline="2026-12-25", decision_number="中原人社监令〔2026〕8号")
    assert r.status_code == 200, r.get_json()
    follow_up = r.get_json()["follow_up_inspection_id"]
    row = db.execute(text("SELECT employer_id, status, due_at FROM inspections WHERE id = :i"),
                     {"i": follow_up}).one()
    assert row.employer_id == employer.id and row.status == "pending"
    # The working day after the deadline (a Friday), 18:00 in Beijing.
    assert row.due_at.astimezone(clock.BEIJING).isoformat() == "2026-12-28T18:00:00+08:00"
    assert db.execute(text("SELECT status FROM complaints WHERE id = :i"),
                      {"i": made["id"]}).scalar_one() == "closed"
    detail = client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens["command"])).get_json()
    assert [e["kind"] for e in detail["timeline"]] == ["open", "handlers", "close"]
    assert detail["documents"] and detail["documents"][0]["url"].endswith("/notice")


def test_supervision_is_a_workflow_on_open_cases(client, tokens, employer, beijing_day):
    beijing_day("2026-12-01")
    _, case_id = accepted_as_case(client, tokens, employer)
    url = f"/api/v1/cases/{case_id}/supervision"
    sup = {"level": "city", "supervisor": "市局监察支队", "deadline": "2026-12-20",
           "note": "涉及农民工40余人"}
    assert post(client, tokens, url, role="dispatcher", **sup).status_code == 403
    r = post(client, tokens, url, role="command", **{**sup, "note": ""})
    assert r.status_code == 422
    r = post(client, tokens, url, role="command", **sup)
    assert r.status_code == 200 and r.get_json()["supervision"]["level"] == "city"
    r = post(client, tokens, url, role="admin", **{**sup, "level": "province"})
    assert r.status_code == 409  # one supervision at a time: the note is never overwritten
    assert post(client, tokens, url + "/reports", text="已约谈企业负责人").status_code == 200
    beijing_day("2026-12-22")  # past the supervision deadline
    items = client.get("/api/v1/supervisions?level=city", headers=bearer(tokens["command"])
                       ).get_json()["items"]
    mine = next(i for i in items if i["case_id"] == case_id)
    assert mine["overdue"] and items.index(mine) <= sum(i["overdue"] for i in items) - 1
    r = post(client, tokens, url + "/lift", role="command", conclusion="已全额支付工资")
    assert r.status_code == 200 and r.get_json()["supervised"] is False
    assert post(client, tokens, url + "/lift", role="command",
                conclusion="again").status_code == 409
    post(client, tokens, f"/api/v1/cases/{case_id}/close", outcome="withdrawn")
    assert post(client, tokens, url, role="command", **{**sup, "deadline": "2027-01-10"}
                ).status_code == 409  # closed cases are not supervised
    detail = client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens["command"])).get_json()
    assert detail["supervisions"][0]["reports"][0]["text"] == "已约谈企业负责人"
    assert detail["supervisions"][0]["conclusion"] == "已全额支付工资"
