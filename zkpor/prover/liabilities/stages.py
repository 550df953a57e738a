"""The stages of a proving run, each a function of explicit inputs and outputs; their order
and what the whole run guarantees are in :mod:`.prover`.

Spec: docs/spec/bundle-and-audit.md (9.1 layout, 9.2 roots.json, 9.3 audit.sqlite, 9.4 the
private store, resuming and the self-check), docs/spec/liabilities-tree.md (7),
docs/spec/margin.md (16.4 collateral proofs, 16.6 roots fields).

Between :func:`open_run` and ``OpenRun.close`` the stages write only ``BUNDLE.partial``
(its audit file and private store); :func:`publish_bundle` alone renames it to ``BUNDLE``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from zkpor.crypto.generators import generator_digest
from zkpor.errors import InputError
from zkpor.formats.models import ROOTS_FORMAT
from zkpor.protocol.margin import MarginTerms
from zkpor.protocol.sumtree import RANGE_BITS, debt_tree
from zkpor.prover.liabilities.checkpoint import (
    check_loaded,
    open_audit_checked,
    resumed_nonce,
    start_run,
)
from zkpor.prover.liabilities.chunks import TreePlan, plan_tree, run_map
from zkpor.prover.liabilities.inputs import AssetSpec
from zkpor.prover.liabilities.keys import RoundKeys, resume_fingerprint
from zkpor.prover.liabilities.load import load_leaves
from zkpor.prover.liabilities.margin import MarginResult, prove_margin
from zkpor.prover.liabilities.options import (
    Progress,
    ProveOptions,
    ProveSummary,
    StopRequested,
)
from zkpor.prover.liabilities.progress import CountsEntries
from zkpor.prover.liabilities.reduce import build_top, group_count, reduce_plan
from zkpor.prover.liabilities.selfcheck import self_check
from zkpor.prover.liabilities.store import (
    AUDIT_FORMAT,
    get_meta,
    open_audit,
    open_private,
    private_path,
    set_meta,
)

__all__ = [
    "LoadedTrees",
    "OpenRun",
    "RoundInputs",
    "TreeRoots",
    "check_bundle",
    "load_inputs",
    "margin_fields",
    "open_run",
    "plan_chunks",
    "prove_chunks",
    "prove_margin_accounts",
    "publish_bundle",
    "reduce_trees",
    "summarize_roots",
    "write_audit_meta",
    "write_roots",
]

# tree -> {leaf_count, depth, root_hash, root_commitment} (hex), in tree order
TreeRoots = dict[str, dict[str, object]]


@dataclass(frozen=True)
class RoundInputs:
    """What a run proves: the balances CSV, the assets by symbol, the margin terms (None
    without a quote), and the digest of inputs and options that a resume must match."""

    balances: Path
    specs: dict[str, AssetSpec]
    terms: MarginTerms | None
    digest: str

    def decimals(self) -> dict[str, int]:
        return {sym: spec.decimals for sym, spec in self.specs.items()}


@dataclass
class OpenRun:
    """``BUNDLE.partial`` opened: the round keys of its run nonce, its audit file and its
    private store; ``audit_rebuilt`` when an unfinished run's audit file was unreadable."""

    partial: Path
    keys: RoundKeys
    audit: sqlite3.Connection
    priv: sqlite3.Connection
    audit_rebuilt: bool

    def close(self) -> None:
        self.audit.close()
        self.priv.close()


@dataclass(frozen=True)
class LoadedTrees:
    """The loaded leaves' trees: each tree's decimals, every asset's tree and then the debt
    trees (``SYM/debt``, only of assets with a debt); and the CSV's row count."""

    trees: dict[str, int]
    debt_trees: list[str]
    rows: int


def open_run(
    partial: Path,
    inputs: RoundInputs,
    master_secret: bytes,
    opts: ProveOptions,
    run_nonce: bytes | None,
    on_resume: Callable[[Path], None] | None = None,
) -> OpenRun:
    """Start ``partial`` with a new run nonce (``run_nonce`` if given), or resume it with
    its stored one after checking it is of the same inputs and secret (then, and only then,
    ``on_resume(partial)`` is told); open its stores."""
    if not partial.exists():
        fingerprint = resume_fingerprint(master_secret, opts.round_id)
        nonce = start_run(partial, inputs.digest, fingerprint, opts.round_id, run_nonce)
    else:
        nonce = resumed_nonce(
            partial, inputs.digest, lambda round_id: resume_fingerprint(master_secret, round_id)
        )
        if on_resume is not None:
            on_resume(partial)
    keys = RoundKeys.derive(master_secret, opts.round_id, nonce)
    audit, rebuilt = open_audit_checked(partial / "audit.sqlite")
    priv = open_private(private_path(partial), create=True)
    return OpenRun(partial, keys, audit, priv, rebuilt)


