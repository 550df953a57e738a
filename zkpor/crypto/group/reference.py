"""Reference backend: secp256k1 in pure Python, Jacobian coordinates.

A point is held as Jacobian coordinates (X, Y, Z) representing the affine point
(X/Z^2, Y/Z^3); Z = 0 is the identity. Additions stay in Jacobian form, so no field inversion
happens until a point is encoded. Formulas for a = 0 (Hankerson, Menezes, Vanstone, *Guide to
Elliptic Curve Cryptography*, 3.2.2): doubling 3M+4S, addition 12M+4S, mixed addition (second
operand with Z = 1) 8M+3S.

Scalar multiplication uses a fixed 4-bit window; multi-scalar multiplication uses Straus's
interleaved windows for small inputs and Pippenger's bucket method for large ones. Points
marked ``precomputed()`` carry a byte-wise fixed-base table (32 x 255 affine multiples), so a
multiplication by them is at most 32 mixed additions.

This backend is readable and portable, not fast, and it is **variable-time**: it must not be
used where timing side channels matter (see docs/spec/group-and-commitments.md, "Side channels").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

from zkpor.crypto.group.params import GX, GY, N, P
from zkpor.crypto.group.point import Point, decode_affine, encode_affine

__all__ = ["ReferencePoint"]

Jac = tuple[int, int, int]
Aff = tuple[int, int]

_INF: Final[Jac] = (1, 1, 0)


def _double(p: Jac) -> Jac:
    x1, y1, z1 = p
    if z1 == 0 or y1 == 0:
        return _INF
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = b * b % P
    d = 2 * ((x1 + b) * (x1 + b) - a - c) % P
    e = 3 * a % P
    x3 = (e * e - 2 * d) % P
    y3 = (e * (d - x3) - 8 * c) % P
    z3 = 2 * y1 * z1 % P
    return (x3, y3, z3)


def _add(p: Jac, q: Jac) -> Jac:
    x1, y1, z1 = p
    x2, y2, z2 = q
    if z1 == 0:
        return q
    if z2 == 0:
        return p
    z1z1 = z1 * z1 % P
    z2z2 = z2 * z2 % P
    u1 = x1 * z2z2 % P
    u2 = x2 * z1z1 % P
    s1 = y1 * z2 * z2z2 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    if h == 0:
        return _double(p) if r == 0 else _INF
    h2 = h * h % P
    h3 = h * h2 % P
    u1h2 = u1 * h2 % P
    x3 = (r * r - h3 - 2 * u1h2) % P
    y3 = (r * (u1h2 - x3) - s1 * h3) % P
    z3 = h * z1 * z2 % P
    return (x3, y3, z3)


def _add_affine(p: Jac, q: Aff) -> Jac:
    """p + q where q is affine and not the identity (mixed addition)."""
    x1, y1, z1 = p
    x2, y2 = q
    if z1 == 0:
        return (x2, y2, 1)
    z1z1 = z1 * z1 % P
    u2 = x2 * z1z1 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - x1) % P
    r = (s2 - y1) % P
    if h == 0:
        return _double(p) if r == 0 else _INF
    h2 = h * h % P
    h3 = h * h2 % P
    u1h2 = x1 * h2 % P
    x3 = (r * r - h3 - 2 * u1h2) % P
    y3 = (r * (u1h2 - x3) - y1 * h3) % P
    z3 = h * z1 % P
    return (x3, y3, z3)


def _neg(p: Jac) -> Jac:
    return (p[0], (-p[1]) % P, p[2])


def _to_affine(p: Jac) -> Aff | None:
    x, y, z = p
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


def _batch_to_affine(points: Sequence[Jac]) -> list[Aff | None]:
    """Normalise many points with one field inversion (Montgomery's trick)."""
    prefix: list[int] = []
    acc = 1
    for _, _, z in points:
        prefix.append(acc)
        if z:
            acc = acc * z % P
    inv = pow(acc, -1, P)
    out: list[Aff | None] = [None] * len(points)
    for i in range(len(points) - 1, -1, -1):
        x, y, z = points[i]
        if z == 0:
            continue
        zi = prefix[i] * inv % P
        inv = inv * z % P
        zi2 = zi * zi % P
        out[i] = (x * zi2 % P, y * zi2 * zi % P)
    return out


def _mul_window(p: Jac, k: int) -> Jac:
    """k * p with a fixed 4-bit window (k already reduced, > 0)."""
    table = [_INF, p]
    for _ in range(14):
        table.append(_add(table[-1], p))
    acc = _INF
    for shift in range((k.bit_length() + 3) // 4 * 4 - 4, -4, -4):
        if acc[2]:
            acc = _double(_double(_double(_double(acc))))
        digit = (k >> shift) & 15
        if digit:
            acc = _add(acc, table[digit])
    return acc


class _FixedBaseTable:
    """Affine multiples d * 256^(31-j) * P for byte position j in 0..31 and d in 1..255."""

    __slots__ = ("rows",)

    def __init__(self, base: Jac) -> None:
        flat: list[Jac] = []
        b = base
        for _ in range(32):
            mult = b
            row = [mult]
            for _ in range(254):
                mult = _add(mult, b)
                row.append(mult)
            flat.extend(row)
            b = _add(row[127], row[127])  # 256 * b
        affine = _batch_to_affine(flat)
        rows: list[list[Aff]] = []
        for j in range(32):
            chunk = affine[j * 255 : (j + 1) * 255]
            rows.append([a for a in chunk if a is not None])
        self.rows = rows[::-1]  # rows[j] serves big-endian byte j

    def mul(self, k: int, acc: Jac = _INF) -> Jac:
        rows = self.rows
        for j, digit in enumerate(k.to_bytes(32, "big")):
            if digit:
                acc = _add_affine(acc, rows[j][digit - 1])
        return acc


def _straus(scalars: Sequence[int], points: Sequence[Jac]) -> Jac:
    """Interleaved 4-bit windows: 256 doublings in all, one addition per point per window."""
    tables: list[Jac] = []
    for p in points:
        mults = [p]
        for _ in range(14):
            mults.append(_add(mults[-1], p))
        tables.extend(mults)
    affine = _batch_to_affine(tables)
    rows = [affine[i * 15 : (i + 1) * 15] for i in range(len(points))]
    bits = max(s.bit_length() for s in scalars)
    acc = _INF
    for shift in range((bits + 3) // 4 * 4 - 4, -4, -4):
        if acc[2]:
            acc = _double(_double(_double(_double(acc))))
        for s, arow in zip(scalars, rows):
            digit = (s >> shift) & 15
            if digit:
                q = arow[digit - 1]
                if q is not None:
                    acc = _add_affine(acc, q)
    return acc


def _pippenger_window(n: int) -> int:
    """Window width c for n points, measured on CPython 3.11 (benchmarks/group.py)."""
    return max(3, min(9, n.bit_length() - 3))


_STRAUS_MAX = 48  # below this many points Straus beats Pippenger (measured)


def _pippenger(scalars: Sequence[int], points: Sequence[Jac]) -> Jac:
    """Bucket method: per c-bit window, bucket the points by digit, then sum j * B_j with
    running sums (2 * 2^c additions); windows are combined with c doublings each."""
    affine = _batch_to_affine(points)
    pts = [(s, a) for s, a in zip(scalars, affine) if a is not None]
    c = _pippenger_window(len(pts))
    mask = (1 << c) - 1
    bits = max(s.bit_length() for s, _ in pts)
    result = _INF
    for shift in range((bits + c - 1) // c * c - c, -c, -c):
        for _ in range(c):
            result = _double(result)
        buckets: list[Jac] = [_INF] * (mask + 1)
        for s, a in pts:
            d = (s >> shift) & mask
            if d:
                buckets[d] = _add_affine(buckets[d], a)
        running = _INF
        window = _INF
        for d in range(mask, 0, -1):
            running = _add(running, buckets[d])
            window = _add(window, running)
        result = _add(result, window)
    return result


class ReferencePoint(Point):
    """A secp256k1 point in pure Python (Jacobian coordinates)."""

    __slots__ = ("_enc", "_jac", "_powers", "_table")

    backend_name: ClassVar[str] = "reference"

    def __init__(self, jac: Jac, table: _FixedBaseTable | None = None) -> None:
        self._jac = jac
        self._table = table
        self._powers: list[Aff] | None = None
        self._enc: bytes | None = None

    # --- hooks --------------------------------------------------------------------------

    @classmethod
    def _decode(cls, data: bytes, allow_identity: bool) -> ReferencePoint:
        xy = decode_affine(data, allow_identity=allow_identity)
        if xy is None:
            return cls(_INF)
        pt = cls((xy[0], xy[1], 1))
        pt._enc = bytes(data)
        return pt

    @classmethod
    def _from_affine(cls, x: int, y: int) -> ReferencePoint:
        return cls((x, y, 1))

    @classmethod
    def _identity(cls) -> ReferencePoint:
        return cls(_INF)

    @classmethod
    def _generator(cls) -> ReferencePoint:
        return cls((GX, GY, 1))

    @classmethod
    def _sum(cls, points: list[Point]) -> ReferencePoint:
        acc = _INF
        for p in points:
            acc = _add(acc, _jac_of(p))
        return cls(acc)

    @classmethod
    def _msm(cls, scalars: Sequence[int], points: Sequence[Point]) -> ReferencePoint:
        acc = _INF
        var_s: list[int] = []
        var_p: list[Jac] = []
        buckets: list[Jac] | None = None
        for s, p in zip(scalars, points):
            if not isinstance(p, ReferencePoint):
                raise TypeError(f"msm: expected ReferencePoint, got {type(p).__name__}")
            s %= N
            if s == 0 or p._jac[2] == 0:
                continue
            if p._table is not None:
                acc = p._table.mul(s, acc)
            elif p._powers is not None:
                if buckets is None:
                    buckets = [_INF] * 256
                for d, q in zip(s.to_bytes(32, "big"), p._powers):
                    if d:
                        buckets[d] = _add_affine(buckets[d], q)
            else:
                var_s.append(s)
                var_p.append(p._jac)
        if len(var_s) == 1:
            acc = _add(acc, _mul_window(var_p[0], var_s[0]))
        elif len(var_s) < _STRAUS_MAX:
            if var_s:
                acc = _add(acc, _straus(var_s, var_p))
        else:
            acc = _add(acc, _pippenger(var_s, var_p))
        if buckets is not None:
            running = _INF
            for d in range(255, 0, -1):  # sum_d d * B_d by running sums
                running = _add(running, buckets[d])
                acc = _add(acc, running)
        return cls(acc)

    # --- instance API -------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        if self._enc is None:
            self._enc = encode_affine(_to_affine(self._jac))
        return self._enc

    def to_affine(self) -> tuple[int, int] | None:
        return _to_affine(self._jac)

    def is_identity(self) -> bool:
        return self._jac[2] == 0

    def precomputed(self) -> ReferencePoint:
        if self._table is not None or self.is_identity():
            return self
        return ReferencePoint(self._jac, _FixedBaseTable(self._jac))

    def with_powers(self) -> ReferencePoint:
        if self._powers is not None or self.is_identity():
            return self
        pt = ReferencePoint(self._jac, self._table)
        chain = [self._jac]
        for _ in range(31):
            q = chain[-1]
            for _ in range(8):
                q = _double(q)
            chain.append(q)
        affine = _batch_to_affine(chain[::-1])  # big-endian: index j holds 256^(31-j) * P
        pt._powers = [a for a in affine if a is not None]
        return pt

    def __add__(self, other: Point) -> ReferencePoint:
        self._check_same_backend(other)
        return ReferencePoint(_add(self._jac, _jac_of(other)))

    def __neg__(self) -> ReferencePoint:
        return ReferencePoint(_neg(self._jac))

    def __mul__(self, k: int) -> ReferencePoint:
        if not isinstance(k, int):
            return NotImplemented
        k %= N
        if k == 0 or self._jac[2] == 0:
            return ReferencePoint(_INF)
        if self._table is not None:
            return ReferencePoint(self._table.mul(k))
        return ReferencePoint(_mul_window(self._jac, k))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReferencePoint):
            return NotImplemented
        x1, y1, z1 = self._jac
        x2, y2, z2 = other._jac
        if z1 == 0 or z2 == 0:
            return z1 == z2
        z1z1 = z1 * z1 % P
        z2z2 = z2 * z2 % P
        return (x1 * z2z2 - x2 * z1z1) % P == 0 and (y1 * z2z2 * z2 - y2 * z1z1 * z1) % P == 0

    def __hash__(self) -> int:
        return hash(self.to_bytes())


def _jac_of(p: Point) -> Jac:
    if not isinstance(p, ReferencePoint):
        raise TypeError(f"expected a reference-backend point, got {type(p).__name__}")
    return p._jac
