"""The multi-asset collateral statement (for margin accounts).

Public parameters per asset a = 0..A-1: a price p_a >= 1 (quote units per base unit) and a
bracket table (:class:`~circuits.brackets.BracketTable`). Committed inputs, in this order:
equity_0, debt_0, equity_1, debt_1, ... (2A inputs), each already known to lie in [0, 2^64)
(precondition: the trees range-prove every leaf). The statement:

    100 * sum_a p_a debt_a  <=  sum_a S_a(p_a equity_a)

that is, sum_a debt_a p_a <= floor(sum_a S_a / 100): the quote value of the debts is at
most the collateral value of the equity after the tiered haircuts, rounded down once at the
end (:mod:`circuits.brackets`).

Gadget: one :func:`~circuits.brackets.haircut_hundredths` per asset, one ``bind`` per debt
(so each debt has its own constraint and W_V keeps full column rank), and one
``less_or_equal`` over D bits, D = bit length of 100 * (2^64 - 1) * sum_a p_a (both sides
are below 2^D). Cost: sum_a (K_a + 2 W_a + 67) + ceil(A / 2) + D gates and
sum_a (2 K_a + 4 W_a + 139) + 2 D + 1 constraints (2 assets of the 12-bracket demo table:
419 gates, 847 constraints).

:func:`account_collateral` is the same statement for a margin account sized by what it
holds: E equity inputs (each with its price and table) followed by M debt inputs (each with
its price), 100 * sum_j p_j debt_j <= sum_i S_i(p_i equity_i).

Spec: docs/spec/arithmetic-circuits.md (15.7-15.10).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zkpor.crypto.r1cs import ConstraintSystem, LinearCombination
from zkpor.errors import ParameterError

from .brackets import BracketTable, gate_count, haircut_hundredths
from .gadgets import bind, less_or_equal

__all__ = [
    "AssetTerms",
    "account_collateral",
    "account_gate_count",
    "collateral",
    "collateral_gate_count",
]

INPUT_BITS = 64


@dataclass(frozen=True)
class AssetTerms:
    """One asset's public terms: its price and its bracket table."""

    price: int
    table: BracketTable


def _bound_bits(assets: Sequence[AssetTerms]) -> int:
    return (100 * ((1 << INPUT_BITS) - 1) * sum(a.price for a in assets)).bit_length()


def collateral_gate_count(assets: Sequence[AssetTerms]) -> int:
    """The gate count of :func:`collateral` (see module doc)."""
    per_asset = sum(gate_count(a.table, INPUT_BITS) for a in assets)
    return per_asset + (len(assets) + 1) // 2 + _bound_bits(assets)


def collateral(cs: ConstraintSystem, assets: Sequence[AssetTerms]) -> None:
    """Add the collateral statement over ``cs.inputs`` (see module doc)."""
    if not assets:
        raise ParameterError("the collateral statement needs at least one asset")
    if len(cs.inputs) != 2 * len(assets):
        raise ParameterError(
            f"{len(assets)} assets need {2 * len(assets)} committed inputs, got {len(cs.inputs)}"
        )
    collateral_terms = []
    debt_terms = []
    for a, terms in enumerate(assets):
        equity, debt = cs.inputs[2 * a], cs.inputs[2 * a + 1]
        collateral_terms.append(
            haircut_hundredths(cs, equity, price=terms.price, x_bits=INPUT_BITS, table=terms.table)
        )
        debt_terms.append((100 * terms.price, bind(cs, debt)))
    less_or_equal(
        cs,
        LinearCombination.weighted(debt_terms),
        LinearCombination.sum(collateral_terms),
        _bound_bits(assets),
    )


def _account_bits(equity: Sequence[AssetTerms], debt_prices: Sequence[int]) -> int:
    top = max(sum(a.price for a in equity), sum(debt_prices), 1)
    return (100 * ((1 << INPUT_BITS) - 1) * top).bit_length()


def account_gate_count(equity: Sequence[AssetTerms], debt_prices: Sequence[int]) -> int:
    """The gate count of :func:`account_collateral`: per equity input its bracket gadget
    (half a gate for a single-bracket table), half a gate per debt, and the final bound."""
    binds = sum(1 for a in equity if a.table.brackets == 1) + len(debt_prices)
    per_asset = sum(gate_count(a.table, INPUT_BITS) for a in equity)
    return per_asset + (binds + 1) // 2 + _account_bits(equity, debt_prices)


def account_collateral(
    cs: ConstraintSystem, equity: Sequence[AssetTerms], debt_prices: Sequence[int]
) -> None:
    """100 * sum_j p_j debt_j <= sum_i S_i(p_i equity_i) over ``cs.inputs`` = the E equity
    inputs then the M debt inputs, each < 2^64 (precondition: tree leaves). An equity under a
    single-bracket table and every debt is bound to a wire of its own (W_V full rank).
    Both sides are below 2^D, D = bit length of 100 (2^64 - 1) max(sum p_i, sum p_j)."""
    if len(cs.inputs) != len(equity) + len(debt_prices) or not cs.inputs:
        raise ParameterError(
            f"{len(equity)} equity and {len(debt_prices)} debt terms need "
            f"{len(equity) + len(debt_prices)} committed inputs (at least one), "
            f"got {len(cs.inputs)}"
        )
    for p in debt_prices:
        if isinstance(p, bool) or not isinstance(p, int) or p < 1:
            raise ParameterError("debt price must be a positive integer")
    collateral_terms = []
    for i, terms in enumerate(equity):
        x = cs.inputs[i]
        if terms.table.brackets == 1:
            x = bind(cs, x)
        collateral_terms.append(
            haircut_hundredths(cs, x, price=terms.price, x_bits=INPUT_BITS, table=terms.table)
        )
    debt_terms = [
        (100 * p, bind(cs, cs.inputs[len(equity) + j])) for j, p in enumerate(debt_prices)
    ]
    less_or_equal(
        cs,
        LinearCombination.weighted(debt_terms),
        LinearCombination.sum(collateral_terms),
        _account_bits(equity, debt_prices),
    )
