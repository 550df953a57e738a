"""secp256k1 domain parameters and base-field helpers.

The curve is ``E: y^2 = x^3 + 7`` over ``F_p``, with a prime-order group of order ``n``
(cofactor 1). The constants are SEC 2 v2, section 2.4.1 (secp256k1), written out so that
nothing here imports py_ecc (the reference backend does); tests/test_params.py checks them
against py_ecc's and the curve equation.

Spec: docs/spec/group-and-commitments.md (sections 1-2).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "B",
    "FIELD_BYTES",
    "GX",
    "GY",
    "N",
    "P",
    "SCALAR_BYTES",
    "fe_is_square",
    "fe_sqrt",
]

P: Final[int] = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
"""The base-field prime p = 2^256 - 2^32 - 977."""

N: Final[int] = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""The group order n (prime)."""

B: Final[int] = 7
"""The curve coefficient b = 7 (a = 0)."""

GX: Final[int] = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
GY: Final[int] = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8

FIELD_BYTES: Final[int] = 32
SCALAR_BYTES: Final[int] = 32

_SQRT_EXP: Final[int] = (P + 1) // 4  # p = 3 (mod 4)
_LEGENDRE_EXP: Final[int] = (P - 1) // 2


def fe_sqrt(a: int) -> int | None:
    """A square root of ``a`` in F_p, or None when ``a`` is not a square.

    Since p = 3 (mod 4), ``a^((p+1)/4)`` is a root whenever one exists.
    """
    r = pow(a, _SQRT_EXP, P)
    return r if r * r % P == a % P else None


def fe_is_square(a: int) -> bool:
    """Whether ``a`` is a square in F_p (zero counts as a square)."""
    return a % P == 0 or pow(a, _LEGENDRE_EXP, P) == 1


def on_curve(x: int, y: int) -> bool:
    """Whether the affine point (x, y) with 0 <= x, y < p lies on secp256k1."""
    return (y * y - x * x * x - B) % P == 0
