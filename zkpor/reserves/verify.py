"""Checking a reserves snapshot: signatures, addresses, balances, totals.

Every problem is collected and reported (asset, address index, reason), not only the first.
What this cannot check: that the balances are really on chain at ``block_height`` (the
auditor compares them with a node), and that the reserves are not borrowed for the snapshot
or owed to someone else (docs/threat-model.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..amounts import U64_MAX, parse_amount
from ..errors import InputError, VerificationError
from .bitcoin import decode_address, verify_message
from .ethereum import verify_personal_sign
from .message import ownership_message
from .models import ReservesSnapshot

__all__ = ["ReservesReport", "load_reserves", "verify_reserves"]

MAX_ERRORS = 50


@dataclass
class ReservesReport:
    """Per-asset totals in base units, and address counts."""

    totals: dict[str, int] = field(default_factory=dict)
    addresses: dict[str, int] = field(default_factory=dict)


def load_reserves(path: Path) -> ReservesSnapshot:
    """Parse a reserves snapshot file; InputError naming the field on failure."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read reserves file: {exc}", source=str(path)) from None
    try:
        return ReservesSnapshot.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or None
        raise InputError(f"reserves file: {err['msg']}", source=str(path), field=loc) from None


def address_key(chain: str, address: str) -> str:
    """What identifies an address for duplicate detection: Ethereum addresses lowercased,
    Bitcoin addresses by their decoded (type, hash), so that case variants of one bech32
    address count once. Undecodable addresses are keyed by their text."""
    if chain == "ethereum":
        return address.lower()
    try:
        kind, digest = decode_address(address, chain)
    except ValueError:
        return address
    return f"{kind}:{digest.hex()}"


def check_signature(chain: str, address: str, message: str, signature: str) -> None:
    """Verify one ownership signature on ``chain``; raises VerificationError."""
    if chain == "ethereum":
        verify_personal_sign(address, message, signature)
    else:
        verify_message(address, message, signature, chain)


def verify_reserves(
    snapshot: ReservesSnapshot,
    *,
    exchange: str,
    round_id: str,
    decimals: dict[str, int],
    source: str = "reserves",
) -> ReservesReport:
    """Check ``snapshot`` for ``exchange`` and ``round_id``; ``decimals`` lists the assets
    (each needs exactly one reserves entry). Raises VerificationError listing every problem
    (bad signatures, addresses, duplicates, balances, totals over 64 bits, missing or
    unknown assets)."""
    problems: list[str] = []
    if snapshot.exchange != exchange:
        problems.append(
            f"{source}: snapshot is for exchange {snapshot.exchange!r}, not {exchange!r}"
        )
    if snapshot.round_id != round_id:
        problems.append(f"{source}: snapshot is for round {snapshot.round_id!r}, not {round_id!r}")
    report = ReservesReport()
    seen_assets: set[str] = set()
    for ai, entry in enumerate(snapshot.assets):
        where = f"{source}: assets[{ai}] ({entry.asset})"
        if entry.asset in seen_assets:
            problems.append(f"{where}: asset listed twice")
            continue
        seen_assets.add(entry.asset)
        if entry.asset not in decimals:
            problems.append(f"{where}: not one of the round's assets")
            continue
        total = 0
        seen: set[str] = set()
        for i, addr in enumerate(entry.addresses):
            at = f"{where}.addresses[{i}] {addr.address[:48]}"
            key = address_key(entry.chain, addr.address)
            if key in seen:
                problems.append(f"{at}: duplicate address")
                continue
            seen.add(key)
            try:
                total += parse_amount(addr.balance, decimals[entry.asset])
            except ValueError as exc:
                problems.append(f"{at}: balance: {exc}")
            try:
                check_signature(
                    entry.chain,
                    addr.address,
                    ownership_message(exchange, round_id, addr.address),
                    addr.signature,
                )
            except VerificationError as exc:
                problems.append(f"{at}: {exc}")
            if len(problems) >= MAX_ERRORS:
                break
        if total > U64_MAX:
            problems.append(f"{where}: total does not fit in 64 bits of base units")
        report.totals[entry.asset] = total
        report.addresses[entry.asset] = len(entry.addresses)
        if len(problems) >= MAX_ERRORS:
            break
    for asset in decimals:
        if asset not in seen_assets and len(problems) < MAX_ERRORS:
            problems.append(f"{source}: no reserves entry for asset {asset}")
    if problems:
        raise VerificationError("\n".join(problems[:MAX_ERRORS]))
    return report
