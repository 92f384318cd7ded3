"""Large JSON answers are compressed (brotli, else gzip) for clients that accept it, and
304s still work."""
import gzip
import json

import brotli

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
        cached = compression._files.get("gzip:" + etag.removeprefix("W/").strip('"'))
        assert cached == r.data  # the second answer comes from the cache, byte for byte
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).data == r.data
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304 and not again.data
        plain = client.get(url)
        assert "Content-Encoding" not in plain.headers and plain.data == path.read_bytes()


def test_layers_answer_304_from_their_data_versions_without_building_the_body(
        client, tokens, sessions, monkeypatch):
    """Grids and areas: the ETag comes from the data versions, so a client holding the
    current (gzipped, weak) ETag gets a 304 without the GeoJSON being built; a write to a
    grid of the area, or to its employers, gives a new ETag."""
    from sqlalchemy import text

    from geo.areas import service as areas
    from geo.core.db import unit_of_work

    h = {**bearer(tokens["command"]), "Accept-Encoding": "gzip"}
    url = "/api/v1/grids?county=410181&simplify=20"
    first = client.get(url, headers=h)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"grids-')
    built = []
    real = areas.grids_geojson
    monkeypatch.setattr(areas, "grids_geojson", lambda *a, **k: built.append(1) or real(*a, **k))
    again = client.get(url, headers={**h, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and built == []
    area = client.get("/api/v1/areas?level=city", headers=h)
    assert client.get("/api/v1/areas?level=city", headers={
        **h, "If-None-Match": area.headers["ETag"]}).status_code == 304
    with unit_of_work(sessions) as s:  # a write in another county changes nothing here
        s.execute(text("UPDATE grids SET name = name WHERE id = (SELECT min(id) FROM grids "
                       "WHERE county_adcode = '410185')"))
    assert client.get(url, headers={**h, "If-None-Match": first.headers["ETag"]}).status_code == 304
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE grids SET name = name WHERE id = (SELECT min(id) FROM grids "
                       "WHERE county_adcode = '410181')"))
    changed = client.get(url, headers={**h, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert built == [1] and json.loads(gzip.decompress(changed.data))["features"]


def test_a_compressed_hotspot_layer_revalidates_with_its_weak_etag(client, tokens):
    h = {**bearer(tokens["command"]), "Accept-Encoding": "gzip"}
    url = "/api/v1/hotspots?area=410102&metric=risk"
    r = client.get(url, headers=h)
    assert r.headers.get("Content-Encoding") == "gzip" and r.headers["ETag"].startswith('W/"')
    assert client.get(url, headers={**h, "If-None-Match": r.headers["ETag"]}).status_code == 304


def test_brotli_goes_to_clients_that_offer_it_and_is_smaller(client, tokens):
    h = bearer(tokens["command"])
    url = "/api/v1/grids?area=410000&simplify=300&precision=4"
    br = client.get(url, headers={**h, "Accept-Encoding": "gzip, deflate, br"})
    gz = client.get(url, headers={**h, "Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert json.loads(brotli.decompress(br.data)) == json.loads(gzip.decompress(gz.data))
    assert len(br.data) < len(gz.data)
    again = client.get(url, headers={**h, "Accept-Encoding": "br",
                                     "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304
    from geo.core.config import ROOT
    path = ROOT / "node_modules/leaflet/dist/leaflet.js"
    js = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "br"})
    assert js.headers["Content-Encoding"] == "br"
    assert brotli.decompress(js.data) == path.read_bytes()
    assert len(js.data) < len(client.get("/vendor/leaflet/leaflet.js",
                                         headers={"Accept-Encoding": "gzip"}).data)
