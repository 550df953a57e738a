"""The reduce: the levels of a tree above its chunk roots, on the executor while they are wide.

The map (:mod:`.chunks`) leaves level ``h`` of a tree of depth D: the chunk roots (hash and
commitment in the audit file, opening in the private store). While the current level L has
more than ``driver_nodes`` nodes, it is cut into aligned groups of ``k^g`` consecutive nodes
(g = min(h, D - L), at least 1: group j covers nodes ``j k^g .. (j+1) k^g - 1`` of level L, the
last group possibly fewer) and each group's subtree, up to its root at level L + g, is built
on the executor by :func:`build_group` with :func:`.build.build_levels`, as the map builds a
chunk. The driver writes each group's nodes and proofs as it arrives and keeps only the group
roots, which form level L + g; it builds the last levels (at most ``driver_nodes`` nodes wide)
itself. At 10M leaves, arity 16 and h = 2 the 39,063 chunk roots become 153 group roots in one
pass, and the driver proves 11 nodes.

The tree does not depend on where a node is built: a node's hash and commitment are functions
of its children only (docs/spec/liabilities-tree.md 7), so both paths give the same roots, byte for byte (the
range proofs differ run to run anyway: they use fresh randomness). The reduce is not
checkpointed: a rerun builds it again from the stored chunk roots.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Final

from zkpor.crypto.group import N, Point
from zkpor.crypto.pedersen import commit
from zkpor.errors import VerificationError
from zkpor.prover.liabilities.build import LevelNode, build_levels
from zkpor.prover.parallel import run_windowed

__all__ = ["DRIVER_NODES", "GroupResult", "GroupTask", "build_group", "build_top", "reduce_plan"]

DRIVER_NODES: Final[int] = 256  # a level at most this wide is reduced on the driver

Progress = Callable[[], None]  # called once per finished group

# hash, commitment (encoded), value, blinding
_Node = tuple[bytes, bytes, int, int]


@dataclass(frozen=True, slots=True)
class GroupTask:
    """Build levels ``level + 1 .. level + height`` above ``nodes``, consecutive nodes of
    ``level`` starting at global index ``first`` (a multiple of ``arity ** height``), whose
    subtree has one root. Carries node openings: executors must be trusted (as for chunks)."""

    round_id: str
    asset: str
    arity: int
    level_sizes: tuple[int, ...]
    level: int
    first: int
    height: int
    nodes: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """``levels[i]`` lists (hash, commitment) of the new nodes of level ``level + 1 + i`` from
    index ``first // arity ** (i + 1)``; ``proofs[i]`` their concatenated child proofs;
    ``root`` the group root (hash, commitment, value, blinding)."""

    asset: str
    level: int
    first: int
    levels: list[list[tuple[bytes, bytes]]]
    proofs: list[list[bytes]]
    root: _Node


def build_group(task: GroupTask) -> GroupResult:
    """The executor step of the reduce (see :class:`GroupTask`)."""
    nodes = [LevelNode(h, Point.from_bytes(c), v, b) for h, c, v, b in task.nodes]
    levels, proofs = build_levels(
        task.round_id,
        task.asset,
        task.arity,
        task.level_sizes,
        task.level,
        task.first,
        nodes,
        task.level + task.height,
    )
    (root,) = levels[-1]
    return GroupResult(
        asset=task.asset,
        level=task.level,
        first=task.first,
        levels=[[(n.hash, n.commitment.to_bytes()) for n in lvl] for lvl in levels],
        proofs=proofs,
        root=(root.hash, root.commitment.to_bytes(), root.value, root.blinding),
    )


def reduce_plan(
    sizes: tuple[int, ...], height: int, driver_nodes: int = DRIVER_NODES
) -> list[tuple[int, int]]:
    """The executor passes of a tree whose chunk roots are at level ``height``: (level L,
    group height g) while level L is wider than ``driver_nodes`` (module doc)."""
    depth = len(sizes) - 1
    level = height
    passes = []
    while level < depth and sizes[level] > driver_nodes:
        g = min(max(height, 1), depth - level)
        passes.append((level, g))
        level += g
    return passes


def group_count(sizes: tuple[int, ...], arity: int, level: int, g: int) -> int:
    return -(-sizes[level] // int(arity**g))


def _store_levels(
    audit: sqlite3.Connection,
    asset: str,
    arity: int,
    level: int,
    first: int,
    levels: list[list[tuple[bytes, bytes]]],
    proofs: list[list[bytes]],
) -> None:
    audit.execute("BEGIN")
    for offset, (lvl, prf) in enumerate(zip(levels, proofs)):
        base = first // arity ** (offset + 1)
        audit.executemany(
            "INSERT OR REPLACE INTO nodes(asset, level, idx, hash, commitment, proof) "
            "VALUES (?,?,?,?,?,?)",
            [(asset, level + 1 + offset, base + i, h, c, prf[i]) for i, (h, c) in enumerate(lvl)],
        )
    audit.execute("COMMIT")


def _chunk_roots(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    level: int,
    lo: int,
    hi: int,
) -> list[_Node]:
    """Nodes ``lo .. hi - 1`` of the chunk-root level, public part and opening joined."""
    public = audit.execute(
        "SELECT idx, hash, commitment FROM nodes WHERE asset = ? AND level = ? AND idx >= ? "
        "AND idx < ? ORDER BY idx",
        (asset, level, lo, hi),
    ).fetchall()
    openings = priv.execute(
        "SELECT chunk, value, blinding FROM chunk_roots WHERE asset = ? AND chunk >= ? "
        "AND chunk < ? ORDER BY chunk",
        (asset, lo, hi),
    ).fetchall()
    if [r[0] for r in public] != list(range(lo, hi)) or [r[0] for r in openings] != list(
        range(lo, hi)
    ):
        # finished_chunks checked every chunk; a gap now is damage made during the run
        raise sqlite3.DatabaseError(f"chunk roots {lo}..{hi - 1} of {asset} are incomplete")
    return [
        (bytes(h), bytes(c), int(v), int(b, 16)) for (_, h, c), (_, v, b) in zip(public, openings)
    ]


def _group_tasks(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    round_id: str,
    arity: int,
    sizes: tuple[int, ...],
    level: int,
    g: int,
    current: list[_Node] | None,
) -> Iterator[GroupTask]:
    """The groups of level ``level``, drawn lazily (from the stores when ``current`` is
    None, i.e. at the chunk-root level)."""
    span = arity**g
    for j in range(group_count(sizes, arity, level, g)):
        lo, hi = j * span, min((j + 1) * span, sizes[level])
        nodes = (
            _chunk_roots(audit, priv, asset, level, lo, hi) if current is None else current[lo:hi]
        )
        yield GroupTask(round_id, asset, arity, sizes, level, lo, g, tuple(nodes))


def _recorded(
    tasks: Iterator[GroupTask], expected: dict[int, tuple[int, int]]
) -> Iterator[GroupTask]:
    """``tasks``, noting as each is handed out the opening its group root must have."""
    for task in tasks:
        expected[task.first] = (
            sum(n[2] for n in task.nodes),
            sum(n[3] for n in task.nodes) % N,
        )
        yield task


def _check_group(
    res: GroupResult, asset: str, level: int, expected: dict[int, tuple[int, int]]
) -> None:
    """A worker's group result is the one asked for, once, and its root opens to the sums
    of the task's inputs (a sum tree's root holds the sum of its leaves' values and
    blindings): checked on the driver, so no worker can shift, repeat or re-value a group.
    The hashes and proofs below the root are checked by the self-check's audit."""
    want = expected.pop(res.first, None) if res.asset == asset and res.level == level else None
    _, commitment, value, blinding = res.root
    if want is None or (value, blinding) != want:
        raise VerificationError(
            f"reduce of {asset}: a worker returned a wrong group (level {res.level}, "
            f"from node {res.first})"
        )
    if commit(value, blinding).to_bytes() != commitment:
        raise VerificationError(
            f"reduce of {asset}: a worker returned a group root that its opening does not open"
        )


