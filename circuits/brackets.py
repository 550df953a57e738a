"""The marginal bracket (tiered haircut) function.

Public parameters: bracket bounds 0 = b_0 < b_1 < ... < b_(K-1) (quote units; bracket k,
k = 1..K, is [b_(k-1), b_k), the top bracket K is [b_(K-1), infinity)), integer percents
r_1..r_K in [0, 100], and a public price p >= 1 (quote units per base unit). For an input
x (base units) with X = p x, the haircut value in hundredths is

    S(X) = sum_k r_k * part_k(X),   part_k(X) = min(max(X - b_(k-1), 0), w_k),  w_k = b_k - b_(k-1)

(w_K infinite), an exact integer; the haircut value in quote units is floor(S / 100)
(rounding: floor once, at the end; the collateral statement never divides, it compares
100 * debt with S).

Gadget (:func:`haircut_hundredths`), precondition x < 2^B (B = ``x_bits``; for tree
leaves B = 64, already range-proven by the trees):

- one-hot e_1..e_K (K booleans, sum e_k = 1): the bracket holding X. The saturation flags
  are s_k = 1 - (e_1 + ... + e_k), so exactly brackets 1..k*-1 are full and there is no
  separate flag a prover could set out of order (the bypass zkmerkle-proof-of-solvency
  fixed: a saturation flag not forced to the last bracket);
- rem = X - sum_k e_k b_(k-1) (linear); g = e_K rem (1 gate); f = rem - g, which is rem in
  a finite bracket and 0 in the top one;
- 0 <= f < w_sel where w_sel = sum_(k<K) e_k w_k + e_K: f in [0, 2^W) and
  w_sel - 1 - f in [0, 2^W) with W = bit length of max_k (w_k - 1) (2W gates). The check is
  strict, f < w, not f <= w (the other bypass);
- top bracket: e_K (x - t) in [0, 2^B) with t = ceil(b_(K-1) / p), i.e. X >= b_(K-1)
  when e_K = 1 (1 + B gates);
- S = sum_(k<K) r_k w_k s_k + (sum_k e_k r_k) * rem (1 gate).

Together: X lies in exactly the bracket e selects, so S is S(X). Cost, K >= 2:
K + 2W + B + 3 gates and 2K + 4W + 2B + 10 constraints (K = 12, W = 45, B = 64: 169 gates,
342 constraints). No product wraps mod n while p 2^B * 100 < 2^200 (checked).

Spec: docs/spec/arithmetic-circuits.md (15.7-15.10).
"""

from __future__ import annotations

from dataclasses import dataclass

from zkpor.crypto.r1cs import ConstraintSystem, LinearCombination
from zkpor.crypto.r1cs.lc import LCLike, as_lc
from zkpor.errors import ParameterError

from .gadgets import boolean, range_check

__all__ = ["BracketTable", "haircut_hundredths", "haircut_value", "reference_hundredths"]


@dataclass(frozen=True)
class BracketTable:
    """Bounds b_1 < ... < b_(K-1) (quote units) and percents r_1..r_K (see module doc)."""

    bounds: tuple[int, ...]
    percents: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.percents) != len(self.bounds) + 1:
            raise ParameterError(
                f"{len(self.bounds)} bracket bounds need {len(self.bounds) + 1} percents, "
                f"got {len(self.percents)}"
            )
        prev = 0
        for i, b in enumerate(self.bounds):
            if isinstance(b, bool) or not isinstance(b, int) or b <= prev:
                raise ParameterError(f"bracket bound {i} must be an integer above {prev}")
            prev = b
        for i, r in enumerate(self.percents):
            if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r <= 100:
                raise ParameterError(f"bracket percent {i} must be an integer in [0, 100]")

    @property
    def brackets(self) -> int:
        return len(self.percents)

    def widths(self) -> list[int]:
        """w_1..w_(K-1) of the finite brackets."""
        lows = (0, *self.bounds)
        return [hi - lo for lo, hi in zip(lows, self.bounds)]

    def width_bits(self) -> int:
        """W: the bit length of the largest finite w_k - 1 (at least 1)."""
        return max(1, max((w - 1).bit_length() for w in self.widths()) if self.bounds else 1)


def reference_hundredths(table: BracketTable, value: int) -> int:
    """S(X) computed directly with integers (what the gadget must equal)."""
    lows = (0, *table.bounds)
    total = 0
    for k, r in enumerate(table.percents):
        lo = lows[k]
        hi = table.bounds[k] if k < len(table.bounds) else None
        part = max(value - lo, 0) if hi is None else min(max(value - lo, 0), hi - lo)
        total += r * part
    return total


def gate_count(table: BracketTable, x_bits: int) -> int:
    """K + 2W + B + 3 for K >= 2, 0 for a single bracket."""
    if table.brackets == 1:
        return 0
    return table.brackets + 2 * table.width_bits() + x_bits + 3


def haircut_hundredths(
    cs: ConstraintSystem, x: LCLike, *, price: int, x_bits: int, table: BracketTable
) -> LinearCombination:
    """S(p x) as a linear combination (see module doc); precondition x < 2^x_bits."""
    if isinstance(price, bool) or not isinstance(price, int) or price < 1:
        raise ParameterError("price must be a positive integer")
    if price * 100 << x_bits >= 1 << 200:
        raise ParameterError("price * 2^x_bits * 100 must stay below 2^200")
    x = as_lc(x)
    big_x = x * price
    k_count = table.brackets
    if k_count == 1:
        return big_x * table.percents[0]
    lows = (0, *table.bounds)
    widths = table.widths()
    xv = cs.value(x)
    active = None
    if xv is not None:
        value = xv * price
        active = sum(1 for b in table.bounds if value >= b)  # 0-based index of the bracket
    e = [boolean(cs, None if active is None else int(k == active)) for k in range(k_count)]
    cs.constrain(LinearCombination.sum(e) - 1)
    rem = big_x - LinearCombination.weighted((lo, ek) for lo, ek in zip(lows, e))
    top = e[-1]
    _, _, g = cs.multiply(top, rem)
    f = rem - g
    w_bits = table.width_bits()
    range_check(cs, f, w_bits)
    w_sel = LinearCombination.weighted(zip(widths, e[:-1])) + top
    range_check(cs, w_sel - 1 - f, w_bits)
    threshold = -(-table.bounds[-1] // price)
    _, _, top_slack = cs.multiply(top, x - threshold)
    range_check(cs, top_slack, x_bits)
    ratio = LinearCombination.weighted(zip(table.percents, e))
    _, _, marginal = cs.multiply(ratio, rem)
    full = []
    prefix = LinearCombination()
    for k in range(k_count - 1):
        prefix = prefix + e[k]
        full.append((table.percents[k] * widths[k], 1 - prefix))
    return LinearCombination.weighted(full) + marginal


def haircut_value(
    cs: ConstraintSystem,
    x: LCLike,
    h: LCLike,
    *,
    price: int,
    x_bits: int,
    table: BracketTable,
) -> None:
    """h = floor(S(p x) / 100): 0 <= S - 100 h < 100, i.e. S - 100 h and 99 - (S - 100 h)
    both in [0, 2^7). Precondition x < 2^x_bits. (gate_count + 14 gates.)"""
    s = haircut_hundredths(cs, x, price=price, x_bits=x_bits, table=table)
    d = s - as_lc(h) * 100
    range_check(cs, d, 7)
    range_check(cs, 99 - d, 7)
