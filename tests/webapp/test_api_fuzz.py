"""Schemathesis over /api/openapi.json for every role: no 5xx, every answer as documented.

The fuzzer's writes succeed as often as they fail, so it runs against a database of its
own (same cluster, its own small demo set) and never disturbs the other tests' data.
"""
from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks as schemathesis_checks
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy import create_engine, text

from geo.accounts import service as accounts
from geo.accounts.models import ROLES
from geo.areas import boundaries
from geo.core import migrate
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer, sign_in_every_role

FUZZ_DB = "lw_fuzz"
# No 5xx; status codes, content types and bodies as documented. (Auth is ours, not generated.)
CHECKS = [schemathesis_checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]
# Revoking the fuzzer's own token would turn every later request into a 401.
SKIP = {("DELETE", "/api/v1/auth/token")}
STATUSES: Counter = Counter()


@pytest.fixture(scope="module")
def fuzz_app(database_url, settings):
    from dispatch.demo import seed_demo
    from webapp import create_app

    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {FUZZ_DB}"))
        c.execute(text(f"CREATE DATABASE {FUZZ_DB}"))
    admin.dispose()
    url = database_url.replace("/liangwang?", f"/{FUZZ_DB}?")
    migrate.upgrade(url)
    app = create_app(settings, database_url=url)
    app.config["TESTING"] = True
    with unit_of_work(app.extensions["liangwang"]["sessions"]) as s:
        boundaries.load(s)
        seed_demo(s, employers=6000, seed=11)  # smaller sets leave counties empty
        for role in ROLES:
            accounts.create_user(s, username=f"fuzz-{role}", password=PASSWORD, role=role,
                                 actor="tests")
    yield app
    app.extensions["liangwang"]["engine"].dispose()
    total = sum(STATUSES.values())
    server_errors = sum(n for status, n in STATUSES.items() if status >= 500)
    print(f"\nschemathesis: {total} requests, {server_errors} answers 5xx; "
          f"by status {dict(sorted(STATUSES.items()))}")


@pytest.fixture(scope="module")
def fuzz_tokens(fuzz_app) -> dict[str, str]:
    return sign_in_every_role(fuzz_app, prefix="fuzz")


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


@pytest.mark.parametrize("role", ROLES)
def test_no_answer_is_5xx_or_undocumented(role, fuzz_app, fuzz_tokens, api_schema):
    """Every documented operation, a few generated requests each, as this role."""
    failures, mine = [], Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=6, deadline=None, derandomize=True, database=None,
                             phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck))
        def check(case):
            # Plain bodies: schemathesis reads a WSGI answer as sent and cannot gunzip it to
            # check it against the response schema (compression: tests/webapp/test_compression.py).
            case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
            if not case.path.endswith("/auth/token"):
                case.headers = {**case.headers, **bearer(fuzz_tokens[role])}
            response = case.call(app=fuzz_app)
            mine[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, at once
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    STATUSES.update(mine)
    assert not failures, "\n\n".join(failures)
    # The run reached the views: signed in, not stopped at the door for most requests.
    assert mine[401] < 0.2 * sum(mine.values()), dict(mine)
    assert sum(n for status, n in mine.items() if status < 300) > 0, dict(mine)
