"""Assembling the manifest of a round: trees + reserves + solvency proofs.

For an asset with a debt tree the solvency proof is over the net liabilities E - D:
C_net = C_E - C_D opens to (E - D, r_E - r_D), and the proof shows q R >= p (E - D)
(:mod:`zkpor.solvency`; docs/spec.md, "Margin": why nothing wraps)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from .amounts import format_units
from .atomicfile import write_atomic
from .generators import generator_digest
from .group import Point
from .liabilities.inputs import AssetSpec
from .liabilities.prover import ProveOptions, ProveSummary, margin_fields
from .liabilities.store import open_private, private_path
from .manifest import (
    DisclosedLiabilities,
    Manifest,
    ManifestAsset,
    ManifestReserveAddress,
    ManifestReserves,
    Parameters,
    Solvency,
    manifest_digest,
    solvency_context,
    statement_digest,
)
from .pedersen import Opening
from .reserves import ReservesReport, ReservesSnapshot
from .solvency import InsolventError, prove_solvency

__all__ = ["build_manifest", "prove_round", "write_manifest"]


def _root_openings(bundle: Path) -> dict[str, Opening]:
    conn: sqlite3.Connection = open_private(private_path(bundle))
    try:
        rows = conn.execute("SELECT asset, value, blinding FROM root_openings").fetchall()
    finally:
        conn.close()
    return {asset: Opening(int(v), int(b, 16)) for asset, v, b in rows}


def build_manifest(
    bundle: Path,
    summary: ProveSummary,
    *,
    exchange: str,
    round_id: str,
    arity: int,
    snapshot: ReservesSnapshot,
    report: ReservesReport,
    ratio: tuple[int, int] = (1, 1),
    disclose_totals: bool = False,
    specs: dict[str, AssetSpec] | None = None,
    quote: tuple[str, int] | None = None,
) -> Manifest:
    """The manifest for a finished tree build in ``bundle``. Raises InsolventError naming
    the first asset whose reserves do not cover its liabilities (times the ratio): net of
    debts for an asset with a debt tree. ``specs`` and ``quote`` give the margin terms
    (prices and tiers) published with a quote.

    Built in two passes: every field but the solvency proofs, then each asset's proof bound
    to the statement digest of the first pass (:func:`zkpor.manifest.statement_digest`)."""
    tree_openings = _root_openings(bundle)
    debts = {sym: tree_openings[f"{sym}/debt"] for sym in summary.debts}
    openings = {
        sym: tree_openings[sym] - debts[sym] if sym in debts else tree_openings[sym]
        for sym in summary.assets
    }
    p, q = ratio
    by_asset = {entry.asset: entry for entry in snapshot.assets}
    assets: dict[str, ManifestAsset] = {}
    short = [sym for sym in summary.assets if q * report.totals[sym] < p * openings[sym].value]
    if short:
        ratio_text = "" if p == q else f" x {p}/{q}"
        net = " (equity minus debt)" if any(s in debts for s in short) else ""
        raise InsolventError(
            f"reserves do not cover liabilities{net}{ratio_text} for asset(s) "
            f"{', '.join(short)}; "
            "the finished trees are kept: rerun with corrected reserves to resume"
        )
    for sym, info in summary.assets.items():
        decimals = int(str(info["decimals"]))
        reserves_units = report.totals[sym]
        opening = tree_openings[sym]
        res = by_asset[sym]
        margin: dict[str, object] = {}
        if quote is not None and specs is not None:
            margin.update(margin_fields(specs[sym]))
        if sym in summary.debts:
            margin["debt"] = summary.debts[sym]
        debt_opening = debts.get(sym)
        assets[sym] = ManifestAsset(
            decimals=decimals,
            leaf_count=int(str(info["leaf_count"])),
            depth=int(str(info["depth"])),
            root_hash=str(info["root_hash"]),
            root_commitment=str(info["root_commitment"]),
            reserves=ManifestReserves(
                chain=res.chain,
                block_height=res.block_height,
                block_hash=res.block_hash,
                total=format_units(reserves_units, decimals),
                total_units=str(reserves_units),
                addresses=[
                    ManifestReserveAddress(
                        address=a.address, balance=a.balance, signature=a.signature
                    )
                    for a in res.addresses
                ],
            ),
            solvency=Solvency(
                min_ratio=f"{p}/{q}",
                proof="00",  # replaced below; the statement digest blanks it
                liabilities=DisclosedLiabilities(
                    amount=format_units(opening.value, decimals),
                    units=str(opening.value),
                    blinding=f"{opening.blinding:064x}",
                )
                if disclose_totals
                else None,
                debt=DisclosedLiabilities(
                    amount=format_units(debt_opening.value, decimals),
                    units=str(debt_opening.value),
                    blinding=f"{debt_opening.blinding:064x}",
                )
                if disclose_totals and debt_opening is not None
                else None,
            ),
            **margin,  # type: ignore[arg-type]
        )
    draft = Manifest(
        format="zkpor-manifest-v1",
        exchange=exchange,
        round_id=round_id,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        parameters=Parameters.model_validate(
            {
                "curve": "secp256k1",
                "hash": "SHA-256",
                "hash_to_curve": "secp256k1_XMD:SHA-256_SSWU_RO_",
                "generator_digest": generator_digest().hex(),
                "arity": arity,
                "range_bits": 64,
            }
        ),
        assets=assets,
        quote={"symbol": quote[0], "decimals": quote[1]} if quote is not None else None,  # type: ignore[arg-type]
    )
    statement = statement_digest(draft)
    data = draft.model_dump(mode="json")
    for sym in assets:
        proof = prove_solvency(
            report.totals[sym],
            openings[sym],
            p,
            q,
            asset=sym,
            context=solvency_context(statement, sym),
        )
        commitment = Point.from_bytes(bytes.fromhex(assets[sym].root_commitment))
        assert proof.range_proof.rounds == 7 and not commitment.is_identity()
        data["assets"][sym]["solvency"]["proof"] = proof.to_bytes().hex()
    return Manifest.model_validate(data, strict=True)


def write_manifest(bundle: Path, manifest: Manifest) -> str:
    """Write manifest.json and manifest.sha256 atomically; return the digest."""
    digest = manifest_digest(manifest)
    for name, text in (
        ("manifest.json", json.dumps(manifest.model_dump(mode="json"), indent=2) + "\n"),
        ("manifest.sha256", digest + "\n"),
    ):
        write_atomic(bundle / name, text.encode())
    return digest


def prove_round(
    balances: Path,
    assets_file: Path,
    master_secret: bytes,
    opts: ProveOptions,
    out: Path,
    executor: Executor,
    *,
    reserves: Path | None = None,
    exchange: str | None = None,
    ratio: tuple[int, int] = (1, 1),
    disclose_totals: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[ProveSummary, str | None]:
    """A whole round: check the reserves snapshot (if given) first, build the trees, then
    prove solvency per asset and write the manifest before the bundle is renamed into place.

    Returns the tree summary and the manifest digest (None without reserves). Raises
    InputError for bad input or reserves (every problem listed; the exchange name must pass
    the identifier rules, at most 100 bytes), VerificationError when the finished trees fail
    the prover's self-check (nothing published), and InsolventError naming an asset that is
    not covered (in both cases the finished trees stay in BUNDLE.partial).
    """
    from .errors import InputError, VerificationError
    from .identifiers import check_text
    from .liabilities.inputs import load_assets
    from .liabilities.prover import prove_liabilities
    from .reserves import load_reserves, verify_reserves

    if (reserves is None) != (exchange is None):
        raise InputError("reserves and exchange name go together")
    if exchange is not None:
        try:
            check_text(exchange, "exchange name", 100)
        except ValueError as exc:
            raise InputError(str(exc), field="exchange") from None
    snapshot = report = None
    assets_cfg = load_assets(assets_file)
    if reserves is not None and exchange is not None:
        snapshot = load_reserves(reserves)
        decimals = {a.symbol: a.decimals for a in load_assets(assets_file).assets}
        try:
            report = verify_reserves(
                snapshot,
                exchange=exchange,
                round_id=opts.round_id,
                decimals=decimals,
                source=str(reserves),
            )
        except VerificationError as exc:
            raise InputError(str(exc)) from None
    digest: list[str] = []

    def finalize(partial: Path, summary: ProveSummary) -> None:
        if snapshot is None or report is None or exchange is None:
            return
        manifest = build_manifest(
            partial,
            summary,
            exchange=exchange,
            round_id=opts.round_id,
            arity=opts.arity,
            snapshot=snapshot,
            report=report,
            ratio=ratio,
            disclose_totals=disclose_totals,
            specs=assets_cfg.by_symbol(),
            quote=(assets_cfg.quote.symbol, assets_cfg.quote.decimals)
            if assets_cfg.quote is not None
            else None,
        )
        digest.append(write_manifest(partial, manifest))

    summary = prove_liabilities(
        balances,
        assets_file,
        master_secret,
        opts,
        out,
        executor,
        progress=progress,
        finalize=finalize,
    )
    return summary, digest[0] if digest else None
