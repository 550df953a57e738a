"""A streaming batch multi-scalar multiplication over encoded points.

A batch verifier that checks thousands of proofs at once adds, per proof, a few points read
from a file (33-byte encodings) with a scalar each, and at the end asks for the sum
``sum(s_k * P_k)``. :class:`MsmBatch` does that without a ``Point`` object per term:

- ``add_encoded(data, s)`` decodes strictly (the rules of ``Point.from_bytes``, the
  identity refused) and files the term; it returns a handle for ``point(handle)`` (the
  decoded point, for a per-proof re-check) and ``sum_points(handles)``;
- ``evaluate()`` returns the msm of every term added since the last ``reset()``.

On the fast backend the points are parsed straight into one preallocated array of
libsecp256k1 keys, and the msm is the byte-digit bucket method: a term with scalar s is
appended, for each non-zero big-endian byte d at position j of s, to bucket (j, d); every
addition then happens inside ``secp256k1_ec_pubkey_combine`` calls (about one addition per
non-zero byte, so 32 for a full scalar and 16 for a 128-bit weight), plus a fixed cost of
about 8,400 ``combine`` calls per evaluation whatever the batch size. The digits are filed
with ``map`` so that no Python-level loop runs per byte. On the reference backend the batch
decodes each point and calls the backend's own msm.

Results are identical on both backends; a term whose scalar is 0 mod n adds nothing.
Variable-time (docs/spec/group-and-commitments.md, 1.4): for verifiers, which hold no secret.
"""

from __future__ import annotations

from collections import deque
from itertools import repeat
from operator import add
from typing import Any, Final

from zkpor.crypto.group.params import N
from zkpor.crypto.group.point import POINT_BYTES, Point
from zkpor.errors import EncodingError

__all__ = ["MsmBatch", "msm_batch"]

_OFFSETS: Final[tuple[int, ...]] = tuple(j * 256 for j in range(32))


class MsmBatch:
    """The terms of one msm over encoded points (reference implementation; module doc)."""

    def __init__(self, point_type: type[Point], capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.point_type = point_type
        self.capacity = capacity
        self._points: list[Point] = []
        self._scalars: list[int] = []

    def __len__(self) -> int:
        return len(self._points)

    def add_encoded(self, data: bytes, scalar: int) -> int:
        """Decode ``data`` (strict, identity refused: EncodingError) and add ``scalar``
        times it; returns the term's handle."""
        if len(self._points) >= self.capacity:
            raise ValueError(f"msm batch full ({self.capacity} points)")
        self._points.append(self.point_type.from_bytes(data))
        self._scalars.append(scalar % N)
        return len(self._points) - 1

    def point(self, handle: int) -> Point:
        """The point of term ``handle``."""
        return self._points[handle]

    def sum_points(self, handles: list[int]) -> Point:
        """The plain sum of the points of ``handles`` (scalars ignored)."""
        return self.point_type.sum(self._points[h] for h in handles)

    def evaluate(self) -> Point:
        """``sum(s_k * P_k)`` over every term added since the last reset."""
        return self.point_type.msm(self._scalars, self._points)

    def reset(self) -> None:
        """Forget every term (the capacity stays)."""
        self._points = []
        self._scalars = []


class _FastMsmBatch(MsmBatch):
    """The fast backend's batch: one array of libsecp256k1 keys, byte-digit buckets."""

    def __init__(self, point_type: type[Point], capacity: int) -> None:
        super().__init__(point_type, capacity)
        from coincurve._libsecp256k1 import ffi, lib

        from zkpor.crypto.group import fast

        self._fast = fast
        self._lib = lib
        self._ctx = fast._CTX
        self._arena: Any = ffi.new("secp256k1_pubkey[]", capacity)
        self._count = 0
        self._ptrs: list[Any] = []
        self._buckets: list[list[Any]] = [[] for _ in range(32 * 256)]

    def __len__(self) -> int:
        return self._count

    def add_encoded(self, data: bytes, scalar: int) -> int:
        k = self._count
        if k >= self.capacity:
            raise ValueError(f"msm batch full ({self.capacity} points)")
        if len(data) != POINT_BYTES or data[0] not in (2, 3):
            # the reference decoder's checks give the same error messages as everywhere
            self.point_type.from_bytes(data)
            raise EncodingError("identity point not allowed here")  # pragma: no cover
        ptr = self._arena + k
        # libsecp256k1 refuses x >= p and an x with no curve point, as Point.from_bytes does
        if not self._lib.secp256k1_ec_pubkey_parse(self._ctx, ptr, bytes(data), POINT_BYTES):
            self.point_type.from_bytes(data)  # raises with the precise message
            raise EncodingError("invalid point encoding")  # pragma: no cover
        self._count = k + 1
        self._ptrs.append(ptr)
        s = scalar % N
        if s:
            digits = s.to_bytes((s.bit_length() + 7) // 8, "big")
            buckets = self._buckets
            # bucket index 256*j + d for byte position j (big-endian, of 32) and digit d;
            # digit-0 slots (256*j) collect junk that evaluate() ignores
            deque(
                map(
                    list.append,
                    map(buckets.__getitem__, map(add, _OFFSETS[32 - len(digits) :], digits)),
                    repeat(ptr),
                ),
                maxlen=0,
            )
        return k

    def point(self, handle: int) -> Point:
        if not 0 <= handle < self._count:
            raise IndexError(handle)
        pk = self._fast._new()
        pk[0] = self._arena[handle]
        return self._fast.FastPoint(pk)

    def sum_points(self, handles: list[int]) -> Point:
        return self._owned(self._combine([self._ptrs[h] for h in handles]))

    def _combine(self, pks: list[Any]) -> Any:
        return self._fast._combine(pks)

    def _owned(self, pk: Any) -> Point:
        """A point holding its own copy of ``pk`` (which may point into the arena)."""
        if pk is None:
            return self._fast.FastPoint(None)
        out = self._fast._new()
        out[0] = pk[0]
        return self._fast.FastPoint(out)

    def evaluate(self) -> Point:
        combine = self._combine
        bits: list[list[Any]] = [[] for _ in range(256)]
        buckets = self._buckets
        for j in range(32):
            base = 8 * (31 - j)
            off = 256 * j
            for d in range(1, 256):
                row = buckets[off + d]
                if not row:
                    continue
                bucket = combine(row)
                if bucket is None:
                    continue
                b = 0
                while d >> b:
                    if (d >> b) & 1:
                        bits[base + b].append(bucket)
                    b += 1
        acc: Any = None
        for k in range(255, -1, -1):
            terms = [] if acc is None else [acc, acc]
            if bits[k]:
                tk = combine(bits[k])
                if tk is not None:
                    terms.append(tk)
            acc = combine(terms)
        return self._owned(acc)

    def reset(self) -> None:
        self._count = 0
        self._ptrs = []
        self._buckets = [[] for _ in range(32 * 256)]


def msm_batch(point_type: type[Point], capacity: int) -> MsmBatch:
    """An empty :class:`MsmBatch` for up to ``capacity`` encoded points on ``point_type``'s
    backend (the bucket method on libsecp256k1 for the fast backend)."""
    if point_type.backend_name == "fast":
        return _FastMsmBatch(point_type, capacity)
    return MsmBatch(point_type, capacity)
