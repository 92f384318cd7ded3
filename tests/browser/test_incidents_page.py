"""Mass incidents in headless Chromium: a dispatcher reports a 12-worker incident to a leader
from /incidents and sees when; the command centre may report but not close; the server's
refusal shows in the form; both pages of the issue read well on a desktop and a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.conftest import ARTIFACTS, bearer
from tests.dispatch.test_complaint_decisions import complain
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)

COUNTY = "410102"  # 中原区
PATH = f"/incidents?area={COUNTY}"
MINUTE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


def mass_incident(client, tokens, committed, db, workers=12):  # noqa: F811
    """A complaint of `workers` workers at a new employer of the test's: its incident's id."""
    employer_id = committed.employer(lon=SITE[0], lat=SITE[1])
    employer = db.execute(text("SELECT id, credit_code, name FROM employers WHERE id = :i"),
                          {"i": employer_id}).one()
    made = complain(client, tokens, employer, workers_affected=workers,
                    description="工人聚集讨薪，要求当日支付拖欠工资")
    assert made["mass_incident"] and made["incident_id"], made
    return made["incident_id"]


@pytest.fixture()
def incident(client, tokens, committed, db):  # noqa: F811
    return mass_incident(client, tokens, committed, db)


def leader_of(db, incident_id):
    return db.execute(text("""
        SELECT leader, to_char(escalated_at AT TIME ZONE 'Asia/Shanghai',
                               'YYYY-MM-DD HH24:MI') AS at, closed_at
        FROM incidents WHERE id = :i"""), {"i": incident_id}).one()


def test_the_command_centre_may_report_an_incident_but_sees_no_close_button(
        browser, live_server, incident, db):  # noqa: F811
    page = signed_in(browser, live_server, DESKTOP, PATH, "test-command")
    page.wait_for_selector('#lw-incidents[data-ready="1"]', timeout=30_000)
    row = page.locator(f'tr.lw-incident[data-id="{incident}"]')
    expect(row).to_have_class(re.compile(r"\blw-pending\b"))
    assert row.locator('[data-open="escalate"]').is_visible()
    assert page.locator('[data-open="close"]').count() == 0
    assert page.locator('form[data-action="close"]').count() == 0
    assert "处置完毕" not in page.locator("#lw-incident-table").inner_text()
    assert problems(page.evaluate("document.body.innerText"), "zh") == []
    assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
    assert leader_of(db, incident).leader is None
    page.context.close()


def test_a_dispatcher_reports_a_mass_incident_to_a_leader_and_sees_when(
        browser, live_server, incident, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page = signed_in(browser, live_server, DESKTOP, PATH)
    page.wait_for_selector('#lw-incidents[data-ready="1"]', timeout=30_000)
    states = page.locator("tr.lw-incident").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-state'))")
    order = {"pending": 0, "escalated": 1, "closed": 2}
    assert [order[s] for s in states] == sorted(order[s] for s in states)  # pending first
    row = page.locator(f'tr.lw-incident[data-id="{incident}"]')
    assert "12 人" in row.inner_text() and "尚未报告" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "incidents-desktop.png"), full_page=True)

    # Keyboard: the button opens the form and puts the cursor in the name field.
    button = row.locator('[data-open="escalate"]')
    button.focus()
    page.keyboard.press("Enter")
    form = row.locator('form[data-action="escalate"]')
    expect(form).to_be_visible()
    assert button.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.name") == "name"

    # Name and title are both required: nothing is sent without them.
    page.keyboard.type("张伟")
    form.locator("button[type=submit]").click()
    error = form.locator(".lw-form-error")
    expect(error).to_have_text("请填写所报告领导的姓名和职务。")
    assert page.evaluate("document.activeElement.name") == "title"
    assert leader_of(db, incident).leader is None

    page.keyboard.type("副局长")
    page.keyboard.press("Enter")
    escalated = row.locator(".lw-escalated")
    expect(escalated).to_contain_text("张伟（副局长）", timeout=30_000)
    stored = leader_of(db, incident)
    assert stored.leader == "张伟（副局长）" and stored.at
    assert f"{stored.at} 报告" in escalated.inner_text()  # the time, in Beijing
    expect(row).to_have_attribute("data-state", "escalated")
    expect(row).not_to_have_class(re.compile(r"\blw-pending\b"))
    assert row.locator('[data-open="escalate"]').count() == 0  # reported once
    message = page.locator("#lw-message")
    assert "张伟（副局长）" in message.inner_text() and stored.at in message.inner_text()
    page.screenshot(path=str(ARTIFACTS / "incidents-escalated-desktop.png"), full_page=True)

    # After a reload the page shows the same, from the server.
    page.reload()
    page.wait_for_selector('#lw-incidents[data-ready="1"]', timeout=30_000)
    assert f"{stored.at} 报告" in page.locator(
        f'tr.lw-incident[data-id="{incident}"] .lw-escalated').inner_text()
    assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
    page.context.close()


def test_the_servers_refusal_shows_in_the_form_and_closing_ends_the_actions(
        browser, live_server, client, tokens, committed, incident, db):  # noqa: F811
    page = signed_in(browser, live_server, DESKTOP, PATH)
    page.wait_for_selector('#lw-incidents[data-ready="1"]', timeout=30_000)
    # Someone else reports it first: the page, not reloaded, still offers the form.
    r = client.post(f"/api/v1/incidents/{incident}/escalate", json={"leader": "李娜（局长）"},
                    headers=bearer(tokens["command"]))
    assert r.status_code == 200, r.get_json()
    row = page.locator(f'tr.lw-incident[data-id="{incident}"]')
    row.locator('[data-open="escalate"]').click()
    form = row.locator('form[data-action="escalate"]')
    form.locator('input[name="name"]').fill("张伟")
    form.locator('input[name="title"]').fill("副局长")
    form.locator("button[type=submit]").click()
    error = form.locator(".lw-form-error")
    expect(error).to_contain_text("李娜（局长）", timeout=30_000)
    assert "HTTP" not in error.inner_text() and "已报告" in error.inner_text()
    assert leader_of(db, incident).leader == "李娜（局长）"

    row.locator('[data-open="close"]').click()
    close = row.locator('form[data-action="close"]')
    expect(close).to_be_visible()
    assert not form.is_visible()  # one form open at a time
    close.locator("button[type=submit]").click()
    expect(row).to_have_attribute("data-state", "closed", timeout=30_000)
    assert leader_of(db, incident).closed_at is not None
    assert row.locator(".lw-actions").count() == 0
    assert MINUTE.search(row.locator(".lw-status").inner_text())
    assert "已处置" in row.locator(".lw-status").inner_text()
    assert page.errors == [] and len(page.refused) == 1  # the 409 of the second report
    page.context.close()


def test_both_pages_read_well_on_a_desktop_and_a_phone(browser, live_server, client, tokens,
                                                       committed, db, incident):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    r = client.post("/api/v1/random-draws", json={"area": COUNTY, "check_item": "wage_payment",
                                                  "share": 0.05, "seed": 390844},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201, r.get_json()
    committed.draws.append(r.get_json()["id"])
    committed.inspections += r.get_json()["inspection_ids"]
    draw_id = r.get_json()["id"]
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = signed_in(browser, live_server, viewport, PATH)
        page.wait_for_selector('#lw-incidents[data-ready="1"]', timeout=30_000)
        if name == "phone":
            page.locator(f'tr.lw-incident[data-id="{incident}"] [data-open="escalate"]').click()
            page.screenshot(path=str(ARTIFACTS / "incidents-phone.png"), full_page=True)
        for path, shot in ((f"/random-checks?area={COUNTY}", "random-checks"),
                           (f"/random-checks/draws/{draw_id}", "random-draw")):
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            assert page.locator("main.lw-page").count() == 1
            page.screenshot(path=str(ARTIFACTS / f"{shot}-{name}.png"), full_page=True)
            assert problems(page.evaluate("document.body.innerText"), "zh") == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.goto(live_server + PATH)
        page.wait_for_selector('#lw-incidents[data-ready="1"]', timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert problems(page.evaluate("document.body.innerText"), "zh") == []
        assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
        page.context.close()
