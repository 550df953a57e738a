"""What ``zkpor verify user`` and ``zkpor verify audit`` print: plain lines of at most 80
columns (identifiers are never broken; a line holding one long identifier may be longer),
amounts as exact decimals in the asset's unit, what was checked, what was not, and what a
failure means for the reader.

Manual: docs/cli.md.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zkpor.cli.common import data_console, shown_line
from zkpor.errors import CustomerCheckFailed, ZkporError
from zkpor.verify.recipes import FAILED_INCLUSION, FAILED_MANIFEST, FAILURES, NOT_CHECKABLE

if TYPE_CHECKING:
    from zkpor.verify.manifest import ManifestReport
    from zkpor.verify.recipes import AuditReport, UserReport

__all__ = [
    "FAILED_INCLUSION",
    "FAILED_MANIFEST",
    "NOT_CHECKABLE",
    "WIDTH",
    "audit_lines",
    "decimal",
    "failure_json",
    "failure_lines",
    "say",
    "user_lines",
]

WIDTH = 80


def decimal(text: str) -> str:
    """An exact decimal string as printed: no trailing fractional zeros and no bare point
    (``5100000.0`` -> ``5100000``, ``0.50`` -> ``0.5``). Text only, never a float."""
    whole, point, frac = text.partition(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac}" if point and frac else whole


def line_width() -> int | None:
    """WIDTH on a terminal; None (no wrapping) when stdout is a file or a pipe, so that a
    line read by a program or grep is whole, unless ``COLUMNS`` asks for a width (docs/cli.md,
    "Output")."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= 40:
        return min(int(columns), WIDTH)
    try:
        return WIDTH if sys.stdout.isatty() else None
    except (AttributeError, ValueError):
        return None


