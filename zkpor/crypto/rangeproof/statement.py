"""What prover and verifier share: parameters, the transcript statement, delta(y, z).

Transcript (docs/spec/range-proofs.md, "Range proofs"), protocol name ``zkpor-rangeproof-v1``:

    append_message("gens", generator_digest)     32 bytes
    append_message("context", context)           only when a context is given (non-empty)
    append_u64("n", n)                           bits per value
    append_u64("m", m)                           number of values
    append_point("V", V_j)                       j = 0..m-1, in order; identity refused
    append_point("A", A); append_point("S", S)
    y = challenge("y"); z = challenge("z")
    append_point("T1", T1); append_point("T2", T2)
    x = challenge("x")
    append_scalar("t_x", t_x); append_scalar("t_x_blinding", tau_x)
    append_scalar("e_blinding", mu)
    w = challenge("w")                           Q = w * G for the inner-product argument
    append_u64("ipa_n", n*m)
    per round i: append_point("L", L_i); append_point("R", R_i); u_i = challenge("u")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from zkpor.crypto.generators import generator_digest
from zkpor.crypto.group import N, Point
from zkpor.crypto.transcript import Transcript
from zkpor.errors import ParameterError

__all__ = [
    "MAX_AGGREGATION",
    "PROTOCOL",
    "SUPPORTED_BITS",
    "check_parameters",
    "delta",
    "powers",
    "start_transcript",
]

PROTOCOL: Final[bytes] = b"zkpor-rangeproof-v1"
SUPPORTED_BITS: Final[tuple[int, ...]] = (8, 16, 32, 64)
MAX_AGGREGATION: Final[int] = 256


def check_parameters(bits: int, m: int) -> int:
    """Validate n and m; return k = log2(n*m). Raises ParameterError."""
    if isinstance(bits, bool) or bits not in SUPPORTED_BITS:
        raise ParameterError(f"bit length {bits!r} not supported; use one of {SUPPORTED_BITS}")
    if not isinstance(m, int) or m < 1 or m & (m - 1) or m > MAX_AGGREGATION:
        raise ParameterError(
            f"number of values {m!r} must be a power of two between 1 and {MAX_AGGREGATION}"
        )
    return (bits * m).bit_length() - 1


def start_transcript(bits: int, commitments: Sequence[Point], context: bytes = b"") -> Transcript:
    """A transcript that has absorbed the whole statement (see module doc). ``context``
    binds the proof to the statement it belongs to (the solvency proofs bind the manifest's
    statement digest); tree node proofs have none, and then nothing is appended."""
    t = Transcript(PROTOCOL)
    t.append_message(b"gens", generator_digest())
    if context:
        t.append_message(b"context", context)
    t.append_u64(b"n", bits)
    t.append_u64(b"m", len(commitments))
    for v in commitments:
        t.append_point(b"V", v)
    return t


def powers(base: int, count: int) -> list[int]:
    """[1, base, base^2, ..., base^(count-1)] mod n."""
    out = [1] * count
    acc = 1
    for i in range(1, count):
        acc = acc * base % N
        out[i] = acc
    return out


def delta(bits: int, m: int, y: int, z: int) -> int:
    """delta(y, z) = (z - z^2) * <1, y^(nm)> - sum_{j=1..m} z^(j+2) * <1, 2^n>  (mod n)."""
    nm = bits * m
    sum_y = 0
    acc = 1
    for _ in range(nm):
        sum_y += acc
        acc = acc * y % N
    zz = z * z % N
    sum_z = 0
    zj = zz * z % N
    for _ in range(m):
        sum_z += zj
        zj = zj * z % N
    return ((z - zz) * sum_y - sum_z * ((1 << bits) - 1)) % N
