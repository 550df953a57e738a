"""Scalars: integers modulo the group order n.

Scalars are plain Python ``int`` values in ``[0, n)``; this module holds their canonical
encoding (32 bytes, big-endian, value < n) and the few helpers the protocols need.

Spec: docs/spec/group-and-commitments.md (sections 1-2).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final, Protocol

from zkpor.crypto.group.params import SCALAR_BYTES, N
from zkpor.errors import EncodingError

__all__ = [
    "ORDER",
    "RandomSource",
    "batch_invert",
    "random_scalar",
    "scalar_from_bytes",
    "scalar_invert",
    "scalar_to_bytes",
]

ORDER: Final[int] = N


class RandomSource(Protocol):
    """Anything that yields random bytes: ``secrets``-like or a seeded test generator."""

    def randbytes(self, n: int) -> bytes: ...


def scalar_to_bytes(s: int) -> bytes:
    """The canonical encoding of ``s``: 32 bytes big-endian. Requires 0 <= s < n."""
    if not 0 <= s < N:
        raise EncodingError(f"scalar out of range [0, n): {s.bit_length()}-bit value")
    return s.to_bytes(SCALAR_BYTES, "big")


def scalar_from_bytes(data: bytes, *, allow_zero: bool = True) -> int:
    """Decode a canonical 32-byte big-endian scalar.

    Raises EncodingError when the length is not 32, when the value is >= n (a non-canonical
    encoding of a smaller scalar), or when it is zero and ``allow_zero`` is False.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise EncodingError(f"scalar must be bytes, got {type(data).__name__}")
    if len(data) != SCALAR_BYTES:
        raise EncodingError(f"scalar must be {SCALAR_BYTES} bytes, got {len(data)}")
    s = int.from_bytes(data, "big")
    if s >= N:
        raise EncodingError("non-canonical scalar: value >= group order n")
    if s == 0 and not allow_zero:
        raise EncodingError("zero scalar not allowed here")
    return s


def random_scalar(rng: RandomSource | None = None) -> int:
    """A uniformly random non-zero scalar.

    Draws 64 bytes and reduces mod n (bias below 2^-256). With ``rng`` None the operating
    system's generator (``secrets``) is used; a seeded ``rng`` exists for test vectors only.
    """
    while True:
        raw = secrets.token_bytes(64) if rng is None else rng.randbytes(64)
        s = int.from_bytes(raw, "big") % N
        if s:
            return s


def scalar_invert(s: int) -> int:
    """The inverse of ``s`` mod n. Raises ZeroDivisionError-free ValueError for zero."""
    if s % N == 0:
        raise ValueError("zero has no inverse mod n")
    return pow(s, -1, N)


def batch_invert(values: Sequence[int]) -> list[int]:
    """Inverses mod n of every value, with one modular inversion (Montgomery's trick).

    Every value must be non-zero mod n.
    """
    prefix: list[int] = []
    acc = 1
    for v in values:
        prefix.append(acc)
        acc = acc * v % N
    inv = scalar_invert(acc)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = prefix[i] * inv % N
        inv = inv * values[i] % N
    return out
