"""Reading a proof's fields in order, strictly: what RangeProof and R1CSProof parsing share.

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

from zkpor.crypto.group import POINT_BYTES, Point, scalar_from_bytes
from zkpor.errors import EncodingError

__all__ = ["FieldReader"]

SCALAR_BYTES = 32


class FieldReader:
    """Consumes ``data`` front to back: 33-byte points (never the identity) and canonical
    32-byte scalars; each failure names the field as ``"WHAT field NAME: reason"``. The
    caller has checked the total length first."""

    def __init__(self, data: bytes, point_type: type[Point], what: str) -> None:
        self.data = data
        self.point_type = point_type
        self.what = what
        self.pos = 0

    def point(self, name: str) -> Point:
        chunk = self.data[self.pos : self.pos + POINT_BYTES]
        self.pos += POINT_BYTES
        try:
            return self.point_type.from_bytes(chunk)
        except EncodingError as exc:
            raise EncodingError(f"{self.what} field {name}: {exc}") from None

    def scalar(self, name: str) -> int:
        chunk = self.data[self.pos : self.pos + SCALAR_BYTES]
        self.pos += SCALAR_BYTES
        try:
            return scalar_from_bytes(chunk)
        except EncodingError as exc:
            raise EncodingError(f"{self.what} field {name}: {exc}") from None

    def rounds(self, count: int) -> tuple[tuple[Point, ...], tuple[Point, ...]]:
        """``count`` inner-product rounds: L_i, R_i interleaved."""
        ls: list[Point] = []
        rs: list[Point] = []
        for i in range(count):
            ls.append(self.point(f"L[{i}]"))
            rs.append(self.point(f"R[{i}]"))
        return tuple(ls), tuple(rs)
