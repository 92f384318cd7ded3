"""Wage-deposit arithmetic (工资保证金): the applicable rate, the required amount, the ledger's
balance. Pure functions over plain values; the service reads the record they need."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dispatch.projects.settings import WageSettings
from geo.core.errors import Unprocessable
from geo.core.text import Text

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Record:
    """The general contractor's record as the rate rules read it."""

    years_on_record: float      # since its first project here started (0: none)
    years_since_arrears: float | None  # since its last wage arrears (None: never)


@dataclass(frozen=True)
class Terms:
    rate: Decimal
    rule: str          # base / clean / arrears / exempt / manual
    required: Decimal
    exempt: bool


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def terms(contract_value: Decimal, record: Record, settings: WageSettings,
          manual_rate: Decimal | None = None) -> Terms:
    """The deposit a project owes: contract value × the rate the rules give (or the rate set
    by hand, which must lie in the configured range: 422 naming it)."""
    s = settings
    if manual_rate is not None:
        if not s.min_rate <= manual_rate <= s.max_rate:
            raise Unprocessable(Text("error.project.rate_range", rate=_pct(manual_rate),
                                     min=_pct(s.min_rate), max=_pct(s.max_rate)),
                                {"parameter": "deposit_rate", "min": float(s.min_rate),
                                 "max": float(s.max_rate)})
        return Terms(manual_rate, "manual", money(contract_value * manual_rate), False)
    arrears = (record.years_since_arrears is not None
               and record.years_since_arrears < s.arrears_years)
    clean_for = (record.years_on_record if record.years_since_arrears is None
                 else min(record.years_on_record, record.years_since_arrears))
    if arrears:
        rate, rule = s.base_rate * s.arrears_factor, "arrears"
    elif s.exempt_clean_years and clean_for >= s.exempt_clean_years:
        return Terms(_clamp(s.base_rate * s.clean_factor, s), "exempt", Decimal("0.00"), True)
    elif clean_for >= s.clean_years:
        rate, rule = s.base_rate * s.clean_factor, "clean"
    else:
        rate, rule = s.base_rate, "base"
    rate = _clamp(rate, s)
    return Terms(rate, rule, money(contract_value * rate), False)


def _clamp(rate: Decimal, s: WageSettings) -> Decimal:
    return min(max(rate, s.min_rate), s.max_rate)


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Balance:
    paid: Decimal
    returned: Decimal
    drawn: Decimal
    held: Decimal
    outstanding: Decimal


def balance(required: Decimal, exempt: bool, entries: list[tuple[str, Decimal]]) -> Balance:
    """The ledger summed: held = paid − returned − drawn; outstanding = required − held
    (never negative; nothing for an exempt project)."""
    sums = {"paid": Decimal(0), "returned": Decimal(0), "drawn": Decimal(0)}
    for kind, amount in entries:
        if kind in sums:
            sums[kind] += Decimal(amount)
    held = sums["paid"] - sums["returned"] - sums["drawn"]
    outstanding = Decimal(0) if exempt else max(Decimal(required) - held, Decimal(0))
    return Balance(money(sums["paid"]), money(sums["returned"]), money(sums["drawn"]),
                   money(held), money(outstanding))
