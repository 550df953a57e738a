"""hash_to_curve.json (secp256k1_XMD:SHA-256_SSWU_RO_, docs/spec.md 2)."""

from __future__ import annotations

from typing import Final

from tools.vectors.base import Json, VectorFile, _u32
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import (
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    GeneratorSet,
)
from zkpor.crypto.group import SUITE_ID
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import seeded
from zkpor.vectors.outputs import hash_to_curve_outputs


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "hash_to_curve",
        "hash_to_curve secp256k1_XMD:SHA-256_SSWU_RO_ (RFC 9380)",
        [
            "hash_to_curve under zkpor's generator DST (docs/spec.md 2, 3). Input msg; outputs",
            "u0, u1 (hash_to_field, 32-byte field elements), q0, q1 (map_to_curve of each, after",
            "the 3-isogeny) and p = q0 + q1, points as 33-byte SEC1 compressed encodings.",
        ],
    )
    pt = gens.point_type
    g = f.group("HashToCurveTest", suite=SUITE_ID.decode(), dst=GENERATOR_DST.hex())
    for msg in (b"", b"abc", b"abcdef0123456789", b"q128_" + b"q" * 128, b"a512_" + b"a" * 512):
        g.add(
            f"msg {msg[:24]!r}",
            ["Valid"],
            "valid",
            msg=msg.hex(),
            **hash_to_curve_outputs(msg, GENERATOR_DST, pt),
        )
    gen_msgs = [("H", H_MESSAGE)]
    for i in range(4):
        gen_msgs += [(f"G_{i}", G_VECTOR_PREFIX + _u32(i)), (f"H_{i}", H_VECTOR_PREFIX + _u32(i))]
    for name, msg in gen_msgs:
        g.add(
            f"the message of generator {name}",
            ["Valid", "GeneratorMessage"],
            "valid",
            msg=msg.hex(),
            **hash_to_curve_outputs(msg, GENERATOR_DST, pt),
        )
    rng = seeded("hash_to_curve/messages")
    for i in range(8):
        msg = rng.randbytes(1 + rng.randbytes(1)[0] % 64)
        g.add(
            f"seeded random message {i}",
            ["Valid"],
            "valid",
            msg=msg.hex(),
            **hash_to_curve_outputs(msg, GENERATOR_DST, pt),
        )
    g = f.group("HashToCurveTest", suite=SUITE_ID.decode(), dst="")
    g.add(
        "an empty DST", ["EmptyDst"], "invalid", msg=b"abc".hex(), u0="", u1="", q0="", q1="", p=""
    )
    return f.to_json()


NAME: Final = "hash_to_curve"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of hash_to_curve.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
