"""Proving liabilities: balances CSV -> bundle (public audit file, private store, roots).

Stages (docs/spec/liabilities-tree.md sections 7 and 9.4; docs/operators.md section 3):

- lock: one run per output (:mod:`.lock`); a second run on the same ``--out`` stops at once.
- open: a fresh run draws its run nonce; a rerun finds ``BUNDLE.partial`` and checks it
  (same inputs and secret; the loaded leaves and every finished chunk against their
  checkpoint tags, :mod:`.checkpoint`): changed leaves refuse the resume, a chunk whose
  rows differ or are missing is rebuilt, an unreadable audit file is rebuilt whole.
- load: stream the balances CSV into the private store with each row's secret placement
  key (every bad row reported with file, line and reason; nothing kept), pad each asset
  with zero-value leaves to a multiple of the padding granularity, order the leaves by
  placement key (a secret permutation).
- margin check (rounds with debts): every account with a debt is collateralized after the
  haircuts, else every failing account is named and nothing is kept; the accounts are
  numbered and every input leaf gets its margin tag, which the trees bind (:mod:`.margin`).
  Debts go into one debt tree per asset (tree ``SYMBOL/debt``), built like the equity trees.
- plan and map: build aligned subtrees of height h ("chunks") on the executor; each
  finished chunk is committed with its tag, so a killed run resumes without redoing it
  (:mod:`.chunks`).
- reduce: build the levels above the chunk roots, on the executor in groups while a level is
  wider than ``ProveOptions.driver_nodes``, the last levels on the driver (:mod:`.reduce`);
  write the roots.
- margin: one collateral proof per margin account over its leaf openings (:mod:`.margin`).
- self-check: audit the finished bundle and recompute every leaf and root opening from the
  CSV and the round keys (:mod:`.selfcheck`), then the driver's own check of every hash
  and sum and of a random sample of the workers' proofs and commitments (:mod:`.spotcheck`);
  any difference fails the run.
- publish: ``finalize`` (the manifest), then rename ``BUNDLE.partial`` to ``BUNDLE``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from zkpor.crypto.generators import generator_digest
from zkpor.errors import InputError
from zkpor.formats.identifiers import check_text
from zkpor.formats.models import ROOTS_FORMAT
from zkpor.protocol.margin import MarginTerms
from zkpor.protocol.sumtree import RANGE_BITS, check_arity, debt_tree
from zkpor.prover.liabilities.checkpoint import (
    check_loaded,
    leaves_tag,
    open_audit_checked,
    resumed_nonce,
    start_run,
)
from zkpor.prover.liabilities.chunks import (
    CHUNK_LEAVES,
    MIN_CHUNKS,
    TreePlan,
    base_height,
    plan_tree,
    run_map,
)
from zkpor.prover.liabilities.inputs import (
    MAX_REPORTED_ERRORS,
    U64_MAX,
    AssetSpec,
    InputErrors,
    load_assets,
    read_balances,
)
from zkpor.prover.liabilities.keys import RoundKeys, pad_leaf_id, resume_fingerprint
from zkpor.prover.liabilities.lock import output_lock
from zkpor.prover.liabilities.margin import (
    check_collateral,
    plan_accounts,
    prove_margin,
    tag_leaves,
)
from zkpor.prover.liabilities.progress import CountsEntries
from zkpor.prover.liabilities.reduce import DRIVER_NODES, build_top, group_count, reduce_plan
from zkpor.prover.liabilities.selfcheck import self_check
from zkpor.prover.liabilities.spotcheck import DEFAULT_SAMPLE
from zkpor.prover.liabilities.store import (
    AUDIT_FORMAT,
    get_meta,
    open_audit,
    open_private,
    private_path,
    set_meta,
)

__all__ = [
    "CHUNK_LEAVES",
    "DEFAULT_ARITY",
    "MIN_CHUNKS",
    "ProveOptions",
    "ProveSummary",
    "prove_liabilities",
]

DEFAULT_ARITY: Final[int] = 16  # measured: docs/benchmarks.md, "Choosing the arity"
DEFAULT_PAD_GRANULARITY: Final[int] = 256
_BATCH: Final[int] = 10_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ProveOptions:
    """Parameters of a proving run."""

    round_id: str
    arity: int = DEFAULT_ARITY
    pad_granularity: int = DEFAULT_PAD_GRANULARITY
    chunk_height: int | None = None  # default: the largest h with arity^h <= CHUNK_LEAVES
    debt_pad_granularity: int | None = None  # default: pad_granularity
    # the reduce runs on the executor while a level is wider than this (:mod:`.reduce`);
    # the tree does not depend on it
    driver_nodes: int = DRIVER_NODES
    # leaf commitments and nodes' range proofs per tree, and collateral proofs, that the
    # driver verifies itself before publishing (:mod:`.spotcheck`); at least an item
    # count checks them all, 0 none (only the driver's hash and sum checks)
    self_check_sample: int = DEFAULT_SAMPLE

    def debt_granularity(self) -> int:
        return (
            self.pad_granularity if self.debt_pad_granularity is None else self.debt_pad_granularity
        )

    def height(self) -> int:
        return self.chunk_height if self.chunk_height is not None else base_height(self.arity)


@dataclass
class ProveSummary:
    """What a run did (for the CLI summary and the tests)."""

    bundle: Path
    assets: dict[str, dict[str, object]] = field(default_factory=dict)
    debts: dict[str, dict[str, object]] = field(default_factory=dict)  # asset -> debt root
    margin_accounts: int = 0  # collateral proofs made (dummy accounts included)
    rows: int = 0
    chunks_built: int = 0
    chunks_reused: int = 0
    chunks_rebuilt: int = 0  # finished chunks whose stored rows failed their tag
    audit_rebuilt: bool = False  # the unfinished run's audit file was unreadable


class _StopRequested(Exception):
    """Test hook: stop after a number of chunks, as if the process had been killed."""


def _check_text(text: str, what: str, max_bytes: int, option: str) -> None:
    try:
        check_text(text, what, max_bytes)
    except ValueError as exc:
        raise InputError(str(exc), field=option) from None


def _check_round_id(round_id: str) -> None:
    _check_text(round_id, "round id", 64, "round")


def _input_digest(balances: Path, assets_file: Path, opts: ProveOptions) -> str:
    h = hashlib.sha256()
    for path in (balances, assets_file):
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\x00")
    params: list[object] = [opts.round_id, opts.arity, opts.pad_granularity, opts.height()]
    if opts.debt_pad_granularity is not None:
        params.append(opts.debt_pad_granularity)
    h.update(json.dumps(params).encode())
    return h.hexdigest()


def padded_count(holders: int, granularity: int) -> int:
    """The leaf count of an asset with ``holders`` customers: the next multiple of the
    padding granularity, and at least one granularity."""
    return max(granularity, -(-holders // granularity) * granularity)


def _load(
    priv: sqlite3.Connection,
    balances: Path,
    specs: dict[str, AssetSpec],
    keys: RoundKeys,
    opts: ProveOptions,
    terms: MarginTerms | None,
) -> int:
    """Stream the CSV into the private store (a debt as a leaf of the asset's debt tree);
    check every margin account's collateral; pad and order the leaves; give each collateral
    input leaf its margin tag; tag the rows for resumes (one transaction). Returns the row
    count."""
    assets = list(specs)
    errors: list[InputError] = []
    totals = dict.fromkeys(assets, 0)
    holders = dict.fromkeys(assets, 0)
    for asset in assets:
        totals[debt_tree(asset)] = holders[debt_tree(asset)] = 0
    batch: list[tuple[str, str, str, int, bytes]] = []
    rows = 0
    priv.execute("BEGIN")
    for row in read_balances(balances, specs, errors):
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
        totals[row.asset] += row.units
        holders[row.asset] += 1
        rows += 1
        batch.append(
            (
                row.asset,
                row.user_id,
                str(row.units),
                row.line,
                keys.placement(row.asset, row.user_id),
            )
        )
        if row.debt:
            tree = debt_tree(row.asset)
            totals[tree] += row.debt
            holders[tree] += 1
            batch.append(
                (tree, row.user_id, str(row.debt), row.line, keys.placement(tree, row.user_id))
            )
        if len(batch) >= _BATCH:
            priv.executemany(
                "INSERT INTO leaves(asset, user_id, units, line, placement) VALUES (?,?,?,?,?)",
                batch,
            )
            batch.clear()
    if batch:
        priv.executemany(
            "INSERT INTO leaves(asset, user_id, units, line, placement) VALUES (?,?,?,?,?)", batch
        )
    priv.execute("CREATE INDEX IF NOT EXISTS leaves_user ON leaves(user_id, asset)")
    if len(errors) < MAX_REPORTED_ERRORS:
        dupes = priv.execute(
            "SELECT asset, group_concat(line, ', ') FROM leaves WHERE asset NOT LIKE '%/debt' "
            "GROUP BY user_id, asset HAVING count(*) > 1 LIMIT ?",
            (MAX_REPORTED_ERRORS - len(errors),),
        ).fetchall()
        for asset, lines in dupes:
            first, *others = str(lines).split(", ")
            errors.append(
                InputError(
                    f"duplicate (user, {asset}) row; repeated on line(s) {', '.join(others)}",
                    source=str(balances),
                    line=int(first),
                    field="user_id",
                )
            )
    for asset, total in totals.items():
        if total > U64_MAX:
            what = (
                f"debt total of asset {asset[:-5]}"
                if asset.endswith("/debt")
                else (f"total of asset {asset}")
            )
            errors.append(
                InputError(
                    f"{what} does not fit in 64 bits of base units; "
                    "use a coarser unit (fewer decimals)",
                    source=str(balances),
                )
            )
    if not errors and terms is not None and any(holders[debt_tree(a)] for a in assets):
        try:
            check_collateral(priv, assets, terms, str(balances))
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        priv.execute("ROLLBACK")
        raise InputErrors(
            errors[:MAX_REPORTED_ERRORS], truncated=len(errors) >= MAX_REPORTED_ERRORS
        )
    debt_trees = [debt_tree(a) for a in assets if holders[debt_tree(a)]]
    for asset in [*assets, *debt_trees]:
        granularity = opts.debt_granularity() if asset in debt_trees else opts.pad_granularity
        count = padded_count(holders[asset], granularity)
        pads = [
            (asset, pad_leaf_id(i), "0", None, keys.placement(asset, pad_leaf_id(i)))
            for i in range(count - holders[asset])
        ]
        priv.executemany(
            "INSERT INTO leaves(asset, user_id, units, line, placement) VALUES (?,?,?,?,?)", pads
        )
    priv.execute(
        "CREATE TEMP TABLE ordered AS SELECT rowid AS rid, "
        "ROW_NUMBER() OVER (PARTITION BY asset ORDER BY placement) - 1 AS leaf FROM leaves"
    )
    priv.execute("UPDATE leaves SET leaf = o.leaf FROM ordered AS o WHERE o.rid = leaves.rowid")
    priv.execute("DROP TABLE ordered")
    priv.execute("CREATE UNIQUE INDEX IF NOT EXISTS leaves_pos ON leaves(asset, leaf)")
    if terms is not None and debt_trees:
        tag_leaves(priv, plan_accounts(priv, assets, terms, keys))
    tag_key = keys.checkpoint_key()
    set_meta(
        priv, {f"leaves_tag:{a}": leaves_tag(tag_key, priv, a) for a in [*assets, *debt_trees]}
    )
    set_meta(priv, {"loaded": "1", "rows": str(rows), "debt_trees": json.dumps(debt_trees)})
    priv.execute("COMMIT")
    return rows


def _reduce(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    plans: list[TreePlan],
    opts: ProveOptions,
    executor: Executor,
    window: int,
    progress: Progress | None,
    summary: ProveSummary,
    trees: dict[str, int],
    assets: dict[str, int],
) -> None:
    """The levels above the chunk roots, tree by tree (:mod:`.reduce`); the roots' openings
    and the ``assets`` rows; the summary's roots."""
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
    for plan in plans:
        asset, depth = plan.asset, len(plan.sizes) - 1
        root_value, root_blinding = build_top(
            audit,
            priv,
            asset,
            opts.round_id,
            opts.arity,
            plan.sizes,
            plan.height,
            executor,
            window=window,
            driver_nodes=opts.driver_nodes,
            on_group=on_group,
        )
        priv.execute(
            "INSERT OR REPLACE INTO root_openings(asset, value, blinding) VALUES (?,?,?)",
            (asset, str(root_value), hex(root_blinding)),
        )
        root_hash, root_commitment = audit.execute(
            "SELECT hash, commitment FROM nodes WHERE asset = ? AND level = ? AND idx = 0",
            (asset, depth),
        ).fetchone()
        audit.execute(
            "INSERT OR REPLACE INTO assets VALUES (?,?,?,?,?,?)",
            (asset, trees[asset], plan.leaf_count, depth, root_hash, root_commitment),
        )
        info: dict[str, object] = {
            "leaf_count": plan.leaf_count,
            "depth": depth,
            "root_hash": bytes(root_hash).hex(),
            "root_commitment": bytes(root_commitment).hex(),
        }
        if asset in assets:
            summary.assets[asset] = {"decimals": assets[asset], **info}
        else:
            summary.debts[asset[: -len("/debt")]] = info


def margin_fields(spec: AssetSpec) -> dict[str, object]:
    """The public margin terms of an asset (price and tiers), empty when it has none."""
    if spec.price is None or spec.tiers is None:
        return {}
    tiers = [
        {"ratio": t.ratio} if t.up_to is None else {"up_to": t.up_to, "ratio": t.ratio}
        for t in spec.tiers
    ]
    return {"price": spec.price, "tiers": tiers}


def _published_assets(
    summary: ProveSummary, specs: dict[str, AssetSpec], terms: MarginTerms | None
) -> dict[str, dict[str, object]]:
    """roots.json's assets: the equity roots, with price, tiers and debt root when given."""
    out: dict[str, dict[str, object]] = {}
    for sym, info in summary.assets.items():
        entry = dict(info)
        if terms is not None:
            entry.update(margin_fields(specs[sym]))
        if sym in summary.debts:
            entry["debt"] = summary.debts[sym]
        out[sym] = entry
    return out


def prove_liabilities(
    balances: Path,
    assets_file: Path,
    master_secret: bytes,
    opts: ProveOptions,
    out: Path,
    executor: Executor,
    *,
    progress: Progress | None = None,
    window: int = 32,
    finalize: Callable[[Path, ProveSummary], None] | None = None,
    _stop_after: int | None = None,
    _before_check: Callable[[Path], None] | None = None,
    _run_nonce: bytes | None = None,
) -> ProveSummary:
    """Run the whole pipeline (module doc) and return a summary. Raises InputError (or
    InputErrors) for bad input, with nothing written, and VerificationError when the
    self-check finds the finished bundle differs from the input (nothing published).
    ``finalize(partial_dir, summary)`` runs after the self-check and before the bundle is
    renamed into place (it writes the manifest); if it raises, the finished trees stay in
    ``BUNDLE.partial`` for a rerun. Test hooks: ``_before_check`` (corrupt the finished
    trees before the self-check) and ``_run_nonce`` (a fixed nonce for a fresh run, so
    tests can compare the trees of two runs; a real run always draws a new one)."""
    check_arity(opts.arity)
    _check_round_id(opts.round_id)
    if opts.pad_granularity < 1:
        raise InputError("padding granularity must be at least 1", field="pad-granularity")
    if opts.self_check_sample < 0:
        raise InputError("the self-check sample size must be at least 0")
    assets_cfg = load_assets(assets_file)
    terms = assets_cfg.margin_terms(str(assets_file))
    if not balances.is_file():
        raise InputError("file not found", source=str(balances))
    out.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        if out.exists():
            raise InputError("output exists; choose another --out or remove it", source=str(out))
        partial = out.with_name(out.name + ".partial")
        try:
            return _run(
                balances,
                assets_cfg.by_symbol(),
                terms,
                _input_digest(balances, assets_file, opts),
                master_secret,
                opts,
                out,
                partial,
                executor,
                progress=progress,
                window=window,
                finalize=finalize,
                stop_after=_stop_after,
                before_check=_before_check,
                run_nonce=_run_nonce,
            )
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"the unfinished run's state is damaged ({exc}); remove it to start over",
                source=str(partial),
            ) from None


