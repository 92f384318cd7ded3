"""Classified supervision (分类监管): how often each compliance grade is inspected.

No national frequency exists (DOMAIN.md), so the intervals are settings, read once: the
risk model, the KPIs and scheduled inspections read the same values (DispatchSettings
and RiskSettings hold this group).
"""
from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from geo.core import clock
from geo.core.config import EnvSettings


def start_of_today() -> datetime:
    """Midnight of today in Beijing: "overdue" is decided per day, not per hour."""
    return datetime.combine(clock.today(), time(0), tzinfo=clock.BEIJING)


class SupervisionSettings(EnvSettings):
    """Inspection interval per grade in days; LIANGWANG_GRADE_INTERVAL_DAYS_<A|B|C>."""

    grade_interval_days_a: int = 3 * 365      # A every 3 years
    grade_interval_days_b: int = 365          # B yearly
    grade_interval_days_c: int = 91           # C quarterly
    # An employer never graded is not A: it is supervised as this grade (LIANGWANG_UNRATED_AS).
    unrated_as: Literal["A", "B", "C"] = "B"

    def interval_days(self, grade: str) -> int:
        grade = self.unrated_as if grade == "unrated" else grade
        return {"A": self.grade_interval_days_a, "B": self.grade_interval_days_b,
                "C": self.grade_interval_days_c}[grade]

    def sql_params(self) -> dict:
        """Bind parameters for OVERDUE_SQL, INTERVAL_SQL and SUPERVISED_GRADE_SQL (`as_of`:
        the start of today in Beijing, from the app's clock)."""
        return {"interval_a": self.grade_interval_days_a, "interval_b": self.grade_interval_days_b,
                "interval_c": self.grade_interval_days_c, "unrated_as": self.unrated_as,
                "as_of": start_of_today()}


def supervised_grade_sql(alias: str = "e") -> str:
    """The grade employer row `alias` is supervised as: its own, or `:unrated_as`."""
    return f"(CASE WHEN {alias}.grade = 'unrated' THEN CAST(:unrated_as AS text) " \
           f"ELSE {alias}.grade END)"


SUPERVISED_GRADE_SQL = supervised_grade_sql("e")
# Interval of employer row `e` in days; bind with SupervisionSettings.sql_params().
INTERVAL_SQL = f"(CASE {SUPERVISED_GRADE_SQL} WHEN 'A' THEN :interval_a " \
               "WHEN 'B' THEN :interval_b ELSE :interval_c END)"
# An employer is overdue when never inspected or last inspected longer ago than its interval,
# counted from the start of today (Beijing): the same answer all day, and on any clock.
OVERDUE_SQL = f"(e.last_inspected_at IS NULL OR e.last_inspected_at < " \
              f"CAST(:as_of AS timestamptz) - make_interval(days => {INTERVAL_SQL}))"
