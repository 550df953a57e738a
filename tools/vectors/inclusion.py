"""inclusion.json (docs/spec/inclusion-proofs.md, section 8): customers' proofs against
published roots, and every way one can be tampered with.

The valid proofs are built from sumtree.json's trees; the tamperings of alice's BTC and ETH
proof are the table :data:`TAMPERINGS`, each an edit of her proof or of the published roots.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from tools.vectors.base import BTC_CUSTOMERS, ROUND_A, ROUND_B, Group, Json, VectorFile
from tools.vectors.mutations import (
    Mutation,
    append_copy,
    copy_value,
    drop,
    flip_byte,
    mutated,
    point_plus_g,
    put,
    update,
    value_at,
)
from tools.vectors.schemaparts import Schema
from tools.vectors.sumtree import seeded_trees
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N
from zkpor.formats.amounts import format_units
from zkpor.formats.models import INCLUSION_FORMAT, InclusionProof
from zkpor.formats.zkpi import encode_inclusion
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.tree import Tree, roots_json

HEADER: Final = [
    "Inputs 'roots' (a roots.json object, 9.2) and 'inclusion' (a customer's proof, 8.1).",
    "A verifier takes the round id, arity and roots from 'roots' only, checks its",
    "generator digest, then the proof (8.2). Output of a valid test: per asset the",
    "amount, units, leaf count and root hash verified. The trees are sumtree.json's.",
]


def _swap_entries(doc: Json, gens: GeneratorSet) -> None:
    """The proof's first two asset entries swapped."""
    entries = value_at(doc, "inclusion.assets")
    entries[0], entries[1] = entries[1], entries[0]


def inclusion_proof(round_id: str, arity: int, user: str, trees: list[Tree]) -> Json:
    """``user``'s inclusion proof (8.1) in ``trees``."""
    return {
        "format": INCLUSION_FORMAT,
        "round_id": round_id,
        "user_id": user,
        "arity": arity,
        "assets": [t.inclusion_entry(user) for t in trees],
    }


def verified_assets(
    trees: list[Tree], user: str, amounts: dict[str, str] | None = None
) -> list[Json]:
    """A valid test's ``verified`` output: per tree, ``user``'s amount (as written in the
    proof: ``amounts`` overrides the canonical writing), units, the leaf count and root."""
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


# the former name, which tools/vectors/zkpi.py imports


# --- the tamperings of alice's proof -------------------------------------------------------
# A mutation edits {"roots": the published roots, "inclusion": alice's BTC and ETH proof}.

BTC: Final = "inclusion.assets.0"  # alice's BTC entry
LEVEL_1: Final = f"{BTC}.path.0"  # her step at level 1
ROOT_STEP: Final = f"{BTC}.path.1"  # her step at the root (level 2)
BTC_ROOT: Final = "roots.assets.BTC"


@dataclass(frozen=True)
class Tampering:
    """An invalid test made from alice's valid proof. In ``comment``, ``{leaf_index}`` and
    ``{sibling_index}`` stand for her BTC leaf index and that of :func:`sibling_index`."""

    comment: str
    flags: tuple[str, ...]
    change: Mutation


def sibling_index(index: int) -> int:
    """A leaf index next to ``index`` under the same level-1 node (arity 4)."""
    return index + 1 if index % 4 != 3 else index - 1


def on_sibling(edit: Callable[[str], Mutation]) -> Mutation:
    """``edit(path)``, ``path`` that of the child after alice's leaf (cyclically) in her
    level-1 step."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        children = value_at(doc, f"{LEVEL_1}.children")
        j = (value_at(doc, f"{BTC}.leaf_index") % 4 + 1) % len(children)
        edit(f"{LEVEL_1}.children.{j}")(doc, gens)

    return change


def btc_units(new: Callable[[int], int]) -> Mutation:
    """alice's BTC units replaced by ``new(units)``, the amount written to match."""

    def change(doc: Json, gens: GeneratorSet) -> None:
        entry = value_at(doc, BTC)
        units = new(int(entry["units"]))
        entry["units"] = str(units)
        entry["amount"] = format_units(units, entry["decimals"])

    return change


