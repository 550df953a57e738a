"""pedersen.json: Pedersen commitments and openings (docs/spec/ section 4,
group-and-commitments.md).

Cases as tables: :data:`OPENINGS` (a value and a blinding, ``None`` for one drawn from the
seed ``pedersen/openings``) followed by seeded random values, then :data:`BAD_COMMITMENTS`,
each a commitment that must not be accepted for the opening of 1.5 BTC (or its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

from tools.vectors.base import Group, Json, VectorFile, _not_on_curve_x
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.group.params import P
from zkpor.crypto.pedersen import commit
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, seeded

HEADER: Final[list[str]] = [
    "Inputs value (decimal, below n), blinding (32-byte scalar) and commitment (33 bytes);",
    "valid when the commitment decodes and equals value*G + blinding*H. The output is",
    "the recomputed commitment.",
]


class Opening(NamedTuple):
    """A valid test: ``blinding`` None draws one from the seeded stream, in table order."""

    comment: str
    flags: tuple[str, ...]
    value: int
    blinding: int | None = None


OPENINGS: Final[tuple[Opening, ...]] = (
    Opening("value 0, blinding 1: H", ("Valid", "EdgeCase"), 0, 1),
    Opening("value 1, blinding 0: G", ("Valid", "EdgeCase"), 1, 0),
    Opening("value 1, blinding 1", ("Valid",), 1, 1),
    Opening("value 0, blinding n - 1: -H", ("Valid", "EdgeCase"), 0, N - 1),
    Opening("value 2^64 - 1", ("Valid", "EdgeCase"), 2**64 - 1),
    Opening("value n - 1 (a 'negative' one)", ("Valid", "EdgeCase"), N - 1),
    Opening("value 150000000 (1.5 BTC)", ("Valid",), 150000000),
)

SEEDED_RANDOM_OPENINGS: Final = 6

# the opening the bad commitments are shown with (its blinding drawn after the valid ones)
BAD_VALUE: Final = 150000000

# a commitment from (generators, value, blinding)
CommitmentOf = Callable[[GeneratorSet, int, int], bytes]


def _commitment(gens: GeneratorSet, v: int, r: int) -> bytes:
    return commit(v, r, gens).to_bytes()


def _negated(gens: GeneratorSet, v: int, r: int) -> bytes:
    """-(v*G + r*H): the same x with the other prefix."""
    good = _commitment(gens, v, r)
    return bytes((good[0] ^ 1,)) + good[1:]


class BadCommitment(NamedTuple):
    """An invalid test: ``commitment`` shown for the opening (``opening`` if given, else
    :data:`BAD_VALUE` with the drawn blinding)."""

    comment: str
    flag: str
    commitment: CommitmentOf
    opening: tuple[int, int] | None = None


BAD_COMMITMENTS: Final[tuple[BadCommitment, ...]] = (
    BadCommitment(
        "commitment to value + 1", "WrongValue", lambda gens, v, r: _commitment(gens, v + 1, r)
    ),
    BadCommitment(
        "commitment to blinding + 1",
        "WrongBlinding",
        lambda gens, v, r: _commitment(gens, v, r + 1),
    ),
    BadCommitment(
        "r*G + v*H",
        "SwappedGenerators",
        lambda gens, v, r: gens.point_type.msm((r, v), (gens.G, gens.H)).to_bytes(),
    ),
    BadCommitment("the negated commitment (other prefix)", "WrongValue", _negated),
    BadCommitment(
        "prefix 0x04",
        "InvalidPointEncoding",
        lambda gens, v, r: b"\x04" + _commitment(gens, v, r)[1:],
    ),
    BadCommitment(
        "prefix 0x00 with a non-zero x",
        "InvalidPointEncoding",
        lambda gens, v, r: b"\x00" + _commitment(gens, v, r)[1:],
    ),
    BadCommitment("x = p", "InvalidPointEncoding", lambda *_: b"\x02" + P.to_bytes(32, "big")),
    BadCommitment(
        "x with no point on the curve",
        "InvalidPointEncoding",
        lambda *_: b"\x02" + _not_on_curve_x(),
    ),
    BadCommitment(
        "blinding encoded as r + n",
        "NonCanonicalScalar",
        lambda gens, v, r: _commitment(gens, 1, 1),
        opening=(1, N + 1),
    ),
    BadCommitment(
        "value 0, blinding 0: the identity", "IdentityPoint", lambda *_: bytes(33), opening=(0, 0)
    ),
)


def _add(g: Group, comment: str, flags: list[str], result: str, v: int, r: int, c: bytes) -> None:
    g.add(comment, flags, result, value=str(v), blinding=f"{r:064x}", commitment=c.hex())


def _drawn_openings(rng: SeededRandom) -> list[tuple[Opening, int]]:
    """The valid tests with their blindings: :data:`OPENINGS` (a missing blinding drawn, in
    table order), then the seeded random values (each a value, then its blinding)."""
    out = [(o, random_scalar(rng) if o.blinding is None else o.blinding) for o in OPENINGS]
    for i in range(SEEDED_RANDOM_OPENINGS):
        v = int.from_bytes(rng.randbytes(8), "big")
        out.append((Opening(f"seeded random 64-bit value {i}", ("Valid",), v), random_scalar(rng)))
    return out


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "pedersen", "zkpor Pedersen commitment v*G + r*H (docs/spec.md section 4)", HEADER
    )
    g = f.group("PedersenCommitmentTest", g=hexpt(gens.G), h=hexpt(gens.H))
    rng = seeded("pedersen/openings")
    for o, r in _drawn_openings(rng):
        _add(g, o.comment, list(o.flags), "valid", o.value, r, _commitment(gens, o.value, r))
    r = random_scalar(rng)
    for bad in BAD_COMMITMENTS:
        v, shown_r = bad.opening or (BAD_VALUE, r)
        _add(g, bad.comment, [bad.flag], "invalid", v, shown_r, bad.commitment(gens, BAD_VALUE, r))
    return f.to_json()


NAME: Final = "pedersen"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of pedersen.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
