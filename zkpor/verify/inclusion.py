"""Checking a customer's inclusion proof against published roots.

Spec: docs/spec/inclusion-proofs.md, 8.2 ("Verification"); debts and the collateral proof:
docs/spec/margin.md, 16.8. For each asset in the proof:

0. entries in ascending order of their symbols (so no asset twice), every asset published
   (before any cryptography);
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
   all proofs of the whole file are checked as one batch;
6. debts (``debts``, paths in the asset's debt tree, leaves hashed with the debt tag) the
   same way; then the collateral proof: its inputs are exactly the customer's debt leaves
   and equity leaves in priced assets, and it verifies over those commitments under the
   published terms (:mod:`.margin`);
7. the margin tags of the customer's own leaves (bound by the level-1 node hashes): without
   debts every one is none (a tagged leaf would be pledged as collateral for someone else's
   debt); with debts, every debt leaf and every equity leaf in a priced asset carries
   (``collateral.account``, number of collateral inputs), every other leaf none. With the
   audit's check that tags and inputs agree both ways, the account the audit verified is
   this customer's, over exactly these leaves.

Any failure raises VerificationError naming the asset and level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zkpor.crypto.generators import generators
from zkpor.crypto.group import N, Point, active_backend
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof import RangeProof, verify_batch
from zkpor.errors import EncodingError, VerificationError
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.formats.identifiers import shown
from zkpor.formats.models import AssetInclusion, AssetRoot, InclusionProof
from zkpor.protocol.margin import MarginTerms
from zkpor.protocol.sumtree import (
    RANGE_BITS,
    SUPPORTED_ARITIES,
    MarginTag,
    child_chunks,
    children_of,
    debt_tree,
    leaf_hash,
    level_sizes,
    node_hash,
)
from zkpor.verify.margin import verify_account

__all__ = ["VerifiedAsset", "format_units", "verify_inclusion"]


@dataclass(frozen=True)
class VerifiedAsset:
    """One asset of a verified inclusion proof."""

    asset: str
    amount: str
    units: int
    leaf_count: int
    root_hash: str
    kind: str = "equity"  # or "debt"


def _same_amount(display: str, units: int, decimals: int) -> bool:
    """Whether the display string is exactly ``units`` base units at ``decimals``."""
    try:
        return parse_amount(display, decimals, limit=2**64) == units
    except ValueError:
        return False


_Batch = list[tuple[RangeProof | bytes, list[Point], int]]
_Key = tuple[str, str, int]  # (asset, kind, leaf index)


@dataclass(frozen=True)
class _Root:
    """A published root a path must reach: its tree (asset or debt tree), the asset's
    decimals, the tree's leaf count, depth, root hash and root commitment."""

    tree: str
    decimals: int
    leaf_count: int
    depth: int
    root_hash: str
    root_commitment: str


