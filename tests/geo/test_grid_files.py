"""Export and import of a county's grids: real GeoJSON, GeoPackage and zipped Shapefile files."""
import io
import json
import zipfile

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import text

from geo import crs as china_crs
from geo.core import uploads as geo_uploads
from tests.bounds_fixtures import app_settings, declare_size  # noqa: F401 (a fixture)
from tests.conftest import bearer

GEOD = Geod(ellps="WGS84")
COUNTY = "410102"
EXPORT = "/api/v1/counties/{}/grids/export"
IMPORT = "/api/v1/counties/{}/grids/import"


def export(client, token, fmt, crs="EPSG:4326", county=COUNTY):
    return client.get(EXPORT.format(county), query_string={"format": fmt, "crs": crs},
                      headers=bearer(token))


def upload(client, token, path, county=COUNTY, **form):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), **form}
    return client.post(IMPORT.format(county), data=data, headers=bearer(token),
                       content_type="multipart/form-data")


def stored(db, county=COUNTY) -> dict:
    rows = db.execute(text("SELECT code, id, version, ST_AsBinary(geom) FROM grids "
                           "WHERE county_adcode = :c"), {"c": county}).all()
    return {c: (i, v, shapely.from_wkb(bytes(g))) for c, i, v, g in rows}


def max_vertex_distance_m(a, b) -> float:
    """Largest distance in metres between matching vertices of two shapes (any ring order)."""
    def coords(g):
        parts = shapely.get_parts(g)
        g = parts[0] if len(parts) == 1 else shapely.multipolygons(parts)
        return shapely.get_coordinates(shapely.normalize(g))
    ca, cb = coords(a), coords(b)
    assert ca.shape == cb.shape
    return float(GEOD.inv(ca[:, 0], ca[:, 1], cb[:, 0], cb[:, 1])[2].max())


def read_export(tmp_path, response, name):
    path = tmp_path / name
    path.write_bytes(response.data)
    return path, gpd.read_file(f"zip://{path}" if name.endswith(".zip") else path)


def rewrite(frame, tmp_path, name, driver):
    """The frame written back as a real file of the same kind (a Shapefile zipped)."""
    if driver != "ESRI Shapefile":
        path = tmp_path / name
        frame.to_file(path, driver=driver, engine="pyogrio")
        return path
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "edited.shp", engine="pyogrio", encoding="UTF-8")
    path = tmp_path / name
    geo_uploads.zip_files(sorted(folder.iterdir()), path)
    return path


@pytest.mark.parametrize("fmt, crs, driver, suffix", [
    ("gpkg", "EPSG:4326", "GPKG", ".gpkg"),
    ("shp", "EPSG:4326", "ESRI Shapefile", ".zip"),
    ("gpkg", "EPSG:3857", "GPKG", ".gpkg"),
    ("shp", "EPSG:4547", "ESRI Shapefile", ".zip"),  # CGCS2000 3° Gauss-Kruger, CM 114°E
    ("geojson", "EPSG:4490", "GeoJSON", ".geojson"),
])
def test_round_trip_through_a_file_preserves_every_grid_to_a_centimetre(
        client, tokens, db, tmp_path, fmt, crs, driver, suffix):
    before = stored(db)
    r = export(client, tokens["inspector"], fmt, crs)
    assert r.status_code == 200 and r.mimetype == geo_uploads_mimetype(fmt)
    assert f"grids-{COUNTY}-{crs.replace(':', '').lower()}{suffix}" in \
        r.headers["Content-Disposition"]
    path, frame = read_export(tmp_path, r, "export" + suffix)
    assert frame.crs.to_epsg() == int(crs.split(":")[1])
    assert set(frame["code"]) == set(before)
    assert {"name", "staff", "employers", "version"} <= set(frame.columns)
    if crs == "EPSG:3857":
        assert frame.total_bounds[0] > 1e7  # the file really holds metres

    unchanged = upload(client, tokens["planner"], path).get_json()
    assert unchanged["changes"] == [] and sorted(unchanged["unchanged"]) == sorted(before)

    # Give one grid a new code: its shape comes back as a create, the old grid as a delete.
    old_code = sorted(before)[0]
    frame.loc[frame["code"] == old_code, "code"] = "NEW-1"
    body = upload(client, tokens["planner"], rewrite(frame, tmp_path, "edited" + suffix,
                                                     driver)).get_json()
    assert body["summary"] == {"create": 1, "update": 0, "delete": 1,
                               "unchanged": len(before) - 1}, body.get("error")
    create = next(c for c in body["changes"] if c["op"] == "create")
    delete = next(c for c in body["changes"] if c["op"] == "delete")
    assert (delete["id"], delete["version"]) == before[old_code][:2]
    assert max_vertex_distance_m(shapely.geometry.shape(create["geometry"]),
                                 before[old_code][2]) < 0.01


