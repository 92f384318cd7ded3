"""Data versions: a tally per (table, county) that the writes keep themselves.

Triggers (migration 0021) append a row (n = 1) for every county a statement touched, in the
writer's own transaction; TRUNCATE appends one for the table's county ''. Appending never
makes one writer wait for another (a counter row per county would: every writer of a
county would queue behind the longest open transaction that wrote there, an import or a
job). A version is a sum of n over a few hundred rows, an index read instead of a scan of
the data: the tile cache keys tiles by it, layers answer 304 from it before building a
body, the risk-input fingerprints and the KPI rollups compare it. `compact` (a scheduled
job) folds each key's rows into one without changing any sum, so the table stays small.
Sums only grow: a transaction that commits late still adds its rows (unlike a sequence's
maximum). A restore moves every sum past all the values seen before it (`advance`), so
versions from before a restore are never reused.

Scopes are named after their tables (migration 0021 lists them): geo's own employers,
grids and admin_areas (one table-wide row), and dispatch's tables, which dispatch names
when it reads them; officer_grids counts who staffs which grid (grid, county, kind,
active), not positions or statuses.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import BigInteger, Index, String, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from geo.core.db import Base

SCOPE = re.compile(r"[a-z_]{1,40}")  # a scope is named after its table (see the migration)


class DataVersion(Base):
    """One tally row: `n` writes of `scope` in `county_adcode` ('' for the whole table)."""

    __tablename__ = "data_versions"
    __table_args__ = (Index("ix_data_versions_key", "scope", "county_adcode"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    county_adcode: Mapped[str] = mapped_column(String(6))
    n: Mapped[int] = mapped_column(BigInteger)


def current(session: Session, scopes: Sequence[str], counties: Sequence[str] | None = None
            ) -> str:
    """One version for these scopes over these counties (None: the whole province), e.g.
    "employers.1834-grids.212". Changes whenever a write touches one of them."""
    bad = [scope for scope in scopes if not SCOPE.fullmatch(scope)]
    if bad:
        raise ValueError(f"not a data-version scope: {bad}")
    rows = session.execute(text("""
        SELECT s.scope, coalesce(sum(v.n), 0)
        FROM unnest(CAST(:scopes AS text[])) AS s(scope)
        LEFT JOIN data_versions v ON v.scope = s.scope
             AND (CAST(:counties AS text[]) IS NULL OR v.county_adcode = ''
                  OR v.county_adcode = ANY(CAST(:counties AS text[])))
        GROUP BY s.scope ORDER BY s.scope
    """), {"scopes": list(scopes), "counties": None if counties is None else list(counties)})
    return "-".join(f"{scope}.{n}" for scope, n in rows)


def per_county(session: Session, scopes: Sequence[str], counties: Sequence[str]
               ) -> dict[str, str]:
    """{county: its version for these scopes} (the table-wide row of county '' included)."""
    return {c: after for c, (_, after) in
            per_county_before_after(session, scopes, counties).items()}


# Rows of this transaction itself (a savepoint's rows have their own id: they count as
# another writer's, so a caller comparing "before" with a stored value just finds it stale).
# `_if_assigned`: a reader gets no transaction id for asking (a hot standby cannot give one).
OWN_ROWS = "coalesce(v.xmin = pg_current_xact_id_if_assigned()::xid, false)"


def per_county_before_after(session: Session, scopes: Sequence[str], counties: Sequence[str]
                            ) -> dict[str, tuple[str, str]]:
    """{county: (its version without this transaction's own writes, with them)}, for a writer
    that brought derived data up to date for its own writes alone: it may move a stored
    "fresh at version X" mark from the first to the second (only if it was at the first)."""
    rows = session.execute(text(f"""
        WITH t AS (SELECT scope, county_adcode, sum(n) AS n,
                          sum(n) FILTER (WHERE NOT ({OWN_ROWS})) AS before
                   FROM data_versions v
                   WHERE scope = ANY(CAST(:scopes AS text[]))
                     AND county_adcode = ANY(CAST(:counties AS text[]) || '{{""}}')
                   GROUP BY scope, county_adcode)
        SELECT k.c,
               string_agg(s.scope || '.' || (coalesce(v.before, 0) + coalesce(w.before, 0))::text,
                          '-' ORDER BY s.scope),
               string_agg(s.scope || '.' || (coalesce(v.n, 0) + coalesce(w.n, 0))::text,
                          '-' ORDER BY s.scope)
        FROM unnest(CAST(:counties AS text[])) AS k(c)
        CROSS JOIN unnest(CAST(:scopes AS text[])) AS s(scope)
        LEFT JOIN t v ON v.scope = s.scope AND v.county_adcode = k.c
        LEFT JOIN t w ON w.scope = s.scope AND w.county_adcode = ''
        GROUP BY k.c
    """), {"scopes": list(scopes), "counties": list(counties)})
    return {c: (before, after) for c, before, after in rows}


def compact(session) -> int:
    """Fold the rows of each key that has several into one with the same sum (in one
    statement, so every reader sees the same sums before and after; rows of transactions
    still open are left alone; keys already folded are not rewritten). Returns the rows
    removed."""
    return session.execute(text("""
        WITH gone AS (
            DELETE FROM data_versions WHERE (scope, county_adcode) IN (
                SELECT scope, county_adcode FROM data_versions
                GROUP BY scope, county_adcode HAVING count(*) > 1)
            RETURNING scope, county_adcode, n),
        kept AS (INSERT INTO data_versions (scope, county_adcode, n)
                 SELECT scope, county_adcode, sum(n) FROM gone GROUP BY scope, county_adcode
                 RETURNING 1)
        SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept)
    """)).scalar_one()


def total(connection) -> int:
    """The sum of every tally (taken before a restore, for `advance`)."""
    return connection.execute(text(
        "SELECT coalesce(sum(n), 0) FROM data_versions")).scalar_one()


def advance(connection, past: int) -> None:
    """Move every key's sum beyond `past` (the total before a restore): any sum over
    restored rows is then larger than every version handed out before, so no cache mistakes
    restored data for what it held under the same version."""
    connection.execute(text("""
        INSERT INTO data_versions (scope, county_adcode, n)
        SELECT DISTINCT scope, county_adcode, CAST(:p AS bigint) + 1 FROM data_versions
    """), {"p": int(past)})
