"""RFC 9380 hashing to secp256k1: suite ``secp256k1_XMD:SHA-256_SSWU_RO_``.

Pipeline (RFC 9380 section 3, "hash_to_curve"):

1. ``u0, u1 = hash_to_field(msg, 2)``: ``expand_message_xmd`` (SHA-256, section 5.3.1) gives
   2 * L bytes, L = 48; each 48-byte chunk, read big-endian, is reduced mod p.
2. ``Q_i = iso_map(map_to_curve_simple_swu(u_i))``: simplified SWU (section 6.6.2) onto the
   curve E': y^2 = x^3 + A'x + B' that is 3-isogenous to secp256k1 (section 8.7: A', B' and
   Z = -11), then the 3-isogeny of appendix E.1 back to secp256k1.
3. ``P = clear_cofactor(Q0 + Q1)``; the cofactor of secp256k1 is 1, so this is Q0 + Q1.

The field arithmetic here is pure Python on integers and identical for every backend; only
the final addition is done by the chosen backend. Checked against the RFC's own vectors
(appendix J.8.1 and K.1/K.2) in tests/test_hash_to_curve.py.

Spec: docs/spec/group-and-commitments.md (sections 1-2).
"""

from __future__ import annotations

import hashlib
from typing import Final

from zkpor.crypto.group.params import P, fe_sqrt
from zkpor.crypto.group.point import Point
from zkpor.errors import ParameterError

__all__ = [
    "SUITE_ID",
    "expand_message_xmd",
    "hash_to_curve",
    "hash_to_field",
    "iso_map",
    "map_to_curve_simple_swu",
]

SUITE_ID: Final[bytes] = b"secp256k1_XMD:SHA-256_SSWU_RO_"

_B_IN_BYTES: Final[int] = 32  # SHA-256 output
_S_IN_BYTES: Final[int] = 64  # SHA-256 block
_L: Final[int] = 48  # ceil((ceil(log2(p)) + k) / 8) with k = 128

# Section 8.7: E' parameters and the SSWU constant Z.
A_PRIME: Final[int] = 0x3F8731ABDD661ADCA08A5558F0F5D272E953D363CB6F0E5D405447C01A444533
B_PRIME: Final[int] = 1771
Z: Final[int] = P - 11

# Appendix E.1: 3-isogeny map constants k_(i,j).
_K1: Final[tuple[int, ...]] = (
    0x8E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38DAAAAA8C7,
    0x07D3D4C80BC321D5B9F315CEA7FD44C5D595D2FC0BF63B92DFFF1044F17C6581,
    0x534C328D23F234E6E2A413DECA25CAECE4506144037C40314ECBD0B53D9DD262,
    0x8E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38E38DAAAAA88C,
)
_K2: Final[tuple[int, ...]] = (
    0xD35771193D94918A9CA34CCBB7B640DD86CD409542F8487D9FE6B745781EB49B,
    0xEDADC6F64383DC1DF7C4B2D51B54225406D36B641F5E41BBC52A56612A8C6D14,
)
_K3: Final[tuple[int, ...]] = (
    0x4BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684B8E38E23C,
    0xC75E0C32D5CB7C0FA9D0A54B12A0A6D5647AB046D686DA6FDFFC90FC201D71A3,
    0x29A6194691F91A73715209EF6512E576722830A201BE2018A765E85A9ECEE931,
    0x2F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F684BDA12F38E38D84,
)
_K4: Final[tuple[int, ...]] = (
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFF93B,
    0x7A06534BB8BDB49FD5E9E6632722C2989467C1BFC8E8D978DFB425D2685C2573,
    0x6484AA716545CA2CF3A70C3FA8FE337E0A3D21162F0D6299A7BF8192BFD2A76F,
)

