"""sumtree.json (docs/spec/ section 7, liabilities-tree.md): round keys, leaf and node
hashes, the tree shape, and whole seeded trees, including the trees inclusion.json uses.

One short function per test group, each over a table of its cases: :data:`ROUND_KEY_CASES`,
the leaf-hash cases (:func:`_leaf_hash_cases`, which need the round keys),
:data:`NODE_SHAPES` and :data:`INVALID_TAGS`, :data:`LEVEL_SIZES` and :data:`BAD_SHAPES`,
and :data:`TREE_INPUTS` with :data:`TREE_COMMENTS`. :func:`seeded_trees` builds the trees
(once per backend) that the other vector files show proofs of.
"""

from __future__ import annotations

import functools
from typing import Final, NamedTuple

from tools.vectors.base import (
    BTC_CUSTOMERS,
    ETH_CUSTOMERS,
    MASTER,
    ROUND_A,
    ROUND_B,
    RUN_NONCE,
    USDT_CUSTOMERS,
    Group,
    Json,
    VectorFile,
)
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, get_backend, random_scalar
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof import proof_size
from zkpor.protocol.sumtree import MarginTag, child_chunks, leaf_hash, level_sizes, node_hash
from zkpor.prover.liabilities.keys import RoundKeys, pad_leaf_id
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, seed, seeded
from zkpor.vectors.outputs import tree_outputs
from zkpor.vectors.tree import Tree, build_tree

HEADER: Final[list[str]] = [
    "Round keys (7.1), leaf and node hashes (7.4), level sizes (7.3), child chunks",
    "(7.6), and whole trees: from the master secret, round, asset, arity, padding",
    "granularity and customer balances to every leaf, node and seeded child range proof.",
]


class TreeInput(NamedTuple):
    """A tree's inputs (besides the master secret and run nonce)."""

    round_id: str
    asset: str
    decimals: int
    arity: int
    granularity: int  # padding granularity
    customers: list[tuple[str, int]]


TREE_INPUTS: Final[dict[str, TreeInput]] = {
    "spec": TreeInput(ROUND_A, "BTC", 8, 4, 1, [("alice", 150000000)]),
    "btc": TreeInput(ROUND_A, "BTC", 8, 4, 10, BTC_CUSTOMERS),
    "eth": TreeInput(ROUND_A, "ETH", 9, 4, 4, ETH_CUSTOMERS),
    "usdt": TreeInput(ROUND_B, "USDT", 6, 2, 5, USDT_CUSTOMERS),
}

TREE_COMMENTS: Final[dict[str, str]] = {
    "spec": "docs/spec.md 7.8: alice alone, granularity 1: a leaf and a root",
    "btc": "7 customers, granularity 10, arity 4: sizes [10, 3, 1]",
    "eth": "2 customers, granularity 4, arity 4: one full node",
    "usdt": "3 customers, granularity 5, arity 2: sizes [5, 3, 2, 1], single-child nodes",
}


def _build(
    key: str, inputs: TreeInput, gens: GeneratorSet, overrides: dict[str, int] | None = None
) -> Tree:
    return build_tree(
        master=MASTER,
        run_nonce=RUN_NONCE,
        round_id=inputs.round_id,
        asset=inputs.asset,
        decimals=inputs.decimals,
        arity=inputs.arity,
        granularity=inputs.granularity,
        customers=inputs.customers,
        gens=gens,
        rng=seeded(f"tree/{key}"),
        overrides=overrides,
    )


