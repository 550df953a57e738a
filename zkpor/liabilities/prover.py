"""Proving liabilities: balances CSV -> bundle (public audit file, private store, roots).

Pipeline (docs/spec.md, "Liabilities tree"; docs/operators.md):

1. Parse the assets file and stream the balances CSV into the private store, with each row's
   secret placement key. Every bad row is reported (file, line, reason) and nothing is kept.
2. Per asset: pad the customer count up to a multiple of the padding granularity with
   zero-value leaves, order all leaves by placement key (a secret permutation).
3. Map: build aligned subtrees of height h ("chunks") on the executor. Reduce: build the
   levels above the chunk roots. Each finished chunk is committed with a checkpoint, so a
   killed run resumes from ``BUNDLE.partial`` without redoing finished chunks.
4. Write the roots, then rename ``BUNDLE.partial`` to ``BUNDLE`` (all or nothing).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ..errors import InputError
from ..generators import generator_digest
from ..group import Point
from ..sumtree import RANGE_BITS, check_arity, level_sizes
from .build import ChunkResult, ChunkTask, LevelNode, build_chunk, build_levels
from .inputs import (
    MAX_REPORTED_ERRORS,
    U64_MAX,
    AssetSpec,
    InputErrors,
    load_assets,
    read_balances,
)
from .keys import RoundKeys, pad_leaf_id
from .store import AUDIT_FORMAT, get_meta, open_audit, open_private, private_path, set_meta

__all__ = ["DEFAULT_ARITY", "ProveOptions", "ProveSummary", "prove_liabilities"]

DEFAULT_ARITY: Final[int] = 16  # measured: docs/benchmarks.md, "Choosing the arity"
DEFAULT_PAD_GRANULARITY: Final[int] = 256
CHUNK_LEAVES: Final[int] = 1024
MIN_CHUNKS: Final[int] = 8
_BATCH: Final[int] = 10_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ProveOptions:
    """Parameters of a proving run."""

    round_id: str
    arity: int = DEFAULT_ARITY
    pad_granularity: int = DEFAULT_PAD_GRANULARITY
    chunk_height: int | None = None  # default: the largest h with arity^h <= CHUNK_LEAVES

    def height(self) -> int:
        if self.chunk_height is not None:
            return self.chunk_height
        h = 1
        while self.arity ** (h + 1) <= CHUNK_LEAVES:
            h += 1
        return h


@dataclass
class ProveSummary:
    """What a run did (for the CLI summary and the tests)."""

    bundle: Path
    assets: dict[str, dict[str, object]] = field(default_factory=dict)
    rows: int = 0
    chunks_built: int = 0
    chunks_reused: int = 0


class _StopRequested(Exception):
    """Test hook: stop after a number of chunks, as if the process had been killed."""


def _check_round_id(round_id: str) -> None:
    if not round_id or len(round_id) > 64 or not round_id.isprintable():
        raise InputError("round id must be 1-64 printable characters", field="round")


def _input_digest(balances: Path, assets_file: Path, opts: ProveOptions) -> str:
    h = hashlib.sha256()
    for path in (balances, assets_file):
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\x00")
    h.update(json.dumps([opts.round_id, opts.arity, opts.pad_granularity, opts.height()]).encode())
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
) -> int:
    """Stream the CSV into the private store; pad and order the leaves. Returns row count."""
    assets = list(specs)
    errors: list[InputError] = []
    totals = dict.fromkeys(assets, 0)
    holders = dict.fromkeys(assets, 0)
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
            "SELECT asset, group_concat(line, ', ') FROM leaves GROUP BY user_id, asset "
            "HAVING count(*) > 1 LIMIT ?",
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
            errors.append(
                InputError(
                    f"total of asset {asset} does not fit in 64 bits of base units; "
                    "use a coarser unit (fewer decimals)",
                    source=str(balances),
                )
            )
    if errors:
        priv.execute("ROLLBACK")
        raise InputErrors(
            errors[:MAX_REPORTED_ERRORS], truncated=len(errors) >= MAX_REPORTED_ERRORS
        )
    for asset in assets:
        count = padded_count(holders[asset], opts.pad_granularity)
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
    set_meta(priv, {"loaded": "1", "rows": str(rows)})
    priv.execute("COMMIT")
    return rows


def _chunk_tasks(
    priv: sqlite3.Connection,
    asset: str,
    keys: RoundKeys,
    opts: ProveOptions,
    sizes: tuple[int, ...],
    height: int,
    todo: list[int],
) -> Iterator[ChunkTask]:
    span = opts.arity**height
    for chunk in todo:
        leaves = priv.execute(
            "SELECT user_id, units FROM leaves WHERE asset = ? AND leaf >= ? AND leaf < ? "
            "ORDER BY leaf",
            (asset, chunk * span, (chunk + 1) * span),
        ).fetchall()
        yield ChunkTask(
            round_id=opts.round_id,
            asset=asset,
            round_key=keys.round_key,
            arity=opts.arity,
            height=height,
            chunk=chunk,
            level_sizes=sizes,
            leaves=tuple((uid, int(units)) for uid, units in leaves),
        )


def _store_chunk(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    res: ChunkResult,
    arity: int,
) -> None:
    h = res.height
    first_leaf = res.chunk * arity**h
    priv.execute("BEGIN")
    priv.executemany(
        "UPDATE leaves SET blinding = ?, salt = ? WHERE asset = ? AND leaf = ?",
        [(hex(b), s, res.asset, first_leaf + i) for i, (b, s) in enumerate(res.openings)],
    )
    value, blinding = res.root_opening
    priv.execute(
        "INSERT OR REPLACE INTO chunk_roots(asset, chunk, value, blinding) VALUES (?,?,?,?)",
        (res.asset, res.chunk, str(value), hex(blinding)),
    )
    priv.execute("COMMIT")
    audit.execute("BEGIN")
    for level, nodes in enumerate(res.levels):
        base = res.chunk * arity ** (h - level)
        proofs = res.proofs[level]
        audit.executemany(
            "INSERT OR REPLACE INTO nodes(asset, level, idx, hash, commitment, proof) "
            "VALUES (?,?,?,?,?,?)",
            [
                (res.asset, level, base + i, nh, nc, proofs[i] if proofs else None)
                for i, (nh, nc) in enumerate(nodes)
            ],
        )
    audit.execute(
        "INSERT OR REPLACE INTO progress(asset, chunk) VALUES (?, ?)", (res.asset, res.chunk)
    )
    audit.execute("COMMIT")


def _build_top(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    opts: ProveOptions,
    sizes: tuple[int, ...],
    height: int,
) -> tuple[int, int]:
    """Build the levels above the chunk roots; return the root's (value, blinding)."""
    depth = len(sizes) - 1
    if height >= depth:
        value, blinding = priv.execute(
            "SELECT value, blinding FROM chunk_roots WHERE asset = ? AND chunk = 0", (asset,)
        ).fetchone()
        return int(value), int(blinding, 16)
    rows = audit.execute(
        "SELECT idx, hash, commitment FROM nodes WHERE asset = ? AND level = ? ORDER BY idx",
        (asset, height),
    ).fetchall()
    openings = dict(
        (chunk, (int(v), int(b, 16)))
        for chunk, v, b in priv.execute(
            "SELECT chunk, value, blinding FROM chunk_roots WHERE asset = ?", (asset,)
        )
    )
    nodes = [LevelNode(h, Point.from_bytes(c), openings[i][0], openings[i][1]) for i, h, c in rows]
    levels, proofs = build_levels(opts.round_id, asset, opts.arity, sizes, height, 0, nodes, depth)
    audit.execute("BEGIN")
    for offset, (lvl, prf) in enumerate(zip(levels, proofs)):
        level = height + 1 + offset
        audit.executemany(
            "INSERT OR REPLACE INTO nodes(asset, level, idx, hash, commitment, proof) "
            "VALUES (?,?,?,?,?,?)",
            [(asset, level, i, n.hash, n.commitment.to_bytes(), prf[i]) for i, n in enumerate(lvl)],
        )
    audit.execute("COMMIT")
    root = levels[-1][0]
    return root.value, root.blinding


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
) -> ProveSummary:
    """Run the whole pipeline (module doc) and return a summary. Raises InputError (or
    InputErrors) for bad input, with nothing written. ``finalize(partial_dir, summary)``
    runs after the trees are complete and before the bundle is renamed into place (it writes
    the manifest); if it raises, the finished trees stay in ``BUNDLE.partial`` for a rerun."""
    check_arity(opts.arity)
    _check_round_id(opts.round_id)
    if opts.pad_granularity < 1:
        raise InputError("padding granularity must be at least 1", field="pad-granularity")
    assets_cfg = load_assets(assets_file)
    assets = {a.symbol: a.decimals for a in assets_cfg.assets}
    if out.exists():
        raise InputError("output exists; choose another --out or remove it", source=str(out))
    for path in (balances,):
        if not path.is_file():
            raise InputError("file not found", source=str(path))
    keys = RoundKeys.derive(master_secret, opts.round_id)
    partial = out.with_name(out.name + ".partial")
    digest = _input_digest(balances, assets_file, opts)
    fingerprint = hashlib.sha256(b"zkpor-resume" + keys.round_key).hexdigest()
    summary = ProveSummary(bundle=out)
    fresh = not partial.exists()
    if not fresh:
        try:
            priv_meta = get_meta(open_private(private_path(partial)))
        except (OSError, sqlite3.Error):
            priv_meta = {}
        if priv_meta.get("input_digest") != digest or priv_meta.get("fingerprint") != fingerprint:
            raise InputError(
                "an unfinished run with different inputs or secret is in the way; remove it",
                source=str(partial),
            )
    partial.mkdir(parents=True, exist_ok=True)
    audit = open_audit(partial / "audit.sqlite", create=True)
    priv = open_private(private_path(partial), create=True)
    try:
        if fresh:
            set_meta(
                priv,
                {"input_digest": digest, "fingerprint": fingerprint, "round_id": opts.round_id},
            )
        if get_meta(priv).get("loaded") != "1":
            if progress:
                progress("load", 0, 1)
            try:
                summary.rows = _load(priv, balances, assets_cfg.by_symbol(), keys, opts)
                if progress:
                    progress("load", 1, 1)
            except InputError:
                audit.close()
                priv.close()
                shutil.rmtree(partial, ignore_errors=True)
                raise
        else:
            summary.rows = int(get_meta(priv).get("rows", "0"))
        # Map: the chunks of every asset go through one window of in-flight tasks, so the
        # workers never wait for one asset's last chunk before the next asset starts.
        plans: dict[str, tuple[int, tuple[int, ...], int, int]] = {}
        generators_ = []
        total_chunks = 0
        finished = 0
        for asset in assets:
            (leaf_count,) = priv.execute(
                "SELECT count(*) FROM leaves WHERE asset = ?", (asset,)
            ).fetchone()
            sizes = tuple(level_sizes(leaf_count, opts.arity))
            depth = len(sizes) - 1
            height = min(opts.height(), depth)
            if opts.chunk_height is None:  # small trees: enough chunks to keep workers busy
                while height > 1 and leaf_count < MIN_CHUNKS * opts.arity**height:
                    height -= 1
            chunks = sizes[height]
            plans[asset] = (leaf_count, sizes, height, chunks)
            done = {
                c for (c,) in audit.execute("SELECT chunk FROM progress WHERE asset = ?", (asset,))
            }
            todo = [c for c in range(chunks) if c not in done]
            summary.chunks_reused += len(done)
            finished += len(done)
            total_chunks += chunks
            generators_.append(_chunk_tasks(priv, asset, keys, opts, sizes, height, todo))
        tasks = itertools.chain.from_iterable(generators_)
        pending: set[Future[ChunkResult]] = set()
        stored = 0
        if progress:
            progress("prove", finished, total_chunks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < window:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                pending.add(executor.submit(build_chunk, task))
            if not pending:
                break
            completed, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in completed:
                _store_chunk(audit, priv, fut.result(), opts.arity)
                summary.chunks_built += 1
                finished += 1
                stored += 1
                if progress:
                    progress("prove", finished, total_chunks)
                if _stop_after is not None and stored >= _stop_after:
                    for other in pending:
                        other.cancel()
                    raise _StopRequested
        # Reduce: the levels above the chunk roots, per asset.
        for asset, (leaf_count, sizes, height, _) in plans.items():
            depth = len(sizes) - 1
            root_value, root_blinding = _build_top(audit, priv, asset, opts, sizes, height)
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
                (asset, assets[asset], leaf_count, depth, root_hash, root_commitment),
            )
            summary.assets[asset] = {
                "decimals": assets[asset],
                "leaf_count": leaf_count,
                "depth": depth,
                "root_hash": bytes(root_hash).hex(),
                "root_commitment": bytes(root_commitment).hex(),
            }
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
    roots = {
        "format": "zkpor-roots-v1",
        "round_id": opts.round_id,
        "arity": opts.arity,
        "range_bits": RANGE_BITS,
        "generator_digest": generator_digest().hex(),
        "assets": summary.assets,
    }
    tmp = partial / "roots.json.tmp"
    tmp.write_text(json.dumps(roots, indent=2) + "\n")
    tmp.replace(partial / "roots.json")
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
