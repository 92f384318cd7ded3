"""gzip for JSON, GeoJSON and HTML answers when the client accepts it.

gunicorn serves the app directly on air-gapped networks without a compressing proxy;
GeoJSON layers shrink 4-6x. ETags become weak (W/"..."), which If-None-Match still
matches (werkzeug compares weakly), so 304s keep working.
"""
from __future__ import annotations

import gzip

from flask import Flask, request

COMPRESSIBLE = {"application/json", "application/geo+json", "text/html", "text/css",
                "application/javascript", "text/javascript", "text/csv"}
MIN_BYTES = 1024


def register(app: Flask) -> None:
    @app.after_request
    def compress(resp):
        if (resp.direct_passthrough or resp.is_streamed or resp.status_code in (204, 304)
                or resp.status_code < 200 or "Content-Encoding" in resp.headers
                or resp.mimetype not in COMPRESSIBLE
                or "gzip" not in request.accept_encodings):
            return resp
        data = resp.get_data()
        if len(data) < MIN_BYTES:
            return resp
        resp.set_data(gzip.compress(data, compresslevel=5))
        resp.headers["Content-Encoding"] = "gzip"
        resp.vary.add("Accept-Encoding")
        etag, weak = resp.get_etag()
        if etag and not weak:
            resp.set_etag(etag, weak=True)
        return resp
