"""The command map in headless Chromium, served by gunicorn with two workers."""
import shutil
from urllib.parse import urlparse

import pytest

from tests.conftest import ARTIFACTS, PASSWORD

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

    from geo.db import unit_of_work
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
    page.wait_for_selector("#lw-message.alert-success", timeout=30_000)
    page.wait_for_selector(f'.lw-job[data-id="{job}"]', state="detached", timeout=30_000)
    assigned = db.execute(text("SELECT officer_id FROM assignments WHERE inspection_id = :i "
                               "AND released_at IS NULL ORDER BY officer_id"),
                          {"i": job}).scalars().all()
    assert len(assigned) == 2 and errors == []
    assert set(assigned) == set(team)  # the nearest same-county pair was the top team
    page.close()
