"""GET /api/v1/areas?level=county: latency and bytes, against geopandas building the same JSON.

Peer: geopandas.read_postgis of the same rows + GeoDataFrame.to_json (the usual
Python way), in the same process on the same database.
Run: LIANGWANG_DEMO=1 .venv/bin/python -m bench.areas
"""
from __future__ import annotations

import geopandas as gpd

from bench.common import p50_p95, timed
from webapp import create_app

REPEAT = 30


def main() -> None:
    app = create_app()
    engine = app.extensions["liangwang"]["engine"]
    with app.app_context():
        from geo.accounts.models import User
        from webapp.core.auth import issue_token
        from webapp.core.context import db
        user = db().query(User).filter_by(role="command").first()
        token = issue_token(user)[0]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    results = {}
    for label, url in [("exact", "/api/v1/areas?level=county"),
                       ("simplified 100 m", "/api/v1/areas?level=county&simplify=100")]:
        size = len(client.get(url, headers=headers).data)
        ms = timed(lambda url=url: client.get(url, headers=headers).data, REPEAT)
        results[label] = (p50_p95(ms), size)
        print(f"areas {label}: p50 {results[label][0][0]:.1f} ms, p95 {results[label][0][1]:.1f} ms,"
              f" {size / 1e6:.2f} MB")

    sql = ("SELECT adcode, name, level, parent_adcode, area_km2, geom FROM admin_areas "
           "WHERE level = 'county' ORDER BY adcode")

    def peer() -> str:
        return gpd.read_postgis(sql, engine, geom_col="geom").to_json()

    peer_size = len(peer().encode())
    peer_ms = timed(peer, REPEAT)
    peer_p50, peer_p95 = p50_p95(peer_ms)
    print(f"geopandas peer: p50 {peer_p50:.1f} ms, p95 {peer_p95:.1f} ms, {peer_size / 1e6:.2f} MB")
    ours = results["exact"][0][0]
    print(f"areas?level=county: p50 ours {ours:.1f} ms, geopandas {peer_p50:.1f} ms, "
          f"ratio {ours / peer_p50:.2f} (lower is better); bytes {results['exact'][1]} exact, "
          f"{results['simplified 100 m'][1]} simplified")


if __name__ == "__main__":
    main()
