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
from .liabilities.precheck import shortfall_message, uncovered
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
    short = uncovered(
        report.totals,
        {sym: openings[sym].value for sym in summary.assets},
        ratio,
        {sym: sym in debts for sym in summary.assets},
    )
    if short:
        places = {sym: int(str(info["decimals"])) for sym, info in summary.assets.items()}
        raise InsolventError(
            shortfall_message(short, ratio, places)
            + "\nthe finished trees are kept: rerun with corrected reserves to resume"
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
                token_contract=res.token_contract,
                chain_id=res.chain_id,
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
    from .liabilities.checkpoint import input_parts, naming_inputs
    from .liabilities.inputs import load_assets
    from .liabilities.precheck import check_covered, scan_balances
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
    # one quick pass over the CSV: bad and repeated rows, and a shortfall, before any tree
    totals = scan_balances(balances, assets_cfg.by_symbol())
    if report is not None:
        check_covered(
            totals, report.totals, ratio, {a.symbol: a.decimals for a in assets_cfg.assets}
        )
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

    params: dict[str, object] = {
        "--round": opts.round_id,
        "--arity": opts.arity,
        "--pad-granularity": opts.pad_granularity,
        "--chunk-height": opts.height(),
    }
    if opts.debt_pad_granularity is not None:
        params["--debt-pad-granularity"] = opts.debt_pad_granularity
    with naming_inputs(input_parts(balances, assets_file, params)):
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


# What a finished bundle publishes, in this order; never ``private/`` (every balance and
# opening in clear) nor anything else the folder may hold.
PUBLISHED_FILES = ("manifest.json", "manifest.sha256", "roots.json", "audit.sqlite")


def publish_folder(bundle: Path, out: Path) -> list[Path]:
    """Copy the public files of ``bundle`` into the new folder ``out`` and write the
    browser verifier (index.html) beside them; return the paths written.

    Refuses (InputError) an unfinished or missing bundle, an ``out`` inside the bundle (or
    the bundle inside ``out``), and an ``out`` that exists and is not an empty folder. The
    files are copied into a temporary sibling folder that is renamed to ``out`` at the
    end: ``out`` never holds part of a round. manifest.sha256 must be the digest of
    manifest.json (a stale digest would be published as the round's)."""
    import os
    import shutil
    import tempfile

    from .errors import InputError
    from .web import PAGE_NAME, write_page

    src = bundle.resolve()
    if not (src / "audit.sqlite").is_file() or not (src / "roots.json").is_file():
        raise InputError(
            "not a finished bundle (no audit.sqlite and roots.json)", source=str(bundle)
        )
    dest = out.resolve()
    if dest == src or src in dest.parents or dest in src.parents:
        raise InputError(
            "the publish folder must be outside the bundle (the bundle holds private/)",
            source=str(out),
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("exists and is not an empty folder; choose a new one", source=str(out))
    names = [n for n in PUBLISHED_FILES if (src / n).is_file()]
    if "manifest.json" in names:
        from .publicjson import parse_public

        manifest = parse_public(Manifest, (src / "manifest.json").read_bytes(), str(bundle))
        stated = (src / "manifest.sha256").read_text().strip() if "manifest.sha256" in names else ""
        if stated != manifest_digest(manifest):
            raise InputError(
                "manifest.sha256 is not the digest of manifest.json", source=str(bundle)
            )
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for name in names:
            shutil.copyfile(src / name, staging / name)
            os.chmod(staging / name, 0o644)
        write_page(staging)
        os.chmod(staging, 0o755)
        if out.exists():
            out.rmdir()  # empty (checked above)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / n for n in [*names, PAGE_NAME]]
