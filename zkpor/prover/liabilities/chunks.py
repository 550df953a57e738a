"""The map: every tree's chunks built on the executor, each finished chunk committed with its
checkpoint tag (docs/spec/bundle-and-audit.md 9.1 and 9.4).

A tree of ``leaf_count`` leaves is planned as chunks, the aligned subtrees rooted at level
``h`` (:func:`plan_tree`). Finished chunks of an unfinished run whose tags check are kept
(:func:`.checkpoint.finished_chunks`); the others go, the chunks of every tree in one queue,
through one window of in-flight tasks (:func:`zkpor.prover.parallel.run_windowed`), so the workers
never wait for one tree's last chunk before the next tree starts. Each result is committed
as it arrives (:func:`store_chunk`), so a killed run redoes at most the chunks in flight.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Final

from zkpor.protocol.sumtree import level_sizes
from zkpor.prover.liabilities.build import ChunkResult, ChunkTask, build_chunk
from zkpor.prover.liabilities.checkpoint import finished_chunks, result_tag
from zkpor.prover.liabilities.keys import RoundKeys
from zkpor.prover.parallel import run_windowed

__all__ = [
    "CHUNK_LEAVES",
    "MIN_CHUNKS",
    "TreePlan",
    "base_height",
    "chunk_height",
    "plan_tree",
    "run_map",
    "store_chunk",
]

CHUNK_LEAVES: Final[int] = 1024
MIN_CHUNKS: Final[int] = 8

# called after each stored chunk: (chunks finished, chunks in all, leaves finished, leaves)
OnChunk = Callable[[int, int, int, int], None]


@dataclass
class TreePlan:
    """One tree's chunks: level sizes, chunk height, chunk count, the chunks still to build."""

    asset: str
    leaf_count: int
    sizes: tuple[int, ...]
    height: int
    chunks: int
    todo: list[int] = field(default_factory=list)
    rejected: int = 0  # finished chunks whose stored rows failed their tag

    def chunk_leaves(self, chunk: int, arity: int) -> int:
        span = int(arity**self.height)
        return min(span, self.leaf_count - chunk * span)


def base_height(arity: int) -> int:
    """The default chunk height: the largest h >= 1 with arity^h <= CHUNK_LEAVES."""
    h = 1
    while arity ** (h + 1) <= CHUNK_LEAVES:
        h += 1
    return h


def chunk_height(height: int, lower: bool, arity: int, leaf_count: int, depth: int) -> int:
    """``height`` capped at the depth; with ``lower`` (no --chunk-height given), lowered while
    h > 1 and the tree has fewer than MIN_CHUNKS chunks' worth of leaves, so that a small tree
    still keeps several workers busy."""
    h = min(height, depth)
    while lower and h > 1 and leaf_count < MIN_CHUNKS * arity**h:
        h -= 1
    return h


def plan_tree(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    arity: int,
    height: int,
    lower: bool,
    tag_key: bytes,
) -> TreePlan:
    """The plan of one tree, with the chunks an unfinished run already finished left out."""
    (leaf_count,) = priv.execute("SELECT count(*) FROM leaves WHERE asset = ?", (asset,)).fetchone()
    sizes = tuple(level_sizes(leaf_count, arity))
    height = chunk_height(height, lower, arity, leaf_count, len(sizes) - 1)
    chunks = sizes[height]
    done, rejected = finished_chunks(tag_key, audit, priv, asset, chunks, arity, height)
    todo = [c for c in range(chunks) if c not in done]
    return TreePlan(asset, leaf_count, sizes, height, chunks, todo, rejected)


def _chunk_tasks(
    priv: sqlite3.Connection, plan: TreePlan, keys: RoundKeys, round_id: str, arity: int
) -> Iterator[ChunkTask]:
    span = arity**plan.height
    for chunk in plan.todo:
        leaves = priv.execute(
            "SELECT user_id, units, tag FROM leaves WHERE asset = ? AND leaf >= ? AND leaf < ? "
            "ORDER BY leaf",
            (plan.asset, chunk * span, (chunk + 1) * span),
        ).fetchall()
        yield ChunkTask(
            round_id=round_id,
            asset=plan.asset,
            round_key=keys.round_key,
            arity=arity,
            height=plan.height,
            chunk=chunk,
            level_sizes=plan.sizes,
            leaves=tuple((uid, int(units), bytes(tag)) for uid, units, tag in leaves),
        )


def store_chunk(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    res: ChunkResult,
    arity: int,
    tag_key: bytes,
) -> None:
    """Commit a finished chunk: openings first, then its audit rows with the progress row
    and tag in one transaction (killed in between, the chunk is simply rebuilt)."""
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
    audit.executemany(
        "INSERT OR REPLACE INTO nodes(asset, level, idx, hash, commitment, proof, tag) "
        "VALUES (?,?,?,?,?,?,?)",
        [(res.asset, *row) for row in res.rows(arity)],
    )
    audit.execute(
        "INSERT OR REPLACE INTO progress(asset, chunk, tag) VALUES (?, ?, ?)",
        (res.asset, res.chunk, result_tag(tag_key, res, arity)),
    )
    audit.execute("COMMIT")


def run_map(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    plans: list[TreePlan],
    keys: RoundKeys,
    round_id: str,
    arity: int,
    executor: Executor,
    *,
    window: int,
    on_chunk: OnChunk | None = None,
    stop_after: int | None = None,
) -> int:
    """Build and store every planned chunk; return how many were built. ``on_chunk`` is
    called once before the first task (with the reused chunks) and after each stored chunk.
    ``stop_after`` (test hook) returns after that many chunks, cancelling the rest."""
    tag_key = keys.checkpoint_key()
    total = sum(p.chunks for p in plans)
    leaves = sum(p.leaf_count for p in plans)
    finished = sum(p.chunks - len(p.todo) for p in plans)
    leaves_done = leaves - sum(p.chunk_leaves(c, arity) for p in plans for c in p.todo)
    if on_chunk:
        on_chunk(finished, total, leaves_done, leaves)
    tasks = itertools.chain.from_iterable(
        _chunk_tasks(priv, p, keys, round_id, arity) for p in plans
    )
    built = 0
    results = run_windowed(executor, build_chunk, tasks, window)
    try:
        for res in results:
            store_chunk(audit, priv, res, arity, tag_key)
            built += 1
            finished += 1
            leaves_done += len(res.openings)
            if on_chunk:
                on_chunk(finished, total, leaves_done, leaves)
            if stop_after is not None and built >= stop_after:
                break
    finally:
        results.close()  # cancels what is still in flight
    return built