def load_inputs(
    run: OpenRun, inputs: RoundInputs, opts: ProveOptions, progress: Progress | None
) -> LoadedTrees:
    """Load the CSV (:mod:`.load`) unless an earlier attempt did; leaves loaded before must
    match their checkpoint tags. Bad input removes ``BUNDLE.partial`` and raises."""
    rows = _first_load(run, inputs, opts, progress) if not _loaded(run) else None
    debt_trees: list[str] = json.loads(get_meta(run.priv).get("debt_trees", "[]"))
    decimals = inputs.decimals()
    in_debt = {debt_tree(sym): sym for sym in decimals}
    trees = {**decimals, **{t: decimals[in_debt[t]] for t in debt_trees}}
    if rows is None:
        check_loaded(run.priv, list(trees), run.keys.checkpoint_key(), run.partial)
        rows = int(get_meta(run.priv).get("rows", "0"))
    return LoadedTrees(trees, debt_trees, rows)


def _loaded(run: OpenRun) -> bool:
    return get_meta(run.priv).get("loaded") == "1"


def _first_load(
    run: OpenRun, inputs: RoundInputs, opts: ProveOptions, progress: Progress | None
) -> int:
    """:func:`.load.load_leaves`, reported as the ``load`` stage; on bad input the run is
    closed and ``BUNDLE.partial`` removed. Returns the row count."""
    if progress:
        progress("load", 0, 1)
    try:
        rows = load_leaves(run.priv, inputs.balances, inputs.specs, run.keys, opts, inputs.terms)
        if progress:
            progress("load", 1, 1)
    except InputError:
        run.close()
        shutil.rmtree(run.partial, ignore_errors=True)
        raise
    return rows


def plan_chunks(run: OpenRun, trees: list[str], opts: ProveOptions) -> list[TreePlan]:
    """Every tree's chunks; a finished chunk whose stored rows pass their tag is kept."""
    tag_key = run.keys.checkpoint_key()
    auto = opts.chunk_height is None
    return [
        plan_tree(run.audit, run.priv, t, opts.arity, opts.height(), auto, tag_key) for t in trees
    ]


def prove_chunks(
    run: OpenRun,
    plans: list[TreePlan],
    opts: ProveOptions,
    executor: Executor,
    *,
    window: int,
    progress: Progress | None,
    stop_after: int | None,
) -> int:
    """Build the chunks still to do on ``executor``, each committed as it arrives; returns
    how many were built. Raises StopRequested once ``stop_after`` were built."""

    def on_chunk(done: int, total: int, leaves_done: int, leaves: int) -> None:
        if isinstance(progress, CountsEntries):
            progress.entries("prove", leaves_done, leaves)
        if progress:
            progress("prove", done, total)

    built = run_map(
        run.audit,
        run.priv,
        plans,
        run.keys,
        opts.round_id,
        opts.arity,
        executor,
        window=window,
        on_chunk=on_chunk,
        stop_after=stop_after,
    )
    if stop_after is not None and built >= stop_after:
        raise StopRequested
    return built


def reduce_trees(
    run: OpenRun,
    plans: list[TreePlan],
    trees: dict[str, int],
    opts: ProveOptions,
    executor: Executor,
    *,
    window: int,
    progress: Progress | None,
) -> TreeRoots:
    """The levels above the chunk roots, tree by tree (:mod:`.reduce`); stores each root's
    opening and its ``assets`` row (``trees`` gives the decimals); returns the roots."""
    total = sum(
        group_count(p.sizes, opts.arity, level, g)
        for p in plans
        for level, g in reduce_plan(p.sizes, p.height, opts.driver_nodes)
    )
    done = [0]

    def on_group() -> None:
        done[0] += 1
        if progress:
            progress("reduce", done[0], total)

    if progress and total:
        progress("reduce", 0, total)
    roots: TreeRoots = {}
    for plan in plans:
        value, blinding = build_top(
            run.audit,
            run.priv,
            plan.asset,
            opts.round_id,
            opts.arity,
            plan.sizes,
            plan.height,
            executor,
            window=window,
            driver_nodes=opts.driver_nodes,
            on_group=on_group,
        )
        roots[plan.asset] = _store_root(run, plan, trees[plan.asset], value, blinding)
    return roots


def _store_root(
    run: OpenRun, plan: TreePlan, decimals: int, value: int, blinding: int
) -> dict[str, object]:
    """A finished tree's root opening (private) and ``assets`` row (public); its root."""
    depth = len(plan.sizes) - 1
    run.priv.execute(
        "INSERT OR REPLACE INTO root_openings(asset, value, blinding) VALUES (?,?,?)",
        (plan.asset, str(value), hex(blinding)),
    )
    root_hash, root_commitment = run.audit.execute(
        "SELECT hash, commitment FROM nodes WHERE asset = ? AND level = ? AND idx = 0",
        (plan.asset, depth),
    ).fetchone()
    run.audit.execute(
        "INSERT OR REPLACE INTO assets VALUES (?,?,?,?,?,?)",
        (plan.asset, decimals, plan.leaf_count, depth, root_hash, root_commitment),
    )
    return {
        "leaf_count": plan.leaf_count,
        "depth": depth,
        "root_hash": bytes(root_hash).hex(),
        "root_commitment": bytes(root_commitment).hex(),
    }


