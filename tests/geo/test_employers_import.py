"""Importing employer lists: real CSV (UTF-8, GBK) and XLSX files, validation, CRS, idempotence."""
import csv
import io

import pytest
from pyproj import Geod
from sqlalchemy import text

from geo import crs
from tests.conftest import bearer
from tests.employer_files import HEADER, bad_check, codes, upload, write_csv, write_xlsx

GEOD = Geod(ellps="WGS84")
ZHENGZHOU = (113.6253, 34.7466)  # WGS 84, 郑州市二七区


@pytest.fixture()
def admin(tokens):
    return tokens["admin"]


def employer(db, code):
    return db.execute(text("""
        SELECT e.*, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, g.county_adcode AS grid_county,
               ST_Intersects(a.geom, e.geom) AS in_county
        FROM employers e LEFT JOIN grids g ON g.id = e.grid_id
        JOIN admin_areas a ON a.level = 'county' AND a.adcode = e.county_adcode
        WHERE e.credit_code = :c"""), {"c": code}).mappings().first()


def table_counts(db) -> tuple:
    return db.execute(text("SELECT (SELECT count(*) FROM employers), "
                           "(SELECT count(*) FROM employer_imports), "
                           "(SELECT count(*) FROM audit_log)")).one()


def test_utf8_csv_imports_good_rows_and_reports_each_bad_row(client, admin, db, tmp_path):
    c = codes(5)
    path = write_csv(tmp_path / "list.csv", [
        ["郑州甲机械有限公司", c[0], "张三", "", 113.6253, 34.7466, "制造业", 120, 30, "李四",
         "13800000000"],
        ["洛阳乙建筑工程有限公司", c[1], "王五", "河南省洛阳市涧西区南昌路8号", "", "", "建筑业",
         "45", "40", "", ""],
        ["", c[2], "", "郑州市中原区建设路1号", "", "", "", "", "", "", ""],
        ["丁商贸有限公司", bad_check(c[3]), "", "郑州市中原区建设路2号", "", "", "F", "",
         "", "", ""],
        ["戊物流有限公司", c[4], "", "郑州市中原区建设路3号", "", "", "G", "-3", "", "", ""],
    ])
    r = upload(client, admin, path)
    body = r.get_json()
    assert r.status_code == 200, body
    assert (body["accepted"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [x["row"] for x in body["rejected"]] == [4, 5, 6]
    assert "name" in body["rejected"][0]["reason"]
    assert "negative" in body["rejected"][2]["reason"]
    assert body["located"] == {"survey": 1, "county_centroid": 1}
    assert body["columns"]["address"] == "经营地址" and body["encoding"] == "utf-8"
    first = employer(db, c[0])
    assert first["industry"] == "C" and first["employees"] == 120 and first["migrant_workers"] == 30
    assert first["location_source"] == "survey" and first["location_precision"] == "point"
    assert first["county_adcode"] == "410103" and first["in_county"]  # 二七区
    assert first["grid_county"] == "410103"  # assigned to a grid in the same transaction
    second = employer(db, c[1])
    assert second["industry"] == "E" and second["county_adcode"] == "410305"
    assert first["grade"] == second["grade"] == "unrated"  # a list without grades grades no one
    shown = client.get(f"/api/v1/employers/{first['id']}", headers=bearer(admin)).get_json()
    assert shown["grade"] == "unrated"


def test_gbk_csv_is_detected_and_read(client, admin, db, tmp_path):
    c = codes(2)
    path = write_csv(tmp_path / "gbk.csv", [
        ["开封鼓楼区饭店", c[0], "赵六", "开封市鼓楼区书店街1号", "", "", "住宿和餐饮业", "8", "",
         "", ""],
        ["新乡县七里营农业合作社", c[1], "", "新乡县七里营镇", "", "", "A", "12", "", "", ""],
    ], encoding="gbk")
    body = upload(client, admin, path).get_json()
    assert body["accepted"] == 2 and body["rejected"] == [] and body["encoding"] == "gb18030"
    row = employer(db, c[0])
    assert row["name"] == "开封鼓楼区饭店" and row["legal_representative"] == "赵六"
    assert row["industry"] == "H" and row["county_adcode"] == "410204"
    assert employer(db, c[1])["county_adcode"] == "410721"


def test_xlsx_sheet_with_title_rows_numbers_and_a_code_stored_as_number(client, admin, db,
                                                                        tmp_path):
    c = codes(3)
    path = write_xlsx(tmp_path / "list.xlsx", {
        "说明": [["本表为示例"]],
        "名册": [["2026年用人单位名册"], [],
                 ["序号", "企业名称", "统一社会信用代码", "注册地址", "行业门类", "职工人数"],
                 [1, "平顶山丙煤业有限公司", c[0], "平顶山市新华区矿工路", "B", 300],
                 [2, "焦作丁纺织有限公司", c[1], "焦作市解放区民主路", "C17", 55.0],
                 [3, "数字代码公司", 9.141010512345679e17, "郑州市金水区", "C", 1]],
    })
    r = upload(client, admin, path, sheet="名册")
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["file_format"] == "xlsx" and body["sheet"] == "名册"
    assert body["accepted"] == 2 and body["columns"]["name"] == "企业名称"
    assert body["rejected"][0]["row"] == 6 and "stored as a number" in body["rejected"][0]["reason"]
    assert "序号" in body["ignored_columns"]
    assert employer(db, c[0])["employees"] == 300 and employer(db, c[1])["industry"] == "C"


@pytest.mark.parametrize("source", ["gcj02", "bd09"])
def test_gcj02_and_bd09_rows_land_within_1m_of_their_wgs84_position(client, admin, db, tmp_path,
                                                                    source):
    c = codes(2)
    points = [ZHENGZHOU, (112.4540, 34.6197)]  # 郑州, 洛阳
    rows = []
    for code, (lon, lat) in zip(c, points):
        x, y = crs.from_wgs84(lon, lat, source)
        rows.append([f"坐标公司{code[-4:]}", code, "", "", f"{x:.7f}", f"{y:.7f}", "", "", "",
                     "", ""])
    body = upload(client, admin, write_csv(tmp_path / "c.csv", rows), crs=source).get_json()
    assert body["accepted"] == 2, body
    for code, (lon, lat) in zip(c, points):
        row = employer(db, code)
        assert row["source_crs"] == source and row["location_source"] == "survey"
        assert GEOD.inv(lon, lat, row["lon"], row["lat"])[2] < 1.0


def test_a_coordinate_system_column_overrides_the_default_per_row(client, admin, db, tmp_path):
    (code,) = codes(1)
    x, y = crs.from_wgs84(*ZHENGZHOU, "bd09")
    path = write_csv(tmp_path / "crs.csv", [["百度坐标公司", code, f"{x:.7f}", f"{y:.7f}", "百度"]],
                     header=["单位名称", "信用代码", "lng", "lat", "坐标系"])
    assert upload(client, admin, path, crs="gcj02").get_json()["accepted"] == 1
    row = employer(db, code)
    assert row["source_crs"] == "bd09" and GEOD.inv(*ZHENGZHOU, row["lon"], row["lat"])[2] < 1.0


def test_reimporting_the_same_file_changes_nothing(client, admin, db, tmp_path):
    c = codes(3)
    path = write_csv(tmp_path / "same.csv", [
        ["重复导入甲公司", c[0], "", "", 113.70, 34.80, "C", 5, "", "", ""],
        ["重复导入乙公司", c[1], "", "郑州市二七区大学路", "", "", "F", 3, "", "", ""],
        ["重复导入丙公司", c[2], "", "洛阳市偃师区", "", "", "", "", "", "", ""],
    ])
    assert upload(client, admin, path).get_json()["accepted"] == 3
    stamps = db.execute(text("SELECT credit_code, updated_at FROM employers "
                             "WHERE credit_code = ANY(:c)"), {"c": c}).all()
    again = upload(client, admin, path).get_json()
    assert (again["accepted"], again["updated"], again["unchanged"]) == (0, 0, 3)
    db.rollback()
    assert db.execute(text("SELECT credit_code, updated_at FROM employers "
                           "WHERE credit_code = ANY(:c)"), {"c": c}).all() == stamps


def test_a_changed_row_is_updated_and_its_old_position_kept_in_history(client, admin, db,
                                                                      tmp_path):
    (code,) = codes(1)
    first = write_csv(tmp_path / "v1.csv", [["搬迁公司", code, "", "郑州市中原区", "", "", "", "",
                                             "", "", ""]])
    upload(client, admin, first)
    before = employer(db, code)
    second = write_csv(tmp_path / "v2.csv", [["搬迁公司", code, "", "", 113.60, 34.75, "", "",
                                              "", "", "0371-1234567"]])
    body = upload(client, admin, second).get_json()
    assert (body["accepted"], body["updated"]) == (0, 1)
    db.rollback()
    after = employer(db, code)
    assert after["location_source"] == "survey" and after["contact_phone"] == "0371-1234567"
    assert after["address"] == "郑州市中原区"  # empty cells keep what was known
    history = db.execute(text("""
        SELECT ST_X(geom_before), ST_Y(geom_before), source_before, import_id
        FROM employer_location_history WHERE employer_id = :id"""), {"id": after["id"]}).one()
    assert history[:3] == (before["lon"], before["lat"], "county_centroid")
    assert history[3] == body["import_id"]


def test_an_address_only_import_never_undoes_a_surveyed_position(client, admin, db, tmp_path):
    (code,) = codes(1)
    upload(client, admin, write_csv(tmp_path / "a.csv", [
        ["测绘公司", code, "", "", 113.66, 34.77, "", "", "", "", ""]]))
    body = upload(client, admin, write_csv(tmp_path / "b.csv", [
        ["测绘公司", code, "钱七", "郑州市中原区", "", "", "", "", "", "", ""]])).get_json()
    assert body["updated"] == 1
    row = employer(db, code)
    assert (row["lon"], row["lat"], row["location_source"]) == (113.66, 34.77, "survey")
    assert row["legal_representative"] == "钱七" and row["address"] == "郑州市中原区"


def test_bad_credit_code_reason_names_the_expected_character(client, admin, tmp_path):
    (code,) = codes(1)
    wrong = bad_check(code)
    body = upload(client, admin, write_csv(tmp_path / "bad.csv", [
        ["校验位错误公司", wrong, "", "郑州市中原区", "", "", "", "", "", "", ""]])).get_json()
    (reject,) = body["rejected"]
    assert f"expected {code[17]}" in reject["reason"] and f"is {wrong[17]}" in reject["reason"]


@pytest.mark.parametrize("lon, lat, words", [
    (34.7466, 113.6253, ["swapped"]),
    (116.40, 39.90, ["outside Henan"]),
    ("abc", 34.7, ["longitude", "not a number"]),
    (113.6, "", ["together"]),
])
def test_positions_outside_henan_or_malformed_are_rejected_with_a_hint(client, admin, tmp_path,
                                                                      lon, lat, words):
    (code,) = codes(1)
    body = upload(client, admin, write_csv(tmp_path / "pos.csv", [
        ["坐标有误公司", code, "", "", lon, lat, "", "", "", "", ""]])).get_json()
    (reject,) = body["rejected"]
    assert all(w in reject["reason"] for w in words), reject


def test_address_only_rows_are_placed_at_their_county_and_flagged_for_a_field_visit(
        client, admin, db, tmp_path):
    c = codes(4)
    path = write_csv(tmp_path / "addr.csv", [
        ["地址甲", c[0], "", "郑州市中原区建设路1号", "", "", "", "", "", "", ""],
        ["地址乙", c[1], "", "河南省洛阳市涧西区南昌路", "", "", "", "", "", "", ""],
        ["地址丙", c[2], "", "中原区桐柏路", "", "", "", "", "", "", ""],
        ["地址丁", c[3], "", "郑州高新技术产业开发区", "", "", "", "", "", "", ""],
    ])
    body = upload(client, admin, path).get_json()
    assert body["accepted"] == 3
    (reject,) = body["rejected"]
    assert reject["row"] == 5 and "no county" in reject["reason"]
    for code, county in zip(c, ["410102", "410305", "410102"]):
        row = employer(db, code)
        assert row["county_adcode"] == county and row["in_county"]
        assert row["location_source"] == "county_centroid"
        assert row["location_precision"] == "county" and row["grid_county"] == county


@pytest.mark.parametrize("raw, section", [("制造业", "C"), ("建筑业", "E"), ("e", "E"),
                                          ("劳务派遣", "L"), ("C3511", "C"), (None, None)])
def test_industry_is_mapped_to_a_gbt4754_section(client, admin, db, tmp_path, raw, section):
    (code,) = codes(1)
    upload(client, admin, write_csv(tmp_path / "ind.csv", [
        ["行业公司", code, "", "郑州市中原区", "", "", raw or "", "", "", "", ""]]))
    assert employer(db, code)["industry"] == section


@pytest.mark.parametrize("field, value, words", [
    ("行业", "火星采集业", "not a GB/T 4754 section"),
    ("从业人数", "12.5", "whole number"),
    ("从业人数", "很多", "not a number"),
    ("农民工人数", "-1", "must not be negative"),
])
def test_bad_values_are_rejected_naming_the_problem(client, admin, tmp_path, field, value, words):
    (code,) = codes(1)
    row = ["数值公司", code, "", "郑州市中原区", "", "", "", "", "", "", ""]
    row[HEADER.index(field)] = value
    (reject,) = upload(client, admin, write_csv(tmp_path / "v.csv", [row])).get_json()["rejected"]
    assert words in reject["reason"]


def test_a_credit_code_repeated_in_the_file_is_rejected_naming_the_first_row(client, admin,
                                                                            tmp_path):
    (code,) = codes(1)
    body = upload(client, admin, write_csv(tmp_path / "dup.csv", [
        ["重复甲", code, "", "郑州市中原区", "", "", "", "", "", "", ""],
        ["重复乙", code, "", "郑州市中原区", "", "", "", "", "", "", ""]])).get_json()
    assert body["accepted"] == 1 and "already appears in row 2" in body["rejected"][0]["reason"]


def test_rejected_rows_download_as_csv_with_formulas_defused(client, admin, tokens, tmp_path):
    c = codes(2)
    body = upload(client, admin, write_csv(tmp_path / "evil.csv", [
        ['=HYPERLINK("http://x","点我")', bad_check(c[0]), "@SUM(A1)", "+1", "", "", "", "-2",
         "", "", ""],
        ["正常公司", c[1], "", "郑州市中原区", "", "", "", "", "", "", ""]])).get_json()
    assert body["rejected_csv"].endswith(f"/imports/{body['import_id']}/rejected.csv")
    r = client.get(body["rejected_csv"], headers=bearer(admin))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    header, row = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert header[:3] == ["row", "reason", "单位名称"]
    assert row[0] == "2" and "expected" in row[1]
    assert row[2] == '\'=HYPERLINK("http://x","点我")'
    assert row[4:6] == ["'@SUM(A1)", "'+1"] and row[9] == "'-2"
    assert client.get(body["rejected_csv"], headers=bearer(tokens["inspector"])).status_code == 403


def test_unknown_import_has_no_rejected_csv(client, admin):
    r = client.get("/api/v1/employers/imports/987654/rejected.csv", headers=bearer(admin))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("name, content, form, status, words", [
    ("empty.csv", b"", {}, 422, "empty"),
    ("blank.csv", b"\n\n  \n", {}, 422, "empty"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, {}, 415, ".xlsx"),
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, {}, 415, "neither"),
    ("broken.xlsx", b"PK\x03\x04garbage", {}, 415, "XLSX"),
    ("noheader.csv", "甲,乙\n1,2\n".encode(), {}, 422, "header"),
    ("headeronly.csv", "单位名称,统一社会信用代码\n".encode(), {}, 422, "no employers"),
    ("ok.csv", "单位名称,统一社会信用代码\n甲,x\n".encode(), {"crs": "mars"}, 400, "crs"),
    ("ok.csv", "单位名称,统一社会信用代码\n甲,x\n".encode(), {"encoding": "klingon"}, 400,
     "encoding"),
    ("ok.csv", "单位名称,统一社会信用代码\n甲,x\n".encode(), {"encoding": "utf-8", "sheet": "x"},
     400, "sheet"),
    ("gbk.csv", "单位名称,统一社会信用代码\n甲,x\n".encode("gbk"), {"encoding": "utf-8"}, 422,
     "utf-8"),
])
def test_a_fatal_error_is_explained_and_writes_nothing(client, admin, db, tmp_path, name,
                                                      content, form, status, words):
    before = table_counts(db)
    path = tmp_path / name
    path.write_bytes(content)
    r = upload(client, admin, path, **form)
    assert r.status_code == status and words in r.get_json()["error"]["message"], r.get_json()
    db.rollback()
    assert table_counts(db) == before


def test_a_missing_sheet_lists_the_sheets_and_writes_nothing(client, admin, db, tmp_path):
    before = table_counts(db)
    path = write_xlsx(tmp_path / "s.xlsx", {"甲": [["单位名称"]], "乙": [["x"]]})
    r = upload(client, admin, path, sheet="丙")
    err = r.get_json()["error"]
    assert r.status_code == 400 and err["details"]["sheets"] == ["甲", "乙"]
    db.rollback()
    assert table_counts(db) == before


def test_a_request_without_a_file_is_400_naming_the_field(client, admin):
    r = client.post("/api/v1/employers/import", data={"crs": "wgs84"}, headers=bearer(admin),
                    content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"] == "file"


def test_an_upload_over_the_limit_is_413_with_a_clear_message(app, client, admin, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 400_000)
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        r = upload(client, admin, path)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert r.status_code == 413 and "larger than the 1 MB limit" in r.get_json()["error"]["message"]


@pytest.mark.parametrize("role", ["inspector", "dispatcher", "command"])
def test_only_admins_and_planners_may_import(client, tokens, tmp_path, role):
    path = write_csv(tmp_path / "r.csv", [["角色公司", codes(1)[0], "", "郑州市中原区", "", "", "",
                                           "", "", "", ""]])
    assert upload(client, tokens[role], path).status_code == 403


def test_planner_imports_and_the_import_is_audited(client, tokens, db, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["规划导入公司", codes(1)[0], "", "郑州市中原区", "", "",
                                           "", "", "", "", ""]])
    body = upload(client, tokens["planner"], path).get_json()
    assert body["accepted"] == 1
    row = db.execute(text("SELECT actor, after FROM audit_log WHERE entity = 'employer_import' "
                          "AND entity_id = :i"), {"i": str(body["import_id"])}).one()
    assert row[0] == "test-planner" and row[1]["accepted"] == 1


def test_cli_imports_with_a_progress_bar_and_writes_the_rejects(app, db, tmp_path):
    c = codes(2)
    x, y = crs.from_wgs84(*ZHENGZHOU, "gcj02")
    path = write_csv(tmp_path / "cli.csv", [
        ["命令行公司", c[0], "", "", f"{x:.7f}", f"{y:.7f}", "", "", "", "", ""],
        ["命令行坏行", bad_check(c[1]), "", "郑州市中原区", "", "", "", "", "", "", ""]],
        encoding="gbk")
    out = tmp_path / "rejects.csv"
    result = app.test_cli_runner().invoke(args=[
        "employers", "import", str(path), "--crs", "gcj02", "--encoding", "gbk",
        "--rejected-out", str(out)])
    assert result.exit_code == 0, result.output
    assert "checking rows" in result.output and "accepted 1" in result.output
    assert "expected" in out.read_text(encoding="utf-8-sig")
    row = employer(db, c[0])
    assert row["source_crs"] == "gcj02" and GEOD.inv(*ZHENGZHOU, row["lon"], row["lat"])[2] < 1.0


def test_cli_reports_a_fatal_error_and_exits_non_zero(app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = app.test_cli_runner().invoke(args=["employers", "import", str(path)])
    assert result.exit_code != 0 and "empty" in result.output


def test_excel_unicode_text_utf16_tab_separated_is_read(client, admin, db, tmp_path):
    (code,) = codes(1)
    path = tmp_path / "unicode.txt"
    path.write_bytes(f"单位名称\t统一社会信用代码\t地址\r\n制表符公司\t{code}\t郑州市中原区\r\n"
                     .encode("utf-16"))
    body = upload(client, admin, path).get_json()
    assert body["accepted"] == 1 and body["encoding"] == "utf-16"
    assert employer(db, code)["name"] == "制表符公司"


def test_two_imports_can_share_one_transaction(sessions, tmp_path):
    from geo.employers.imports.service import import_employers

    c = codes(2)
    files = [write_csv(tmp_path / f"{i}.csv", [[f"同事务{i}", c[i], "", "郑州市中原区", "", "",
                                               "", "", "", "", ""]]) for i in range(2)]
    with sessions() as s:
        results = [import_employers(s, f.read_bytes(), filename=f.name) for f in files]
        assert [r.accepted for r in results] == [1, 1]
        s.rollback()
