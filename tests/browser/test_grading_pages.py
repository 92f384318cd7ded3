"""The grading and disclosure pages in headless Chromium: the administrator starts a grading
run for a county's 2025 record, sees the counts and the evidence, changes one proposal with a
reason and is refused the approval of their own run (the server's message shown); 指挥中心
approves it. Then the administrator drafts the county's 2025-Q3 disclosure list, takes an
entry off and puts it back; 指挥中心 approves and publishes it, withdraws an entry and sees
已公布 with the link to the public page. Desktop and phone screenshots."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from geo.core.db import unit_of_work
from tests.browser.a11y import serious_violations
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.conftest import ARTIFACTS
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)

COUNTY = "411726"  # no other test grades or publishes this county
YEAR = 2025  # a past year and quarter on any day the suite runs
PERIOD = "2025-Q3"
# name → (outcome, decided on, violations): a B (one penalty) and a C (child labour), both in
# the quarter and both of a category the disclosure rule publishes.
RECORDS = {"arrears": ("penalty", "2025-08-15", ["wage_arrears"]),
           "child": ("order_to_correct", "2025-09-10", ["child_labour"])}


@pytest.fixture()
def county(sessions):
    """The county's employer grades before the test, put back afterwards; its grading runs,
    employer grades and disclosure lists removed."""
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM disclosure_lists WHERE area_adcode = :c"), {"c": COUNTY})
        saved = s.execute(text("SELECT id, grade FROM employers WHERE county_adcode = :c"),
                          {"c": COUNTY}).all()
    yield
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE employers e SET grade = v.grade FROM unnest(CAST(:ids AS bigint[]),"
                       " CAST(:grades AS text[])) AS v(id, grade) WHERE e.id = v.id"),
                  {"ids": [r[0] for r in saved], "grades": [r[1] for r in saved]})
        s.execute(text("DELETE FROM employer_grades WHERE county_adcode = :c"), {"c": COUNTY})
        s.execute(text("DELETE FROM grading_runs WHERE area_adcode = :c"), {"c": COUNTY})
        s.execute(text("DELETE FROM disclosure_lists WHERE area_adcode = :c"), {"c": COUNTY})


@pytest.fixture()
def record(committed, sessions, county):  # noqa: F811
    """Two employers of the county with a decided case each: {name: (employer, case)}."""
    made = {}
    with unit_of_work(sessions) as s:
        for name, (outcome, day, violations) in RECORDS.items():
            employer = committed.employer(lon=SITE[0], lat=SITE[1], county=COUNTY)
            s.execute(text("UPDATE employers SET legal_representative = '李某', "
                           "address = '某县某路 8 号' WHERE id = :e"), {"e": employer})
            case = s.execute(text("""
                INSERT INTO cases (county_adcode, employer_id, opened_on, due_on, outcome,
                                   closed_on, decision_date, fine_amount, decision_number,
                                   violations, summary, created_by)
                VALUES (:c, :e, CAST(:d AS date) - 30, CAST(:d AS date) + 60, :o, :d,
                        CASE WHEN :o = 'penalty' THEN CAST(:d AS date) END,
                        CASE WHEN :o = 'penalty' THEN 20000 END,
                        CASE WHEN :o = 'penalty' THEN '测人社监罚〔2025〕9号' END, :v,
                        '经查存在违法行为', 'tests') RETURNING id"""),
                {"c": COUNTY, "e": employer, "d": date.fromisoformat(day), "o": outcome,
                 "v": violations}).scalar_one()
            made[name] = (employer, case)
    employers = [e for e, _ in made.values()]
    committed.undo("DELETE FROM disclosure_lists WHERE area_adcode = :c", c=COUNTY)
    committed.undo("DELETE FROM employer_grades WHERE employer_id = ANY(:e)", e=employers)
    committed.undo("DELETE FROM grading_runs WHERE area_adcode = :c", c=COUNTY)
    return made


def ready(page, root):
    page.wait_for_selector(f'#{root}[data-ready="1"]', timeout=30_000)


def reads_well(page, viewport):
    """Fits the width, no raw codes or English on the Chinese page, and nothing axe-core
    calls a serious accessibility violation (tests/browser/a11y.py)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert problems(page.evaluate("document.body.innerText"), "zh") == []
    assert serious_violations(page) == []


def shoot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if name.endswith("-phone"):  # the top of a long phone page, readable on its own
        page.screenshot(path=str(ARTIFACTS / f"{name}-top.png"))


