"""The planner page in headless Chromium: a shared boundary dragged, previewed and committed."""
import math
from urllib.parse import urlparse

import pytest
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo.core.db import unit_of_work
from geo.employers.service import assign_to_grids
from geo.grids import coverage
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD
from tests.dispatch_fixtures import add_employer
from tests.grid_edit_fixtures import neighbours, restored

COUNTY = "411681"  # 项城市: no other test edits it; restored after this module
PREVIEWED = '#lw-panel[data-state="valid"], #lw-panel[data-state="invalid"], ' \
            '#lw-panel[data-state="error"]'

# The longest stretch of border that grids a and b share: two consecutive vertices of a's ring
# that b has too, with their screen positions (after zooming to them; Leaflet rounds these to
# whole pixels, so shapes are built from the exact lon/lat).
SHARED_EDGE = """([a, b]) => {
    const S = LWPlanner.state, map = S.map;
    const shared = new Set(LWPlanner.sharedVertices(a, b).map(v => v.join(',')));
    let best = null;
    const walk = node => {
        if (node.length && node[0] instanceof L.LatLng) {
            node.forEach((p, i) => {
                const q = node[(i + 1) % node.length];
                if (shared.has(p.lng + ',' + p.lat) && shared.has(q.lng + ',' + q.lat)) {
                    const d = map.distance(p, q);
                    if (!best || d > best.d) best = {p: p, q: q, d: d};
                }
            });
        } else node.forEach(walk);
    };
    walk(S.grids[a].layer.getLatLngs());
    map.fitBounds(L.latLngBounds([best.p, best.q]), {padding: [160, 160], animate: false});
    const box = map.getContainer().getBoundingClientRect();
    const px = ll => { const c = map.latLngToContainerPoint(ll); return [c.x + box.left, c.y + box.top]; };
    return {p: px(best.p), q: px(best.q), pLngLat: [best.p.lng, best.p.lat],
            qLngLat: [best.q.lng, best.q.lat]};
}"""

SHARED = "([a, b]) => LWPlanner.sharedVertices(a, b)"
TO_LATLNG = """(pts) => {
    const map = LWPlanner.state.map, box = map.getContainer().getBoundingClientRect();
    return pts.map(([x, y]) => { const l = map.containerPointToLatLng([x - box.left, y - box.top]);
                                 return [l.lng, l.lat]; });
}"""


@pytest.fixture(scope="module")
def county(sessions):
    """The test county, put back as it was (grids, employers' grids, history) afterwards."""
    with restored(sessions, COUNTY):
        yield COUNTY


def open_planner(browser, live_server):  # noqa: F811
    page = browser.new_page(viewport={"width": 1500, "height": 900})
    page.errors, page.hosts = [], set()
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("request", lambda req: page.hosts.add(urlparse(req.url).hostname))
    page.goto(f"{live_server}/login?next=/planner%3Fcounty%3D{COUNTY}")
    page.fill("#username", "test-planner")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('.folium-map[data-ready="1"]', timeout=60_000)
    return page


def grid_rows(db, ids):
    return {r.id: r for r in db.execute(text(
        "SELECT id, version, code FROM grids WHERE id = ANY(:ids)"), {"ids": list(ids)})}


