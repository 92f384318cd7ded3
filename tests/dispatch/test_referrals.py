"""Referrals (部门协调): the configured departments, the receipt deadline in working days and
overdue, reminders, states, police transfers with their facts, another jurisdiction, referrals
in that become complaints, the KPI, and two receipts at once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dispatch.calendar.service import WorkingCalendar
from dispatch.referrals import service
from dispatch.referrals.settings import ReferralSettings
from geo.core.db import unit_of_work
from geo.core.errors import Conflict, Unprocessable
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed, race  # noqa: F401 (fixture)

FRIDAY = "2026-11-27"  # Beijing; a working Friday


@pytest.fixture()
def complaint(committed, beijing_day):  # noqa: F811
    """A complaint in 中原区 to refer; referrals made from it are removed afterwards."""
    beijing_day(FRIDAY)
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    with unit_of_work(committed.sessions) as s:
        made = s.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, status,
                                    workers_affected)
            VALUES (:e, '410102', 'wage_arrears', 'accepted', 4) RETURNING id"""),
            {"e": employer}).scalar_one()
    committed.complaints.append(made)
    committed.undo("DELETE FROM referrals WHERE source_kind = 'complaint' AND "
                   "source_id IN (SELECT id FROM complaints WHERE employer_id = :e)", e=employer)
    committed.employer_id = employer
    return made


def refer(client, tokens, complaint_id, role="dispatcher", **over):
    body = {"source": {"kind": "complaint", "id": complaint_id}, "department": "housing",
            "content": "该工地拖欠农民工工资，请督促总包单位支付", "feedback_due_on": "2026-12-31"}
    body.update(over)
    return client.post("/api/v1/referrals", json=body, headers=bearer(tokens[role]))


def test_an_unknown_department_is_a_422_naming_the_list(client, tokens, complaint, db):
    r = client.post("/api/v1/referrals", headers={**bearer(tokens["dispatcher"]),
                                                  "Accept-Language": "zh"},
                    json={"source": {"kind": "complaint", "id": complaint},
                          "department": "tax", "content": "x", "feedback_due_on": "2026-12-31"})
    assert r.status_code == 422
    assert "住房和城乡建设部门" in r.get_json()["error"]["message"]
    assert "tax" in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT count(*) FROM referrals WHERE source_kind = 'complaint' "
                           "AND source_id = :c"), {"c": complaint}).scalar() == 0
    with pytest.raises(Unprocessable):  # the list is a setting
        service.check_department("housing", ReferralSettings(departments=("court",)))
    service.check_department("court", ReferralSettings(departments=("court",)))


