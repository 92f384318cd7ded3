"""Tip rewards (举报奖励): the arithmetic at the floor and the cap, proposals only for penalised
tips, approval by someone other than the proposer and the handlers, payment only after the
case closes, two proposals at once, and the tipster never in what a list or a reward shows."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from dispatch.rewards import service
from dispatch.rewards.settings import RewardSettings
from geo.accounts.service import create_user
from geo.core.db import unit_of_work
from geo.core.errors import Conflict
from tests.conftest import PASSWORD, bearer, unique
from tests.dispatch_fixtures import SITE, add_inspector, committed, race  # noqa: F401 (fixture)

S = RewardSettings()
DAY = "2026-11-30"  # Beijing; the tests travel here
CLOSED = date(2026, 11, 20)
TIPSTER = "举报人王某某"


@pytest.mark.parametrize(("fine", "least", "most"), [
    ("3000", "200.00", "200.00"),        # 2 % = 60, 5 % = 150: the floor
    ("100000", "2000.00", "2000.00"),    # 2 % = 2,000, 5 % = 5,000: the cap
    ("20000", "400.00", "1000.00"),      # inside: 2 % and 5 %
    ("10000", "200.00", "500.00"),       # 2 % = 200 exactly at the floor
    ("40000", "800.00", "2000.00"),      # 5 % = 2,000 exactly at the cap
    ("39999.99", "800.00", "2000.00"),   # 1,999.9995 rounds half up to the cap
    ("0", "0.00", "0.00"),               # no fine, no reward
])
def test_reward_bounds(fine, least, most):
    assert service.bounds(Decimal(fine), S) == (Decimal(least), Decimal(most))


def test_reward_settings_move_the_bounds():
    wide = RewardSettings(min_rate=Decimal("0.01"), max_rate=Decimal("0.1"),
                          floor=Decimal("100"), cap=Decimal("5000"))
    assert service.bounds(Decimal("20000"), wide) == (Decimal("200.00"), Decimal("2000.00"))
    with pytest.raises(ValueError):
        RewardSettings(floor=Decimal("3000"), cap=Decimal("2000"))


@pytest.mark.parametrize(("fine", "expected"), [
    ("3000", {"min": 200, "max": 200}), ("100000", {"min": 2000, "max": 2000}),
    ("20000", {"min": 400, "max": 1000}), ("20000.50", {"min": 400.01, "max": 1000.03})])
def test_the_range_route(client, tokens, fine, expected):
    r = client.get(f"/api/v1/rewards/range?fine={fine}", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json() == expected


@pytest.mark.parametrize("fine", ["-1", "abc", "", "nan", "1e400"])
def test_a_bad_fine_is_a_400(client, tokens, fine):
    r = client.get(f"/api/v1/rewards/range?fine={fine}", headers=bearer(tokens["command"]))
    assert r.status_code == 400
    assert r.get_json()["error"]["details"]["parameter"] == "fine"


@pytest.fixture()
def tip(committed, beijing_day):  # noqa: F811
    """A tip (complaint) whose case was closed on CLOSED with a fine: make(fine=…, …)."""
    beijing_day(DAY)

    def make(fine="20000", closed=True, actionable=True, complaint=True, handler=None,
             outcome="penalty"):
        employer = committed.employer(lon=SITE[0], lat=SITE[1])
        with unit_of_work(committed.sessions) as s:
            complaint_id = None
            if complaint:
                complaint_id = s.execute(text("""
                    INSERT INTO complaints (employer_id, county_adcode, category, status, workers_affected,
                                            complainant_name, complainant_phone, actionable)
                    VALUES (:e, '410102', 'wage_arrears', 'accepted', 3, :n, '13900000000', :a)
                    RETURNING id"""), {"e": employer, "n": TIPSTER, "a": actionable}).scalar_one()
                committed.complaints.append(complaint_id)
            case_id = s.execute(text("""
                INSERT INTO cases (county_adcode, employer_id, complaint_id, opened_on, due_on,
                                   outcome, closed_on, decision_date, fine_amount, handler_ids,
                                   violations, created_by)
                VALUES ('410102', :e, :k, DATE '2026-09-01', DATE '2026-11-28',
                        CASE WHEN :closed THEN CAST(:outcome AS text) END,
                        CASE WHEN :closed THEN CAST(:day AS date) END, DATE '2026-11-10',
                        CAST(:fine AS numeric), CAST(:h AS integer[]), '{wage_arrears}', 'tests')
                RETURNING id"""), {"e": employer, "k": complaint_id, "closed": closed,
                                   "day": CLOSED, "fine": fine, "outcome": outcome,
                                   "h": [handler] if handler else []}).scalar_one()
        committed.undo("DELETE FROM rewards WHERE case_id = :c", c=case_id)
        return case_id
    return make


def propose(client, tokens, case_id, amount=600, role="dispatcher"):
    return client.post("/api/v1/rewards", json={"case_id": case_id, "amount": amount,
                                                "reason": "举报属实，经查处以罚款"},
                       headers=bearer(tokens[role]))


def count(db, case_id):
    return db.execute(text("SELECT count(*) FROM rewards WHERE case_id = :c"),
                      {"c": case_id}).scalar()


def test_a_reward_outside_the_bounds_is_a_422_naming_the_bound(client, tokens, tip, db):
    case_id = tip(fine="20000")
    for amount, bound in ((399.99, "下限 400.00"), (1000.01, "上限 1,000.00")):
        r = propose(client, tokens, case_id, amount)
        assert r.status_code == 422, r.get_json()
        client_zh = client.post("/api/v1/rewards", json={"case_id": case_id, "amount": amount},
                                headers={**bearer(tokens["dispatcher"]), "Accept-Language": "zh"})
        assert bound in client_zh.get_json()["error"]["message"]
        assert r.get_json()["error"]["details"] == {"parameter": "amount", "min": 400.0,
                                                    "max": 1000.0}
    assert count(db, case_id) == 0
    r = propose(client, tokens, case_id, 600)
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert (got["status"], got["amount"], got["fine_amount"]) == ("proposed", 600.0, 20000.0)
    assert propose(client, tokens, case_id, 600).status_code == 409  # one reward per case


def test_only_a_true_tip_penalised_with_a_fine_is_rewarded(client, tokens, tip, db):
    for made in (tip(complaint=False), tip(actionable=False), tip(fine=None, outcome="order_to_correct")):
        r = propose(client, tokens, made, 600)
        assert r.status_code in (409, 422), r.get_json()
        assert count(db, made) == 0
    assert propose(client, tokens, tip(complaint=False), 600).get_json()["error"]["code"] \
        == "conflict"


def test_approval_by_another_and_payment_only_after_closing(client, tokens, tip, db, committed):  # noqa: F811
    # The case's handler has an account: they may not approve its reward.
    with unit_of_work(committed.sessions) as s:
        user = create_user(s, username=unique("handler"), password=PASSWORD, role="admin",
                           actor="tests")
        committed.users.append(user.id)
        handler = add_inspector(s, lon=SITE[0], lat=SITE[1], user_id=user.id)
    case_id = tip(fine="50000", closed=False, handler=handler)  # 1,000–2,000
    r = propose(client, tokens, case_id, 2000, role="admin")  # test-admin proposes
    assert r.status_code == 201, r.get_json()
    reward = r.get_json()
    url = f"/api/v1/rewards/{reward['id']}"
    own = client.post(url + "/approve", json={"version": reward["version"]},
                      headers=bearer(tokens["admin"]))
    assert own.status_code == 409 and "自己" in client.post(
        url + "/approve", json={"version": reward["version"]},
        headers={**bearer(tokens["admin"]), "Accept-Language": "zh"}).get_json()["error"]["message"]
    token = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": PASSWORD}).get_json()["token"]
    by_handler = client.post(url + "/approve", json={"version": reward["version"]},
                             headers=bearer(token))
    assert by_handler.status_code == 409, by_handler.get_json()
    assert client.post(url + "/approve", json={"version": reward["version"], "amount": 2500},
                       headers=bearer(tokens["command"])).status_code == 422  # above the cap
    r = client.post(url + "/approve", json={"version": reward["version"], "amount": 1800},
                    headers=bearer(tokens["command"]))
    assert r.status_code == 200, r.get_json()
    approved = r.get_json()
    assert (approved["status"], approved["amount"], approved["decided_by"]) == \
        ("approved", 1800.0, "test-command")
    assert approved["pay_due_on"] > DAY
    again = client.post(url + "/approve", json={"version": approved["version"]},
                        headers=bearer(tokens["command"]))
    assert again.status_code == 409

    # Paid before the case is closed: 409, nothing recorded.
    r = client.post(url + "/payment", json={"paid_on": DAY}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 409, r.get_json()
    assert db.execute(text("SELECT status FROM rewards WHERE id = :r"),
                      {"r": reward["id"]}).scalar() == "approved"
    db.execute(text("UPDATE cases SET closed_on = :d, outcome = 'penalty' WHERE id = :c"),
               {"d": CLOSED, "c": case_id})
    db.commit()
    early = client.post(url + "/payment", json={"paid_on": str(CLOSED - timedelta(days=1))},
                        headers=bearer(tokens["dispatcher"]))
    assert early.status_code == 422
    r = client.post(url + "/payment", json={"paid_on": DAY, "reference": "JL-2026-001"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["paid_on"]) == ("paid", DAY)
    actions = db.execute(text("SELECT action FROM audit_log WHERE entity = 'reward' AND "
                              "entity_id = :r ORDER BY id"), {"r": str(reward["id"])}).scalars()
    assert list(actions) == ["propose", "approve", "pay"]


def test_an_untrue_tip_is_refused(client, tokens, tip):
    reward = propose(client, tokens, tip(), 600).get_json()
    url = f"/api/v1/rewards/{reward['id']}"
    bad = client.post(url + "/refuse", json={"version": reward["version"], "refusal": "lies"},
                      headers=bearer(tokens["command"]))
    assert bad.status_code in (400, 422)
    r = client.post(url + "/refuse", json={"version": reward["version"], "refusal": "false_tip",
                                           "note": "复查认定举报内容与事实不符"},
                    headers=bearer(tokens["command"]))
    assert r.status_code == 200 and r.get_json()["status"] == "refused"
    assert client.post(url + "/payment", json={"paid_on": DAY},
                       headers=bearer(tokens["dispatcher"])).status_code == 409


def test_two_proposals_at_once_make_one_reward(tip, sessions):
    case_id = tip()
    outcomes = race(sessions, lambda s: service.propose(
        s, case_id=case_id, amount=Decimal("500"), reason=None, settings=S, actor="race"),
        Conflict)
    assert outcomes == ["ok", "refused"]
    with sessions() as s:
        assert s.execute(text("SELECT count(*) FROM rewards WHERE case_id = :c"),
                         {"c": case_id}).scalar() == 1


def test_the_tipster_is_never_in_a_list_or_a_reward(client, tokens, tip, db):
    reward = propose(client, tokens, tip(), 600).get_json()
    for role in ("dispatcher", "command", "admin"):
        for url in ("/api/v1/rewards?area=410102", f"/api/v1/rewards/{reward['id']}"):
            r = client.get(url, headers=bearer(tokens[role]))
            assert r.status_code == 200
            body = r.get_data(as_text=True)
            assert TIPSTER not in body and "13900000000" not in body
    assert reward["id"] in [x["id"] for x in client.get(
        "/api/v1/rewards?area=410102", headers=bearer(tokens["command"])).get_json()["items"]]
    url = f"/api/v1/rewards/{reward['id']}/tipster"
    assert client.get(url, headers=bearer(tokens["command"])).status_code == 403
    assert client.get(url, headers=bearer(tokens["inspector"])).status_code == 403
    before = db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'read_identity' "
                             "AND entity = 'reward' AND entity_id = :r"),
                        {"r": str(reward["id"])}).scalar()
    r = client.get(url, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200 and r.get_json()["name"] == TIPSTER
    after = db.execute(text("SELECT actor FROM audit_log WHERE action = 'read_identity' "
                            "AND entity = 'reward' AND entity_id = :r"),
                       {"r": str(reward["id"])}).scalars().all()
    assert len(after) == before + 1 and after[-1] == "test-dispatcher"