def plan_drag(page, db, a, b):
    """Screen points of a drag of the shared edge's midpoint into one grid, and an employer
    spot the swept triangle will take from that grid (checked in PostGIS to lie inside it)."""
    shared = page.evaluate(SHARED, [a, b])
    edge = page.evaluate(SHARED_EDGE, [a, b])
    (px, py), (qx, qy) = edge["p"], edge["q"]
    mid = ((px + qx) / 2, (py + qy) / 2)  # Geoman's midpoint marker sits here
    length = math.hypot(qx - px, qy - py)
    nx, ny = -(qy - py) / length, (qx - px) / length
    for side in (1, -1):
        apex = (mid[0] + side * nx * 90, mid[1] + side * ny * 90)
        spot = (mid[0] + side * nx * 45, mid[1] + side * ny * 45)
        apex_at, spot_at = page.evaluate(TO_LATLNG, [apex, spot])
        tri = [edge["pLngLat"], apex_at, edge["qLngLat"], spot_at]
        ring = ", ".join(f"{x!r} {y!r}" for x, y in tri[:3] + tri[:1])
        inside = db.execute(text("""
            SELECT id FROM grids WHERE id = ANY(:ids)
              AND ST_Covers(ST_Buffer(geom, 1e-7), ST_GeomFromText(:tri, 4326))
              AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
        """), {"ids": [a, b], "tri": f"POLYGON(({ring}))", "x": tri[3][0],
               "y": tri[3][1]}).scalar()
        if inside is not None:
            return {"mid": mid, "apex": apex, "spot": tri[3], "loser": inside, "shared": shared,
                    "winner": b if inside == a else a}
    pytest.fail("neither side of the shared edge has room for the test's drag")


def test_planner_drags_a_shared_boundary_previews_and_commits_it(
        browser, live_server, county, sessions, db):  # noqa: F811
    a, b = neighbours(db, county)
    before = grid_rows(db, (a, b))
    page = open_planner(browser, live_server)
    page.evaluate("id => LWPlanner.select(id)", a)
    drag = plan_drag(page, db, a, b)
    with unit_of_work(sessions) as s:  # an employer inside the piece that changes hands
        employer = add_employer(s, lon=drag["spot"][0], lat=drag["spot"][1], county=county)
        assign_to_grids(s, employer_ids=[employer])
    try:
        assert db.execute(text("SELECT grid_id FROM employers WHERE id = :e"),
                          {"e": employer}).scalar() == drag["loser"]
        # Drag the midpoint marker of the shared edge: a new vertex, in both grids.
        page.mouse.move(*drag["mid"])
        page.mouse.down()
        page.mouse.move(drag["mid"][0] + (drag["apex"][0] - drag["mid"][0]) / 9,
                        drag["mid"][1] + (drag["apex"][1] - drag["mid"][1]) / 9, steps=3)
        page.mouse.move(*drag["apex"], steps=12)
        page.mouse.up()
        page.wait_for_selector('#lw-panel[data-state="valid"]', timeout=30_000)

        container = page.locator(".folium-map")
        assert container.get_attribute("data-dirty") == "2"
        assert page.locator(".lw-impact-grids tr[data-grid]").evaluate_all(
            "rows => rows.map(r => Number(r.dataset.grid)).sort((x, y) => x - y)") == sorted([a, b])
        moved = page.locator(".lw-moved")
        assert int(moved.get_attribute("data-count")) >= 1
        employer_name = db.execute(text("SELECT name FROM employers WHERE id = :e"),
                                   {"e": employer}).scalar()
        assert employer_name in moved.inner_text()
        # The new vertex is one vertex of both grids, not two copies that drifted apart.
        assert len(page.evaluate(SHARED, [a, b])) == len(drag["shared"]) + 1
        assert page.locator(f"path.lw-grid-{b}").get_attribute("stroke-dasharray") == "6 4"
        assert page.locator("#lw-commit").is_disabled()  # no reason yet
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "planner-preview.png"))

        page.fill("#lw-reason", "新建产业园，调整网格边界")
        page.click("#lw-commit")
        page.wait_for_selector('#lw-panel[data-state="committed"]', timeout=30_000)
        page.wait_for_selector("#lw-message.alert-success")
        page.wait_for_selector('.folium-map[data-dirty="0"]')
        page.screenshot(path=str(ARTIFACTS / "planner-committed.png"))

        db.rollback()  # a fresh snapshot: the commit happened in the server
        after = grid_rows(db, (a, b))
        assert {i: after[i].version for i in (a, b)} == {i: before[i].version + 1 for i in (a, b)}
        history = db.execute(text("""
            SELECT grid_id, version, changed_by, reason FROM grid_history
            WHERE grid_id = ANY(:ids) ORDER BY grid_id"""), {"ids": [a, b]}).all()
        assert [(h.grid_id, h.version, h.changed_by, h.reason) for h in history] == [
            (i, before[i].version + 1, "test-planner", "新建产业园，调整网格边界")
            for i in sorted((a, b))]
        assert db.execute(text("SELECT grid_id FROM employers WHERE id = :e"),
                          {"e": employer}).scalar() == drag["winner"]
        assert db.execute(text("""
            SELECT count(*) FROM employers e JOIN grids g ON g.id = e.grid_id
            WHERE e.county_adcode = :c AND NOT ST_Intersects(g.geom, e.geom)
        """), {"c": county}).scalar() == 0
        tiled = coverage.coverage(db, county, staff=staff_per_grid)
        assert tiled["gaps"]["features"] == [] and tiled["overlaps"]["features"] == []
        assert page.hosts == {"127.0.0.1"}, f"requests left the machine: {page.hosts}"
        assert page.errors == []
    finally:
        page.close()
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM employers WHERE id = :e"), {"e": employer})