def geo_uploads_mimetype(fmt):
    """The mimetype the export answers with for this format."""
    return {"gpkg": "application/geopackage+sqlite3", "shp": "application/zip",
            "geojson": "application/geo+json"}[fmt]


def test_a_changed_shape_becomes_an_update_at_the_current_version(client, tokens, db, tmp_path):
    before = stored(db)
    _, frame = read_export(tmp_path, export(client, tokens["planner"], "gpkg"), "x.gpkg")
    code = sorted(before)[0]
    row = frame.index[frame["code"] == code][0]
    frame.loc[row, "geometry"] = shapely.affinity.translate(frame.loc[row, "geometry"], 0.001)
    frame.loc[row, "name"] = "改名网格"
    frame["version"] = 0  # exported before the current version
    path = rewrite(frame, tmp_path, "moved.gpkg", "GPKG")
    body = upload(client, tokens["admin"], path).get_json()
    (update,) = body["changes"]
    assert update["op"] == "update" and update["id"] == before[code][0]
    assert update["version"] == before[code][1] and update["name"] == "改名网格"
    assert {s["code"] for s in body["stale"]} == set(before)
    assert body["preview_status"] == "ok"


@pytest.mark.parametrize("declared", ["gcj02", "bd09"])
def test_an_import_declared_in_a_chinese_offset_crs_lands_on_wgs84_truth(
        client, tokens, db, tmp_path, declared):
    code, (_, _, truth) = sorted(stored(db).items())[0]
    forward = china_crs.wgs84_to_gcj02 if declared == "gcj02" else china_crs.wgs84_to_bd09
    shifted = china_crs.transform_geometry(truth, lambda x, y: forward(x, y))
    path = tmp_path / f"{declared}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "OFFSET-1", "name": "偏移"},
         "geometry": shapely.geometry.mapping(shifted)}]}))
    body = upload(client, tokens["planner"], path, crs=declared).get_json()
    create = next(c for c in body["changes"] if c["op"] == "create")
    assert body["file"]["crs"] == declared
    assert max_vertex_distance_m(shapely.geometry.shape(create["geometry"]), truth) < 1.0
    undeclared = upload(client, tokens["planner"], path).get_json()
    moved = next(c for c in undeclared["changes"] if c["op"] == "create")
    assert max_vertex_distance_m(shapely.geometry.shape(moved["geometry"]), truth) > 100


def test_a_gcj02_export_names_no_crs_and_is_offset_from_wgs84(client, tokens, db, tmp_path):
    before = stored(db)
    _, frame = read_export(tmp_path, export(client, tokens["command"], "gpkg", "gcj02"), "g.gpkg")
    assert frame.crs is None
    code = frame["code"].iloc[0]
    offset = max_vertex_distance_m(frame.geometry.iloc[0], before[code][2])
    assert 100 < offset < 1000


def shapefile_zip_without_prj(tmp_path, db):
    frame = gpd.GeoDataFrame({"code": list(stored(db))},
                             geometry=[g for _, _, g in stored(db).values()], crs=None)
    folder = tmp_path / "noprj"
    folder.mkdir()
    frame.to_file(folder / "grids.shp", engine="pyogrio")
    assert not (folder / "grids.prj").exists()
    return geo_uploads.zip_files(sorted(folder.iterdir()), tmp_path / "noprj.zip")


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_a_file_without_a_crs_is_refused_until_the_crs_is_given(client, tokens, db, tmp_path):
    path = shapefile_zip_without_prj(tmp_path, db)
    r = upload(client, tokens["planner"], path)
    assert r.status_code == 422
    assert "crs" in r.get_json()["error"]["message"] and r.get_json()["error"]["details"] \
        == {"parameter": "crs"}
    ok = upload(client, tokens["planner"], path, crs="EPSG:4326")
    assert ok.status_code == 200 and ok.get_json()["changes"] == []


def test_an_import_writes_nothing(client, tokens, db, tmp_path):
    def state():
        return db.execute(text("SELECT count(*), sum(version), (SELECT count(*) FROM audit_log),"
                               " (SELECT count(*) FROM grid_history) FROM grids")).one()
    before = state()
    _, frame = read_export(tmp_path, export(client, tokens["planner"], "gpkg"), "x.gpkg")
    frame = frame.iloc[1:]  # drop a grid and move another
    frame.loc[frame.index[0], "geometry"] = shapely.affinity.translate(frame.geometry.iloc[0], 0.01)
    r = upload(client, tokens["planner"], rewrite(frame, tmp_path, "y.gpkg", "GPKG"))
    assert r.status_code == 200 and len(r.get_json()["changes"]) == 2
    db.rollback()
    assert state() == before


