"""The annual-procedure pages in headless Chromium: a dispatcher starts a county's written
review, records one employer's materials and reviews them with a problem (an inspection
opens); engages an audit firm, uploads the report with a finding of unpaid wages and sees
the case it opened. Desktop and phone, Chinese throughout."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import text

from geo.core import clock
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_grading_pages import reads_well, ready, shoot
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS
from tests.dispatch.test_annual import COUNTY, campaign_area  # noqa: F401  (fixture)
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)
from tests.geo.test_attachments import PDF

TODAY = clock.today()


def test_a_written_review_from_start_to_an_inspection(browser, live_server, campaign_area,  # noqa: F811
                                                      db):
    ARTIFACTS.mkdir(exist_ok=True)
    page = signed_in(browser, live_server, DESKTOP, "/reviews")
    ready(page, "lw-reviews")
    page.locator("#lw-new summary").click()
    page.select_option("#lw-area", COUNTY)
    page.fill("#lw-new-year", str(TODAY.year + 1))  # the fixture's year is its own
    page.fill("#lw-new-due", (TODAY + timedelta(days=30)).isoformat())
    page.fill("#lw-new-min", "5")
    page.locator("#lw-new-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reviews/\d+$"), timeout=30_000)
    ready(page, "lw-review")
    expect(page.locator("#lw-progress")).to_contain_text("未报送")
    row = page.locator("#lw-sub-rows tr").first
    expect(row).to_contain_text("未报送")
    row.locator(".lw-submit summary").click()
    for i, field in enumerate(row.locator(".lw-submit form input").all()):
        field.fill(f"已按规定执行（材料 {i + 1}）")
    row.locator(".lw-submit button").click()
    page.select_option("#lw-state", "submitted")
    ready(page, "lw-review")  # the list of the new filter is drawn (older answers are not)
    row = page.locator("#lw-sub-rows tr").first
    expect(row).to_contain_text("已报送", timeout=30_000)
    row.locator("select[name=social_insurance]").select_option("problem")
    row.locator(".lw-review-form button").click()
    page.select_option("#lw-state", "reviewed")
    expect(page.locator("#lw-sub-rows tr").first).to_contain_text("发现问题，已转检查",
                                                                  timeout=30_000)
    reviewed = db.execute(text("""
        SELECT s.outcome, i.status FROM review_submissions s JOIN review_campaigns c
        ON c.id = s.campaign_id JOIN inspections i ON i.id = s.inspection_id
        WHERE c.area_adcode = :a"""), {"a": COUNTY}).all()
    assert [tuple(r) for r in reviewed] == [("problems", "pending")]
    reads_well(page, DESKTOP)
    shoot(page, "review-desktop")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()
    page = signed_in(browser, live_server, PHONE, "/reviews", "test-command")
    ready(page, "lw-reviews")
    reads_well(page, PHONE)
    shoot(page, "reviews-phone")
    page.context.close()


def test_an_audit_report_opens_a_case(browser, live_server, committed, db):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    page = signed_in(browser, live_server, DESKTOP, "/audits")
    ready(page, "lw-audits")
    page.locator("#lw-new summary").click()
    page.fill("#lw-new-employer", str(employer))
    page.fill("#lw-new-firm", "河南某会计师事务所")
    page.fill("#lw-new-from", (TODAY - timedelta(days=300)).isoformat())
    page.fill("#lw-new-to", (TODAY - timedelta(days=30)).isoformat())
    page.fill("#lw-new-fee", "18000")
    page.fill("#lw-new-due", (TODAY + timedelta(days=30)).isoformat())
    page.locator("#lw-new-form button[type=submit]").click()
    row = page.locator("#lw-audit-rows tr", has_text="河南某会计师事务所").first
    expect(row).to_contain_text("审计中", timeout=30_000)
    report = ARTIFACTS / "audit-report.pdf"
    report.write_bytes(PDF)
    row.locator(".lw-report summary").click()
    row.locator(".lw-report input[type=file]").set_input_files(str(report))
    row.locator(".lw-report select").select_option("unpaid_wages")
    row.locator(".lw-report input[name=amount]").fill("236000")
    row.locator(".lw-report input[name=workers]").fill("31")
    row.locator(".lw-report button").click()
    row = page.locator("#lw-audit-rows tr", has_text="河南某会计师事务所").first
    expect(row).to_contain_text("已立案", timeout=30_000)
    case = db.execute(text("SELECT case_id FROM audits WHERE employer_id = :e"),
                      {"e": employer}).scalar_one()
    assert row.locator(f'a[href="/cases/{case}"]').count() == 1
    reads_well(page, DESKTOP)
    shoot(page, "audits-desktop")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()