def wrapped(text: str, indent: str, first: str | None = None) -> list[str]:
    """``text`` wrapped to WIDTH columns on a terminal, one line otherwise (identifiers and
    paths are never broken)."""
    width = line_width()
    if width is None:
        return [(indent if first is None else first) + " ".join(text.split())]
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent + ("  " if first is not None else ""),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _bullets(items: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for text in items:
        lines += wrapped(text, "  ", first="  - ")
    return lines


def _address_lines(addresses: Sequence[tuple[str, str]], indent: str) -> list[str]:
    out = []
    for address, balance in addresses:
        line = f"{indent}{address}  {decimal(balance)}"
        width = line_width()
        if width is not None and len(line) > width:
            out += [f"{indent}{address}", f"{indent}  {decimal(balance)}"]
        else:
            out.append(line)
    return out


def _private_line(sym: str, keys: int, block: int, audited: bool) -> str:
    """The line of an asset whose reserves include a private proof of assets (17.11)."""
    checked = (
        "every key's proof checked" if audited else "the per-key proof is checked by the full audit"
    )
    return f"reserves of {sym}: proven among {keys} keys at block {block} (private); {checked}"


def reserve_lines(
    report: ManifestReport, *, addresses: bool, indent: str = "  ", audited: bool = False
) -> list[str]:
    """Per asset: what the solvency proof showed, its chain and block, the disclosed
    totals (or that they were not disclosed) and, with ``addresses``, every address.
    ``audited``: the private reserves' per-key proofs were checked (a full audit)."""
    lines: list[str] = []
    more = indent + "  "
    for sym, info in report.assets.items():
        ratio = "" if info.min_ratio == "1/1" else f" x {info.min_ratio}"
        net = " (equity minus debt)" if info.net else ""
        count = len(info.addresses)
        held = (
            f"{decimal(info.reserves)} at signed addresses and private reserves"
            if info.private_keys is not None
            else decimal(info.reserves)
        )
        lines += wrapped(f"{sym}: reserves {held} cover liabilities{net}{ratio} (proven)", indent)
        if info.private_keys is not None:
            lines += wrapped(
                _private_line(sym, info.private_keys, info.block_height, audited), more
            )
        block = f"block {info.block_height}"
        lines.append(
            f"{more}chain {info.chain}, {block}, {count} signed address{'es' if count != 1 else ''}"
        )
        if info.block_hash:
            lines.append(f"{more}block hash {info.block_hash}")
        if info.token_contract:
            known = " (known contract)" if info.token_known else ""
            lines.append(f"{more}token contract {info.token_contract}{known}")
        if info.chain_id is not None:
            lines.append(f"{more}chain id {info.chain_id}")
        if info.chain.endswith("-testnet"):
            lines.append(f"{more}WARNING: testnet coins have no value; these are not reserves")
        if info.liabilities is not None:
            lines.append(f"{more}liabilities disclosed: {decimal(info.liabilities)} (checked)")
        else:
            lines.append(f"{more}liabilities not disclosed (only proven covered)")
        if info.debt is not None:
            lines.append(f"{more}debt disclosed: {decimal(info.debt)} (checked)")
        if addresses:
            lines += _address_lines(info.addresses, more)
    return lines


def digest_lines(report: ManifestReport, indent: str = "  ") -> list[str]:
    """The checked lines about the manifest digest (none when it was not compared: the
    report's ``not_checked`` says so, :mod:`zkpor.verify.recipes`)."""
    if not report.digest_matched:
        return []
    return [
        f"{indent}- the manifest's digest matches the digest you gave (--digest):",
        f"{indent}    {report.digest}",
    ]


def user_lines(report: UserReport) -> list[str]:
    """The text of a passed ``zkpor verify user``."""
    # the exchange is a checked fact only with a manifest (the proof's own name must equal
    # the manifest's); without one it is what the proof says, and said so (in not_checked)
    m = report.manifest
    at = f" at {report.exchange}" if report.exchange else ""
    lines = [f"OK: {report.user_id}{at}: balances counted in round {report.round_id}"]
    lines += [f"  {r.asset:8} {decimal(r.amount)}" for r in report.equity]
    if report.debts:
        lines.append("Debts counted (in each asset's debt tree):")
        lines += [f"  {r.asset:8} {decimal(r.amount)}" for r in report.debts]
    lines.append("Checked:")
    lines += _bullets(
        [
            "each balance above is a leaf of its asset's tree, on a path to the published "
            "root; every value on the path is proven to be between 0 and 2^64 (no balance "
            "was made negative to shrink a total)"
        ]
    )
    if report.debts:
        lines += _bullets(
            [
                "collateral check passed: your debts' value is at most your collateral's "
                "after the published haircuts (a proof over your own leaves), and your "
                "leaves are tagged with your margin account, the one the audit checks: "
                f"account {report.margin_account}"
            ]
        )
    else:
        lines += _bullets(
            [
                "none of your balances is pledged as collateral for a margin account (the "
                "margin tag of each of your leaves is none)"
            ]
        )
    if m is not None:
        lines += _bullets(
            [
                "every asset of the manifest: the reserves cover all customers' liabilities "
                "(a proof), and every reserve address signed for this exchange and round:"
            ]
        )
        lines += reserve_lines(m, addresses=True, indent="    ")
        lines += digest_lines(m)
    if report.audit_only:
        lines.append("Not checked here (a full audit of the bundle checks it):")
        lines += _bullets(report.audit_only)
    lines.append("Not checked (no verifier can, from these files):")
    lines += _bullets(report.not_checked)
    return lines


def audit_lines(report: AuditReport) -> list[str]:
    """The text of a passed ``zkpor verify audit``."""
    t, m = report.trees, report.manifest
    lines = [
        f"OK: audit of round {t.round_id}: {t.nodes} nodes, {t.proofs} range proofs, "
        f"{t.seconds:.1f} s"
    ]
    if t.margin_accounts:
        lines += wrapped(
            f"{t.margin_accounts} margin accounts: every collateral proof verified, every "
            "debt leaf an input of exactly one of them, no leaf used twice, every leaf's "
            "margin tag names the account that uses it (none for every other leaf)",
            "    ",
            first="  ",
        )
    if m is not None:
        lines += wrapped(f"Manifest of {m.exchange}, every asset and signature verified:", "", "")
        lines += reserve_lines(m, addresses=False, audited=True)
        matched = digest_lines(m, indent="")
        lines += [line.replace("- the manifest's", "The manifest's", 1) for line in matched]
    lines.append("Not checked (no verifier can, from these files):")
    lines += _bullets(report.not_checked)
    return lines


def _technical(exc: ZkporError) -> str:
    """The failed check's own message: the reason alone (without the customer's line)."""
    return exc.reason if isinstance(exc, CustomerCheckFailed) else str(exc)


def failure_lines(prefix: str, exc: ZkporError) -> list[str]:
    """What a failed ``zkpor verify user`` prints on stderr for an error that says what failed
    (``exc.failed``, recipes.FAILURES): ``PREFIX`` and the headline, what it means for the
    customer, the technical reason (the check's message, unchanged, one line per problem)
    and the next step; the sentences wrapped to WIDTH columns."""
    assert exc.failed is not None
    f = FAILURES[exc.failed]  # type: ignore[index]
    head = f.headline[:1].lower() + f.headline[1:]
    lines = [f"{prefix}{head}", *wrapped(f.meaning, "  ")]
    reason = _technical(exc).splitlines() or [type(exc).__name__]
    lines.append(f"  technical reason: {reason[0]}")
    lines += [f"    {line}" for line in reason[1:]]
    lines += wrapped(f.next_step, "  ", first="  next step: ")
    return lines


def failure_json(exc: ZkporError) -> dict[str, str]:
    """The fields a failed ``zkpor verify user --json`` adds to ``{"ok": false, ...}``: what
    failed, the headline, the meaning, the technical reason and the next step."""
    assert exc.failed is not None
    f = FAILURES[exc.failed]  # type: ignore[index]
    return {
        "failed": exc.failed,
        "headline": f.headline,
        "meaning": f.meaning,
        "reason": _technical(exc),
        "next_step": f.next_step,
    }


def say(lines: Sequence[str]) -> None:
    """Print lines of text as data: no markup, no emoji codes, no highlighting."""
    for line in lines:
        data_console.print(
            shown_line(line), markup=False, emoji=False, highlight=False, soft_wrap=True
        )
