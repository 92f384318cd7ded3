"""Bad input gets a 400 that names the problem, and the database is untouched."""
import json

import pytest
from sqlalchemy import text

from tests.conftest import bearer

ZHENGZHOU = {"lat": 34.75, "lon": 113.62}


def complaints_count(db) -> int:
    return db.execute(text("SELECT count(*) FROM complaints")).scalar_one()


def post_complaint(client, tokens, body, raw: str | None = None):
    if raw is not None:
        return client.post("/api/v1/complaints", data=raw, content_type="application/json",
                           headers=bearer(tokens["dispatcher"]))
    return client.post("/api/v1/complaints", json=body, headers=bearer(tokens["dispatcher"]))


@pytest.mark.parametrize("body, words", [
    ({"category": "other", "location": ZHENGZHOU, "description": "拖欠\x00工资"}, "U+0000"),
    ({"category": "other", "location": ZHENGZHOU, "description": "响铃\x07"}, "U+0007"),
    ({"category": "other", "location": ZHENGZHOU, "description": "x" * 10_001},
     "longer than 10000"),
    ({"category": "other", "location": ZHENGZHOU, "complainant": {"phone": "1" * 33}},
     "longer than 32"),
    ({"category": "other", "location": ZHENGZHOU, "complainant": {"name": "张" * 65}},
     "longer than 64"),
    ({"category": "other", "location": ZHENGZHOU, "workers_affected": 2 ** 31}, "between"),
    ({"category": "other", "location": {"lat": 34.75, "lon": 10 ** 400}}, "too large"),
    ({"category": "other\x00", "location": ZHENGZHOU}, "U+0000"),
])
def test_bad_text_and_numbers_in_a_complaint_are_400_and_nothing_is_written(
        client, tokens, db, body, words):
    before = complaints_count(db)
    r = post_complaint(client, tokens, body)
    assert r.status_code == 400, r.get_json()
    assert words in r.get_json()["error"]["message"]
    assert complaints_count(db) == before


@pytest.mark.parametrize("raw, words", [
    ('{"category": "other", "workers_affected": Infinity}', "finite"),
    ('{"category": "other", "workers_affected": NaN}', "finite"),
    ('{"category": "other", "workers_affected": 1e400}', "finite"),
    ("[" * 100_000 + "]" * 100_000, "nested"),
    ('{"a": ' * 40 + "1" + "}" * 40, "nested more than 32"),
    ('{"category": "other", "description": "\\ud800"}', "U+D800"),
    ('{"category": "other", "workers_affected": 1' + "0" * 5000 + "}", "malformed JSON"),
])
def test_malformed_json_is_400_never_500(client, tokens, db, raw, words):
    before = complaints_count(db)
    r = post_complaint(client, tokens, None, raw=raw)
    assert r.status_code == 400, r.data[:300]
    assert words in r.get_json()["error"]["message"]
    assert complaints_count(db) == before


@pytest.mark.parametrize("url", [
    "/api/v1/employers?q=%00",
    "/api/v1/employers?q=ab%07c",
    "/api/v1/employers?page=99999999999999999999",
    "/api/v1/employers?page=2147483648",
    "/api/v1/employers?q=" + "x" * 201,
    "/api/v1/holidays/2026-10-01%00",
    "/api/v1/inspections?area=%00",
    "/api/v1/kpis?area=410000&x%00=1",
])
def test_bad_query_strings_and_paths_are_400(client, tokens, url):
    r = client.get(url, headers=bearer(tokens["admin"]))
    assert r.status_code == 400, (url, r.get_json())
    assert r.get_json()["error"]["message"]


def test_a_nul_in_sign_in_credentials_is_400(client):
    r = client.post("/api/v1/auth/token", json={"username": "adm\x00in", "password": "x" * 12})
    assert r.status_code == 400 and "U+0000" in r.get_json()["error"]["message"]


def test_a_text_longer_than_its_column_is_400_even_without_a_declared_limit(
        client, tokens, db, sessions):
    """The database's own refusal (value too long) becomes a 400, not a 500."""
    before = db.execute(text("SELECT count(*) FROM holidays")).scalar_one()
    r = client.put("/api/v1/holidays/2029-10-02", json={"kind": "holiday", "name": "节" * 65},
                   headers=bearer(tokens["admin"]))
    assert r.status_code == 400, r.get_json()
    assert "longer than its field" in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT count(*) FROM holidays")).scalar_one() == before


def test_a_huge_id_in_the_path_is_a_4xx(client, tokens):
    r = client.get(f"/api/v1/inspections/{2 ** 70}", headers=bearer(tokens["dispatcher"]))
    assert r.status_code in (400, 404), r.get_json()
    assert r.get_json()["error"]["message"]


def test_answers_never_contain_non_json_numbers(client, tokens):
    r = client.get("/api/v1/kpis?area=410102", headers=bearer(tokens["command"]))
    assert r.status_code == 200
    json.loads(r.data, parse_constant=lambda c: pytest.fail(f"{c} in the answer"))


def test_a_wrong_method_is_405_with_allow(client, tokens):
    r = client.delete("/api/v1/complaints", headers=bearer(tokens["admin"]))
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert r.get_json()["error"]["code"] == "method_not_allowed"


def test_multipart_parts_without_a_name_or_with_control_characters_are_4xx(client, tokens, db):
    before = db.execute(text("SELECT count(*) FROM employer_imports")).scalar_one()
    body = (b'--b\r\nContent-Disposition: form-data; name="p\\"\r\n\r\nx\r\n'
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x01.csv"\r\n\r\n'
            b"name\r\n--b--\r\n")
    r = client.post("/api/v1/employers/import", data=body,
                    content_type="multipart/form-data; boundary=b",
                    headers=bearer(tokens["admin"]))
    assert 400 <= r.status_code < 500, r.get_json()
    assert db.execute(text("SELECT count(*) FROM employer_imports")).scalar_one() == before
