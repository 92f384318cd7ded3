"""Shared by the casework tests: an employer of the test's own in 中原区, and complaints,
decisions and cases made through the API as a dispatcher would."""
import io

import docx
import pytest
from sqlalchemy import text

from geo.core.db import unit_of_work
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, add_inspector, committed  # noqa: F401 (fixture)


@pytest.fixture()
def employer(committed, db):  # noqa: F811
    employer_id = committed.employer(lon=SITE[0], lat=SITE[1])
    return db.execute(text("SELECT id, credit_code, name, county_adcode FROM employers "
                           "WHERE id = :i"), {"i": employer_id}).one()


def complain(client, tokens, employer, **extra):
    body = {"category": "wage_arrears", "workers_affected": 3, "description": "拖欠两个月工资",
            "employer": {"credit_code": employer.credit_code},
            "complainant": {"name": "王小明", "phone": "13712345678"}, **extra}
    r = client.post("/api/v1/complaints", json=body, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def decide(client, tokens, complaint_id, role="dispatcher", **body):
    return client.post(f"/api/v1/complaints/{complaint_id}/decision", json=body,
                       headers=bearer(tokens[role]))


def notice_text(client, token, url) -> str:
    r = client.get(url, headers=bearer(token))
    assert r.status_code == 200
    assert r.mimetype.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(r.data))
    return "\n".join(p.text for p in document.paragraphs)


@pytest.fixture()
def team(committed, sessions):  # noqa: F811
    """Two certified inspectors of 中原区, one of 二七区, one uncertified."""
    with unit_of_work(sessions) as s:
        ids = [add_inspector(s, lon=SITE[0], lat=SITE[1]) for _ in range(2)]
        other = add_inspector(s, lon=SITE[0], lat=SITE[1], county="410103")
        uncertified = add_inspector(s, lon=SITE[0], lat=SITE[1], certified=False)
    committed.officers += [*ids, other, uncertified]
    return {"ids": ids, "other": other, "uncertified": uncertified}


def county_inspectors(client, tokens, county="410102") -> list[int]:
    """Two certified inspectors of the demo data in the county."""
    live = client.get(f"/api/v1/officers/live?area={county}",
                      headers=bearer(tokens["dispatcher"])).get_json()["features"]
    return sorted(f["properties"]["id"] for f in live
                  if f["properties"]["kind"] == "inspector" and f["properties"].get(
                      "certified", True))[:2]


def accepted_as_case(client, tokens, employer, handlers=True):
    made = complain(client, tokens, employer)
    r = decide(client, tokens, made["id"], decision="accept", mode="case", reason="立案查处")
    assert r.status_code == 200 and r.get_json()["case_id"], r.get_json()
    case_id = r.get_json()["case_id"]
    if handlers:
        r = client.post(f"/api/v1/cases/{case_id}/handlers",
                        json={"handler_ids": county_inspectors(client, tokens)},
                        headers=bearer(tokens["dispatcher"]))
        assert r.status_code == 200, r.get_json()
    return made, case_id


def post(client, tokens, url, role="dispatcher", **body):
    return client.post(url, json=body, headers=bearer(tokens[role]))
