"""Stored text is inert on every page: markup in a grid, employer, officer, complaint, case or
history text is shown as text, never run, and the pages' own scripts run under a nonce CSP."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.core.db import unit_of_work
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, bearer, unique
from tests.dispatch_fixtures import add_employer, add_inspector, metres_east

# 64 characters: it fits every free-text column, the shortest being varchar(64) names.
PAYLOAD = "</script><script>__pwned=1</script><img src=x onerror=__pwned=1>"
COUNTY = "410182"  # 荥阳市: no other test writes there

# Violations and console errors are collected from before the first script runs.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
    e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


@pytest.fixture(scope="module")
def hostile(sessions):
    """One grid renamed to the payload, and every other text shown on a page set to it."""
    p = PAYLOAD
    with unit_of_work(sessions) as s:
        grid, code, old_name, lon, lat, version = s.execute(text("""
            SELECT id, code, name, ST_X(pt), ST_Y(pt), version FROM (
                SELECT *, ST_PointOnSurface(geom) AS pt FROM grids WHERE county_adcode = :c
                ORDER BY id LIMIT 1) g"""), {"c": COUNTY}).one()
        s.execute(text("UPDATE grids SET name = :p WHERE id = :g"), {"p": p, "g": grid})
        s.execute(text("""
            INSERT INTO grid_history (grid_id, county_adcode, version, op, code, name, geom_before,
                                      geom_after, changed_by, reason)
            SELECT id, county_adcode, version, 'update', code, name, geom, geom, :p, :p
            FROM grids WHERE id = :g"""), {"p": p, "g": grid})
        employer = add_employer(s, lon=lon, lat=lat, county=COUNTY)
        # Stalest in its grid, so it heads the grid worker's list.
        s.execute(text("""UPDATE employers SET name = :p, address = :p, contact_person = :p,
                          grid_id = :g, updated_at = now() - interval '10 years' WHERE id = :e"""),
                  {"p": p, "g": grid, "e": employer})
        user = create_user(s, username=unique("inert"), password=PASSWORD,
                           role="inspector", actor="tests", display_name=p)
        officers = [add_inspector(s, lon=metres_east(lon, lat, 150 * (i + 1))[0], lat=lat,
                                  county=COUNTY, grid_id=grid, user_id=user.id if i == 0 else None)
                    for i in range(2)]
        s.execute(text("UPDATE officers SET name = :p WHERE id = ANY(:o)"), {"p": p, "o": officers})
        complaint = s.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, workers_affected,
                                    description, complainant_name, not_actionable_reason, geom,
                                    status)
            VALUES (:e, :c, 'wage_arrears', 1, :p, :p, :p,
                    ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'accepted')
            RETURNING id"""), {"e": employer, "c": COUNTY, "p": p, "x": lon, "y": lat}).scalar_one()
        inspections = s.execute(text("""
            INSERT INTO inspections (kind, employer_id, complaint_id, county_adcode, geom, priority,
                                     status, description, closed_reason, created_by)
            VALUES ('complaint', :e, :k, :c, ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'urgent',
                    'pending', :p, NULL, :p),
                   ('complaint', :e, :k, :c, ST_SetSRID(ST_MakePoint(:x, :y), 4326), 'normal',
                    'cancelled', :p, :p, :p)
            RETURNING id"""), {"e": employer, "k": complaint, "c": COUNTY, "p": p, "x": lon,
                               "y": lat}).scalars().all()
        s.execute(text("""
            INSERT INTO cases (inspection_id, employer_id, county_adcode, opened_on, due_on,
                               extension_reason, supervised_note, summary, created_by)
            VALUES (:i, :e, :c, current_date, current_date + 60, :p, :p, :p, :p)"""),
                  {"i": inspections[0], "e": employer, "c": COUNTY, "p": p})
    yield {"grid": grid, "code": code, "employer": employer, "officers": officers,
           "inspection": inspections[0], "user": user.username, "lon": lon, "lat": lat}
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM cases WHERE inspection_id = ANY(:i)"), {"i": inspections})
        s.execute(text("DELETE FROM assignments WHERE inspection_id = ANY(:i) "
                       "OR officer_id = ANY(:o)"), {"i": inspections, "o": officers})
        s.execute(text("DELETE FROM inspections WHERE id = ANY(:i)"), {"i": inspections})
        s.execute(text("DELETE FROM complaints WHERE id = :k"), {"k": complaint})
        s.execute(text("DELETE FROM officers WHERE id = ANY(:o)"), {"o": officers})
        s.execute(text("DELETE FROM employers WHERE id = :e"), {"e": employer})
        s.execute(text("DELETE FROM users WHERE id = :u"), {"u": user.id})
        s.execute(text("DELETE FROM grid_history WHERE grid_id = :g AND reason = :p"),
                  {"g": grid, "p": p})
        s.execute(text("UPDATE grids SET name = :n WHERE id = :g"), {"n": old_name, "g": grid})