def test_planner_undoes_and_redoes_by_button_and_keys_and_renames_a_grid(
        browser, live_server, county, db):  # noqa: F811
    a, b = neighbours(db, county)
    before = grid_rows(db, (a, b))
    page = open_planner(browser, live_server)
    try:
        page.evaluate("id => LWPlanner.select(id)", a)
        shared = page.evaluate(SHARED, [a, b])
        moved = [shared[0][0] + 0.0004, shared[0][1] + 0.0003]
        page.evaluate("([a, from, to]) => LWPlanner.moveVertex(a, from, to)",
                      [a, shared[0], moved])
        dirty = page.locator(".folium-map").get_attribute("data-dirty")
        assert int(dirty) >= 2, (dirty, page.errors)  # a, b and any grid sharing the vertex
        page.wait_for_selector(f'.folium-map[data-dirty="{dirty}"]')
        assert page.locator("#lw-redo").is_disabled()
        page.click("#lw-undo")
        page.wait_for_selector('.folium-map[data-dirty="0"]')
        assert page.evaluate(SHARED, [a, b]) == shared  # both grids back as they were
        page.click("#lw-redo")
        page.wait_for_selector(f'.folium-map[data-dirty="{dirty}"]')
        assert moved in page.evaluate(SHARED, [a, b])  # again in both grids
        page.locator(".folium-map").click(position={"x": 5, "y": 5})  # focus off the buttons
        page.keyboard.press("Control+z")
        page.wait_for_selector('.folium-map[data-dirty="0"]')
        page.keyboard.press("Control+y")
        page.wait_for_selector(f'.folium-map[data-dirty="{dirty}"]')
        page.click("#lw-undo")
        page.wait_for_selector('.folium-map[data-dirty="0"]')

        # A new name alone is an edit of its own: previewed, committed with a reason.
        page.evaluate("id => LWPlanner.select(id)", a)
        page.fill("#lw-rename-name", "  测试改名网格  ")
        page.locator(".lw-rename button").click()
        page.wait_for_selector('.folium-map[data-dirty="1"]')
        assert page.locator("#lw-grid .fw-bold").inner_text() == "测试改名网格"
        page.wait_for_selector('#lw-panel[data-state="valid"]', timeout=30_000)
        page.fill("#lw-reason", "按街道更名")
        page.click("#lw-commit")
        page.wait_for_selector('#lw-panel[data-state="committed"]', timeout=30_000)
        db.rollback()
        row = db.execute(text("SELECT name, version FROM grids WHERE id = :g"),
                         {"g": a}).one()
        assert row.name == "测试改名网格" and row.version == before[a].version + 1
        assert grid_rows(db, (b,))[b].version == before[b].version  # its neighbour untouched
        assert page.errors == []
    finally:
        page.close()


