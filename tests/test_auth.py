"""Sign-in, tokens, CSRF, rate limiting and the audit of sign-ins."""
import re
import time

from sqlalchemy import text

from geo import accounts
from geo.config import Settings
from geo.db import unit_of_work
from tests.conftest import PASSWORD, TEST_SECRET, bearer


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_page_signs_in_and_redirects_to_the_map(client):
    token = csrf_token(client)
    r = client.post("/login", data={"username": "test-command", "password": PASSWORD,
                                    "csrf_token": token, "next": "/map"})
    assert r.status_code == 302 and r.headers["Location"] == "/map"
    assert client.get("/api/v1/me").get_json()["role"] == "command"


def test_wrong_password_is_401_and_opens_no_session(client):
    token = csrf_token(client)
    r = client.post("/login", data={"username": "test-command", "password": "nope",
                                    "csrf_token": token})
    assert r.status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_login_form_without_csrf_token_is_rejected(client):
    r = client.post("/login", data={"username": "test-command", "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_logout_needs_csrf_and_ends_the_session(client):
    token = csrf_token(client)
    client.post("/login", data={"username": "test-admin", "password": PASSWORD,
                                "csrf_token": token})
    assert client.post("/logout").status_code == 400  # no token: still signed in
    assert client.get("/api/v1/me").status_code == 200
    token = csrf_token(client, "/map")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_open_redirects_are_refused(client):
    token = csrf_token(client)
    r = client.post("/login", data={"username": "test-admin", "password": PASSWORD,
                                    "csrf_token": token, "next": "//evil.example/x"})
    assert r.headers["Location"] == "/map"


def test_token_endpoint_gives_a_working_bearer_token(client):
    r = client.post("/api/v1/auth/token", json={"username": "test-planner", "password": PASSWORD})
    body = r.get_json()
    assert r.status_code == 200 and body["expires_at"] and body["role"] == "planner"
    assert client.get("/api/v1/me", headers=bearer(body["token"])).get_json()["role"] == "planner"


def test_token_endpoint_rejects_bad_bodies_with_the_field_named(client):
    assert client.post("/api/v1/auth/token", data="{not json",
                       content_type="application/json").status_code == 400
    r = client.post("/api/v1/auth/token", json={"username": "x"})
    assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"] == "password"
    r = client.post("/api/v1/auth/token", json={"username": "test-admin", "password": "wrong"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_missing_malformed_forged_and_expired_tokens_are_401(app, client, tokens):
    assert client.get("/api/v1/areas?level=city").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(tokens["admin"] + "x")).status_code == 401
    from webapp import create_app
    short = create_app(Settings(secret_key=TEST_SECRET, token_ttl_s=1),
                       database_url=app.extensions["liangwang"]["url"])
    c = short.test_client()
    token = c.post("/api/v1/auth/token",
                   json={"username": "test-admin", "password": PASSWORD}).get_json()["token"]
    assert c.get("/api/v1/me", headers=bearer(token)).status_code == 200
    time.sleep(2.1)
    r = c.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and "expired" in r.get_json()["error"]["message"]
    short.extensions["liangwang"]["engine"].dispose()


def test_repeated_failures_are_rate_limited_even_with_the_right_password(client, sessions):
    with unit_of_work(sessions) as s:
        accounts.create_user(s, username="rate-limited", password=PASSWORD, role="inspector",
                             actor="tests")
    for _ in range(5):
        r = client.post("/api/v1/auth/token", json={"username": "rate-limited", "password": "x"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "rate-limited", "password": PASSWORD})
    assert r.status_code == 429 and "too many" in r.get_json()["error"]["message"]
    # Other users are not affected.
    r = client.post("/api/v1/auth/token", json={"username": "test-admin", "password": PASSWORD})
    assert r.status_code == 200


def test_passwords_are_stored_hashed(db):
    stored = db.execute(text("SELECT password_hash FROM users WHERE username = 'test-admin'"))
    value = stored.scalar_one()
    assert PASSWORD not in value and value.startswith(("scrypt:", "pbkdf2:"))


def test_sign_in_and_user_creation_are_audited(client, db):
    client.post("/api/v1/auth/token", json={"username": "test-dispatcher", "password": PASSWORD})
    actions = set(db.execute(text("""
        SELECT action FROM audit_log WHERE actor IN ('test-dispatcher', 'tests')
    """)).scalars())
    assert {"sign_in", "create"} <= actions
    created = db.execute(text("""
        SELECT after FROM audit_log WHERE action = 'create' AND entity = 'user'
          AND after->>'username' = 'test-dispatcher'""")).scalar_one()
    assert created["role"] == "dispatcher" and "password" not in str(created)


def test_demo_accounts_have_random_passwords_in_a_private_file(sessions, tmp_path):
    path = tmp_path / "demo-accounts.json"
    with unit_of_work(sessions) as s:
        first = accounts.ensure_demo_accounts(s, path)
    assert {a["role"] for a in first} == {"admin", "command", "dispatcher", "planner", "inspector"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert len({a["password"] for a in first}) == 5 and all(len(a["password"]) >= 12 for a in first)
    with unit_of_work(sessions) as s:
        assert accounts.ensure_demo_accounts(s, path) == first  # reused on the next start


def test_admin_reads_the_audit_log_filtered_by_actor(client, tokens):
    client.post("/api/v1/auth/token", json={"username": "test-planner", "password": PASSWORD})
    r = client.get("/api/v1/audit?actor=test-planner&limit=3", headers=bearer(tokens["admin"]))
    items = r.get_json()["items"]
    assert r.status_code == 200 and items and all(i["actor"] == "test-planner" for i in items)
    assert items[0]["action"] == "sign_in"