def other_node_proof(doc: Json, gens: GeneratorSet) -> None:
    """alice's level-1 range proofs replaced by those of another (full) level-1 node."""
    step = value_at(doc, LEVEL_1)
    other = 0 if int(step["index"]) != 0 else 1
    btc = seeded_trees(gens.point_type.backend_name)["btc"]
    step["proofs"] = [p.hex() for p in btc.levels[1][other].proofs]


def _scalar_plus_one(text: str) -> str:
    return f"{(int(text, 16) + 1) % N:064x}"


TAMPERINGS: Final[tuple[Tampering, ...]] = (
    Tampering(
        "a byte of t_x flipped in the level-1 range proof",
        ("TamperedRangeProof",),
        update(f"{LEVEL_1}.proofs.0", flip_byte(140)),
    ),
    Tampering(
        "a byte of L[0] flipped in the root's first range proof",
        ("TamperedRangeProof",),
        update(f"{ROOT_STEP}.proofs.0", flip_byte(240)),
    ),
    Tampering(
        "the last byte of the root's second range proof flipped",
        ("TamperedRangeProof",),
        update(f"{ROOT_STEP}.proofs.1", flip_byte(687)),
    ),
    Tampering("the level-1 proof of another (full) node", ("WrongRangeProof",), other_node_proof),
    Tampering(
        "the root's two proofs in the wrong order",
        ("WrongShape",),
        update(f"{ROOT_STEP}.proofs", lambda proofs: proofs[::-1]),
    ),
    Tampering(
        "the root step with one proof missing",
        ("WrongShape",),
        update(f"{ROOT_STEP}.proofs", lambda proofs: proofs[:1]),
    ),
    Tampering(
        "a byte appended to a range proof",
        ("WrongShape",),
        update(f"{LEVEL_1}.proofs.0", lambda proof: proof + "00"),
    ),
    Tampering(
        "a sibling's hash changed",
        ("ModifiedSibling",),
        on_sibling(lambda child: put(f"{child}.hash", "00" * 32)),
    ),
    Tampering(
        "a sibling's commitment plus G",
        ("ModifiedSibling",),
        on_sibling(lambda child: point_plus_g(f"{child}.commitment")),
    ),
    Tampering(
        "a sibling's commitment is the identity",
        ("IdentityPoint",),
        on_sibling(lambda child: put(f"{child}.commitment", "00" * 33)),
    ),
    Tampering("units + 1, amount to match", ("WrongBalance",), btc_units(lambda u: u + 1)),
    Tampering(
        "amount '1.6' with the units of 1.5", ("AmountMismatch",), put(f"{BTC}.amount", "1.6")
    ),
    Tampering(
        "amount '1.500000000': more decimals than the asset has",
        ("AmountMismatch",),
        put(f"{BTC}.amount", "1.500000000"),
    ),
    Tampering("units 2^64", ("AmountTooLarge",), btc_units(lambda u: 2**64)),
    Tampering("user id 'Alice'", ("WrongBalance",), put("inclusion.user_id", "Alice")),
    Tampering("salt changed", ("WrongBalance",), put(f"{BTC}.salt", "00" * 32)),
    Tampering("blinding + 1", ("WrongBalance",), update(f"{BTC}.blinding", _scalar_plus_one)),
    Tampering(
        "blinding encoded as n", ("NonCanonicalScalar",), put(f"{BTC}.blinding", f"{N:064x}")
    ),
    Tampering(
        "leaf index {sibling_index}, a sibling's, instead of {leaf_index}",
        ("WrongPosition",),
        update(f"{BTC}.leaf_index", sibling_index),
    ),
    Tampering("leaf index 10 (= leaf count)", ("WrongPosition",), put(f"{BTC}.leaf_index", 10)),
    Tampering("level 1 step claims level 2", ("WrongPosition",), put(f"{LEVEL_1}.level", 2)),
    Tampering(
        "round id differs from the published one",
        ("WrongRoundOrArity",),
        put("inclusion.round_id", "2026-12-01"),
    ),
    Tampering("arity 2 where the round uses 4", ("WrongRoundOrArity",), put("inclusion.arity", 2)),
    Tampering(
        "path without its last step", ("WrongShape",), update(f"{BTC}.path", lambda p: p[:1])
    ),
    Tampering("path with the root step repeated", ("WrongShape",), append_copy(f"{BTC}.path", 1)),
    Tampering(
        "the root step with a fourth child",
        ("WrongShape",),
        append_copy(f"{ROOT_STEP}.children", 0),
    ),
    Tampering("leaf count 20 in the proof", ("WrongRoot",), put(f"{BTC}.leaf_count", 20)),
    Tampering("decimals 9 in the proof", ("WrongRoot",), put(f"{BTC}.decimals", 9)),
    Tampering("ETH missing from the published roots", ("WrongRoot",), drop("roots.assets.ETH")),
    Tampering(
        "another root hash published", ("WrongRoot",), put(f"{BTC_ROOT}.root_hash", "11" * 32)
    ),
    Tampering(
        "the published root commitment of ETH for BTC",
        ("WrongRoot",),
        copy_value("roots.assets.ETH.root_commitment", f"{BTC_ROOT}.root_commitment"),
    ),
    Tampering("the published depth 3", ("WrongRoot",), put(f"{BTC_ROOT}.depth", 3)),
    Tampering("BTC twice", ("DuplicateAsset",), append_copy("inclusion.assets", 0)),
    Tampering(
        "ETH before BTC: each entry verifies, but the order is not ascending (8.1)",
        ("AssetOrder",),
        _swap_entries,
    ),
    Tampering(
        "another generator digest in the roots",
        ("WrongGeneratorDigest",),
        put("roots.generator_digest", "00" * 32),
    ),
    Tampering("an unknown field in the proof", ("MalformedFile",), put("inclusion.note", "x")),
    Tampering(
        "format 'zkpor-inclusion-v3'",
        ("MalformedFile",),
        put("inclusion.format", "zkpor-inclusion-v3"),
    ),
    Tampering(
        "format 'zkpor-inclusion-v1' (before margin tags)",
        ("OldFormat",),
        put("inclusion.format", "zkpor-inclusion-v1"),
    ),
    Tampering(
        "roots format 'zkpor-roots-v1' (before margin tags)",
        ("OldFormat",),
        put("roots.format", "zkpor-roots-v1"),
    ),
    Tampering(
        "a margin tag on a child at level 2",
        ("InvalidMarginTag",),
        put(f"{ROOT_STEP}.children.0.margin", {"account": 0, "inputs": 1}),
    ),
    Tampering(
        "a margin tag with 0 inputs",
        ("InvalidMarginTag",),
        put(f"{LEVEL_1}.children.0.margin", {"account": 0, "inputs": 0}),
    ),
    Tampering(
        "upper-case hex in a child hash",
        ("MalformedFile",),
        update(f"{LEVEL_1}.children.0.hash", str.upper),
    ),
    Tampering(
        "units with a leading zero", ("MalformedFile",), update(f"{BTC}.units", lambda u: "0" + u)
    ),
)

