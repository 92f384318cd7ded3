"""gzip for JSON, GeoJSON, HTML, CSS and JavaScript answers when the client accepts it.

gunicorn serves the app directly on air-gapped networks without a compressing proxy;
GeoJSON layers shrink 4-6x. ETags become weak (W/"..."), which If-None-Match still
matches (werkzeug compares weakly), so 304s keep working.

Files (our static CSS/JS and the npm libraries under /vendor) are sent by `send_file`,
which streams them: they are compressed once per version (their ETag names path, size and
modification time) at the best level and kept in memory, bounded.
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from flask import Flask, request

COMPRESSIBLE = {"application/json", "application/geo+json", "text/html", "text/css",
                "application/javascript", "text/javascript", "text/csv"}
MIN_BYTES = 1024
FILE_CACHE_BYTES = 32 * 1024 * 1024  # compressed; the front end needs ~1 MB
MAX_FILE_BYTES = 8 * 1024 * 1024  # larger files (none today) go out as they are
_files: OrderedDict[str, bytes] = OrderedDict()
_files_lock = threading.Lock()


def _compressed_file(resp) -> bytes | None:
    """The gzip of a streamed file answer, from the cache by its ETag (None: leave it)."""
    etag, _ = resp.get_etag()
    length = resp.content_length
    if not etag or length is None or length < MIN_BYTES or length > MAX_FILE_BYTES:
        return None
    with _files_lock:
        hit = _files.get(etag)
        if hit is not None:
            _files.move_to_end(etag)
    if hit is None:
        hit = gzip.compress(b"".join(resp.response), compresslevel=9, mtime=0)
        with _files_lock:
            _files[etag] = hit
            while sum(map(len, _files.values())) > FILE_CACHE_BYTES and len(_files) > 1:
                _files.popitem(last=False)
    close = getattr(resp.response, "close", None)
    if close is not None:
        close()  # the file handle send_file opened
    return hit


def register(app: Flask) -> None:
    @app.after_request
    def compress(resp):
        if (resp.status_code in (204, 304) or resp.status_code < 200
                or "Content-Encoding" in resp.headers or resp.mimetype not in COMPRESSIBLE
                or "gzip" not in request.accept_encodings):
            return resp
        if resp.direct_passthrough:  # a file from send_file
            if resp.status_code != 200:
                return resp  # a range (206) is of the file's own bytes
            packed = _compressed_file(resp)
            if packed is None:
                return resp
            resp.direct_passthrough = False
            resp.set_data(packed)
        elif resp.is_streamed:
            return resp
        else:
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
