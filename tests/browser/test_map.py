"""The command map in headless Chromium: escaped popups, live officers, layers, drill-down."""
from urllib.parse import urlparse

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import text

from geo.core.db import unit_of_work
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, bearer, unique
from tests.dispatch_fixtures import add_employer, add_inspector, committed  # noqa: F401

PAYLOAD = '<img src=x onerror="window.__xss=1">'
SITE = (113.3904, 34.5123)  # 新密市 (410183), away from other tests' sites


def sign_in(browser, live_server, path, role="command"):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(f"{live_server}/login?next={requests.utils.quote(path, safe='')}")
    page.fill("#username", f"test-{role}")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    return page


def show(page, lat, lon, zoom):
    """Centre the map on a point and wait until the employer tiles in view have loaded."""
    page.evaluate("""([lat, lon, zoom]) => new Promise(done => {
        const map = LW.ctx.map, layer = LW.ctx.employers;
        layer.once('load', () => setTimeout(done, 300));
        map.setView([lat, lon], zoom, {animate: false});
    })""", [lat, lon, zoom])


def click_at(page, lat, lon):
    point = page.evaluate("""([lat, lon]) => {
        const p = LW.ctx.map.latLngToContainerPoint([lat, lon]);
        const box = LW.ctx.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", [lat, lon])
    page.mouse.click(*point)


@pytest.fixture()
def hostile_employer(sessions):
    with unit_of_work(sessions) as s:
        employer = add_employer(s, lon=SITE[0], lat=SITE[1], county="410183")
        s.execute(text("UPDATE employers SET name = :n WHERE id = :i"),
                  {"n": PAYLOAD, "i": employer})
    yield employer
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM employers WHERE id = :i"), {"i": employer})


def test_a_script_in_an_employer_name_is_shown_as_text_in_the_popup_and_search(
        browser, live_server, hostile_employer):  # noqa: F811
    page = sign_in(browser, live_server, "/map?area=410183")
    show(page, SITE[1], SITE[0], 17)
    # Tiles load as the map settles: redraw until the employer is in one.
    page.wait_for_function("""id => {
        const layer = LW.ctx.employers;
        const shown = Object.values(layer._vectorTiles).some(t => t._features[id]);
        if (!shown && !layer.isLoading()) layer.redraw();
        return shown;
    }""", arg=hostile_employer, polling=250, timeout=15_000)
    click_at(page, SITE[1], SITE[0])
    page.wait_for_selector(".lw-employer-popup[data-loaded='1']", timeout=15_000)
    assert page.locator(".lw-employer-popup h6").inner_text() == PAYLOAD
    assert page.locator(".leaflet-popup img").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-xss-popup.png"))

    page.fill("#lw-search-q", "onerror")
    page.wait_for_selector("#lw-search-results li.lw-result", timeout=15_000)
    assert PAYLOAD in page.locator("#lw-search-results").inner_text()
    assert page.locator("#lw-search-results img").count() == 0
    assert page.evaluate("window.__xss") is None and page.errors == []
    page.close()


def test_a_posted_position_moves_the_officer_on_an_open_map_within_5_s(
        browser, live_server, sessions, tokens):  # noqa: F811
    with unit_of_work(sessions) as s:
        officer = add_inspector(s, lon=113.40, lat=34.50, county="410183", status="off_duty")
    page = sign_in(browser, live_server, "/map?area=410183")
    position = lambda: page.evaluate("id => LW.officerPosition(id)", officer)  # noqa: E731
    page.wait_for_function("id => LW.officerPosition(id) !== null", arg=officer,
                           timeout=15_000)
    assert position() == pytest.approx([34.50, 113.40])
    target = (113.4321, 34.5432)
    r = requests.post(f"{live_server}/api/v1/officers/{officer}/location",
                      json={"lat": target[1], "lon": target[0], "accuracy_m": 8},
                      headers=bearer(tokens["dispatcher"]), timeout=10)
    assert r.status_code == 200, r.text
    page.wait_for_function("""([id, lat, lon]) => {
        const p = LW.officerPosition(id);
        return p !== null && Math.abs(p[0] - lat) < 1e-6 && Math.abs(p[1] - lon) < 1e-6;
    }""", arg=[officer, target[1], target[0]], timeout=5_000)  # the promise: within 5 s
    page.close()


def test_the_map_of_a_county_shows_breadcrumb_layers_and_grid_colours_offline(
        browser, live_server):  # noqa: F811
    hosts = set()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("request", lambda req: hosts.add(urlparse(req.url).hostname))
    page.goto(f"{live_server}/login?next=/map%3Farea%3D410102")
    page.fill("#username", "test-command")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    crumbs = page.locator(".lw-crumbs").inner_text()
    assert "河南省" in crumbs and "郑州市" in crumbs and "中原区" in crumbs
    page.wait_for_selector(".folium-map[data-officers]", timeout=15_000)
    page.wait_for_selector(".folium-map[data-kpis]", timeout=15_000)
    page.select_option("#lw-metric", "open_complaints")
    page.wait_for_selector('.folium-map[data-metric="open_complaints"]', timeout=15_000)
    page.wait_for_selector(".folium-map[data-employer-tiles='loaded']", timeout=15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-county.png"))
    # Drill down to a grid through the selector; the breadcrumb grows by one level.
    first_grid = page.locator("#lw-drill option").nth(1).get_attribute("value")
    page.select_option("#lw-drill", first_grid)
    page.wait_for_url(f"**/map?area={first_grid}", timeout=15_000)
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    assert page.locator(".lw-crumbs [data-level]").count() == 4
    page.fill("#lw-search-q", first_grid)
    page.wait_for_selector("#lw-search-results li.lw-result", timeout=15_000)
    assert first_grid in page.locator("#lw-search-results li.lw-result").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "map-grid.png"))
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {hosts}"
    page.close()


@pytest.mark.parametrize("metric", ["employers_per_staff", "mean_risk"])
def test_grid_colours_are_fitted_to_the_area_and_the_legend_gives_their_breaks(
        browser, live_server, metric):  # noqa: F811
    """Quantile classes over the grids shown: at least 4 distinct fills on the demo data (fixed
    steps painted a county in one colour), the legend's rows give each class's bounds in
    ascending order, and a grid without staff is not drawn in grade C's red."""
    page = sign_in(browser, live_server, "/map?area=410100")  # 郑州市: enough grids to rank
    page.wait_for_selector('.folium-map[data-ready="1"][data-classes]', timeout=60_000)
    if metric != "employers_per_staff":
        page.select_option("#lw-metric", metric)
        page.wait_for_selector(f'.folium-map[data-metric="{metric}"]', timeout=15_000)
    classes = int(page.locator(".folium-map").get_attribute("data-classes"))
    fills = set(page.eval_on_selector_all("path.lw-grid", "ps => ps.map(p => p.getAttribute('fill'))"))
    assert classes >= 4 and len(fills) >= 4
    breaks = [float(b) for b in page.locator(".lw-legend-fill").get_attribute(
        "data-breaks").split()]
    assert breaks == sorted(breaks) and len(breaks) >= classes - 1
    rows = page.locator(".lw-legend-fill .lw-legend-row").all_inner_texts()
    assert rows[0].startswith("<") and any(r.startswith("≥") for r in rows)
    assert "#d62728" not in fills  # red is grade C's, never a grid's
    page.close()


def test_search_finds_the_area_shown_first_and_a_result_elsewhere_moves_the_map_there(
        browser, live_server, committed, db):  # noqa: F811
    """Two employers of one name: the one in 中原区 (the area shown) first, the one in 登封市
    after it, marked as elsewhere; choosing that one opens 登封市's map — breadcrumb, key
    figures and layers — with its popup."""
    name = unique("检索测试单位")
    here = committed.employer(lon=113.62, lat=34.75, county="410102")
    there_lon, there_lat = db.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT "
                                           "ST_PointOnSurface(geom) p FROM admin_areas "
                                           "WHERE adcode = '410185') s")).one()
    there = committed.employer(lon=there_lon, lat=there_lat, county="410185")
    with unit_of_work(committed.sessions) as s:
        s.execute(text("UPDATE employers SET name = :n || '（' || id || '）' "
                       "WHERE id = ANY(:e)"), {"n": name, "e": [here, there]})
    page = sign_in(browser, live_server, "/map?area=410102")
    page.fill("#lw-search-q", name)
    page.wait_for_selector("#lw-search-results li.lw-result-elsewhere", timeout=15_000)
    results = page.locator("#lw-search-results li.lw-result")
    assert f"（{here}）" in results.nth(0).inner_text()
    elsewhere = page.locator("#lw-search-results li.lw-result-elsewhere")
    assert elsewhere.count() == 1 and f"（{there}）" in elsewhere.inner_text()
    elsewhere.dispatch_event("mousedown")
    page.wait_for_url(f"**/map?area=410185&employer={there}", timeout=15_000)
    page.wait_for_selector('.folium-map[data-ready="1"][data-kpis="loaded"]', timeout=60_000)
    assert "410185" not in page.locator(".lw-crumbs").inner_text()
    assert page.locator(".lw-crumbs").inner_text().rstrip().endswith(
        db.execute(text("SELECT name FROM admin_areas WHERE adcode = '410185'")).scalar_one())
    expect(page.locator(".lw-kpis h6")).to_contain_text(
        db.execute(text("SELECT name FROM admin_areas WHERE adcode = '410185'")).scalar_one())
    expect(page.locator(".leaflet-popup-content")).to_contain_text(name, timeout=15_000)
    assert page.errors == []
    page.close()


