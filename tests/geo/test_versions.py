"""Data versions kept by the writes (migration 0021's triggers, geo.core.versions): the
counties a statement touches are bumped once each, in the writer's transaction; a move
bumps both counties; a statement that changes nothing bumps nothing; live officer positions
leave the grids' staff version alone; TRUNCATE bumps the table row; concurrent writers to
one county neither wait for each other nor lose a bump; compaction keeps every sum."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from geo.core import versions
from geo.core.db import unit_of_work
from tests.dispatch_fixtures import add_employer, add_inspector

A, B = "410181", "410185"  # free counties: no other test writes there
ZHENGZHOU = (113.0, 34.7)


def counter(session, scope: str, county: str) -> int:
    return session.execute(text(
        "SELECT coalesce(sum(n), 0) FROM data_versions WHERE scope = :s "
        "AND county_adcode = :c"), {"s": scope, "c": county}).scalar()


def test_a_write_bumps_its_county_once_per_statement(db):
    a, b = counter(db, "employers", A), counter(db, "employers", B)
    ids = [add_employer(db, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A) for _ in range(2)]
    assert (counter(db, "employers", A), counter(db, "employers", B)) == (a + 2, b)
    db.execute(text("UPDATE employers SET employees = coalesce(employees, 0) + 1 "
                    "WHERE id = ANY(:i)"), {"i": ids})
    assert counter(db, "employers", A) == a + 3  # two rows, one statement: one bump
    db.execute(text("UPDATE employers SET county_adcode = :b WHERE id = :i"), {"b": B, "i": ids[0]})
    assert (counter(db, "employers", A), counter(db, "employers", B)) == (a + 4, b + 1)
    db.execute(text("DELETE FROM employers WHERE id = ANY(:i)"), {"i": ids})
    assert (counter(db, "employers", A), counter(db, "employers", B)) == (a + 5, b + 2)


def test_a_statement_that_changes_nothing_bumps_nothing(db):
    before = versions.current(db, ("employers", "grids"))
    db.execute(text("UPDATE employers SET employees = 1 WHERE id = -1"))
    db.execute(text("DELETE FROM grids WHERE id = -1"))
    assert versions.current(db, ("employers", "grids")) == before


def test_versions_of_an_area_change_only_with_its_counties(db):
    only_a, only_b = versions.current(db, ("employers",), [A]), versions.current(
        db, ("employers",), [B])
    province = versions.current(db, ("employers",))
    add_employer(db, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A)
    assert versions.current(db, ("employers",), [A]) != only_a
    assert versions.current(db, ("employers",), [B]) == only_b
    assert versions.current(db, ("employers",)) != province
    per = versions.per_county(db, ("cases", "employers"), [A, B])
    assert set(per) == {A, B} and per[A].startswith("cases.") and "-employers." in per[A]
    with pytest.raises(ValueError):
        versions.current(db, ("employers; DROP TABLE grids",))


def test_officer_positions_leave_the_staff_version_alone(db):
    grid = db.execute(text("SELECT id FROM grids WHERE county_adcode = :c ORDER BY id LIMIT 1"),
                      {"c": A}).scalar()
    officer = add_inspector(db, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A)
    staff = counter(db, "officer_grids", A)
    db.execute(text("UPDATE officers SET geom = ST_SetSRID(ST_MakePoint(113.01, 34.71), 4326), "
                    "position_at = now(), status = 'off_duty' WHERE id = :o"), {"o": officer})
    assert counter(db, "officer_grids", A) == staff
    db.execute(text("UPDATE officers SET grid_id = :g WHERE id = :o"), {"g": grid, "o": officer})
    assert counter(db, "officer_grids", A) == staff + 1


def test_truncate_bumps_the_table_row(db):
    db.execute(text("CREATE TEMP TABLE scratch (county_adcode varchar(6)) ON COMMIT DROP"))
    db.execute(text("CREATE TRIGGER scratch_truncate AFTER TRUNCATE ON scratch "
                    "FOR EACH STATEMENT EXECUTE FUNCTION bump_data_versions('cases')"))
    before = counter(db, "cases", "")
    db.execute(text("TRUNCATE scratch"))
    assert counter(db, "cases", "") == before + 1
    assert versions.per_county(db, ("cases",), [A])[A] == f"cases.{counter(db, 'cases', A) + before + 1}"


def test_an_open_transaction_does_not_hold_up_another_writer_of_its_county(sessions):
    """A long transaction (an import, a job) that wrote a county must not make the next
    writer of that county wait for it."""
    with sessions() as long_one, sessions() as other:
        first = add_employer(long_one, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A)
        other.execute(text("SET LOCAL lock_timeout = '2s'"))
        second = add_employer(other, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A)
        assert first and second
        other.rollback()
        long_one.rollback()


def test_compaction_keeps_every_sum(db):
    add_employer(db, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A)
    add_employer(db, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A)
    scopes = ("employers", "grids", "admin_areas", "officer_grids")
    before = versions.current(db, scopes), versions.per_county(db, scopes, [A, B])
    assert versions.compact(db) > 0
    assert versions.compact(db) == 0  # folded keys are not rewritten
    assert (versions.current(db, scopes), versions.per_county(db, scopes, [A, B])) == before
    assert db.execute(text("SELECT count(*) = count(DISTINCT (scope, county_adcode)) "
                           "FROM data_versions")).scalar()


def test_concurrent_writers_to_one_county_lose_no_bump(sessions):
    with sessions() as s:
        before = counter(s, "employers", A)
    made, start = [], threading.Barrier(6)

    def write():
        start.wait()
        with unit_of_work(sessions) as s:
            made.append(add_employer(s, lon=ZHENGZHOU[0], lat=ZHENGZHOU[1], county=A))

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        with sessions() as s:
            assert len(made) == 6 and counter(s, "employers", A) == before + 6
    finally:
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM employers WHERE id = ANY(:i)"), {"i": made})


def test_reading_versions_and_fingerprints_takes_no_transaction_id(sessions):
    """Readers (GETs, a hot standby) only read: asking which rows are this transaction's own
    must not give a reader a transaction id (a standby cannot give one at all)."""
    from dispatch.analytics import inputs
    with sessions() as s:
        s.execute(text("SET TRANSACTION READ ONLY"))
        versions.per_county(s, ("employers", "grids"), ["410102", "410103"])
        inputs.county_fingerprints(s, ["410102", "410103"])
        assert s.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar() is None
        s.rollback()
