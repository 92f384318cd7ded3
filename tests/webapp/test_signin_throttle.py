"""Sign-in throttling: growing delays per user and per address, never a lockout; no races.

Time is moved by passing `now` to geo.accounts.authenticate, or by ageing the recorded
attempts in the database (its clock is the one the web app uses), never by sleeping.
"""
import itertools
import re
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from geo.accounts import service as accounts
from geo.core.config import Settings
from geo.core.db import unit_of_work
from geo.core.text import catalog
from tests.conftest import PASSWORD, TEST_SECRET

_ADDRESSES = itertools.count(1)
# Delays long enough that a slow machine never lets a guess through by itself: only the
# tests move time.
SLOW = dict(login_max_failures=5, login_window_s=900, login_ip_max_failures=20,
            login_delay_base_s=60.0, login_delay_max_s=600.0)


def new_address() -> str:
    """An address no other test signs in from, so per-address counts start at zero."""
    n = next(_ADDRESSES)
    return f"10.78.{n // 250}.{n % 250 + 1}"


def new_user(sessions, role="inspector") -> str:
    username = f"throttle-{uuid.uuid4().hex[:10]}"
    with unit_of_work(sessions) as s:
        accounts.create_user(s, username=username, password=PASSWORD, role=role, actor="tests")
    return username


@pytest.fixture(scope="module")
def slow_app(database_url, settings):
    from webapp import create_app
    app = create_app(settings.model_copy(update=dict(**SLOW)), database_url=database_url)
    app.config["TESTING"] = True
    yield app
    app.extensions["liangwang"]["engine"].dispose()


def client_from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client, username, password):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def age_attempts(sessions, seconds, *, username=None, ip=None):
    """As if `seconds` had passed since these attempts."""
    with unit_of_work(sessions) as s:
        s.execute(text("""
            UPDATE login_attempts SET at = at - make_interval(secs => :s)
            WHERE username = :u OR ip = :ip"""), {"s": seconds, "u": username, "ip": ip})


# --- the rule itself, with a frozen clock -----------------------------------------------

def attempt(sessions, settings, username, password, now, ip):
    with unit_of_work(sessions) as s:
        return accounts.authenticate(s, username=username, password=password, ip=ip,
                                     settings=settings, now=now)


@pytest.fixture()
def t0(db):
    return db.scalar(select(func.now()))


def test_delay_starts_at_the_base_doubles_per_failure_and_stops_at_the_cap(sessions, t0):
    policy = Settings(secret_key=TEST_SECRET, login_max_failures=3, login_window_s=3600,
                      login_ip_max_failures=1000, login_delay_base_s=1.0, login_delay_max_s=8.0)
    username, ip, now = new_user(sessions), new_address(), t0
    for _ in range(3):  # the first failures cost nothing
        assert attempt(sessions, policy, username, "wrong", now, ip).retry_after_s == 0
    waits = []
    for _ in range(6):
        refused = attempt(sessions, policy, username, "wrong", now, ip)
        waits.append(refused.retry_after_s)
        now += timedelta(seconds=refused.retry_after_s)
        checked = attempt(sessions, policy, username, "wrong", now, ip)  # one more wrong guess
        assert checked.retry_after_s == 0 and checked.user is None
    assert waits == [1, 2, 4, 8, 8, 8]


def test_the_right_password_gets_in_after_the_cap_despite_50_wrong_guesses(sessions, t0):
    # A window longer than the attack, so every guess still counts at the end.
    policy = Settings(secret_key=TEST_SECRET, **dict(SLOW, login_window_s=3600))
    username, attacker, owner, now = new_user(sessions), new_address(), new_address(), t0
    for i in range(50):  # the attacker guesses every 13 s for 11 minutes
        attempt(sessions, policy, username, f"guess-{i}", now, attacker)
        now += timedelta(seconds=13)
    last_guess = now - timedelta(seconds=13)
    refused = attempt(sessions, policy, username, PASSWORD, now, owner)
    assert refused.user is None and 0 < refused.retry_after_s <= policy.login_delay_max_s
    ok = attempt(sessions, policy, username, PASSWORD,
                 last_guess + timedelta(seconds=policy.login_delay_max_s), owner)
    assert ok.user is not None and ok.user.username == username
    # Signing in cleared the counter: the next wrong guess is checked, not refused.
    after = attempt(sessions, policy, username, "typo", last_guess + timedelta(seconds=700),
                    owner)
    assert after.retry_after_s == 0 and after.user is None


