"""Folium map builders; Leaflet comes from the app's own /vendor route, never a CDN."""
from __future__ import annotations

import json

import folium
from branca.element import Element

VENDOR_JS = [("leaflet", "/vendor/leaflet/leaflet.js")]
VENDOR_CSS = [("leaflet_css", "/vendor/leaflet/leaflet.css")]


def local_map(bounds: list[list[float]], tile_url: str | None = None) -> folium.Map:
    """A folium map with local assets and no external basemap unless one is configured."""
    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=7, tiles=None, control_scale=True, min_zoom=5, max_zoom=18)
    # Replace folium's CDN links (jsdelivr, cdnjs, code.jquery.com) with our own copies.
    m.default_js = list(VENDOR_JS)
    m.default_css = list(VENDOR_CSS)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr="configured basemap", name="basemap").add_to(m)
    m.fit_bounds(bounds)
    return m


def map_page(bounds: list[list[float]], init: str, config: dict,
             tile_url: str | None = None) -> dict:
    """Parts of a map page (head assets, map div, script); `init(map, config)` runs on load."""
    m = local_map(bounds, tile_url)
    m.get_root().html.add_child(Element(
        f"<script>window.addEventListener('load', function () {{"
        f" {init}({m.get_name()}, {json.dumps(config, ensure_ascii=False)}); }});</script>"))
    root = m.get_root()
    root.render()
    return {"head": root.header.render(), "body": root.html.render(),
            "script": root.script.render(), "map_name": m.get_name()}
