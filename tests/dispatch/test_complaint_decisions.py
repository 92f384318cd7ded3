"""Complaint acceptance (部令第25号 Art. 18) and cases, on Beijing dates with a frozen clock:
receipt time zones, limitation of continuing violations, 补正 pauses, decisions and their
written notices, case outcomes, extension by another admin, suspension, 挂牌督办, races."""
import io
import threading
from datetime import date

import docx
import pytest
from sqlalchemy import text

from geo.core import clock
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer, unique
from tests.dispatch_fixtures import SITE, add_inspector, committed  # noqa: F401 (fixture)


@pytest.fixture()
def employer(committed, db):  # noqa: F811
    employer_id = committed.employer(lon=SITE[0], lat=SITE[1])
    return db.execute(text("SELECT id, credit_code, name, county_adcode FROM employers "
                           "WHERE id = :i"), {"i": employer_id}).one()


def complain(client, tokens, employer, **extra):
    body = {"category": "wage_arrears", "workers_affected": 3, "description": "拖欠两个月工资",
            "employer": {"credit_code": employer.credit_code},
            "complainant": {"name": "王小明", "phone": "13712345678"}, **extra}
    r = client.post("/api/v1/complaints", json=body, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def decide(client, tokens, complaint_id, role="dispatcher", **body):
    return client.post(f"/api/v1/complaints/{complaint_id}/decision", json=body,
                       headers=bearer(tokens[role]))


def notice_text(client, token, url) -> str:
    r = client.get(url, headers=bearer(token))
    assert r.status_code == 200
    assert r.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(r.data))
    return "\n".join(p.text for p in document.paragraphs)


def test_a_complaint_received_monday_0730_in_zhengzhou_counts_from_monday(
        client, tokens, employer, beijing_day):
    beijing_day("2026-11-30")  # a Monday; 07:30 in Beijing is still Sunday in UTC
    made = complain(client, tokens, employer, received_at="2026-11-30T07:30:00+08:00")
    assert made["acceptance_due"] == "2026-12-07"  # 5 working days after Monday, not Friday
    same = complain(client, tokens, employer, received_at="2026-11-29T23:30:00+00:00")
    assert same["acceptance_due"] == "2026-12-07"  # the same instant written in UTC


@pytest.mark.parametrize("extra, proposed", [
    ({"occurred_on": "2023-06-01", "continuing": True}, False),  # 持续拖欠至今
    ({"occurred_on": "2023-06-01", "violation_ended_on": "2025-08-31"}, False),
    ({"occurred_on": "2023-06-01", "violation_ended_on": "2024-06-30"}, True),
    ({"occurred_on": "2023-06-01"}, True),
])
def test_limitation_runs_from_the_end_of_a_continuing_violation(
        client, tokens, employer, beijing_day, extra, proposed):
    beijing_day("2026-11-30")
    made = complain(client, tokens, employer, **extra)
    assert made["status"] == "received"  # never refused without a person
    assert (made["proposal"] is not None) is proposed
    if proposed:
        assert made["proposal"]["decision"] == "refuse"
        assert "Art. 20" in made["proposal"]["reason_text"]


