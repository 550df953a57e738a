"""A small deterministic liabilities tree, for the vectors.

It follows docs/spec.md section 7 exactly as ``zkpor prove`` does (round keys from the
master secret, padding to the granularity, leaves ordered by placement key, node hashes,
commitments and chunked child range proofs), except that the range proofs come from one
seeded stream (:class:`~zkpor.drbg.SeededRandom`): the proofs of level 1, node by node in
index order, each node's chunks in order, then level 2, and so on. ``overrides`` replaces
leaf values, for trees a cheating exchange would build: a chunk with a value outside
[0, 2^64) is then "proven" by the prover without its range check.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..amounts import format_units
from ..drbg import SeededRandom
from ..generators import GeneratorSet, generator_digest
from ..group import N, Point
from ..liabilities.keys import RoundKeys, pad_leaf_id
from ..pedersen import commit
from ..rangeproof.prover import _prove
from ..sumtree import RANGE_BITS, child_chunks, leaf_hash, level_sizes, node_hash

__all__ = ["Tree", "TreeNode", "build_tree", "roots_json"]


@dataclass
class TreeNode:
    """A node: public hash and commitment, secret opening, and (level >= 1) its proofs."""

    hash: bytes
    commitment: Point
    value: int
    blinding: int
    proofs: list[bytes]


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
        """The asset's entry of roots.json (docs/spec.md 9.2)."""
        return {
            "decimals": self.decimals,
            "leaf_count": len(self.leaf_ids),
            "depth": self.depth,
            "root_hash": self.root.hash.hex(),
            "root_commitment": self.root.commitment.to_bytes().hex(),
        }

    def path(self, index: int) -> list[dict[str, object]]:
        """The inclusion path of leaf ``index`` (docs/spec.md 8.1)."""
        steps: list[dict[str, object]] = []
        for level in range(1, len(self.levels)):
            parent = index // self.arity
            below = self.levels[level - 1]
            kids = below[parent * self.arity : parent * self.arity + self.arity]
            steps.append(
                {
                    "level": level,
                    "index": parent,
                    "children": [
                        {"hash": c.hash.hex(), "commitment": c.commitment.to_bytes().hex()}
                        for c in kids
                    ],
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


def roots_json(round_id: str, arity: int, trees: list[Tree]) -> dict[str, object]:
    """A roots.json object (docs/spec.md 9.2) over ``trees``."""
    return {
        "format": "zkpor-roots-v1",
        "round_id": round_id,
        "arity": arity,
        "range_bits": RANGE_BITS,
        "generator_digest": generator_digest().hex(),
        "assets": {t.asset: t.root_json() for t in trees},
    }


def build_tree(
    *,
    master: bytes,
    round_id: str,
    asset: str,
    decimals: int,
    arity: int,
    granularity: int,
    customers: list[tuple[str, int]],
    gens: GeneratorSet,
    rng: SeededRandom | None,
    overrides: dict[str, int] | None = None,
) -> Tree:
    """Build the tree (see module doc). With ``rng`` None no range proof is made."""
    keys = RoundKeys.derive(master, round_id)
    holders = len(customers)
    count = max(granularity, -(-holders // granularity) * granularity)
    entries = list(customers) + [(pad_leaf_id(j), 0) for j in range(count - holders)]
    if overrides:
        entries = [(u, overrides.get(u, v)) for u, v in entries]
    placed = sorted((keys.placement(asset, u), u, v) for u, v in entries)
    pt = gens.point_type
    leaves: list[TreeNode] = []
    salts: list[bytes] = []
    for _, leaf_id, units in placed:
        blinding = keys.blinding(asset, leaf_id)
        salt = keys.salt(asset, leaf_id)
        c = commit(units, blinding, gens)
        leaves.append(
            TreeNode(
                leaf_hash(round_id, asset, salt, leaf_id, c.to_bytes()), c, units, blinding, []
            )
        )
        salts.append(salt)
    sizes = level_sizes(count, arity)
    levels = [leaves]
    for level in range(1, len(sizes)):
        below = levels[-1]
        parents: list[TreeNode] = []
        for i in range(sizes[level]):
            kids = below[i * arity : i * arity + arity]
            children = [(c.hash, c.commitment.to_bytes()) for c in kids]
            commitment = pt.sum(c.commitment for c in kids) if len(kids) > 1 else kids[0].commitment
            proofs: list[bytes] = []
            if rng is not None:
                offset = 0
                for size in child_chunks(len(kids)):
                    chunk = kids[offset : offset + size]
                    offset += size
                    values = [c.value for c in chunk]
                    proof = _prove(
                        values,
                        [c.blinding for c in chunk],
                        RANGE_BITS,
                        rng=rng,
                        gens=gens,
                        check_range=all(0 <= v < 2**RANGE_BITS for v in values),
                    )
                    proofs.append(proof.to_bytes())
            parents.append(
                TreeNode(
                    node_hash(round_id, asset, level, children),
                    commitment,
                    sum(c.value for c in kids),
                    sum(c.blinding for c in kids) % N,
                    proofs,
                )
            )
        levels.append(parents)
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
