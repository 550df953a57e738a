"""sumtree.json (docs/spec.md section 7): round keys, leaf and node hashes, the
tree shape, and whole seeded trees, including the trees inclusion.json uses.
"""

from __future__ import annotations

import functools
from typing import Final

from tools.vectors.base import (
    BTC_CUSTOMERS,
    ETH_CUSTOMERS,
    MASTER,
    ROUND_A,
    ROUND_B,
    RUN_NONCE,
    USDT_CUSTOMERS,
    Json,
    VectorFile,
)
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, get_backend, random_scalar
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof import proof_size
from zkpor.protocol.sumtree import MarginTag, child_chunks, leaf_hash, level_sizes, node_hash
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, seed, seeded
from zkpor.vectors.outputs import tree_outputs
from zkpor.vectors.tree import Tree, build_tree

# key -> (round id, asset, decimals, arity, padding granularity, customers)
TREE_INPUTS: Final[dict[str, tuple[str, str, int, int, int, list[tuple[str, int]]]]] = {
    "spec": (ROUND_A, "BTC", 8, 4, 1, [("alice", 150000000)]),
    "btc": (ROUND_A, "BTC", 8, 4, 10, BTC_CUSTOMERS),
    "eth": (ROUND_A, "ETH", 9, 4, 4, ETH_CUSTOMERS),
    "usdt": (ROUND_B, "USDT", 6, 2, 5, USDT_CUSTOMERS),
}


@functools.cache
def _trees(backend_name: str) -> dict[str, Tree]:
    """The trees of the vectors, built once per backend; the range proofs of tree KEY use
    the stream of seed "tree/KEY". "negative" and "overflow" are the BTC tree as a cheating
    exchange would build it, a leaf next to alice's holding a value outside [0, 2^64)."""
    gens = generators(get_backend(backend_name))

    def tree(key: str, base: str, overrides: dict[str, int] | None = None) -> Tree:
        round_id, asset, decimals, arity, granularity, customers = TREE_INPUTS[base]
        return build_tree(
            master=MASTER,
            run_nonce=RUN_NONCE,
            round_id=round_id,
            asset=asset,
            decimals=decimals,
            arity=arity,
            granularity=granularity,
            customers=customers,
            gens=gens,
            rng=seeded(f"tree/{key}"),
            overrides=overrides,
        )

    out = {key: tree(key, key) for key in TREE_INPUTS}
    btc = out["btc"]
    alice = btc.index_of("alice")
    first = alice - alice % btc.arity
    sibling = next(btc.leaf_ids[i] for i in range(first, first + btc.arity) if i != alice)
    out["negative"] = tree("negative", "btc", {sibling: N - 10**9})
    out["overflow"] = tree("overflow", "btc", {sibling: 2**64 + 5})
    return out