def _run(
    balances: Path,
    specs: dict[str, AssetSpec],
    terms: MarginTerms | None,
    digest: str,
    master_secret: bytes,
    opts: ProveOptions,
    out: Path,
    partial: Path,
    executor: Executor,
    *,
    progress: Progress | None,
    window: int,
    finalize: Callable[[Path, ProveSummary], None] | None,
    stop_after: int | None,
    before_check: Callable[[Path], None] | None,
    run_nonce: bytes | None,
) -> ProveSummary:
    """The stages after the lock is held (module doc)."""
    assets = {sym: spec.decimals for sym, spec in specs.items()}
    fingerprint = resume_fingerprint(master_secret, opts.round_id)
    summary = ProveSummary(bundle=out)
    fresh = not partial.exists()
    if fresh:
        nonce = start_run(partial, digest, fingerprint, opts.round_id, run_nonce)
    else:
        nonce = resumed_nonce(partial, digest, fingerprint)
    keys = RoundKeys.derive(master_secret, opts.round_id, nonce)
    tag_key = keys.checkpoint_key()
    audit, summary.audit_rebuilt = open_audit_checked(partial / "audit.sqlite")
    priv = open_private(private_path(partial), create=True)
    try:
        fresh_load = get_meta(priv).get("loaded") != "1"
        if fresh_load:
            if progress:
                progress("load", 0, 1)
            try:
                summary.rows = _load(priv, balances, specs, keys, opts, terms)
                if progress:
                    progress("load", 1, 1)
            except InputError:
                audit.close()
                priv.close()
                shutil.rmtree(partial, ignore_errors=True)
                raise
        debt_trees: list[str] = json.loads(get_meta(priv).get("debt_trees", "[]"))
        trees = {**assets, **{t: assets[t[:-5]] for t in debt_trees}}
        if not fresh_load:
            check_loaded(priv, list(trees), tag_key, partial)
            summary.rows = int(get_meta(priv).get("rows", "0"))
        plans = [
            plan_tree(audit, priv, t, opts.arity, opts.height(), opts.chunk_height is None, tag_key)
            for t in trees
        ]
        summary.chunks_rebuilt = sum(p.rejected for p in plans)
        summary.chunks_reused = sum(p.chunks - len(p.todo) for p in plans)

        def on_chunk(done: int, total: int, leaves_done: int, leaves: int) -> None:
            if isinstance(progress, CountsEntries):
                progress.entries("prove", leaves_done, leaves)
            if progress:
                progress("prove", done, total)

        summary.chunks_built = run_map(
            audit,
            priv,
            plans,
            keys,
            opts.round_id,
            opts.arity,
            executor,
            window=window,
            on_chunk=on_chunk,
            stop_after=stop_after,
        )
        if stop_after is not None and summary.chunks_built >= stop_after:
            raise _StopRequested
        _reduce(audit, priv, plans, opts, executor, window, progress, summary, trees, assets)
        if terms is not None and debt_trees:
            summary.margin_accounts = prove_margin(
                audit, priv, list(assets), terms, keys, executor, progress=progress
            )
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
    finally:
        audit.close()
        priv.close()
    roots: dict[str, object] = {
        "format": ROOTS_FORMAT,
        "round_id": opts.round_id,
        "arity": opts.arity,
        "range_bits": RANGE_BITS,
        "generator_digest": generator_digest().hex(),
        "assets": _published_assets(summary, specs, terms),
    }
    if terms is not None:
        roots["quote"] = {"symbol": terms.quote_symbol, "decimals": terms.quote_decimals}
    tmp = partial / "roots.json.tmp"
    tmp.write_text(json.dumps(roots, indent=2) + "\n")
    tmp.replace(partial / "roots.json")
    if before_check is not None:
        before_check(partial)
    self_check(
        partial,
        balances,
        specs,
        keys,
        executor,
        progress=progress,
        trees=list(trees),
        sample=opts.self_check_sample,
    )
    if finalize is not None:
        finalize(partial, summary)  # may raise: the checkpoints stay for a rerun
    audit = open_audit(partial / "audit.sqlite")
    try:
        audit.execute("DROP TABLE IF EXISTS progress")
        audit.execute("VACUUM")
    finally:
        audit.close()
    partial.replace(out)
    return summary
