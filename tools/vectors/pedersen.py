"""pedersen.json: Pedersen commitments and openings (docs/spec.md 5)."""

from __future__ import annotations

from typing import Final

from tools.vectors.base import Json, VectorFile, _not_on_curve_x
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.group.params import P
from zkpor.crypto.pedersen import commit
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, seeded


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "pedersen",
        "zkpor Pedersen commitment v*G + r*H (docs/spec.md section 4)",
        [
            "Inputs value (decimal, below n), blinding (32-byte scalar) and commitment (33 bytes);",
            "valid when the commitment decodes and equals value*G + blinding*H. The output is",
            "the recomputed commitment.",
        ],
    )
    pt = gens.point_type
    g = f.group("PedersenCommitmentTest", g=hexpt(gens.G), h=hexpt(gens.H))

    def add(comment: str, flags: list[str], result: str, v: int, r: int, c: bytes) -> None:
        g.add(comment, flags, result, value=str(v), blinding=f"{r:064x}", commitment=c.hex())

    rng = seeded("pedersen/openings")
    cases: list[tuple[str, list[str], int, int]] = [
        ("value 0, blinding 1: H", ["Valid", "EdgeCase"], 0, 1),
        ("value 1, blinding 0: G", ["Valid", "EdgeCase"], 1, 0),
        ("value 1, blinding 1", ["Valid"], 1, 1),
        ("value 0, blinding n - 1: -H", ["Valid", "EdgeCase"], 0, N - 1),
        ("value 2^64 - 1", ["Valid", "EdgeCase"], 2**64 - 1, random_scalar(rng)),
        ("value n - 1 (a 'negative' one)", ["Valid", "EdgeCase"], N - 1, random_scalar(rng)),
        ("value 150000000 (1.5 BTC)", ["Valid"], 150000000, random_scalar(rng)),
    ]
    for i in range(6):
        v = int.from_bytes(rng.randbytes(8), "big")
        cases.append((f"seeded random 64-bit value {i}", ["Valid"], v, random_scalar(rng)))
    for comment, flags, v, r in cases:
        add(comment, flags, "valid", v, r, commit(v, r, gens).to_bytes())
    v, r = 150000000, random_scalar(rng)
    good = commit(v, r, gens).to_bytes()
    add(
        "commitment to value + 1",
        ["WrongValue"],
        "invalid",
        v,
        r,
        commit(v + 1, r, gens).to_bytes(),
    )
    add(
        "commitment to blinding + 1",
        ["WrongBlinding"],
        "invalid",
        v,
        r,
        commit(v, r + 1, gens).to_bytes(),
    )
    swapped = pt.msm((r, v), (gens.G, gens.H)).to_bytes()
    add("r*G + v*H", ["SwappedGenerators"], "invalid", v, r, swapped)
    negated = bytes((good[0] ^ 1,)) + good[1:]
    add("the negated commitment (other prefix)", ["WrongValue"], "invalid", v, r, negated)
    add("prefix 0x04", ["InvalidPointEncoding"], "invalid", v, r, b"\x04" + good[1:])
    add(
        "prefix 0x00 with a non-zero x",
        ["InvalidPointEncoding"],
        "invalid",
        v,
        r,
        b"\x00" + good[1:],
    )
    add("x = p", ["InvalidPointEncoding"], "invalid", v, r, b"\x02" + P.to_bytes(32, "big"))
    add(
        "x with no point on the curve",
        ["InvalidPointEncoding"],
        "invalid",
        v,
        r,
        b"\x02" + _not_on_curve_x(),
    )
    g.add(
        "blinding encoded as r + n",
        ["NonCanonicalScalar"],
        "invalid",
        value="1",
        blinding=f"{N + 1:064x}",
        commitment=commit(1, 1, gens).to_bytes().hex(),
    )
    add("value 0, blinding 0: the identity", ["IdentityPoint"], "invalid", 0, 0, bytes(33))
    return f.to_json()


NAME: Final = "pedersen"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of pedersen.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
