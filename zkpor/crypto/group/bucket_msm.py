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
with ``map``, one ``list.append`` per non-zero byte. On the reference backend the batch
decodes each point and calls the backend's own msm.

Results are identical on both backends; a term whose scalar is 0 mod n adds nothing.
Variable-time (docs/spec/group-and-commitments.md, 1.4): for verifiers, which hold no secret.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from operator import add
from typing import Any, Final

from zkpor.crypto.group.params import N
from zkpor.crypto.group.point import POINT_BYTES, Point
from zkpor.errors import EncodingError

__all__ = ["MsmBatch", "TermEncodingError", "msm_batch"]

_OFFSETS: Final[tuple[int, ...]] = tuple(j * 256 for j in range(32))
#: The bucket offsets of the big-endian bytes of a scalar of ``k`` bytes (k = 0..32).
_OFFSETS_BY_LENGTH: Final[tuple[tuple[int, ...], ...]] = tuple(
    _OFFSETS[32 - k :] for k in range(33)
)


class TermEncodingError(EncodingError):
    """A term of :meth:`MsmBatch.add_many` is not a valid point encoding: ``position`` says
    which, ``reason`` why (the message of ``Point.from_bytes``)."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"term {position}: {reason}")


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

    def add_many(
        self,
        encodings: Sequence[bytes],
        scalars: Sequence[int],
        byte_lengths: Sequence[int] | None = None,
    ) -> int:
        """:meth:`add_encoded` for several terms at once; returns the first one's handle
        (the others follow it). If an encoding is invalid, TermEncodingError names its
        position and no term is added. ``byte_lengths`` (optional) bounds each scalar's
        size in bytes after reduction mod n (OverflowError if one is larger): with fixed
        lengths the fast backend files all digits of the call in one pass."""
        if byte_lengths is not None:
            for s, k in zip(scalars, byte_lengths):
                (s % N).to_bytes(k, "big")
        points = []
        for pos, data in enumerate(encodings):
            try:
                points.append(self.point_type.from_bytes(data))
            except EncodingError as exc:
                raise TermEncodingError(pos, str(exc)) from None
        if len(self._points) + len(points) > self.capacity:
            raise ValueError(f"msm batch full ({self.capacity} points)")
        first = len(self._points)
        self._points.extend(points)
        self._scalars.extend(s % N for s in scalars)
        return first

    def point(self, handle: int) -> Point:
        """The point of term ``handle``."""
        return self._points[handle]

    def sum_points(self, handles: Iterable[int]) -> Point:
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
        self._offsets: dict[tuple[int, ...], tuple[int, ...]] = {}

    def __len__(self) -> int:
        return self._count

    def add_encoded(self, data: bytes, scalar: int) -> int:
        try:
            return self.add_many((data,), (scalar,))
        except TermEncodingError as exc:
            raise EncodingError(exc.reason) from None

    def point(self, handle: int) -> Point:
        if not 0 <= handle < self._count:
            raise IndexError(handle)
        pk = self._fast._new()
        pk[0] = self._arena[handle]
        return self._fast.FastPoint(pk)

    def add_many(
        self,
        encodings: Sequence[bytes],
        scalars: Sequence[int],
        byte_lengths: Sequence[int] | None = None,
    ) -> int:
        first = k = self._count
        if k + len(encodings) > self.capacity:
            raise ValueError(f"msm batch full ({self.capacity} points)")
        arena = self._arena
        parse = self._lib.secp256k1_ec_pubkey_parse
        ctx = self._ctx
        ptrs: list[Any] = []
        for pos, data in enumerate(encodings):
            ptr = arena + k
            if len(data) != POINT_BYTES or data[0] not in (2, 3) or not parse(ctx, ptr, data, 33):
                try:
                    self.point_type.from_bytes(data)
                except EncodingError as exc:
                    raise TermEncodingError(pos, str(exc)) from None
                raise TermEncodingError(pos, "invalid point encoding")  # pragma: no cover
            ptrs.append(ptr)
            k += 1
        reduced = [s % N for s in scalars]
        lengths = tuple(
            byte_lengths
            if byte_lengths is not None
            else [(s.bit_length() + 7) // 8 for s in reduced]
        )
        offsets = self._offsets.get(lengths)
        if offsets is None:
            offsets = self._offsets[lengths] = tuple(
                chain.from_iterable(_OFFSETS_BY_LENGTH[n] for n in lengths)
            )
        digits = b"".join([v.to_bytes(n, "big") for v, n in zip(reduced, lengths)])
        # one C-level pass: bucket[256 j + d].append(ptr) for every byte d at position j of
        # every scalar (d = 0 lands in slot 256 j, which evaluate() ignores)
        deque(
            map(
                list.append,
                map(self._buckets.__getitem__, map(add, offsets, digits)),
                chain.from_iterable(map(repeat, ptrs, lengths)),
            ),
            maxlen=0,
        )
        self._ptrs.extend(ptrs)
        self._count = k
        return first

    def sum_points(self, handles: Iterable[int]) -> Point:
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