def build_top(
    audit: sqlite3.Connection,
    priv: sqlite3.Connection,
    asset: str,
    round_id: str,
    arity: int,
    sizes: tuple[int, ...],
    height: int,
    executor: Executor,
    *,
    window: int,
    driver_nodes: int = DRIVER_NODES,
    on_group: Progress | None = None,
) -> tuple[int, int]:
    """Build the levels above the chunk roots (module doc); return the root's opening."""
    depth = len(sizes) - 1
    if height >= depth:
        value, blinding = priv.execute(
            "SELECT value, blinding FROM chunk_roots WHERE asset = ? AND chunk = 0", (asset,)
        ).fetchone()
        return int(value), int(blinding, 16)
    level = height
    current: list[_Node] | None = None  # None: level `height`, read from the stores
    for level, g in reduce_plan(sizes, height, driver_nodes):
        span = arity**g
        roots: list[_Node | None] = [None] * group_count(sizes, arity, level, g)
        expected: dict[int, tuple[int, int]] = {}  # group start -> (sum of values, blindings)
        tasks = _group_tasks(audit, priv, asset, round_id, arity, sizes, level, g, current)
        for res in run_windowed(executor, build_group, _recorded(tasks, expected), window):
            _check_group(res, asset, level, expected)
            _store_levels(audit, asset, arity, res.level, res.first, res.levels, res.proofs)
            roots[res.first // span] = res.root
            if on_group:
                on_group()
        current = [r for r in roots if r is not None]
        if len(current) != len(roots):  # every task yields once: cannot happen
            raise VerificationError(f"reduce of {asset}: a group result is missing")
        level += g
    if current is None:
        current = _chunk_roots(audit, priv, asset, level, 0, sizes[level])
    if level == depth:  # the executor built the root
        ((_, _, value, blinding),) = current
        return value, blinding
    nodes = [LevelNode(h, Point.from_bytes(c), v, b) for h, c, v, b in current]
    levels, proofs = build_levels(round_id, asset, arity, sizes, level, 0, nodes, depth)
    _store_levels(
        audit,
        asset,
        arity,
        level,
        0,
        [[(n.hash, n.commitment.to_bytes()) for n in lvl] for lvl in levels],
        proofs,
    )
    root = levels[-1][0]
    return root.value, root.blinding
