"""The coordination pages in headless Chromium. A dispatcher follows a referral to 住建 from
sent to signed for, answered and closed on /referrals; on /rewards they propose a tip reward
(the range shown from the case's fine), 指挥中心 approves it, the dispatcher records the
payment and looks up the tipster (audited). Desktop and phone, Chinese throughout."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from geo.core import clock
from geo.core.db import unit_of_work
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_grading_pages import reads_well, ready, shoot
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)
from tests.geo.test_attachments import PDF

TODAY = clock.today()  # the server's clock is the real one
TIPSTER = "页面测试举报人"


@pytest.fixture()
def tip(committed):  # noqa: F811
    """A complaint in 中原区 whose case closed five days ago with a ¥20,000 fine."""
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    with unit_of_work(committed.sessions) as s:
        complaint = s.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, status,
                                    workers_affected, complainant_name, complainant_phone)
            VALUES (:e, '410102', 'wage_arrears', 'accepted', 6, :n, '13700000000')
            RETURNING id"""), {"e": employer, "n": TIPSTER}).scalar_one()
        case = s.execute(text("""
            INSERT INTO cases (county_adcode, employer_id, complaint_id, opened_on, due_on,
                               outcome, closed_on, decision_date, fine_amount, violations,
                               created_by)
            VALUES ('410102', :e, :k, :opened, :due, 'penalty', :closed, :closed, 20000,
                    '{wage_arrears}', 'tests') RETURNING id"""),
            {"e": employer, "k": complaint, "opened": TODAY - timedelta(days=40),
             "due": TODAY + timedelta(days=20), "closed": TODAY - timedelta(days=5)}).scalar_one()
    committed.complaints.append(complaint)
    committed.undo("DELETE FROM rewards WHERE case_id = :c", c=case)
    committed.undo("DELETE FROM attachments WHERE owner_kind = 'referral' AND owner_id IN "
                   "(SELECT id FROM referrals WHERE source_kind = 'complaint' AND "
                   "source_id = :k)", k=complaint)
    committed.undo("DELETE FROM referrals WHERE source_kind = 'complaint' AND source_id = :k",
                   k=complaint)
    return {"complaint": complaint, "case": case}


