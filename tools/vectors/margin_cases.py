"""margin.json, the cases that settle a rule on their own (issue 24): account shapes under
terms of their own (:data:`EXTRA_SHAPES`), the published terms as a verifier reads them
(:func:`terms_group`), and a second round whose borrower has two debts, an unpriced equity
and symbols whose byte order is not their case-folded order (:func:`second_round_cases`).

Spec: docs/spec/margin.md (16.2, 16.4, 16.8), docs/spec/arithmetic-circuits.md (15.7.0,
15.7.1). Seeds: ``margin/NAME/KIND/...`` as in :mod:`tools.vectors.margin`, and
``margin2/...`` for the second round.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from tools.vectors.base import Group, Json, VectorFile
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.r1cs import ConstraintSystem
from zkpor.crypto.r1cs.proof import R1CSProof
from zkpor.formats.models import INCLUSION_FORMAT
from zkpor.protocol.margin import MarginTerms, account_build
from zkpor.vectors.circuit_checks import terms_from_json, terms_json
from zkpor.vectors.common import seed, seeded

_BTC_TIERS: Final = [
    {"up_to": "1000000", "ratio": 100},
    {"up_to": "5000000", "ratio": 95},
    {"ratio": 80},
]


class ExtraShape(NamedTuple):
    """An account shape under its own terms: name, terms, equity and debt assets, the equity
    of its one valid test, and what it decides (the comment)."""

    name: str
    terms: Json
    equity: list[str]
    debt: list[str]
    held: list[int]
    decides: str


EXTRA_SHAPES: Final[tuple[ExtraShape, ...]] = (
    ExtraShape(
        "one-bracket-first",
        {
            "quote": {"symbol": "USD", "decimals": 2},
            "assets": {
                "AUSD": {"decimals": 6, "price": "1", "tiers": [{"ratio": 90}]},
                "BTC": {"decimals": 8, "price": "97000.00", "tiers": _BTC_TIERS},
            },
        },
        ["AUSD", "BTC"],
        ["BTC"],
        [5_000_000_000, 20_000_000],
        "a one-bracket equity (no bracket gadget: its input bound to half a gate) before a "
        "bracket gadget; the debt's bind takes the right wire of that earlier half gate",
    ),
    ExtraShape(
        "unit-brackets",
        {
            "quote": {"symbol": "USD", "decimals": 0},
            "assets": {
                "ONE": {
                    "decimals": 0,
                    "price": "1",
                    "tiers": [
                        {"up_to": "1", "ratio": 100},
                        {"up_to": "2", "ratio": 50},
                        {"ratio": 10},
                    ],
                }
            },
        },
        ["ONE"],
        ["ONE"],
        [1000],
        "finite brackets all of width 1: W = 1 (the bit length of 0 is raised to 1)",
    ),
    ExtraShape(
        "gcd-scope",
        {
            "quote": {"symbol": "USD", "decimals": 0},
            "assets": {
                "AAA": {
                    "decimals": 0,
                    "price": "1000",
                    "tiers": [{"up_to": "1000000", "ratio": 90}, {"ratio": 50}],
                },
                "BBB": {
                    "decimals": 0,
                    "price": "2000",
                    "tiers": [{"up_to": "1500", "ratio": 80}, {"ratio": 10}],
                },
                "CCC": {"decimals": 0, "price": "7", "tiers": [{"ratio": 100}]},
            },
        },
        ["AAA"],
        ["BBB"],
        [3000],
        "the gcd is 1000: over the account's prices and its equity assets' bounds only (with "
        "the debt-only BBB's bound 1500 it would be 500, with CCC's price 1)",
    ),
)


def extra_shape_groups(
    f: VectorFile, gens: GeneratorSet, prove_case: Callable[..., Json], values: Callable[..., Any]
) -> None:
    """A CollateralProofVerify group per :data:`EXTRA_SHAPES` entry: one valid proof and the
    cheating prover's (a debt one base unit above the collateral)."""
    from zkpor.protocol.margin import account_circuit

    for shape in EXTRA_SHAPES:
        terms = terms_from_json(shape.terms)
        circuit = account_circuit(terms, shape.equity, shape.debt)
        group = f.group(
            "CollateralProofVerify",
            account=shape.name,
            terms=shape.terms,
            equity_assets=shape.equity,
            debt_assets=shape.debt,
            gates=circuit.gates,
            digest=circuit.digest().hex(),
        )
        honest = values(terms, shape.equity, shape.debt, shape.held)
        case = prove_case(
            terms, shape.equity, shape.debt, honest, f"margin/{shape.name}/random", gens
        )
        group.add(f"{shape.name}: {shape.decides}", ["Valid", "SeededProof"], "valid", **case)
        over = list(honest)
        over[len(shape.equity)] += 1
        cheat = prove_case(
            terms,
            shape.equity,
            shape.debt,
            honest,
            f"margin/{shape.name}/cheat",
            gens,
            claimed=over,
        )
        group.add(
            f"{shape.name}: the cheating prover's proof of a debt one base unit above the "
            "collateral",
            ["UnsatisfiedWitness"],
            "invalid",
            commitments=cheat["commitments"],
            proof=cheat["proof"],
        )


