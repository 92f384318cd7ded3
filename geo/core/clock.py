"""The one clock: every legal date and timestamp is read here, so tests can freeze it.

Legal dates are dates in Beijing (Asia/Shanghai); timestamps are timezone-aware.
Tests move time with `time-machine`, which patches what these functions read.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Beijing: the date every legal deadline counts from."""
    return now().astimezone(BEIJING).date()


def beijing_date(instant: datetime) -> date:
    """The Beijing calendar date of an instant."""
    return instant.astimezone(BEIJING).date()
