"""Full dispatch cycles through HTTP: create → recommend → assign → complete.

Ours: gunicorn with 4 workers (the app as deployed), clients on keep-alive connections,
each cycle four requests of the public API. Peer in the same run and on the same
database: the floor, the same four steps as the fewest plain SQL statements from the
same number of client threads over psycopg2 (no HTTP, no ORM, no rules, no audit).
Also: SQL statements per cycle (counted in-process with the Flask test client) and the
recommendation's p95 at 13,000 officers.
Run: .venv/bin/python -m bench.dispatch_cycle [seconds, default 20] [clients, default 8]
"""
from __future__ import annotations

import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from bench.common import SECRET, free_port, p50_p95, throwaway_database
from bench.tiles import start
from geo.core.config import ROOT

PASSWORD = "bench-password-not-secret"
COUNTIES = ("410102", "410103", "410104", "410105", "410122", "410181", "410182", "410183")


def prepare(sessions, officers_total: int = 13_000) -> list[int]:
    """Demo data, 13k inspectors in all (the added ones at employers drawn province-wide), and
    employers of eight Zhengzhou counties to visit."""
    from dispatch.demo import seed_demo
    from geo.accounts import service as accounts
    from geo.core.db import unit_of_work
    with unit_of_work(sessions) as s:
        seed_demo(s, employers=60_000, seed=2026)
        have = s.execute(text("SELECT count(*) FROM officers")).scalar_one()
        s.execute(text("""
            INSERT INTO officers (badge, name, kind, certified, county_adcode, status, geom,
                                  position_at)
            SELECT 'BX' || e.id, '监察员' || e.id, 'inspector', true, e.county_adcode,
                   'available', e.geom, now()
            FROM employers e ORDER BY md5(e.id::text) LIMIT :n"""),
            {"n": max(0, officers_total - have)})
        # Nobody stale, nobody capped: the bench measures the cycle, not the day's limits.
        s.execute(text("UPDATE officers SET position_at = now() + interval '1 day', "
                       "daily_cap = 1000000"))
        s.execute(text("""UPDATE officers o SET status = 'available' WHERE kind = 'inspector'
                          AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.officer_id = o.id
                                          AND a.released_at IS NULL)"""))
        s.execute(text("ANALYZE"))
        accounts.create_user(s, username="bench-dispatcher", password=PASSWORD,
                             role="dispatcher", actor="bench")
        return s.execute(text("""
            SELECT e.id FROM employers e WHERE e.county_adcode = ANY(:c) AND e.geom IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM recusals r WHERE r.employer_id = e.id)
            ORDER BY e.id"""), {"c": list(COUNTIES)}).scalars().all()


class Client:
    steps: dict[str, list[float]] = {}  # milliseconds per request path kind, every client

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Accept-Encoding": "identity"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        t = time.perf_counter()
        self.conn.request(method, path, body=None if body is None else json.dumps(body),
                          headers=self.headers)
        r = self.conn.getresponse()
        out = r.status, json.loads(r.read() or b"{}")
        step = path.rsplit("/", 1)[-1] if path[-1].isalpha() else "read"
        self.steps.setdefault(step, []).append((time.perf_counter() - t) * 1000)
        return out


def http_cycles(port: int, token: str, employers: list[int], seconds: float,
                clients: int) -> dict:
    done, conflicts, errors, ms = [0] * clients, [0] * clients, [], []
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        rng, c = random.Random(i), Client(port, token)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            status, body = c.call("POST", "/api/v1/inspections",
                                  {"kind": "scheduled", "employer_id": rng.choice(employers)})
            if status != 201:
                errors.append(f"create {status} {body}")
                continue
            job = body["id"]
            status, rec = c.call("GET", f"/api/v1/inspections/{job}/recommendations")
            if status != 200 or not rec["teams"]:
                errors.append(f"recommend {status} {str(rec)[:200]}")
                continue
            status, body = c.call("POST", f"/api/v1/inspections/{job}/assign",
                                  {"officer_ids": rec["teams"][0]["officer_ids"]})
            if status == 409:  # another dispatcher took one of the team first
                conflicts[i] += 1
                c.call("POST", f"/api/v1/inspections/{job}/cancel", {"reason": "bench"})
                continue
            if status != 200:
                errors.append(f"assign {status} {str(body)[:200]}")
                continue
            status, body = c.call("POST", f"/api/v1/inspections/{job}/complete",
                                  {"summary": "bench"})
            if status != 200:
                errors.append(f"complete {status} {str(body)[:200]}")
                continue
            done[i] += 1
            ms.append((time.perf_counter() - t) * 1000)

    return _threads(run, clients, done, conflicts, errors, ms)


