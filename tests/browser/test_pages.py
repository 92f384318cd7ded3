"""The command map in headless Chromium, served by gunicorn with two workers."""
import shutil
from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS, PASSWORD, unique

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: `sudo apt-get install -y chromium` "
                    "(make test installs it when run as root)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_command_user_sees_157_counties_and_nothing_loads_from_outside(browser, live_server):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    hosts, errors = set(), []
    page.on("request", lambda req: hosts.add(urlparse(req.url).hostname))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_server + "/map")
    assert "/login" in page.url
    page.fill("#username", "test-command")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)

    assert page.locator("path.lw-county").count() == 157
    assert page.locator("path.lw-city").count() == 18
    assert page.locator("path.lw-grid").count() > 157
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "command-map.png"))
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {hosts}"
    assert errors == []
    page.close()


def test_wrong_password_in_the_browser_shows_an_error_and_stays_on_login(browser, live_server):
    page = browser.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "test-command")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".alert-danger").is_visible()
    assert "/login" in page.url
    page.close()


def test_dispatcher_assigns_the_top_team_from_the_page(browser, live_server, sessions, db):
    from sqlalchemy import text

    from geo.core.db import unit_of_work
    from tests.dispatch_fixtures import add_inspection, add_inspector, metres_east
    site = (113.62, 34.86)  # 惠济区
    with unit_of_work(sessions) as s:
        job = add_inspection(s, lon=site[0], lat=site[1], county="410108", priority="urgent")
        team = [add_inspector(s, lon=metres_east(*site, 200 * (i + 1))[0], lat=site[1],
                              county="410108") for i in range(2)]
    page = browser.new_page(viewport={"width": 1500, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/login?next=/dispatch%3Farea%3D410108")
    page.fill("#username", "test-dispatcher")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    page.click(f'.lw-job[data-id="{job}"]')
    page.wait_for_selector(".lw-team .lw-assign", timeout=30_000)
    assert page.locator("path.lw-officer").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dispatch.png"))
    page.locator(".lw-team .lw-assign").first.click()
    page.wait_for_selector("#lw-last.alert-success:not(.d-none)", timeout=30_000)
    page.wait_for_selector(f'.lw-job[data-id="{job}"]', state="detached", timeout=30_000)
    assigned = db.execute(text("SELECT officer_id FROM assignments WHERE inspection_id = :i "
                               "AND released_at IS NULL ORDER BY officer_id"),
                          {"i": job}).scalars().all()
    assert len(assigned) == 2 and errors == []
    assert set(assigned) == set(team)  # the nearest same-county pair was the top team
    page.close()


def test_grid_worker_moves_an_employer_with_the_phone_gps(browser, live_server, sessions, db):

    from sqlalchemy import text

    from geo.accounts.service import create_user
    from geo.core.db import unit_of_work
    from tests.dispatch_fixtures import add_inspector
    with unit_of_work(sessions) as s:
        grid_a, grid_b = s.execute(text("SELECT id FROM grids WHERE county_adcode = '410105' "
                                        "ORDER BY id LIMIT 2")).scalars().all()
        employer = s.execute(text("SELECT id FROM employers WHERE grid_id = :g ORDER BY id "
                                  "LIMIT 1"), {"g": grid_a}).scalar_one()
        lon, lat = s.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) "
                                  "AS p FROM grids WHERE id = :g) s"), {"g": grid_b}).one()
        user = create_user(s, username=unique("gps"), password=PASSWORD,
                           role="inspector", actor="tests")
        add_inspector(s, lon=lon, lat=lat, county="410105", kind="grid_worker", certified=False,
                      grid_id=grid_a, user_id=user.id)
    context = browser.new_context(viewport={"width": 390, "height": 844},  # a phone
                                  geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto(live_server + "/login?next=/field")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('body[data-ready="1"]', timeout=30_000)
    card = page.locator(f'.lw-employer[data-id="{employer}"]')
    card.locator(".lw-card-head").click()  # cards open one at a time
    card.locator(".lw-gps").click()
    page.wait_for_selector(f'.lw-employer[data-id="{employer}"][data-grid="{grid_b}"]',
                           timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "field.png"))
    row = db.execute(text("SELECT grid_id, location_source FROM employers WHERE id = :e"),
                     {"e": employer}).one()
    assert tuple(row) == (grid_b, "survey")
    context.close()
