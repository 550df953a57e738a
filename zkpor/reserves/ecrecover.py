"""ECDSA public-key recovery on secp256k1, shared by Bitcoin and Ethereum signatures.

Given a 32-byte digest ``e``, a signature ``(r, s)`` and a recovery id ``recid`` in 0..3,
the signer's key is (SEC 1 v2, 4.1.6)::

    x = r + (recid >> 1) * n          must be < p
    R = the curve point with abscissa x and y of parity (recid & 1)
    Q = r^-1 * (s * R - e * G)        (e taken mod n), must not be the identity

Rules, the same on every path (docs/spec/reserves.md, 10.3 and 10.4): ``1 <= r < n`` and
``1 <= s < n``, else the signature is refused before any arithmetic; ``s`` may be high
(``s > n/2``): the key recovered from ``(r, s, recid)`` equals the one from
``(r, n - s, recid ^ 1)``, and either shows control of the key; no x on the curve, ``x >= p``
or ``Q`` the identity is "does not recover a public key".

Two implementations with one answer:

- ``"coincurve"``: libsecp256k1's ``secp256k1_ecdsa_recover``
  (``PublicKey.from_signature_and_message(..., hasher=None)``), used when coincurve imports;
- ``"group"``: the formula above on zkpor's group API (:mod:`zkpor.crypto.group`, the active
  backend's ``Point``; pure Python on the reference backend), used when it does not.

:func:`using` forces one of them (tests and benchmarks compare them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Final

from zkpor.crypto.group import N, Point, active_backend
from zkpor.crypto.group.params import B, P, fe_sqrt
from zkpor.errors import VerificationError

__all__ = ["METHODS", "default_method", "recover_public_key", "using"]

METHODS: Final[tuple[str, ...]] = ("coincurve", "group")
NO_KEY: Final[str] = "signature does not recover a public key"

_forced: str | None = None
_coincurve_ok: bool | None = None
_g_tables: dict[type[Point], Point] = {}


def _have_coincurve() -> bool:
    global _coincurve_ok
    if _coincurve_ok is None:
        try:
            import coincurve  # noqa: F401
        except ImportError:
            _coincurve_ok = False
        else:
            _coincurve_ok = True
    return _coincurve_ok


def default_method() -> str:
    """The method :func:`recover_public_key` uses: forced by :func:`using`, else
    ``"coincurve"`` when it imports, else ``"group"``."""
    if _forced is not None:
        return _forced
    return "coincurve" if _have_coincurve() else "group"


@contextlib.contextmanager
def using(method: str) -> Iterator[None]:
    """Force ``method`` (one of :data:`METHODS`) inside the ``with`` block."""
    global _forced
    if method not in METHODS:
        raise ValueError(f"unknown recovery method {method!r}")
    if method == "coincurve" and not _have_coincurve():
        raise ValueError("coincurve is not available")
    before, _forced = _forced, method
    try:
        yield
    finally:
        _forced = before


def check_range(r: int, s: int) -> None:
    """Refuse ``r`` or ``s`` outside ``[1, n)``; raises VerificationError."""
    for name, v in (("r", r), ("s", s)):
        if v == 0:
            raise VerificationError(f"signature {name} is zero")
        if v >= N:
            raise VerificationError(f"signature {name} is not below the group order n")


def recover_public_key(
    digest: bytes,
    r: int,
    s: int,
    recid: int,
    *,
    method: str | None = None,
    point: type[Point] | None = None,
) -> tuple[int, int]:
    """The affine key ``Q`` whose signature of ``digest`` is ``(r, s)`` with ``recid``;
    ``method`` as :func:`default_method` when None, ``point`` the group backend's point
    class for the ``"group"`` method (the active backend's when None).

    Raises VerificationError for r or s out of range, a recovery id outside 0..3, and when
    no key is recovered (see module doc)."""
    if len(digest) != 32:
        raise ValueError("digest must be 32 bytes")
    check_range(r, s)
    if not 0 <= recid <= 3:
        raise VerificationError(f"recovery id {recid} out of range 0..3")
    x = r + (recid >> 1) * N
    if x >= P:
        raise VerificationError(NO_KEY)
    how = method or default_method()
    if how == "coincurve":
        return _recover_coincurve(digest, r, s, recid)
    if how == "group":
        return _recover_group(digest, x, r, s, recid, point or active_backend().Point)
    raise ValueError(f"unknown recovery method {how!r}")


def _recover_coincurve(digest: bytes, r: int, s: int, recid: int) -> tuple[int, int]:
    from coincurve import PublicKey

    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes((recid,))
    try:
        key = PublicKey.from_signature_and_message(sig, digest, hasher=None)
    except (ValueError, TypeError):
        raise VerificationError(NO_KEY) from None
    raw = key.format(compressed=False)
    return int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")


def _generator(pt: type[Point]) -> Point:
    g = _g_tables.get(pt)
    if g is None:
        g = _g_tables[pt] = pt.generator().precomputed()
    return g


def _recover_group(
    digest: bytes, x: int, r: int, s: int, recid: int, pt: type[Point]
) -> tuple[int, int]:
    y = fe_sqrt((x * x * x + B) % P)
    if y is None:
        raise VerificationError(NO_KEY)
    if (y & 1) != (recid & 1):
        y = P - y
    big_r = pt.from_affine(x, y)
    e = int.from_bytes(digest, "big") % N
    r_inv = pow(r, -1, N)
    u1 = (-e * r_inv) % N
    u2 = (s * r_inv) % N
    q = _generator(pt) * u1 + big_r * u2
    xy = q.to_affine()
    if xy is None:
        raise VerificationError(NO_KEY)
    return xy