def same_size_other_circuit(
    group: Group,
    base_terms: Json,
    gens: GeneratorSet,
    prove_case: Callable[..., Json],
    values: Callable[..., Any],
) -> None:
    """A valid proof of btc-backs-usdt's shape under terms whose first BTC ratio is 99: the
    same sizes (gates, constraints, inputs), another digest."""
    other = copy.deepcopy(base_terms)
    other["assets"]["BTC"]["tiers"][0]["ratio"] = 99
    terms = terms_from_json(other)
    case = prove_case(
        terms,
        ["BTC"],
        ["USDT"],
        values(terms, ["BTC"], ["USDT"], [123_456_789]),
        "margin/btc-backs-usdt-99/random",
        gens,
    )
    group.add(
        "btc-backs-usdt: a valid proof of the same shape under terms with BTC's first ratio 99 "
        "(same gates and constraints, another digest)",
        ["OtherCircuit"],
        "invalid",
        commitments=case["commitments"],
        proof=case["proof"],
    )


# --- MarginTermsTest: the published terms as a verifier reads them (16.2, 16.6) -----------

_MAX_PRICE: Final[int] = 2**128 - 1

# (comment, flags, result, change of the roots' JSON); the base is margin.json's roots
TermsEdit = Callable[[Json], None]


def _asset(sym: str, **fields: object) -> TermsEdit:
    def edit(roots: Json) -> None:
        for k, v in fields.items():
            if v is None:
                roots["assets"][sym].pop(k, None)
            else:
                roots["assets"][sym][k] = v

    return edit


def _no_quote(roots: Json) -> None:
    del roots["quote"]


def _quote_zero(roots: Json) -> None:
    roots["quote"] = {"symbol": "USD", "decimals": 0}
    roots["assets"]["BTC"]["decimals"] = 0
    roots["assets"]["USDT"]["decimals"] = 0
    roots["assets"]["USDT"]["price"] = "1"


def _big_price(price: str) -> TermsEdit:
    def edit(roots: Json) -> None:
        _quote_zero(roots)
        roots["assets"]["BTC"]["price"] = price
        roots["assets"]["BTC"]["tiers"] = [{"up_to": "1024", "ratio": 50}, {"ratio": 10}]

    return edit


def _tiers(count: int) -> list[Json]:
    return [{"up_to": str(10 * (i + 1)), "ratio": 50} for i in range(count - 1)] + [{"ratio": 1}]


