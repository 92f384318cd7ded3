"""One complaint from intake to a closed case with a fine, through the pages only, in headless
Chromium against gunicorn: register → accept as a case (立案) with its notice → the case page →
two handlers → close with a penalty (fine and 文号) → the complaint reads 已办结."""
from sqlalchemy import text

from geo.core import clock
from tests.browser.test_cases_page import signed_in
from tests.browser.test_complaints_page import open_page
from tests.browser.test_pages import browser  # noqa: F401  (fixture)
from tests.conftest import ARTIFACTS
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)


def test_a_complaint_goes_from_intake_to_a_case_closed_with_a_fine(
        browser, live_server, committed, db):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1], county="410102")
    code, name = db.execute(text("SELECT credit_code, name FROM employers WHERE id = :e"),
                            {"e": employer}).one()
    page = open_page(browser, live_server, "test-dispatcher", {"width": 1400, "height": 900})
    page.select_option("#lw-c-category", "wage_arrears")
    page.fill("#lw-c-workers", "4")
    page.fill("#lw-c-description", "四名员工反映两个月工资未发放")
    page.check("#lw-c-continuing")
    page.fill("#lw-c-employer", code)
    pick = page.locator(f'.lw-c-pick[data-id="{employer}"]')
    pick.wait_for(timeout=30_000)
    pick.click()
    page.fill("#lw-c-name", "赵六")
    page.click("#lw-c-submit")
    page.wait_for_selector("#lw-c-result:not(.d-none)", timeout=30_000)
    complaint = db.execute(text("SELECT id FROM complaints WHERE employer_id = :e"),
                           {"e": employer}).scalar_one()
    committed.complaints.append(complaint)
    assert db.execute(text("SELECT continuing FROM complaints WHERE id = :c"),
                      {"c": complaint}).scalar_one() is True

    row = page.locator(f'tr.lw-c-row[data-id="{complaint}"]')
    row.wait_for()
    row.locator(".lw-c-act-accept_case").click()
    page.wait_for_selector("#lw-c-decision[open]")
    page.fill("#lw-c-reason", "拖欠工资事实基本清楚，依法立案调查")
    page.click("#lw-c-decision-submit")
    page.locator("#lw-message .lw-c-notice").wait_for(timeout=30_000)
    case = db.execute(text("SELECT id FROM cases WHERE complaint_id = :c"),
                      {"c": complaint}).scalar_one()

    # The case list of the county shows it; its page takes it to the end.
    page = signed_in(browser, live_server, {"width": 1400, "height": 900},
                     "/cases?area=410102&status=open")
    page.wait_for_selector('#lw-cases[data-ready="1"]', timeout=30_000)
    page.locator(f'a[href="/cases/{case}"]').first.click()
    page.wait_for_selector('#lw-case[data-ready="1"]', timeout=30_000)
    assert name in page.inner_text("body")
    assert page.locator("#lw-documents a").count() >= 1  # the acceptance notice
    page.wait_for_selector('#lw-handler-choices[data-ready="1"]', timeout=30_000)
    choices = page.locator("#lw-handler-choices input[type=checkbox]")
    choices.nth(0).check()
    choices.nth(1).check()
    page.locator('form[data-action="handlers"] button[type=submit]').click()
    page.wait_for_function(
        "() => document.querySelectorAll('#lw-timeline li.lw-event').length >= 2")
    today = clock.today().isoformat()
    page.select_option("#lw-close-outcome", "penalty")
    page.fill("#lw-close-fine_amount", "20000")
    page.fill("#lw-close-decision_number", "中原人社监罚〔2026〕101号")
    page.fill("#lw-close-decision_date", today)
    page.fill("#lw-close-closed_on", today)
    page.locator('form[data-action="close"] button[type=submit]').click()
    page.wait_for_selector('#lw-case[data-closed="1"]', timeout=30_000)
    assert "¥20,000.00" in page.inner_text("#lw-outcome")
    page.screenshot(path=str(ARTIFACTS / "casework-flow-closed.png"), full_page=True)
    row = db.execute(text("SELECT c.outcome, c.fine_amount, array_length(c.handler_ids, 1) AS n, "
                          "k.status FROM cases c JOIN complaints k ON k.id = c.complaint_id "
                          "WHERE c.id = :i"), {"i": case}).one()
    assert (row.outcome, float(row.fine_amount), row.n, row.status) == \
        ("penalty", 20000.0, 2, "closed")
    assert page.errors == []
