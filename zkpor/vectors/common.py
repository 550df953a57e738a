"""What the vector checker (and the generator, tools/vectors) share: names, encodings, seeds.

Every vector file follows the layout of C2SP/wycheproof: a top-level object with
``algorithm``, ``schema`` (the file name of its JSON Schema in ``vectors/schemas/``),
``numberOfTests``, ``header`` (lines of text), ``notes`` (flag -> description) and
``testGroups``; each group has a ``type``, its parameters and ``tests``; each test a
``tcId`` (1, 2, ... through the file), a ``comment``, ``flags``, its inputs and outputs, and
``result`` (``valid`` or ``invalid``). Byte strings are lowercase hex without ``0x``,
integers that may exceed 2^53 are decimal strings. docs/vectors.md describes every file.
"""

from __future__ import annotations

from typing import Final

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.group import Point, scalar_to_bytes

__all__ = [
    "FILE_NAMES",
    "SEED_PREFIX",
    "VECTORS_VERSION",
    "hexpt",
    "hexsc",
    "seed",
    "seeded",
]

VECTORS_VERSION: Final[str] = "zkpor-vectors-v2"
SEED_PREFIX: Final[bytes] = b"zkpor-vectors-v1/"

# The files, in generation and report order.
FILE_NAMES: Final[tuple[str, ...]] = (
    "expand_message_xmd",
    "hash_to_curve",
    "generators",
    "transcript",
    "pedersen",
    "rangeproof",
    "rangeproof_trace",
    "r1cs",
    "sumtree",
    "inclusion",
    "solvency",
    "manifest",
    "margin",
    "ratio",
    "zkpi",
    "inclusion_exchange",
    "reserves",
    "audit",
    "strict_json",
    "multisig",
    "private_assets",
)


def seed(purpose: str) -> bytes:
    """The DRBG seed of one use: ``"zkpor-vectors-v1/" || purpose`` (ASCII)."""
    return SEED_PREFIX + purpose.encode()


def seeded(purpose: str) -> SeededRandom:
    """A fresh :class:`~zkpor.crypto.drbg.SeededRandom` on :func:`seed` ``(purpose)``."""
    return SeededRandom(seed(purpose))


def hexsc(s: int) -> str:
    """A scalar as 64 lowercase hex digits (requires 0 <= s < n)."""
    return scalar_to_bytes(s).hex()


def hexpt(p: Point) -> str:
    """A point as the 66 hex digits of its 33-byte encoding."""
    return p.to_bytes().hex()
