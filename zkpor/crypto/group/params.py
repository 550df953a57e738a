"""secp256k1 domain parameters and base-field helpers.

The curve is ``E: y^2 = x^3 + 7`` over ``F_p``, with a prime-order group of order ``n``
(cofactor 1). The constants are taken from py_ecc (``py_ecc.secp256k1``), which in turn
follows SEC 2 v2, section 2.4.1; tests check them against the published values.
"""

from __future__ import annotations

import sys
from typing import Final

_limit = sys.getrecursionlimit()
from py_ecc.secp256k1 import secp256k1 as _curve  # noqa: E402  (it raises the recursion limit)

sys.setrecursionlimit(_limit)  # py_ecc sets 100000, which lets C code (json) overflow its stack

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

P: Final[int] = int(_curve.P)
"""The base-field prime p = 2^256 - 2^32 - 977."""

N: Final[int] = int(_curve.N)
"""The group order n (prime)."""

B: Final[int] = int(_curve.B)
"""The curve coefficient b = 7 (a = 0)."""

GX: Final[int] = int(_curve.Gx)
GY: Final[int] = int(_curve.Gy)

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
