"""The dispatcher's console in headless Chromium: a job chosen with the keyboard, its teams each
with the one-line reason for their rank and drawn on the map; after assigning, the panel says
who went and when they will be there, and moves on; the sent tab lists the job with its team; a
new inspection placed by a click on the map; contrast of the badges; the phone size."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_grading_pages import reads_well, shoot
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS
from tests.dispatch_fixtures import committed, metres_east  # noqa: F401  (fixture)

COUNTY = "410181"  # 巩义市: no other browser test works here
READY = '.folium-map[data-ready="1"]'

# Contrast ratio (WCAG 2) of an element's text on its own background.
CONTRAST_JS = """(node) => {
  const rgb = (s) => s.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const v = c.map((x) => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const style = getComputedStyle(node);
  const a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture()
def scene(committed, db):  # noqa: F811
    """Two urgent jobs in 巩义市 and two certified inspectors next to the first."""
    committed.statuses(COUNTY)
    lon, lat = db.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p "
                               "FROM admin_areas WHERE adcode = :c) s"), {"c": COUNTY}).one()
    first = committed.inspection(lon=lon, lat=lat, county=COUNTY, priority="urgent")
    second = committed.inspection(lon=lon + 0.01, lat=lat, county=COUNTY, priority="urgent")
    team = [committed.inspector(lon=metres_east(lon, lat, 150 * (i + 1))[0], lat=lat,
                                county=COUNTY) for i in range(2)]
    names = db.execute(text("SELECT name FROM officers WHERE id = ANY(:t) ORDER BY id"),
                       {"t": team}).scalars().all()
    return first, second, team, names


def test_the_dispatcher_assigns_by_keyboard_and_the_panel_moves_on(
        browser, live_server, scene, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    first, second, team, names = scene
    page = signed_in(browser, live_server, DESKTOP, f"/dispatch?area={COUNTY}")
    page.wait_for_selector(READY, timeout=60_000)
    waiting = int(page.locator("#lw-tab-waiting .lw-count").inner_text())
    assert waiting >= 2

    # Keyboard only: Tab lands on the rows, arrows move between them, Enter picks one.
    rows = page.locator("#lw-inspections .lw-job")
    ids = [int(rows.nth(i).get_attribute("data-id")) for i in range(rows.count())]
    rows.first.focus()
    for _ in range(ids.index(first)):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('data-id')") == str(first)
    page.keyboard.press("Enter")
    page.wait_for_selector(".lw-team .lw-assign", timeout=30_000)
    top = page.locator(".lw-team").first
    expect(top).to_contain_text("、".join(names))
    expect(top.locator(".lw-why")).to_contain_text("排第 1：两人都在检查地点所在县区")
    assert page.locator(".lw-team .lw-why").count() == page.locator(".lw-team").count()
    assert not top.locator(".lw-reasons ul").is_visible()   # each member's facts folded away
    assert page.locator("path.lw-team-line").count() == 2    # the top team drawn to the site
    reads_well(page, DESKTOP)
    shoot(page, "dispatch-console-desktop")

    # The high badge and the selected row's text stay readable.
    high = page.locator(".lw-prio-badge-urgent").first
    assert high.evaluate(CONTRAST_JS) >= 4.5
    page.evaluate("""() => { const s = document.createElement('span');
        s.className = 'lw-prio-badge lw-prio-badge-high'; s.id = 'probe'; s.textContent = '高';
        document.body.appendChild(s); }""")
    assert page.locator("#probe").evaluate(CONTRAST_JS) >= 4.5

    top.locator(".lw-assign").click()
    last = page.locator("#lw-last")
    expect(last).to_contain_text(f"任务 #{first}", timeout=30_000)
    expect(last).to_contain_text("已派出：" + "、".join(names))
    expect(last).to_contain_text("分钟到达")
    # The panel moved on: another waiting job is chosen, no cancel button for the sent one.
    page.wait_for_selector(f'#lw-inspections .lw-job[data-id="{first}"]', state="detached",
                           timeout=30_000)
    chosen = page.locator("#lw-inspections .lw-job.active")
    expect(chosen).to_have_count(1)
    chosen_id = chosen.get_attribute("data-id")
    assert chosen_id != str(first)
    expect(page.locator("#lw-selected")).to_contain_text(f"#{chosen_id}")
    expect(page.locator("#lw-tab-waiting .lw-count")).to_have_text(str(waiting - 1))
    assigned = db.execute(text("SELECT officer_id FROM assignments WHERE inspection_id = :i "
                               "AND released_at IS NULL ORDER BY officer_id"),
                          {"i": first}).scalars().all()
    assert assigned == sorted(team)
    shoot(page, "dispatch-console-assigned")

    # The sent tab lists it with its team and their ETA; choosing it shows the team, no ranking.
    page.locator("#lw-tab-waiting").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#lw-tab-assigned")).to_have_attribute("aria-selected", "true")
    sent = page.locator(f'#lw-inspections .lw-job[data-id="{first}"]')
    expect(sent).to_contain_text("、".join(names), timeout=30_000)
    expect(sent).to_contain_text("分钟到达")
    sent.click()
    expect(page.locator("#lw-selected")).to_contain_text("执法组：")
    assert not page.locator("#lw-rec").is_visible()
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()


def test_the_dispatcher_reassigns_a_sent_job_with_a_reason(
        browser, live_server, scene, committed, sessions, db):  # noqa: F811
    from dispatch.inspections import assign
    from dispatch.settings import DispatchSettings
    from geo.core.db import unit_of_work
    first, _, team, _ = scene
    with unit_of_work(sessions) as s:
        assign.assign(s, first, team, actor="tests", settings=DispatchSettings())
        lon, lat = s.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM inspections WHERE id = :i"),
                             {"i": first}).one()
    others = [committed.inspector(lon=metres_east(lon, lat, 400 * (i + 1))[0], lat=lat,
                                  county=COUNTY) for i in range(2)]
    page = signed_in(browser, live_server, DESKTOP, f"/dispatch?area={COUNTY}")
    page.wait_for_selector(READY, timeout=60_000)
    page.locator("#lw-tab-assigned").click()
    page.locator(f'#lw-inspections .lw-job[data-id="{first}"]').click()
    page.locator("#lw-selected .lw-reassign").click()
    page.wait_for_selector(".lw-team .lw-reassign-to", timeout=30_000)
    expect(page.locator("#lw-reassign-reason")).to_be_focused()
    page.locator(".lw-team .lw-reassign-to").first.click()  # no reason yet: nothing is sent
    expect(page.locator("#lw-message")).to_contain_text("请先填写改派原因")

    def active():
        db.rollback()
        return db.execute(text("SELECT officer_id FROM assignments WHERE inspection_id = :i "
                               "AND released_at IS NULL ORDER BY officer_id"),
                          {"i": first}).scalars().all()

    assert active() == sorted(team)
    page.fill("#lw-reassign-reason", "原执法组车辆故障")
    chosen = page.locator(".lw-team").first.locator("strong").inner_text()
    page.locator(".lw-team .lw-reassign-to").first.click()
    expect(page.locator("#lw-last")).to_contain_text(f"已改派任务 #{first}", timeout=30_000)
    expect(page.locator("#lw-last")).to_contain_text("已改派：" + chosen)
    expect(page.locator("#lw-message")).to_be_hidden()
    now = active()
    assert now and set(now).isdisjoint(team) and set(now) <= set(others)
    assert db.execute(text("SELECT count(*) FROM officers WHERE id = ANY(:t) "
                           "AND status = 'available'"), {"t": team}).scalar_one() == 2
    assert db.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'inspection' AND "
                           "entity_id = :i AND action = 'reassign'"), {"i": str(first)}).scalar_one() == 1
    shoot(page, "dispatch-console-reassigned")
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()