_OVERSIZE_PREFIX: Final[bytes] = b"H2C-OVERSIZE-DST-"
_SQRT_EXP: Final[int] = (P + 1) // 4
_SQRT_11: Final[int] = fe_sqrt(11) or 0  # 11 = -Z is a square mod p (Z and -1 are not)
assert _SQRT_11 and _SQRT_11 * _SQRT_11 % P == 11
_MINUS_B_OVER_A: Final[int] = -B_PRIME * pow(A_PRIME, -1, P) % P
_B_OVER_ZA: Final[int] = B_PRIME * pow(Z * A_PRIME, -1, P) % P


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 section 5.3.1 with H = SHA-256.

    A DST longer than 255 bytes is first replaced by SHA-256("H2C-OVERSIZE-DST-" || DST), as
    section 5.3.3 prescribes. Raises ParameterError when len_in_bytes is not in [1, 8160]
    (ell = ceil(len / 32) must be at most 255) or the DST is empty.
    """
    if not dst:
        raise ParameterError("expand_message_xmd: empty domain separation tag")
    if len(dst) > 255:
        dst = hashlib.sha256(_OVERSIZE_PREFIX + dst).digest()
    ell = -(-len_in_bytes // _B_IN_BYTES)
    if len_in_bytes < 1 or ell > 255 or len_in_bytes > 65535:
        raise ParameterError(f"expand_message_xmd: len_in_bytes {len_in_bytes} out of range")
    dst_prime = dst + bytes((len(dst),))
    msg_prime = bytes(_S_IN_BYTES) + msg + len_in_bytes.to_bytes(2, "big") + b"\x00" + dst_prime
    b0 = hashlib.sha256(msg_prime).digest()
    bi = hashlib.sha256(b0 + b"\x01" + dst_prime).digest()
    out = [bi]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, bi))
        bi = hashlib.sha256(mixed + bytes((i,)) + dst_prime).digest()
        out.append(bi)
    return b"".join(out)[:len_in_bytes]


def hash_to_field(msg: bytes, dst: bytes, count: int) -> list[int]:
    """RFC 9380 section 5.2 for F_p (m = 1, L = 48): ``count`` field elements."""
    uniform = expand_message_xmd(msg, dst, count * _L)
    return [int.from_bytes(uniform[i * _L : (i + 1) * _L], "big") % P for i in range(count)]


def _sgn0(x: int) -> int:
    return x & 1


def map_to_curve_simple_swu(u: int) -> tuple[int, int]:
    """RFC 9380 section 6.6.2 (straight-line form) onto E': a point (x', y') of E'."""
    u2 = u * u % P
    zu2 = Z * u2 % P
    tv1 = (zu2 * zu2 + zu2) % P
    tv1 = pow(tv1, -1, P) if tv1 else 0  # inv0
    x1 = _B_OVER_ZA if tv1 == 0 else _MINUS_B_OVER_A * (1 + tv1) % P
    gx1 = (x1 * x1 * x1 + A_PRIME * x1 + B_PRIME) % P
    # Steps 7-8 with one exponentiation: c = gx1^((p+1)/4) is a root of gx1 when gx1 is a
    # square, and a root of -gx1 otherwise (p = 3 mod 4). In the second case
    # gx2 = (Z u^2)^3 gx1 = (Z u^3)^2 * 11 * (-gx1) since Z = -11, so Z u^3 sqrt(11) c is a
    # root of gx2. Both outcomes are checked by squaring.
    c = pow(gx1, _SQRT_EXP, P)
    if c * c % P == gx1:
        x, y = x1, c
    else:
        x = zu2 * x1 % P
        y = Z * u2 * u % P * _SQRT_11 % P * c % P
        if y * y % P != (x * x * x + A_PRIME * x + B_PRIME) % P:  # pragma: no cover
            raise AssertionError("SSWU: neither candidate is on E'")
    if _sgn0(u) != _sgn0(y):
        y = (P - y) % P
    return x, y


def iso_map(x: int, y: int) -> tuple[int, int] | None:
    """The 3-isogeny E' -> secp256k1 of appendix E.1; None (identity) if a denominator is 0."""
    x2 = x * x % P
    x3 = x2 * x % P
    x_num = (_K1[3] * x3 + _K1[2] * x2 + _K1[1] * x + _K1[0]) % P
    x_den = (x2 + _K2[1] * x + _K2[0]) % P
    y_num = (_K3[3] * x3 + _K3[2] * x2 + _K3[1] * x + _K3[0]) % P
    y_den = (x3 + _K4[2] * x2 + _K4[1] * x + _K4[0]) % P
    if x_den == 0 or y_den == 0:
        return None
    inv = pow(x_den * y_den % P, -1, P)  # one inversion for both denominators
    return x_num * y_den % P * inv % P, y * y_num % P * x_den % P * inv % P


def map_to_curve(u: int) -> tuple[int, int] | None:
    """map_to_curve for this suite: SSWU onto E', then the isogeny. Affine, None = identity."""
    return iso_map(*map_to_curve_simple_swu(u))


def hash_to_curve(msg: bytes, dst: bytes, point_type: type[Point] = Point) -> Point:
    """RFC 9380 ``hash_to_curve`` for suite secp256k1_XMD:SHA-256_SSWU_RO_.

    ``point_type`` selects the backend (``Point`` = the active one). The result is uniformly
    distributed and nobody knows its discrete log to any other point.
    """
    u0, u1 = hash_to_field(msg, dst, 2)
    q0 = map_to_curve(u0)
    q1 = map_to_curve(u1)
    p0 = point_type.identity() if q0 is None else point_type.from_affine(*q0)
    p1 = point_type.identity() if q1 is None else point_type.from_affine(*q1)
    return p0 + p1  # clear_cofactor: h_eff = 1 for secp256k1
