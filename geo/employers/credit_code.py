"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative
division code (6), organisation code (9, GB 11714, with its own check digit),
and a check character computed over the first 17 with weights 3^i mod 31.
"""
from __future__ import annotations

import numpy as np

from geo.core.text import Text

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code


class CreditCodeError(ValueError):
    """A credit code that breaks GB 32100-2015; `message` (a Text) says how, str() in English."""

    def __init__(self, message: Text):
        super().__init__(message)  # str() of the error is the English text
        self.message = message


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code (upper case, trimmed) or raise CreditCodeError."""
    if not isinstance(code, str):
        raise CreditCodeError(Text("error.credit_code.not_text"))
    norm = code.strip().upper()
    if len(norm) != 18:
        raise CreditCodeError(Text("error.credit_code.length", length=len(norm)))
    bad = sorted({c for c in norm if c not in VALUE})
    if bad:
        raise CreditCodeError(Text("error.credit_code.characters", characters="".join(bad)))
    expected = check_character(norm[:17])
    if norm[17] != expected:
        raise CreditCodeError(Text("error.credit_code.check", found=norm[17], expected=expected))
    return norm


def generate(adcodes: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Valid, random credit codes for enterprises (91…) registered in the given adcodes."""
    n = len(adcodes)
    org = rng.integers(0, 10, size=(n, 8))  # digits only: common for enterprises
    org_check = (11 - (org * np.array(ORG_WEIGHTS)).sum(axis=1) % 11) % 11
    digits = np.array([int(c) for c in "".join(adcodes)]).reshape(n, 6)
    body = np.concatenate(
        [np.full((n, 1), 9), np.full((n, 1), 1), digits, org,
         np.where(org_check == 10, VALUE["X"], org_check)[:, None]], axis=1)
    check = (31 - (body * np.array(WEIGHTS)).sum(axis=1) % 31) % 31
    alphabet = np.array(list(ALPHABET))
    chars = alphabet[np.concatenate([body, check[:, None]], axis=1)]
    return ["".join(row) for row in chars]
