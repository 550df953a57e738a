"""The byte encoding of a private proof of assets (docs/spec/private-reserves.md, 17.5).

A proof file is a 64-byte header followed by one 391-byte record per key of the anonymity
set, in the set's order, and nothing else::

    header  0  magic "zkpor-private-assets-v1\\n"     24 bytes (ASCII, LF-terminated)
           24  u64be(count)                           8
           32  context digest                         32   (statement.AssetsContext.digest)

    record  0  P      33      commitment: s_i b_i G + r_i H
           33  T      33      tag: x_i J (claimed key) or u_i J
           66  A_P0   33      branch "not owned": announcement for P = r H
           99  A_T0   33      branch "not owned": announcement for T = u J
          132  A_P1   33      branch "owned": announcement for P - b G = r H
          165  A_Y1   33      branch "owned": announcement for Y = x G
          198  A_T1   33      branch "owned": announcement for T = x J
          231  c0     32      the "not owned" branch's challenge (c1 = c - c0 mod n)
          263  z_r0   32      responses: r (branch "not owned")
          295  z_u0   32                 u (branch "not owned")
          327  z_r1   32                 r (branch "owned")
          359  z_x1   32                 x (branch "owned")
                      391

Points are 33-byte compressed encodings, none of them the identity; scalars are 32 bytes
big-endian below n. Decoding is strict (the group's decoders).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import BinaryIO, Final

from zkpor.crypto.group import Point, scalar_from_bytes, scalar_to_bytes
from zkpor.errors import EncodingError

__all__ = [
    "COMMITMENT_BYTES",
    "HEADER_BYTES",
    "MAGIC",
    "POINT_FIELDS",
    "RECORD_BYTES",
    "RECORD_FIELDS",
    "SCALAR_FIELDS",
    "KeyProof",
    "ProofHeader",
    "read_header",
]

MAGIC: Final[bytes] = b"zkpor-private-assets-v1\n"
HEADER_BYTES: Final[int] = 64
POINT_FIELDS: Final[tuple[str, ...]] = ("P", "T", "A_P0", "A_T0", "A_P1", "A_Y1", "A_T1")
SCALAR_FIELDS: Final[tuple[str, ...]] = ("c0", "z_r0", "z_u0", "z_r1", "z_x1")
COMMITMENT_BYTES: Final[int] = 33 * len(POINT_FIELDS)
RECORD_BYTES: Final[int] = COMMITMENT_BYTES + 32 * len(SCALAR_FIELDS)


def _offsets() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    off = 0
    for name in POINT_FIELDS:
        out[name] = (off, off + 33)
        off += 33
    for name in SCALAR_FIELDS:
        out[name] = (off, off + 32)
        off += 32
    return out


#: Each record field's (start, end) byte offsets.
RECORD_FIELDS: Final[dict[str, tuple[int, int]]] = _offsets()

assert MAGIC.__len__() == 24 and RECORD_BYTES == 391


@dataclass(frozen=True)
class ProofHeader:
    """The proof file's header: the number of records and the context digest."""

    count: int
    context_digest: bytes

    def to_bytes(self) -> bytes:
        if not 0 <= self.count < 2**64 or len(self.context_digest) != 32:
            raise EncodingError("bad proof header fields")
        return MAGIC + self.count.to_bytes(8, "big") + self.context_digest

    @classmethod
    def from_bytes(cls, data: bytes) -> ProofHeader:
        if len(data) != HEADER_BYTES:
            raise EncodingError(f"proof header must be {HEADER_BYTES} bytes, got {len(data)}")
        if data[:24] != MAGIC:
            raise EncodingError("not a zkpor-private-assets-v1 proof (bad magic)")
        return cls(int.from_bytes(data[24:32], "big"), bytes(data[32:64]))


def read_header(stream: BinaryIO) -> ProofHeader:
    """Read and decode the header at the start of ``stream`` (EncodingError if short)."""
    return ProofHeader.from_bytes(stream.read(HEADER_BYTES))


@dataclass(frozen=True)
class KeyProof:
    """One key's record (module doc for the symbols and layout)."""

    P: Point
    T: Point
    A_P0: Point
    A_T0: Point
    A_P1: Point
    A_Y1: Point
    A_T1: Point
    c0: int
    z_r0: int
    z_u0: int
    z_r1: int
    z_x1: int

    def to_bytes(self) -> bytes:
        out = b"".join(getattr(self, n).to_bytes() for n in POINT_FIELDS)
        return out + b"".join(scalar_to_bytes(getattr(self, n)) for n in SCALAR_FIELDS)

    @classmethod
    def from_bytes(cls, data: bytes, point_type: type[Point] = Point) -> KeyProof:
        """Strict decoding; EncodingError names the field."""
        if len(data) != RECORD_BYTES:
            raise EncodingError(f"key record must be {RECORD_BYTES} bytes, got {len(data)}")
        values: dict[str, object] = {}
        for f in fields(cls):
            start, end = RECORD_FIELDS[f.name]
            try:
                if f.name in POINT_FIELDS:
                    values[f.name] = point_type.from_bytes(data[start:end])
                else:
                    values[f.name] = scalar_from_bytes(data[start:end])
            except EncodingError as exc:
                raise EncodingError(f"{f.name}: {exc}") from None
        return cls(**values)  # type: ignore[arg-type]