# (tree of sumtree.json, comment): alice's proof in a tree a cheating exchange built
OUT_OF_RANGE: Final[tuple[tuple[str, str], ...]] = (
    (
        "negative",
        "a leaf next to alice's holds n - 10^9 ('-10 BTC'), 'proven' without the range check",
    ),
    ("overflow", "a leaf next to alice's holds 2^64 + 5, 'proven' without the range check"),
)


# --- the file ------------------------------------------------------------------------------


def _add(
    group: Group,
    comment: str,
    flags: list[str],
    roots: Json,
    incl: Json,
    verified: list[Json] | None = None,
) -> None:
    """A test; valid when ``verified`` is given (its binary encoding added)."""
    fields: Json = {"roots": roots, "inclusion": incl}
    if verified is not None:
        fields["verified"] = verified
        fields["binary"] = encode_inclusion(InclusionProof.model_validate(incl)).hex()
    group.add(comment, flags, "valid" if verified is not None else "invalid", **fields)


def _round_a_valid(group: Group, trees: dict[str, Tree]) -> None:
    """The valid proofs of round A: the spec's known answer, alice in BTC and ETH, the first
    and last BTC leaves, a zero balance, and another writing of an amount."""
    spec, btc, eth = trees["spec"], trees["btc"], trees["eth"]
    _add(
        group,
        "docs/spec.md 7.8: alice's leaf under a root with one child",
        ["Valid", "KnownAnswer"],
        roots_json(ROUND_A, 4, [spec]),
        inclusion_proof(ROUND_A, 4, "alice", [spec]),
        verified_assets([spec], "alice"),
    )
    roots = roots_json(ROUND_A, 4, [btc, eth])
    alice = inclusion_proof(ROUND_A, 4, "alice", [btc, eth])
    _add(
        group,
        "alice: BTC and ETH, arity 4",
        ["Valid"],
        roots,
        alice,
        verified_assets([btc, eth], "alice"),
    )
    customers = sorted((btc.index_of(u), u) for u, _ in BTC_CUSTOMERS)
    for idx, user in (customers[0], customers[-1]):
        incl = inclusion_proof(ROUND_A, 4, user, [btc])
        _add(group, f"{user}: BTC leaf {idx}", ["Valid"], roots, incl, verified_assets([btc], user))
    _add(
        group,
        "carol: a balance of 0 (amount '0.0')",
        ["Valid", "EdgeCase"],
        roots,
        inclusion_proof(ROUND_A, 4, "carol", [btc]),
        verified_assets([btc], "carol"),
    )
    alternative = copy.deepcopy(alice)
    alternative["assets"][0]["amount"] = "1.50000000"
    _add(
        group,
        "alice's BTC amount written '1.50000000'",
        ["Valid", "AlternativeAmountWriting"],
        roots,
        alternative,
        verified_assets([btc, eth], "alice", {"BTC": "1.50000000"}),
    )