TERMS_CASES: Final[tuple[tuple[str, tuple[str, ...], str, TermsEdit], ...]] = (
    ("the published terms", ("Valid",), "valid", lambda roots: None),
    ("64 tiers (the most)", ("Valid", "EdgeCase"), "valid", _asset("BTC", tiers=_tiers(64))),
    (
        "a price of 2^128 - 1 margin units (the largest)",
        ("Valid", "EdgeCase"),
        "valid",
        _big_price(str(_MAX_PRICE)),
    ),
    ("a price without tiers", ("MalformedTerms",), "invalid", _asset("BTC", tiers=None)),
    ("tiers without a price", ("MalformedTerms",), "invalid", _asset("BTC", price=None)),
    ("prices without the top-level quote", ("MalformedTerms",), "invalid", _no_quote),
    (
        "up_to missing on the first of three tiers",
        ("MalformedTerms",),
        "invalid",
        _asset("BTC", tiers=[{"ratio": 100}, {"up_to": "5000000", "ratio": 95}, {"ratio": 80}]),
    ),
    (
        "up_to on the last tier",
        ("MalformedTerms",),
        "invalid",
        _asset(
            "BTC", tiers=[{"up_to": "1000000", "ratio": 100}, {"up_to": "5000000", "ratio": 95}]
        ),
    ),
    (
        "bounds not increasing (equal)",
        ("MalformedTerms",),
        "invalid",
        _asset(
            "BTC",
            tiers=[
                {"up_to": "1000000", "ratio": 100},
                {"up_to": "1000000", "ratio": 95},
                {"ratio": 80},
            ],
        ),
    ),
    (
        "a bound of 0",
        ("MalformedTerms",),
        "invalid",
        _asset("BTC", tiers=[{"up_to": "0", "ratio": 100}, {"ratio": 80}]),
    ),
    (
        "a ratio of 101",
        ("MalformedTerms",),
        "invalid",
        _asset("BTC", tiers=[{"up_to": "1000000", "ratio": 101}, {"ratio": 80}]),
    ),
    ("a price of 0", ("MalformedTerms",), "invalid", _asset("BTC", price="0")),
    # the published grammar of price and up_to (16.1): no leading zero, a point only with
    # fraction digits, at most quote.decimals of them (trailing zeros count)
    (
        "a price below 1 ('0.5': the one leading zero allowed)",
        ("Valid", "EdgeCase"),
        "valid",
        _asset("BTC", price="0.5"),
    ),
    (
        "an up_to with quote.decimals fraction digits, trailing zeros included ('10000.00')",
        ("Valid", "EdgeCase"),
        "valid",
        _asset("BTC", tiers=[{"up_to": "10000.00", "ratio": 100}, {"ratio": 80}]),
    ),
    (
        "a price with a leading zero ('097000.00': the published form has none)",
        ("MalformedTerms", "NonCanonicalText"),
        "invalid",
        _asset("BTC", price="097000.00"),
    ),
    (
        "a price with more fraction digits than quote.decimals ('97000.001' at 2)",
        ("MalformedTerms",),
        "invalid",
        _asset("BTC", price="97000.001"),
    ),
    (
        "a price with more fraction digits than quote.decimals, all zeros ('97000.000' at 2)",
        ("MalformedTerms",),
        "invalid",
        _asset("BTC", price="97000.000"),
    ),
    (
        "a price with a point and no fraction ('97000.')",
        ("MalformedTerms", "NonCanonicalText"),
        "invalid",
        _asset("BTC", price="97000."),
    ),
    (
        "an up_to with a leading zero ('01000000')",
        ("MalformedTerms", "NonCanonicalText"),
        "invalid",
        _asset("BTC", tiers=[{"up_to": "01000000", "ratio": 100}, {"ratio": 80}]),
    ),
    (
        "an up_to with more fraction digits than quote.decimals ('1000000.005' at 2)",
        ("MalformedTerms",),
        "invalid",
        _asset("BTC", tiers=[{"up_to": "1000000.005", "ratio": 100}, {"ratio": 80}]),
    ),
    ("65 tiers", ("MalformedTerms",), "invalid", _asset("BTC", tiers=_tiers(65))),
    (
        "a price of 2^128 margin units (the bound is on the published value: an account of "
        "BTC equity and BTC debt would reduce it by its gcd 1024 to 2^118)",
        ("MalformedTerms",),
        "invalid",
        _big_price(str(_MAX_PRICE + 1)),
    ),
)


