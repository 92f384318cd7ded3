"""A dispatcher closes a case with a penalty from the case page, in headless Chromium, and sees
the outcome and the timeline entry; the case list and the case at desktop and phone sizes."""
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from geo.core import clock
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.conftest import ARTIFACTS, PASSWORD, bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
# Dates in the past, relative to today: the server's own clock (gunicorn) cannot be moved by
# the test, and the suite runs on any day.
OPENED, DECIDED, CLOSED, BEFORE = ((clock.today() - timedelta(days=d)).isoformat()
                                   for d in (30, 13, 12, 60))
NUMBER = "郑人社监罚〔2026〕88号"


@pytest.fixture()
def case_id(client, tokens, committed):  # noqa: F811
    """A case opened through the API from an inspection in 中原区."""
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    r = client.post("/api/v1/cases", json={"inspection_id": inspection, "opened_on": OPENED,
                                           "summary": "拖欠工资，立案调查"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def signed_in(browser, live_server, viewport, path, user="test-dispatcher"):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.errors, page.refused, page.hosts = [], [], set()
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    def console(msg):  # a refused request (4xx) is logged by Chromium itself: kept apart
        if msg.type == "error":
            refused = msg.text.startswith("Failed to load resource: the server responded "
                                          "with a status of 4")
            (page.refused if refused else page.errors).append(msg.text)
    page.on("console", console)
    page.on("request", lambda req: page.hosts.add(urlparse(req.url).hostname))
    page.goto(live_server + "/login?next=" + path.replace("?", "%3F").replace("&", "%26")
              .replace("=", "%3D"))
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_dispatcher_closes_a_case_with_a_penalty_from_the_page(browser, live_server, case_id,
                                                               db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page = signed_in(browser, live_server, DESKTOP, f"/cases/{case_id}")
    page.wait_for_selector('#lw-case[data-ready="1"]', timeout=30_000)
    assert page.locator("#lw-act-close").is_visible()
    assert not page.locator("#lw-act-resume").is_visible()  # the case is not suspended
    events_before = page.locator("#lw-timeline li.lw-event").count()
    page.screenshot(path=str(ARTIFACTS / "case-desktop.png"), full_page=True)

    # Two of the county's certified inspectors handle the case.
    page.wait_for_selector('#lw-handler-choices[data-ready="1"]', timeout=30_000)
    choices = page.locator("#lw-handler-choices input[type=checkbox]")
    assert choices.count() >= 2
    names = [page.locator(f'label[for="{choices.nth(i).get_attribute("id")}"]').inner_text()
             for i in range(2)]
    choices.nth(0).check()
    choices.nth(1).check()
    page.locator('form[data-action="handlers"] button[type=submit]').click()
    expect(page.locator("#lw-message")).to_contain_text("承办人已更新", timeout=30_000)
    expect(page.locator("#lw-handlers")).to_contain_text(names[1], timeout=30_000)
    assert all(n in page.locator("#lw-handlers").inner_text() for n in names)

    # The form asks for the chosen outcome's fields only.
    form = page.locator('form[data-action="close"]')
    assert not form.locator("#lw-close-fine_amount").is_visible()
    page.select_option("#lw-close-outcome", "penalty")
    assert form.locator("#lw-close-fine_amount").is_visible()
    assert not form.locator("#lw-close-correction_deadline").is_visible()
    page.fill("#lw-close-fine_amount", "5000")
    page.fill("#lw-close-decision_number", NUMBER)
    page.fill("#lw-close-decision_date", DECIDED)

    # A date the server refuses: its message shows in the form, nothing changes.
    page.fill("#lw-close-closed_on", BEFORE)  # before the case was opened
    form.locator("button[type=submit]").click()
    error = form.locator(".lw-form-error")
    error.wait_for(state="visible", timeout=30_000)
    assert error.inner_text().strip() and "HTTP" not in error.inner_text()
    assert db.execute(text("SELECT closed_on FROM cases WHERE id = :i"),
                      {"i": case_id}).scalar_one() is None

    page.fill("#lw-close-closed_on", CLOSED)
    page.fill("#lw-close-summary", "已作出行政处罚决定")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('#lw-case[data-closed="1"]', timeout=30_000)
    assert "案件已结案" in page.locator("#lw-message").inner_text()
    outcome = page.locator("#lw-outcome").inner_text()
    assert "¥5,000.00" in outcome and NUMBER in outcome and DECIDED in outcome
    assert "行政处罚" in outcome and CLOSED in outcome
    events = page.locator("#lw-timeline li.lw-event")
    assert events.count() > events_before and events.last.inner_text().strip()
    assert not page.locator("#lw-act-close").is_visible()  # closed: no more closing
    row = db.execute(text("SELECT outcome, fine_amount, decision_number, closed_on::text "
                          "FROM cases WHERE id = :i"), {"i": case_id}).one()
    assert (row.outcome, float(row.fine_amount), row.decision_number, row.closed_on) == \
        ("penalty", 5000.0, NUMBER, CLOSED)
    page.screenshot(path=str(ARTIFACTS / "case-closed-desktop.png"), full_page=True)
    assert page.errors == [] and len(page.refused) == 1  # the date the server refused
    assert page.hosts == {"127.0.0.1"}
    page.context.close()


def test_the_case_list_and_the_case_read_well_on_a_desktop_and_a_phone(
        browser, live_server, case_id):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = signed_in(browser, live_server, viewport, "/cases?area=410102&status=open")
        page.wait_for_selector('#lw-cases[data-ready="1"]', timeout=30_000)
        assert page.locator(f'tr.lw-case-row[data-id="{case_id}"] a').count() == 1
        page.screenshot(path=str(ARTIFACTS / f"cases-{name}.png"), full_page=True)
        assert page.locator("#lw-total").inner_text().startswith("共")
        assert problems(page.evaluate("document.body.innerText"), "zh") == []
        page.goto(live_server + f"/cases/{case_id}")
        page.wait_for_selector('#lw-case[data-ready="1"]', timeout=30_000)
        assert "拖欠工资，立案调查" in page.locator("#lw-case-facts").inner_text()
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert problems(page.evaluate("document.body.innerText"), "zh") == []
        page.screenshot(path=str(ARTIFACTS / f"case-{name}.png"), full_page=True)
        assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
        page.context.close()


def test_the_command_centre_sees_no_close_form_and_can_supervise(browser, live_server,
                                                                case_id):  # noqa: F811
    page = signed_in(browser, live_server, DESKTOP, f"/cases/{case_id}", "test-command")
    page.wait_for_selector('#lw-case[data-ready="1"]', timeout=30_000)
    assert page.locator('form[data-action="close"]').count() == 0
    assert page.locator("#lw-act-supervise").is_visible()
    page.select_option("#lw-supervise-level", "city")
    page.fill("#lw-supervise-supervisor", "郑州市劳动保障监察支队")
    page.fill("#lw-supervise-deadline", "2099-01-29")
    page.fill("#lw-supervise-note", "限期查清欠薪事实")
    page.locator('form[data-action="supervise"] button[type=submit]').click()
    page.wait_for_selector("#lw-act-report:not([hidden])", timeout=30_000)
    assert "郑州市劳动保障监察支队" in page.locator("#lw-supervisions").inner_text()
    page.fill("#lw-report-text", "已调取工资发放记录")
    page.locator('form[data-action="report"] button[type=submit]').click()
    expect(page.locator("#lw-supervisions")).to_contain_text("已调取工资发放记录", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "case-supervised-desktop.png"), full_page=True)
    assert page.errors == page.refused == []
    page.context.close()


def test_the_kpi_panel_opens_the_pages_behind_its_figures(browser, live_server):  # noqa: F811
    page = signed_in(browser, live_server, DESKTOP, "/map?area=410102", "test-command")
    page.wait_for_selector('.folium-map[data-kpis="loaded"]', timeout=60_000)
    hrefs = page.eval_on_selector_all(".lw-kpis dd a", "as => as.map(a => a.getAttribute('href'))")
    for wanted in ("/lists/employers-outside-grids?area=410102",
                   "/lists/high-risk-uninspected?area=410102",
                   "/complaints?area=410102&deadline=due_today",
                   "/complaints?area=410102&status=received",
                   "/cases?area=410102&status=overdue", "/cases?area=410102&status=due_soon",
                   "/lists/case-deadlines?area=410102"):
        assert wanted in hrefs, (wanted, hrefs)
    assert not [h for h in hrefs if h.startswith("/api/v1/kpis")]
    page.locator('.lw-kpis a[href="/lists/employers-per-staff?area=410102"]').click()
    page.wait_for_selector("#lw-list", timeout=30_000)
    assert "网格人均负责单位数 · 中原区" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "kpi-list-desktop.png"), full_page=True)
    assert page.errors == page.refused == []
    page.context.close()
