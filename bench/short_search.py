"""Short and exact employer searches on the demo database, against the query they replace
(the same rows, one run):

- one or two characters across the province ("郑州", "河南", "建设", "物流"): before, a
  contains-match over name, address and code, which trigrams cannot serve (they need three
  characters) and so reads every employer; now a name-prefix range on the byte-order index;
- a whole credit code: before, the contains-match (trigram bitmaps on three columns); now
  the unique b-tree first.

Run against the demo (make run): .venv/bin/python -m bench.short_search
"""
from __future__ import annotations

from sqlalchemy import text

from bench.common import p50_p95, timed
from geo.employers import service

# The search before this change: every query was a contains-match (the peer).
BEFORE = """
    SELECT id FROM employers
    WHERE (name ILIKE :pattern OR address ILIKE :pattern OR credit_code LIKE :code_pattern)
    ORDER BY (credit_code = :code) DESC, (name = :q) DESC, (name ILIKE :prefix) DESC,
             char_length(name), id
    LIMIT 20
"""
BEFORE_COUNT = """
    SELECT count(*) FROM (SELECT 1 FROM employers
        WHERE name ILIKE :pattern OR address ILIKE :pattern OR credit_code LIKE :code_pattern
        LIMIT 10001) t
"""


def before(session, q: str) -> None:
    like = service._like(q)
    params = {"q": q, "pattern": like, "code": q.upper(), "code_pattern": service._like(q.upper()),
              "prefix": like[1:]}
    session.execute(text(BEFORE), params).all()
    session.execute(text(BEFORE_COUNT), params).scalar()


def main(url: str, repeat: int = 10) -> None:
    from geo.core.db import make_engine, make_sessionmaker

    sessions = make_sessionmaker(make_engine(url))
    with sessions() as s:
        print(f"{s.execute(text('SELECT count(*) FROM employers')).scalar():,} employers")
        code = s.execute(text("SELECT credit_code FROM employers ORDER BY id DESC LIMIT 1")
                         ).scalar()
        for q in ("郑州", "河南", "建设", "物流", code):
            old = timed(lambda q=q: before(s, q), repeat)
            new = timed(lambda q=q: service.search(s, q=q), repeat)
            found = service.search(s, q=q)
            (o50, o95), (n50, n95) = p50_p95(old), p50_p95(new)
            print(f"{q:20s} before {o50:8.1f}/{o95:<8.1f} after {n50:7.1f}/{n95:<7.1f} ms "
                  f"(p50/p95) match={found['match']} total={found['total']}")


if __name__ == "__main__":
    from geo.core import embedded
    from geo.core.config import VAR
    main(embedded.Cluster(VAR / "postgres").url)
