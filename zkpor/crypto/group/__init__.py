"""The secp256k1 group: points, scalars, encodings, hash-to-curve, backends.

Public names::

    Point                 abstract point type; Point.from_bytes / generator / identity / msm
    N, P                  group order and field prime
    scalar_from_bytes     strict 32-byte scalar decoding; scalar_to_bytes
    random_scalar         uniformly random non-zero scalar (OS randomness or a test rng)
    hash_to_curve         RFC 9380 secp256k1_XMD:SHA-256_SSWU_RO_
    expand_message_xmd    RFC 9380 section 5.3.1 (SHA-256)
    msm                   multi-scalar multiplication on the points' backend
    get_backend, active_backend, available_backends

Spec: docs/spec/group-and-commitments.md (sections 1-2).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpor.crypto.group.backend import Backend, active_backend, available_backends, get_backend
from zkpor.crypto.group.hash_to_curve import (
    SUITE_ID,
    expand_message_xmd,
    hash_to_curve,
    hash_to_field,
)
from zkpor.crypto.group.params import N, P
from zkpor.crypto.group.point import IDENTITY_ENCODING, POINT_BYTES, Point
from zkpor.crypto.group.scalar import (
    batch_invert,
    random_scalar,
    scalar_from_bytes,
    scalar_invert,
    scalar_to_bytes,
)

__all__ = [
    "IDENTITY_ENCODING",
    "N",
    "P",
    "POINT_BYTES",
    "SUITE_ID",
    "Backend",
    "Point",
    "active_backend",
    "available_backends",
    "batch_invert",
    "expand_message_xmd",
    "get_backend",
    "hash_to_curve",
    "hash_to_field",
    "msm",
    "random_scalar",
    "scalar_from_bytes",
    "scalar_invert",
    "scalar_to_bytes",
]


def msm(scalars: Sequence[int], points: Sequence[Point]) -> Point:
    """``sum(s_i * P_i)`` on the backend of the points (the active one if there are none)."""
    if points:
        return type(points[0]).msm(scalars, points)
    if scalars:
        raise ValueError(f"msm: {len(scalars)} scalars for 0 points")
    return Point.identity()
