"""Variables and linear combinations: the values a circuit speaks about.

A :class:`Variable` names one wire of the circuit:

- ``ONE``: the constant 1 (so a linear combination can carry a constant term);
- ``Variable.committed(j)``: the value v_j of the j-th committed input V_j = v_j G + gamma_j H;
- ``Variable.left(i)``, ``right(i)``, ``output(i)``: the wires a_L[i], a_R[i], a_O[i] of
  multiplication gate i, with a_L[i] * a_R[i] = a_O[i].

A :class:`LinearCombination` is a finite sum ``sum_k c_k * var_k`` with coefficients mod n
(the secp256k1 group order). ``+``, ``-``, unary ``-`` and multiplication by an integer are
overloaded on both classes, and integers stand for multiples of ``ONE``, so a gadget reads
like its algebra: ``cs.constrain(x - 2 * y + 7)``. Terms with coefficient 0 mod n vanish.

Spec: docs/spec/arithmetic-circuits.md (section 15).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final, NamedTuple, Union

from zkpor.crypto.group import N

__all__ = [
    "COMMITTED",
    "LEFT",
    "LinearCombination",
    "ONE",
    "ONE_KIND",
    "OUTPUT",
    "RIGHT",
    "Variable",
    "as_lc",
]

ONE_KIND: Final[int] = 0
COMMITTED: Final[int] = 1
LEFT: Final[int] = 2
RIGHT: Final[int] = 3
OUTPUT: Final[int] = 4
KIND_NAMES: Final[dict[int, str]] = {
    ONE_KIND: "one",
    COMMITTED: "v",
    LEFT: "a_L",
    RIGHT: "a_R",
    OUTPUT: "a_O",
}


class Variable(NamedTuple):
    """One wire: ``kind`` (ONE_KIND, COMMITTED, LEFT, RIGHT, OUTPUT) and its index ``idx``."""

    kind: int
    idx: int

    @staticmethod
    def committed(j: int) -> Variable:
        return Variable(COMMITTED, j)

    @staticmethod
    def left(i: int) -> Variable:
        return Variable(LEFT, i)

    @staticmethod
    def right(i: int) -> Variable:
        return Variable(RIGHT, i)

    @staticmethod
    def output(i: int) -> Variable:
        return Variable(OUTPUT, i)

    def name(self) -> str:
        """``one``, ``v[j]``, ``a_L[i]``, ``a_R[i]`` or ``a_O[i]``."""
        if self.kind == ONE_KIND:
            return "one"
        return f"{KIND_NAMES[self.kind]}[{self.idx}]"

    # NamedTuple defines + and * as tuple operations: redefine them as algebra.
    def __add__(self, other: object) -> LinearCombination:  # type: ignore[override]
        return as_lc(self) + as_lc(other)

    def __radd__(self, other: object) -> LinearCombination:
        return as_lc(other) + as_lc(self)

    def __sub__(self, other: object) -> LinearCombination:
        return as_lc(self) - as_lc(other)

    def __rsub__(self, other: object) -> LinearCombination:
        return as_lc(other) - as_lc(self)

    def __neg__(self) -> LinearCombination:
        return -as_lc(self)

    def __mul__(self, k: object) -> LinearCombination:  # type: ignore[override]
        return as_lc(self) * k

    def __rmul__(self, k: object) -> LinearCombination:  # type: ignore[override]
        return as_lc(self) * k


ONE: Final[Variable] = Variable(ONE_KIND, 0)

LCLike = Union["LinearCombination", Variable, int]


def as_lc(x: object) -> LinearCombination:
    """``x`` as a linear combination: an LC itself, a Variable (coefficient 1), or an int
    (a multiple of ONE). Anything else (bool included) raises TypeError."""
    if isinstance(x, LinearCombination):
        return x
    if isinstance(x, Variable):
        return LinearCombination({x: 1})
    if isinstance(x, int) and not isinstance(x, bool):
        c = x % N
        return LinearCombination({ONE: c} if c else {})
    raise TypeError(f"not a linear combination: {type(x).__name__}")


class LinearCombination:
    """``sum_k c_k * var_k`` with coefficients in [1, n) (see module doc). Immutable."""

    __slots__ = ("terms",)

    def __init__(self, terms: dict[Variable, int] | None = None) -> None:
        self.terms: dict[Variable, int] = terms or {}

    @classmethod
    def sum(cls, items: Iterable[LCLike]) -> LinearCombination:
        """The sum of ``items`` (0 for none), in one pass."""
        out: dict[Variable, int] = {}
        for item in items:
            for v, c in as_lc(item).terms.items():
                out[v] = (out.get(v, 0) + c) % N
        return cls({v: c for v, c in out.items() if c})

    @classmethod
    def weighted(cls, pairs: Iterable[tuple[int, LCLike]]) -> LinearCombination:
        """``sum_k w_k * x_k`` for (w_k, x_k) pairs, in one pass."""
        out: dict[Variable, int] = {}
        for w, item in pairs:
            for v, c in as_lc(item).terms.items():
                out[v] = (out.get(v, 0) + w * c) % N
        return cls({v: c for v, c in out.items() if c})

    def __iter__(self) -> Iterator[tuple[Variable, int]]:
        return iter(self.terms.items())

    def __len__(self) -> int:
        return len(self.terms)

    def __add__(self, other: object) -> LinearCombination:
        o = as_lc(other)
        out = dict(self.terms)
        for v, c in o.terms.items():
            s = (out.get(v, 0) + c) % N
            if s:
                out[v] = s
            else:
                out.pop(v, None)
        return LinearCombination(out)

    def __radd__(self, other: object) -> LinearCombination:
        return as_lc(other) + self

    def __neg__(self) -> LinearCombination:
        return LinearCombination({v: N - c for v, c in self.terms.items()})

    def __sub__(self, other: object) -> LinearCombination:
        return self + (-as_lc(other))

    def __rsub__(self, other: object) -> LinearCombination:
        return as_lc(other) + (-self)

    def __mul__(self, k: object) -> LinearCombination:
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(
                "a linear combination can only be multiplied by an integer; "
                "use cs.multiply for a product of two linear combinations"
            )
        k %= N
        if k == 0:
            return LinearCombination()
        return LinearCombination({v: c * k % N for v, c in self.terms.items()})

    def __rmul__(self, k: object) -> LinearCombination:
        return self.__mul__(k)

    def constant(self) -> int:
        """The coefficient of ONE."""
        return self.terms.get(ONE, 0)

    def __repr__(self) -> str:
        if not self.terms:
            return "LC(0)"
        parts = [f"{c}*{v.name()}" for v, c in sorted(self.terms.items())]
        return "LC(" + " + ".join(parts) + ")"
