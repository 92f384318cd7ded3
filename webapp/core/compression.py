"""Brotli or gzip for JSON, GeoJSON, HTML, CSS and JavaScript answers, as the client accepts.

Brotli (PyPI `brotli`) where the browser offers it (every current one does): answers built
per request at quality 5 (as fast as gzip 5, ~8 % smaller on GeoJSON), files once at 11.

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

import brotli
from flask import Flask, request

COMPRESSIBLE = {"application/json", "application/geo+json", "text/html", "text/css",
                "application/javascript", "text/javascript", "text/csv"}
MIN_BYTES = 1024
FILE_CACHE_BYTES = 32 * 1024 * 1024  # compressed; the front end needs ~1 MB
MAX_FILE_BYTES = 8 * 1024 * 1024  # larger files (none today) go out as they are
_files: OrderedDict[str, bytes] = OrderedDict()
_files_lock = threading.Lock()


def _pack(data: bytes, encoding: str, best: bool) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11 if best else 5)
    return gzip.compress(data, compresslevel=9 if best else 5, mtime=0)


def _compressed_file(resp, encoding: str) -> bytes | None:
    """The compressed body of a streamed file answer, from the cache by its ETag and the
    encoding (None: leave it)."""
    etag, _ = resp.get_etag()
    length = resp.content_length
    if not etag or length is None or length < MIN_BYTES or length > MAX_FILE_BYTES:
        return None
    key = f"{encoding}:{etag}"
    with _files_lock:
        hit = _files.get(key)
        if hit is not None:
            _files.move_to_end(key)
    if hit is None:
        hit = _pack(b"".join(resp.response), encoding, best=True)
        with _files_lock:
            _files[key] = hit
            while sum(map(len, _files.values())) > FILE_CACHE_BYTES and len(_files) > 1:
                _files.popitem(last=False)
    close = getattr(resp.response, "close", None)
    if close is not None:
        close()  # the file handle send_file opened
    return hit


def register(app: Flask) -> None:
    @app.after_request
    def compress(resp):
        accepted = request.accept_encodings
        encoding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
        if (resp.status_code in (204, 304) or resp.status_code < 200 or encoding is None
                or "Content-Encoding" in resp.headers or resp.mimetype not in COMPRESSIBLE):
            return resp
        if resp.direct_passthrough:  # a file from send_file
            if resp.status_code != 200:
                return resp  # a range (206) is of the file's own bytes
            packed = _compressed_file(resp, encoding)
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
            resp.set_data(_pack(data, encoding, best=False))
        resp.headers["Content-Encoding"] = encoding
        resp.vary.add("Accept-Encoding")
        etag, weak = resp.get_etag()
        if etag and not weak:
            resp.set_etag(etag, weak=True)
        return resp