def test_planner_preview_shows_the_problems_of_a_bad_edit_and_cannot_commit_it(
        browser, live_server, county, db):  # noqa: F811
    a, _ = neighbours(db, county)
    before = grid_rows(db, [a])
    page = open_planner(browser, live_server)
    # A county-border vertex of grid a that no other grid has, pulled 3 km away: the grid
    # then pokes out of the county or leaves a hole in it.
    vertex = page.evaluate("""a => {
        const S = LWPlanner.state, ring = S.grids[a].layer.getLatLngs()[0][0];
        const others = new Set();
        S.order.filter(id => id !== a).forEach(id => S.grids[id].layer.getLatLngs().flat(2)
            .forEach(p => others.add(p.lng + ',' + p.lat)));
        const v = ring.find((p, i) => i > 2 && !others.has(p.lng + ',' + p.lat));
        return [v.lng, v.lat];
    }""", a)
    page.evaluate("id => LWPlanner.select(id)", a)
    page.evaluate("([a, from, to]) => LWPlanner.moveVertex(a, from, to)",
                  [a, vertex, [vertex[0] - 0.03, vertex[1] - 0.02]])
    page.wait_for_selector(PREVIEWED, timeout=30_000)
    try:
        assert page.get_attribute("#lw-panel", "data-state") == "invalid"
        kinds = page.locator(".lw-problem").evaluate_all("li => li.map(x => x.dataset.kind)")
        assert kinds and set(kinds) <= {"outside_county", "gap", "overlap", "self_intersection"}
        assert page.locator("path.lw-problem-shape").count() >= 1  # drawn on the map
        assert str(len(kinds)) in page.inner_text("#lw-verdict")
        page.fill("#lw-reason", "试一下")
        assert page.locator("#lw-commit").is_disabled()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "planner-problems.png"))

        page.click("#lw-undo")
        page.wait_for_selector('#lw-panel[data-state="empty"]')
        assert page.locator(".folium-map").get_attribute("data-dirty") == "0"
        assert page.locator("path.lw-problem-shape").count() == 0
        assert grid_rows(db, [a])[a].version == before[a].version
        assert page.errors == []
    finally:
        page.close()


def test_planner_commit_of_a_grid_someone_else_changed_says_so_and_reloads(
        browser, live_server, county, sessions, db):  # noqa: F811
    a, b = neighbours(db, county)
    page = open_planner(browser, live_server)
    try:
        page.evaluate("id => LWPlanner.select(id)", a)
        # Nudge the vertex a and b share farthest inside the county (with every grid having it).
        xs, ys = zip(*page.evaluate(SHARED, [a, b]))
        inner = db.execute(text("""
            SELECT x, y FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) v(x, y),
                 admin_areas c WHERE c.level = 'county' AND c.adcode = :c
            ORDER BY ST_Distance(ST_Boundary(c.geom), ST_SetSRID(ST_MakePoint(x, y), 4326)) DESC
            LIMIT 1"""), {"c": county, "xs": list(xs), "ys": list(ys)}).one()
        page.evaluate("([a, v]) => LWPlanner.moveVertex(a, v, [v[0] + 0.0005, v[1] + 0.0003])",
                      [a, list(inner)])
        page.wait_for_selector('#lw-panel[data-state="valid"]', timeout=30_000)
        with unit_of_work(sessions) as s:  # another planner's commit, meanwhile
            version = s.execute(text("UPDATE grids SET version = version + 1 WHERE id = :a "
                                     "RETURNING version"), {"a": a}).scalar_one()
        page.fill("#lw-reason", "并发测试")
        page.click("#lw-commit")
        page.wait_for_selector("#lw-message.alert-warning", timeout=30_000)
        assert str(a) in page.inner_text("#lw-message")
        page.wait_for_function("([a, v]) => LWPlanner.state.grids[a] && "
                               "LWPlanner.state.grids[a].props.version === v", arg=[a, version])
        assert page.locator(".folium-map").get_attribute("data-dirty") == "0"
        assert page.get_attribute("#lw-panel", "data-state") == "empty"
    finally:
        page.close()


