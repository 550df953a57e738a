"""Before any tree is built: one streaming pass over the balances CSV that finds what would
stop the round later, in seconds instead of after the proving.

- every bad row (:func:`zkpor.prover.liabilities.inputs.read_balances`, the same messages the
  prover gives) and every repeated (user, asset) row, naming the user;
- with reserves, the solvency rule the manifest's proofs make (:func:`uncovered`): per
  asset, ``q R >= p L`` with L the liabilities, which for an asset with debts is the net
  ``E - D`` (equity minus debt, docs/spec/margin.md 16.5). :func:`zkpor.prover.publish.build_manifest`
  applies the same function to the tree roots' openings, so the two cannot disagree.

Duplicates are found with a set of 64-bit keyed digests of (user, asset) (about 60 bytes
per row); a repeated digest is confirmed by a second pass comparing the text itself, so a
digest collision never reports a false duplicate.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zkpor.errors import InputError
from zkpor.formats.amounts import U64_MAX, format_units
from zkpor.prover.liabilities.inputs import (
    MAX_REPORTED_ERRORS,
    AssetSpec,
    InputErrors,
    read_balances,
)

__all__ = ["Shortfall", "Totals", "check_covered", "scan_balances", "uncovered"]


@dataclass
class Totals:
    """Per asset, the sums of the CSV's amounts (equity E) and debts (D) in base units."""

    equity: dict[str, int] = field(default_factory=dict)
    debt: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    def net(self) -> dict[str, int]:
        """Per asset the liabilities the solvency proof covers: E - D (may be negative)."""
        return {a: e - self.debt.get(a, 0) for a, e in self.equity.items()}


def _key(salt: bytes, user_id: str, asset: str) -> int:
    data = len(user_id.encode()).to_bytes(4, "big") + user_id.encode() + asset.encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, key=salt).digest(), "big")


def scan_balances(path: Path, specs: Mapping[str, AssetSpec]) -> Totals:
    """Stream ``path`` once: the totals, or InputErrors listing every bad row and every
    repeated (user, asset) row (up to the usual limit), each with file, line and field."""
    if not path.is_file():
        raise InputError("file not found", source=str(path))
    errors: list[InputError] = []
    totals = Totals(equity=dict.fromkeys(specs, 0), debt=dict.fromkeys(specs, 0))
    salt = os.urandom(16)
    seen: set[int] = set()
    repeated: set[int] = set()
    for row in read_balances(path, dict(specs), errors):
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
        totals.rows += 1
        totals.equity[row.asset] += row.units
        totals.debt[row.asset] += row.debt
        key = _key(salt, row.user_id, row.asset)
        if key in seen:
            repeated.add(key)
        else:
            seen.add(key)
    for asset in specs:
        for what, total in (("total", totals.equity[asset]), ("debt total", totals.debt[asset])):
            if total > U64_MAX:
                errors.append(
                    InputError(
                        f"{what} of asset {asset} does not fit in 64 bits of base units; "
                        "use a coarser unit (fewer decimals)",
                        source=str(path),
                    )
                )
    if repeated and len(errors) < MAX_REPORTED_ERRORS:
        errors += _duplicates(path, specs, salt, repeated, MAX_REPORTED_ERRORS - len(errors))
    if errors:
        errors.sort(key=lambda e: e.line or 0)
        raise InputErrors(
            errors[:MAX_REPORTED_ERRORS], truncated=len(errors) >= MAX_REPORTED_ERRORS
        )
    return totals


def _duplicates(
    path: Path, specs: Mapping[str, AssetSpec], salt: bytes, repeated: set[int], limit: int
) -> list[InputError]:
    """Second pass: the rows whose (user, asset) was seen before, compared as text."""
    from zkpor.formats.identifiers import shown

    first_line: dict[tuple[str, str], int] = {}
    out: list[InputError] = []
    for row in read_balances(path, dict(specs), []):
        if _key(salt, row.user_id, row.asset) not in repeated:
            continue
        pair = (row.user_id, row.asset)
        if pair not in first_line:
            first_line[pair] = row.line
            continue
        out.append(
            InputError(
                f"duplicate row for user {shown(row.user_id, 64)!r} and asset {row.asset} "
                f"(first on line {first_line[pair]}); give one row per user and asset",
                source=str(path),
                line=row.line,
                field="user_id",
            )
        )
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class Shortfall:
    """An asset whose reserves do not cover its liabilities times the ratio."""

    asset: str
    reserves: int
    liabilities: int  # E - D for an asset with debts
    net: bool


def uncovered(
    reserves: Mapping[str, int],
    liabilities: Mapping[str, int],
    ratio: tuple[int, int],
    net: Mapping[str, bool] | None = None,
) -> list[Shortfall]:
    """The solvency rule of the manifest's proofs (docs/spec/solvency-and-manifest.md 11 and 16.5): the assets
    with ``q R < p L``, ratio ``p/q``; ``L`` may be negative (more lent than held), which
    any ``R >= 0`` covers."""
    p, q = ratio
    return [
        Shortfall(sym, reserves[sym], owed, bool(net and net.get(sym)))
        for sym, owed in liabilities.items()
        if q * reserves[sym] < p * owed
    ]


def _amount(units: int, decimals: int) -> str:
    """Base units as an exact decimal in the asset's unit, without a bare ``.0``."""
    text = format_units(units, decimals)
    return text[:-2] if text.endswith(".0") else text


def _ratio_text(reserves: int, liabilities: int) -> str:
    """reserves / liabilities truncated to 4 decimals (exact integers; never overstated)."""
    if liabilities <= 0:
        return "unbounded (no net liabilities)"
    n = reserves * 10_000 // liabilities
    return f"{n // 10_000}.{n % 10_000:04d}"


def shortfall_message(
    short: list[Shortfall], ratio: tuple[int, int], decimals: Mapping[str, int]
) -> str:
    """A line naming the uncovered assets, then one per asset: its reserves, liabilities
    and the ratio reached."""
    p, q = ratio
    need = "" if p == q else f" x {p}/{q}"
    needed = str(p) if q == 1 else f"{p}/{q}"
    names = ", ".join(s.asset for s in short)
    lines = [f"reserves do not cover liabilities{need} for asset(s) {names}:"]
    for s in short:
        what = "liabilities (equity minus debt)" if s.net else "liabilities"
        d = decimals[s.asset]
        lines.append(
            f"asset {s.asset}: reserves {_amount(s.reserves, d)}, {what} "
            f"{_amount(s.liabilities, d)}: ratio reached "
            f"{_ratio_text(s.reserves, s.liabilities)}, needed {needed}"
        )
    return "\n".join(lines)


def check_covered(
    totals: Totals,
    reserves: Mapping[str, int],
    ratio: tuple[int, int],
    decimals: Mapping[str, int],
) -> None:
    """Raise InsolventError naming every asset the reserves do not cover (before proving)."""
    from zkpor.errors import InsolventError

    net = {a: bool(d) for a, d in totals.debt.items()}
    short = uncovered(reserves, totals.net(), ratio, net)
    if short:
        raise InsolventError(
            shortfall_message(short, ratio, decimals)
            + "\nchecked before proving, from the CSV: nothing was built or written"
        )