@pytest.mark.parametrize(("area", "expected", "count"), [
    ("410000", "郑州市", 18), ("410100", "中原区", 12), ("410102", "第1网格", None)])
def test_the_map_names_the_places_one_level_down(browser, live_server, area, expected,
                                                  count):  # noqa: F811
    """The cities on the province, the counties on a city, the grids on a county, by name
    (a grid's name without its county's, which the breadcrumb already says)."""
    page = sign_in(browser, live_server, f"/map?area={area}")
    labels = page.locator(".lw-area-label")
    assert any(expected in text for text in labels.all_inner_texts())
    if count is not None:
        assert labels.count() == count
    assert not any(text.startswith("中原区第") for text in labels.all_inner_texts())
    page.close()


def test_above_county_level_officers_and_jobs_are_counted_per_area_and_drill_down(
        browser, live_server, sessions):  # noqa: F811
    """Province: one badge per city, no officer or job markers; the badge opens by keyboard,
    shows the counts by status and links one level down; a county draws each officer."""
    page = sign_in(browser, live_server, "/map")
    page.wait_for_selector('.folium-map[data-summary="18"]', timeout=30_000)
    assert page.locator("path.lw-officer").count() == 0
    assert page.locator(".lw-job-icon").count() == 0
    with sessions() as s:
        on_duty = s.execute(text("""
            SELECT count(*) FROM officers o JOIN admin_areas c ON c.level = 'county'
             AND c.adcode = o.county_adcode
            WHERE c.parent_adcode = '410100' AND o.active AND o.geom IS NOT NULL
              AND o.status NOT IN ('off_duty', 'unavailable')""")).scalar_one()
    zhengzhou = page.locator('.lw-summary-icon[title^="郑州市"]')
    assert zhengzhou.count() == 1
    assert zhengzhou.locator(".lw-summary-officers").inner_text() == str(on_duty)
    zhengzhou.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".lw-summary-popup")
    popup.wait_for(timeout=10_000)
    assert popup.locator("h6").inner_text() == "郑州市"
    assert popup.locator("a").get_attribute("href") == "/map?area=410100"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-province-per-city.png"))
    popup.locator("a").click()
    page.wait_for_url("**/map?area=410100", timeout=15_000)
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    with sessions() as s:
        counties = s.execute(text("SELECT count(*) FROM admin_areas WHERE level = 'county' "
                                  "AND parent_adcode = '410100'")).scalar_one()
    page.wait_for_selector(f'.folium-map[data-summary="{counties}"]', timeout=30_000)
    assert page.locator("path.lw-officer").count() == 0
    page.goto(f"{live_server}/map?area=410102")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    page.wait_for_selector(".folium-map[data-officers]", timeout=15_000)
    assert page.locator(".lw-summary-icon").count() == 0
    assert page.locator("path.lw-officer").count() > 0
    assert page.errors == []
    page.close()


def test_a_grid_map_outlines_the_grid_and_shows_its_own_figures(browser, live_server, sessions):  # noqa: F811
    with sessions() as s:
        grid, code, employers = s.execute(text("""
            SELECT g.id, g.code, (SELECT count(*) FROM employers e WHERE e.grid_id = g.id)
            FROM grids g WHERE g.county_adcode = '410102' ORDER BY g.id LIMIT 1""")).one()
    page = sign_in(browser, live_server, f"/map?area={code}")
    page.wait_for_selector('.folium-map[data-kpis="loaded"]', timeout=30_000)
    assert page.locator("path.lw-grid-selected").count() == 1
    panel = page.locator(".lw-kpis")
    expect(panel.locator(".lw-muted")).to_contain_text(f"{employers:,}")
    assert "—" not in panel.inner_text()  # no county coverage or referrals passed off as its
    hrefs = [a.get_attribute("href") for a in panel.locator("a").all()]
    assert hrefs and all(h.startswith("/lists/") and f"grid={grid}" in h for h in hrefs)
    assert page.locator(".lw-legend .lw-legend-row").filter(
        has=page.locator(".lw-swatch-ring")).count() >= 2  # disclosed, and this grid
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-grid-selected.png"))
    assert page.errors == []
    page.close()