def test_planner_split_line_starts_inside_the_county(
        browser, live_server, county, db):  # noqa: F811
    """The split line's first vertex lands on a grid inside the county (the grid's click no
    longer swallows it) and a line across the selected grid previews as a valid split."""
    row = db.execute(text("""
        WITH c AS (SELECT geom FROM admin_areas WHERE level = 'county' AND adcode = :c),
        s AS (SELECT g.id, g.geom, ST_MakeLine(p0, ST_SetSRID(ST_MakePoint(
                     ST_X(p0) + k * (ST_X(m) - ST_X(p0)), ST_Y(p0) + k * (ST_Y(m) - ST_Y(p0))),
                     4326)) AS line
              FROM grids g JOIN grids n ON n.county_adcode = g.county_adcode AND n.id <> g.id
                   CROSS JOIN LATERAL (SELECT ST_PointOnSurface(n.geom) AS p0,
                                              ST_PointOnSurface(g.geom) AS m) pts,
                   unnest(ARRAY[1.6, 2.0, 2.5, 3.0]) k
              WHERE g.county_adcode = :c)
        SELECT s.id, ST_X(ST_StartPoint(s.line)) AS x0, ST_Y(ST_StartPoint(s.line)) AS y0,
               ST_X(ST_EndPoint(s.line)) AS x1, ST_Y(ST_EndPoint(s.line)) AS y1
        FROM s, c
        WHERE ST_Within(ST_StartPoint(s.line), c.geom)
          AND NOT ST_Intersects(ST_StartPoint(s.line), s.geom)
          AND ST_NumGeometries(ST_Split(s.geom, s.line)) = 2
        ORDER BY s.id, ST_Length(s.line) LIMIT 1"""), {"c": county}).one()
    page = open_planner(browser, live_server)
    try:
        page.evaluate("id => LWPlanner.select(id)", row.id)
        points = page.evaluate("""([p, q]) => {
            const map = LWPlanner.state.map;
            map.fitBounds(L.latLngBounds([p, q]), {padding: [120, 120], animate: false});
            const box = map.getContainer().getBoundingClientRect();
            return [p, q].map(ll => { const c = map.latLngToContainerPoint(ll);
                                      return [c.x + box.left, c.y + box.top]; });
        }""", [[row.y0, row.x0], [row.y1, row.x1]])
        page.click("#lw-split")
        page.mouse.click(*points[0])  # inside the county, on a neighbouring grid
        assert page.evaluate("LWPlanner.state.map.pm.Draw.Line._layer.getLatLngs().length") == 1
        page.mouse.click(*points[1])
        page.mouse.dblclick(*points[1])
        page.wait_for_selector('#lw-panel[data-state="valid"]', timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "planner-split.png"))
        # However long the preview, the commit box stays on screen.
        page.evaluate("""() => { const d = document.createElement('div');
            d.style.height = '3000px'; document.getElementById('lw-preview').appendChild(d); }""")
        box = page.locator("#lw-commit").bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 900
        assert page.errors == []
    finally:
        page.close()


def test_planner_exports_the_grids_and_imports_a_file_as_a_proposal(
        browser, live_server, county, db):  # noqa: F811
    """The export buttons download the county's grids; the same file imported back is a
    proposal that changes nothing, previewed, and nothing is written."""
    before = db.execute(text("SELECT count(*), max(version) FROM grids WHERE county_adcode = :c"),
                        {"c": county}).one()
    page = open_planner(browser, live_server)
    try:
        links = page.locator("a.lw-export")
        assert [links.nth(i).get_attribute("data-format") for i in range(links.count())] == [
            "geojson", "gpkg", "shp"]
        got = page.request.get(live_server + links.first.get_attribute("href"))
        assert got.status == 200
        exported = got.json()
        assert len(exported["features"]) == before[0]
        page.set_input_files("#lw-import-file", files=[{
            "name": "grids.geojson", "mimeType": "application/geo+json", "buffer": got.body()}])
        summary = page.locator(".lw-import-summary")
        summary.wait_for(timeout=30_000)
        assert summary.inner_text() == f"0 new, 0 changed, 0 deleted, {before[0]} unchanged"
        assert "grids.geojson" in page.inner_text("#lw-action")
        db.rollback()
        assert db.execute(text("SELECT count(*), max(version) FROM grids "
                               "WHERE county_adcode = :c"), {"c": county}).one() == before
        assert page.errors == []
    finally:
        page.close()
