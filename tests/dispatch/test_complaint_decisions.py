"""Complaint acceptance (部令第25号 Art. 18) on Beijing dates with a frozen clock: receipt
time zones, limitation of continuing violations, 补正 pauses, decisions and their written
notices, races, mass incidents and the urgent clock from receipt."""
import threading
from datetime import date

import pytest
from sqlalchemy import text

from geo.core import clock
from geo.core.db import unit_of_work
from tests.casework_fixtures import complain, decide, employer, notice_text, post  # noqa: F401
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, add_inspector, committed  # noqa: F401 (fixture)


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
