"""Every page in Chinese and in English, for every role that may open it, in headless Chromium:
no catalog key shown untranslated, no raw code (role, status, kind, priority, location source)
or English sentence on a Chinese page, and the language switch keeps the page and its query."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text

from dispatch.inspections.models import INSPECTION_KINDS, INSPECTION_STATUSES, PRIORITIES
from dispatch.officers.models import OFFICER_STATUSES
from geo.accounts.models import ROLES
from geo.accounts.service import create_user
from geo.core.db import unit_of_work
from geo.employers.models import LOCATION_SOURCES, UNRATED
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, unique
from tests.dispatch_fixtures import add_inspector

LOCALES = {"zh": "zh-CN", "en": "en-US"}  # the browser's Accept-Language picks the page's
CODES = sorted({*ROLES, *OFFICER_STATUSES, *INSPECTION_STATUSES, *INSPECTION_KINDS,
                *PRIORITIES, *LOCATION_SOURCES, UNRATED})
# A code as a whole word: not part of a longer name such as `test-command` or `on_site_x`.
RAW_CODE = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, CODES)) + r")(?![\w-])")
# What an untranslated catalog key looks like: `plan_no_changes`, `error.grid.not_found`.
KEY_LIKE = re.compile(r"(?<![\w.-])([a-z]+(?:_[a-z0-9]+)+|[a-z]{2,}(?:\.[a-z_]{2,})+)(?![\w-])")
# Three English words in a row, or a 12-hour clock: English on a Chinese page.
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b|\b\d{1,2}:\d\d(?::\d\d)? ?[AP]M\b")

COUNTY = "410102"  # 中原区
PAGES = {  # path, who may open it, what says it is ready
    "map": (f"/map?area={COUNTY}", ROLES, '.folium-map[data-ready="1"][data-kpis]'),
    "dispatch": ("/dispatch?area=410100", ("dispatcher", "command", "admin"),
                 '.folium-map[data-ready="1"]'),
    "planner": (f"/planner?county={COUNTY}", ROLES, '.folium-map[data-ready="1"]'),
    "field": ("/field", ("inspector", "admin"), "#lw-field-status:not(:empty)"),
}


@pytest.fixture(scope="module")
def accounts(sessions):
    """A user name per role; the inspector is a grid worker linked to a grid of COUNTY."""
    names = {role: f"test-{role}" for role in ROLES}
    with unit_of_work(sessions) as s:
        grid, lon, lat = s.execute(text("""
            SELECT id, ST_X(p), ST_Y(p) FROM (SELECT id, ST_PointOnSurface(geom) AS p FROM grids
            WHERE county_adcode = :c ORDER BY id LIMIT 1) g"""), {"c": COUNTY}).one()
        user = create_user(s, username=unique("lang"), password=PASSWORD, role="inspector",
                           actor="tests")
        officer = add_inspector(s, lon=lon, lat=lat, county=COUNTY, kind="grid_worker",
                                certified=False, grid_id=grid, user_id=user.id)
    names["inspector"] = user.username
    yield names
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM officers WHERE id = :o"), {"o": officer})
        s.execute(text("DELETE FROM users WHERE id = :u"), {"u": user.id})


def visible_text(page) -> str:
    return page.evaluate("document.body.innerText")


def problems(words: str, lang: str) -> list[str]:
    """What a reader must not see: keys in any language; codes and English on Chinese pages."""
    # Codes are for (b): English server text keeps a few (e.g. "status is en_route").
    found = [f"untranslated key {m!r}" for m in KEY_LIKE.findall(words) if m not in CODES]
    if lang == "zh":
        found += [f"raw code {m!r}" for m in RAW_CODE.findall(words)]
        found += [f"English {m.group(0)!r}" for m in ENGLISH.finditer(words)]
    return found


def new_page(browser, lang, phone=False):  # noqa: F811
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 390, "height": 844}
                                  if phone else {"width": 1366, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    # A missing catalog text is logged by core/i18n.js; an answer such as the admin's 404
    # "not linked to a grid" is shown on the page (and checked there), not counted here.
    page.on("console", lambda msg: msg.type in ("error", "warning") and not msg.text.startswith(
        "Failed to load resource") and page.errors.append(msg.text))
    return page


def sign_in(page, live_server, username, path):
    page.goto(f"{live_server}/login?next={path.replace('?', '%3F').replace('=', '%3D')}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def leave_quietly(page):
    """Let the employer tiles in flight arrive before leaving a map page: Chrome keeps the
    sockets of requests it cancels open and idle, and each holds one of gunicorn's two sync
    workers until its 30 s timeout."""
    page.wait_for_function("""() => [window.LW && LW.ctx.employers,
                                     window.LWPlanner && LWPlanner.state.employers]
                               .every(layer => !layer || !layer.isLoading())""", timeout=30_000)


def ready_to_leave(page):
    if page.locator(".folium-map").count():
        page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
        page.wait_for_timeout(300)  # the first tiles are asked for
    leave_quietly(page)


def settle(page, name, ready):
    page.wait_for_selector(ready, timeout=60_000)
    if name == "dispatch":  # the detail panel too: teams, distances, exclusion reasons
        jobs = page.locator(".lw-job")
        if jobs.count():
            jobs.first.click()
            page.wait_for_function("""() => {
                const t = document.getElementById('lw-teams');
                return t.children.length > 0 || document.querySelector('#lw-message.alert-danger');
            }""", timeout=30_000)
    if name == "map":
        page.wait_for_timeout(500)  # the live layers' first poll


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_reads_in_its_language_without_raw_codes_or_keys(
        browser, live_server, accounts, role, lang):  # noqa: F811
    pages = [name for name, (_, allowed, _) in PAGES.items() if role in allowed]
    page = new_page(browser, lang)
    first = PAGES[pages[0]][0]
    sign_in(page, live_server, accounts[role], first)
    seen = {}
    for name in pages:
        path, _, ready = PAGES[name]
        if page.url != live_server + path:
            leave_quietly(page)
            page.goto(live_server + path)
        settle(page, name, ready)
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
        words = visible_text(page)
        seen[name] = problems(words, lang)
        if lang == "zh":
            # The nav names the role, never its code.
            assert "角色" in page.locator(".lw-user").inner_text()
    assert {n: p for n, p in seen.items() if p} == {}, seen
    assert page.errors == [], page.errors
    page.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sign_in_page_and_an_error_page_read_in_the_browsers_language(
        browser, live_server, lang):  # noqa: F811
    page = new_page(browser, lang)
    page.goto(live_server + "/login")
    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh" else "en")
    assert problems(visible_text(page), lang) == []
    assert ("登录" if lang == "zh" else "Sign in") in visible_text(page)
    sign_in(page, live_server, "test-command", "/map")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    leave_quietly(page)
    r = page.goto(live_server + "/map?area=419999",  # no such area: the HTML error page
                  wait_until="domcontentloaded")
    assert r.status == 404
    words = visible_text(page)
    assert "404" in words and problems(words, lang) == [], words
    page.context.close()


def test_dispatch_times_are_24_hour_beijing_time_in_chinese(browser, live_server):  # noqa: F811
    # The browser's clock is frozen at an afternoon instant, and its zone is not Beijing's:
    # 07:04:05 UTC is 15:04:05 in Beijing (03:04:05 AM in New York).
    context = browser.new_context(locale=LOCALES["zh"], timezone_id="America/New_York",
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.clock.set_fixed_time(datetime(2028, 3, 15, 7, 4, 5, tzinfo=UTC))
    sign_in(page, live_server, "test-dispatcher", "/dispatch")
    page.wait_for_selector("#lw-updated:not(:empty)", timeout=60_000)
    assert page.locator("#lw-updated").inner_text() == "更新于 15:04:05"
    context.close()


@pytest.mark.parametrize("path", ["/dispatch?area=410108", f"/planner?county={COUNTY}",
                                  f"/map?area={COUNTY}&x=1", "/nowhere?a=b%20c"])
def test_the_language_switch_keeps_the_page_and_its_query(browser, live_server, path):  # noqa: F811
    page = new_page(browser, "zh")
    sign_in(page, live_server, "test-admin", "/map?area=410102")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    leave_quietly(page)
    page.goto(live_server + path)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    before = urlparse(page.url)
    ready_to_leave(page)
    page.click("a.lw-lang")
    page.wait_for_load_state()
    after = urlparse(page.url)
    assert after.path == before.path
    assert parse_qs(after.query) == {**parse_qs(before.query), "lang": ["en"]}
    assert page.evaluate("document.documentElement.lang") == "en"
    # …and back, with the choice remembered (the cookie) over the browser's zh-CN.
    ready_to_leave(page)
    page.click("a.lw-lang")
    page.wait_for_load_state()
    back = urlparse(page.url)
    assert back.path == before.path
    assert parse_qs(back.query) == {**parse_qs(before.query), "lang": ["zh"]}
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.context.close()


@pytest.mark.parametrize("name", ["dispatch", "field"])
def test_screenshots_of_dispatch_and_field_in_chinese_on_desktop_and_phone(
        browser, live_server, accounts, name):  # noqa: F811
    path, _, ready = PAGES[name]
    role = "dispatcher" if name == "dispatch" else "inspector"
    ARTIFACTS.mkdir(exist_ok=True)
    for phone in (False, True):
        page = new_page(browser, "zh", phone=phone)
        sign_in(page, live_server, accounts[role], path)
        settle(page, name, ready)
        page.screenshot(path=str(ARTIFACTS / f"zh-{name}-{'phone' if phone else 'desktop'}.png"),
                        full_page=False)
        assert problems(visible_text(page), "zh") == []
        page.context.close()
