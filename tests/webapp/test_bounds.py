"""Bounded work: uploads capped before they are read, polygon vertices capped before any
overlay, rejects kept in bounded memory, long jobs on the job statement_timeout."""
from __future__ import annotations

import csv
import io
import json
import math

import pytest
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo.core.errors import PayloadTooLarge
from geo.core.uploads import Limits
from geo.employers.imports import service as employer_import
from geo.grids.edits import service as grid_edits
from geo.grids.edits import tools as grid_tools
from geo.grids.planning import files as grid_files
from geo.grids.planning import partition
from geo.grids.settings import PlanningSettings
from tests.bounds_fixtures import app_settings, declare_size, xlsx  # noqa: F401 (a fixture)
from tests.conftest import bearer
from tests.employer_files import HEADER, bad_check, codes, upload
from tests.grid_edit_fixtures import county_state, grid, neighbours

COUNTY = "410104"  # 管城回族区: only dry runs and refused requests here


def table_counts(db) -> tuple:
    db.rollback()
    return db.execute(text("SELECT (SELECT count(*) FROM employers), "
                           "(SELECT count(*) FROM employer_imports), "
                           "(SELECT count(*) FROM audit_log)")).one()


def employer_rows(n: int) -> list[list]:
    return [[f"限额公司{i}", code, "", "郑州市中原区", "", "", "", "", "", "", ""]
            for i, code in enumerate(codes(n))]


def post_file(client, token, tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return upload(client, token, path)


# --- employer lists ------------------------------------------------------------------------

@pytest.mark.parametrize("make, limits, words", [
    (lambda: xlsx([HEADER, *employer_rows(12)]), Limits(rows=10), "declares 13 rows"),
    # the sheet says it is 2 rows tall, but is not: reading stops at the limit all the same
    (lambda: xlsx([HEADER, *employer_rows(12)], dimension="A1:K2"), Limits(rows=10),
     "more than 10 rows"),
    (lambda: xlsx([HEADER, *employer_rows(2)], extra={"xl/media/pad.bin": bytes(2_000_000)}),
     Limits(unpacked_bytes=1_000_000), "unpacks to 1.9 MB, more than the 1.0 MB limit"),
    (lambda: "\n".join(",".join(r) for r in [HEADER, *employer_rows(12)]).encode(),
     Limits(rows=10), "more than 10 rows"),
])
def test_an_employer_list_over_a_limit_is_413_and_writes_nothing(sessions, db, make, limits,
                                                                 words):
    before, data = table_counts(db), make()
    with sessions() as s:
        with pytest.raises(PayloadTooLarge) as caught:
            employer_import.import_employers(s, data, filename="big", limits=limits)
        s.commit()  # whatever the import did so far
    assert words in str(caught.value) and "split" in str(caught.value)
    assert table_counts(db) == before


@pytest.mark.parametrize("dimension", ["A1:K2", "A1"])  # writers get it wrong
def test_a_sheet_that_understates_its_size_loses_no_rows(sessions, dimension):
    rows = employer_rows(5)
    data = xlsx([HEADER, *rows], dimension=dimension)
    with sessions() as s:
        result = employer_import.import_employers(s, data, filename="short.xlsx")
        s.rollback()
    assert (result.accepted, result.rejected_count, result.rows) == (5, 0, 5)


def test_a_workbook_declaring_a_huge_unpacked_size_is_refused_unread(client, tokens, db,
                                                                     tmp_path):
    before = table_counts(db)
    data = declare_size(xlsx([HEADER, *employer_rows(1)]), "xl/worksheets/sheet1.xml",
                        300 * 2**20)
    r = post_file(client, tokens["admin"], tmp_path, "bomb.xlsx", data)
    assert r.status_code == 413, r.get_json()
    message = r.get_json()["error"]["message"]
    assert "unpacks to 300 MB, more than the 200 MB limit" in message and "split" in message
    assert table_counts(db) == before


def test_a_sheet_declaring_more_rows_than_the_default_limit_is_refused_unread(client, tokens,
                                                                             db, tmp_path):
    before = table_counts(db)
    data = xlsx([HEADER, *employer_rows(1)], dimension="A1:K1500000")
    r = post_file(client, tokens["admin"], tmp_path, "tall.xlsx", data)
    assert r.status_code == 413, r.get_json()
    error = r.get_json()["error"]
    assert "declares 1,500,000 rows" in error["message"] and "200,000" in error["message"]
    assert error["details"]["max_rows"] == 200_000
    assert table_counts(db) == before


def test_the_row_limit_setting_applies_to_the_api(client, tokens, db, tmp_path, app_settings):
    app_settings(max_upload_rows=10)
    before = table_counts(db)
    r = post_file(client, tokens["admin"], tmp_path, "list.xlsx",
                  xlsx([HEADER, *employer_rows(12)]))
    assert r.status_code == 413 and "at most 10 rows" in r.get_json()["error"]["message"]
    assert table_counts(db) == before


def test_rejects_are_kept_in_bounded_memory_and_all_counted(client, tokens, db, tmp_path,
                                                            monkeypatch):
    monkeypatch.setattr(employer_import, "KEPT_REJECTS", 3)
    first, *others = codes(8)
    # Row 2 is rejected last (outside Henan, found in PostGIS), after rows 3-9 (bad codes):
    # the rows kept are still the first ones of the file.
    rows = [["北京公司", first, "", "", "116.40", "39.90", "", "", "", "", ""]] + [
        ["坏行公司", bad_check(c), "", "郑州市中原区", "", "", "", "", "", "", ""] for c in others]
    data = "\n".join(",".join(r) for r in [HEADER, *rows]).encode()
    r = post_file(client, tokens["admin"], tmp_path, "bad.csv", data)
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["rejected_count"] == 8 and [x["row"] for x in body["rejected"]] == [2, 3, 4]
    assert "outside Henan" in body["rejected"][0]["reason"]
    stored = db.execute(text("SELECT rejected_count, jsonb_array_length(rejects) FROM "
                             "employer_imports WHERE id = :i"), {"i": body["import_id"]}).one()
    assert tuple(stored) == (8, 3)
    download = client.get(body["rejected_csv"], headers=bearer(tokens["admin"]))
    lines = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:4]] == ["2", "3", "4"]
    assert len(lines) == 5 and "5 more rejected rows after row 4" in lines[4][1]


