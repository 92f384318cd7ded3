"""The construction-project pages in headless Chromium. A dispatcher finds a project among the
county's, opens it, records the deposit paid and a month's labour cost, and refers the red
warning to 住建 from the page; the list and detail read well on a desktop and a phone. A grid
worker opens /field on a phone (390×844, the site's GPS), checks the ten site systems of the
project in their grid, and the findings land with the position and move the warning."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.core import clock
from geo.core.db import unit_of_work
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_grading_pages import reads_well, ready, shoot
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, bearer, unique
from tests.dispatch_fixtures import SITE, add_inspector, committed  # noqa: F401  (fixture)
from tests.geo.test_attachments import PNG

# The server's clock (gunicorn) is the real one: dates relative to today.
TODAY = clock.today()
START, END = (TODAY - timedelta(days=120)).isoformat(), (TODAY + timedelta(days=300)).isoformat()


@pytest.fixture()
def project(client, tokens, committed):  # noqa: F811
    """A building project at SITE (中原区) whose workers gathered to demand pay: red."""
    contractor = committed.employer(lon=SITE[0], lat=SITE[1])
    with committed.sessions() as s:
        code = s.execute(text("SELECT credit_code FROM employers WHERE id = :e"),
                         {"e": contractor}).scalar_one()
    r = client.post("/api/v1/projects", headers=bearer(tokens["dispatcher"]), json={
        "name": unique("浏览器测试安置房"), "site": {"type": "Point", "coordinates": list(SITE)},
        "crs": "wgs84", "contract_value": 8_000_000, "general_contractor_credit_code": code,
        "department": "housing", "start_on": START, "planned_end_on": END, "workers": 86,
        "owner_name": "某区城市建设投资有限公司"})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    r = client.post(f"/api/v1/projects/{made['id']}/reports", headers=bearer(tokens["dispatcher"]),
                    json={"kind": "workers_gathering", "note": "二十余名工人在项目部讨要工资"})
    assert r.status_code == 201, r.get_json()
    return made


def test_a_dispatcher_keeps_the_ledger_and_refers_a_red_warning(
        browser, live_server, project, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    pid = project["id"]
    page = signed_in(browser, live_server, DESKTOP, "/projects?area=410102&level=red")
    ready(page, "lw-projects")
    row = page.locator(f'#lw-project-rows tr[data-id="{pid}"]')
    expect(row).to_contain_text("红色预警")
    expect(row).to_contain_text("网格员上报异常")
    expect(row).to_contain_text("8,000,000.00")
    assert page.locator('#lw-counts a[data-level="red"]').inner_text().endswith(
        str(db.execute(text("SELECT count(*) FROM project_warnings WHERE level = 'red' AND "
                            "county_adcode = '410102'")).scalar()))
    reads_well(page, DESKTOP)
    shoot(page, "projects-desktop")
    row.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/projects/{pid}$"))
    ready(page, "lw-project")
    expect(page.locator("#lw-facts")).to_contain_text("中原区")
    expect(page.locator("#lw-level-chip")).to_contain_text("红色预警")
    page.wait_for_selector("#lw-site-map .leaflet-interactive", timeout=30_000)
    expect(page.locator('#lw-check-rows tr[data-item="wage_account"]')).to_contain_text("未检查")

    # The deposit: more than held cannot be drawn (the server's message), then it is paid.
    required = project["deposit_required"]
    page.select_option("#lw-deposit-kind", "drawn")
    page.fill("#lw-deposit-amount", "1000")
    page.fill("#lw-deposit-workers", "3")
    page.locator("#lw-deposit-form button[type=submit]").click()
    expect(page.locator("#lw-deposit-message")).to_contain_text("超过现存保证金", timeout=30_000)
    assert db.execute(text("SELECT count(*) FROM project_deposits WHERE project_id = :p"),
                      {"p": pid}).scalar() == 0
    page.select_option("#lw-deposit-kind", "paid")
    page.fill("#lw-deposit-amount", str(required))
    page.select_option("#lw-deposit-form-kind", "bank_guarantee")
    page.locator("#lw-deposit-form button[type=submit]").click()
    expect(page.locator("#lw-deposit-rows")).to_contain_text("银行保函", timeout=30_000)
    expect(page.locator(".lw-deposit-status")).to_contain_text("已足额缴存")
    assert db.execute(text("SELECT kind, amount, form, recorded_by FROM project_deposits "
                           "WHERE project_id = :p"), {"p": pid}).one() == \
        ("paid", pytest.approx(required), "bank_guarantee", "test-dispatcher")

    # A month of labour cost into the dedicated account.
    month = TODAY.replace(day=1) - timedelta(days=1)
    page.fill("#lw-payment-month", month.strftime("%Y-%m"))
    page.fill("#lw-payment-amount", "350000")
    page.fill("#lw-payment-reference", unique("LS"))
    page.locator("#lw-payment-form button[type=submit]").click()
    expect(page.locator("#lw-payment-rows")).to_contain_text(month.strftime("%Y-%m"),
                                                             timeout=30_000)
    expect(page.locator("#lw-payment-rows")).to_contain_text("350,000.00")

    # The red warning goes to 住建 with its reasons, due in 15 days.
    page.locator("#lw-refer summary").click()
    assert page.locator("#lw-refer-department").input_value() == "housing"
    assert "网格员上报异常" in page.locator("#lw-refer-content").input_value()
    page.locator("#lw-refer-form button[type=submit]").click()
    expect(page.locator("#lw-referral-rows")).to_contain_text("住房和城乡建设部门",
                                                              timeout=30_000)
    expect(page.locator("#lw-referral-rows")).to_contain_text("已移交")
    referral = db.execute(text("SELECT source_kind, department, feedback_due_on, created_by "
                               "FROM referrals WHERE project_id = :p"), {"p": pid}).one()
    assert tuple(referral) == ("project", "housing", TODAY + timedelta(days=15),
                               "test-dispatcher")
    reads_well(page, DESKTOP)
    shoot(page, "project-desktop")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    for path, root, name in ((f"/projects/{pid}", "lw-project", "project-phone"),
                             ("/projects?area=410102", "lw-projects", "projects-phone")):
        page = signed_in(browser, live_server, PHONE, path, "test-command")
        ready(page, root)
        reads_well(page, PHONE)
        shoot(page, name)
        assert page.locator("#lw-deposit-form").count() == 0  # 指挥中心 watches and refers
        assert page.errors == [] and page.hosts == {"127.0.0.1"}
        page.context.close()


def test_a_grid_worker_checks_the_site_systems_from_a_phone(
        browser, live_server, project, committed, db):  # noqa: F811
    pid = project["id"]
    grid = project["grid_id"]
    with unit_of_work(committed.sessions) as s:
        user = create_user(s, username=unique("site"), password=PASSWORD, role="inspector",
                           actor="tests")
        committed.users.append(user.id)
        add_inspector(s, lon=SITE[0], lat=SITE[1], county="410102", kind="grid_worker",
                      certified=False, grid_id=grid, user_id=user.id)
    context = browser.new_context(viewport=PHONE, locale="zh-CN",
                                  geolocation={"latitude": SITE[1], "longitude": SITE[0],
                                               "accuracy": 12},
                                  permissions=["geolocation"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/login?next=/field")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('#lw-field-projects[data-ready="1"]', timeout=30_000)
    card = page.locator(f'.lw-field-project[data-id="{pid}"]')
    expect(card).to_contain_text("红色预警")
    expect(card).to_contain_text("尚未检查")
    card.locator(".lw-open-check").click()
    # Nothing chosen: the form says so and sends nothing.
    card.locator("form.lw-check-form button[type=submit]").click()
    expect(card.locator(".lw-check-message")).to_contain_text("至少")
    assert db.execute(text("SELECT count(*) FROM project_checks WHERE project_id = :p"),
                      {"p": pid}).scalar() == 0
    for item in ("wage_account", "wage_roster", "real_name", "attendance"):
        card.locator(f'fieldset[data-item="{item}"] label.btn-outline-success').click()
    card.locator('fieldset[data-item="notice_board"] label.btn-outline-danger').click()
    card.locator('fieldset[data-item="notice_board"] input[type=text]').fill("告示牌未张贴")
    photo = ARTIFACTS / "site-photo.png"
    photo.write_bytes(PNG)
    card.locator("input.lw-photo").set_input_files(str(photo))
    shoot(page, "field-projects-phone")
    card.locator("form.lw-check-form button[type=submit]").click()
    page.wait_for_selector(f'.lw-field-project[data-id="{pid}"] .lw-last-check:has-text("上次检查")',
                           timeout=30_000)
    card = page.locator(f'.lw-field-project[data-id="{pid}"]')
    expect(card).to_contain_text("1 项不符合")
    expect(card).to_contain_text("维权信息告示牌")  # the failed item is now a reason
    rows = {r.item: r for r in db.execute(text(
        "SELECT item, ok, note, lon, lat, accuracy_m, checked_by FROM project_checks "
        "WHERE project_id = :p"), {"p": pid})}
    assert set(rows) == {"wage_account", "wage_roster", "real_name", "attendance",
                         "notice_board"}
    board = rows["notice_board"]
    assert (board.ok, board.note, board.checked_by) == (False, "告示牌未张贴", user.username)
    assert board.lon == pytest.approx(SITE[0], abs=1e-6)
    assert board.lat == pytest.approx(SITE[1], abs=1e-6)
    assert board.accuracy_m == pytest.approx(12)
    attached = db.execute(text(
        "SELECT DISTINCT a.kind, a.owner_kind, a.owner_id, a.uploaded_by FROM project_checks c "
        "JOIN attachments a ON a.id = c.attachment_id WHERE c.project_id = :p"), {"p": pid}).all()
    assert [tuple(r) for r in attached] == [("png", "project", pid, user.username)]
    reasons = db.execute(text("SELECT reasons FROM project_warnings WHERE project_id = :p"),
                         {"p": pid}).scalar_one()
    codes = {r["code"] for r in reasons}
    assert "no_wage_account" not in codes and "no_roster" not in codes
    assert "no_board" in codes  # the board was found missing: its own reason
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    shoot(page, "field-projects-sent-phone")
    context.close()


def test_the_red_warning_is_on_the_command_map_and_the_dispatchers_page(
        browser, live_server, project, db):  # noqa: F811
    pid = project["id"]
    # The county's map: one point per project, the layer off at first, red counted in its name.
    page = signed_in(browser, live_server, DESKTOP, "/map?area=410102", "test-command")
    page.wait_for_selector(".folium-map[data-projects]", timeout=60_000)
    points = db.execute(text("SELECT count(*) FROM projects WHERE county_adcode = '410102' "
                             "AND status <> 'completed'")).scalar()
    assert page.locator(".folium-map").get_attribute("data-projects") == str(points)
    overlay = page.locator(".leaflet-control-layers-overlays label",
                           has_text="建设项目预警")
    expect(overlay).to_contain_text("红色预警")
    assert page.locator("path.lw-project").count() == 0
    overlay.locator("input").check()
    page.wait_for_selector("path.lw-project-red", timeout=15_000)
    assert page.locator("path.lw-project").count() == points
    shoot(page, "map-projects-desktop")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()

    # The province: counts per city, 郑州市 among them with its red.
    page = signed_in(browser, live_server, DESKTOP, "/map", "test-command")
    page.wait_for_selector(".folium-map[data-projects]", timeout=60_000)
    cities = db.execute(text("SELECT count(DISTINCT substr(county_adcode, 1, 4)) FROM projects "
                             "WHERE status <> 'completed'")).scalar()
    assert page.locator(".folium-map").get_attribute("data-projects") == str(cities)
    page.context.close()

    # The county's dispatcher sees the alert above the queue and marks it seen.
    page = signed_in(browser, live_server, DESKTOP, "/dispatch?area=410102")
    alert = page.locator(f'#lw-project-alerts li[data-id="{pid}"]')
    expect(alert).to_contain_text(project["name"], timeout=30_000)
    assert alert.locator(f'a[href="/projects/{pid}"]').count() == 1
    shoot(page, "dispatch-alerts-desktop")
    alert.locator(".lw-ack").click()
    expect(alert).to_have_count(0, timeout=15_000)
    assert db.execute(text("SELECT acknowledged_by FROM project_warnings WHERE project_id = :p"),
                      {"p": pid}).scalar() == "test-dispatcher"
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()
