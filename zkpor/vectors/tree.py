"""A small deterministic liabilities tree, for the vectors.

It follows docs/spec/liabilities-tree.md section 7 with ``zkpor prove``'s own code (round keys from the
master secret and a run nonce, fixed here, ``padded_count``, leaves ordered by placement key,
``build_levels`` for node hashes, commitments and chunked child range proofs), except that the range proofs come from one
seeded stream (:class:`~zkpor.crypto.drbg.SeededRandom`): the proofs of level 1, node by node in
index order, each node's chunks in order, then level 2, and so on. ``overrides`` replaces
leaf values, for trees a cheating exchange would build: a chunk with a value outside
[0, 2^64) is then "proven" by the prover without its range check. ``tags`` gives leaves
their margin tags (docs/spec/liabilities-tree.md 7.4; default none), bound by the level-1 node hashes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.crypto.group import Point
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.prover import prove
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.formats.amounts import format_units
from zkpor.formats.models import ROOTS_FORMAT
from zkpor.protocol.sumtree import (
    NO_TAG_BYTES,
    RANGE_BITS,
    MarginTag,
    children_of,
    leaf_hash,
    level_sizes,
    split_child_proofs,
)
from zkpor.prover.liabilities.build import LevelNode, build_levels
from zkpor.prover.liabilities.keys import RoundKeys, pad_leaf_id
from zkpor.prover.liabilities.prover import padded_count

__all__ = ["Tree", "TreeNode", "build_tree", "roots_json"]


@dataclass
class TreeNode:
    """A node: public hash and commitment, secret opening, and (level >= 1) its proofs."""

    hash: bytes
    commitment: Point
    value: int
    blinding: int
    proofs: list[bytes]
    tag: bytes = NO_TAG_BYTES


@dataclass
class Tree:
    """One asset's tree. ``levels[0]`` are the leaves in index order."""

    round_id: str
    asset: str
    decimals: int
    arity: int
    leaf_ids: list[str]
    salts: list[bytes]
    placements: list[bytes]
    levels: list[list[TreeNode]]

    @property
    def root(self) -> TreeNode:
        return self.levels[-1][0]

    @property
    def depth(self) -> int:
        return len(self.levels) - 1

    def index_of(self, leaf_id: str) -> int:
        return self.leaf_ids.index(leaf_id)

    def root_json(self) -> dict[str, object]:
        """The asset's entry of roots.json (docs/spec/bundle-and-audit.md 9.2)."""
        return {
            "decimals": self.decimals,
            "leaf_count": len(self.leaf_ids),
            "depth": self.depth,
            "root_hash": self.root.hash.hex(),
            "root_commitment": self.root.commitment.to_bytes().hex(),
        }

    def path(self, index: int) -> list[dict[str, object]]:
        """The inclusion path of leaf ``index`` (docs/spec/inclusion-proofs.md 8.1)."""
        steps: list[dict[str, object]] = []
        for level in range(1, len(self.levels)):
            parent = index // self.arity
            below = self.levels[level - 1]
            kids = below[parent * self.arity : parent * self.arity + self.arity]
            steps.append(
                {
                    "level": level,
                    "index": parent,
                    "children": [_child(c, level) for c in kids],
                    "proofs": [p.hex() for p in self.levels[level][parent].proofs],
                }
            )
            index = parent
        return steps

    def inclusion_entry(self, leaf_id: str) -> dict[str, object]:
        """The entry of ``assets`` of an inclusion proof for ``leaf_id`` (8.1)."""
        index = self.index_of(leaf_id)
        leaf = self.levels[0][index]
        return {
            "asset": self.asset,
            "decimals": self.decimals,
            "amount": format_units(leaf.value, self.decimals),
            "units": str(leaf.value),
            "blinding": f"{leaf.blinding:064x}",
            "salt": self.salts[index].hex(),
            "leaf_index": index,
            "leaf_count": len(self.leaf_ids),
            "path": self.path(index),
        }


def _child(node: TreeNode, level: int) -> dict[str, object]:
    """A child as a path step shows it (8.1): a leaf with its margin tag when not none."""
    out: dict[str, object] = {
        "hash": node.hash.hex(),
        "commitment": node.commitment.to_bytes().hex(),
    }
    tag = MarginTag.from_bytes(node.tag)
    if level == 1 and not tag.is_none:
        out["margin"] = {"account": tag.account, "inputs": tag.inputs}
    return out