def generate(gens: GeneratorSet) -> Json:
    from zkpor.prover.liabilities.keys import RoundKeys, pad_leaf_id

    f = VectorFile(
        "sumtree",
        "zkpor Merkle sum tree v1 (docs/spec.md section 7)",
        [
            "Round keys (7.1), leaf and node hashes (7.4), level sizes (7.3), child chunks",
            "(7.6), and whole trees: from the master secret, round, asset, arity, padding",
            "granularity and customer balances to every leaf, node and seeded child range proof.",
        ],
    )
    pt = gens.point_type
    g = f.group("RoundKeysTest")
    for comment, flags, master, nonce, round_id, asset, leaf_id in (
        (
            "docs/spec.md 7.8: alice, BTC",
            ["Valid", "KnownAnswer"],
            MASTER,
            RUN_NONCE,
            ROUND_A,
            "BTC",
            "alice",
        ),
        (
            "docs/spec.md 7.8: padding leaf 0 of BTC",
            ["Valid", "KnownAnswer"],
            MASTER,
            RUN_NONCE,
            ROUND_A,
            "BTC",
            pad_leaf_id(0),
        ),
        (
            "alice, BTC, same round, another run nonce: every derived value differs",
            ["Valid"],
            MASTER,
            b"\x00" * 32,
            ROUND_A,
            "BTC",
            "alice",
        ),
        ("a non-ASCII user id", ["Valid"], MASTER, RUN_NONCE, "2027-01", "ETH", "zoë-ünïcode"),
        (
            "a 128-byte user id",
            ["Valid", "EdgeCase"],
            MASTER,
            RUN_NONCE,
            ROUND_A,
            "USDT",
            "u" * 128,
        ),
        ("master secret of 0xff bytes", ["Valid"], b"\xff" * 32, RUN_NONCE, "r", "X", "1"),
    ):
        keys = RoundKeys.derive(master, round_id, nonce)
        g.add(
            comment,
            flags,
            "valid",
            master=master.hex(),
            run_nonce=nonce.hex(),
            round_id=round_id,
            asset=asset,
            leaf_id=leaf_id,
            round_key=keys.round_key.hex(),
            blinding=f"{keys.blinding(asset, leaf_id):064x}",
            salt=keys.salt(asset, leaf_id).hex(),
            placement=keys.placement(asset, leaf_id).hex(),
        )
    g = f.group("LeafHashTest")
    keys = RoundKeys.derive(MASTER, ROUND_A, RUN_NONCE)
    alice_c = commit(150000000, keys.blinding("BTC", "alice"), gens).to_bytes()
    for comment, flags, round_id, asset, salt, user, c in (
        (
            "docs/spec.md 7.8: alice's leaf",
            ["Valid", "KnownAnswer"],
            ROUND_A,
            "BTC",
            keys.salt("BTC", "alice"),
            "alice",
            alice_c,
        ),
        (
            "a padding leaf (id with a NUL byte)",
            ["Valid"],
            ROUND_A,
            "BTC",
            keys.salt("BTC", pad_leaf_id(3)),
            pad_leaf_id(3),
            commit(0, keys.blinding("BTC", pad_leaf_id(3)), gens).to_bytes(),
        ),
        (
            "a non-ASCII user id and a zero salt",
            ["Valid", "EdgeCase"],
            "2027-01",
            "ETH",
            bytes(32),
            "zoë",
            alice_c,
        ),
        (
            "a 64-character round id",
            ["Valid", "EdgeCase"],
            "r" * 64,
            "A.B-C_D",
            bytes(range(32)),
            "x",
            alice_c,
        ),
    ):
        g.add(
            comment,
            flags,
            "valid",
            round_id=round_id,
            asset=asset,
            salt=salt.hex(),
            user_id=user,
            commitment=c.hex(),
            hash=leaf_hash(round_id, asset, salt, user, c).hex(),
        )
    for length in (31, 33):
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
    g = f.group("NodeHashTest")
    rng = seeded("sumtree/node-children")
    for count, level in ((1, 1), (2, 1), (3, 2), (4, 1), (7, 3), (16, 1), (64, 64)):
        children = []
        points = []
        for _ in range(count):
            point = commit(int.from_bytes(rng.randbytes(4), "big"), random_scalar(rng), gens)
            points.append(point)
            children.append((rng.randbytes(32), point.to_bytes()))
        # level 1: leaves, every other one a collateral input (account 2i+1, i+1 inputs)
        tags = (
            [MarginTag(2 * i + 1, i + 1) if i % 2 else MarginTag() for i in range(count)]
            if level == 1
            else None
        )
        raw_tags = [t.to_bytes() for t in tags] if tags is not None else None
        g.add(
            f"{count} children at level {level}"
            + (", with margin tags" if level == 1 and count > 1 else ""),
            ["Valid"]
            + (["EdgeCase"] if count in (1, 64) else [])
            + (["MarginTag"] if level == 1 and count > 1 else []),
            "valid",
            round_id=ROUND_A,
            asset="BTC",
            level=level,
            children=[{"hash": h.hex(), "commitment": c.hex()} for h, c in children],
            tags=[t.hex() for t in raw_tags or []],
            hash=node_hash(ROUND_A, "BTC", level, children, raw_tags).hex(),
            commitment=hexpt(pt.sum(points)),
        )
    two = [(rng.randbytes(32), commit(5, random_scalar(rng), gens).to_bytes()) for _ in range(2)]
    for comment, tags_hex in (
        ("a tag with account 1 and 0 inputs (not canonical)", ["0000000100000000", "00" * 8]),
        ("a tag of 7 bytes", ["00" * 7, "00" * 8]),
        ("one tag for two children", ["00" * 8]),
        ("no tags at level 1", []),
    ):
        g.add(
            comment,
            ["InvalidMarginTag"],
            "invalid",
            round_id=ROUND_A,
            asset="BTC",
            level=1,
            children=[{"hash": h.hex(), "commitment": c.hex()} for h, c in two],
            tags=tags_hex or [],
        )
    g.add(
        "tags at level 2 (only leaves have tags)",
        ["InvalidMarginTag"],
        "invalid",
        round_id=ROUND_A,
        asset="BTC",
        level=2,
        children=[{"hash": h.hex(), "commitment": c.hex()} for h, c in two],
        tags=["00" * 8, "00" * 8],
    )
    g = f.group("LevelSizesTest")
    for leaf_count, arity, flags in (
        (1, 2, ["Valid", "EdgeCase"]),
        (1, 64, ["Valid", "EdgeCase"]),
        (2, 2, ["Valid"]),
        (10, 4, ["Valid", "KnownAnswer"]),
        (5, 2, ["Valid"]),
        (256, 16, ["Valid"]),
        (257, 16, ["Valid"]),
        (1000, 4, ["Valid"]),
        (4097, 64, ["Valid"]),
        (65536, 2, ["Valid"]),
        (1000000, 16, ["Valid"]),
    ):
        sizes = level_sizes(leaf_count, arity)
        g.add(
            f"{leaf_count} leaves, arity {arity}",
            flags,
            "valid",
            leaf_count=leaf_count,
            arity=arity,
            sizes=sizes,
            depth=len(sizes) - 1,
        )
    for leaf_count, arity, comment in (
        (0, 4, "no leaves"),
        (10, 3, "arity 3"),
        (10, 1, "arity 1"),
        (10, 128, "arity 128"),
    ):
        g.add(
            comment,
            ["InvalidTreeShape"],
            "invalid",
            leaf_count=leaf_count,
            arity=arity,
            sizes=[],
            depth=0,
        )
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
    g = f.group("TreeTest")
    trees = _trees(gens.point_type.backend_name)
    comments = {
        "spec": "docs/spec.md 7.8: alice alone, granularity 1: a leaf and a root",
        "btc": "7 customers, granularity 10, arity 4: sizes [10, 3, 1]",
        "eth": "2 customers, granularity 4, arity 4: one full node",
        "usdt": "3 customers, granularity 5, arity 2: sizes [5, 3, 2, 1], single-child nodes",
    }
    for key, (round_id, asset, decimals, arity, gran, customers) in TREE_INPUTS.items():
        g.add(
            comments[key],
            ["Valid", "SeededProof"] + (["KnownAnswer"] if key == "spec" else []),
            "valid",
            master=MASTER.hex(),
            run_nonce=RUN_NONCE.hex(),
            round_id=round_id,
            asset=asset,
            decimals=decimals,
            arity=arity,
            pad_granularity=gran,
            customers=[{"user_id": u, "units": str(v)} for u, v in customers],
            seed=seed(f"tree/{key}").hex(),
            **tree_outputs(trees[key]),
        )
    return f.to_json()


NAME: Final = "sumtree"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of sumtree.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
