"""Employer vector tiles: content, aggregation cap, bad coordinates, cache and ETag."""
import math
import shutil

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from geo.tiles import service as tiles
from geo.tiles.cache import TileCache
from tests.conftest import bearer
from tests.dispatch_fixtures import add_employer

HENAN = (110.35, 31.38, 116.65, 36.37)  # west, south, east, north


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    return (int((lon + 180) / 360 * n),
            int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))


def henan_tiles(z: int):
    x0, y0 = tile_of(HENAN[0], HENAN[3], z)
    x1, y1 = tile_of(HENAN[2], HENAN[1], z)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data) if data else {}


def test_a_high_zoom_tile_holds_each_employer_with_id_name_grade_and_grid_flag(db):
    site = (113.7312, 34.7719)
    inside = add_employer(db, lon=site[0], lat=site[1], county="410105")
    db.execute(text("UPDATE employers SET name = '郑州<测试>&单位', grade = 'C', "
                    "grid_id = (SELECT id FROM grids WHERE ST_Intersects(geom, employers.geom) "
                    "LIMIT 1) WHERE id = :i"), {"i": inside})
    outside = add_employer(db, lon=site[0] + 0.0005, lat=site[1], county="410105")
    z = 16
    x, y = tile_of(*site, z)
    layers = decode(tiles.render_employers(db, z, x, y, tiles.TileSettings(),
                                          extension=tiles.PLAIN))
    features = {f["id"]: f for f in layers["employers"]["features"]}
    assert features[inside]["properties"] == {"id": inside, "name": "郑州<测试>&单位",
                                               "grade": "C", "outside": False}
    assert features[outside]["properties"]["outside"] is True
    expected = db.execute(text("SELECT count(*) FROM employers WHERE geom && "
                               "ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326)"),
                          {"z": z, "x": x, "y": y}).scalar_one()
    assert len(features) == expected
    # The point sits where it should inside the 4096-unit tile.
    fx, fy = features[inside]["geometry"]["coordinates"]
    n = 1 << z
    px = ((site[0] + 180) / 360 * n - x) * 4096
    py = (1 - ((1 - math.asinh(math.tan(math.radians(site[1]))) / math.pi) / 2 * n - y)) * 4096
    assert abs(fx - px) <= 1 and abs(fy - py) <= 1


@pytest.mark.parametrize("z", [5, 6, 7, 9])
def test_low_zoom_tiles_are_clusters_under_the_cap_and_count_every_employer(client, tokens, db,
                                                                             z):
    total, cap = 0, tiles.TileSettings().max_features
    for x, y in henan_tiles(z):
        r = client.get(f"/api/v1/tiles/employers/{z}/{x}/{y}.pbf",
                       headers=bearer(tokens["command"]))
        assert r.status_code == 200 and r.mimetype == "application/vnd.mapbox-vector-tile"
        layers = decode(r.data)
        assert "employers" not in layers  # below the points zoom nothing is shipped one by one
        features = layers.get("clusters", {}).get("features", [])
        assert len(features) <= min(cap, tiles.TileSettings().cells_per_side ** 2)
        for f in features:
            p = f["properties"]
            assert p["count"] == p["a"] + p["b"] + p["c"] + p["u"]
            assert p["outside"] <= p["count"]
        total += sum(f["properties"]["count"] for f in features)
    assert total == db.execute(text("SELECT count(*) FROM employers WHERE geom IS NOT NULL")
                               ).scalar_one()


def test_a_tiny_cap_shrinks_the_cells_and_dense_high_zoom_tiles_become_clusters(db):
    small = tiles.TileSettings(max_features=16, point_limit=3)
    assert small.cells_per_side == 4
    for x, y in henan_tiles(6):
        layers = decode(tiles.render_employers(db, 6, x, y, small, extension=tiles.PLAIN))
        assert len(layers.get("clusters", {}).get("features", [])) <= 16
    site = (113.65, 34.76)
    for i in range(5):
        add_employer(db, lon=site[0] + i * 1e-4, lat=site[1], county="410102")
    x, y = tile_of(*site, 14)
    layers = decode(tiles.render_employers(db, 14, x, y, small, extension=tiles.PLAIN))
    assert "employers" not in layers and sum(
        f["properties"]["count"] for f in layers["clusters"]["features"]) >= 5