FLOOR_SQL = {
    "create": """INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status)
                 SELECT 'scheduled', id, county_adcode, geom, 'normal', 'pending'
                 FROM employers WHERE id = %s RETURNING id, geom""",
    "recommend": """SELECT o.id FROM officers o WHERE o.kind = 'inspector' AND o.certified
                    AND o.status = 'available'
                    ORDER BY o.geom <-> %s LIMIT 2""",
    "lock": "SELECT id FROM officers WHERE id = ANY(%s) AND status = 'available' "
            "ORDER BY id FOR UPDATE",
    "officers": "UPDATE officers SET status = %s, version = version + 1 WHERE id = ANY(%s)",
    "attach": """INSERT INTO assignments (inspection_id, officer_id, county_adcode)
                 SELECT %s, unnest(%s::int[]), '410102'""",
    "assigned": "UPDATE inspections SET status = 'assigned', assigned_at = now() WHERE id = %s",
    "release": "UPDATE assignments SET released_at = now() WHERE inspection_id = %s "
               "AND released_at IS NULL",
    "done": "UPDATE inspections SET status = 'done', closed_at = now() WHERE id = %s",
}


def floor_cycles(dsn: str, employers: list[int], seconds: float, clients: int) -> dict:
    done, conflicts, errors, ms = [0] * clients, [0] * clients, [], []
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        rng, conn = random.Random(100 + i), psycopg2.connect(dsn)
        cur = conn.cursor()
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                cur.execute(FLOOR_SQL["create"], (rng.choice(employers),))
                job, geom = cur.fetchone()
                conn.commit()
                cur.execute(FLOOR_SQL["recommend"], (geom,))
                team = [r[0] for r in cur.fetchall()]
                conn.commit()
                cur.execute(FLOOR_SQL["lock"], (team,))
                if len(cur.fetchall()) < 2:
                    conn.rollback()
                    conflicts[i] += 1
                    continue
                cur.execute(FLOOR_SQL["officers"], ("assigned", team))
                cur.execute(FLOOR_SQL["attach"], (job, team))
                cur.execute(FLOOR_SQL["assigned"], (job,))
                conn.commit()
                cur.execute(FLOOR_SQL["release"], (job,))
                cur.execute(FLOOR_SQL["officers"], ("available", team))
                cur.execute(FLOOR_SQL["done"], (job,))
                conn.commit()
            except psycopg2.Error as exc:
                conn.rollback()
                errors.append(repr(exc)[:200])
                continue
            done[i] += 1
            ms.append((time.perf_counter() - t) * 1000)
        conn.close()

    return _threads(run, clients, done, conflicts, errors, ms)


def _threads(run, clients, done, conflicts, errors, ms) -> dict:
    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    p50, p95 = p50_p95(ms) if ms else (0, 0)
    return {"rate": sum(done) / elapsed, "done": sum(done), "conflicts": sum(conflicts),
            "errors": errors, "p50": p50, "p95": p95}


