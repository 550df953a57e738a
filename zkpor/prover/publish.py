"""Assembling the manifest of a round: trees + reserves + solvency proofs; publishing it.

Spec: docs/spec/solvency-and-manifest.md (11 solvency, 12 the manifest),
docs/spec/margin.md (16.5 net solvency, 16.6 manifest fields), docs/spec/bundle-and-audit.md
(9.1 what a bundle publishes).

For an asset with a debt tree the solvency proof is over the net liabilities E - D:
C_net = C_E - C_D opens to (E - D, r_E - r_D), and the proof shows q R >= p (E - D)
(:mod:`zkpor.protocol.solvency`; docs/spec/margin.md 16.5: why nothing wraps)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from zkpor.atomicfile import write_atomic
from zkpor.crypto.generators import generator_digest
from zkpor.crypto.group import Point
from zkpor.crypto.pedersen import Opening
from zkpor.errors import InsolventError
from zkpor.formats.amounts import format_units
from zkpor.formats.manifest import (
    MANIFEST_FORMAT,
    DisclosedLiabilities,
    Manifest,
    ManifestAsset,
    ManifestMultisig,
    ManifestReserveAddress,
    ManifestReserves,
    Parameters,
    Solvency,
    manifest_digest,
    solvency_context,
    statement_digest,
)
from zkpor.protocol.sumtree import debt_tree
from zkpor.prover.liabilities.inputs import AssetsFile, AssetSpec
from zkpor.prover.liabilities.precheck import shortfall_message, uncovered
from zkpor.prover.liabilities.prover import ProveOptions, ProveSummary, margin_fields
from zkpor.prover.liabilities.store import open_private, private_path
from zkpor.prover.private_reserves import PrivateInput, PrivateProven
from zkpor.prover.solvency import prove_solvency
from zkpor.reserves import AssetReserves, ReservesReport, ReservesSnapshot

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
    private: Mapping[str, PrivateProven] | None = None,
) -> Manifest:
    """The manifest for a finished tree build in ``bundle``. Raises InsolventError naming
    the first asset whose reserves do not cover its liabilities (times the ratio): net of
    debts for an asset with a debt tree. ``specs`` and ``quote`` give the margin terms
    (prices and tiers) published with a quote; ``private`` the proven private reserves of
    the assets that have them (their commitments add to the reserves, 11.9).

    Built in two passes: every field but the solvency proofs, then each asset's proof bound
    to the statement digest of the first pass (:func:`zkpor.formats.manifest.statement_digest`)."""
    tree_openings = _root_openings(bundle)
    debts = {sym: tree_openings[debt_tree(sym)] for sym in summary.debts}
    openings = {
        sym: tree_openings[sym] - debts[sym] if sym in debts else tree_openings[sym]
        for sym in summary.assets
    }
    private = private or {}
    reserves_totals = {
        sym: total + (private[sym].opening.value if sym in private else 0)
        for sym, total in report.totals.items()
    }
    _check_solvent(summary, reserves_totals, openings, ratio)
    by_asset = {entry.asset: entry for entry in snapshot.assets}
    assets: dict[str, ManifestAsset] = {}
    for sym in summary.assets:
        margin: dict[str, object] = {}
        if quote is not None and specs is not None:
            margin.update(margin_fields(specs[sym]))
        if sym in summary.debts:
            margin["debt"] = summary.debts[sym]
        if sym in private:
            margin["private_reserves"] = private[sym].entry
        assets[sym] = _manifest_asset(
            summary.assets[sym],
            by_asset[sym],
            report.totals[sym],
            f"{ratio[0]}/{ratio[1]}",
            (tree_openings[sym], debts.get(sym)) if disclose_totals else None,
            margin,
        )
    draft = _draft(exchange, round_id, arity, assets, quote)
    private_openings = {sym: p.opening for sym, p in private.items()}
    return _with_solvency_proofs(draft, report, openings, ratio, private_openings)


def _check_solvent(
    summary: ProveSummary,
    reserves_totals: dict[str, int],
    openings: dict[str, Opening],
    ratio: tuple[int, int],
) -> None:
    """InsolventError naming every asset whose reserves (signed and private) do not cover
    ``openings`` (the liabilities, net of debts) times the ratio."""
    short = uncovered(
        reserves_totals,
        {sym: openings[sym].value for sym in summary.assets},
        ratio,
        {sym: sym in summary.debts for sym in summary.assets},
    )
    if short:
        places = {sym: int(str(info["decimals"])) for sym, info in summary.assets.items()}
        raise InsolventError(
            shortfall_message(short, ratio, places)
            + "\nthe finished trees are kept: rerun with corrected reserves to resume"
        )


def _disclosed(opening: Opening, decimals: int) -> DisclosedLiabilities:
    """A disclosed total: its amount, base units and blinding (``--disclose-totals``)."""
    return DisclosedLiabilities(
        amount=format_units(opening.value, decimals),
        units=str(opening.value),
        blinding=f"{opening.blinding:064x}",
    )


def _manifest_asset(
    info: dict[str, object],
    res: AssetReserves,
    reserves_units: int,
    min_ratio: str,
    disclosed: tuple[Opening, Opening | None] | None,
    margin: dict[str, object],
) -> ManifestAsset:
    """One asset's entry of the first pass: its root (``info``, of the summary), its
    reserves, its solvency statement with a placeholder proof, and, when ``disclosed``, its
    liabilities' and debts' openings; ``margin`` holds its price, tiers and debt root."""
    decimals = int(str(info["decimals"]))
    liabilities = debt = None
    if disclosed is not None:
        liabilities = _disclosed(disclosed[0], decimals)
        debt = _disclosed(disclosed[1], decimals) if disclosed[1] is not None else None
    return ManifestAsset(
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
                    address=a.address,
                    balance=a.balance,
                    signature=a.signature,
                    multisig=None
                    if a.multisig is None
                    else ManifestMultisig(**a.multisig.model_dump()),
                )
                for a in res.addresses
            ],
        ),
        solvency=Solvency(
            min_ratio=min_ratio,
            proof="00",  # replaced in the second pass; the statement digest blanks it
            liabilities=liabilities,
            debt=debt,
        ),
        **margin,  # type: ignore[arg-type]
    )


def _draft(
    exchange: str,
    round_id: str,
    arity: int,
    assets: dict[str, ManifestAsset],
    quote: tuple[str, int] | None,
) -> Manifest:
    """The first pass: the whole manifest with placeholder solvency proofs."""
    return Manifest(
        format=MANIFEST_FORMAT,
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


def _with_solvency_proofs(
    draft: Manifest,
    report: ReservesReport,
    openings: dict[str, Opening],
    ratio: tuple[int, int],
    private: dict[str, Opening],
) -> Manifest:
    """The second pass: each asset's solvency proof over ``openings`` (net liabilities) and
    the ``private`` reserves' openings, bound to the draft's statement digest."""
    p, q = ratio
    statement = statement_digest(draft)
    data = draft.model_dump(mode="json")
    for sym, asset in draft.assets.items():
        proof = prove_solvency(
            report.totals[sym],
            openings[sym],
            p,
            q,
            asset=sym,
            context=solvency_context(statement, sym),
            private=private.get(sym),
        )
        commitment = Point.from_bytes(bytes.fromhex(asset.root_commitment))
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
    on_resume: Callable[[Path], None] | None = None,
    private: Sequence[PrivateInput] = (),
) -> tuple[ProveSummary, str | None]:
    """A whole round: check the reserves snapshot (if given) first, build the trees, then
    prove solvency per asset and write the manifest before the bundle is renamed into place.

    Returns the tree summary and the manifest digest (None without reserves). Raises
    InputError for bad input or reserves (every problem listed; the exchange name must pass
    the identifier rules, at most 100 bytes), VerificationError when the finished trees fail
    the prover's self-check (nothing published), and InsolventError naming an asset that is
    not covered (in both cases the finished trees stay in BUNDLE.partial). ``private``:
    assets whose reserves include a private proof of assets over a set (17.11).
    """
    from zkpor.errors import InputError
    from zkpor.formats.identifiers import check_text
    from zkpor.prover.liabilities.checkpoint import input_parts, naming_inputs
    from zkpor.prover.liabilities.inputs import load_assets
    from zkpor.prover.liabilities.precheck import check_covered, scan_balances
    from zkpor.prover.liabilities.prover import prove_liabilities

    if (reserves is None) != (exchange is None):
        raise InputError("reserves and exchange name go together")
    if exchange is not None:
        try:
            check_text(exchange, "exchange name", 100)
        except ValueError as exc:
            raise InputError(str(exc), field="exchange") from None
    assets_cfg = load_assets(assets_file)
    checked = None
    if reserves is not None and exchange is not None:
        checked = _checked_reserves(reserves, exchange, opts.round_id, assets_file)
    # one quick pass over the CSV: bad and repeated rows, and a shortfall, before any tree
    private_step = _private_inputs(private, checked, assets_cfg, master_secret)
    totals = scan_balances(balances, assets_cfg.by_symbol())
    if checked is not None:
        decimals = {a.symbol: a.decimals for a in assets_cfg.assets}
        covered = dict(checked[1].totals)
        for sym, claimed in (private_step.totals if private_step else {}).items():
            covered[sym] = covered.get(sym, 0) + claimed
        check_covered(totals, covered, ratio, decimals)
    step = _ManifestStep(checked, opts, ratio, disclose_totals, assets_cfg, private_step)
    with naming_inputs(input_parts(balances, assets_file, _resume_params(opts))):
        summary = prove_liabilities(
            balances,
            assets_file,
            master_secret,
            opts,
            out,
            executor,
            progress=progress,
            finalize=step,
            on_resume=on_resume,
        )
    return summary, step.digest


@dataclass(frozen=True)
class _PrivateStep:
    """The private reserves of a run: inputs, owned keys, claimed totals, master secret."""

    inputs: dict[str, PrivateInput]
    keys: dict[str, dict[bytes, int]]
    totals: dict[str, int]
    master_secret: bytes


def _private_inputs(
    private: Sequence[PrivateInput],
    checked: tuple[ReservesSnapshot, ReservesReport, str] | None,
    assets_cfg: AssetsFile,
    master_secret: bytes,
) -> _PrivateStep | None:
    """Check the --private-reserves inputs and sum each asset's owned balances."""
    from zkpor.errors import InputError
    from zkpor.prover.private_reserves import claimed_totals, load_keys

    if not private:
        return None
    if checked is None:
        raise InputError("--private-reserves needs --reserves and --exchange")
    inputs: dict[str, PrivateInput] = {}
    for item in private:
        if item.asset in inputs:
            raise InputError(f"--private-reserves names {item.asset} twice")
        if item.asset not in {a.symbol for a in assets_cfg.assets}:
            raise InputError(f"--private-reserves {item.asset}: not an asset of the assets file")
        inputs[item.asset] = item
    keys = {sym: load_keys(item.keys_path) for sym, item in inputs.items()}
    entries = {e.asset: e for e in checked[0].assets}
    decimals = {a.symbol: a.decimals for a in assets_cfg.assets}
    totals = claimed_totals(inputs, keys, entries, decimals)
    return _PrivateStep(inputs, keys, totals, master_secret)