@pytest.mark.parametrize("path, parameter", [
    ("23/0/0", "z"), ("-1/0/0", "z"), ("3/8/0", "x"), ("3/0/8", "y"), ("3/-1/0", "x"),
    ("0/0/1", "y"), ("a/0/0", "z"), ("3/0/1e3", "y")])
def test_tile_coordinates_out_of_range_are_refused_with_400(client, tokens, path, parameter):
    r = client.get(f"/api/v1/tiles/employers/{path}.pbf", headers=bearer(tokens["inspector"]))
    assert r.status_code == 400
    assert r.get_json()["error"]["details"]["parameter"] == parameter


def test_a_second_request_is_served_from_the_cache_without_rendering(client, tokens, settings,
                                                                      monkeypatch):
    shutil.rmtree(settings.var / "tiles", ignore_errors=True)
    calls = []
    real = tiles.render_employers
    monkeypatch.setattr(tiles, "render_employers",
                        lambda *a, **k: calls.append(a[1:4]) or real(*a, **k))
    url, auth = "/api/v1/tiles/employers/7/104/50.pbf", bearer(tokens["command"])
    first = client.get(url, headers=auth)
    (stored,) = (settings.var / "tiles").glob("*/employers/7/104/50.pbf")
    assert stored.read_bytes() == first.data and len(first.data) > 0
    second = client.get(url, headers=auth)
    assert first.headers["X-Tile-Cache"] == "miss" and second.headers["X-Tile-Cache"] == "hit"
    assert calls == [(7, 104, 50)] and second.data == first.data
    etag = first.headers["ETag"]
    assert second.headers["ETag"] == etag
    unchanged = client.get(url, headers={**auth, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b"" and calls == [(7, 104, 50)]


def test_the_data_version_changes_when_an_employer_changes_and_names_its_database(db, tmp_path):
    cache = TileCache(tmp_path)
    before = cache.version(db)
    assert cache.version(db) == before
    db.execute(text("UPDATE employers SET grade = grade WHERE id = (SELECT min(id) FROM employers)"))
    after_update = cache.version(db)
    first = add_employer(db, lon=113.7, lat=34.7, county="410105")
    after_insert = cache.version(db)
    add_employer(db, lon=113.71, lat=34.7, county="410105")
    after_second = cache.version(db)
    db.execute(text("DELETE FROM employers WHERE id = :i"), {"i": first})
    after_delete = cache.version(db)  # as many rows as after the first insert, other ones
    assert len({before, after_update, after_insert, after_second, after_delete}) == 5
    assert before.split("-")[0] == after_delete.split("-")[0]  # same database part
    # Superseded versions' tiles are not served.
    cache.put(before, "employers", 1, 1, 1, b"old")
    assert cache.get(after_delete, "employers", 1, 1, 1) is None


def test_the_version_is_read_from_counters_never_by_scanning_employers(db, tmp_path):
    """Two workers agree on the version at once after a write, and computing it reads no
    employer row (the transaction's own table statistics say so)."""
    first, other_worker = TileCache(tmp_path), TileCache(tmp_path)
    version = first.version(db)

    def employer_reads() -> int:
        return db.execute(text("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) "
                               "FROM pg_stat_xact_user_tables WHERE relname = 'employers'")
                          ).scalar() or 0

    db.execute(text("UPDATE employers SET grade = grade WHERE id = (SELECT min(id) FROM employers)"))
    before = employer_reads()
    changed = other_worker.version(db)
    assert first.version(db) == changed != version
    assert employer_reads() == before


def test_pruning_removes_only_superseded_versions_nobody_can_still_be_writing(db, tmp_path):
    import os
    import time

    from geo.tiles.cache import KEEP_OLD_S

    cache = TileCache(tmp_path)
    current = cache.version(db)
    database = current.split("-")[0]
    for version in (current, f"{database}-old", f"{database}-recent", "otherdb-old"):
        cache.put(version, "employers", 1, 1, 1, b"tile")
    long_ago = time.time() - KEEP_OLD_S - 10
    for version in (current, f"{database}-old", "otherdb-old"):
        os.utime(tmp_path / version, (long_ago, long_ago))
    assert cache.prune() == {"versions_removed": 2, "versions_kept": 1}
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == sorted(
        [current, f"{database}-recent"])
    assert cache.get(current, "employers", 1, 1, 1) == b"tile"
