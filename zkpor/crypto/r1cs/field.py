"""The scalar field GF(n) through galois, for the prover side only.

n is the secp256k1 group order. ``galois.GF(n)`` would factor n - 1 to find a primitive
element, which takes minutes for a 256-bit prime; we pass the primitive element and
``verify=False``. 7 is the smallest primitive root mod n: with the complete factorisation

    n - 1 = 2^6 * 3 * 149 * 631 * 107361793816595537 * 174723607534414371449
            * 341948486974166000522343609283189

(computed once offline; :data:`N_MINUS_1_FACTORS`; tests/test_r1cs.py checks the product,
the primality of each factor and that 7^((n-1)/p) != 1 for every prime p), 7 generates
the multiplicative group.

What the prover uses it for (galois and numpy are imported on first use only, never by the
verifier or ``import zkpor``):

- :func:`check_witness`: every linear constraint holds and a_L o a_R = a_O, before proving;
- :func:`check_input_rank`: the weights W_V on the committed inputs have full column rank
  m (the paper's condition: otherwise some input is not determined by the constraints);
- :func:`to_matrices`: the circuit as its matrices (W_L, W_R, W_O, W_V, c) over GF(n).

Spec: docs/spec/arithmetic-circuits.md (section 15).
"""

from __future__ import annotations

import functools
from typing import Any, Final

from zkpor.crypto.group import N
from zkpor.crypto.r1cs.lc import COMMITTED, LEFT, ONE_KIND, OUTPUT, RIGHT
from zkpor.crypto.r1cs.system import Circuit, Witness
from zkpor.errors import ParameterError

__all__ = [
    "N_MINUS_1_FACTORS",
    "PRIMITIVE_ELEMENT",
    "check_input_rank",
    "check_witness",
    "field",
    "to_matrices",
]

PRIMITIVE_ELEMENT: Final[int] = 7
N_MINUS_1_FACTORS: Final[tuple[tuple[int, int], ...]] = (
    (2, 6),
    (3, 1),
    (149, 1),
    (631, 1),
    (107361793816595537, 1),
    (174723607534414371449, 1),
    (341948486974166000522343609283189, 1),
)


@functools.cache
def field() -> Any:
    """``galois.GF(n)`` (imported and built on first call)."""
    import galois

    return galois.GF(N, primitive_element=PRIMITIVE_ELEMENT, verify=False)


def _index(circuit: Circuit) -> tuple[Any, Any, Any]:
    """Flattened (row, column, coefficient) arrays over the wire vector
    [a_L | a_R | a_O | v | 1]."""
    import numpy as np

    n, m = circuit.gates, circuit.inputs
    offset = {LEFT: 0, RIGHT: n, OUTPUT: 2 * n, COMMITTED: 3 * n, ONE_KIND: 3 * n + m}
    rows: list[int] = []
    cols: list[int] = []
    coeffs: list[int] = []
    for k, terms in enumerate(circuit.constraints):
        for kind, index, coeff in terms:
            rows.append(k)
            cols.append(offset[kind] + index)
            coeffs.append(coeff)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), field()(coeffs)


def check_witness(circuit: Circuit, witness: Witness) -> None:
    """Raise ParameterError unless the witness satisfies every gate and constraint.

    The message names the first failing gate or constraint by index (never a value)."""
    import numpy as np

    gf = field()
    n, m = circuit.gates, circuit.inputs
    if not (len(witness.a_l) == len(witness.a_r) == len(witness.a_o) == n) or len(witness.v) != m:
        raise ParameterError("witness sizes do not match the circuit")
    a_l, a_r, a_o = gf(witness.a_l), gf(witness.a_r), gf(witness.a_o)
    bad = np.nonzero(a_l * a_r - a_o)[0]
    if bad.size:
        raise ParameterError(f"witness does not satisfy gate {int(bad[0])}: a_L * a_R != a_O")
    if not circuit.constraints:
        return
    wires = gf([*witness.a_l, *witness.a_r, *witness.a_o, *witness.v, 1])
    rows, cols, coeffs = _index(circuit)
    residual = gf.Zeros(len(circuit.constraints))
    np.add.at(residual, rows, coeffs * wires[cols])
    bad = np.nonzero(residual)[0]
    if bad.size:
        raise ParameterError(f"witness does not satisfy constraint {int(bad[0])}")


def check_input_rank(circuit: Circuit) -> None:
    """Raise ParameterError unless W_V (q x m) has rank m. Only the rows with a committed
    input term matter, so the rank is taken over those rows."""
    import numpy as np

    m = circuit.inputs
    if m == 0:
        return
    rows = [
        {index: coeff for kind, index, coeff in terms if kind == COMMITTED}
        for terms in circuit.constraints
    ]
    rows = [r for r in rows if r]
    if len(rows) < m:
        raise ParameterError(
            f"committed-input weights W_V have rank < {m}: only {len(rows)} constraints "
            "mention a committed input"
        )
    gf = field()
    wv = gf([[r.get(j, 0) for j in range(m)] for r in rows])
    rank = int(np.linalg.matrix_rank(wv))
    if rank != m:
        raise ParameterError(f"committed-input weights W_V have rank {rank}, need {m}")


def to_matrices(circuit: Circuit) -> dict[str, Any]:
    """The dense matrices over GF(n): ``W_L``, ``W_R``, ``W_O`` (q x n), ``W_V`` (q x m)
    and ``c`` (length q), so that W_L a_L + W_R a_R + W_O a_O + W_V v + c = 0."""
    gf = field()
    q, n, m = len(circuit.constraints), circuit.gates, circuit.inputs
    out = {
        "W_L": gf.Zeros((q, n)),
        "W_R": gf.Zeros((q, n)),
        "W_O": gf.Zeros((q, n)),
        "W_V": gf.Zeros((q, m)),
        "c": gf.Zeros(q),
    }
    name = {LEFT: "W_L", RIGHT: "W_R", OUTPUT: "W_O", COMMITTED: "W_V"}
    for k, terms in enumerate(circuit.constraints):
        for kind, index, coeff in terms:
            if kind == ONE_KIND:
                out["c"][k] = coeff
            else:
                out[name[kind]][k, index] = coeff
    return out