def terms_output(roots: Json) -> Json:
    """The expected output of a valid terms test: D and per priced asset its price and
    bounds in margin units, and its percents."""
    data = {"quote": roots["quote"], "assets": {}}
    for sym, a in roots["assets"].items():
        if "price" in a:
            data["assets"][sym] = {k: a[k] for k in ("decimals", "price", "tiers")}
    return terms_json(terms_from_json(data))


def terms_group(f: VectorFile, roots: Json) -> None:
    """MarginTermsTest: margin.json's published roots, then :data:`TERMS_CASES`."""
    g = f.group("MarginTermsTest")
    for comment, flags, result, edit in TERMS_CASES:
        changed = copy.deepcopy(roots)
        edit(changed)
        out = {"terms": terms_output(changed)} if result == "valid" else {}
        g.add(comment, list(flags), result, roots=changed, **out)


# --- a second round: two debts, an unpriced equity, symbols BTCB < BTC_B < USDT ------------

_ROUND2: Final[str] = "margin-2026-12-b"
_TERMS2: Final[Json] = {
    "quote": {"symbol": "USD", "decimals": 2},
    "assets": {
        "BTCB": {"decimals": 8, "price": "97000.00", "tiers": _BTC_TIERS},
        "BTC_B": {"decimals": 8, "price": "96500.00", "tiers": _BTC_TIERS},
        "DOGE": {"decimals": 2},
        "USDT": {"decimals": 6, "price": "1", "tiers": [{"ratio": 100}]},
    },
}
# dave: equity in BTCB, BTC_B, DOGE (unpriced) and USDT (0); debts in BTCB and USDT
_HOLDINGS: Final[dict[str, list[tuple[str, int]]]] = {
    "BTCB": [("dave", 100_000_000), ("erin", 5_000_000)],
    "BTC_B": [("dave", 50_000_000)],
    "DOGE": [("dave", 100_000)],
    "USDT": [("dave", 0), ("erin", 9_000_000)],
    "BTCB/debt": [("dave", 10_000_000)],
    "USDT/debt": [("dave", 20_000_000_000)],
}
_EQUITY2: Final = ["BTCB", "BTC_B", "USDT"]
_DEBT2: Final = ["BTCB", "USDT"]


def _round2(gens: GeneratorSet) -> tuple[dict[str, Any], Json]:
    from zkpor.protocol.sumtree import MarginTag
    from zkpor.prover.liabilities.keys import pad_leaf_id
    from zkpor.vectors.tree import build_tree, roots_json

    dave = MarginTag(0, len(_EQUITY2) + len(_DEBT2))
    trees: dict[str, Any] = {}
    for name, customers in _HOLDINGS.items():
        asset = name.removesuffix("/debt")
        tags = (
            {"dave": dave}
            if asset in _TERMS2["assets"]
            and (name.endswith("/debt") or "price" in _TERMS2["assets"][asset])
            else {}
        )
        if name.endswith("/debt"):
            first = 1 if name.startswith("BTCB") else 4
            tags.update({pad_leaf_id(j): MarginTag(first + j, 1) for j in range(3)})
        trees[name] = build_tree(
            master=bytes(range(140, 172)),
            run_nonce=bytes(range(60, 92)),
            round_id=_ROUND2,
            asset=name,
            decimals=_TERMS2["assets"][asset]["decimals"],
            arity=4,
            granularity=4,
            customers=customers,
            gens=gens,
            rng=seeded(f"margin2/tree/{name}"),
            tags=tags,
        )
    roots: Json = roots_json(_ROUND2, 4, [t for n, t in trees.items() if not n.endswith("/debt")])
    entries: dict[str, Json] = roots["assets"]
    roots["quote"] = _TERMS2["quote"]
    for sym, a in _TERMS2["assets"].items():
        if "price" in a:
            entries[sym].update(price=a["price"], tiers=a["tiers"])
    for sym in _DEBT2:
        debt_root = trees[f"{sym}/debt"].root_json()
        del debt_root["decimals"]
        entries[sym]["debt"] = debt_root
    return trees, roots