def test_a_grading_run_is_reviewed_and_approved_by_another_person(
        browser, live_server, record, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    arrears, child = record["arrears"], record["child"]
    page = signed_in(browser, live_server, DESKTOP, "/grading", "test-admin")
    ready(page, "lw-grading")
    page.fill("#lw-start-year", str(YEAR))
    page.select_option("#lw-area", COUNTY)
    page.locator("#lw-start-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/grading/\d+$"), timeout=60_000)
    run_id = int(page.url.rsplit("/", 1)[1])
    ready(page, "lw-run")
    counts = dict(db.execute(text("SELECT grade, count(*) FROM grade_proposals WHERE run_id = :r "
                                  "GROUP BY grade"), {"r": run_id}).all())
    assert counts.get("B", 0) >= 1 and counts.get("C", 0) >= 1
    for grade in "ABC":
        assert page.locator(f'#lw-counts li[data-grade="{grade}"] .lw-n').inner_text() == \
            f"{counts.get(grade, 0):,}"
    assert "待审定" in page.locator("#lw-run-status").inner_text()
    # The starter sees why they cannot approve, not the button.
    assert page.locator("#lw-approve-own").is_visible()
    assert not page.locator("#lw-approve-button").is_visible()

    # The C proposals: the child-labour employer with its trigger and the case behind it.
    page.select_option("#lw-grade-filter", "C")
    page.locator("form.lw-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"grade=C"))
    ready(page, "lw-run")
    row = page.locator(f'#lw-proposal-rows tr[data-id="{child[0]}"]')
    expect(row).to_contain_text("使用童工")
    assert row.locator(f'a[href="/cases/{child[1]}"]').count() == 1
    shoot(page, "grading-run-desktop")

    # A reviewer's change needs a reason: without one the server's message shows.
    form = row.locator("form.lw-change")
    form.locator("select").select_option("B")
    form.locator("button[type=submit]").click()
    expect(form.locator(".lw-change-message")).to_have_class(re.compile("text-danger"),
                                                              timeout=30_000)
    assert "理由" in form.locator(".lw-change-message").inner_text()
    form.locator("input[name=reason]").fill("复核认定为勤工助学，非使用童工")
    form.locator("button[type=submit]").click()
    expect(page.locator("#lw-message")).to_contain_text("已调整为 B 级", timeout=30_000)
    assert db.execute(text("SELECT grade, status FROM grade_proposals WHERE run_id = :r AND "
                           "employer_id = :e"), {"r": run_id, "e": child[0]}).one() == \
        ("B", "changed")
    page.goto(f"{live_server}/grading/{run_id}?changed=true")
    ready(page, "lw-run")
    row = page.locator(f'#lw-proposal-rows tr[data-id="{child[0]}"]')
    expect(row).to_contain_text("已调整")
    expect(row).to_contain_text("勤工助学")
    assert page.locator("#lw-proposal-rows tr").count() == 1

    # Whoever started the run is refused by the server too (the button forced into view).
    page.evaluate("document.getElementById('lw-approve-button').hidden = false")
    page.locator("#lw-approve-button").click()
    expect(page.locator("#lw-approve-message")).to_contain_text("发起评级的人不能审定",
                                                                timeout=30_000)
    reads_well(page, DESKTOP)
    shoot(page, "grading-refused-desktop")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    # 指挥中心 approves: the grades become the employers' grades.
    page = signed_in(browser, live_server, DESKTOP, f"/grading/{run_id}", "test-command")
    ready(page, "lw-run")
    assert not page.locator("#lw-approve-own").is_visible()
    page.locator("#lw-approve-button").click()
    expect(page.locator("#lw-message")).to_contain_text("本批次已审定", timeout=60_000)
    expect(page.locator("#lw-run-status")).to_contain_text("已审定")
    assert not page.locator("#lw-approve").is_visible()
    assert page.locator("form.lw-change").count() == 0
    grades = dict(db.execute(text("SELECT id, grade FROM employers WHERE id = ANY(:e)"),
                             {"e": [arrears[0], child[0]]}).all())
    assert grades == {arrears[0]: "B", child[0]: "B"}
    expect(page.locator("#lw-run-facts")).to_contain_text("test-command")
    shoot(page, "grading-approved-desktop")
    page.goto(f"{live_server}/grading")
    ready(page, "lw-grading")
    run_row = page.locator(f'#lw-run-rows tr[data-id="{run_id}"]')
    expect(run_row).to_contain_text("已审定")
    expect(run_row).to_contain_text("test-admin")
    expect(run_row).to_contain_text("test-command")
    reads_well(page, DESKTOP)
    shoot(page, "grading-desktop")
    assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    for path, root, name in ((f"/grading/{run_id}", "lw-run", "grading-run-phone"),
                             ("/grading", "lw-grading", "grading-phone")):
        page = signed_in(browser, live_server, PHONE, path, "test-command")
        ready(page, root)
        reads_well(page, PHONE)
        shoot(page, name)
        assert page.errors == [] and page.hosts == {"127.0.0.1"}
        page.context.close()


def test_a_disclosure_list_is_drafted_approved_and_published(
        browser, live_server, record, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    arrears, child = record["arrears"], record["child"]
    page = signed_in(browser, live_server, DESKTOP, "/disclosures", "test-admin")
    ready(page, "lw-disclosures")
    page.select_option("#lw-area", COUNTY)
    page.fill("#lw-draft-period", PERIOD)
    page.locator("#lw-draft-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/disclosures/\d+$"), timeout=60_000)
    list_id = int(page.url.rsplit("/", 1)[1])
    ready(page, "lw-list")
    expect(page.locator("#lw-list-status")).to_contain_text("草稿")
    assert "2025 年第 3 季度" in page.locator("#lw-list-title").inner_text()
    rows = page.locator("#lw-entry-rows tr")
    cases = [r.locator("a[href^='/cases/']").get_attribute("href") for r in rows.all()]
    assert {f"/cases/{arrears[1]}", f"/cases/{child[1]}"} <= set(cases)
    arrears_row = page.locator(f'#lw-entry-rows tr:has(a[href="/cases/{arrears[1]}"])')
    expect(arrears_row).to_contain_text("李某")
    expect(arrears_row).to_contain_text("20,000.00")
    assert page.locator("#lw-approve-own").is_visible()  # the drafter
    assert not page.locator("#lw-public").is_visible()

    # Taken off and put back through the add form.
    n = rows.count()
    arrears_row.locator("button").click()
    expect(page.locator("#lw-message")).to_contain_text("已移出名单", timeout=30_000)
    expect(rows).to_have_count(n - 1)
    page.fill("#lw-add-case", str(arrears[1]))
    page.select_option("#lw-add-category", "wage_arrears")
    page.locator("#lw-add-form button[type=submit]").click()
    expect(rows).to_have_count(n, timeout=30_000)
    page.fill("#lw-add-case", str(arrears[1]))  # twice: the server's 409 message
    page.locator("#lw-add-form button[type=submit]").click()
    expect(page.locator("#lw-add-message")).to_contain_text("已在名单中", timeout=30_000)
    reads_well(page, DESKTOP)
    shoot(page, "disclosure-draft-desktop")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    page = signed_in(browser, live_server, DESKTOP, f"/disclosures/{list_id}", "test-command")
    ready(page, "lw-list")
    assert not page.locator("#lw-publish").is_visible()
    page.locator("#lw-approve-button").click()
    expect(page.locator("#lw-list-status")).to_contain_text("已审核", timeout=30_000)
    assert not page.locator("#lw-add").is_visible()
    assert page.locator("#lw-entry-rows button").count() == 0  # no removing once approved
    page.locator("#lw-publish-button").click()
    expect(page.locator("#lw-list-status")).to_contain_text("已公布", timeout=30_000)
    link = page.locator("#lw-public-link")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == f"/public/disclosures/{list_id}"
    assert db.execute(text("SELECT status FROM disclosure_lists WHERE id = :l"),
                      {"l": list_id}).scalar_one() == "published"

    # A published entry is withdrawn with a reason.
    child_row = page.locator(f'#lw-entry-rows tr:has(a[href="/cases/{child[1]}"])')
    child_row.locator("input[name=reason]").fill("行政复议撤销原处理决定")
    child_row.locator("button[type=submit]").click()
    expect(page.locator("#lw-message")).to_contain_text("已从公布名单撤下", timeout=30_000)
    child_row = page.locator(f'#lw-entry-rows tr:has(a[href="/cases/{child[1]}"])')
    expect(child_row).to_contain_text("已撤下")
    expect(child_row).to_contain_text("行政复议撤销原处理决定")
    reads_well(page, DESKTOP)
    shoot(page, "disclosure-published-desktop")
    page.goto(f"{live_server}/disclosures")
    ready(page, "lw-disclosures")
    list_row = page.locator(f'#lw-list-rows tr[data-id="{list_id}"]')
    expect(list_row).to_contain_text("已公布")
    expect(list_row).to_contain_text("2025 年第 3 季度")
    reads_well(page, DESKTOP)
    shoot(page, "disclosures-desktop")
    assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    for path, root, name in ((f"/disclosures/{list_id}", "lw-list", "disclosure-list-phone"),
                             ("/disclosures", "lw-disclosures", "disclosures-phone")):
        page = signed_in(browser, live_server, PHONE, path, "test-command")
        ready(page, root)
        reads_well(page, PHONE)
        shoot(page, name)
        assert page.errors == [] and page.hosts == {"127.0.0.1"}
        page.context.close()