def test_failures_older_than_the_window_are_forgotten(sessions, t0):
    policy = Settings(secret_key=TEST_SECRET, **SLOW)
    username, ip = new_user(sessions), new_address()
    for _ in range(5):
        attempt(sessions, policy, username, "wrong", t0, ip)
    assert attempt(sessions, policy, username, PASSWORD, t0, ip).retry_after_s > 0
    later = t0 + timedelta(seconds=policy.login_window_s + 1)
    assert attempt(sessions, policy, username, PASSWORD, later, ip).user is not None


# --- through the web app ------------------------------------------------------------------

def test_throttled_answer_is_429_with_retry_after_and_the_user_gets_in_after_it(
        slow_app, sessions):
    username = new_user(sessions)
    attacker = client_from(slow_app, new_address())
    statuses = [sign_in(attacker, username, f"guess-{i}").status_code for i in range(50)]
    assert statuses == [401] * 5 + [429] * 45
    owner = client_from(slow_app, new_address())
    r = sign_in(owner, username, PASSWORD)
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(r.headers["Retry-After"]) <= SLOW["login_delay_base_s"]
    age_attempts(sessions, SLOW["login_delay_max_s"], username=username)
    r = sign_in(owner, username, PASSWORD)
    assert r.status_code == 200, r.get_json()
    assert sign_in(owner, username, "one-typo").status_code == 401  # counter cleared


def test_the_login_page_says_how_long_to_wait(slow_app, sessions):
    username = new_user(sessions)
    c = client_from(slow_app, new_address())
    for _ in range(5):
        sign_in(c, username, "wrong")
    html = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    wait = int(r.headers["Retry-After"])
    assert r.status_code == 429 and 0 < wait <= SLOW["login_delay_base_s"]
    page = r.get_data(as_text=True)
    assert any(catalog(lang)["too_many_wait"].format(seconds=wait) in page
               for lang in ("zh", "en"))


def test_parallel_wrong_guesses_are_counted_exactly(slow_app, sessions, db, monkeypatch):
    username, address = new_user(sessions), new_address()
    checked, lock = [], threading.Lock()
    real_check = accounts.check_password_hash

    def counting_check(hash_, password):
        with lock:
            checked.append(password)
        return real_check(hash_, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    start, statuses = threading.Barrier(40), []

    def guess(i):
        c = client_from(slow_app, address)
        start.wait()
        statuses.append(sign_in(c, username, f"parallel-{i}").status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [401] * 5 + [429] * 35
    assert len(checked) == 5  # only these reached the password check
    rows = db.execute(text("""
        SELECT count(*) FILTER (WHERE NOT throttled), count(*) FILTER (WHERE throttled)
        FROM login_attempts WHERE username = :u"""), {"u": username}).one()
    assert tuple(rows) == (5, 35)


def test_one_address_guessing_many_usernames_is_slowed(slow_app, sessions):
    address = new_address()
    c = client_from(slow_app, address)
    for i in range(SLOW["login_ip_max_failures"]):
        assert sign_in(c, f"nobody-{uuid.uuid4().hex[:8]}-{i}", "guess").status_code == 401
    username = new_user(sessions)
    r = sign_in(c, username, PASSWORD)  # even the right password waits: the address is slowed
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert sign_in(client_from(slow_app, new_address()), username, PASSWORD).status_code == 200
    age_attempts(sessions, SLOW["login_delay_max_s"], ip=address)
    assert sign_in(c, username, PASSWORD).status_code == 200


def test_old_sign_in_bookkeeping_is_pruned_and_recent_rows_are_kept(sessions):
    from geo.accounts.models import LoginAttempt, UserSession
    from geo.core import clock
    name = f"prune-{uuid.uuid4().hex[:8]}"
    now = clock.now()
    with unit_of_work(sessions) as s:
        user = accounts.create_user(s, username=name, password=PASSWORD, role="command",
                                    actor="test")
        s.flush()
        s.add_all([LoginAttempt(username=name, ip="10.9.9.9", ok=False, at=now - timedelta(days=91)),
                   LoginAttempt(username=name, ip="10.9.9.9", ok=True, at=now - timedelta(days=1))])
        for key, expires, revoked in (("old-expired", 100, None), ("old-revoked", -30, 95),
                                      ("live", -30, None), ("recently-revoked", -30, 2)):
            s.add(UserSession(id=f"{name}-{key}", user_id=user.id, kind="token",
                              expires_at=now - timedelta(days=expires),
                              revoked_at=None if revoked is None else now - timedelta(days=revoked)))
    with unit_of_work(sessions) as s:
        pruned = accounts.prune(s, now=now)
    assert pruned["login_attempts"] >= 1 and pruned["user_sessions"] >= 2
    with sessions() as s:
        kept = s.scalars(select(UserSession.id).where(UserSession.user_id == user.id)).all()
        attempts = s.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == name))
    assert sorted(kept) == [f"{name}-live", f"{name}-recently-revoked"] and attempts == 1