def leaf_collateral_proof(
    terms: MarginTerms,
    equity: list[str],
    debt: list[str],
    leaves: list[Any],
    purpose: str,
    gens: GeneratorSet,
) -> R1CSProof:
    """The collateral proof of an account (16.4) over tree leaves (their values and
    blindings), equity trees then debt trees in that order, by the seeded prover on
    ``seed(purpose)``."""
    from zkpor.crypto.r1cs.prover import prove_circuit

    cs = ConstraintSystem(values=[n.value for n in leaves])
    account_build(terms, equity, debt)(cs)
    proof, _ = prove_circuit(
        cs.circuit(),
        cs.witness(),
        [n.blinding for n in leaves],
        rng=SeededRandom(seed(purpose)),
        gens=gens,
    )
    return proof


def _dave(gens: GeneratorSet, trees: dict[str, Any], equity: list[str], tag: str) -> Json:
    """dave's inclusion proof, his collateral proof made over ``equity`` (in that order)
    then his debts."""
    terms = terms_from_json(_TERMS2)
    names = [*equity, *(f"{a}/debt" for a in _DEBT2)]
    leaves = [trees[n].levels[0][trees[n].index_of("dave")] for n in names]
    proof = leaf_collateral_proof(terms, equity, _DEBT2, leaves, f"margin2/{tag}/prover", gens)
    inputs = [
        {
            "asset": n.removesuffix("/debt"),
            "tree": "debt" if n.endswith("/debt") else "equity",
            "leaf": trees[n].index_of("dave"),
        }
        for n in names
    ]
    return {
        "format": INCLUSION_FORMAT,
        "round_id": _ROUND2,
        "user_id": "dave",
        "arity": 4,
        "assets": [trees[a].inclusion_entry("dave") for a in ("BTCB", "BTC_B", "DOGE", "USDT")],
        "debts": [{**trees[f"{a}/debt"].inclusion_entry("dave"), "asset": a} for a in _DEBT2],
        "collateral": {"account": 0, "inputs": inputs, "proof": proof.to_bytes().hex()},
    }


def second_round_cases(g: Group, gens: GeneratorSet) -> None:
    """dave's valid proof (two debts, an unpriced DOGE equity outside the inputs, inputs in
    byte order BTCB < BTC_B < USDT), then the same proof with DOGE's leaf among the inputs,
    and a valid collateral proof over the case-folded order (BTC_B before BTCB)."""
    trees, roots = _round2(gens)
    dave = _dave(gens, trees, _EQUITY2, "dave")
    verified = [
        {"asset": e["asset"], "kind": "equity", "amount": e["amount"], "units": e["units"]}
        for e in dave["assets"]
    ] + [
        {"asset": e["asset"], "kind": "debt", "amount": e["amount"], "units": e["units"]}
        for e in dave["debts"]
    ]
    g.add(
        "dave: equity in BTCB, BTC_B, DOGE (no price: not an input) and USDT (0), debts in "
        "BTCB and USDT; inputs in ascending byte order of the symbols (BTCB < BTC_B < USDT), "
        "equity then debt",
        ["Valid", "MarginTag", "TwoDebts"],
        "valid",
        roots=roots,
        inclusion=dave,
        verified=verified,
    )
    doge = {"asset": "DOGE", "tree": "equity", "leaf": trees["DOGE"].index_of("dave")}
    coll = dave["collateral"]
    g.add(
        "dave's collateral inputs also name his DOGE leaf (an asset without a price)",
        ["UnpricedCollateral"],
        "invalid",
        roots=roots,
        inclusion={**dave, "collateral": {**coll, "inputs": [doge, *coll["inputs"]]}},
    )
    folded = _dave(gens, trees, ["BTC_B", "BTCB", "USDT"], "folded")
    g.add(
        "dave's collateral proof made over his equity in case-folded order (BTC_B before "
        "BTCB), its inputs listed in that order: the proof verifies for that order, which is "
        "not the byte order",
        ["WrongInputOrder"],
        "invalid",
        roots=roots,
        inclusion=folded,
    )