def _round_a_tampered(group: Group, trees: dict[str, Tree], gens: GeneratorSet) -> None:
    """:data:`TAMPERINGS` of alice's BTC and ETH proof (or of its roots), in order."""
    btc, eth = trees["btc"], trees["eth"]
    valid = {
        "roots": roots_json(ROUND_A, 4, [btc, eth]),
        "inclusion": inclusion_proof(ROUND_A, 4, "alice", [btc, eth]),
    }
    index = btc.index_of("alice")
    for case in TAMPERINGS:
        doc = mutated(valid, case.change, gens)
        comment = case.comment.format(leaf_index=index, sibling_index=sibling_index(index))
        _add(group, comment, list(case.flags), doc["roots"], doc["inclusion"])


def _round_b(group: Group, usdt: Tree, gens: GeneratorSet) -> None:
    """Round B (arity 2, depth 3): two valid USDT proofs, and bob's with a proof of the
    wrong level."""
    roots = roots_json(ROUND_B, 2, [usdt])
    for user in ("alice", "carol"):
        incl = inclusion_proof(ROUND_B, 2, user, [usdt])
        _add(
            group,
            f"{user}: USDT, arity 2, depth 3",
            ["Valid"],
            roots,
            incl,
            verified_assets([usdt], user),
        )
    level_2_proof = copy_value("assets.0.path.1.proofs.0", "assets.0.path.2.proofs.0")
    _add(
        group,
        "bob: the level-3 proof replaced by the level-2 one",
        ["WrongRangeProof"],
        roots,
        mutated(inclusion_proof(ROUND_B, 2, "bob", [usdt]), level_2_proof, gens),
    )


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile("inclusion", "zkpor inclusion proof v1 (docs/spec.md section 8)", HEADER)
    trees = seeded_trees(gens.point_type.backend_name)
    group = f.group("InclusionTest")
    _round_a_valid(group, trees)
    _round_a_tampered(group, trees, gens)
    _round_b(f.group("InclusionTest"), trees["usdt"], gens)
    group = f.group("InclusionTest")
    for key, comment in OUT_OF_RANGE:
        cheat = trees[key]
        roots = roots_json(ROUND_A, 4, [cheat])
        _add(
            group,
            comment,
            ["ValueOutOfRange"],
            roots,
            inclusion_proof(ROUND_A, 4, "alice", [cheat]),
        )
    return f.to_json()


NAME: Final = "inclusion"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of inclusion.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