def test_an_import_runs_on_the_job_statement_timeout(sessions):
    data = "\n".join(",".join(r) for r in [HEADER, *employer_rows(1)]).encode()
    with sessions() as s:
        employer_import.import_employers(s, data, filename="t.csv", job_timeout_ms=123_457)
        assert s.execute(text("SHOW statement_timeout")).scalar_one() == "123457ms"
        s.rollback()


# --- grid shapes ---------------------------------------------------------------------------

def ring(x: float, y: float, n: int, r: float = 0.002) -> list[list[float]]:
    """A closed ring of n + 1 positions (n distinct vertices) around (x, y)."""
    points = [[x + r * math.cos(2 * math.pi * i / n), y + r * math.sin(2 * math.pi * i / n)]
              for i in range(n)]
    return points + [points[0]]


@pytest.fixture()
def target(db):
    a, _ = neighbours(db, COUNTY)
    g = grid(db, a)
    x, y = db.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
                           "FROM grids WHERE id = :g) s"), {"g": a}).one()
    return {"grid": g, "x": x, "y": y}


def update_to(target, positions: int) -> dict:
    g = target["grid"]
    return {"op": "update", "id": g["id"], "version": g["version"],
            "geometry": {"type": "Polygon",
                         "coordinates": [ring(target["x"], target["y"], positions - 1)]}}


def test_an_edit_set_over_the_vertex_cap_is_413_before_any_overlay(sessions, db, target):
    with sessions() as s:
        at_cap = grid_edits.preview(s, county=COUNTY, changes=[update_to(target, 64)],
                                    settings=PlanningSettings(), staff=staff_per_grid,
                                    max_vertices=64)
        assert "problems" in at_cap  # checked as usual (it leaves gaps), not refused
        s.rollback()
        for send in (grid_edits.preview, grid_edits.commit):
            extra = {"reason": "x", "actor": "tests"} if send is grid_edits.commit else {}
            with pytest.raises(PayloadTooLarge) as caught:
                send(s, county=COUNTY, changes=[update_to(target, 65)],
                     settings=PlanningSettings(), staff=staff_per_grid, max_vertices=64,
                     **extra)
            assert "more than the 64" in str(caught.value)
            s.rollback()


