"""Cache-busting for static files: every URL the app builds for a file carries the hash of
its content (`?v=…`), and a request carrying the current hash is answered as immutable for
a year, so a browser asks again only when the file changed (then the URL changed too).

Our CSS and JS (`url_for('static', …)`) and the npm packages (`url_for('pages.vendor', …)`)
get the parameter from a `url_defaults` hook; files a page loads by relative URL (ES module
imports, fonts named inside a stylesheet) keep revalidating by ETag. A request with a stale
or missing hash is served as before (no-cache or a day), never refused.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, current_app, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
# npm package -> folder inside it that the browser may load from (/vendor/<package>/…).
VENDOR = {"leaflet": "leaflet/dist", "bootstrap": "bootstrap/dist",
          "noto-sans-sc": "@fontsource/noto-sans-sc", "vectorgrid": "leaflet.vectorgrid/dist",
          "geoman": "@geoman-io/leaflet-geoman-free/dist"}
_versions: dict[str, tuple[tuple[int, int], str]] = {}  # path → ((mtime_ns, size), hash)


def file_version(path: str | None) -> str | None:
    """The first 12 hex digits of the SHA-1 of the file (None when it does not exist)."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (stat.st_mtime_ns, stat.st_size)
    hit = _versions.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    digest = hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]
    _versions[path] = (key, digest)
    return digest


def _file(endpoint: str, values: dict) -> str | None:
    """The file on disk behind a static or vendor URL (None when there is none)."""
    if endpoint == "static":
        return safe_join(current_app.static_folder, values.get("filename", ""))
    folder = VENDOR.get(values.get("package", ""))
    if folder is None:
        return None
    return safe_join(str(current_app.config["NODE_MODULES"] / folder), values.get("filename", ""))


ENDPOINTS = ("static", "pages.vendor")


def register(app: Flask) -> None:
    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint in ENDPOINTS and "v" not in values:
            version = file_version(_file(endpoint, values))
            if version:
                values["v"] = version

    @app.after_request
    def immutable(resp):
        if request.endpoint in ENDPOINTS and resp.status_code == 200 and request.args.get("v"):
            if request.args["v"] == file_version(_file(request.endpoint, request.view_args or {})):
                resp.headers["Cache-Control"] = IMMUTABLE
        return resp