def test_receipt_is_due_in_working_days_and_then_overdue(client, tokens, complaint, db,
                                                          beijing_day):
    calendar = WorkingCalendar.load(db)
    due = calendar.add_working_days(date.fromisoformat(FRIDAY), 3)
    r = refer(client, tokens, complaint)
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert (made["sent_on"], made["receipt_due_on"], made["status"]) == \
        (FRIDAY, due.isoformat(), "sent")
    assert due.weekday() < 5 and (due - date.fromisoformat(FRIDAY)).days > 3  # a weekend

    def state():
        got = client.get(f"/api/v1/referrals/{made['id']}", headers=bearer(tokens["command"]))
        return got.get_json()["overdue"], got.get_json()["overdue_kind"]

    def listed_overdue():
        items = client.get("/api/v1/referrals?area=410102&overdue=true",
                           headers=bearer(tokens["command"])).get_json()["items"]
        return made["id"] in [x["id"] for x in items]

    beijing_day(due.isoformat())
    assert state() == (False, None) and not listed_overdue()
    beijing_day((due + timedelta(days=1)).isoformat())
    assert state() == (True, "receipt") and listed_overdue()
    first = client.get("/api/v1/referrals?area=410102",
                       headers=bearer(tokens["command"])).get_json()["items"][0]
    assert first["overdue"]  # overdue first
    r = client.post(f"/api/v1/referrals/{made['id']}/receive", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json()["status"] == "received"
    assert state() == (False, None)
    beijing_day("2027-01-04")  # past the feedback deadline, still no feedback
    assert state() == (True, "feedback")


def test_states_reminders_and_feedback(client, tokens, complaint):
    made = refer(client, tokens, complaint).get_json()
    url = f"/api/v1/referrals/{made['id']}"
    h = bearer(tokens["dispatcher"])
    assert client.post(url + "/close", headers=h).status_code == 409  # not answered yet
    r = client.post(url + "/remind", headers=h)
    assert r.status_code == 200 and r.get_json()["reminders"] == 1
    again = client.post(url + "/remind", headers=h)
    assert again.status_code == 409  # not again the same day
    assert client.post(url + "/receive", headers=h).status_code == 200
    assert client.post(url + "/receive", headers=h).status_code == 409
    r = client.post(url + "/feedback", json={"feedback": "已约谈总包单位，工资已于当日支付"},
                    headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "feedback"
    r = client.post(url + "/close", headers=h)
    assert r.status_code == 200 and r.get_json()["closed_on"] == FRIDAY
    assert client.post(url + "/remind", headers=h).status_code == 409


def test_a_police_transfer_carries_the_facts(client, tokens, complaint, db):
    base = {"department": "public_security", "content": "涉嫌拒不支付劳动报酬，移送公安机关"}
    facts = {"offence": "wage_refusal", "amount_owed": 186000, "workers": 23,
             "order_served_on": "2026-11-02", "deadline_on": "2026-11-16"}
    for missing in ("amount_owed", "workers", "order_served_on", "deadline_on"):
        partial = {k: v for k, v in facts.items() if k != missing}
        r = refer(client, tokens, complaint, **base, facts=partial)
        assert r.status_code == 422, (missing, r.get_json())
        assert r.get_json()["error"]["details"]["parameter"] == f"facts.{missing}"
    early = refer(client, tokens, complaint, **base, facts={**facts, "deadline_on": "2026-11-30"})
    assert early.status_code == 422  # the deadline to pay has not passed
    assert refer(client, tokens, complaint, **base).status_code == 422  # no facts at all
    assert db.execute(text("SELECT count(*) FROM referrals WHERE source_kind = 'complaint' "
                           "AND source_id = :c"), {"c": complaint}).scalar() == 0
    r = refer(client, tokens, complaint, **base, facts={**facts, "note": "ignored"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["facts"] == {"offence": "wage_refusal", "amount_owed": "186000",
                                     "workers": 23, "order_served_on": "2026-11-02",
                                     "deadline_on": "2026-11-16"}


def test_another_jurisdiction_needs_its_area(client, tokens, complaint):
    assert refer(client, tokens, complaint, department="jurisdiction").status_code == 422
    assert refer(client, tokens, complaint, department="jurisdiction",
                 target_area="999999").status_code == 422
    r = refer(client, tokens, complaint, department="jurisdiction", target_area="410300")
    assert r.status_code == 201 and r.get_json()["target_area"] == "410300"


def test_a_referral_in_becomes_a_complaint(client, tokens, complaint, committed, db):  # noqa: F811
    code = db.execute(text("SELECT credit_code FROM employers WHERE id = :e"),
                      {"e": committed.employer_id}).scalar()
    r = client.post("/api/v1/referrals/incoming", headers=bearer(tokens["dispatcher"]), json={
        "department": "housing", "content": "住建局转来：某工地 14 名农民工反映被拖欠工资",
        "category": "wage_arrears", "workers_affected": 14, "employer": {"credit_code": code}})
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    complaint_id = got["complaint"]["id"]
    assert got["referral"]["direction"] == "incoming"
    assert got["referral"]["source"] == {"kind": "complaint", "id": complaint_id}
    row = db.execute(text("SELECT status, county_adcode, employer_id, acceptance_due, "
                          "description FROM complaints WHERE id = :c"), {"c": complaint_id}).one()
    assert (row.status, row.county_adcode, row.employer_id) == \
        ("received", "410102", committed.employer_id)
    assert row.acceptance_due is not None and "住建局转来" in row.description
    bad = client.post("/api/v1/referrals/incoming", headers=bearer(tokens["dispatcher"]),
                      json={"department": "tax", "content": "x", "category": "wage_arrears"})
    assert bad.status_code == 422


def test_the_kpi_counts_open_and_overdue_per_department(client, tokens, complaint, beijing_day):
    def counts():
        return client.get("/api/v1/referrals/counts?area=410102",
                          headers=bearer(tokens["command"])).get_json()
    before = counts()
    refer(client, tokens, complaint)
    refer(client, tokens, complaint, department="water")
    after = counts()
    assert after["open"] == before["open"] + 2
    assert after["departments"]["water"]["open"] == \
        before["departments"].get("water", {"open": 0})["open"] + 1
    beijing_day("2027-01-04")
    assert counts()["overdue"] >= after["overdue"] + 2


def test_two_receipts_at_once_record_one(client, tokens, complaint, sessions):
    made = refer(client, tokens, complaint).get_json()
    outcomes = race(sessions, lambda s: service.receive(s, made["id"], received_on=None,
                                                        actor="race"), Conflict)
    assert outcomes == ["ok", "refused"]
    with sessions() as s:
        assert s.execute(text("SELECT version FROM referrals WHERE id = :r"),
                         {"r": made["id"]}).scalar() == 2


def test_the_kpi_panel_links_overdue_referrals(client, tokens, complaint, beijing_day):
    made = refer(client, tokens, complaint).get_json()
    beijing_day("2027-01-04")
    panel = client.get("/api/v1/kpis?area=410102", headers=bearer(tokens["command"])).get_json()
    figure = panel["overdue_referrals"]
    listed = client.get(figure["list"] + "&per_page=500", headers=bearer(tokens["command"]))
    assert listed.status_code == 200, listed.get_json()
    ids = [x["id"] for x in listed.get_json()["items"]]
    assert made["id"] in ids and figure["value"] == listed.get_json()["total"]
