"""Named statements with fixed public parameters: what ``zkpor circuits list`` shows, the
vectors use and a verifier rebuilds by name.

Each entry names its committed inputs (in order) and a ``build(cs)`` that adds its
constraints; :func:`build_circuit` runs it on a verifier-side constraint system.

Spec: docs/spec/arithmetic-circuits.md (15.7-15.10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zkpor.crypto.r1cs import Circuit, ConstraintSystem
from zkpor.errors import ParameterError

from .brackets import BracketTable, haircut_value
from .collateral import AssetTerms, collateral
from .gadgets import bind, less_or_equal, less_than, range_check

__all__ = [
    "DEMO_TABLE",
    "STATEMENTS",
    "Statement",
    "build_circuit",
    "demo_assets",
    "get_statement",
]

# 12 brackets over quote units of 10^-6 USD: 100% up to 10k USD, then 97, 95, 90, 85, 80,
# 70, 60, 50, 40, 20 and 0% above 50M USD (an illustrative table, not any exchange's).
DEMO_TABLE = BracketTable(
    bounds=tuple(
        b * 10**6
        for b in (
            10_000,
            50_000,
            100_000,
            250_000,
            500_000,
            1_000_000,
            2_500_000,
            5_000_000,
            10_000_000,
            25_000_000,
            50_000_000,
        )
    ),
    percents=(100, 97, 95, 90, 85, 80, 70, 60, 50, 40, 20, 0),
)

# prices in 10^-6 USD per base unit: BTC per satoshi at 60,000 USD, ETH per gwei at
# 3,000 USD, USDT per 10^-6 USDT, then made-up assets.
_DEMO_PRICES = (600, 3, 1, 25, 7, 140, 2, 90, 11, 4, 333, 18, 5, 60, 9, 1200)


def demo_assets(count: int) -> list[AssetTerms]:
    """``count`` (<= 16) assets with the demo prices and :data:`DEMO_TABLE`."""
    if not 1 <= count <= len(_DEMO_PRICES):
        raise ParameterError(f"demo asset count must be in [1, {len(_DEMO_PRICES)}]")
    return [AssetTerms(p, DEMO_TABLE) for p in _DEMO_PRICES[:count]]


@dataclass(frozen=True)
class Statement:
    """A named statement: description, committed input names, constraint builder."""

    name: str
    description: str
    inputs: tuple[str, ...]
    build: Callable[[ConstraintSystem], None]


def _range64(cs: ConstraintSystem) -> None:
    range_check(cs, cs.inputs[0], 64)


def _le64(cs: ConstraintSystem) -> None:
    # a is bound to a wire so that a and b each have a constraint of their own (W_V rank 2)
    less_or_equal(cs, bind(cs, cs.inputs[0]), cs.inputs[1], 64)


def _lt64(cs: ConstraintSystem) -> None:
    less_than(cs, bind(cs, cs.inputs[0]), cs.inputs[1], 64)


def _haircut12(cs: ConstraintSystem) -> None:
    haircut_value(cs, cs.inputs[0], cs.inputs[1], price=1, x_bits=64, table=DEMO_TABLE)


def _collateral(count: int) -> Callable[[ConstraintSystem], None]:
    assets = demo_assets(count)

    def build(cs: ConstraintSystem) -> None:
        collateral(cs, assets)

    return build


def _asset_inputs(count: int) -> tuple[str, ...]:
    return tuple(f"{kind}_{a}" for a in range(count) for kind in ("equity", "debt"))


STATEMENTS: dict[str, Statement] = {
    s.name: s
    for s in (
        Statement("range64", "0 <= v < 2^64 as a circuit (64 booleans)", ("v",), _range64),
        Statement("le64", "a <= b for a, b < 2^64 (precondition)", ("a", "b"), _le64),
        Statement("lt64", "a < b for a, b < 2^64 (precondition)", ("a", "b"), _lt64),
        Statement(
            "haircut12",
            "h = floor(S(x) / 100), S the 12-bracket demo haircut, x < 2^64 (precondition)",
            ("x", "h"),
            _haircut12,
        ),
        *(
            Statement(
                f"collateral{a}x12",
                f"{a}-asset collateral: 100 sum p_a debt_a <= sum S(p_a equity_a), demo prices"
                " and 12-bracket table, inputs < 2^64 (precondition)",
                _asset_inputs(a),
                _collateral(a),
            )
            for a in (1, 2, 4, 16)
        ),
    )
}


def get_statement(name: str) -> Statement:
    """The statement called ``name``; ParameterError listing the known names otherwise."""
    try:
        return STATEMENTS[name]
    except KeyError:
        raise ParameterError(
            f"unknown circuit {name!r}; known: {', '.join(sorted(STATEMENTS))}"
        ) from None


def build_circuit(name: str) -> Circuit:
    """The circuit of statement ``name``, built as the verifier builds it."""
    st = get_statement(name)
    cs = ConstraintSystem(inputs=len(st.inputs), name=name)
    st.build(cs)
    return cs.circuit()
