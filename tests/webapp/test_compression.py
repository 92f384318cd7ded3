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
