"""The ``--eth-rpc`` check of ``zkpor verify audit`` and ``zkpor reserves check``.

For every asset on chain ``ethereum`` (a manifest's ``reserves`` or a snapshot's entry):
:func:`zkpor.reserves.ethnode.check_balances` at the asset's ``block_height``, with its
``block_hash``, ``chain_id`` and ``token_contract`` (none: ether) and the asset's decimals
(the manifest's, or the assets file's). Bitcoin assets are not checked (no Bitcoin node
here: ``zkpor reserves list`` prints what to look up) and are named in
:attr:`ChainCheck.unchecked`. The outcome is ok when no report has a failure; a node that
cannot answer raises :class:`~zkpor.reserves.ethnode.EthNodeError` (exit 2 in the CLI).
Before the node is asked, the rules across assets (:mod:`.holdings`) are checked again: one
holding claimed by two assets, or a known token symbol naming another contract, is a
VerificationError, since each claim compared with the node on its own would read "as
claimed".

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zkpor.errors import VerificationError
from zkpor.reserves.addresses import AddressEntry
from zkpor.reserves.ethnode import (
    ChainClaim,
    ChainReport,
    EthNodeError,
    Finding,
    check_balances,
    claims_from_entries,
    connect,
)

__all__ = [
    "ChainAsset",
    "ChainCheck",
    "EthNodeError",
    "PrivateSet",
    "check_on_chain",
    "check_private_sets",
]


@dataclass(frozen=True)
class ChainAsset:
    """What the check needs of one asset's reserves, wherever they come from."""

    asset: str
    chain: str
    decimals: int
    block_height: int
    block_hash: str | None
    token_contract: str | None
    chain_id: int | None
    addresses: Sequence[AddressEntry]
    where: str  # e.g. "manifest.json: asset USDT reserves", for a bad balance


@dataclass
class ChainCheck:
    """The reports of the Ethereum assets, and the assets that were not checked."""

    node: str
    reports: list[ChainReport] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # "BTC (chain bitcoin)"

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    def lines(self) -> list[str]:
        """Every finding, one line each, asset by asset."""
        if not self.reports:
            return ["no Ethereum asset: nothing was asked of the node"]
        return [line for r in self.reports for line in r.lines()]

    def raise_if_failed(self) -> None:
        """VerificationError listing every failure and note (each address's difference)."""
        if self.ok:
            return
        shown = [line for line in self.lines() if not line.startswith("ok ")]
        n = sum(len(r.failures) for r in self.reports)
        raise VerificationError(
            "\n".join(
                [
                    *shown,
                    f"reserves on chain: {n} check{'s' if n != 1 else ''} failed "
                    f"against the Ethereum node {self.node}",
                ]
            )
        )

    def to_json(self) -> dict[str, object]:
        return {
            "node": self.node,
            "ok": self.ok,
            "assets": [
                {
                    "asset": r.asset,
                    "chain_id": r.chain_id,
                    "block_height": r.block_height,
                    "block_hash": r.block_hash,
                    "findings": [
                        {"where": f.where, "severity": f.severity, "message": f.message}
                        for f in r.findings
                    ],
                }
                for r in self.reports
            ],
            "not_checked": self.unchecked,
        }


def check_on_chain(url: str, assets: Sequence[ChainAsset]) -> ChainCheck:
    """Connect to ``url`` (only when an Ethereum asset is listed) and check each one; the
    rules across assets first (VerificationError, nothing asked of the node)."""
    from zkpor.reserves.ethnode import node_label
    from zkpor.reserves.holdings import Claim, cross_asset_problems, token_problems

    held = [
        Claim(a.asset, a.where, a.where, a.chain, a.token_contract, a.chain_id, a.addresses)
        for a in assets
    ]
    problems = cross_asset_problems(held) + token_problems(held)
    if problems:
        raise VerificationError("\n".join(problems))
    out = ChainCheck(node_label(url))
    eth = [a for a in assets if a.chain == "ethereum"]
    out.unchecked = [f"{a.asset} (chain {a.chain})" for a in assets if a.chain != "ethereum"]
    if not eth:
        return out
    w3 = connect(url)
    for a in eth:
        claims = claims_from_entries(a.addresses, a.decimals, a.token_contract, where=a.where)
        out.reports.append(
            check_balances(
                w3,
                asset=a.asset,
                decimals=a.decimals,
                claims=claims,
                block_height=a.block_height,
                block_hash=a.block_hash,
                chain_id=a.chain_id,
                node=out.node,
            )
        )
    return out


@dataclass(frozen=True)
class PrivateSet:
    """An anonymity set of private reserves (docs/spec/private-reserves.md 17.11) whose
    members' balances are checked on the node: every member, owned or not, since the set
    does not say which keys are the exchange's."""

    asset: str
    decimals: int
    block_height: int
    block_hash: str | None
    token_contract: str | None
    chain_id: int | None
    set_path: Path


def check_private_sets(url: str, sets: Sequence[PrivateSet]) -> list[ChainReport]:
    """Each Ethereum set's member balances at its block: a member whose balance in the set
    is above the chain's fails (the exchange could count it if the key is its own); the
    per-member ``ok`` and ``note`` findings are summed into one line per set."""
    from zkpor.formats.anonset import AnonSetReader

    if not sets:
        return []
    w3 = connect(url)
    from zkpor.reserves.ethnode import node_label

    node = node_label(url)
    reports: list[ChainReport] = []
    for s in sets:
        with AnonSetReader(s.set_path, check_keys=False) as reader:
            claims = [ChainClaim(m.address or "", m.balance, s.token_contract) for m in reader]
        report = check_balances(
            w3,
            asset=f"{s.asset} (private set)",
            decimals=s.decimals,
            claims=claims,
            block_height=s.block_height,
            block_hash=s.block_hash,
            chain_id=s.chain_id,
            node=node,
            label="members",
        )
        members = [f for f in report.findings if f.where.startswith("members[")]
        kept = [f for f in report.findings if f not in members or f.severity == "fail"]
        if all(f.severity != "fail" for f in members):
            kept.append(
                Finding(
                    f"{s.set_path.name}",
                    "ok",
                    f"every one of the {len(members)} members holds at least its balance in "
                    f"the set at block {s.block_height}",
                )
            )
        report.findings = kept
        reports.append(report)
    return reports