def summarize_roots(
    roots: TreeRoots, decimals: dict[str, int]
) -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    """The summary's ``assets`` (each root with its decimals first) and ``debts`` (asset ->
    debt root), in tree order."""
    assets = {sym: {"decimals": decimals[sym], **roots[sym]} for sym in roots if sym in decimals}
    in_debt = {debt_tree(sym): sym for sym in decimals}
    debts = {in_debt[t]: info for t, info in roots.items() if t in in_debt}
    return assets, debts


def prove_margin_accounts(
    run: OpenRun,
    inputs: RoundInputs,
    loaded: LoadedTrees,
    executor: Executor,
    progress: Progress | None,
    stop_after: int | None = None,
) -> MarginResult:
    """One collateral proof per margin account (:mod:`.margin`), only in a round with debt
    trees; proofs an unfinished run finished (their checkpoint tags verified) are reused.
    Raises StopRequested once ``stop_after`` new proofs are committed (a test hook)."""
    if inputs.terms is None or not loaded.debt_trees:
        return MarginResult(0, 0)
    return prove_margin(
        run.audit,
        run.priv,
        list(inputs.specs),
        inputs.terms,
        run.keys,
        executor,
        progress=progress,
        stop_after=stop_after,
    )


def write_audit_meta(audit: sqlite3.Connection, opts: ProveOptions) -> None:
    """The audit file's ``meta``: its format and the round's public parameters."""
    set_meta(
        audit,
        {
            "format": AUDIT_FORMAT,
            "round_id": opts.round_id,
            "arity": str(opts.arity),
            "range_bits": str(RANGE_BITS),
            "generator_digest": generator_digest().hex(),
            "curve": "secp256k1",
            "hash": "SHA-256",
        },
    )


def published_decimal(text: str) -> str:
    """A price or bound of the assets file in its published form (docs/spec/margin.md 16.1):
    the integer part without leading zeros ("0" kept), the fraction as written."""
    whole, point, fraction = text.partition(".")
    return (whole.lstrip("0") or "0") + point + fraction


def margin_fields(spec: AssetSpec) -> dict[str, object]:
    """The public margin terms of an asset (price and tiers, in their published form),
    empty when it has none."""
    if spec.price is None or spec.tiers is None:
        return {}
    tiers = [
        {"ratio": t.ratio}
        if t.up_to is None
        else {"up_to": published_decimal(t.up_to), "ratio": t.ratio}
        for t in spec.tiers
    ]
    return {"price": published_decimal(spec.price), "tiers": tiers}


def write_roots(
    partial: Path, opts: ProveOptions, inputs: RoundInputs, summary: ProveSummary
) -> None:
    """``roots.json`` (written whole, then renamed into place): the round's parameters and
    every asset's root, with its price, tiers and debt root when it has them."""
    assets: dict[str, dict[str, object]] = {}
    for sym, info in summary.assets.items():
        entry = dict(info)
        if inputs.terms is not None:
            entry.update(margin_fields(inputs.specs[sym]))
        if sym in summary.debts:
            entry["debt"] = summary.debts[sym]
        assets[sym] = entry
    roots: dict[str, object] = {
        "format": ROOTS_FORMAT,
        "round_id": opts.round_id,
        "arity": opts.arity,
        "range_bits": RANGE_BITS,
        "generator_digest": generator_digest().hex(),
        "assets": assets,
    }
    if inputs.terms is not None:
        quote = {"symbol": inputs.terms.quote_symbol, "decimals": inputs.terms.quote_decimals}
        roots["quote"] = quote
    tmp = partial / "roots.json.tmp"
    tmp.write_text(json.dumps(roots, indent=2) + "\n")
    tmp.replace(partial / "roots.json")


def check_bundle(
    partial: Path,
    inputs: RoundInputs,
    keys: RoundKeys,
    trees: list[str],
    opts: ProveOptions,
    executor: Executor,
    progress: Progress | None,
) -> None:
    """The self-check of the finished trees against the CSV and the round keys
    (:mod:`.selfcheck`); raises VerificationError on any difference."""
    self_check(
        partial,
        inputs.balances,
        inputs.specs,
        keys,
        executor,
        progress=progress,
        trees=trees,
        sample=opts.self_check_sample,
    )


def publish_bundle(
    partial: Path,
    out: Path,
    summary: ProveSummary,
    finalize: Callable[[Path, ProveSummary], None] | None,
) -> None:
    """``finalize(partial, summary)`` (the manifest; if it raises, ``partial`` stays for a
    rerun), then the audit file without its ``progress`` table, then ``partial`` -> ``out``."""
    if finalize is not None:
        finalize(partial, summary)
    audit = open_audit(partial / "audit.sqlite")
    try:
        audit.execute("DROP TABLE IF EXISTS progress")
        audit.execute("VACUUM")
    finally:
        audit.close()
    partial.replace(out)
