"""What prover and verifier share: the transcript statement and the z-combined weights.

Transcript, protocol name ``zkpor-r1cs-v1`` (docs/spec/arithmetic-circuits.md, "Arithmetic circuits (R1CS)")::

    append_message("gens", generator_digest)        32 bytes
    append_message("circuit", circuit digest)       32 bytes (:meth:`Circuit.digest`)
    append_u64("n", gates); append_u64("m", inputs); append_u64("q", constraints)
    append_point("V", V_j)                          j = 0..m-1, in order; identity refused
    append_point("A_I", A_I); append_point("A_O", A_O); append_point("S", S)
    y = challenge("y"); z = challenge("z")
    append_point("T1", T1); append_point("T3", T3) ... append_point("T6", T6)
    x = challenge("x")
    append_scalar("t_x", t_x); append_scalar("t_x_blinding", tau_x)
    append_scalar("e_blinding", mu)
    w = challenge("w")                               Q = w * G
    append_u64("ipa_n", padded n)
    per round: append_point("L", L_i); append_point("R", R_i); u_i = challenge("u")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from zkpor.crypto.generators import generator_digest
from zkpor.crypto.group import N, Point
from zkpor.crypto.r1cs.lc import COMMITTED, LEFT, ONE_KIND, OUTPUT, RIGHT
from zkpor.crypto.r1cs.system import Circuit
from zkpor.crypto.transcript import Transcript

__all__ = ["PROTOCOL", "Weights", "combine", "start_transcript"]

PROTOCOL: Final[bytes] = b"zkpor-r1cs-v1"


def start_transcript(circuit: Circuit, commitments: Sequence[Point]) -> Transcript:
    """A transcript that has absorbed the whole statement (see module doc)."""
    t = Transcript(PROTOCOL)
    t.append_message(b"gens", generator_digest())
    t.append_message(b"circuit", circuit.digest())
    t.append_u64(b"n", circuit.gates)
    t.append_u64(b"m", circuit.inputs)
    t.append_u64(b"q", len(circuit.constraints))
    for v in commitments:
        t.append_point(b"V", v)
    return t


class Weights:
    """The constraints combined with powers of z: constraint k gets weight z^(k+1), so

        w_L = sum_k z^(k+1) WL[k],  w_R, w_O (length n),  w_V (length m),  w_c = sum_k z^(k+1) c_k

    and the q constraints hold (except with probability q/n over z) iff
    <w_L, a_L> + <w_R, a_R> + <w_O, a_O> + <w_V, v> + w_c = 0."""

    __slots__ = ("w_c", "w_l", "w_o", "w_r", "w_v")

    def __init__(self, w_l: list[int], w_r: list[int], w_o: list[int], w_v: list[int], w_c: int):
        self.w_l, self.w_r, self.w_o, self.w_v, self.w_c = w_l, w_r, w_o, w_v, w_c


def combine(circuit: Circuit, z: int, padded: int) -> Weights:
    """The z-combined weights, vectors of length ``padded`` (zero beyond n)."""
    vecs: dict[int, list[int]] = {
        LEFT: [0] * padded,
        RIGHT: [0] * padded,
        OUTPUT: [0] * padded,
        COMMITTED: [0] * circuit.inputs,
        ONE_KIND: [0],
    }
    zk = 1
    for terms in circuit.constraints:
        zk = zk * z % N
        for kind, index, coeff in terms:
            vec = vecs[kind]
            vec[index] = (vec[index] + zk * coeff) % N
    return Weights(vecs[LEFT], vecs[RIGHT], vecs[OUTPUT], vecs[COMMITTED], vecs[ONE_KIND][0])


def delta(weights: Weights, y_inv_pows: Sequence[int]) -> int:
    """delta(y, z) = <y^-n o w_R, w_L>."""
    return sum(a * b % N * c for a, b, c in zip(weights.w_r, weights.w_l, y_inv_pows)) % N
