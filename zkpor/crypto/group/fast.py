"""Fast backend: secp256k1 on libsecp256k1 through coincurve's cffi bindings.

A point holds a ``secp256k1_pubkey`` (libsecp256k1's opaque 64-byte representation) or
``None`` for the identity, which libsecp256k1 cannot represent: this module handles it
(a sum that cancels out, a zero scalar, the identity as an operand).

Operations map onto libsecp256k1's public API:

- ``P + Q`` and sums of many points: ``secp256k1_ec_pubkey_combine`` (adds thousands of
  points in one C call; it fails only when the total is the identity);
- ``k * P``: ``secp256k1_ec_pubkey_tweak_mul`` (constant-time ladder), ``k * G`` through
  ``secp256k1_ec_pubkey_create``;
- ``-P``: ``secp256k1_ec_pubkey_negate``.

libsecp256k1 exposes no multi-scalar multiplication. ``msm`` therefore multiplies each point
and adds all products with one ``combine`` call; points marked ``precomputed()`` carry a
byte-wise fixed-base table (32 x 255 multiples), and their products are table look-ups folded
into the same ``combine`` call. For large inputs the bucket method (Pippenger) built on
``combine`` is used when it is faster (see benchmarks/group.py and docs/spec/group-and-commitments.md, 1.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from zkpor.crypto.group.params import GX, GY, N
from zkpor.crypto.group.point import IDENTITY_ENCODING, Point, check_encoding_shape, encode_affine
from zkpor.errors import EncodingError

__all__ = ["FastPoint"]

_CTX = GLOBAL_CONTEXT.ctx
_COMPRESSED = lib.SECP256K1_EC_COMPRESSED if hasattr(lib, "SECP256K1_EC_COMPRESSED") else 258
_UNCOMPRESSED = lib.SECP256K1_EC_UNCOMPRESSED if hasattr(lib, "SECP256K1_EC_UNCOMPRESSED") else 2

CData = Any  # cffi's cdata type has no static type


def _new() -> CData:
    return ffi.new("secp256k1_pubkey *")


def _parse(data: bytes) -> CData | None:
    pk = _new()
    if not lib.secp256k1_ec_pubkey_parse(_CTX, pk, data, len(data)):
        return None
    return pk


def _serialize(pk: CData, flags: int = _COMPRESSED, size: int = 33) -> bytes:
    buf = ffi.new("unsigned char[]", size)
    ln = ffi.new("size_t *", size)
    lib.secp256k1_ec_pubkey_serialize(_CTX, buf, ln, pk, flags)
    return bytes(ffi.buffer(buf, size))


def _combine(pks: Sequence[CData]) -> CData | None:
    """Sum of non-identity points; None when the sum is the identity (or pks is empty)."""
    if not pks:
        return None
    if len(pks) == 1:
        return pks[0]
    out = _new()
    arr = ffi.new("secp256k1_pubkey *[]", list(pks))
    if not lib.secp256k1_ec_pubkey_combine(_CTX, out, arr, len(pks)):
        return None
    return out


def _mul(pk: CData, k: int) -> CData:
    """k * P for P not the identity and 0 < k < n (then k * P is never the identity)."""
    out = _new()
    out[0] = pk[0]
    ok = lib.secp256k1_ec_pubkey_tweak_mul(_CTX, out, k.to_bytes(32, "big"))
    assert ok, "tweak_mul rejected a scalar in (0, n)"
    return out


def _mul_g(k: int) -> CData:
    out = _new()
    lib.secp256k1_ec_pubkey_create(_CTX, out, k.to_bytes(32, "big"))
    return out


def _pippenger_bytes(scalars: Sequence[int], pks: Sequence[CData]) -> CData | None:
    """Bucket method with byte digits, every addition inside ``combine`` calls.

    For big-endian byte position j and digit d, bucket B_(j,d) is the sum of the points whose
    scalar has byte d at j. Writing bit b of d gives the global bit k = 8*(31-j) + b, and
    T_k = sum of the B_(j,d) with bit b set, so that sum(s_i P_i) = sum_k 2^k T_k, which is
    evaluated by Horner's rule with one ``combine([acc, acc, T_k])`` per bit.
    Cost: ~32 C-level additions per point plus ~8.4k ``combine`` calls whatever the size.
    """
    buckets: list[list[list[CData]]] = [[[] for _ in range(256)] for _ in range(32)]
    for s, pk in zip(scalars, pks):
        for j, d in enumerate(s.to_bytes(32, "big")):
            if d:
                buckets[j][d].append(pk)
    bits: list[list[CData]] = [[] for _ in range(256)]
    for j in range(32):
        row = buckets[j]
        base = 8 * (31 - j)
        for d in range(1, 256):
            if row[d]:
                bucket = _combine(row[d])
                if bucket is None:
                    continue
                for b in range(8):
                    if (d >> b) & 1:
                        bits[base + b].append(bucket)
    acc: CData | None = None
    for k in range(255, -1, -1):
        terms = [] if acc is None else [acc, acc]
        if bits[k]:
            tk = _combine(bits[k])
            if tk is not None:
                terms.append(tk)
        acc = _combine(terms)
    return acc


def _reduce_byte_buckets(buckets: list[list[CData]]) -> CData | None:
    """sum_d d * B_d for B_d = sum(buckets[d]), d in 1..255, all inside ``combine`` calls.

    With T_b = sum of the B_d whose digit d has bit b set, sum_d d B_d = sum_b 2^b T_b,
    evaluated by Horner's rule: 255 + 8 + 7 ``combine`` calls whatever the input size.
    """
    sums: list[CData | None] = [None] * 256
    for d in range(1, 256):
        if buckets[d]:
            sums[d] = _combine(buckets[d])
    acc: CData | None = None
    for b in range(7, -1, -1):
        bit = 1 << b
        tb = [q for d, q in enumerate(sums) if q is not None and d & bit]
        terms = [] if acc is None else [acc, acc]
        t = _combine(tb)
        if t is not None:
            terms.append(t)
        acc = _combine(terms)
    return acc


# Above this many variable-base terms the bucket method beats one tweak_mul per point
# (measured: equal near 2048 points, 1.35x faster at 4096; see docs/benchmarks.md).
_PIPPENGER_MIN = 2048


class _FixedBaseTable:
    """Multiples d * 256^(31-j) * P for big-endian byte position j and d in 1..255.

    ``entries`` is one flat cffi array of 32 * 256 pubkeys (slot j*256 unused) and ``ptrs``
    a list of pointers into it, so a product is 32 look-ups and no arithmetic in Python.
    """

    __slots__ = ("entries", "ptrs")

    def __init__(self, pk: CData) -> None:
        entries = ffi.new("secp256k1_pubkey[]", 32 * 256)
        base = _new()
        base[0] = pk[0]
        for j in range(31, -1, -1):
            off = j * 256
            entries[off + 1] = base[0]
            for d in range(2, 256):
                nxt = _combine([entries + (off + d - 1), base])
                assert nxt is not None  # d * 256^i * P is never the identity
                entries[off + d] = nxt[0]
            # next base: 256 * base = (128 * base) doubled
            doubled = _combine([entries + (off + 128), entries + (off + 128)])
            assert doubled is not None
            base = doubled
        self.entries = entries
        self.ptrs = [entries + i for i in range(32 * 256)]

    def lookups(self, k: int, out: list[CData]) -> None:
        ptrs = self.ptrs
        off = 0
        for digit in k.to_bytes(32, "big"):
            if digit:
                out.append(ptrs[off + digit])
            off += 256


class FastPoint(Point):
    """A secp256k1 point backed by libsecp256k1 (coincurve)."""

    __slots__ = ("_enc", "_is_g", "_pk", "_powers", "_table")

    backend_name: ClassVar[str] = "fast"

    def __init__(self, pk: CData | None, table: _FixedBaseTable | None = None) -> None:
        self._pk = pk
        self._table = table
        self._powers: list[CData] | None = None
        self._enc: bytes | None = None
        self._is_g = False

    @classmethod
    def _decode(cls, data: bytes, allow_identity: bool) -> FastPoint:
        x = check_encoding_shape(data, allow_identity)
        if x is None:
            return cls(None)
        pk = _parse(bytes(data))
        if pk is None:
            raise EncodingError("invalid point: x is not the abscissa of a curve point")
        pt = cls(pk)
        pt._enc = bytes(data)
        return pt

    @classmethod
    def _from_affine(cls, x: int, y: int) -> FastPoint:
        pk = _parse(b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big"))
        if pk is None:
            raise EncodingError("affine coordinates are not a point of secp256k1")
        return cls(pk)

    @classmethod
    def _identity(cls) -> FastPoint:
        return cls(None)

    @classmethod
    def _generator(cls) -> FastPoint:
        pt = cls._from_affine(GX, GY)
        pt._is_g = True
        return pt

    @classmethod
    def _sum(cls, points: list[Point]) -> FastPoint:
        pks = [pk for pk in (_pk_of(p) for p in points) if pk is not None]
        return cls(_combine(pks))

    @classmethod
    def _msm(cls, scalars: Sequence[int], points: Sequence[Point]) -> FastPoint:
        terms: list[CData] = []
        var_s: list[int] = []
        var_pk: list[CData] = []
        buckets: list[list[CData]] | None = None
        for s, p in zip(scalars, points):
            if not isinstance(p, FastPoint):
                raise TypeError(f"msm: expected FastPoint, got {type(p).__name__}")
            s %= N
            pk = p._pk
            if s == 0 or pk is None:
                continue
            if p._table is not None:
                p._table.lookups(s, terms)
            elif p._powers is not None:
                if buckets is None:
                    buckets = [[] for _ in range(256)]
                for d, q in zip(s.to_bytes(32, "big"), p._powers):
                    if d:
                        buckets[d].append(q)
            elif s == 1:
                terms.append(pk)
            elif p._is_g:
                terms.append(_mul_g(s))
            else:
                var_s.append(s)
                var_pk.append(pk)
        if len(var_s) >= _PIPPENGER_MIN:
            part = _pippenger_bytes(var_s, var_pk)
            if part is not None:
                terms.append(part)
        else:
            for s, pk in zip(var_s, var_pk):
                terms.append(_mul(pk, s))
        if buckets is not None:
            part = _reduce_byte_buckets(buckets)
            if part is not None:
                terms.append(part)
        return cls(_combine(terms))

    # --- instance API -------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        if self._enc is None:
            self._enc = IDENTITY_ENCODING if self._pk is None else _serialize(self._pk)
        return self._enc

    def to_affine(self) -> tuple[int, int] | None:
        if self._pk is None:
            return None
        raw = _serialize(self._pk, _UNCOMPRESSED, 65)
        return int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")

    def is_identity(self) -> bool:
        return self._pk is None

    def precomputed(self) -> FastPoint:
        if self._table is not None or self._pk is None:
            return self
        pt = FastPoint(self._pk, _FixedBaseTable(self._pk))
        pt._is_g = self._is_g
        return pt

    def with_powers(self) -> FastPoint:
        if self._powers is not None or self._pk is None:
            return self
        pt = FastPoint(self._pk, self._table)
        pt._is_g = self._is_g
        powers = [self._pk]
        for _ in range(31):
            powers.append(_mul(powers[-1], 256))
        pt._powers = powers[::-1]  # big-endian: index j holds 256^(31-j) * P
        return pt

    def __add__(self, other: Point) -> FastPoint:
        self._check_same_backend(other)
        a = self._pk
        b = _pk_of(other)
        if a is None:
            return FastPoint(b)
        if b is None:
            return FastPoint(a)
        return FastPoint(_combine([a, b]))

    def __neg__(self) -> FastPoint:
        if self._pk is None:
            return self
        out = _new()
        out[0] = self._pk[0]
        lib.secp256k1_ec_pubkey_negate(_CTX, out)
        return FastPoint(out)

    def __mul__(self, k: int) -> FastPoint:
        if not isinstance(k, int):
            return NotImplemented
        k %= N
        if k == 0 or self._pk is None:
            return FastPoint(None)
        if self._table is not None:
            terms: list[CData] = []
            self._table.lookups(k, terms)
            return FastPoint(_combine(terms))
        if self._is_g:
            return FastPoint(_mul_g(k))
        return FastPoint(_mul(self._pk, k))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FastPoint):
            return NotImplemented
        if self._pk is None or other._pk is None:
            return self._pk is None and other._pk is None
        return bool(lib.secp256k1_ec_pubkey_cmp(_CTX, self._pk, other._pk) == 0)

    def __hash__(self) -> int:
        return hash(self.to_bytes())


def _pk_of(p: Point) -> CData | None:
    if not isinstance(p, FastPoint):
        raise TypeError(f"expected a fast-backend point, got {type(p).__name__}")
    return p._pk


# Sanity: the identity encoding is what encode_affine gives for None.
assert encode_affine(None) == IDENTITY_ENCODING
