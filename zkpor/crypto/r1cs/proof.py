"""The R1CS proof object and its byte layout.

For a circuit with n gates, padded to n' = 2^k (k inner-product rounds)::

    A_I || A_O || S || T1 || T3 || T4 || T5 || T6 || t_x || t_x_blinding || e_blinding
        || L_1 || R_1 || ... || L_k || R_k || a || b

points as 33-byte SEC1 compressed encodings, scalars as 32 bytes big-endian, so

    size(k) = 33 * (8 + 2k) + 32 * 5 = 424 + 66k bytes

(820 bytes for a 64-gate circuit, 1018 for 512 gates). ``from_bytes`` rejects, with
EncodingError: a length that is not 424 + 66k for some 0 <= k <= 32 (or, given ``gates``,
not the size for that circuit), any scalar >= n, any point that is not canonical or is the
identity. The verifier fixes k from the circuit it rebuilt, never from the proof.

Spec: docs/spec/arithmetic-circuits.md (section 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zkpor.crypto.group import POINT_BYTES, Point, scalar_to_bytes
from zkpor.crypto.rangeproof.fields import FieldReader
from zkpor.errors import EncodingError

__all__ = ["R1CSProof", "proof_size", "rounds_for"]

_SCALAR_BYTES: Final[int] = 32
_FIXED: Final[int] = 8 * POINT_BYTES + 5 * _SCALAR_BYTES  # 424
_PER_ROUND: Final[int] = 2 * POINT_BYTES  # 66
MAX_ROUNDS: Final[int] = 32
POINT_FIELDS: Final[tuple[str, ...]] = ("A_I", "A_O", "S", "T1", "T3", "T4", "T5", "T6")
SCALAR_FIELDS: Final[tuple[str, ...]] = ("t_x", "t_x_blinding", "e_blinding")


def rounds_for(gates: int) -> int:
    """k = log2(n') for n gates padded to the next power of two n' (n' >= 1)."""
    return (max(gates, 1) - 1).bit_length()


def proof_size(rounds: int) -> int:
    """Serialized size in bytes of a proof with ``rounds`` inner-product rounds."""
    return _FIXED + _PER_ROUND * rounds


@dataclass(frozen=True, slots=True)
class R1CSProof:
    """A Bulletproofs arithmetic-circuit proof (Buenz et al. 2018, section 5).

    Fields: ``A_I`` (commitment to a_L, a_R), ``A_O`` (to a_O), ``S`` (to the blinding
    vectors s_L, s_R), ``T1``, ``T3``..``T6`` (to the coefficients t_i of t(X); t_2 is
    implied by the statement), ``t_x`` (t(x)), ``t_x_blinding`` (tau_x), ``e_blinding``
    (mu), ``L``, ``R`` (one pair per inner-product round), ``a``, ``b`` (final scalars).
    """

    A_I: Point
    A_O: Point
    S: Point
    T1: Point
    T3: Point
    T4: Point
    T5: Point
    T6: Point
    t_x: int
    t_x_blinding: int
    e_blinding: int
    L: tuple[Point, ...]
    R: tuple[Point, ...]
    a: int
    b: int

    @property
    def rounds(self) -> int:
        return len(self.L)

    def points(self) -> tuple[Point, ...]:
        """A_I, A_O, S, T1, T3, T4, T5, T6 in layout order."""
        return (self.A_I, self.A_O, self.S, self.T1, self.T3, self.T4, self.T5, self.T6)

    def to_bytes(self) -> bytes:
        """The canonical encoding (see module doc)."""
        parts = [p.to_bytes() for p in self.points()]
        parts += [scalar_to_bytes(s) for s in (self.t_x, self.t_x_blinding, self.e_blinding)]
        for left, right in zip(self.L, self.R):
            parts += [left.to_bytes(), right.to_bytes()]
        parts += [scalar_to_bytes(self.a), scalar_to_bytes(self.b)]
        return b"".join(parts)

    @classmethod
    def from_bytes(
        cls, data: bytes, point_type: type[Point] = Point, *, gates: int | None = None
    ) -> R1CSProof:
        """Strictly parse a proof; raises EncodingError (see module doc)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise EncodingError(f"R1CS proof must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if gates is not None:
            want = proof_size(rounds_for(gates))
            if len(data) != want:
                raise EncodingError(
                    f"R1CS proof for {gates} gates must be {want} bytes, got {len(data)}"
                )
        extra = len(data) - _FIXED
        if extra < 0 or extra % _PER_ROUND or extra // _PER_ROUND > MAX_ROUNDS:
            raise EncodingError(
                f"R1CS proof length {len(data)} is not 424 + 66k bytes for 0 <= k <= 32"
            )
        rounds = extra // _PER_ROUND
        reader = FieldReader(data, point_type, "R1CS proof")
        point, scalar = reader.point, reader.scalar
        pts = [point(name) for name in POINT_FIELDS]
        scs = [scalar(name) for name in SCALAR_FIELDS]
        ls, rs = reader.rounds(rounds)
        a, b = scalar("a"), scalar("b")
        return cls(
            A_I=pts[0],
            A_O=pts[1],
            S=pts[2],
            T1=pts[3],
            T3=pts[4],
            T4=pts[5],
            T5=pts[6],
            T6=pts[7],
            t_x=scs[0],
            t_x_blinding=scs[1],
            e_blinding=scs[2],
            L=ls,
            R=rs,
            a=a,
            b=b,
        )
