"""The range proof object and its byte layout.

A proof for m values of n bits (k = log2(n*m) inner-product rounds) is::

    A || S || T1 || T2 || t_x || t_x_blinding || e_blinding
      || L_1 || R_1 || ... || L_k || R_k || a || b

points as 33-byte SEC1 compressed encodings, scalars as 32 bytes big-endian, so

    size(k) = 33 * (4 + 2k) + 32 * 5 = 292 + 66k bytes

(688 bytes for one 64-bit value, 952 for m = 16, 1084 for m = 64). ``from_bytes`` rejects,
with EncodingError: a length that is not 292 + 66k for some 0 <= k <= 32, any scalar >= n,
any point that is not canonical or is the identity (A, S, T1, T2, L_i, R_i are never the
identity in an honest proof). It trusts nothing else: the verifier fixes n and m itself and
rejects a proof whose k does not match them.

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from zkpor.crypto.group import POINT_BYTES, Point, scalar_to_bytes
from zkpor.crypto.rangeproof.fields import FieldReader
from zkpor.errors import EncodingError

__all__ = ["RangeProof", "proof_size"]

_SCALAR_BYTES: Final[int] = 32
_FIXED: Final[int] = 4 * POINT_BYTES + 5 * _SCALAR_BYTES  # 292
_PER_ROUND: Final[int] = 2 * POINT_BYTES  # 66
MAX_ROUNDS: Final[int] = 32


def proof_size(rounds: int) -> int:
    """Serialized size in bytes of a proof with ``rounds`` = log2(n*m) IPA rounds."""
    return _FIXED + _PER_ROUND * rounds


@dataclass(frozen=True, slots=True)
class RangeProof:
    """An aggregated Bulletproofs range proof (Buenz et al. 2018, section 4.3).

    Fields, with the paper's symbols: ``A`` (commitment to the bit vectors a_L, a_R), ``S``
    (commitment to the blinding vectors s_L, s_R), ``T1``, ``T2`` (commitments to the
    coefficients t_1, t_2 of t(X)), ``t_x`` (t-hat = t(x)), ``t_x_blinding`` (tau_x),
    ``e_blinding`` (mu), ``L``, ``R`` (one pair per inner-product round) and ``a``, ``b``
    (the final inner-product scalars).
    """

    A: Point
    S: Point
    T1: Point
    T2: Point
    t_x: int
    t_x_blinding: int
    e_blinding: int
    L: tuple[Point, ...]
    R: tuple[Point, ...]
    a: int
    b: int

    @property
    def rounds(self) -> int:
        """k = log2(n*m), the number of inner-product rounds."""
        return len(self.L)

    def to_bytes(self) -> bytes:
        """The canonical encoding (see module doc)."""
        parts = [self.A.to_bytes(), self.S.to_bytes(), self.T1.to_bytes(), self.T2.to_bytes()]
        parts += [scalar_to_bytes(s) for s in (self.t_x, self.t_x_blinding, self.e_blinding)]
        for left, right in zip(self.L, self.R):
            parts += [left.to_bytes(), right.to_bytes()]
        parts += [scalar_to_bytes(self.a), scalar_to_bytes(self.b)]
        return b"".join(parts)

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        point_type: type[Point] = Point,
        *,
        bits: int | None = None,
        m: int | None = None,
    ) -> RangeProof:
        """Strictly parse a proof; raises EncodingError (see module doc).

        With ``bits`` and ``m`` given, the length must be exactly the size of a proof for
        those parameters (otherwise any valid size is accepted and ``verify`` checks it).
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise EncodingError(f"range proof must be bytes, got {type(data).__name__}")
        data = bytes(data)
        if bits is not None and m is not None:
            want = proof_size(max(bits * m, 1).bit_length() - 1)
            if len(data) != want:
                raise EncodingError(
                    f"range proof for n={bits}, m={m} must be {want} bytes, got {len(data)}"
                )
        extra = len(data) - _FIXED
        if extra < 0 or extra % _PER_ROUND or extra // _PER_ROUND > MAX_ROUNDS:
            raise EncodingError(
                f"range proof length {len(data)} is not 292 + 66k bytes for 0 <= k <= 32"
            )
        rounds = extra // _PER_ROUND
        reader = FieldReader(data, point_type, "range proof")
        point, scalar = reader.point, reader.scalar
        a_pt, s_pt, t1, t2 = point("A"), point("S"), point("T1"), point("T2")
        t_x, t_x_blinding, e_blinding = scalar("t_x"), scalar("t_x_blinding"), scalar("e_blinding")
        ls, rs = reader.rounds(rounds)
        a, b = scalar("a"), scalar("b")
        return cls(a_pt, s_pt, t1, t2, t_x, t_x_blinding, e_blinding, ls, rs, a, b)