@functools.cache
def seeded_trees(backend_name: str) -> dict[str, Tree]:
    """The trees of the vectors, built once per backend; the range proofs of tree KEY use
    the stream of seed "tree/KEY". "negative" and "overflow" are the BTC tree as a cheating
    exchange would build it, a leaf next to alice's holding a value outside [0, 2^64)."""
    gens = generators(get_backend(backend_name))
    out = {key: _build(key, inputs, gens) for key, inputs in TREE_INPUTS.items()}
    btc = out["btc"]
    alice = btc.index_of("alice")
    first = alice - alice % btc.arity
    sibling = next(btc.leaf_ids[i] for i in range(first, first + btc.arity) if i != alice)
    out["negative"] = _build("negative", TREE_INPUTS["btc"], gens, {sibling: N - 10**9})
    out["overflow"] = _build("overflow", TREE_INPUTS["btc"], gens, {sibling: 2**64 + 5})
    return out


class RoundKeysCase(NamedTuple):
    comment: str
    flags: tuple[str, ...]
    master: bytes
    run_nonce: bytes
    round_id: str
    asset: str
    leaf_id: str


_KNOWN = ("Valid", "KnownAnswer")

ROUND_KEY_CASES: Final[tuple[RoundKeysCase, ...]] = (
    RoundKeysCase(
        "docs/spec.md 7.8: alice, BTC", _KNOWN, MASTER, RUN_NONCE, ROUND_A, "BTC", "alice"
    ),
    RoundKeysCase(
        "docs/spec.md 7.8: padding leaf 0 of BTC",
        _KNOWN,
        MASTER,
        RUN_NONCE,
        ROUND_A,
        "BTC",
        pad_leaf_id(0),
    ),
    RoundKeysCase(
        "alice, BTC, same round, another run nonce: every derived value differs",
        ("Valid",),
        MASTER,
        b"\x00" * 32,
        ROUND_A,
        "BTC",
        "alice",
    ),
    RoundKeysCase(
        "a non-ASCII user id", ("Valid",), MASTER, RUN_NONCE, "2027-01", "ETH", "zoë-ünïcode"
    ),
    RoundKeysCase(
        "a 128-byte user id", ("Valid", "EdgeCase"), MASTER, RUN_NONCE, ROUND_A, "USDT", "u" * 128
    ),
    RoundKeysCase(
        "master secret of 0xff bytes", ("Valid",), b"\xff" * 32, RUN_NONCE, "r", "X", "1"
    ),
)


def _add_round_keys(f: VectorFile) -> None:
    g = f.group("RoundKeysTest")
    for case in ROUND_KEY_CASES:
        keys = RoundKeys.derive(case.master, case.round_id, case.run_nonce)
        g.add(
            case.comment,
            list(case.flags),
            "valid",
            master=case.master.hex(),
            run_nonce=case.run_nonce.hex(),
            round_id=case.round_id,
            asset=case.asset,
            leaf_id=case.leaf_id,
            round_key=keys.round_key.hex(),
            blinding=f"{keys.blinding(case.asset, case.leaf_id):064x}",
            salt=keys.salt(case.asset, case.leaf_id).hex(),
            placement=keys.placement(case.asset, case.leaf_id).hex(),
        )


class LeafHashCase(NamedTuple):
    comment: str
    flags: tuple[str, ...]
    round_id: str
    asset: str
    salt: bytes
    user_id: str
    commitment: bytes


def _leaf_hash_cases(
    keys: RoundKeys, alice_c: bytes, gens: GeneratorSet
) -> tuple[LeafHashCase, ...]:
    """Alice's leaf and a padding leaf under ``keys``; other inputs with alice's commitment."""
    pad = pad_leaf_id(3)
    return (
        LeafHashCase(
            "docs/spec.md 7.8: alice's leaf",
            _KNOWN,
            ROUND_A,
            "BTC",
            keys.salt("BTC", "alice"),
            "alice",
            alice_c,
        ),
        LeafHashCase(
            "a padding leaf (id with a NUL byte)",
            ("Valid",),
            ROUND_A,
            "BTC",
            keys.salt("BTC", pad),
            pad,
            commit(0, keys.blinding("BTC", pad), gens).to_bytes(),
        ),
        LeafHashCase(
            "a non-ASCII user id and a zero salt",
            ("Valid", "EdgeCase"),
            "2027-01",
            "ETH",
            bytes(32),
            "zoë",
            alice_c,
        ),
        LeafHashCase(
            "a 64-character round id",
            ("Valid", "EdgeCase"),
            "r" * 64,
            "A.B-C_D",
            bytes(range(32)),
            "x",
            alice_c,
        ),
    )


