"""inclusion.json (docs/spec.md section 8): customers' proofs against published
roots, and every way one can be tampered with.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Final

from tools.vectors.base import BTC_CUSTOMERS, ROUND_A, ROUND_B, Group, Json, VectorFile
from tools.vectors.schemaparts import Schema
from tools.vectors.sumtree import _trees
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N
from zkpor.formats.amounts import format_units
from zkpor.formats.models import INCLUSION_FORMAT, InclusionProof
from zkpor.formats.zkpi import encode_inclusion
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt
from zkpor.vectors.tree import Tree, roots_json


def _inclusion(round_id: str, arity: int, user: str, trees: list[Tree]) -> Json:
    return {
        "format": INCLUSION_FORMAT,
        "round_id": round_id,
        "user_id": user,
        "arity": arity,
        "assets": [t.inclusion_entry(user) for t in trees],
    }


def _verified(trees: list[Tree], user: str, amounts: dict[str, str] | None = None) -> list[Json]:
    out = []
    for t in trees:
        leaf = t.levels[0][t.index_of(user)]
        out.append(
            {
                "asset": t.asset,
                "amount": (amounts or {}).get(t.asset, format_units(leaf.value, t.decimals)),
                "units": str(leaf.value),
                "leaf_count": len(t.leaf_ids),
                "root_hash": t.root.hash.hex(),
            }
        )
    return out


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "inclusion",
        "zkpor inclusion proof v1 (docs/spec.md section 8)",
        [
            "Inputs 'roots' (a roots.json object, 9.2) and 'inclusion' (a customer's proof, 8.1).",
            "A verifier takes the round id, arity and roots from 'roots' only, checks its",
            "generator digest, then the proof (8.2). Output of a valid test: per asset the",
            "amount, units, leaf count and root hash verified. The trees are sumtree.json's.",
        ],
    )
    t = _trees(gens.point_type.backend_name)
    btc, eth = t["btc"], t["eth"]

    def add(
        g_: Group,
        comment: str,
        flags: list[str],
        result: str,
        roots: Json,
        incl: Json,
        verified: list[Json] | None = None,
    ) -> None:
        fields: Json = {"roots": roots, "inclusion": incl}
        if result == "valid":
            fields["verified"] = verified
            fields["binary"] = encode_inclusion(InclusionProof.model_validate(incl)).hex()
        g_.add(comment, flags, result, **fields)

    g = f.group("InclusionTest")
    spec_roots = roots_json(ROUND_A, 4, [t["spec"]])
    add(
        g,
        "docs/spec.md 7.8: alice's leaf under a root with one child",
        ["Valid", "KnownAnswer"],
        "valid",
        spec_roots,
        _inclusion(ROUND_A, 4, "alice", [t["spec"]]),
        _verified([t["spec"]], "alice"),
    )

    roots_a = roots_json(ROUND_A, 4, [btc, eth])
    alice = _inclusion(ROUND_A, 4, "alice", [btc, eth])
    add(
        g,
        "alice: BTC and ETH, arity 4",
        ["Valid"],
        "valid",
        roots_a,
        alice,
        _verified([btc, eth], "alice"),
    )
    customers = sorted((btc.index_of(u), u) for u, _ in BTC_CUSTOMERS)
    for idx, user in (customers[0], customers[-1]):
        add(
            g,
            f"{user}: BTC leaf {idx}",
            ["Valid"],
            "valid",
            roots_a,
            _inclusion(ROUND_A, 4, user, [btc]),
            _verified([btc], user),
        )
    add(
        g,
        "carol: a balance of 0 (amount '0.0')",
        ["Valid", "EdgeCase"],
        "valid",
        roots_a,
        _inclusion(ROUND_A, 4, "carol", [btc]),
        _verified([btc], "carol"),
    )
    alt = copy.deepcopy(alice)
    alt["assets"][0]["amount"] = "1.50000000"
    add(
        g,
        "alice's BTC amount written '1.50000000'",
        ["Valid", "AlternativeAmountWriting"],
        "valid",
        roots_a,
        alt,
        _verified([btc, eth], "alice", {"BTC": "1.50000000"}),
    )

    def bad(
        comment: str, flags: list[str], change: Callable[[Json, Json], object], base: Json = alice
    ) -> None:
        incl = copy.deepcopy(base)
        roots = copy.deepcopy(roots_a)
        change(incl, roots)
        add(g, comment, flags, "invalid", roots, incl)

    def a0(incl: Json) -> Any:
        return incl["assets"][0]

    def step(incl: Json, i: int) -> Any:
        return a0(incl)["path"][i]

    def flip_proof(incl: Json, level: int, which: int, pos: int) -> None:
        s = step(incl, level)
        proof = bytearray(bytes.fromhex(s["proofs"][which]))
        proof[pos] ^= 0x01
        s["proofs"][which] = proof.hex()

    bad(
        "a byte of t_x flipped in the level-1 range proof",
        ["TamperedRangeProof"],
        lambda i, r: flip_proof(i, 0, 0, 140),
    )
    bad(
        "a byte of L[0] flipped in the root's first range proof",
        ["TamperedRangeProof"],
        lambda i, r: flip_proof(i, 1, 0, 240),
    )
    bad(
        "the last byte of the root's second range proof flipped",
        ["TamperedRangeProof"],
        lambda i, r: flip_proof(i, 1, 1, 687),
    )

    def other_node_proof(incl: Json, roots: Json) -> None:
        s = step(incl, 0)
        mine = int(s["index"])
        other = 0 if mine != 0 else 1
        s["proofs"] = [p.hex() for p in btc.levels[1][other].proofs]

    bad("the level-1 proof of another (full) node", ["WrongRangeProof"], other_node_proof)

    def swap_root_proofs(incl: Json, roots: Json) -> None:
        s = step(incl, 1)
        s["proofs"] = list(reversed(s["proofs"]))

    bad("the root's two proofs in the wrong order", ["WrongShape"], swap_root_proofs)
    bad(
        "the root step with one proof missing",
        ["WrongShape"],
        lambda i, r: step(i, 1).__setitem__("proofs", step(i, 1)["proofs"][:1]),
    )
    bad(
        "a byte appended to a range proof",
        ["WrongShape"],
        lambda i, r: step(i, 0)["proofs"].__setitem__(0, step(i, 0)["proofs"][0] + "00"),
    )

    def sibling(incl: Json, field: str) -> None:
        s = step(incl, 0)
        kids = s["children"]
        pos = a0(incl)["leaf_index"] % 4
        j = (pos + 1) % len(kids)
        kid = kids[j]
        if field == "hash":
            kid["hash"] = "00" * 32
        elif field == "commitment":
            kid["commitment"] = hexpt(
                gens.point_type.from_bytes(bytes.fromhex(kid["commitment"])) + gens.G
            )
        else:
            kid["commitment"] = "00" * 33

    bad("a sibling's hash changed", ["ModifiedSibling"], lambda i, r: sibling(i, "hash"))
    bad("a sibling's commitment plus G", ["ModifiedSibling"], lambda i, r: sibling(i, "commitment"))
    bad(
        "a sibling's commitment is the identity",
        ["IdentityPoint"],
        lambda i, r: sibling(i, "identity"),
    )

    def set_field(key: str, value: object) -> Callable[[Json, Json], None]:
        return lambda i, r: a0(i).__setitem__(key, value)

    alice_btc = btc.inclusion_entry("alice")
    units = int(str(alice_btc["units"]))
    bad(
        "units + 1, amount to match",
        ["WrongBalance"],
        lambda i, r: (
            set_field("units", str(units + 1))(i, r),
            set_field("amount", format_units(units + 1, 8))(i, r),
        ),
    )
    bad("amount '1.6' with the units of 1.5", ["AmountMismatch"], set_field("amount", "1.6"))
    bad(
        "amount '1.500000000': more decimals than the asset has",
        ["AmountMismatch"],
        set_field("amount", "1.500000000"),
    )
    bad(
        "units 2^64",
        ["AmountTooLarge"],
        lambda i, r: (
            set_field("units", str(2**64))(i, r),
            set_field("amount", format_units(2**64, 8))(i, r),
        ),
    )
    bad("user id 'Alice'", ["WrongBalance"], lambda i, r: i.__setitem__("user_id", "Alice"))
    bad("salt changed", ["WrongBalance"], set_field("salt", "00" * 32))
    blinding = int(str(alice_btc["blinding"]), 16)
    bad("blinding + 1", ["WrongBalance"], set_field("blinding", f"{(blinding + 1) % N:064x}"))
    bad("blinding encoded as n", ["NonCanonicalScalar"], set_field("blinding", f"{N:064x}"))
    index = int(str(alice_btc["leaf_index"]))
    other_index = index + 1 if index % 4 != 3 else index - 1
    bad(
        f"leaf index {other_index}, a sibling's, instead of {index}",
        ["WrongPosition"],
        set_field("leaf_index", other_index),
    )
    bad("leaf index 10 (= leaf count)", ["WrongPosition"], set_field("leaf_index", 10))
    bad(
        "level 1 step claims level 2",
        ["WrongPosition"],
        lambda i, r: step(i, 0).__setitem__("level", 2),
    )
    bad(
        "round id differs from the published one",
        ["WrongRoundOrArity"],
        lambda i, r: i.__setitem__("round_id", "2026-12-01"),
    )
    bad(
        "arity 2 where the round uses 4",
        ["WrongRoundOrArity"],
        lambda i, r: i.__setitem__("arity", 2),
    )
    bad(
        "path without its last step",
        ["WrongShape"],
        lambda i, r: a0(i).__setitem__("path", a0(i)["path"][:1]),
    )
    bad(
        "path with the root step repeated",
        ["WrongShape"],
        lambda i, r: a0(i)["path"].append(copy.deepcopy(step(i, 1))),
    )

    def extra_child(incl: Json, roots: Json) -> None:
        s = step(incl, 1)
        s["children"].append(copy.deepcopy(s["children"][0]))

    bad("the root step with a fourth child", ["WrongShape"], extra_child)
    bad("leaf count 20 in the proof", ["WrongRoot"], set_field("leaf_count", 20))
    bad("decimals 9 in the proof", ["WrongRoot"], set_field("decimals", 9))
    bad("ETH missing from the published roots", ["WrongRoot"], lambda i, r: r["assets"].pop("ETH"))
    bad(
        "another root hash published",
        ["WrongRoot"],
        lambda i, r: r["assets"]["BTC"].__setitem__("root_hash", "11" * 32),
    )
    bad(
        "the published root commitment of ETH for BTC",
        ["WrongRoot"],
        lambda i, r: r["assets"]["BTC"].__setitem__(
            "root_commitment", r["assets"]["ETH"]["root_commitment"]
        ),
    )
    bad(
        "the published depth 3",
        ["WrongRoot"],
        lambda i, r: r["assets"]["BTC"].__setitem__("depth", 3),
    )
    bad("BTC twice", ["DuplicateAsset"], lambda i, r: i["assets"].append(copy.deepcopy(a0(i))))
    bad(
        "another generator digest in the roots",
        ["WrongGeneratorDigest"],
        lambda i, r: r.__setitem__("generator_digest", "00" * 32),
    )
    bad("an unknown field in the proof", ["MalformedFile"], lambda i, r: i.__setitem__("note", "x"))
    bad(
        "format 'zkpor-inclusion-v3'",
        ["MalformedFile"],
        lambda i, r: i.__setitem__("format", "zkpor-inclusion-v3"),
    )
    bad(
        "format 'zkpor-inclusion-v1' (before margin tags)",
        ["OldFormat"],
        lambda i, r: i.__setitem__("format", "zkpor-inclusion-v1"),
    )
    bad(
        "roots format 'zkpor-roots-v1' (before margin tags)",
        ["OldFormat"],
        lambda i, r: r.__setitem__("format", "zkpor-roots-v1"),
    )
    bad(
        "a margin tag on a child at level 2",
        ["InvalidMarginTag"],
        lambda i, r: step(i, 1)["children"][0].__setitem__("margin", {"account": 0, "inputs": 1}),
    )
    bad(
        "a margin tag with 0 inputs",
        ["InvalidMarginTag"],
        lambda i, r: step(i, 0)["children"][0].__setitem__("margin", {"account": 0, "inputs": 0}),
    )
    bad(
        "upper-case hex in a child hash",
        ["MalformedFile"],
        lambda i, r: step(i, 0)["children"][0].__setitem__(
            "hash", step(i, 0)["children"][0]["hash"].upper()
        ),
    )
    bad(
        "units with a leading zero",
        ["MalformedFile"],
        lambda i, r: set_field("units", "0" + str(units))(i, r),
    )

    g = f.group("InclusionTest")
    roots_b = roots_json(ROUND_B, 2, [t["usdt"]])
    for user in ("alice", "carol"):
        add(
            g,
            f"{user}: USDT, arity 2, depth 3",
            ["Valid"],
            "valid",
            roots_b,
            _inclusion(ROUND_B, 2, user, [t["usdt"]]),
            _verified([t["usdt"]], user),
        )
    incl = _inclusion(ROUND_B, 2, "bob", [t["usdt"]])
    incl["assets"][0]["path"][2]["proofs"][0] = incl["assets"][0]["path"][1]["proofs"][0]
    add(
        g,
        "bob: the level-3 proof replaced by the level-2 one",
        ["WrongRangeProof"],
        "invalid",
        roots_b,
        incl,
    )

    g = f.group("InclusionTest")
    for key, comment in (
        (
            "negative",
            "a leaf next to alice's holds n - 10^9 ('-10 BTC'), 'proven' without the range check",
        ),
        ("overflow", "a leaf next to alice's holds 2^64 + 5, 'proven' without the range check"),
    ):
        bad_tree = t[key]
        roots = roots_json(ROUND_A, 4, [bad_tree])
        add(
            g,
            comment,
            ["ValueOutOfRange"],
            "invalid",
            roots,
            _inclusion(ROUND_A, 4, "alice", [bad_tree]),
        )
    return f.to_json()


NAME: Final = "inclusion"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of inclusion.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
