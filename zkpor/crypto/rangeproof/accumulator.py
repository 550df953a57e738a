"""One batch multi-scalar multiplication, shared by the range-proof and circuit verifiers.

A verifier adds each proof's check, times a random weight, as scalars on the fixed
generators (G, H, G_i, H_i: merged per generator) and on the proof's own points; the batch
holds iff the single msm of everything is the identity.

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from zkpor.crypto.generators import generators
from zkpor.crypto.group import Point, get_backend
from zkpor.errors import VerificationError

__all__ = ["Accumulator", "Commitments", "decode_commitments"]

Commitments = Sequence[Point] | Sequence[bytes]


@dataclass
class Accumulator:
    """The merged terms of one batch multi-scalar multiplication."""

    point_type: type[Point]
    g: int = 0
    h: int = 0
    g_vec: list[int] = field(default_factory=list)
    h_vec: list[int] = field(default_factory=list)
    scalars: list[int] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)

    def grow(self, size: int) -> None:
        """Make room for the first ``size`` vector generators."""
        if len(self.g_vec) < size:
            extra = size - len(self.g_vec)
            self.g_vec += [0] * extra
            self.h_vec += [0] * extra

    def evaluate(self) -> Point:
        """The msm of every term (the identity iff every added check holds, whp)."""
        gens = generators(get_backend(self.point_type.backend_name))
        g_vec, h_vec = gens.vectors(len(self.g_vec))
        scalars = [self.g, self.h, *self.g_vec, *self.h_vec, *self.scalars]
        points = [gens.G, gens.H, *g_vec, *h_vec, *self.points]
        return self.point_type.msm(scalars, points)


def decode_commitments(commitments: Commitments, point_type: type[Point]) -> list[Point]:
    """Commitments given as Points (of ``point_type``'s backend, not the identity) or as
    33-byte encodings; VerificationError or EncodingError otherwise."""
    out: list[Point] = []
    for j, c in enumerate(commitments):
        if isinstance(c, Point):
            if c.backend_name != point_type.backend_name:
                raise VerificationError(f"commitment {j} is on another backend than the proof")
            if c.is_identity():
                raise VerificationError(f"commitment {j} is the identity")
            out.append(c)
        elif isinstance(c, (bytes, bytearray)):
            out.append(point_type.from_bytes(bytes(c)))
        else:
            raise VerificationError(f"commitment {j} is neither a Point nor bytes")
    return out
