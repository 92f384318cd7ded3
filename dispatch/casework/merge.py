"""Merging duplicate employers: dispatch's rows follow the record that is kept.

geo.employers.duplicates.merge locks both records, moves geo's own rows, deletes the
duplicate and writes the audit record; this module moves the complaints, inspections,
cases and recusals of the duplicate (tables dispatch owns) inside that same transaction,
and rescores the counties involved.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from geo.employers import duplicates

# dispatch's tables whose rows follow an employer, in the order the answer lists them.
REFERENCING = ("complaints", "inspections", "cases")


def move_references(session: Session, *, keep: int, remove: int) -> dict[str, int]:
    """Point complaints, inspections, cases and recusals of `remove` at `keep`."""
    moved = {}
    for table in REFERENCING:
        moved[table] = session.execute(text(
            f"UPDATE {table} SET employer_id = :keep WHERE employer_id = :remove"),
            {"keep": keep, "remove": remove}).rowcount
    # Recusals are per officer-employer pair: keep the union, without duplicates.
    session.execute(text("""
        INSERT INTO recusals (officer_id, employer_id, reason, county_adcode, created_at)
        SELECT officer_id, :keep, reason, county_adcode, created_at FROM recusals
        WHERE employer_id = :remove ON CONFLICT DO NOTHING
    """), {"keep": keep, "remove": remove})
    return moved


def merge_employers(session: Session, *, keep: int, remove: int, reason: str,
                    actor: str | None, risk_settings: RiskSettings | None = None) -> dict:
    """Fold employer `remove` into `keep` with everything that refers to it (no commit)."""
    counties = list(session.execute(text(
        "SELECT county_adcode FROM employers WHERE id = ANY(:ids)"),
        {"ids": [keep, remove]}).scalars())
    result = duplicates.merge(session, keep=keep, remove=remove, reason=reason, actor=actor,
                              references=move_references)
    jobs.after_write(session, counties, risk_settings)  # complaints and cases moved to another employer
    return result
