"""The constraint system a gadget is written against, and the circuit it produces.

A circuit has n multiplication gates ``a_L[i] * a_R[i] = a_O[i]``, m committed inputs
v_0..v_(m-1) and q linear constraints, constraint k being

    sum_i WL[k,i] a_L[i] + sum_i WR[k,i] a_R[i] + sum_i WO[k,i] a_O[i]
      + sum_j WV[k,j] v_j + c_k = 0        (mod n, the group order)

:class:`ConstraintSystem` is the one interface gadgets use, on both sides: the prover builds
it with the input values (``ConstraintSystem(values=[...])``) and every allocation computes
its wire values; the verifier builds it with the input count only
(``ConstraintSystem(inputs=m)``) and ``value()`` returns None. The constraints a gadget adds
never depend on the values (a gadget may only branch on public parameters), so prover and
verifier rebuild one :class:`Circuit` from one definition, which the transcript binds
through :meth:`Circuit.digest`.

The circuit digest (docs/spec/arithmetic-circuits.md, "Arithmetic circuits (R1CS)")::

    SHA-256( f("zkpor-r1cs-circuit-v1") || u64be(n) || u64be(m) || u64be(q)
             || for each constraint k in order: u32be(t_k)
                || for each term, sorted by (kind, index): u8(kind) || u32be(index)
                   || scalar32(coefficient) )

with f(x) = u32be(len(x)) || x, kinds 0 = the constant (index 0), 1 = v, 2 = a_L, 3 = a_R,
4 = a_O, coefficients in [1, n) (zero terms dropped, equal variables merged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from zkpor.crypto.group import N
from zkpor.crypto.r1cs.lc import (
    COMMITTED,
    LEFT,
    ONE_KIND,
    OUTPUT,
    RIGHT,
    LCLike,
    LinearCombination,
    Variable,
    as_lc,
)
from zkpor.errors import ParameterError

__all__ = ["Circuit", "ConstraintSystem", "Term", "Witness"]

DIGEST_LABEL: Final[bytes] = b"zkpor-r1cs-circuit-v1"
MAX_GATES: Final[int] = 2**20
MAX_INPUTS: Final[int] = 2**16

Term = tuple[int, int, int]
"""(kind, index, coefficient) of one term of a constraint."""


def _canonical(lc: LinearCombination) -> tuple[Term, ...]:
    return tuple(sorted((v.kind, v.idx, c) for v, c in lc.terms.items() if c % N))


@dataclass(frozen=True)
class Circuit:
    """A compiled statement: sizes and the sparse constraints (see module doc).

    ``constraints[k]`` is the sorted tuple of (kind, index, coefficient) terms of
    constraint k; the constant c_k is the term of kind 0. ``name`` is for display only and
    not part of the digest.
    """

    gates: int
    inputs: int
    constraints: tuple[tuple[Term, ...], ...]
    name: str = ""
    _digest: list[bytes] = field(default_factory=list, compare=False, repr=False)

    @property
    def padded_gates(self) -> int:
        """n rounded up to a power of two (at least 1): the inner-product length."""
        n = max(self.gates, 1)
        return 1 << (n - 1).bit_length()

    def digest(self) -> bytes:
        """The 32-byte circuit digest (see module doc). Cached."""
        if not self._digest:
            h = hashlib.sha256()
            h.update(len(DIGEST_LABEL).to_bytes(4, "big") + DIGEST_LABEL)
            h.update(self.gates.to_bytes(8, "big"))
            h.update(self.inputs.to_bytes(8, "big"))
            h.update(len(self.constraints).to_bytes(8, "big"))
            for terms in self.constraints:
                h.update(len(terms).to_bytes(4, "big"))
                h.update(
                    b"".join(
                        bytes((kind,)) + index.to_bytes(4, "big") + coeff.to_bytes(32, "big")
                        for kind, index, coeff in terms
                    )
                )
            self._digest.append(h.digest())
        return self._digest[0]

    def term_count(self) -> int:
        """Total number of non-zero terms over all constraints."""
        return sum(len(t) for t in self.constraints)

    def check_shape(self) -> None:
        """Raise ParameterError unless every term names an existing wire with a coefficient
        in [1, n) and terms are sorted without repeats (what the digest assumes)."""
        if not 0 <= self.gates <= MAX_GATES or not 0 <= self.inputs <= MAX_INPUTS:
            raise ParameterError(f"circuit sizes out of range: n={self.gates}, m={self.inputs}")
        limits = {ONE_KIND: 1, COMMITTED: self.inputs, LEFT: self.gates}
        limits[RIGHT] = limits[OUTPUT] = self.gates
        for k, terms in enumerate(self.constraints):
            prev: tuple[int, int] | None = None
            for kind, index, coeff in terms:
                if kind not in limits or not 0 <= index < limits[kind]:
                    raise ParameterError(f"constraint {k}: no wire ({kind}, {index})")
                if not 0 < coeff < N:
                    raise ParameterError(f"constraint {k}: coefficient not in [1, n)")
                if prev is not None and (kind, index) <= prev:
                    raise ParameterError(f"constraint {k}: terms not sorted or repeated")
                prev = (kind, index)


@dataclass
class Witness:
    """The prover's assignment: a_L, a_R, a_O (length n) and v (length m), mod n.

    Secret: never log or print it."""

    a_l: list[int]
    a_r: list[int]
    a_o: list[int]
    v: list[int]

    def __repr__(self) -> str:
        return f"Witness(<secret: {len(self.a_l)} gates, {len(self.v)} inputs>)"


class ConstraintSystem:
    """Builds a :class:`Circuit` (and, on the prover side, its :class:`Witness`).

    ``ConstraintSystem(values=[v_0, ...])`` for the prover, ``ConstraintSystem(inputs=m)``
    for the verifier. ``self.inputs`` are the committed-input variables v_0..v_(m-1).
    """

    def __init__(
        self, *, values: Sequence[int] | None = None, inputs: int | None = None, name: str = ""
    ) -> None:
        if (values is None) == (inputs is None):
            raise ParameterError("give exactly one of values= (prover) or inputs= (verifier)")
        if values is not None:
            for j, v in enumerate(values):
                if not isinstance(v, int) or isinstance(v, bool):
                    raise ParameterError(f"input {j} is not an integer")
            m = len(values)
        else:
            assert inputs is not None
            m = inputs
        if not 0 <= m <= MAX_INPUTS:
            raise ParameterError(f"input count {m} out of range")
        self.name = name
        self.is_prover = values is not None
        self._v = [x % N for x in values] if values is not None else []
        self.inputs: list[Variable] = [Variable.committed(j) for j in range(m)]
        self._a_l: list[int] = []
        self._a_r: list[int] = []
        self._a_o: list[int] = []
        self._gates = 0
        self._pending: int | None = None  # a gate whose right wire ``allocate`` may still use
        self._constraints: list[tuple[Term, ...]] = []

    # --- values (prover only) -----------------------------------------------------------

    def _wire(self, v: Variable) -> int:
        if v.kind == ONE_KIND:
            return 1
        if v.kind == COMMITTED:
            return self._v[v.idx]
        if v.kind == LEFT:
            return self._a_l[v.idx]
        if v.kind == RIGHT:
            return self._a_r[v.idx]
        return self._a_o[v.idx]

    def value(self, x: LCLike) -> int | None:
        """The value of ``x`` in [0, n) on the prover side; None on the verifier side."""
        if not self.is_prover:
            return None
        return sum(c * self._wire(v) for v, c in as_lc(x).terms.items()) % N

    # --- allocation ---------------------------------------------------------------------

    def allocate_multiplier(
        self, values: tuple[int, int] | None
    ) -> tuple[Variable, Variable, Variable]:
        """A new gate with free wires a_L = l, a_R = r (prover: ``values`` = (l, r)) and
        a_O = l * r. Adds no linear constraint: the caller constrains the wires."""
        i = self._gates
        if i >= MAX_GATES:
            raise ParameterError(f"circuit exceeds {MAX_GATES} gates")
        self._gates += 1
        if self.is_prover:
            if values is None:
                raise ParameterError("the prover must assign every multiplier")
            left, right = values[0] % N, values[1] % N
            self._a_l.append(left)
            self._a_r.append(right)
            self._a_o.append(left * right % N)
        return Variable.left(i), Variable.right(i), Variable.output(i)

    def multiply(self, left: LCLike, right: LCLike) -> tuple[Variable, Variable, Variable]:
        """A gate computing ``left * right``: its wires (l, r, o) with l = left, r = right
        (two constraints) and o = l * r. 1 gate, 2 constraints."""
        lv = self.value(left)
        rv = self.value(right)
        lvar, rvar, ovar = self.allocate_multiplier(None if lv is None or rv is None else (lv, rv))
        self.constrain(lvar - as_lc(left))
        self.constrain(rvar - as_lc(right))
        return lvar, rvar, ovar

    def allocate(self, value: int | None) -> Variable:
        """A free variable (prover: its ``value``), using half a gate: two successive
        allocations share one gate's left and right wires. The shared gate's output is not
        meaningful and must not be used. No constraint."""
        if self._pending is not None:
            i = self._pending
            self._pending = None
            if self.is_prover:
                if value is None:
                    raise ParameterError("the prover must assign every variable")
                self._a_r[i] = value % N
                self._a_o[i] = self._a_l[i] * self._a_r[i] % N
            return Variable.right(i)
        lvar, _, _ = self.allocate_multiplier(None if value is None else (value, 0))
        self._pending = lvar.idx
        return lvar

    def constrain(self, lc: LCLike) -> None:
        """Add the linear constraint ``lc = 0``. A constraint with no term at all (0 = 0)
        is dropped; a non-zero constant alone is kept (and makes the circuit unsatisfiable)."""
        terms = _canonical(as_lc(lc))
        if terms:
            self._constraints.append(terms)

    # --- result -------------------------------------------------------------------------

    @property
    def gates(self) -> int:
        return self._gates

    @property
    def constraint_count(self) -> int:
        return len(self._constraints)

    def circuit(self) -> Circuit:
        """The circuit built so far."""
        return Circuit(self._gates, len(self.inputs), tuple(self._constraints), self.name)

    def witness(self) -> Witness:
        """The prover's assignment (ParameterError on the verifier side)."""
        if not self.is_prover:
            raise ParameterError("the verifier's constraint system has no witness")
        return Witness(list(self._a_l), list(self._a_r), list(self._a_o), list(self._v))
