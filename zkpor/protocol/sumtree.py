"""The Merkle sum tree of commitments: shape, node hashes, child-proof layout.

Shared by the prover (:mod:`zkpor.prover.liabilities`) and the verifiers (:mod:`zkpor.verify`).
docs/spec/liabilities-tree.md (section 7) is the normative description. The tree's byte encodings
(margin tags, the child-proof layout, arities, identifier limits) live in
:mod:`zkpor.formats.treecodec` and are re-exported here with the rules that use them.

Shape: an asset's tree has ``leaf_count`` leaves at level 0 (customers and padding leaves,
in a secret order). Level l+1 has ``ceil(size_l / k)`` nodes; node i of level l+1 has the
children i*k .. min(i*k + k, size_l) - 1 of level l, so only the last node of a level can
have fewer than k children. The root is the single node of the top level (a tree of one
leaf gets one level above it, so every customer has a path of at least one step).

Every node holds (hash, commitment). A parent's commitment is the sum of its children's and
its hash binds the round, the asset, its level, and every child's hash and commitment, in
order; at level 1 also every leaf's margin tag (:class:`MarginTag`: none, or the margin
account that uses the leaf as a collateral input and that account's input count), so the
role of each leaf is public, fixed by the root, and seen by its owner on their path. Each internal node carries range proofs over its children's commitments (64-bit):
one aggregated proof per power-of-two chunk of the child count, largest first (a node with
k children has one proof over all of them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from zkpor.errors import ParameterError
from zkpor.formats.treecodec import (
    MARGIN_TAG_BYTES,
    MAX_TAG_FIELD,
    MAX_USER_ID_BYTES,
    NO_TAG,
    NO_TAG_BYTES,
    RANGE_BITS,
    SUPPORTED_ARITIES,
    MarginTag,
    check_arity,
    child_chunks,
    child_proofs_length,
    split_child_proofs,
)

__all__ = [
    "DEBT_LEAF_DOMAIN",
    "DEBT_SUFFIX",
    "LEAF_DOMAIN",
    "MARGIN_TAG_BYTES",
    "MAX_TAG_FIELD",
    "NO_TAG_BYTES",
    "NODE_DOMAIN",
    "NO_TAG",
    "MarginTag",
    "RANGE_BITS",
    "child_chunks",
    "child_proofs_length",
    "children_of",
    "debt_tree",
    "asset_of_tree",
    "is_debt_tree",
    "leaf_hash",
    "level_sizes",
    "node_hash",
    "split_child_proofs",
    "MAX_USER_ID_BYTES",
    "SUPPORTED_ARITIES",
    "check_arity",
]

LEAF_DOMAIN: Final[bytes] = b"zkpor-leaf-v1"
DEBT_LEAF_DOMAIN: Final[bytes] = b"zkpor-debt-leaf-v1"
DEBT_SUFFIX: Final[str] = "/debt"
NODE_DOMAIN: Final[bytes] = b"zkpor-node-v2"
SALT_BYTES: Final[int] = 32


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def debt_tree(asset: str) -> str:
    """The tree name of asset ``asset``'s debt tree: ``asset + "/debt"`` (a symbol never
    contains "/", so no equity tree has this name)."""
    return asset + DEBT_SUFFIX


def asset_of_tree(tree: str) -> str:
    """The asset a tree belongs to: ``"BTC"`` for both ``"BTC"`` and ``"BTC/debt"``."""
    return tree.removesuffix(DEBT_SUFFIX)


def is_debt_tree(tree: str) -> bool:
    """Whether ``tree`` names a debt tree (:func:`debt_tree`)."""
    return tree.endswith(DEBT_SUFFIX)


def leaf_hash(round_id: str, asset: str, salt: bytes, user_id: str, commitment: bytes) -> bytes:
    """SHA-256(f(tag) || f(round) || f(tree) || salt || f(user_id) || C).

    ``tag`` is "zkpor-leaf-v1" in an equity tree and "zkpor-debt-leaf-v1" in a debt tree
    (``asset`` = tree name, :func:`debt_tree`); ``f(x) = u32be(len(x)) || x``; strings are
    UTF-8; ``salt`` is 32 bytes and ``C`` the 33-byte leaf commitment. The salt hides the
    user id; the round and tree make a leaf of another round, asset or tree useless here.
    """
    if len(salt) != SALT_BYTES:
        raise ParameterError(f"salt must be {SALT_BYTES} bytes")
    h = hashlib.sha256()
    h.update(_frame(DEBT_LEAF_DOMAIN if is_debt_tree(asset) else LEAF_DOMAIN))
    h.update(_frame(round_id.encode()))
    h.update(_frame(asset.encode()))
    h.update(salt)
    h.update(_frame(user_id.encode()))
    h.update(commitment)
    return h.digest()


def node_hash(
    round_id: str,
    asset: str,
    level: int,
    children: Sequence[tuple[bytes, bytes]],
    tags: Sequence[bytes] | None = None,
) -> bytes:
    """SHA-256(f("zkpor-node-v2") || f(round) || f(asset) || u8(level) || u8(count)
    || child_0 || ... || child_(c-1)) over the children, where ``child_i`` is
    ``hash_i || C_i || tag_i`` at level 1 (``tag_i`` the leaf's 8-byte margin tag,
    :class:`MarginTag`) and ``hash_i || C_i`` above. ``tags`` is required at level 1 and
    refused above it."""
    if not 1 <= level <= 64 or not 1 <= len(children) <= 64:
        raise ParameterError("node level and child count must be between 1 and 64")
    if (level == 1) != (tags is not None):
        raise ParameterError("margin tags go with the children of level-1 nodes only")
    if tags is not None and (
        len(tags) != len(children) or any(len(t) != MARGIN_TAG_BYTES for t in tags)
    ):
        raise ParameterError("one 8-byte margin tag per child")
    h = hashlib.sha256()
    h.update(_frame(NODE_DOMAIN))
    h.update(_frame(round_id.encode()))
    h.update(_frame(asset.encode()))
    h.update(bytes((level, len(children))))
    for i, (child_hash, child_commitment) in enumerate(children):
        h.update(child_hash)
        h.update(child_commitment)
        if tags is not None:
            h.update(tags[i])
    return h.digest()


def level_sizes(leaf_count: int, k: int) -> list[int]:
    """Node counts per level, level 0 (leaves) first, ending with the root's level (1)."""
    if leaf_count < 1:
        raise ParameterError("a tree needs at least one leaf")
    sizes = [leaf_count]
    while sizes[-1] > 1 or len(sizes) == 1:
        sizes.append(-(-sizes[-1] // k))
    return sizes


def children_of(index: int, child_level_size: int, k: int) -> range:
    """Indices, in the level below, of the children of node ``index``."""
    return range(index * k, min(index * k + k, child_level_size))
