"""Folium map builders; Leaflet comes from the app's own /vendor route, never a CDN."""
from __future__ import annotations

import functools
import posixpath
import re
from pathlib import Path

import folium
from flask import current_app, url_for
from jinja2.utils import htmlsafe_json_dumps

from webapp.core.i18n import t
from webapp.core.security import csp_nonce


def _vendor(filename: str) -> str:
    """Leaflet's URL with its content hash (webapp.core.assets)."""
    return url_for("pages.vendor", package="leaflet", filename=filename)
SCRIPT_TAG = re.compile(r"<script\b", re.IGNORECASE)


def local_map(bounds: list[list[float]], tile_url: str | None = None) -> folium.Map:
    """A folium map with local assets and no external basemap unless one is configured."""
    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=7, tiles=None, control_scale=False, min_zoom=5, max_zoom=18)
    # Replace folium's CDN links (jsdelivr, cdnjs, code.jquery.com) with our own copies.
    m.default_js = [("leaflet", _vendor("leaflet.js"))]
    m.default_css = [("leaflet_css", _vendor("leaflet.css"))]
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=t("webapp.map.basemap_attribution"),
                         name="basemap").add_to(m)
    m.fit_bounds(bounds)
    return m


def with_nonce(html: str) -> str:
    """Folium's own markup (no stored text in it) with this response's nonce on every <script>."""
    return SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', html)


def map_page(bounds: list[list[float]], module: str, config: dict,
             tile_url: str | None = None) -> dict:
    """Parts of a map page (head assets, map div, scripts); `start(map, config)` of the ES
    module static/js/`module` runs on load.

    `script` (folium's set-up) goes inside `<script nonce="{{ csp_nonce() }}">` and `module`
    inside `<script type="module" nonce="{{ csp_nonce() }}">`, after it. The config holds
    stored text (grid and place names), so it is written as HTML-safe JSON: `<`, `>`, `&` and
    `'` become \\u escapes and a name like `</script>` cannot end the script.
    """
    m = local_map(bounds, tile_url)
    root = m.get_root()
    root.render()
    data = htmlsafe_json_dumps(config, dumps=current_app.json.dumps)
    src = url_for("static", filename="js/" + module)
    # The page starts as soon as its modules are in (a module script runs after the document
    # is parsed), not after every font file: its requests go out beside the fonts'.
    # A metric scale only (folium's control_scale adds miles too).
    start = (f'import {{start}} from "{src}";\n'
             f'L.control.scale({{imperial: false}}).addTo({m.get_name()});\n'
             f'start({m.get_name()}, {data});\n')
    # Every module the page imports, fetched in parallel with the styles instead of one
    # import level after another.
    preload = "".join(f'<link rel="modulepreload" href="{url_for("static", filename="js/" + f)}">'
                      for f in module_graph(module))
    return {"head": with_nonce(root.header.render()) + preload,
            "body": with_nonce(root.html.render()),
            "script": root.script.render(), "module": start, "map_name": m.get_name()}


IMPORT = re.compile(r'^import\s(?:[^;"]*?\sfrom\s+)?"(\.{1,2}/[^"]+\.js)"', re.MULTILINE)


@functools.cache
def module_graph(module: str) -> tuple[str, ...]:
    """`module` and every module it imports, directly or not (paths under static/js)."""
    root = Path(current_app.static_folder) / "js"
    seen: list[str] = []
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        source = (root / name).read_text(encoding="utf-8")
        here = posixpath.dirname(name)
        todo += [posixpath.normpath(posixpath.join(here, found)) for found in IMPORT.findall(source)]
    return tuple(seen)