# ---- without a browser: what the server writes into the page ----

class Scripts(HTMLParser):
    """Every <script> of a page: its attributes and its text, as a browser would split them."""

    def __init__(self):
        super().__init__()
        self.scripts, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = {"attrs": dict(attrs), "text": ""}
            self.scripts.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def script_src(csp: str) -> list[str]:
    directive = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    return directive.split()[1:]


@pytest.mark.parametrize("path", ["/map", "/map?area={code}", f"/map?area={COUNTY}",
                                  f"/dispatch?area={COUNTY}", f"/planner?county={COUNTY}",
                                  "/field"])
def test_every_inline_script_carries_the_responses_nonce_and_stored_text_stays_inside_it(
        client, tokens, hostile, path):
    r = client.get(path.format(code=hostile["code"]), headers=bearer(tokens["admin"]))
    assert r.status_code == 200
    sources = script_src(r.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    nonces = [s[len("'nonce-"):-1] for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1 and len(nonces[0]) >= 16
    html = r.get_data(as_text=True)
    assert "</script><script>__pwned" not in html and "<img src=x" not in html
    parser = Scripts()
    parser.feed(html)
    inline = [s for s in parser.scripts if "src" not in s["attrs"]]
    assert inline, "the page has its set-up script"
    assert all(s["attrs"].get("nonce") == nonces[0] for s in inline), inline
    # The payload is never a script of its own, only (escaped) data inside the page's script.
    assert not any(s["text"].strip().startswith("__pwned") for s in parser.scripts)


@pytest.mark.parametrize("path", ["/map?area={code}", f"/map?area={COUNTY}"])
def test_a_grid_name_reaches_the_maps_script_as_escaped_json(client, tokens, hostile, path):
    html = client.get(path.format(code=hostile["code"]),
                      headers=bearer(tokens["command"])).get_data(as_text=True)
    assert PAYLOAD not in html
    parser = Scripts()
    parser.feed(html)
    assert not any(s["text"].strip().startswith("__pwned") for s in parser.scripts)
    escaped = PAYLOAD.replace("<", "\\u003c").replace(">", "\\u003e")
    assert any(escaped in s["text"] for s in parser.scripts)  # still there, as data


def test_each_response_gets_its_own_nonce(client, tokens):
    def nonce():
        csp = client.get("/map", headers=bearer(tokens["command"])).headers[
            "Content-Security-Policy"]
        return re.search(r"'nonce-([^']+)'", csp).group(1)
    assert nonce() != nonce()


# ---- in Chromium: nothing runs, nothing of the app's own is blocked, text shows as text ----

def open_page(browser, live_server, path, username):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(WATCH)
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(
        f"console: {msg.text}"))
    page.goto(f"{live_server}/login?next={quote(path, safe='/')}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    return page


def leave_quietly(page):
    """Wait for the tiles the last fly-to asked for before leaving the page: Chrome keeps the
    sockets of requests it cancels on navigation open, idle, and each holds one of gunicorn's
    two sync workers until its 30 s timeout."""
    page.wait_for_function("() => !LW.ctx.employers || !LW.ctx.employers.isLoading()",
                           timeout=30_000)


def assert_inert(page):
    """No payload ran, the CSP blocked nothing (our scripts carry the nonce), no errors."""
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__violations") == []
    assert page.locator("img[src=x]").count() == 0
    assert page.problems == []


def test_the_command_map_shows_stored_markup_as_text_at_province_county_and_grid(
        browser, live_server, hostile):  # noqa: F811
    page = open_page(browser, live_server, "/map", "test-command")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    page.wait_for_selector('.folium-map[data-summary="18"]', timeout=30_000)
    # Search finds the grid and the employer by the payload; both are listed as text.
    page.fill("#lw-search-q", "__pwned")
    page.wait_for_selector("#lw-search-results li.lw-result >> nth=1", timeout=15_000)
    results = page.locator("#lw-search-results li.lw-result span").all_inner_texts()
    assert f"{hostile['code']} {PAYLOAD}" in results and PAYLOAD in results
    page.locator("#lw-search-results li.lw-result", has_text=PAYLOAD).last.dispatch_event(
        "mousedown")
    page.wait_for_selector(".lw-employer-popup[data-loaded='1']", timeout=15_000)
    assert page.locator(".lw-employer-popup h6").inner_text() == PAYLOAD
    assert page.locator(".lw-employer-popup td", has_text=PAYLOAD).count() == 1  # the address
    # (The province's overview grids carry codes only: the grid's name is checked below.)
    # Layer names go through Leaflet as HTML: they arrive escaped once, and read as plain text.
    overlays = page.locator(".leaflet-control-layers-overlays").inner_text()
    assert "(" in overlays and "&amp;" not in overlays and "&lt;" not in overlays
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inert-map-province.png"))
    assert_inert(page)

    # The county: the grid in the drill-down list, the open inspection's popup.
    leave_quietly(page)
    page.goto(f"{live_server}/map?area={COUNTY}")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    assert PAYLOAD in page.locator("#lw-drill option").all_inner_texts()
    page.wait_for_function("id => LW.officers && LW.officers.markers[id] && "
                           "LW.officers.markers[id]._map",  # on the map, not only made
                           arg=hostile["officers"][0], timeout=30_000)
    page.evaluate("id => { LW.officers.markers[id].openPopup(); }", hostile["officers"][0])
    assert page.locator(".lw-officer-popup h6").inner_text() == PAYLOAD
    page.evaluate("""id => { LW.ctx.grids.eachLayer(l => {
        if (l.feature.properties.id === id) l.openPopup(); }); }""", hostile["grid"])
    assert page.locator(".lw-grid-popup h6").inner_text() == PAYLOAD
    page.wait_for_selector(".folium-map[data-inspections]", timeout=30_000)
    page.evaluate("""at => { LW.ctx.map.eachLayer(l => {
        if (l instanceof L.Marker && l.getPopup() && l.getLatLng().equals(at)) l.openPopup();
    }); }""", [hostile["lat"], hostile["lon"]])
    popup = page.locator(".lw-inspection-popup")
    assert popup.locator("h6").inner_text() == PAYLOAD
    assert popup.locator("td", has_text=PAYLOAD).count() == 2  # employer and description
    assert_inert(page)

    # The grid itself: its name closes the breadcrumb.
    leave_quietly(page)
    page.goto(f"{live_server}/map?area={hostile['code']}")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    assert page.locator(".lw-crumbs strong").inner_text() == PAYLOAD
    page.screenshot(path=str(ARTIFACTS / "inert-map-grid.png"))
    assert_inert(page)
    page.close()


def test_the_dispatcher_sees_stored_markup_as_text_in_queue_detail_and_teams(
        browser, live_server, hostile):  # noqa: F811
    page = open_page(browser, live_server, f"/dispatch?area={COUNTY}", "test-dispatcher")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    job = page.locator(f'.lw-job[data-id="{hostile["inspection"]}"]')
    assert job.locator(".lw-job-what").inner_text() == PAYLOAD
    job.click()
    page.wait_for_selector(".lw-team", timeout=30_000)
    title = page.locator("#lw-selected .fw-bold").inner_text()
    assert title.endswith(f"#{hostile['inspection']} · {PAYLOAD}")
    assert f"{PAYLOAD}、{PAYLOAD}" in page.locator(".lw-team strong").all_inner_texts()
    page.locator("path.lw-officer").first.hover()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inert-dispatch.png"))
    assert_inert(page)
    page.close()


def test_the_planner_shows_a_grid_name_and_history_reason_as_text(
        browser, live_server, hostile):  # noqa: F811
    page = open_page(browser, live_server, f"/planner?county={COUNTY}", "test-planner")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    page.evaluate("id => { LWPlanner.select(id); }", hostile["grid"])
    assert page.locator("#lw-grid .fw-bold").inner_text() == PAYLOAD
    page.wait_for_selector("#lw-history .lw-reason-text", timeout=15_000)
    assert page.locator("#lw-history .lw-reason-text").inner_text() == PAYLOAD
    assert PAYLOAD in page.locator("#lw-history .text-muted").first.inner_text()  # changed_by
    assert_inert(page)
    page.close()


def test_the_grid_worker_sees_stored_markup_as_text_on_the_field_page(
        browser, live_server, hostile):  # noqa: F811
    page = open_page(browser, live_server, "/field", hostile["user"])
    page.wait_for_selector('body[data-ready="1"]', timeout=30_000)
    card = page.locator(f'.lw-employer[data-id="{hostile["employer"]}"]')
    assert card.locator("strong").inner_text() == PAYLOAD
    assert card.locator(".lw-card-address").inner_text() == PAYLOAD
    assert card.locator("input[name=contact_person]").input_value() == PAYLOAD
    assert page.locator("#lw-field-status").inner_text() == f"{PAYLOAD} ({hostile['code']})"
    assert PAYLOAD in page.locator(".lw-user").inner_text()  # the nav's display name
    assert_inert(page)
    page.close()
