"""Checking a customer's inclusion proof against published roots.

For each asset in the proof (docs/spec.md, "Inclusion proofs"):

0. no asset twice, every asset published (before any cryptography);
1. the asset's root is published, with the same padded leaf count, and the path has one
   step per level of a tree of that size and arity;
2. the opening is consistent: ``units`` < 2^64 and equal to ``amount`` at the asset's
   decimals; the leaf commitment is ``units*G + blinding*H`` and the leaf hash binds the
   round, asset, salt, user id and commitment;
3. at every level the node index and child count follow from the leaf index and the level
   sizes, the current (hash, commitment) is the child at the expected position, the parent
   commitment is the sum of the children's and its hash is recomputed from them;
4. the top of the path is the published root (hash and commitment);
5. every range proof on the path (all children of every step, siblings included) verifies;
   all proofs of the whole file are checked as one batch.

Any failure raises VerificationError naming the asset and level.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..amounts import format_units, parse_amount
from ..errors import EncodingError, VerificationError
from ..generators import generators
from ..group import N, Point, active_backend
from ..models import AssetRoot, InclusionProof
from ..pedersen import commit
from ..rangeproof import RangeProof, verify_batch
from ..sumtree import (
    RANGE_BITS,
    SUPPORTED_ARITIES,
    child_chunks,
    children_of,
    leaf_hash,
    level_sizes,
    node_hash,
)

__all__ = ["VerifiedAsset", "format_units", "verify_inclusion"]


@dataclass(frozen=True)
class VerifiedAsset:
    """One asset of a verified inclusion proof."""

    asset: str
    amount: str
    units: int
    leaf_count: int
    root_hash: str


def _same_amount(display: str, units: int, decimals: int) -> bool:
    """Whether the display string is exactly ``units`` base units at ``decimals``."""
    try:
        return parse_amount(display, decimals, limit=2**64) == units
    except ValueError:
        return False


def verify_inclusion(
    proof: InclusionProof, roots: dict[str, AssetRoot], *, round_id: str, arity: int
) -> list[VerifiedAsset]:
    """Verify ``proof`` against ``roots`` (asset -> published root) for the given round and
    arity, which the caller takes from the published manifest, never from the proof."""
    if proof.round_id != round_id:
        raise VerificationError(f"proof is for round {proof.round_id!r}, not {round_id!r}")
    if proof.arity != arity:
        raise VerificationError(f"proof uses arity {proof.arity}, the round uses {arity}")
    if arity not in SUPPORTED_ARITIES:
        raise VerificationError(f"unsupported arity {arity}")
    # Cheap structural checks first, so that work stays linear in the published roots.
    seen: set[str] = set()
    for entry in proof.assets:
        if entry.asset in seen:
            raise VerificationError(f"asset {entry.asset} appears twice")
        if entry.asset not in roots:
            raise VerificationError(f"asset {entry.asset}: no published root for this asset")
        seen.add(entry.asset)
    pt = active_backend().Point
    gens = generators()
    batch: list[tuple[RangeProof | bytes, list[Point], int]] = []
    out: list[VerifiedAsset] = []
    for entry in proof.assets:
        where = f"asset {entry.asset}"
        root = roots[entry.asset]
        if entry.leaf_count != root.leaf_count or entry.decimals != root.decimals:
            raise VerificationError(
                f"{where}: leaf count or decimals differ from the published root"
            )
        sizes = level_sizes(root.leaf_count, arity)
        depth = len(sizes) - 1
        if depth != root.depth:
            raise VerificationError(
                f"{where}: published depth {root.depth} does not match {root.leaf_count} leaves"
            )
        if len(entry.path) != depth:
            raise VerificationError(
                f"{where}: path has {len(entry.path)} steps, the tree has {depth}"
            )
        if not entry.leaf_index < root.leaf_count:
            raise VerificationError(f"{where}: leaf index out of range")
        units = int(entry.units)
        if units >= 2**RANGE_BITS:
            raise VerificationError(f"{where}: amount does not fit in 64 bits")
        if not _same_amount(entry.amount, units, entry.decimals):
            raise VerificationError(f"{where}: amount {entry.amount!r} does not match units")
        blinding = int(entry.blinding, 16)
        if blinding >= N:
            raise VerificationError(f"{where}: blinding is not a canonical scalar")
        leaf_commitment = commit(units, blinding, gens)
        current = (
            leaf_hash(
                round_id,
                entry.asset,
                bytes.fromhex(entry.salt),
                proof.user_id,
                leaf_commitment.to_bytes(),
            ),
            leaf_commitment.to_bytes(),
        )
        index = entry.leaf_index
        for level, step in enumerate(entry.path, start=1):
            at = f"{where}, level {level}"
            parent = index // arity
            expected = children_of(parent, sizes[level - 1], arity)
            if step.level != level or step.index != parent:
                raise VerificationError(f"{at}: node position does not follow from the leaf index")
            if len(step.children) != len(expected):
                raise VerificationError(
                    f"{at}: node has {len(step.children)} children, expected {len(expected)}"
                )
            children = [(bytes.fromhex(c.hash), bytes.fromhex(c.commitment)) for c in step.children]
            if children[index - expected.start] != current:
                raise VerificationError(f"{at}: the node below is not the child at its position")
            try:
                points = [pt.from_bytes(c) for _, c in children]
            except EncodingError as exc:
                raise VerificationError(f"{at}: child commitment: {exc}") from None
            chunks = child_chunks(len(children))
            if len(step.proofs) != len(chunks):
                raise VerificationError(f"{at}: expected {len(chunks)} range proofs")
            offset = 0
            for size, proof_hex in zip(chunks, step.proofs):
                try:
                    rp = RangeProof.from_bytes(
                        bytes.fromhex(proof_hex), pt, bits=RANGE_BITS, m=size
                    )
                except EncodingError as exc:
                    raise VerificationError(f"{at}: range proof: {exc}") from None
                batch.append((rp, points[offset : offset + size], RANGE_BITS))
                offset += size
            node_commitment = pt.sum(points)
            current = (
                node_hash(round_id, entry.asset, level, children),
                node_commitment.to_bytes(),
            )
            index = parent
        if current != (bytes.fromhex(root.root_hash), bytes.fromhex(root.root_commitment)):
            raise VerificationError(f"{where}: path does not lead to the published root")
        out.append(VerifiedAsset(entry.asset, entry.amount, units, root.leaf_count, root.root_hash))
    try:
        verify_batch(batch)
    except VerificationError as exc:
        raise VerificationError(f"range proofs on the path: {exc}") from None
    return out