def test_a_referral_is_signed_for_answered_and_closed(browser, live_server, client, tokens,
                                                      tip, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    r = client.post("/api/v1/referrals", headers=bearer(tokens["dispatcher"]), json={
        "source": {"kind": "complaint", "id": tip["complaint"]}, "department": "housing",
        "content": "某工地拖欠农民工工资，请督促总包单位支付",
        "feedback_due_on": (TODAY + timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.get_json()
    rid = r.get_json()["id"]
    page = signed_in(browser, live_server, DESKTOP, "/referrals?area=410102")
    ready(page, "lw-referrals")
    row = page.locator(f'#lw-referral-rows tr[data-id="{rid}"]')
    expect(row).to_contain_text("住房和城乡建设部门")
    expect(row).to_contain_text("已移交")
    expect(page.locator("#lw-counts")).to_contain_text("未办结")
    paper = ARTIFACTS / "referral-letter.pdf"
    paper.write_bytes(PDF)
    row.locator("input.lw-attach").set_input_files(str(paper))
    expect(row.locator(".lw-attachments a", has_text="referral-letter.pdf")).to_have_count(
        1, timeout=30_000)
    reads_well(page, DESKTOP)
    shoot(page, "referrals-desktop")
    row.locator(".lw-receive").click()
    expect(row).to_contain_text("已签收", timeout=30_000)
    row = page.locator(f'#lw-referral-rows tr[data-id="{rid}"]')
    row.locator(".lw-remind").click()
    expect(page.locator(f'#lw-referral-rows tr[data-id="{rid}"]')).to_contain_text(
        "已催办 1 次", timeout=30_000)
    row = page.locator(f'#lw-referral-rows tr[data-id="{rid}"]')
    row.locator(".lw-feedback-form input").fill("已约谈总包单位，工资已支付")
    row.locator(".lw-feedback-form button").click()
    expect(page.locator(f'#lw-referral-rows tr[data-id="{rid}"]')).to_contain_text(
        "已反馈", timeout=30_000)
    page.locator(f'#lw-referral-rows tr[data-id="{rid}"] .lw-close').click()
    expect(page.locator(f'#lw-referral-rows tr[data-id="{rid}"]')).to_contain_text(
        "已办结", timeout=30_000)
    got = db.execute(text("SELECT status, received_on, reminders, feedback FROM referrals "
                          "WHERE id = :r"), {"r": rid}).one()
    assert (got.status, got.received_on, got.reminders, got.feedback) == \
        ("closed", TODAY, 1, "已约谈总包单位，工资已支付")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()
    page = signed_in(browser, live_server, PHONE, "/referrals?area=410102", "test-command")
    ready(page, "lw-referrals")
    reads_well(page, PHONE)
    shoot(page, "referrals-phone")
    assert page.locator("#lw-incoming").count() == 0  # 指挥中心 does not register intake
    page.context.close()


def test_a_tip_reward_is_proposed_approved_paid_and_the_tipster_shown(
        browser, live_server, tip, db):  # noqa: F811
    page = signed_in(browser, live_server, DESKTOP, "/rewards?area=410102")
    ready(page, "lw-rewards")
    expect(page.locator("main")).to_contain_text("2%–5%")
    page.locator("#lw-propose summary").click()
    page.fill("#lw-propose-case", str(tip["case"]))
    page.locator("#lw-propose-case").dispatch_event("change")
    expect(page.locator("#lw-propose-range")).to_contain_text("400.00–1,000.00", timeout=30_000)
    assert page.locator("#lw-propose-amount").input_value() == "400"
    page.fill("#lw-propose-amount", "1200")  # above the most the fine allows
    page.locator("#lw-propose-form button[type=submit]").click()
    expect(page.locator("#lw-propose-message")).to_contain_text("超过上限", timeout=30_000)
    page.fill("#lw-propose-amount", "800")
    page.locator("#lw-propose-form button[type=submit]").click()
    row = page.locator("#lw-reward-rows tr", has_text=f"案件 {tip['case']}")
    expect(row).to_contain_text("待审批", timeout=30_000)
    assert TIPSTER not in page.evaluate("document.body.innerText")
    # The dispatcher may see who tipped; the reading is recorded.
    row.locator(".lw-tipster").click()
    expect(row).to_contain_text(TIPSTER, timeout=30_000)
    reward = db.execute(text("SELECT id FROM rewards WHERE case_id = :c"),
                        {"c": tip["case"]}).scalar_one()
    assert db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'read_identity' AND "
                           "entity = 'reward' AND entity_id = :r"), {"r": str(reward)}).scalar() == 1
    assert row.locator(".lw-approve-form").count() == 0  # dispatchers do not approve
    page.context.close()

    page = signed_in(browser, live_server, DESKTOP, "/rewards?area=410102", "test-command")
    ready(page, "lw-rewards")
    row = page.locator(f'#lw-reward-rows tr[data-id="{reward}"]')
    assert row.locator(".lw-tipster").count() == 0  # 指挥中心 may not see who tipped
    row.locator(".lw-approve-form input").fill("900")
    row.locator(".lw-approve-form button").click()
    expect(page.locator(f'#lw-reward-rows tr[data-id="{reward}"]')).to_contain_text(
        "已批准", timeout=30_000)
    reads_well(page, DESKTOP)
    shoot(page, "rewards-desktop")
    page.context.close()

    page = signed_in(browser, live_server, PHONE, "/rewards?area=410102")
    ready(page, "lw-rewards")
    row = page.locator(f'#lw-reward-rows tr[data-id="{reward}"]')
    row.locator(".lw-pay-form input[name=reference]").fill("JL-001")
    row.locator(".lw-pay-form button").click()
    expect(page.locator(f'#lw-reward-rows tr[data-id="{reward}"]')).to_contain_text(
        "已发放", timeout=30_000)
    reads_well(page, PHONE)
    shoot(page, "rewards-phone")
    got = db.execute(text("SELECT status, amount, decided_by, paid_on, paid_by FROM rewards "
                          "WHERE id = :r"), {"r": reward}).one()
    assert (got.status, float(got.amount), got.decided_by, got.paid_on, got.paid_by) == \
        ("paid", 900.0, "test-command", TODAY, "test-dispatcher")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()