def _check_path(
    entry: AssetInclusion,
    root: _Root,
    *,
    where: str,
    round_id: str,
    user_id: str,
    arity: int,
    batch: _Batch,
) -> tuple[bytes, MarginTag]:
    """Steps 1-4 for one leaf (its range proofs go into ``batch``); returns the leaf
    commitment and the leaf's margin tag as its level-1 node binds it."""
    pt = active_backend().Point
    gens = generators()
    if entry.leaf_count != root.leaf_count or entry.decimals != root.decimals:
        raise VerificationError(f"{where}: leaf count or decimals differ from the published root")
    sizes = level_sizes(root.leaf_count, arity)
    depth = len(sizes) - 1
    if depth != root.depth:
        raise VerificationError(
            f"{where}: published depth {root.depth} does not match {root.leaf_count} leaves"
        )
    if len(entry.path) != depth:
        raise VerificationError(f"{where}: path has {len(entry.path)} steps, the tree has {depth}")
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
    leaf_commitment = commit(units, blinding, gens).to_bytes()
    current = (
        leaf_hash(round_id, root.tree, bytes.fromhex(entry.salt), user_id, leaf_commitment),
        leaf_commitment,
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
        if level == 1:
            own_tag = step.children[index - expected.start].tag()
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
                rp = RangeProof.from_bytes(bytes.fromhex(proof_hex), pt, bits=RANGE_BITS, m=size)
            except EncodingError as exc:
                raise VerificationError(f"{at}: range proof: {exc}") from None
            batch.append((rp, points[offset : offset + size], RANGE_BITS))
            offset += size
        node_commitment = pt.sum(points)
        tags = [c.tag_bytes() for c in step.children] if level == 1 else None
        current = (
            node_hash(round_id, root.tree, level, children, tags),
            node_commitment.to_bytes(),
        )
        index = parent
    if current != (bytes.fromhex(root.root_hash), bytes.fromhex(root.root_commitment)):
        raise VerificationError(f"{where}: path does not lead to the published root")
    return leaf_commitment, own_tag


def _check_collateral(
    proof: InclusionProof,
    leaves: dict[_Key, bytes],
    terms: MarginTerms | None,
    order: list[str],
) -> None:
    """Step 6: the collateral proof's inputs are exactly the customer's leaves (every debt,
    every equity in a priced asset) and the proof verifies over their commitments."""
    coll = proof.collateral
    if coll is None:
        raise VerificationError("debts without a collateral proof")
    if terms is None:
        raise VerificationError("debts, but the published roots have no margin terms")
    positions = [(i.asset, i.tree, i.leaf) for i in coll.inputs]
    wanted = {k for k in leaves if k[1] == "debt" or k[0] in terms.prices}
    if len(set(positions)) != len(positions) or set(positions) != wanted:
        raise VerificationError(
            "collateral proof: its inputs are not exactly your debt leaves and your equity "
            "leaves in priced assets"
        )
    trees = [debt_tree(a) if t == "debt" else a for a, t, _ in positions]
    try:
        verify_account(
            terms, order, trees, [leaves[k] for k in positions], bytes.fromhex(coll.proof)
        )
    except VerificationError as exc:
        raise VerificationError(f"collateral proof: {exc}") from None


def _check_tags(
    proof: InclusionProof,
    tags: dict[_Key, MarginTag],
    terms: MarginTerms | None,
) -> None:
    """Step 7: the margin tags of the customer's own leaves (module doc)."""
    coll = proof.collateral
    for (asset, kind, _), tag in tags.items():
        where = f"asset {asset}" + (" (debt)" if kind == "debt" else "")
        if coll is None:
            if not tag.is_none:
                raise VerificationError(
                    f"{where}: your leaf is pledged as collateral of margin account "
                    f"{tag.account}, but you have no debt: the exchange counts your balance "
                    "as backing someone else's loan"
                )
            continue
        want = MarginTag(coll.account, len(coll.inputs))
        pledged = kind == "debt" or (terms is not None and asset in terms.prices)
        if pledged and tag != want:
            raise VerificationError(
                f"{where}: your leaf is tagged {tag.describe()}, but your collateral proof is "
                f"for {want.describe()}: the published account is not the one you were shown"
            )
        if not pledged and not tag.is_none:
            raise VerificationError(
                f"{where}: your leaf is pledged as collateral of margin account {tag.account}, "
                "but the asset has no price, so it cannot be collateral"
            )


@dataclass
class _Paths:
    """What steps 1-4 of every path leave for the later steps: the verified entries, the
    customer's leaf commitments and margin tags by (asset, kind, leaf index), and the range
    proofs to check in one batch (step 5)."""

    out: list[VerifiedAsset] = field(default_factory=list)
    leaves: dict[_Key, bytes] = field(default_factory=dict)
    tags: dict[_Key, MarginTag] = field(default_factory=dict)
    batch: _Batch = field(default_factory=list)


def _check_round(proof: InclusionProof, *, round_id: str, arity: int, exchange: str | None) -> None:
    """The proof is for the published round, exchange (when both name one) and arity, and
    the arity is supported."""
    if proof.round_id != round_id:
        raise VerificationError(f"proof is for round {proof.round_id!r}, not {round_id!r}")
    if exchange is not None and proof.exchange is not None and proof.exchange != exchange:
        raise VerificationError(
            f"the proof is for exchange {shown(proof.exchange)!r}; the manifest is exchange "
            f"{shown(exchange)!r}"
        )
    if proof.arity != arity:
        raise VerificationError(f"proof uses arity {proof.arity}, the round uses {arity}")
    if arity not in SUPPORTED_ARITIES:
        raise VerificationError(f"unsupported arity {arity}")


def _entries(proof: InclusionProof) -> tuple[tuple[str, list[AssetInclusion]], ...]:
    """The proof's entries by kind: equity first, then debt."""
    return (("equity", proof.assets), ("debt", proof.debts or []))


def _check_structure(proof: InclusionProof, roots: dict[str, AssetRoot]) -> None:
    """Step 0, before any cryptography (so that work stays linear in the published roots):
    per kind, entries in strictly ascending order of their symbols' bytes (8.1: the one
    order, which no JSON parser loses; so no asset twice), every asset published (with a
    debt tree for a debt entry), and a collateral proof only with debts."""
    for kind, entries in _entries(proof):
        seen: set[str] = set()
        previous: str | None = None
        for entry in entries:
            if entry.asset in seen:
                raise VerificationError(f"{kind} asset {entry.asset} appears twice")
            if previous is not None and entry.asset.encode() < previous.encode():
                raise VerificationError(
                    f"{kind} asset {entry.asset} is listed after {previous}: the entries must "
                    "be in ascending order of their symbols (8.1)"
                )
            previous = entry.asset
            if entry.asset not in roots:
                raise VerificationError(f"asset {entry.asset}: no published root for this asset")
            if kind == "debt" and roots[entry.asset].debt is None:
                raise VerificationError(f"asset {entry.asset}: no published debt tree")
            seen.add(entry.asset)
    if proof.collateral is not None and not proof.debts:
        raise VerificationError("a collateral proof without debts")


def _root_of(entry: AssetInclusion, pub: AssetRoot, kind: str) -> tuple[_Root, str]:
    """The published root an entry's path must reach (the asset's tree, or its debt tree for
    a debt entry), and how errors name the entry."""
    if kind == "debt":
        assert pub.debt is not None
        d = pub.debt
        root = _Root(
            debt_tree(entry.asset),
            pub.decimals,
            d.leaf_count,
            d.depth,
            d.root_hash,
            d.root_commitment,
        )
        return root, f"asset {entry.asset} (debt)"
    root = _Root(
        entry.asset,
        pub.decimals,
        pub.leaf_count,
        pub.depth,
        pub.root_hash,
        pub.root_commitment,
    )
    return root, f"asset {entry.asset}"


def _check_paths(
    proof: InclusionProof, roots: dict[str, AssetRoot], *, round_id: str, arity: int
) -> _Paths:
    """Steps 1-4 for every entry, equity then debt (:func:`_check_path`); the range proofs
    are collected, not yet verified."""
    paths = _Paths()
    for kind, entries in _entries(proof):
        for entry in entries:
            root, where = _root_of(entry, roots[entry.asset], kind)
            key = (entry.asset, kind, entry.leaf_index)
            paths.leaves[key], paths.tags[key] = _check_path(
                entry,
                root,
                where=where,
                round_id=round_id,
                user_id=proof.user_id,
                arity=arity,
                batch=paths.batch,
            )
            paths.out.append(
                VerifiedAsset(
                    entry.asset,
                    entry.amount,
                    int(entry.units),
                    root.leaf_count,
                    root.root_hash,
                    kind,
                )
            )
    return paths


def _check_range_proofs(batch: _Batch) -> None:
    """Step 5: every range proof on every path, as one batch."""
    try:
        verify_batch(batch)
    except VerificationError as exc:
        raise VerificationError(f"range proofs on the path: {exc}") from None


def verify_inclusion(
    proof: InclusionProof,
    roots: dict[str, AssetRoot],
    *,
    round_id: str,
    arity: int,
    terms: MarginTerms | None = None,
    exchange: str | None = None,
) -> list[VerifiedAsset]:
    """Verify ``proof`` against ``roots`` (asset -> published root) for the given round and
    arity, which the caller takes from the published manifest, never from the proof; with
    debts, also the collateral proof under the published ``terms`` (step 6). ``exchange``
    is the manifest's exchange name (None without a manifest): a proof that names its
    exchange must name exactly that one. Returns the equity entries, then the debt entries
    (``kind`` "debt")."""
    _check_round(proof, round_id=round_id, arity=arity, exchange=exchange)
    _check_structure(proof, roots)
    paths = _check_paths(proof, roots, round_id=round_id, arity=arity)
    if proof.debts:
        _check_collateral(proof, paths.leaves, terms, list(roots))
    _check_tags(proof, paths.tags, terms)
    _check_range_proofs(paths.batch)
    return paths.out