def _checked_reserves(
    reserves: Path, exchange: str, round_id: str, assets_file: Path
) -> tuple[ReservesSnapshot, ReservesReport, str]:
    """The snapshot, its report and the exchange name; InputError for a snapshot that
    cannot be read or fails its checks (10.5)."""
    from zkpor.errors import InputError, VerificationError
    from zkpor.prover.liabilities.inputs import load_assets
    from zkpor.reserves import load_reserves, verify_reserves

    snapshot = load_reserves(reserves)
    decimals = {a.symbol: a.decimals for a in load_assets(assets_file).assets}
    try:
        report = verify_reserves(
            snapshot, exchange=exchange, round_id=round_id, decimals=decimals, source=str(reserves)
        )
    except VerificationError as exc:
        raise InputError(str(exc)) from None
    return snapshot, report, exchange


def _resume_params(opts: ProveOptions) -> dict[str, object]:
    """The options an unfinished run must be resumed with, as the command line names them."""
    params: dict[str, object] = {
        "--round": opts.round_id,
        "--arity": opts.arity,
        "--pad-granularity": opts.pad_granularity,
        "--chunk-height": opts.height(),
    }
    if opts.debt_pad_granularity is not None:
        params["--debt-pad-granularity"] = opts.debt_pad_granularity
    return params


