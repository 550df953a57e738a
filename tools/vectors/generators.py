"""generators.json: G, H, the vector generators G_i and H_i and the generator digest
(docs/spec.md 3).
"""

from __future__ import annotations

from typing import Final

from tools.vectors.base import Json, VectorFile
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import (
    DIGEST_LABEL,
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    GeneratorSet,
    generator_digest,
)
from zkpor.crypto.group import SUITE_ID
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.outputs import generator_digest_preimage, generator_outputs

VECTOR_INDICES: Final[list[int]] = [
    *range(64),
    64,
    127,
    128,
    255,
    256,
    511,
    512,
    1023,
    1024,
    4095,
    65535,
    65536,
    2**31 - 1,
    2**31,
    2**32 - 1,
]


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "generators",
        "zkpor generator set v1 (docs/spec.md section 3)",
        [
            "G, H, G_i and H_i: name, index (null for G and H), the message hashed (null for G,",
            "the curve's base point) and the point (33 bytes); and the generator digest with its",
            "preimage. Range proofs over n*m bits use G_0..G_(nm-1) and H_0..H_(nm-1).",
        ],
    )
    g = f.group(
        "GeneratorTest",
        suite=SUITE_ID.decode(),
        dst=GENERATOR_DST.hex(),
        h_message=H_MESSAGE.hex(),
        g_prefix=G_VECTOR_PREFIX.hex(),
        h_prefix=H_VECTOR_PREFIX.hex(),
    )
    g.add(
        "G, the secp256k1 base point",
        ["Valid"],
        "valid",
        name="G",
        index=None,
        **generator_outputs("G", None, gens),
    )
    g.add(
        'H = hash_to_curve("zkpor:pedersen:H", DST)',
        ["Valid", "KnownAnswer"],
        "valid",
        name="H",
        index=None,
        **generator_outputs("H", None, gens),
    )
    for name in ("G_i", "H_i"):
        for i in VECTOR_INDICES:
            flags = ["Valid"] if i < 1024 else ["Valid", "LargeIndex"]
            g.add(
                f"{name[0]}_{i}",
                flags,
                "valid",
                name=name,
                index=i,
                **generator_outputs(name, i, gens),
            )
    g = f.group("GeneratorDigestTest", label=DIGEST_LABEL.hex())
    g.add(
        "the generator digest: SHA-256 of the preimage",
        ["Valid", "KnownAnswer"],
        "valid",
        preimage=generator_digest_preimage(gens).hex(),
        digest=generator_digest().hex(),
    )
    return f.to_json()


NAME: Final = "generators"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of generators.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
