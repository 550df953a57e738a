"""Checking a manifest: parameters, totals, disclosed openings, solvency proofs, and
(for auditors) the reserve ownership signatures.

A customer runs it without signature checks (no Ethereum or Bitcoin libraries needed) and
compares the printed digest with the value the exchange published. An auditor runs it with
``check_signatures=True`` as part of ``zkpor verify audit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..amounts import format_units, parse_amount
from ..errors import EncodingError, VerificationError
from ..generators import generator_digest, generators
from ..group import N, active_backend
from ..manifest import Manifest, manifest_digest
from ..models import AssetRoot, Roots
from ..pedersen import commit
from ..solvency import SolvencyProof, verify_solvency
from ..sumtree import SUPPORTED_ARITIES, level_sizes

__all__ = ["ManifestReport", "manifest_roots", "roots_of", "verify_manifest"]


@dataclass
class ManifestReport:
    digest: str
    exchange: str
    round_id: str
    assets: dict[str, dict[str, object]] = field(default_factory=dict)


def roots_of(manifest: Manifest) -> dict[str, AssetRoot]:
    """The per-asset tree roots of a manifest, for :func:`verify_inclusion`."""
    return {
        sym: AssetRoot(
            decimals=a.decimals,
            leaf_count=a.leaf_count,
            depth=a.depth,
            root_hash=a.root_hash,
            root_commitment=a.root_commitment,
        )
        for sym, a in manifest.assets.items()
    }


def manifest_roots(manifest: Manifest) -> Roots:
    """The manifest's tree part as a :class:`Roots` (for :func:`audit_bundle`)."""
    return Roots(
        format="zkpor-roots-v1",
        round_id=manifest.round_id,
        arity=manifest.parameters.arity,
        range_bits=64,
        generator_digest=manifest.parameters.generator_digest,
        assets=roots_of(manifest),
    )


def _check_reserve_signatures(manifest: Manifest, sym: str) -> None:
    """The asset's reserves as a snapshot, through the same checks as ``zkpor prove``'s
    (ownership signatures over the exchange and round, duplicate addresses, balances)."""
    from ..reserves import AssetReserves, ReserveAddress, ReservesSnapshot, verify_reserves

    entry = manifest.assets[sym]
    res = entry.reserves
    snapshot = ReservesSnapshot(
        format="zkpor-reserves-v1",
        exchange=manifest.exchange,
        round_id=manifest.round_id,
        assets=[
            AssetReserves(
                asset=sym,
                chain=res.chain,
                block_height=res.block_height,
                block_hash=res.block_hash,
                addresses=[
                    ReserveAddress(address=a.address, balance=a.balance, signature=a.signature)
                    for a in res.addresses
                ],
            )
        ],
    )
    verify_reserves(
        snapshot,
        exchange=manifest.exchange,
        round_id=manifest.round_id,
        decimals={sym: entry.decimals},
        source="manifest",
    )


def verify_manifest(
    manifest: Manifest,
    *,
    assets: list[str] | None = None,
    check_signatures: bool = False,
    expected_digest: str | None = None,
) -> ManifestReport:
    """Verify ``manifest`` (only ``assets`` if given). Raises VerificationError."""
    digest = manifest_digest(manifest)
    if expected_digest is not None and expected_digest.lower() != digest:
        raise VerificationError(
            f"manifest digest {digest} differs from the published {expected_digest}"
        )
    params = manifest.parameters
    if params.generator_digest != generator_digest().hex():
        raise VerificationError("manifest uses another generator set")
    if params.arity not in SUPPORTED_ARITIES:
        raise VerificationError(f"unsupported arity {params.arity}")
    pt = active_backend().Point
    gens = generators()
    report = ManifestReport(digest=digest, exchange=manifest.exchange, round_id=manifest.round_id)
    for sym in assets if assets is not None else list(manifest.assets):
        entry = manifest.assets.get(sym)
        if entry is None:
            raise VerificationError(f"asset {sym}: not in the manifest")
        where = f"asset {sym}"
        if entry.depth != len(level_sizes(entry.leaf_count, params.arity)) - 1:
            raise VerificationError(f"{where}: depth does not match the leaf count")
        res = entry.reserves
        try:
            total = sum(parse_amount(a.balance, entry.decimals) for a in res.addresses)
        except ValueError as exc:
            raise VerificationError(f"{where}: reserves balance: {exc}") from None
        if str(total) != res.total_units or format_units(total, entry.decimals) != res.total:
            raise VerificationError(f"{where}: reserves total is not the sum of the balances")
        p_str, q_str = entry.solvency.min_ratio.split("/")
        p, q = int(p_str), int(q_str)
        try:
            root = pt.from_bytes(bytes.fromhex(entry.root_commitment))
            proof = SolvencyProof.from_bytes(bytes.fromhex(entry.solvency.proof), pt)
        except EncodingError as exc:
            raise VerificationError(f"{where}: {exc}") from None
        try:
            verify_solvency(total, root, proof, p, q, gens)
        except VerificationError as exc:
            raise VerificationError(f"{where}: solvency proof: {exc}") from None
        disclosed = entry.solvency.liabilities
        if disclosed is not None:
            units = int(disclosed.units)
            blinding = int(disclosed.blinding, 16)
            if blinding >= N or commit(units, blinding, gens) != root:
                raise VerificationError(f"{where}: disclosed liabilities do not open the root")
            if format_units(units, entry.decimals) != disclosed.amount:
                raise VerificationError(f"{where}: disclosed amount does not match its units")
        if check_signatures:
            _check_reserve_signatures(manifest, sym)
        report.assets[sym] = {
            "reserves": res.total,
            "min_ratio": entry.solvency.min_ratio,
            "liabilities": disclosed.amount if disclosed else None,
            "addresses": len(res.addresses),
            "signatures_checked": check_signatures,
        }
    return report