def zip_of(tmp_path, members: dict, name="bad.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return path


def test_unsupported_files_get_415(client, tokens, tmp_path):
    csv = tmp_path / "grids.csv"
    csv.write_text("code,name\n1,a\n")
    shp = tmp_path / "grids.shp"
    shp.write_bytes(b"\x00\x00\x27\x0a" + b"\x00" * 96)
    for path in (csv, shp, zip_of(tmp_path, {"readme.txt": "hello"})):
        r = upload(client, tokens["planner"], path)
        assert r.status_code == 415, (path.name, r.get_json())
        assert "Shapefile" in r.get_json()["error"]["message"]


@pytest.mark.parametrize("member", ["../../evil.shp", "/etc/evil.shp", "a/../../evil.shp",
                                    "C:/evil.shp"])
def test_zips_with_paths_that_escape_the_folder_are_refused(client, tokens, tmp_path, member):
    path = zip_of(tmp_path, {member: b"x", "grids.shx": b"x", "grids.dbf": b"x"})
    r = upload(client, tokens["planner"], path)
    assert r.status_code == 422 and "unsafe path" in r.get_json()["error"]["message"]


def test_zip_bombs_are_refused_before_they_expand(client, tokens, tmp_path, app_settings):
    app_settings(max_decompressed_bytes=1_000_000)
    path = zip_of(tmp_path, {"grids.shp": bytes(5_000_000), "grids.shx": b"", "grids.dbf": b""})
    assert path.stat().st_size < 50_000
    r = upload(client, tokens["planner"], path)
    message = r.get_json()["error"]["message"]
    assert r.status_code == 413 and "unpacks to 4.8 MB" in message and "split" in message


def test_a_zip_declaring_more_than_the_default_limit_is_refused_unread(client, tokens, tmp_path):
    path = zip_of(tmp_path, {"grids.shp": b"x" * 100, "grids.shx": b"", "grids.dbf": b""})
    path.write_bytes(declare_size(path.read_bytes(), "grids.shp", 300 * 2**20))
    r = upload(client, tokens["planner"], path)
    assert r.status_code == 413, r.get_json()
    assert "unpacks to 300 MB, more than the 200 MB limit" in r.get_json()["error"]["message"]


def test_a_zip_of_too_many_files_is_413(client, tokens, tmp_path):
    path = zip_of(tmp_path, {f"f{i}.txt": b"" for i in range(geo_uploads.MAX_ZIP_MEMBERS + 1)})
    r = upload(client, tokens["planner"], path)
    assert r.status_code == 413 and "101 files" in r.get_json()["error"]["message"]


def test_uploads_over_the_app_limit_get_413(client, tokens, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    path = tmp_path / "big.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [], "pad": "x" * 20_000}))
    assert upload(client, tokens["planner"], path).status_code == 413


def test_features_that_cannot_become_grids_are_all_listed(client, tokens, db, tmp_path):
    (_, _, shape), = list(stored(db).values())[:1]
    lon, lat = shape.representative_point().coords[0]
    features = [
        {"code": "", "geometry": shapely.geometry.mapping(shape)},
        {"code": "DUP", "geometry": shapely.geometry.mapping(shape)},
        {"code": "DUP", "geometry": shapely.geometry.mapping(shape)},
        {"code": "LINE", "geometry": {"type": "LineString", "coordinates": [[lon, lat],
                                                                          [lon + 0.01, lat]]}},
        {"code": "SWAP", "geometry": shapely.geometry.mapping(
            shapely.transform(shape, lambda c: c[:, ::-1]))},
    ]
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": f["code"]}, "geometry": f["geometry"]}
        for f in features]}))
    r = upload(client, tokens["planner"], path)
    assert r.status_code == 422
    problems = r.get_json()["error"]["details"]["problems"]
    assert [p["feature"] for p in problems] == [1, 3, 4, 5]
    assert "swapped" in problems[-1]["message"] and "polygon" in problems[2]["message"]


@pytest.mark.parametrize("query, parameter", [
    ({"format": "kml"}, "format"), ({"crs": "EPSG:99999999"}, "crs"), ({"crs": "EPSG:4978"}, "crs"),
    ({"crs": "mars"}, "crs"),
])
def test_bad_export_parameters_get_400_naming_them(client, tokens, query, parameter):
    r = client.get(EXPORT.format(COUNTY), query_string=query, headers=bearer(tokens["admin"]))
    assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"] == parameter


def test_export_and_import_need_a_county(client, tokens, tmp_path):
    assert export(client, tokens["admin"], "geojson", county="410100").status_code == 400
    assert export(client, tokens["admin"], "geojson", county="419999").status_code == 404


def test_only_planners_and_admins_may_import(client, tokens, db, tmp_path):
    path, _ = read_export(tmp_path, export(client, tokens["inspector"], "geojson"), "a.geojson")
    for role, status in (("planner", 200), ("admin", 200), ("inspector", 403),
                         ("dispatcher", 403), ("command", 403)):
        assert upload(client, tokens[role], path).status_code == status, role