def roots_json(round_id: str, arity: int, trees: list[Tree]) -> dict[str, object]:
    """A roots.json object (docs/spec/bundle-and-audit.md 9.2) over ``trees``."""
    return {
        "format": ROOTS_FORMAT,
        "round_id": round_id,
        "arity": arity,
        "range_bits": RANGE_BITS,
        "generator_digest": generator_digest().hex(),
        "assets": {t.asset: t.root_json() for t in trees},
    }


def build_tree(
    *,
    master: bytes,
    run_nonce: bytes,
    round_id: str,
    asset: str,
    decimals: int,
    arity: int,
    granularity: int,
    customers: list[tuple[str, int]],
    gens: GeneratorSet,
    rng: SeededRandom | None,
    overrides: dict[str, int] | None = None,
    tags: dict[str, MarginTag] | None = None,
) -> Tree:
    """Build the tree (see module doc). With ``rng`` None no range proof is made."""
    keys = RoundKeys.derive(master, round_id, run_nonce)
    count = padded_count(len(customers), granularity)
    entries = list(customers) + [(pad_leaf_id(j), 0) for j in range(count - len(customers))]
    if overrides:
        entries = [(u, overrides.get(u, v)) for u, v in entries]
    placed = sorted((keys.placement(asset, u), u, v) for u, v in entries)
    leaves, salts = _leaves(keys, round_id, asset, placed, gens, tags or {})
    sizes = tuple(level_sizes(count, arity))
    built, proofs = build_levels(
        round_id,
        asset,
        arity,
        sizes,
        0,
        0,
        leaves,
        len(sizes) - 1,
        gens=gens,
        prove_chunk=_chunk_prover(rng, gens),
    )
    levels = [[TreeNode(n.hash, n.commitment, n.value, n.blinding, [], n.tag) for n in leaves]]
    for nodes, blobs in zip(built, proofs):
        levels.append(_tree_level(nodes, blobs, len(levels[-1]), arity))
    return Tree(
        round_id=round_id,
        asset=asset,
        decimals=decimals,
        arity=arity,
        leaf_ids=[u for _, u, _ in placed],
        salts=salts,
        placements=[p for p, _, _ in placed],
        levels=levels,
    )


def _leaves(
    keys: RoundKeys,
    round_id: str,
    asset: str,
    placed: list[tuple[bytes, str, int]],
    gens: GeneratorSet,
    tags: dict[str, MarginTag],
) -> tuple[list[LevelNode], list[bytes]]:
    """The leaves in placement order (commitment, leaf hash, margin tag) and their salts."""
    leaves: list[LevelNode] = []
    salts: list[bytes] = []
    for _, leaf_id, units in placed:
        blinding = keys.blinding(asset, leaf_id)
        salt = keys.salt(asset, leaf_id)
        c = commit(units, blinding, gens)
        tag = tags.get(leaf_id, MarginTag()).to_bytes()
        h = leaf_hash(round_id, asset, salt, leaf_id, c.to_bytes())
        leaves.append(LevelNode(h, c, units, blinding, tag))
        salts.append(salt)
    return leaves, salts


def _chunk_prover(
    rng: SeededRandom | None, gens: GeneratorSet
) -> Callable[[list[int], list[int]], bytes]:
    """The range prover of one child chunk: none without ``rng``; out-of-range values (an
    invalid vector's) proven with the unchecked test prover."""

    def prove_chunk(values: list[int], blindings: list[int]) -> bytes:
        if rng is None:
            return b""
        if all(0 <= v < 2**RANGE_BITS for v in values):
            return prove(values, blindings, RANGE_BITS, rng=rng, gens=gens).to_bytes()
        return prove_unchecked(values, blindings, RANGE_BITS, rng=rng, gens=gens).to_bytes()

    return prove_chunk


def _tree_level(
    nodes: list[LevelNode], blobs: list[bytes], below: int, arity: int
) -> list[TreeNode]:
    """One level above the leaves, each node with its child proofs split into chunks."""
    out = []
    for i, (n, blob) in enumerate(zip(nodes, blobs)):
        count = len(children_of(i, below, arity))
        parts = [part for _, part in split_child_proofs(blob, count)] if blob else []
        out.append(TreeNode(n.hash, n.commitment, n.value, n.blinding, parts))
    return out
