"""The basic gadgets: booleans, bits and ranges, equality and is-zero, comparisons,
select, min and max.

Every gadget is one function of a :class:`~zkpor.crypto.r1cs.ConstraintSystem` that builds the same
constraints for prover and verifier (the prover's ``cs.value`` gives the hints; on the
verifier side they are None). Counts are stated as (gates, constraints); n is the group
order (about 2^256), so "no wrap" conditions below are far from binding for the sizes used.

Preconditions are stated per gadget: "x < 2^k" means the caller knows it already (a range
proof of the trees, or an earlier range gadget); a gadget never relies on anything else.

Spec: docs/spec/arithmetic-circuits.md (15.7-15.10).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from zkpor.crypto.group import N
from zkpor.crypto.r1cs import ConstraintSystem, LinearCombination, Variable
from zkpor.crypto.r1cs.lc import LCLike, as_lc
from zkpor.errors import ParameterError

__all__ = [
    "MAX_RANGE_BITS",
    "assert_equal",
    "bind",
    "boolean",
    "is_equal",
    "is_zero",
    "less_or_equal",
    "less_than",
    "less_than_flag",
    "maximum",
    "minimum",
    "range_check",
    "select",
    "to_bits",
]

MAX_RANGE_BITS: Final[int] = 240
"""Largest bit width a range gadget accepts: 2^(k+1) stays far below n, so a difference of
two k-bit values never wraps into [0, 2^k)."""


def _check_bits(bits: int) -> None:
    if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= MAX_RANGE_BITS:
        raise ParameterError(f"bit width {bits!r} must be an integer in [1, {MAX_RANGE_BITS}]")


def boolean(cs: ConstraintSystem, value: int | None) -> Variable:
    """A new variable b with b in {0, 1}: the gate (a_L, a_R) = (b, 1 - b) with
    a_L + a_R - 1 = 0 and a_O = 0, so b (1 - b) = 0. (1 gate, 2 constraints.)"""
    if value is not None and value not in (0, 1):
        raise ParameterError("boolean value must be 0 or 1")
    left, right, out = cs.allocate_multiplier(None if value is None else (value, 1 - value))
    cs.constrain(left + right - 1)
    cs.constrain(out)
    return left


def to_bits(cs: ConstraintSystem, x: LCLike, bits: int) -> list[Variable]:
    """The little-endian bits b_0..b_(k-1) of x, k = ``bits``: k booleans and
    sum_i 2^i b_i - x = 0. Proves 0 <= x < 2^k (as an integer representative of x mod n).
    (k gates, 2k + 1 constraints.)"""
    _check_bits(bits)
    v = cs.value(x)
    # A value that does not fit keeps its low bits: the sum constraint then fails, which the
    # prover's satisfiability check reports (and a cheating prover's proof cannot pass).
    out = [boolean(cs, None if v is None else (v >> i) & 1) for i in range(bits)]
    cs.constrain(LinearCombination.weighted((1 << i, b) for i, b in enumerate(out)) - as_lc(x))
    return out


def range_check(cs: ConstraintSystem, x: LCLike, bits: int) -> None:
    """0 <= x < 2^k (:func:`to_bits`). (k gates, 2k + 1 constraints.)"""
    to_bits(cs, x, bits)


def bind(cs: ConstraintSystem, x: LCLike) -> Variable:
    """A wire equal to x (half a gate, 1 constraint). Used to give a committed input that
    otherwise appears only inside a sum of inputs its own constraint, so the weights W_V on
    the inputs keep full column rank."""
    wire = cs.allocate(cs.value(x))
    cs.constrain(wire - as_lc(x))
    return wire


def assert_equal(cs: ConstraintSystem, a: LCLike, b: LCLike) -> None:
    """a - b = 0. (0 gates, 1 constraint.)"""
    cs.constrain(as_lc(a) - as_lc(b))


def is_zero(cs: ConstraintSystem, x: LCLike) -> LinearCombination:
    """The flag f = 1 if x = 0, else 0. Gate 1: x * inv = o_1 with f := 1 - o_1; gate 2:
    x * f = 0. If x != 0 gate 2 forces f = 0; if x = 0 then o_1 = 0 and f = 1: f is
    determined whatever the prover chose for inv. (2 gates, 4 constraints.)"""
    v = cs.value(x)
    inv = None if v is None else (pow(v, -1, N) if v else 0)
    left, _, out = cs.allocate_multiplier(None if v is None or inv is None else (v, inv))
    cs.constrain(left - as_lc(x))
    flag = 1 - as_lc(out)
    _, _, out2 = cs.multiply(x, flag)
    cs.constrain(out2)
    return flag


def is_equal(cs: ConstraintSystem, a: LCLike, b: LCLike) -> LinearCombination:
    """The flag [a = b] = is_zero(a - b). (2 gates, 4 constraints.)"""
    return is_zero(cs, as_lc(a) - as_lc(b))


def less_or_equal(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: int) -> None:
    """a <= b, for a, b < 2^k (precondition): b - a in [0, 2^k). The integer b - a lies in
    (-2^k, 2^k) and a negative one is n - |b - a| mod n, far above 2^k. (k gates, 2k + 1
    constraints.)"""
    range_check(cs, as_lc(b) - as_lc(a), bits)


def less_than(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: int) -> None:
    """a < b, for a, b < 2^k (precondition): b - a - 1 in [0, 2^k). (k gates, 2k + 1
    constraints.)"""
    range_check(cs, as_lc(b) - as_lc(a) - 1, bits)


def less_than_flag(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: int) -> Variable:
    """The flag [a < b], for a, b < 2^k (precondition): d = 2^k + b - a - 1 lies in
    [0, 2^(k+1)) and its bit k is 1 exactly when b - a - 1 >= 0. (k + 1 gates, 2k + 3
    constraints.)"""
    d = (1 << bits) + as_lc(b) - as_lc(a) - 1
    return to_bits(cs, d, bits + 1)[bits]


def select(cs: ConstraintSystem, flag: LCLike, a: LCLike, b: LCLike) -> LinearCombination:
    """``a if flag else b`` = b + flag (a - b), for a boolean flag (precondition: the flag
    comes from a gadget that forces it to {0, 1}). (1 gate, 2 constraints.)"""
    _, _, out = cs.multiply(flag, as_lc(a) - as_lc(b))
    return as_lc(b) + out


def minimum(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: int) -> LinearCombination:
    """min(a, b) for a, b < 2^k: select([a < b], a, b). (k + 2 gates, 2k + 5 constraints.)"""
    return select(cs, less_than_flag(cs, a, b, bits), a, b)


def maximum(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: int) -> LinearCombination:
    """max(a, b) for a, b < 2^k: select([a < b], b, a). (k + 2 gates, 2k + 5 constraints.)"""
    return select(cs, less_than_flag(cs, a, b, bits), b, a)


def weighted_sum(pairs: Sequence[tuple[int, LCLike]]) -> LinearCombination:
    """sum_k w_k x_k as a linear combination. (0 gates.)"""
    return LinearCombination.weighted(pairs)
