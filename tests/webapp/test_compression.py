"""Large JSON answers are gzipped for clients that accept it, and 304s still work."""
import gzip
import json

from tests.conftest import bearer


def test_geojson_is_gzipped_and_still_revalidates(client, tokens):
    h = {**bearer(tokens["command"]), "Accept-Encoding": "gzip"}
    r = client.get("/api/v1/areas?level=county&simplify=100", headers=h)
    assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
    body = json.loads(gzip.decompress(r.data))
    assert len(body["features"]) == 157
    plain = client.get("/api/v1/areas?level=county&simplify=100", headers=bearer(tokens["command"]))
    assert len(r.data) * 3 < len(plain.data)
    assert r.headers["ETag"].startswith('W/"')
    again = client.get("/api/v1/areas?level=county&simplify=100",
                       headers={**h, "If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_small_answers_and_clients_without_gzip_are_left_alone(client, tokens):
    r = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
    r = client.get("/api/v1/areas?level=city", headers=bearer(tokens["command"]))
    assert "Content-Encoding" not in r.headers and r.get_json()["features"]


def test_static_and_vendored_files_are_gzipped_once_and_revalidate(client):
    from geo.core.config import ROOT
    from webapp.core import compression
    cases = [("/static/js/core/http.js", ROOT / "webapp/static/js/core/http.js"),
             ("/vendor/leaflet/leaflet.js", ROOT / "node_modules/leaflet/dist/leaflet.js")]
    for url, path in cases:
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(r.data) == path.read_bytes()
        assert len(r.data) * 2 < path.stat().st_size
        etag = r.headers["ETag"]
        cached = compression._files.get(etag.removeprefix("W/").strip('"'))
        assert cached == r.data  # the second answer comes from the cache, byte for byte
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).data == r.data
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304 and not again.data
        plain = client.get(url)
        assert "Content-Encoding" not in plain.headers and plain.data == path.read_bytes()
