"""Margin terms: the public prices and haircut tiers, in the integers the collateral circuit
uses, and the plain-integer reference of the collateral check (docs/spec/arithmetic-circuits.md, "Margin").

Units. The quote currency has ``quote_decimals`` decimals (prices and tier bounds are
decimal strings with at most that many fractional digits). With D the largest ``decimals``
of the priced assets, every value is an integer number of *margin units* of
10^-(quote_decimals + D) quote:

    price_a  = price_text_a * 10^(quote_decimals) * 10^(D - decimals_a)   per base unit
    bound_k  = up_to_text_k * 10^(quote_decimals + D)

so the quote value of x base units of asset a is exactly X = price_a * x margin units: no
rounding anywhere. The collateral value of an equity position is S(X) / 100 with S the
marginal bracket sum in hundredths (:func:`zkpor.circuits.brackets.reference_hundredths`),
and an account is collateralized iff

    100 * sum_a price_a debt_a  <=  sum_a S_a(price_a equity_a)

(floor of the right side / 100 taken once at the end is the same test, since the left side
is a multiple of 100). Before building a circuit every price and bound of it is divided by
their greatest common divisor g: S scales linearly (S_{g b}(g X) = g S_b(X)), so the
statement is unchanged and the circuit's bit widths shrink.

Plain integers only: the lightweight verifier imports this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from zkpor.circuits.brackets import BracketTable, reference_hundredths
from zkpor.circuits.collateral import AssetTerms, account_collateral
from zkpor.crypto.r1cs import Circuit, ConstraintSystem
from zkpor.errors import ParameterError
from zkpor.formats.amounts import format_units, parse_amount

__all__ = [
    "MarginTerms",
    "asset_order",
    "Tier",
    "account_build",
    "account_circuit",
    "collateral_hundredths",
    "debt_hundredths",
    "format_margin_value",
]

MAX_PRICE_BITS = 128  # price * 2^64 * 100 < 2^200 (the bracket gadget's no-wrap bound)


@dataclass(frozen=True)
class Tier:
    """One bracket as published: ``up_to`` (decimal quote value, None for the last) and an
    integer percent."""

    up_to: str | None
    ratio: int


@dataclass(frozen=True)
class MarginTerms:
    """Prices and tables of the priced assets, in margin units (module doc)."""

    quote_symbol: str
    quote_decimals: int
    scale: int  # D
    prices: dict[str, int]
    tables: dict[str, BracketTable]

    @classmethod
    def build(
        cls,
        quote_symbol: str,
        quote_decimals: int,
        assets: Mapping[str, tuple[int, str, Sequence[Tier]]],
    ) -> MarginTerms:
        """From ``asset -> (decimals, price text, tiers)``; ParameterError naming the asset
        and field for a price or tier that is malformed, zero, not increasing or too big."""
        scale = max((d for d, _, _ in assets.values()), default=0)
        prices: dict[str, int] = {}
        tables: dict[str, BracketTable] = {}
        for sym, (decimals, price_text, tiers) in assets.items():
            try:
                base = parse_amount(price_text, quote_decimals, limit=1 << MAX_PRICE_BITS)
            except ValueError as exc:
                raise ParameterError(f"asset {sym}: price: {exc}") from None
            price = base * 10 ** (scale - decimals)
            if price < 1:
                raise ParameterError(f"asset {sym}: price must be above 0")
            if price.bit_length() > MAX_PRICE_BITS:
                raise ParameterError(f"asset {sym}: price is too large")
            tables[sym] = _table(sym, tiers, quote_decimals, scale)
            prices[sym] = price
        return cls(quote_symbol, quote_decimals, scale, prices, tables)

    def unit_value(self, asset: str, units: int) -> int:
        """Quote value of ``units`` base units of ``asset``, in margin units."""
        return self.prices[asset] * units


def _table(sym: str, tiers: Sequence[Tier], quote_decimals: int, scale: int) -> BracketTable:
    if not tiers:
        raise ParameterError(f"asset {sym}: tiers must list at least one bracket")
    bounds: list[int] = []
    percents: list[int] = []
    for i, tier in enumerate(tiers):
        last = i == len(tiers) - 1
        if (tier.up_to is None) != last:
            raise ParameterError(
                f"asset {sym}: tiers[{i}]: every bracket but the last needs up_to, "
                "the last has none"
            )
        if isinstance(tier.ratio, bool) or not 0 <= tier.ratio <= 100:
            raise ParameterError(f"asset {sym}: tiers[{i}].ratio must be an integer 0..100")
        percents.append(tier.ratio)
        if tier.up_to is not None:
            try:
                bound = parse_amount(tier.up_to, quote_decimals, limit=1 << 180)
            except ValueError as exc:
                raise ParameterError(f"asset {sym}: tiers[{i}].up_to: {exc}") from None
            bound *= 10**scale
            if bound <= (bounds[-1] if bounds else 0):
                raise ParameterError(
                    f"asset {sym}: tiers[{i}].up_to must be above 0 and above the previous one"
                )
            bounds.append(bound)
    return BracketTable(tuple(bounds), tuple(percents))


def asset_order(symbols: Iterable[str]) -> list[str]:
    """The margin asset order (docs/spec/margin.md 16.4): ascending byte order of the
    symbols' UTF-8 (ASCII) encodings. It is a property of the symbols alone, never of where
    they stand in a file (canonical JSON sorts keys; an assets file lists them in any order;
    a JSON parser may reorder object keys), so prover and every verifier agree."""
    return sorted(symbols, key=lambda s: s.encode())


def collateral_hundredths(terms: MarginTerms, equity: Mapping[str, int]) -> int:
    """sum_a S_a(price_a equity_a) over the priced assets of ``equity`` (asset -> units)."""
    return sum(
        reference_hundredths(terms.tables[a], terms.unit_value(a, u))
        for a, u in equity.items()
        if a in terms.prices
    )


def debt_hundredths(terms: MarginTerms, debt: Mapping[str, int]) -> int:
    """100 * sum_a price_a debt_a (every debt asset must be priced)."""
    return 100 * sum(terms.unit_value(a, u) for a, u in debt.items())


def format_margin_value(terms: MarginTerms, hundredths: int) -> str:
    """A value in hundredths of margin units as a quote amount, exact to the margin unit
    (rounded down below it; a debt value is always exact), with at least the quote's own
    decimals (``1500.50 USD``, never ``1500.5``) and more only where they are not zero."""
    text = format_units(hundredths // 100, terms.quote_decimals + terms.scale)
    if terms.quote_decimals == 0:
        return text.removesuffix(".0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(terms.quote_decimals, '0')}"


def _reduced(
    terms: MarginTerms, equity_assets: Sequence[str], debt_assets: Sequence[str]
) -> tuple[list[AssetTerms], list[int]]:
    """The circuit parameters with every price and bound divided by their gcd."""
    numbers = [terms.prices[a] for a in (*equity_assets, *debt_assets)]
    for a in equity_assets:
        numbers += terms.tables[a].bounds
    g = 0
    for x in numbers:
        g = math.gcd(g, x)
    g = g or 1
    equity = [
        AssetTerms(
            terms.prices[a] // g,
            BracketTable(tuple(b // g for b in terms.tables[a].bounds), terms.tables[a].percents),
        )
        for a in equity_assets
    ]
    return equity, [terms.prices[a] // g for a in debt_assets]


def account_build(
    terms: MarginTerms, equity_assets: Sequence[str], debt_assets: Sequence[str]
) -> Callable[[ConstraintSystem], None]:
    """The constraint builder of a margin account holding equity in ``equity_assets`` and
    debt in ``debt_assets`` (inputs: the equity commitments, then the debt commitments)."""
    equity, debt_prices = _reduced(terms, equity_assets, debt_assets)

    def build(cs: ConstraintSystem) -> None:
        account_collateral(cs, equity, debt_prices)

    return build


def account_circuit(
    terms: MarginTerms, equity_assets: Sequence[str], debt_assets: Sequence[str]
) -> Circuit:
    """The circuit of :func:`account_build`, built as the verifier builds it."""
    cs = ConstraintSystem(inputs=len(equity_assets) + len(debt_assets), name="collateral")
    account_build(terms, equity_assets, debt_assets)(cs)
    return cs.circuit()