def test_read_changes_are_counted_too(sessions, target):
    """Splits, merges, reverts and imports build changes without JSON: counted from WKB."""
    from geo.grids.edits.changes import read_changes
    changes, _ = read_changes([update_to(target, 65)])
    with pytest.raises(PayloadTooLarge) as caught:
        grid_edits.check_size(changes, 64)
    assert "65 vertices" in str(caught.value)
    grid_edits.check_size(changes, 65)


def test_the_json_walk_stops_at_the_cap_however_the_arrays_nest(target):
    empty = {"op": "create", "code": "X", "name": "x",
             "geometry": {"type": "Polygon", "coordinates": [[] for _ in range(1_000_000)]}}
    with pytest.raises(PayloadTooLarge):
        grid_edits.check_json_size([empty], 100)
    deep = {"op": "create", "code": "Y", "name": "y", "geometry": {"type": "Polygon"}}
    nested = []
    deep["geometry"]["coordinates"] = nested
    for _ in range(500):
        nested.append([])
        nested = nested[0]
    with pytest.raises(PayloadTooLarge):
        grid_edits.check_json_size([deep], 100)
    grid_edits.check_json_size([update_to(target, 100)], 100)


def test_an_edit_set_over_the_default_cap_is_413_and_changes_nothing(client, tokens, db,
                                                                    target):
    before = county_state(db, COUNTY)
    r = client.post("/api/v1/grid-edits", headers=bearer(tokens["planner"]), json={
        "county": COUNTY, "changes": [update_to(target, 100_001)], "dry_run": False,
        "reason": "too detailed"})
    assert r.status_code == 413, r.get_json()
    assert "more than the 100,000 one edit set may hold" in r.get_json()["error"]["message"]
    db.rollback()
    assert county_state(db, COUNTY) == before


def test_a_split_line_over_the_cap_is_413(sessions, target):
    g = target["grid"]
    line = {"type": "LineString", "coordinates": ring(target["x"], target["y"], 10)[:-1]}
    with sessions() as s:
        with pytest.raises(PayloadTooLarge) as caught:
            grid_tools.split_changes(s, g["id"], line, g["version"], max_vertices=9)
        assert "10 points" in str(caught.value)


def feature_file(target, positions: int) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": target["grid"]["code"]},
        "geometry": update_to(target, positions)["geometry"]}]}).encode()


def test_a_grid_file_over_the_vertex_cap_is_413_before_it_is_reprojected(target):
    with pytest.raises(PayloadTooLarge) as caught:
        grid_files.read_grid_file(feature_file(target, 51), crs="EPSG:4326",
                                  limits=Limits(vertices=50))
    assert "51 vertices" in str(caught.value)
    read = grid_files.read_grid_file(feature_file(target, 50), crs="EPSG:4326",
                                     limits=Limits(vertices=50))
    assert len(read["geometries"]) == 1


def test_a_grid_file_over_the_default_cap_is_413(client, tokens, db, target, tmp_path):
    before = county_state(db, COUNTY)
    path = tmp_path / "detailed.geojson"
    path.write_bytes(feature_file(target, 100_001))
    r = client.post(f"/api/v1/counties/{COUNTY}/grids/import", headers=bearer(tokens["planner"]),
                    data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                    content_type="multipart/form-data")
    assert r.status_code == 413, r.get_json()
    assert "100,001 vertices" in r.get_json()["error"]["message"]
    db.rollback()
    assert county_state(db, COUNTY) == before


def test_partition_and_grid_import_run_on_the_job_statement_timeout(sessions):
    with sessions() as s:
        partition.propose_partition(s, "410102", grids=2, staff=staff_per_grid,
                                    job_timeout_ms=123_457)
        assert s.execute(text("SHOW statement_timeout")).scalar_one() == "123457ms"
        s.rollback()
        exported = grid_files.export_grids(s, "410102", fmt="geojson", crs="EPSG:4326",
                                           staff=staff_per_grid)
        data = exported.stream.read()
        exported.stream.close()
        grid_files.propose_import(s, "410102", data, staff=staff_per_grid,
                                  job_timeout_ms=123_456)
        assert s.execute(text("SHOW statement_timeout")).scalar_one() == "123456ms"
        s.rollback()
