"""The planner page's 网格人员 panel in headless Chromium: an administrator sees a grid's staff
and moves an unassigned grid worker into it (a stale version first: the server's message);
a planner sees the staff but cannot move anyone. Desktop and phone screenshots."""
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.conftest import ARTIFACTS
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)

COUNTY = "410102"  # 中原区
READY = '#lw-staffing[data-ready="1"]'


def a_grid(db):
    return db.execute(text("SELECT id, code FROM grids WHERE county_adcode = :c ORDER BY id "
                           "LIMIT 1"), {"c": COUNTY}).one()


def staff_of(db, grid_id):
    return db.execute(text("SELECT count(*) FROM officers WHERE grid_id = :g"),
                      {"g": grid_id}).scalar_one()


def open_grid(browser, live_server, viewport, user, grid_id):  # noqa: F811
    page = signed_in(browser, live_server, viewport, f"/planner?county={COUNTY}", user)
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    page.evaluate("id => LWPlanner.select(id)", grid_id)  # as test_planner.py selects one
    page.wait_for_selector(READY, timeout=30_000)
    return page


def test_admin_moves_an_unassigned_grid_worker_into_the_selected_grid(
        browser, live_server, committed, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    grid = a_grid(db)
    worker = committed.inspector(lon=SITE[0], lat=SITE[1], county=COUNTY, kind="grid_worker")
    name = db.execute(text("SELECT name FROM officers WHERE id = :i"),
                      {"i": worker}).scalar_one()
    page = open_grid(browser, live_server, DESKTOP, "test-admin", grid.id)
    panel = page.locator("#lw-staffing")
    before = staff_of(db, grid.id)
    assert page.locator("#lw-staffing-list .lw-staffing-person").count() == min(before, 50)
    assert f"本网格 {before} 人，最低配置" in page.locator("#lw-staffing-count").inner_text()
    summary = page.locator("#lw-staffing-summary").inner_text()
    assert "个网格" in summary and "最低配置" in summary
    assert page.locator('label[for="lw-staffing-officer"]').inner_text() == "调入网格员"
    option = page.locator(f'#lw-staffing-officer option[value="{worker}"]')
    assert option.inner_text() == f"{name}（未分配）"

    # Someone else edited the record meanwhile: the server's 409 message, in Chinese.
    db.execute(text("UPDATE officers SET version = version + 1 WHERE id = :i"), {"i": worker})
    db.commit()
    page.select_option("#lw-staffing-officer", str(worker))
    page.locator("#lw-staffing-add").click()
    message = page.locator("#lw-staffing-message")
    expect(message).to_have_class("small mt-1 text-danger", timeout=30_000)
    assert message.inner_text().strip() and "HTTP" not in message.inner_text()
    assert db.execute(text("SELECT grid_id FROM officers WHERE id = :i"),
                      {"i": worker}).scalar() is None

    # Again, from the keyboard, with the version read afresh.
    page.wait_for_selector(READY, timeout=30_000)
    page.locator("#lw-staffing-officer").focus()
    page.select_option("#lw-staffing-officer", str(worker))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "lw-staffing-add"
    page.keyboard.press("Enter")
    expect(page.locator(f'#lw-staffing-list [data-officer="{worker}"]')).to_contain_text(
        name, timeout=30_000)
    expect(message).to_contain_text("已将", timeout=30_000)
    assert db.execute(text("SELECT grid_id FROM officers WHERE id = :i"),
                      {"i": worker}).scalar() == grid.id
    page.wait_for_selector(READY, timeout=30_000)
    expect(page.locator("#lw-staffing-count")).to_contain_text(f"本网格 {before + 1} 人")
    assert "网格员" in page.locator(f'#lw-staffing-list [data-officer="{worker}"]').inner_text()
    assert page.locator(f'#lw-staffing-officer option[value="{worker}"]').count() == 0
    # The grid's own count (from the reloaded grids) follows.
    assert page.evaluate("id => LWPlanner.state.grids[id].props.staff_count",
                         grid.id) == before + 1
    assert problems(panel.inner_text() + page.locator("#lw-staffing-summary").inner_text(),
                    "zh") == []
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "planner-staffing-desktop.png"))
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    phone = open_grid(browser, live_server, PHONE, "test-admin", grid.id)
    phone.locator("#lw-staffing-message").scroll_into_view_if_needed()  # the side scrolls
    assert phone.locator("#lw-staffing-add").is_visible()
    phone.screenshot(path=str(ARTIFACTS / "planner-staffing-phone.png"))
    assert phone.errors == []
    phone.context.close()


def test_a_planner_sees_the_staff_but_cannot_move_anyone(
        browser, live_server, db):  # noqa: F811
    grid = a_grid(db)
    page = open_grid(browser, live_server, DESKTOP, "test-planner", grid.id)
    assert f"本网格 {staff_of(db, grid.id)} 人" in page.locator("#lw-staffing-count").inner_text()
    assert page.locator("#lw-staffing-officer").count() == 0
    assert page.locator("#lw-staffing-add").count() == 0
    assert page.locator("#lw-staffing-summary").inner_text().strip()
    page.evaluate("() => LWPlanner.select(null)")
    expect(page.locator("#lw-staffing")).to_be_hidden()
    assert page.errors == []
    page.context.close()
