"""Assembling the manifest of a round: trees + reserves + solvency proofs; publishing it.

Spec: docs/spec/solvency-and-manifest.md (11 solvency, 12 the manifest),
docs/spec/margin.md (16.5 net solvency, 16.6 manifest fields), docs/spec/bundle-and-audit.md
(9.1 what a bundle publishes).

For an asset with a debt tree the solvency proof is over the net liabilities E - D:
C_net = C_E - C_D opens to (E - D, r_E - r_D), and the proof shows q R >= p (E - D)
(:mod:`zkpor.protocol.solvency`; docs/spec/margin.md 16.5: why nothing wraps)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from zkpor.atomicfile import write_atomic
from zkpor.crypto.generators import generator_digest
from zkpor.crypto.group import Point
from zkpor.crypto.pedersen import Opening
from zkpor.errors import InsolventError
from zkpor.formats.amounts import format_units
from zkpor.formats.auditfile import AUDIT_FORMAT, AUDIT_TABLES
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
from zkpor.formats.models import Roots
from zkpor.protocol.sumtree import debt_tree
from zkpor.prover.liabilities.inputs import AssetsFile, AssetSpec
from zkpor.prover.liabilities.precheck import shortfall_message, uncovered
from zkpor.prover.liabilities.prover import ProveOptions, ProveSummary, margin_fields
from zkpor.prover.liabilities.store import open_private, private_path
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
) -> Manifest:
    """The manifest for a finished tree build in ``bundle``. Raises InsolventError naming
    the first asset whose reserves do not cover its liabilities (times the ratio): net of
    debts for an asset with a debt tree. ``specs`` and ``quote`` give the margin terms
    (prices and tiers) published with a quote.

    Built in two passes: every field but the solvency proofs, then each asset's proof bound
    to the statement digest of the first pass (:func:`zkpor.formats.manifest.statement_digest`)."""
    tree_openings = _root_openings(bundle)
    debts = {sym: tree_openings[debt_tree(sym)] for sym in summary.debts}
    openings = {
        sym: tree_openings[sym] - debts[sym] if sym in debts else tree_openings[sym]
        for sym in summary.assets
    }
    _check_solvent(summary, report, openings, ratio)
    by_asset = {entry.asset: entry for entry in snapshot.assets}
    assets: dict[str, ManifestAsset] = {}
    for sym in summary.assets:
        margin: dict[str, object] = {}
        if quote is not None and specs is not None:
            margin.update(margin_fields(specs[sym]))
        if sym in summary.debts:
            margin["debt"] = summary.debts[sym]
        assets[sym] = _manifest_asset(
            summary.assets[sym],
            by_asset[sym],
            report.totals[sym],
            f"{ratio[0]}/{ratio[1]}",
            (tree_openings[sym], debts.get(sym)) if disclose_totals else None,
            margin,
        )
    draft = _draft(exchange, round_id, arity, assets, quote)
    return _with_solvency_proofs(draft, report, openings, ratio)


def _check_solvent(
    summary: ProveSummary,
    report: ReservesReport,
    openings: dict[str, Opening],
    ratio: tuple[int, int],
) -> None:
    """InsolventError naming every asset whose reserves do not cover ``openings`` (the
    liabilities, net of debts) times the ratio."""
    short = uncovered(
        report.totals,
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
) -> Manifest:
    """The second pass: each asset's solvency proof over ``openings`` (net liabilities),
    bound to the draft's statement digest."""
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
) -> tuple[ProveSummary, str | None]:
    """A whole round: check the reserves snapshot (if given) first, build the trees, then
    prove solvency per asset and write the manifest before the bundle is renamed into place.

    Returns the tree summary and the manifest digest (None without reserves). Raises
    InputError for bad input or reserves (every problem listed; the exchange name must pass
    the identifier rules, at most 100 bytes), VerificationError when the finished trees fail
    the prover's self-check (nothing published), and InsolventError naming an asset that is
    not covered (in both cases the finished trees stay in BUNDLE.partial).
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
    totals = scan_balances(balances, assets_cfg.by_symbol())
    if checked is not None:
        decimals = {a.symbol: a.decimals for a in assets_cfg.assets}
        check_covered(totals, checked[1].totals, ratio, decimals)
    step = _ManifestStep(checked, opts, ratio, disclose_totals, assets_cfg)
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
    digest: str | None = None

    def __call__(self, partial: Path, summary: ProveSummary) -> None:
        for stale in ("manifest.json", "manifest.sha256"):
            (partial / stale).unlink(missing_ok=True)
        if self.checked is None:
            return
        snapshot, report, exchange = self.checked
        quote = self.assets_cfg.quote
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
        )
        self.digest = write_manifest(partial, manifest)


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
    import shutil
    import tempfile

    from zkpor.errors import InputError
    from zkpor.web import PAGE_NAME, write_page

    src = bundle.resolve()
    if src.name.endswith(".partial"):
        raise InputError(
            "an unfinished run (BUNDLE.partial): finish it with zkpor prove first",
            source=str(bundle),
        )
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
    names = [n for n in PUBLISHED_FILES if os.path.lexists(src / n)]
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        # copy first, then check the copies: what is checked is what is published
        for name in names:
            _copy_regular(src / name, staging / name, bundle)
        check_published(staging, str(bundle))
        write_page(staging)
        os.chmod(staging, 0o755)
        if out.exists():
            out.rmdir()  # empty (checked above)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / n for n in [*names, PAGE_NAME]]


def _copy_regular(path: Path, target: Path, bundle: Path) -> None:
    """Copy ``path`` to ``target`` (mode 0644) only if it is a regular file, not followed
    through a symbolic link (a link could point at the private store or a key file)."""
    import stat

    from zkpor.errors import InputError

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(
            f"{path.name}: not a regular file of the bundle ({exc.strerror})", source=str(bundle)
        ) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise InputError(f"{path.name}: not a regular file", source=str(bundle))
        with open(target, "xb") as dst:
            while chunk := fh.read(1 << 20):
                dst.write(chunk)
    os.chmod(target, 0o644)


# The tables of a published audit file (docs/spec/bundle-and-audit.md 9.3; margin tables 16.7): nothing else,
# so a private store (leaves, root_openings, chunk_roots ...) can never pass as one.


def check_published(folder: Path, source: str) -> None:
    """The files about to be published agree with each other and are what they claim:
    roots.json parses as roots; audit.sqlite is a finished audit file (only the audit
    tables, no ``progress`` table of an unfinished run, the round and the roots of
    roots.json); a manifest is the digest's, and names the same round and roots."""
    from zkpor.errors import InputError
    from zkpor.formats.strictjson import parse_public
    from zkpor.verify.manifest import manifest_roots
    from zkpor.verify.trees import check_schema, connect_readonly

    roots = parse_public(Roots, (folder / "roots.json").read_bytes(), f"{source}/roots.json")
    audit_source = f"{source}/audit.sqlite"
    try:
        conn = connect_readonly(folder / "audit.sqlite")
        try:
            check_schema(conn, audit_source)
            tables = {
                str(n).lower()
                for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "progress" in tables:
                raise InputError("an unfinished run (progress table present)", source=audit_source)
            if not tables <= AUDIT_TABLES:
                extra = ", ".join(sorted(tables - AUDIT_TABLES))
                raise InputError(
                    f"not a published audit file (tables {extra})", source=audit_source
                )
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            rows = conn.execute(
                "SELECT asset, leaf_count, depth, root_hash, root_commitment FROM assets"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a SQLite audit file ({exc})", source=audit_source) from None
    if meta.get("format") != AUDIT_FORMAT or meta.get("round_id") != roots.round_id:
        raise InputError(
            "audit file and roots.json are not of the same finished round", source=audit_source
        )
    in_audit = {str(a): (int(n), int(d), bytes(h).hex(), bytes(c).hex()) for a, n, d, h, c in rows}
    in_roots = _root_tuples(roots)
    if in_audit != in_roots:
        raise InputError("audit.sqlite and roots.json hold different roots", source=source)
    if (folder / "manifest.json").exists():
        manifest = parse_public(
            Manifest, (folder / "manifest.json").read_bytes(), f"{source}/manifest.json"
        )
        digest_file = folder / "manifest.sha256"
        stated = digest_file.read_text().strip() if digest_file.exists() else ""
        if stated != manifest_digest(manifest):
            raise InputError("manifest.sha256 is not the digest of manifest.json", source=source)
        stated_roots = manifest_roots(manifest)
        if _root_tuples(stated_roots) != in_roots or (
            stated_roots.round_id,
            stated_roots.arity,
        ) != (roots.round_id, roots.arity):
            raise InputError("manifest.json and roots.json hold different roots", source=source)


def _root_tuples(roots: Roots) -> dict[str, tuple[int, int, str, str]]:
    """Every tree's (leaf count, depth, root hash, root commitment), debt trees as SYM/debt."""
    out = {
        sym: (r.leaf_count, r.depth, r.root_hash, r.root_commitment)
        for sym, r in roots.assets.items()
    }
    for sym, r in roots.assets.items():
        if r.debt is not None:
            d = r.debt
            out[debt_tree(sym)] = (d.leaf_count, d.depth, d.root_hash, d.root_commitment)
    return out