def test_a_new_inspection_is_placed_by_a_click_on_the_map(
        browser, live_server, committed, db):  # noqa: F811
    committed.statuses(COUNTY)
    page = signed_in(browser, live_server, DESKTOP, f"/dispatch?area={COUNTY}")
    page.wait_for_selector(READY, timeout=60_000)
    page.click("#lw-new")
    page.select_option("#lw-new-kind", "incident")
    page.select_option("#lw-new-priority", "urgent")
    page.click("#lw-create button[type=submit]")  # no site yet: said in the form, not sent
    expect(page.locator("#lw-create [role=status]")).to_have_text(
        "请选择用人单位或在地图上点选检查地点")
    page.click(".lw-pick")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".lw-place")).to_contain_text("检查地点：")
    page.fill("#lw-new-description", "浏览器测试：工地聚集讨薪")
    page.click("#lw-create button[type=submit]")
    expect(page.locator("#lw-create [role=status]")).to_contain_text("已建立任务 #",
                                                                     timeout=30_000)
    made = db.execute(text("SELECT id, county_adcode, kind, priority FROM inspections "
                           "WHERE description = '浏览器测试：工地聚集讨薪'")).one()
    committed.inspections.append(made.id)
    assert (made.county_adcode, made.kind, made.priority) == (COUNTY, "incident", "urgent")
    expect(page.locator(f'#lw-inspections .lw-job[data-id="{made.id}"]')).to_have_count(
        1, timeout=30_000)
    expect(page.locator("#lw-selected")).to_contain_text(f"#{made.id}")
    assert page.errors == []
    page.context.close()


def test_the_console_reads_well_on_a_phone(browser, live_server, scene):  # noqa: F811
    first = scene[0]
    page = signed_in(browser, live_server, PHONE, f"/dispatch?area={COUNTY}")
    page.wait_for_selector(READY, timeout=60_000)
    job = page.locator(f'#lw-inspections .lw-job[data-id="{first}"]')
    assert job.bounding_box()["height"] >= 44
    assert page.locator("#lw-tab-waiting").bounding_box()["height"] >= 44
    job.click()
    page.wait_for_selector(".lw-team .lw-assign", timeout=30_000)
    reads_well(page, PHONE)
    shoot(page, "dispatch-console-phone")
    assert page.errors == []
    page.context.close()