def test_continuing_and_ended_together_are_refused_and_nothing_is_written(
        client, tokens, employer, db):
    before = db.execute(text("SELECT count(*) FROM complaints")).scalar_one()
    r = client.post("/api/v1/complaints", json={
        "category": "wage_arrears", "continuing": True, "violation_ended_on": "2026-01-01",
        "employer": {"credit_code": employer.credit_code}}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422 and "continuing" in r.get_json()["error"]["message"]
    r = client.post("/api/v1/complaints", json={
        "category": "wage_arrears", "received_at": "2026-11-30T07:30:00",
        "employer": {"credit_code": employer.credit_code}}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 400 and "offset" in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT count(*) FROM complaints")).scalar_one() == before


def test_request_for_information_pauses_the_clock_and_resumes_with_the_days_left(
        client, tokens, employer, beijing_day):
    beijing_day("2026-11-30")  # Monday: due 7 December
    made = complain(client, tokens, employer)
    beijing_day("2026-12-02")  # Wednesday: 3 working days left (Thu, Fri, Mon)
    r = decide(client, tokens, made["id"], decision="request_info", reason="请补充用人单位地址")
    assert r.status_code == 200 and r.get_json()["status"] == "info_requested"
    assert r.get_json()["complaint"]["paused"] and r.get_json()["complaint"][
        "working_days_left"] is None
    # While paused, no decision can be taken.
    r = decide(client, tokens, made["id"], decision="accept", reason="x")
    assert r.status_code == 409 and "awaiting information" in r.get_json()["error"]["message"]
    beijing_day("2026-12-14")  # the information arrives on a Monday, 12 days later
    r = client.post(f"/api/v1/complaints/{made['id']}/information", json={"note": "已补充地址"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json()["status"] == "received"
    assert r.get_json()["acceptance_due"] == "2026-12-17"  # Mon + 3 working days
    r = client.post(f"/api/v1/complaints/{made['id']}/information", json={},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 409


def test_decisions_need_a_reason_the_right_role_and_the_right_state(
        client, tokens, employer, db):
    made = complain(client, tokens, employer)
    assert decide(client, tokens, made["id"], decision="accept").status_code == 422
    r = decide(client, tokens, made["id"], decision="accept", reason="  ")
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["message"]
    assert decide(client, tokens, made["id"], role="command", decision="accept",
                  reason="x").status_code == 403
    assert decide(client, tokens, made["id"], role="inspector", decision="accept",
                  reason="x").status_code == 403
    r = decide(client, tokens, made["id"], decision="redirect", reason="不属本局管辖")
    assert r.status_code == 422 and "redirect" in r.get_json()["error"]["message"]
    r = decide(client, tokens, made["id"], decision="refuse", reason="x")
    assert r.status_code == 422 and "ground" in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT status FROM complaints WHERE id = :i"),
                      {"i": made["id"]}).scalar_one() == "received"
    assert db.execute(text("SELECT count(*) FROM complaint_decisions WHERE complaint_id = :i"),
                      {"i": made["id"]}).scalar_one() == 0
    r = decide(client, tokens, made["id"], decision="redirect", reason="用工所在地在开封",
               redirect_to="开封市龙亭区人力资源和社会保障局", redirect_kind="jurisdiction")
    assert r.status_code == 200 and r.get_json()["status"] == "redirected"
    r = decide(client, tokens, made["id"], decision="accept", reason="again")
    assert r.status_code == 409 and "redirected" in r.get_json()["error"]["message"]


@pytest.mark.parametrize("decision, extra, title, words", [
    ("accept", {"mode": "inspect"}, "受理告知书", ["第十八条", "检查"]),
    ("accept", {"mode": "case"}, "受理告知书", ["立案", "六十个工作日", "{case_due}"]),
    ("refuse", {"ground": "time_barred"}, "不予受理告知书", ["第二十条", "行政复议"]),
    ("refuse", {"ground": "not_labour_matter"}, "不予受理告知书", ["职责范围", "行政复议"]),
    ("request_info", {}, "补正通知书", ["2026年12月7日", "补正"]),
    ("redirect", {"redirect_to": "郑州市住房和城乡建设局"}, "转办告知书",
     ["郑州市住房和城乡建设局"]),
])
def test_every_decision_produces_its_written_notice(client, tokens, employer, beijing_day,
                                                    decision, extra, title, words):
    beijing_day("2026-11-30")
    made = complain(client, tokens, employer, received_at="2026-11-27T16:00:00+08:00")
    r = decide(client, tokens, made["id"], decision=decision, reason="经核查的理由<&>", **extra)
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    body = notice_text(client, tokens["dispatcher"], answer["notice_url"])
    assert title in body and answer["notice_no"] in body and "〔2026〕" in answer["notice_no"]
    assert "郑州市中原区人力资源和社会保障局" in body
    assert employer.name in body and "2026年11月27日" in body and "2026年11月30日" in body
    if answer["case_id"]:
        due = date.fromisoformat(client.get(f"/api/v1/cases/{answer['case_id']}", headers=bearer(
            tokens["command"])).get_json()["due_on"])
        words = [w.replace("{case_due}", f"{due.year}年{due.month}月{due.day}日") for w in words]
    assert "经核查的理由<&>" in body and all(w in body for w in words), body
    assert "王小明" in body  # a dispatcher may see who complained
    # The command centre reads the same notice without the complainant's identity.
    assert "王小明" not in notice_text(client, tokens["command"], answer["notice_url"])


def test_reading_a_notice_with_the_name_is_audited(client, tokens, employer, db):
    made = complain(client, tokens, employer)
    url = decide(client, tokens, made["id"], decision="accept", reason="受理").get_json()[
        "notice_url"]

    def readings():
        return db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'read_identity' "
                               "AND entity_id = :i"), {"i": str(made["id"])}).scalar_one()

    before = readings()
    notice_text(client, tokens["command"], url)
    assert readings() == before  # no name shown, nothing to audit
    notice_text(client, tokens["dispatcher"], url)
    assert readings() == before + 1


def test_notice_numbers_count_per_county_kind_and_year(client, tokens, employer, beijing_day):
    beijing_day("2026-11-30")
    numbers = []
    for _ in range(3):
        made = complain(client, tokens, employer)
        numbers.append(decide(client, tokens, made["id"], decision="accept",
                              reason="受理").get_json()["notice_no"])
    seq = [int(n.split("〕")[1].rstrip("号")) for n in numbers]
    assert numbers[0].startswith("中原人社监受〔2026〕") and seq == [seq[0], seq[0] + 1, seq[0] + 2]


def test_concurrent_decisions_on_one_complaint_one_wins(app, sessions, employer, client,
                                                        tokens):
    """Two dispatchers decide the same complaint at once: one decision, one 409."""
    made = complain(client, tokens, employer)
    results, barrier = [], threading.Barrier(4)

    def worker(decision):
        c = app.test_client()
        barrier.wait()
        extra = {"ground": "not_labour_matter"} if decision == "refuse" else {}
        results.append(c.post(f"/api/v1/complaints/{made['id']}/decision",
                              json={"decision": decision, "reason": "并发", **extra},
                              headers=bearer(tokens["dispatcher"])).status_code)

    threads = [threading.Thread(target=worker, args=(d,))
               for d in ("accept", "refuse", "accept", "request_info")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409, 409]
    with sessions() as s:
        assert s.execute(text("SELECT count(*) FROM complaint_decisions WHERE complaint_id = :i"),
                         {"i": made["id"]}).scalar_one() == 1


# Cases ----------------------------------------------------------------------------------

@pytest.fixture()
def team(committed, sessions):  # noqa: F811
    """Two certified inspectors of 中原区, one of 二七区, one uncertified."""
    with unit_of_work(sessions) as s:
        ids = [add_inspector(s, lon=SITE[0], lat=SITE[1]) for _ in range(2)]
        other = add_inspector(s, lon=SITE[0], lat=SITE[1], county="410103")
        uncertified = add_inspector(s, lon=SITE[0], lat=SITE[1], certified=False)
    committed.officers += [*ids, other, uncertified]
    return {"ids": ids, "other": other, "uncertified": uncertified}


def county_inspectors(client, tokens, county="410102") -> list[int]:
    """Two certified inspectors of the demo data in the county."""
    live = client.get(f"/api/v1/officers/live?area={county}",
                      headers=bearer(tokens["dispatcher"])).get_json()["features"]
    return sorted(f["properties"]["id"] for f in live
                  if f["properties"]["kind"] == "inspector" and f["properties"].get(
                      "certified", True))[:2]


def accepted_as_case(client, tokens, employer, handlers=True):
    made = complain(client, tokens, employer)
    r = decide(client, tokens, made["id"], decision="accept", mode="case", reason="立案查处")
    assert r.status_code == 200 and r.get_json()["case_id"], r.get_json()
    case_id = r.get_json()["case_id"]
    if handlers:
        r = client.post(f"/api/v1/cases/{case_id}/handlers",
                        json={"handler_ids": county_inspectors(client, tokens)},
                        headers=bearer(tokens["dispatcher"]))
        assert r.status_code == 200, r.get_json()
    return made, case_id


def post(client, tokens, url, role="dispatcher", **body):
    return client.post(url, json=body, headers=bearer(tokens[role]))


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


def test_mass_incident_is_escalated_once_with_the_time(client, tokens, employer, beijing_day):
    beijing_day("2026-12-01")
    made = complain(client, tokens, employer, workers_affected=25)
    incidents = client.get("/api/v1/incidents?area=410102", headers=bearer(tokens["command"])
                           ).get_json()["items"]
    mine = next(i for i in incidents if i["id"] == made["incident_id"])
    assert made["id"] in mine["complaint_ids"] and mine["inspection_ids"] and not mine[
        "escalated_at"]
    url = f"/api/v1/incidents/{made['incident_id']}/escalate"
    assert post(client, tokens, url, role="command", leader="").status_code == 422
    r = post(client, tokens, url, role="command", leader="分管副局长 李明")
    assert r.status_code == 200 and r.get_json()["escalated_at"].startswith("2026-12-01")
    assert post(client, tokens, url, role="command", leader="x").status_code == 409


def test_an_urgent_inspection_keeps_its_clock_from_receipt_when_assigned_later(
        client, tokens, employer, beijing_day, committed, sessions, db):  # noqa: F811
    beijing_day("2026-12-01")  # 10:00 Beijing
    made = complain(client, tokens, employer, workers_affected=15,
                    received_at="2026-12-01T08:15:00+08:00")
    with unit_of_work(sessions) as s:
        ids = [add_inspector(s, lon=SITE[0] + 0.001 * i, lat=SITE[1]) for i in (1, 2)]
    committed.officers += ids
    r = client.post(f"/api/v1/inspections/{made['inspection_id']}/assign",
                    json={"officer_ids": ids}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    due = db.execute(text("SELECT due_at FROM inspections WHERE id = :i"),
                     {"i": made["inspection_id"]}).scalar_one()
    assert due.astimezone(clock.BEIJING).isoformat() == "2026-12-01T10:15:00+08:00"
    late = client.get("/api/v1/kpis/urgent-responses?area=410102&state=on_time",
                      headers=bearer(tokens["command"])).get_json()
    assert made["inspection_id"] in [i["id"] for i in late["items"]]