INVALID_SALT_LENGTHS: Final[tuple[int, ...]] = (31, 33)


def _add_leaf_hashes(f: VectorFile, gens: GeneratorSet) -> None:
    g = f.group("LeafHashTest")
    keys = RoundKeys.derive(MASTER, ROUND_A, RUN_NONCE)
    alice_c = commit(150000000, keys.blinding("BTC", "alice"), gens).to_bytes()
    for c in _leaf_hash_cases(keys, alice_c, gens):
        g.add(
            c.comment,
            list(c.flags),
            "valid",
            round_id=c.round_id,
            asset=c.asset,
            salt=c.salt.hex(),
            user_id=c.user_id,
            commitment=c.commitment.hex(),
            hash=leaf_hash(c.round_id, c.asset, c.salt, c.user_id, c.commitment).hex(),
        )
    for length in INVALID_SALT_LENGTHS:
        g.add(
            f"a {length}-byte salt",
            ["InvalidSaltLength"],
            "invalid",
            round_id=ROUND_A,
            asset="BTC",
            salt=("ab" * length),
            user_id="alice",
            commitment=alice_c.hex(),
            hash="",
        )


# (child count, level) of the valid node-hash tests, in the seeded children's draw order
NODE_SHAPES: Final[tuple[tuple[int, int], ...]] = (
    (1, 1),
    (2, 1),
    (3, 2),
    (4, 1),
    (7, 3),
    (16, 1),
    (64, 64),
)

# (comment, level, tags) of two seeded children: margin tags a node hash refuses
INVALID_TAGS: Final[tuple[tuple[str, int, list[str]], ...]] = (
    ("a tag with account 1 and 0 inputs (not canonical)", 1, ["0000000100000000", "00" * 8]),
    ("a tag of 7 bytes", 1, ["00" * 7, "00" * 8]),
    ("one tag for two children", 1, ["00" * 8]),
    ("no tags at level 1", 1, []),
    ("tags at level 2 (only leaves have tags)", 2, ["00" * 8, "00" * 8]),
)


def _add_node_hash(g: Group, count: int, level: int, rng: SeededRandom, gens: GeneratorSet) -> None:
    """``count`` seeded children at ``level``; at level 1 every other one a collateral
    input (account 2i+1, i+1 inputs)."""
    children, points = [], []
    for _ in range(count):
        point = commit(int.from_bytes(rng.randbytes(4), "big"), random_scalar(rng), gens)
        points.append(point)
        children.append((rng.randbytes(32), point.to_bytes()))
    tagged = level == 1
    tags = [MarginTag(2 * i + 1, i + 1) if i % 2 else MarginTag() for i in range(count)]
    raw_tags = [t.to_bytes() for t in tags] if tagged else None
    with_tags = tagged and count > 1
    g.add(
        f"{count} children at level {level}" + (", with margin tags" if with_tags else ""),
        ["Valid"]
        + (["EdgeCase"] if count in (1, 64) else [])
        + (["MarginTag"] if with_tags else []),
        "valid",
        round_id=ROUND_A,
        asset="BTC",
        level=level,
        children=[{"hash": h.hex(), "commitment": c.hex()} for h, c in children],
        tags=[t.hex() for t in raw_tags or []],
        hash=node_hash(ROUND_A, "BTC", level, children, raw_tags).hex(),
        commitment=hexpt(gens.point_type.sum(points)),
    )


