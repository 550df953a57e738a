"""Exact decimal amounts: display strings <-> integer base units (never floats).

Spec: docs/spec/liabilities-tree.md (7.7a).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["U64_MAX", "format_units", "parse_amount"]

U64_MAX: Final[int] = 2**64 - 1
_AMOUNT_RE: Final[re.Pattern[str]] = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


def parse_amount(text: str, decimals: int, *, limit: int = U64_MAX) -> int:
    """Exact integer base units of a non-negative decimal string with at most ``decimals``
    fractional digits (ASCII digits only). Raises ValueError with the reason."""
    if text.startswith("-"):
        raise ValueError("negative amount")
    m = _AMOUNT_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"malformed amount {text[:40]!r}")
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > decimals:
        raise ValueError(f"amount has {len(frac)} decimals; the asset allows {decimals}")
    units: int = int(whole) * 10**decimals
    if frac:
        units += int(frac) * 10 ** (decimals - len(frac))
    if units > limit:
        raise ValueError("amount does not fit in 64 bits of base units")
    return units


def format_units(units: int, decimals: int) -> str:
    """The exact display string of ``units`` base units (trailing zeros trimmed)."""
    if decimals == 0:
        return str(units)
    whole, frac = divmod(units, 10**decimals)
    text = f"{whole}.{frac:0{decimals}d}".rstrip("0")
    return text + "0" if text.endswith(".") else text
