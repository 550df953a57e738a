"""Per-asset solvency: reserves R cover liabilities L (times a minimum ratio p/q), with L
hidden.

With C_L the root commitment of an asset's tree (it opens to L, blinding r_L), R the public
reserves total and p/q >= 1 the minimum ratio, everyone can form

    D = (q R) G - p C_L        which opens to  d = q R - p L,  blinding  -p r_L.

The prover shows d is in [0, 2^128): it splits d = d_lo + 2^64 d_hi, publishes
C_hi = d_hi G + r_hi H (r_hi random), and one aggregated 64-bit range proof over
(C_lo, C_hi) with C_lo = D - 2^64 C_hi, which everyone computes.

Why that proves q R >= p L: each root child is range-proven below 2^64, so L < k 2^64
<= 2^70 for arity k <= 64; with p, q < 2^32 and R < 2^64, |q R - p L| < 2^103, far below
n / 2. So d mod n in [0, 2^128) forces the integer q R - p L to be non-negative.

The prover (:mod:`zkpor.prover.solvency`) refuses (InsolventError) when q R < p L: no proof
of a false statement leaves it. This module holds the statement and the verifier.

The range proof's transcript also binds a ``context``: in a manifest, the manifest's statement
digest followed by the asset symbol (:func:`zkpor.formats.manifest.solvency_context`), so that no
field of the manifest (block heights, other assets' roots, addresses, ...) can be changed
without invalidating every solvency proof in it.

Spec: docs/spec/solvency-and-manifest.md (section 11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, Point
from zkpor.crypto.rangeproof import RangeProof, verify
from zkpor.errors import EncodingError, ParameterError, VerificationError
from zkpor.formats.identifiers import shown

__all__ = [
    "SolvencyProof",
    "parse_ratio",
    "SHIFT",
    "check_terms",
    "solvency_commitment",
    "verify_solvency",
]

SHIFT: Final[int] = 2**64
MAX_RATIO_TERM: Final[int] = 2**32 - 1
# Only ASCII white space is stripped (not U+00A0, U+2003, ...: str.strip() would).
_BLANKS: Final[str] = " \t\n\r\x0b\x0c"
_RATIO_TEXT: Final = re.compile(r"([0-9]{1,10})(?:\.([0-9]{1,10}))?|([0-9]{1,10})/([0-9]{1,10})")


def parse_ratio(text: str) -> tuple[int, int]:
    """A minimum reserve ratio such as "1", "1.05" or "21/20" as (p, q) in lowest terms;
    must be >= 1 with p, q < 2^32. Only plain digits are read: an integer part and an
    optional fraction of at most 10 digits each, or p/q of at most 10 digits each (no
    exponent, sign or spaces inside), so no input takes long to parse. Surrounding ASCII
    white space (space, tab, LF, CR, VT, FF) is ignored."""
    match = _RATIO_TEXT.fullmatch(text.strip(_BLANKS))
    if match is None:
        raise ParameterError(
            f"reserve ratio {shown(text, 40)!r} is not a number like 1.05 or 21/20 "
            "(at most 10 digits in each part)"
        )
    whole, frac, num, den = match.groups()
    if num is not None:
        if int(den) == 0:
            raise ParameterError("reserve ratio denominator must not be 0")
        value = Fraction(int(num), int(den))
    else:
        value = Fraction(int(whole + (frac or "")), 10 ** len(frac or ""))
    if value < 1:
        raise ParameterError("reserve ratio must be at least 1 (no fractional reserves)")
    if value.numerator > MAX_RATIO_TERM or value.denominator > MAX_RATIO_TERM:
        raise ParameterError("reserve ratio terms must be below 2^32")
    return value.numerator, value.denominator


@dataclass(frozen=True)
class SolvencyProof:
    """``c_hi`` (33 bytes) and the range proof over (C_lo, C_hi) (754 bytes)."""

    c_hi: Point
    range_proof: RangeProof

    def to_bytes(self) -> bytes:
        return self.c_hi.to_bytes() + self.range_proof.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes, point_type: type[Point] = Point) -> SolvencyProof:
        if len(data) < 33:
            raise EncodingError("solvency proof too short")
        c_hi = point_type.from_bytes(data[:33], allow_identity=True)
        return cls(c_hi, RangeProof.from_bytes(data[33:], point_type, bits=64, m=2))


def check_terms(reserves: int, p: int, q: int) -> None:
    if not 0 <= reserves < 2**64:
        raise ParameterError("reserves total must be in [0, 2^64)")
    if not (1 <= p <= MAX_RATIO_TERM and 1 <= q <= MAX_RATIO_TERM and p >= q):
        raise ParameterError("ratio p/q must satisfy 1 <= q <= p < 2^32")


def solvency_commitment(
    reserves: int,
    root_commitment: Point,
    p: int = 1,
    q: int = 1,
    gens: GeneratorSet | None = None,
    private: Point | None = None,
) -> Point:
    """D = (q R) G - p C_L, plus q C_P when private reserves commit C_P (11.9)."""
    g = gens or generators()
    d = g.G * (q * reserves % N) - root_commitment * p
    return d + private * q if private is not None else d


def verify_solvency(
    reserves: int,
    root_commitment: Point,
    proof: SolvencyProof,
    p: int = 1,
    q: int = 1,
    gens: GeneratorSet | None = None,
    *,
    context: bytes = b"",
    private: Point | None = None,
) -> None:
    """Raise VerificationError unless ``proof`` shows q R >= p L for C_L = root_commitment,
    made with the same ``context``; with ``private`` (C_P, opening to R_P < 2^64 as the
    private proof of assets shows), q (R + R_P) >= p L (11.9)."""
    try:
        check_terms(reserves, p, q)
    except ParameterError as exc:
        raise VerificationError(str(exc)) from None
    d = solvency_commitment(reserves, root_commitment, p, q, gens, private)
    c_lo = d - proof.c_hi * SHIFT
    if c_lo.is_identity() or proof.c_hi.is_identity():
        raise VerificationError("solvency commitments must not be the identity")
    verify(proof.range_proof, [c_lo, proof.c_hi], 64, context=context)