def cpu_seconds(name: str) -> float:
    """User + system CPU of every process whose command line contains `name` (from /proc)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if name.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


def double_bookings(sessions) -> int:
    with sessions() as s:
        return s.execute(text("""
            SELECT count(*) FROM (SELECT officer_id FROM assignments WHERE released_at IS NULL
                                  GROUP BY officer_id HAVING count(*) > 1) d""")).scalar_one()


def statements_per_cycle(url: str, employer: int) -> dict:
    """One cycle through the Flask test client, counting the SQL each request sends."""
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET)
    from webapp import create_app
    app = create_app()
    counts: dict[str, int] = {}
    step = ["login"]

    def count(*_args, **_kwargs):
        counts[step[0]] = counts.get(step[0], 0) + 1

    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "bench-dispatcher",
                                                     "password": PASSWORD}).get_json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    event.listen(Engine, "before_cursor_execute", count)
    try:
        for _ in range(2):  # the second cycle is the one reported (caches warm)
            counts.clear()
            step[0] = "create"
            job = client.post("/api/v1/inspections", headers=h, json={
                "kind": "scheduled", "employer_id": employer}).get_json()["id"]
            step[0] = "recommend"
            rec = client.get(f"/api/v1/inspections/{job}/recommendations", headers=h).get_json()
            step[0] = "assign"
            r = client.post(f"/api/v1/inspections/{job}/assign", headers=h,
                            json={"officer_ids": rec["teams"][0]["officer_ids"]})
            assert r.status_code == 200, r.get_json()
            step[0] = "complete"
            r = client.post(f"/api/v1/inspections/{job}/complete", headers=h,
                            json={"summary": "bench"})
            assert r.status_code == 200, r.get_json()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return counts


def recommendation_ms(sessions, employers: list[int], repeat: int = 200) -> tuple[float, float]:
    from dispatch.inspections import recommend
    from dispatch.settings import DispatchSettings
    settings = DispatchSettings()
    with sessions() as s:
        jobs = s.execute(text("""
            INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status)
            SELECT 'scheduled', id, county_adcode, geom, 'normal', 'pending' FROM employers
            WHERE id = ANY(:ids) RETURNING id"""),
            {"ids": random.Random(3).sample(employers, repeat)}).scalars().all()
        out = []
        for job in jobs:
            t = time.perf_counter()
            recommend.recommend(s, job, settings)
            out.append((time.perf_counter() - t) * 1000)
        s.rollback()
        officers = s.execute(text("SELECT count(*) FROM officers WHERE kind = 'inspector'")
                             ).scalar_one()
    p50, p95 = p50_p95(out[20:])
    return p50, p95, officers


def main(seconds: float, clients: int) -> None:
    with throwaway_database(pool_size=4) as (url, sessions):
        employers = prepare(sessions)
        counts = statements_per_cycle(url, employers[0])
        rec50, rec95, n_officers = recommendation_ms(sessions, employers)
        work = Path(tempfile.mkdtemp(prefix="lw-bench-cycle-"))
        port = free_port()
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, LIANGWANG_VAR=str(work),
                   PYTHONPATH=str(ROOT))
        server = start([sys.executable, "-m", "gunicorn", "--workers", "4", "--bind",
                        f"127.0.0.1:{port}", "wsgi:app"], env,
                       f"http://127.0.0.1:{port}/healthz", work / "gunicorn.log")
        try:
            c = Client(port, "")
            del c.headers["Authorization"]
            status, body = c.call("POST", "/api/v1/auth/token",
                                  {"username": "bench-dispatcher", "password": PASSWORD})
            assert status == 200, body
            token = body["token"]
            http_cycles(port, token, employers, 3, clients)  # warm every worker
            Client.steps.clear()
            before = {k: cpu_seconds(k) for k in ("gunicorn", "postgres")}
            client_before = time.process_time()
            ours = http_cycles(port, token, employers, seconds, clients)
            cpu = {k: (cpu_seconds(k) - v) * 1000 / max(1, ours["done"])
                   for k, v in before.items()}
            cpu["client"] = (time.process_time() - client_before) * 1000 / max(1, ours["done"])
            ours_double = double_bookings(sessions)
        finally:
            server.terminate()
            server.wait(timeout=30)
        dsn = url.replace("postgresql+psycopg2://", "postgresql://")
        floor = floor_cycles(dsn, employers, seconds, clients)
    for sample in sorted(set(e[:200] for e in ours["errors"] + floor["errors"]))[:5]:
        print("error sample:", sample)
    per_step = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"SQL statements per cycle: {sum(counts.values())} ({per_step})")
    print(f"recommendation at {n_officers} inspectors: p50 {rec50:.2f} ms, p95 {rec95:.2f} ms")
    for label, r in (("ours (HTTP, 4 gunicorn workers)", ours), ("floor (bare SQL)", floor)):
        print(f"{label}: {r['rate']:.1f} cycles/s over {seconds:.0f} s with {clients} clients "
              f"({r['done']} done, {r['conflicts']} lost the race, {len(r['errors'])} errors); "
              f"cycle p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms")
    print("ours per request (p50/p95 ms): " + ", ".join(
        f"{k} {p50_p95(v)[0]:.1f}/{p50_p95(v)[1]:.1f}" for k, v in Client.steps.items()
        if k != "token"))
    print("CPU per cycle of ours (ms): " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
    print(f"ours/floor {ours['rate'] / floor['rate']:.2f}; double-bookings after ours: "
          f"{ours_double}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20,
         int(sys.argv[2]) if len(sys.argv) > 2 else 8)
