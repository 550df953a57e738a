"""Building (parts of) a liabilities tree: the work units handed to executors.

The tree of an asset (shape in :mod:`zkpor.protocol.sumtree`) is built as a map over aligned
subtrees ("chunks") of height h, each covering k^h consecutive leaves, then a reduce over
the chunk roots. :func:`build_chunk` is the map step: a top-level, picklable function that
runs in any executor (local process pool, Dask). :func:`build_levels` is shared by both
steps: given the openings of consecutive nodes of one level, it builds every level above
them up to a given height, with the node hashes, commitments and range proofs.

Spec: docs/spec/liabilities-tree.md (section 7) and bundle-and-audit.md (section 9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, Point
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.prover import prove
from zkpor.protocol.sumtree import (
    NO_TAG_BYTES,
    RANGE_BITS,
    child_chunks,
    children_of,
    leaf_hash,
    node_hash,
)
from zkpor.prover.liabilities.keys import RoundKeys

__all__ = ["ChunkProver", "ChunkResult", "ChunkTask", "LevelNode", "build_chunk", "build_levels"]

ChunkProver = Callable[[list[int], list[int]], bytes]


@dataclass(slots=True)
class LevelNode:
    """A node under construction: public (hash, commitment) and secret opening; a leaf
    also has its 8-byte margin tag (:class:`zkpor.protocol.sumtree.MarginTag`), bound by its
    parent's hash."""

    hash: bytes
    commitment: Point
    value: int
    blinding: int
    tag: bytes = NO_TAG_BYTES


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Build the subtree whose root is node ``chunk`` of level ``height``.

    ``leaves`` are (leaf id, amount in base units, 8-byte margin tag) for its leaves, in leaf
    order. Carries the round key (not the master secret): executors must be trusted with this
    round's secrets.
    """

    round_id: str
    asset: str
    round_key: bytes
    arity: int
    height: int
    chunk: int
    level_sizes: tuple[int, ...]
    leaves: tuple[tuple[str, int, bytes], ...]


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a chunk produces. ``levels[l]`` lists (hash, commitment) of the chunk's nodes at
    level l (0 = leaves); ``tags`` the leaves' margin tags; ``proofs[l]`` the concatenated
    child range proofs of each node at level l (``proofs[0]`` is empty); ``openings`` the
    leaves' (blinding, salt) and ``root_opening`` the (value, blinding) of the chunk root. Secret parts never leave the
    exchange: the driver stores them in the private store only."""

    asset: str
    chunk: int
    height: int
    levels: list[list[tuple[bytes, bytes]]]
    tags: list[bytes]
    proofs: list[list[bytes]]
    openings: list[tuple[int, bytes]]
    root_opening: tuple[int, int]

    def rows(
        self, arity: int
    ) -> Iterator[tuple[int, int, bytes, bytes, bytes | None, bytes | None]]:
        """The chunk's audit-file rows, level by level in index order: (level, idx, hash,
        commitment, proof or None at level 0, margin tag at level 0 or None above)."""
        for level, nodes in enumerate(self.levels):
            base = self.chunk * arity ** (self.height - level)
            proofs = self.proofs[level]
            for i, (nh, nc) in enumerate(nodes):
                proof = proofs[i] if proofs else None
                yield level, base + i, nh, nc, proof, self.tags[i] if level == 0 else None


def build_levels(
    round_id: str,
    asset: str,
    arity: int,
    level_sizes: tuple[int, ...],
    start_level: int,
    first_index: int,
    nodes: list[LevelNode],
    top_level: int,
    *,
    gens: GeneratorSet | None = None,
    prove_chunk: ChunkProver | None = None,
) -> tuple[list[list[LevelNode]], list[list[bytes]]]:
    """Build levels start_level+1 .. top_level above ``nodes`` (consecutive nodes of
    ``start_level`` beginning at global index ``first_index``, aligned to whole subtrees).

    Returns the new levels' nodes and, per new level, each node's concatenated proofs.
    ``prove_chunk(values, blindings)`` makes the encoded range proof of one chunk of
    children (default: :func:`zkpor.crypto.rangeproof.prove` with OS randomness); it is called
    level by level, node by node in index order, chunk by chunk. Test vectors pass a seeded
    prover here, and tests a cheating one.
    """
    gens = gens or generators()
    if prove_chunk is None:

        def prove_chunk(values: list[int], blindings: list[int]) -> bytes:
            return prove(values, blindings, RANGE_BITS, gens=gens).to_bytes()

    built: list[list[LevelNode]] = []
    proofs: list[list[bytes]] = []
    current = nodes
    base = first_index
    for level in range(start_level + 1, top_level + 1):
        child_size = level_sizes[level - 1]
        parent_base = base // arity
        parents: list[LevelNode] = []
        level_proofs: list[bytes] = []
        parent = parent_base
        while True:
            kids = children_of(parent, child_size, arity)
            lo = kids.start - base
            hi = kids.stop - base
            if lo >= len(current) or lo < 0:
                break
            group = current[lo:hi]
            children = [(c.hash, c.commitment.to_bytes()) for c in group]
            value = sum(c.value for c in group)
            blinding = sum(c.blinding for c in group) % N
            commitment = (
                type(group[0].commitment).sum(c.commitment for c in group)
                if len(group) > 1
                else group[0].commitment
            )
            tags = [c.tag for c in group] if level == 1 else None
            parents.append(
                LevelNode(
                    node_hash(round_id, asset, level, children, tags), commitment, value, blinding
                )
            )
            parts = []
            offset = 0
            for size in child_chunks(len(group)):
                chunk = group[offset : offset + size]
                offset += size
                parts.append(prove_chunk([c.value for c in chunk], [c.blinding for c in chunk]))
            level_proofs.append(b"".join(parts))
            parent += 1
        built.append(parents)
        proofs.append(level_proofs)
        current = parents
        base = parent_base
    return built, proofs


def build_chunk(task: ChunkTask) -> ChunkResult:
    """The map step: leaves of one chunk up to its root (see :class:`ChunkTask`)."""
    keys = RoundKeys(task.round_key, task.round_id)
    gens = generators()
    leaves: list[LevelNode] = []
    openings: list[tuple[int, bytes]] = []
    for leaf_id, units, tag in task.leaves:
        blinding = keys.blinding(task.asset, leaf_id)
        salt = keys.salt(task.asset, leaf_id)
        c = commit(units, blinding, gens)
        h = leaf_hash(task.round_id, task.asset, salt, leaf_id, c.to_bytes())
        leaves.append(LevelNode(h, c, units, blinding, tag))
        openings.append((blinding, salt))
    first = task.chunk * task.arity**task.height
    levels, proofs = build_levels(
        task.round_id,
        task.asset,
        task.arity,
        task.level_sizes,
        0,
        first,
        leaves,
        task.height,
    )
    root = levels[-1][0] if levels else leaves[0]
    return ChunkResult(
        asset=task.asset,
        chunk=task.chunk,
        height=task.height,
        levels=[[(n.hash, n.commitment.to_bytes()) for n in lvl] for lvl in [leaves, *levels]],
        tags=[n.tag for n in leaves],
        proofs=[[], *proofs],
        openings=openings,
        root_opening=(root.value, root.blinding),
    )
