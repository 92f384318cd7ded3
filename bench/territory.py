"""What the territory filter costs: the same requests by a province, a city and a county user.

Data: the demo seed of N employers (default 1,000,000). Through the Flask app (the whole
request path: sign-in lookup, territory resolution and checks, the service, JSON), each user
asks for what their map and desk load:
- employer tiles at z 8, 11 and 14 over 中原区 (cold: the tile cache is emptied before each
  round, so every tile is rendered);
- the KPI panel of their own territory (`/api/v1/kpis?area=<their area>`);
- employer search `?q=公司` without an area (the county user's is filtered to the county);
- live officers of their territory.
Peer, in the same run: the province user, whose requests take the unscoped path, identical to
the code before territories existed; and the same requests for 中原区 by both users ("same:"),
which is what the territory checks themselves cost. Goal: a county user is faster, never
slower. Rounds are interleaved between the users.
Run: .venv/bin/python -m bench.territory [employers]
"""
from __future__ import annotations

import shutil
import sys
import time

from sqlalchemy import text

from bench.common import p50_p95, throwaway_database
from bench.tiles import tile_of
from geo.accounts import service as accounts
from geo.core.config import Settings
from geo.core.db import unit_of_work

PASSWORD = "bench-password-not-secret"
USERS = {"province": "410000", "city": "410100", "county": "410102"}
SITE = (113.62, 34.75)  # 中原区


def main(employers: int = 1_000_000) -> None:
    from dispatch.demo import seed_demo
    from webapp import create_app

    with throwaway_database() as (url, sessions):
        t = time.perf_counter()
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=employers)
            for level, area in USERS.items():
                accounts.create_user(s, username=f"bench-{level}", password=PASSWORD,
                                     role="command", actor="bench", area=area)
        print(f"seeded {employers:,} employers in {time.perf_counter() - t:.0f} s")
        import tempfile
        from pathlib import Path
        var = Path(tempfile.mkdtemp(prefix="lw-bench-var-"))
        app = create_app(Settings(secret_key="bench-secret-key-not-for-production-0123456789", demo=False, var=var), database_url=url)
        client = app.test_client()
        headers = {}
        for level in USERS:
            r = client.post("/api/v1/auth/token",
                            json={"username": f"bench-{level}", "password": PASSWORD})
            headers[level] = {"Authorization": f"Bearer {r.get_json()['token']}",
                              "Accept-Encoding": "identity"}
        tiles = [(z, *tile_of(*SITE, z)) for z in (8, 11, 14)]

        def get(level, path):
            r = client.get(path, headers=headers[level])
            assert r.status_code == 200, (path, r.status_code, r.get_data()[:200])
            return len(r.data)

        def tile_round(level):
            shutil.rmtree(var / "tiles", ignore_errors=True)
            return sum(get(level, f"/api/v1/tiles/employers/{z}/{x}/{y}.pbf")
                       for z, x, y in tiles)

        requests = {
            "tiles z8/11/14, cold": tile_round,
            "KPIs of own area": lambda lv: get(lv, f"/api/v1/kpis?area={USERS[lv]}"),
            "search q=公司": lambda lv: get(lv, "/api/v1/employers?q=%E5%85%AC%E5%8F%B8"),
            "live officers": lambda lv: get(lv, f"/api/v1/officers/live?area={USERS[lv]}"),
        }
        print(f"{'request':24} {'user':9} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}"
              "   vs province p50")
        # The same request by both: what the checks themselves cost (area = 中原区).
        same = {
            "same: KPIs 410102": lambda lv: get(lv, "/api/v1/kpis?area=410102"),
            "same: search in 410102": lambda lv: get(
                lv, "/api/v1/employers?q=%E5%85%AC%E5%8F%B8&area=410102"),
            "same: officers 410102": lambda lv: get(lv, "/api/v1/officers/live?area=410102"),
            "same: inspection by id": lambda lv: get(lv, f"/api/v1/inspections/{inspection}"),
        }
        with unit_of_work(sessions) as s:
            inspection = s.execute(text("""
                INSERT INTO inspections (kind, county_adcode, geom, priority, status)
                VALUES ('scheduled', '410102', ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                        'normal', 'pending') RETURNING id"""),
                {"x": SITE[0], "y": SITE[1]}).scalar_one()
        for name, call in {**requests, **same}.items():
            sizes = {level: call(level) for level in USERS}  # warm-up (and the size)
            ms: dict[str, list[float]] = {level: [] for level in USERS}
            for _ in range(7 if "KPI" in name else 15):
                for level in USERS:  # interleaved, so load on the machine hits all alike
                    t = time.perf_counter()
                    call(level)
                    ms[level].append((time.perf_counter() - t) * 1000)
            base = p50_p95(ms["province"])[0]
            for level in USERS:
                p50, p95 = p50_p95(ms[level])
                print(f"{name:24} {level:9} {p50:8.1f} {p95:8.1f} {sizes[level]:9,}"
                      f"   {p50 / base:6.2f}×")
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