def _add_node_hashes(f: VectorFile, gens: GeneratorSet) -> None:
    g = f.group("NodeHashTest")
    rng = seeded("sumtree/node-children")
    for count, level in NODE_SHAPES:
        _add_node_hash(g, count, level, rng, gens)
    two = [(rng.randbytes(32), commit(5, random_scalar(rng), gens).to_bytes()) for _ in range(2)]
    for comment, level, tags in INVALID_TAGS:
        g.add(
            comment,
            ["InvalidMarginTag"],
            "invalid",
            round_id=ROUND_A,
            asset="BTC",
            level=level,
            children=[{"hash": h.hex(), "commitment": c.hex()} for h, c in two],
            tags=tags,
        )


# (leaf count, arity, flags)
LEVEL_SIZES: Final[tuple[tuple[int, int, tuple[str, ...]], ...]] = (
    (1, 2, ("Valid", "EdgeCase")),
    (1, 64, ("Valid", "EdgeCase")),
    (2, 2, ("Valid",)),
    (10, 4, ("Valid", "KnownAnswer")),
    (5, 2, ("Valid",)),
    (256, 16, ("Valid",)),
    (257, 16, ("Valid",)),
    (1000, 4, ("Valid",)),
    (4097, 64, ("Valid",)),
    (65536, 2, ("Valid",)),
    (1000000, 16, ("Valid",)),
)

# (leaf count, arity, comment): no tree
BAD_SHAPES: Final[tuple[tuple[int, int, str], ...]] = (
    (0, 4, "no leaves"),
    (10, 3, "arity 3"),
    (10, 1, "arity 1"),
    (10, 128, "arity 128"),
)


def _add_level_sizes(f: VectorFile) -> None:
    g = f.group("LevelSizesTest")
    for leaf_count, arity, flags in LEVEL_SIZES:
        sizes = level_sizes(leaf_count, arity)
        g.add(
            f"{leaf_count} leaves, arity {arity}",
            list(flags),
            "valid",
            leaf_count=leaf_count,
            arity=arity,
            sizes=sizes,
            depth=len(sizes) - 1,
        )
    for leaf_count, arity, comment in BAD_SHAPES:
        g.add(
            comment,
            ["InvalidTreeShape"],
            "invalid",
            leaf_count=leaf_count,
            arity=arity,
            sizes=[],
            depth=0,
        )


def _add_child_chunks(f: VectorFile) -> None:
    g = f.group("ChildChunksTest")
    for count in range(1, 65):
        chunks = child_chunks(count)
        g.add(
            f"{count} children",
            ["Valid"],
            "valid",
            count=count,
            chunks=chunks,
            proof_sizes=[proof_size((64 * c).bit_length() - 1) for c in chunks],
        )


def _add_trees(f: VectorFile, gens: GeneratorSet) -> None:
    g = f.group("TreeTest")
    trees = seeded_trees(gens.point_type.backend_name)
    for key, inputs in TREE_INPUTS.items():
        g.add(
            TREE_COMMENTS[key],
            ["Valid", "SeededProof"] + (["KnownAnswer"] if key == "spec" else []),
            "valid",
            master=MASTER.hex(),
            run_nonce=RUN_NONCE.hex(),
            round_id=inputs.round_id,
            asset=inputs.asset,
            decimals=inputs.decimals,
            arity=inputs.arity,
            pad_granularity=inputs.granularity,
            customers=[{"user_id": u, "units": str(v)} for u, v in inputs.customers],
            seed=seed(f"tree/{key}").hex(),
            **tree_outputs(trees[key]),
        )


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile("sumtree", "zkpor Merkle sum tree v1 (docs/spec.md section 7)", HEADER)
    _add_round_keys(f)
    _add_leaf_hashes(f, gens)
    _add_node_hashes(f, gens)
    _add_level_sizes(f)
    _add_child_chunks(f)
    _add_trees(f, gens)
    return f.to_json()


NAME: Final = "sumtree"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of sumtree.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
