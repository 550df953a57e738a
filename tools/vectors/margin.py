"""margin.json: margin-account collateral proofs (docs/spec/margin.md, section 16; checked
by zkpor.vectors.circuit_checks).

One group per account shape (:data:`SHAPES`) under one set of published terms (quote, per
asset price and haircut tiers, as in a manifest): the equity assets and debt assets of the
account (its inputs, in that order), the circuit's gate count and digest, which a verifier
rebuilds from the terms (gcd reduction included). Valid tests carry the openings (values,
blindings) and the prover's DRBG seed (the seeded prover reproduces the proof byte for
byte). Invalid tests, flagged by cause: the cheating prover's proof of a debt one base unit
above the collateral (values exactly at the bracket bound), then :data:`PROOF_TAMPERINGS`: a
commitment changed (a debt leaf of another value) or inputs reordered, truncated or
extended bytes; and a proof made for another account shape.

The MarginInclusionTest group (16.8): alice's and bob's valid inclusion proofs, then the
exchange's forgeries, :data:`FORGERIES`.

Seeds: ``margin/NAME/KIND/blindings`` and ``margin/NAME/KIND/prover``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from tools.vectors.base import Json, VectorFile
from tools.vectors.margin_cases import (
    extra_shape_groups,
    leaf_collateral_proof,
    same_size_other_circuit,
    second_round_cases,
    terms_group,
)
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.r1cs import ConstraintSystem
from zkpor.formats.models import INCLUSION_FORMAT
from zkpor.protocol.margin import MarginTerms, account_build, account_circuit, collateral_hundredths
from zkpor.protocol.sumtree import MarginTag
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.circuit_checks import terms_from_json
from zkpor.vectors.common import hexpt, hexsc, seed, seeded

_MASTER: Final[bytes] = bytes(range(100, 132))

_NONCE: Final[bytes] = bytes(range(200, 232))

_ROUND: Final[str] = "margin-2026-12"

TERMS: Final[Json] = {
    "quote": {"symbol": "USD", "decimals": 2},
    "assets": {
        "BTC": {
            "decimals": 8,
            "price": "97000.00",
            "tiers": [
                {"up_to": "1000000", "ratio": 100},
                {"up_to": "5000000", "ratio": 95},
                {"ratio": 80},
            ],
        },
        "ETH": {
            "decimals": 9,
            "price": "3000.50",
            "tiers": [
                {"up_to": "50000", "ratio": 95},
                {"up_to": "2000000.50", "ratio": 90},
                {"ratio": 70},
            ],
        },
        "USDT": {"decimals": 6, "price": "1", "tiers": [{"ratio": 100}]},
    },
}


class Shape(NamedTuple):
    """A margin-account shape: its equity and debt assets (its inputs, in that order) and
    per valid test (kind) the equity values; each debt is the largest the equity covers."""

    name: str
    equity: list[str]
    debt: list[str]
    kinds: list[tuple[str, list[int]]]


SHAPES: Final[list[Shape]] = [
    Shape(
        "btc-backs-usdt",
        ["BTC"],
        ["USDT"],
        [("random", [123_456_789]), ("bound", [1_030_927_835]), ("zero", [0])],
    ),
    Shape(
        "two-backs-two",
        ["BTC", "ETH"],
        ["ETH", "USDT"],
        [("random", [5 * 10**8, 7 * 10**9]), ("top", [3 * 10**9, 10**12])],
    ),
    Shape("dummy", [], ["USDT"], [("zero", [])]),
]

# A change of a valid proof's (commitments, proof bytes); None where it does not apply.
ProofTamper = Callable[[list[str], bytes, GeneratorSet], tuple[list[str], bytes] | None]


def _last_plus_g(
    commitments: list[str], proof: bytes, gens: GeneratorSet
) -> tuple[list[str], bytes]:
    pt = gens.point_type
    last = pt.from_bytes(bytes.fromhex(commitments[-1])) + pt.generator()
    return [*commitments[:-1], hexpt(last)], proof


def _inputs_reversed(
    commitments: list[str], proof: bytes, gens: GeneratorSet
) -> tuple[list[str], bytes] | None:
    return (commitments[::-1], proof) if len(commitments) > 1 else None


# (comment after the shape's name, flags, change) of the first valid proof of each shape
PROOF_TAMPERINGS: Final[tuple[tuple[str, tuple[str, ...], ProofTamper], ...]] = (
    ("the last debt commitment plus G", ("ModifiedCommitment",), _last_plus_g),
    ("inputs reversed", ("ModifiedCommitment",), _inputs_reversed),
    ("last byte dropped", ("WrongLength",), lambda cs, proof, gens: (cs, proof[:-1])),
    ("one byte appended", ("WrongLength",), lambda cs, proof, gens: (cs, proof + b"\x00")),
)


def _values(terms: MarginTerms, equity: list[str], debt: list[str], held: list[int]) -> list[int]:
    """The equities and the largest debts they cover (all on the first debt asset)."""
    cover = collateral_hundredths(terms, dict(zip(equity, held)))
    debts = [cover // (100 * terms.prices[debt[0]])] + [0] * (len(debt) - 1)
    return [*held, *debts]


def _prove_case(
    terms: MarginTerms,
    equity: list[str],
    debt: list[str],
    values: list[int],
    tag: str,
    gens: GeneratorSet,
    *,
    claimed: list[int] | None = None,
) -> Json:
    from zkpor.crypto.r1cs.prover import prove_circuit
    from zkpor.crypto.r1cs.testing import prove_unchecked

    cs = ConstraintSystem(values=values)
    account_build(terms, equity, debt)(cs)
    witness = cs.witness()
    rng = seeded(f"{tag}/blindings")
    blindings = [random_scalar(rng) for _ in values]
    prover_seed = seed(f"{tag}/prover")
    if claimed is None:
        proof, commitments = prove_circuit(
            cs.circuit(), witness, blindings, rng=SeededRandom(prover_seed), gens=gens
        )
    else:
        witness.v = [x % N for x in claimed]
        proof, commitments = prove_unchecked(
            cs.circuit(), witness, blindings, rng=SeededRandom(prover_seed), gens=gens
        )
    return {
        "values": [str(v) for v in (claimed if claimed is not None else values)],
        "blindings": [hexsc(b) for b in blindings],
        "seed": prover_seed.hex(),
        "commitments": [hexpt(c) for c in commitments],
        "proof": proof.to_bytes().hex(),
    }


HEADER: Final = [
    "One group per margin-account shape: the published terms, the equity and debt",
    "assets of the account (its committed inputs: equity leaves, then debt leaves),",
    "the circuit's gates and digest. A verifier rebuilds the circuit from the terms.",
    "Valid tests add the openings and the prover's DRBG seed.",
]


def _shape_group(f: VectorFile, terms: MarginTerms, shape: Shape, gens: GeneratorSet) -> None:
    """A CollateralProofVerify group: the shape's valid proofs, the cheating prover's, and
    :data:`PROOF_TAMPERINGS` of its first valid proof."""
    name, equity, debt, kinds = shape
    circuit = account_circuit(terms, equity, debt)
    group = f.group(
        "CollateralProofVerify",
        account=name,
        terms=TERMS,
        equity_assets=equity,
        debt_assets=debt,
        gates=circuit.gates,
        digest=circuit.digest().hex(),
    )
    first: Json | None = None
    for kind, held in kinds:
        values = _values(terms, equity, debt, held)
        case = _prove_case(terms, equity, debt, values, f"margin/{name}/{kind}", gens)
        first = first or case
        group.add(
            f"{name}: {kind} equity, largest debt covered",
            ["Valid", "SeededProof"],
            "valid",
            **case,
        )
    assert first is not None
    honest = _values(terms, equity, debt, kinds[0][1])
    over = list(honest)
    over[len(equity)] += 1
    cheat = _prove_case(terms, equity, debt, honest, f"margin/{name}/cheat", gens, claimed=over)
    group.add(
        f"{name}: the cheating prover's proof of a debt one base unit above the collateral",
        ["UnsatisfiedWitness"],
        "invalid",
        commitments=cheat["commitments"],
        proof=cheat["proof"],
    )
    for comment, flags, tamper in PROOF_TAMPERINGS:
        changed = tamper(list(first["commitments"]), bytes.fromhex(first["proof"]), gens)
        if changed is not None:
            commitments, proof = changed
            group.add(
                f"{name}: {comment}",
                list(flags),
                "invalid",
                commitments=commitments,
                proof=proof.hex(),
            )


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "margin",
        "zkpor margin collateral proof v1: R1CS proofs over tree-leaf commitments "
        '(docs/spec.md, "Margin accounts")',
        HEADER,
    )
    terms = terms_from_json(TERMS)
    for shape in SHAPES:
        _shape_group(f, terms, shape, gens)
    extra_shape_groups(f, gens, _prove_case, _values)
    # a valid proof of another shape with the same input count, shown for btc-backs-usdt
    other = _prove_case(
        terms,
        ["ETH"],
        ["USDT"],
        _values(terms, ["ETH"], ["USDT"], [10**9]),
        "margin/eth-backs-usdt/random",
        gens,
    )
    f.groups[0].add(
        "btc-backs-usdt: a valid proof for ETH equity backing USDT (another circuit)",
        ["OtherCircuit"],
        "invalid",
        commitments=other["commitments"],
        proof=other["proof"],
    )
    same_size_other_circuit(f.groups[0], TERMS, gens, _prove_case, _values)
    _inclusion_group(f, terms, gens)
    return f.to_json()


def _margin_trees(
    gens: GeneratorSet, tags: dict[str, dict[str, MarginTag]] | None = None
) -> tuple[Any, Any, Any, Json]:
    """The BTC, USDT and USDT/debt trees of the inclusion vectors and their roots (with the
    margin terms). Default tags: alice's BTC and debt leaves are the inputs of account 0 (2
    inputs), the debt tree's padding leaves dummy accounts 1-3; ``tags`` replaces them, per
    tree (a cheating exchange's tags)."""
    from zkpor.prover.liabilities.keys import pad_leaf_id
    from zkpor.vectors.tree import build_tree, roots_json

    alice = MarginTag(0, 2)
    default = {
        "BTC": {"alice": alice},
        "USDT": {},
        "USDT/debt": {"alice": alice, **{pad_leaf_id(j): MarginTag(1 + j, 1) for j in range(3)}},
    }
    chosen = {**default, **(tags or {})}

    def tree(asset: str, decimals: int, customers: list[tuple[str, int]]) -> Any:
        return build_tree(
            master=_MASTER,
            run_nonce=_NONCE,
            round_id=_ROUND,
            asset=asset,
            decimals=decimals,
            arity=4,
            granularity=4,
            customers=customers,
            gens=gens,
            rng=seeded(f"margin/tree/{asset}"),
            tags=chosen[asset],
        )

    btc = tree("BTC", 8, [("alice", 150_000_000), ("bob", 20_000_000), ("carol", 3_000_000)])
    usdt = tree("USDT", 6, [("bob", 500_000_000), ("carol", 7_000_000)])
    usdt_debt = tree("USDT/debt", 6, [("alice", 50_000_000_000)])
    roots = roots_json(_ROUND, 4, [btc, usdt])
    roots["quote"] = TERMS["quote"]
    for sym in ("BTC", "USDT"):
        roots["assets"][sym].update(  # type: ignore[index]
            price=TERMS["assets"][sym]["price"], tiers=TERMS["assets"][sym]["tiers"]
        )
    debt_root = usdt_debt.root_json()
    del debt_root["decimals"]
    roots["assets"]["USDT"]["debt"] = debt_root  # type: ignore[index]
    return btc, usdt, usdt_debt, roots


def margin_inclusion(
    gens: GeneratorSet,
    tags: dict[str, dict[str, MarginTag]] | None = None,
    account: int = 0,
) -> tuple[Json, Json]:
    """(roots, alice's inclusion proof): her 1.5 BTC back a 50,000 USDT debt; the proof has
    her BTC path, her USDT debt path and her collateral proof (account ``account``) over
    those two leaves."""
    terms = terms_from_json(TERMS)
    btc, _, usdt_debt, roots = _margin_trees(gens, tags)
    equity_entry = btc.inclusion_entry("alice")
    debt_entry = {**usdt_debt.inclusion_entry("alice"), "asset": "USDT"}
    leaves = [
        btc.levels[0][btc.index_of("alice")],
        usdt_debt.levels[0][usdt_debt.index_of("alice")],
    ]
    proof = leaf_collateral_proof(
        terms, ["BTC"], ["USDT"], leaves, "margin/inclusion/alice/prover", gens
    )
    inputs = [
        {"asset": "BTC", "tree": "equity", "leaf": equity_entry["leaf_index"]},
        {"asset": "USDT", "tree": "debt", "leaf": debt_entry["leaf_index"]},
    ]
    incl: Json = {
        "format": INCLUSION_FORMAT,
        "round_id": _ROUND,
        "user_id": "alice",
        "arity": 4,
        "assets": [equity_entry],
        "debts": [debt_entry],
        "collateral": {"account": account, "inputs": inputs, "proof": proof.to_bytes().hex()},
    }
    return roots, incl


# --- MarginInclusionTest ---------------------------------------------------------------------


@dataclass(frozen=True)
class Honest:
    """The valid inclusion proofs the forgeries start from: the published roots, alice's
    proof (1.5 BTC backing a 50,000 USDT debt, account 0) and bob's (no debt)."""

    gens: GeneratorSet
    terms: MarginTerms
    roots: Json
    alice: Json
    bob: Json


def _honest(gens: GeneratorSet, terms: MarginTerms) -> Honest:
    roots, alice = margin_inclusion(gens)
    btc, usdt, _, _ = _margin_trees(gens)
    bob: Json = {
        "format": INCLUSION_FORMAT,
        "round_id": _ROUND,
        "user_id": "bob",
        "arity": 4,
        "assets": [btc.inclusion_entry("bob"), usdt.inclusion_entry("bob")],
    }
    return Honest(gens, terms, roots, alice, bob)


# A forgery: (roots, inclusion proof) made from the honest ones
Forge = Callable[[Honest], tuple[Json, Json]]


def _pledged_bob(h: Honest) -> tuple[Json, Json]:
    """bob's proof in trees where a ghost account (5, 2 inputs) uses his BTC leaf."""
    ghost_tags = {"BTC": {"alice": MarginTag(0, 2), "bob": MarginTag(5, 2)}}
    btc, usdt, _, roots = _margin_trees(h.gens, ghost_tags)
    return roots, {**h.bob, "assets": [btc.inclusion_entry("bob"), usdt.inclusion_entry("bob")]}


def _retagged(tags: dict[str, dict[str, MarginTag]]) -> Forge:
    """alice's proof in trees whose leaves of hers carry ``tags``; she is shown account 0."""
    return lambda h: margin_inclusion(h.gens, tags)


def _alice_with(key: str, new: Callable[[Any], object]) -> Forge:
    """alice's proof with ``key`` replaced by ``new(value)``, the published roots."""
    return lambda h: (h.roots, {**h.alice, key: new(h.alice[key])})


def _alice_without(key: str) -> Forge:
    return lambda h: (h.roots, {k: v for k, v in h.alice.items() if k != key})


def _zero_debt_proof(h: Honest) -> tuple[Json, Json]:
    """alice's proof with a collateral proof made (by the cheating prover) for a debt of 0
    over her BTC leaf and her debt leaf's blinding."""
    from zkpor.crypto.r1cs.testing import prove_unchecked

    btc, _, usdt_debt, _ = _margin_trees(h.gens)
    btc_leaf = btc.levels[0][btc.index_of("alice")]
    build = ConstraintSystem(values=[btc_leaf.value, 0])
    account_build(h.terms, ["BTC"], ["USDT"])(build)
    forged, _ = prove_unchecked(
        build.circuit(),
        build.witness(),
        [btc_leaf.blinding, usdt_debt.levels[0][usdt_debt.index_of("alice")].blinding],
        rng=SeededRandom(seed("margin/inclusion/forged")),
        gens=h.gens,
    )
    collateral = {**h.alice["collateral"], "proof": forged.to_bytes().hex()}
    return h.roots, {**h.alice, "collateral": collateral}


def _roots_without_terms(h: Honest) -> tuple[Json, Json]:
    roots: Json = json.loads(json.dumps(h.roots))
    del roots["quote"]
    for entry in roots["assets"].values():
        entry.pop("price", None)
        entry.pop("tiers", None)
    return roots, h.alice


# (comment, flags, forgery): the exchange's forgeries, each refused for its own reason
# (docs/spec.md 8.2 step 4, 16.8)
FORGERIES: Final[tuple[tuple[str, tuple[str, ...], Forge], ...]] = (
    (
        "bob owes nothing, but his BTC leaf is tagged as an input of margin account 5 (borrowed "
        "collateral)",
        ("PledgedLeaf",),
        _pledged_bob,
    ),
    (
        "alice's leaves are tagged account 1, her collateral proof says account 0",
        ("WrongAccount",),
        _retagged({"BTC": {"alice": MarginTag(1, 2)}, "USDT/debt": {"alice": MarginTag(1, 2)}}),
    ),
    (
        "alice's collateral.account is 9999, her leaves are tagged account 0",
        ("WrongAccount",),
        _alice_with("collateral", lambda collateral: {**collateral, "account": 9999}),
    ),
    (
        "alice's leaves are tagged account 0 with 3 inputs (an input she does not see), her "
        "proof has 2",
        ("WrongAccount",),
        _retagged({"BTC": {"alice": MarginTag(0, 3)}, "USDT/debt": {"alice": MarginTag(0, 3)}}),
    ),
    (
        "alice's BTC leaf (priced, an input of her account) tagged none",
        ("WrongAccount",),
        _retagged({"BTC": {"alice": MarginTag()}, "USDT/debt": {"alice": MarginTag(0, 2)}}),
    ),
    (
        "alice's debt lowered to 49,000 USDT",
        ("ModifiedCommitment",),
        _alice_with(
            "debts", lambda debts: [{**debts[0], "units": "49000000000", "amount": "49000.0"}]
        ),
    ),
    ("the collateral proof left out", ("MissingCollateral",), _alice_without("collateral")),
    (
        "the debt left out, its collateral proof kept",
        ("MissingCollateral",),
        _alice_without("debts"),
    ),
    (
        "collateral inputs in the wrong order",
        ("ModifiedCommitment",),
        _alice_with("collateral", lambda c: {**c, "inputs": c["inputs"][::-1]}),
    ),
    (
        "a collateral proof made for a debt of 0 (the cheating prover), not over alice's leaf",
        ("UnsatisfiedWitness",),
        _zero_debt_proof,
    ),
    (
        "roots without the margin terms (a debt tree of an unpriced asset)",
        ("MissingCollateral",),
        _roots_without_terms,
    ),
)


def _inclusion_group(f: VectorFile, terms: MarginTerms, gens: GeneratorSet) -> None:
    """MarginInclusionTest: alice's 1.5 BTC back a 50,000 USDT debt (account 0); bob, who
    owes nothing, holds BTC and USDT; then :data:`FORGERIES`."""
    h = _honest(gens, terms)
    g = f.group("MarginInclusionTest")
    g.add(
        "alice: BTC equity, a USDT debt and her collateral proof over those two leaves, both "
        "tagged account 0 with 2 inputs",
        ["Valid", "MarginTag"],
        "valid",
        roots=h.roots,
        inclusion=h.alice,
        verified=[
            {"asset": "BTC", "kind": "equity", "amount": "1.5", "units": "150000000"},
            {"asset": "USDT", "kind": "debt", "amount": "50000.0", "units": "50000000000"},
        ],
    )
    g.add(
        "bob: no debt, his BTC and USDT leaves tagged none (alice's BTC leaf, tagged, may be "
        "a sibling)",
        ["Valid", "MarginTag"],
        "valid",
        roots=h.roots,
        inclusion=h.bob,
        verified=[
            {"asset": "BTC", "kind": "equity", "amount": "0.2", "units": "20000000"},
            {"asset": "USDT", "kind": "equity", "amount": "500.0", "units": "500000000"},
        ],
    )
    for comment, flags, forge in FORGERIES:
        roots, incl = forge(h)
        g.add(comment, list(flags), "invalid", roots=roots, inclusion=incl)
    second_round_cases(g, gens)
    terms_group(f, h.roots)


NAME: Final = "margin"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of margin.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