@dataclass
class _ManifestStep:
    """``finalize`` of :func:`prove_round`'s trees: removes a manifest an earlier attempt of
    the run left (never this run's), then, with ``checked`` reserves (snapshot, report,
    exchange), builds and writes this run's manifest; ``digest`` is its digest."""

    checked: tuple[ReservesSnapshot, ReservesReport, str] | None
    opts: ProveOptions
    ratio: tuple[int, int]
    disclose_totals: bool
    assets_cfg: AssetsFile
    private: _PrivateStep | None = None
    digest: str | None = None

    def __call__(self, partial: Path, summary: ProveSummary) -> None:
        for stale in ("manifest.json", "manifest.sha256"):
            (partial / stale).unlink(missing_ok=True)
        if self.checked is None:
            return
        snapshot, report, exchange = self.checked
        quote = self.assets_cfg.quote
        proven = None
        if self.private is not None:
            from zkpor.prover.private_reserves import prove_private

            proven = prove_private(
                partial,
                self.private.inputs,
                self.private.keys,
                exchange=exchange,
                round_id=self.opts.round_id,
                master_secret=self.private.master_secret,
            )
        manifest = build_manifest(
            partial,
            summary,
            exchange=exchange,
            round_id=self.opts.round_id,
            arity=self.opts.arity,
            snapshot=snapshot,
            report=report,
            ratio=self.ratio,
            disclose_totals=self.disclose_totals,
            specs=self.assets_cfg.by_symbol(),
            quote=(quote.symbol, quote.decimals) if quote is not None else None,
            private=proven,
        )
        self.digest = write_manifest(partial, manifest)
