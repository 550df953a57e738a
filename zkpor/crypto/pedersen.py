"""Pedersen commitments: C = v*G + r*H.

``v`` is the committed value (an integer, taken mod n; balances are non-negative integers in
an asset's base unit), ``r`` the blinding scalar. G is the secp256k1 base point and H the
hash-to-curve blinding generator (:mod:`zkpor.crypto.generators`).

- Hiding: for uniformly random r, C is uniformly distributed whatever v is.
- Binding: opening C to two different (v, r) pairs reveals log_G(H), which nobody knows.
- Homomorphic: commit(v1, r1) + commit(v2, r2) = commit(v1 + v2, r1 + r2), which is what lets
  a Merkle sum tree add commitments and a solvency proof subtract them.

Spec: docs/spec/group-and-commitments.md (section 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, Point
from zkpor.errors import VerificationError

__all__ = [
    "Opening",
    "add_commitments",
    "commit",
    "commit_opening",
    "sub_commitments",
    "sum_openings",
    "verify_opening",
]


@dataclass(frozen=True, slots=True)
class Opening:
    """The secret behind a commitment: the value (exact integer) and blinding (mod n).

    Openings add and subtract like their commitments: ``commit_opening(a + b) ==
    commit_opening(a) + commit_opening(b)``. ``value`` stays an exact integer (it may become
    negative through subtraction; the commitment uses it mod n). Never log or print one.
    """

    value: int
    blinding: int

    def __post_init__(self) -> None:
        if not 0 <= self.blinding < N:
            object.__setattr__(self, "blinding", self.blinding % N)

    def __add__(self, other: Opening) -> Opening:
        return Opening(self.value + other.value, (self.blinding + other.blinding) % N)

    def __sub__(self, other: Opening) -> Opening:
        return Opening(self.value - other.value, (self.blinding - other.blinding) % N)

    def scaled(self, k: int) -> Opening:
        """The opening of ``k * C``."""
        return Opening(self.value * k, self.blinding * k % N)

    def __repr__(self) -> str:  # never print secrets by accident
        return "Opening(<secret>)"


def commit(value: int, blinding: int, gens: GeneratorSet | None = None) -> Point:
    """``value*G + blinding*H`` on the generator set's backend (the active one by default)."""
    g = gens or generators()
    return g.point_type.msm((value % N, blinding % N), (g.G, g.H))


def commit_opening(opening: Opening, gens: GeneratorSet | None = None) -> Point:
    """The commitment an opening opens."""
    return commit(opening.value, opening.blinding, gens)


def verify_opening(commitment: Point, opening: Opening, gens: GeneratorSet | None = None) -> None:
    """Raise VerificationError unless ``commitment == commit(opening)``."""
    if commit_opening(opening, gens) != commitment:
        raise VerificationError("commitment does not match the opening")


def add_commitments(commitments: Iterable[Point]) -> Point:
    """The sum of commitments: it opens to the sum of the openings."""
    cs = list(commitments)
    if not cs:
        return generators().point_type.identity()
    return type(cs[0]).sum(cs)


def sub_commitments(a: Point, b: Point) -> Point:
    """``a - b``: it opens to the difference of the openings."""
    return a - b


def sum_openings(openings: Iterable[Opening]) -> Opening:
    """The opening of the sum of the corresponding commitments."""
    total = Opening(0, 0)
    for o in openings:
        total = total + o
    return total
