"""expand_message_xmd.json (RFC 9380 5.3.1 with SHA-256, docs/spec.md 2)."""

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
from zkpor.crypto.group import expand_message_xmd
from zkpor.vectors.checkers import CHECKERS


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "expand_message_xmd",
        "expand_message_xmd (RFC 9380 section 5.3.1, SHA-256)",
        [
            "expand_message_xmd with SHA-256 under zkpor's generator DST (docs/spec.md 2, 3),",
            "an oversize DST and an empty one. Inputs msg and dst, output uniform_bytes.",
        ],
    )
    messages = [
        (b"", ["Valid"]),
        (b"abc", ["Valid"]),
        (b"abcdef0123456789", ["Valid"]),
        (b"q128_" + b"q" * 128, ["Valid"]),
        (b"a512_" + b"a" * 512, ["Valid"]),
        (H_MESSAGE, ["Valid", "GeneratorMessage"]),
        (G_VECTOR_PREFIX + _u32(0), ["Valid", "GeneratorMessage"]),
        (H_VECTOR_PREFIX + _u32(0), ["Valid", "GeneratorMessage"]),
    ]
    g = f.group("ExpandMessageXmdTest", hash="SHA-256", dst=GENERATOR_DST.hex())
    for msg, flags in messages:
        for length in (32, 96):
            g.add(
                f"msg {msg[:24]!r}{'...' if len(msg) > 24 else ''}, {length} bytes"
                + (" (hash_to_field's length)" if length == 96 else ""),
                flags,
                "valid",
                msg=msg.hex(),
                len_in_bytes=length,
                uniform_bytes=expand_message_xmd(msg, GENERATOR_DST, length).hex(),
            )
    for length, comment in (
        (1, "one byte"),
        (33, "one byte into a second block"),
        (8160, "the maximum: 255 blocks"),
    ):
        g.add(
            f"msg 'abc', {length} bytes: {comment}",
            ["Valid", "EdgeCase"],
            "valid",
            msg=b"abc".hex(),
            len_in_bytes=length,
            uniform_bytes=expand_message_xmd(b"abc", GENERATOR_DST, length).hex(),
        )
    for length, comment in (
        (0, "an output length of 0"),
        (8161, "256 blocks: ell > 255"),
        (65535, "the largest 2-byte length, far above 8160"),
        (65536, "a length with no 2-byte encoding"),
    ):
        g.add(
            comment,
            ["InvalidLength"],
            "invalid",
            msg=b"abc".hex(),
            len_in_bytes=length,
            uniform_bytes="",
        )
    big_dst = b"ZKPOR-V01-CS01-oversize-DST-" + bytes(range(256))
    g = f.group("ExpandMessageXmdTest", hash="SHA-256", dst=big_dst.hex())
    for msg in (b"", b"abc"):
        for length in (32, 96):
            g.add(
                f"a {len(big_dst)}-byte DST, msg {msg!r}, {length} bytes",
                ["Valid", "OversizeDst"],
                "valid",
                msg=msg.hex(),
                len_in_bytes=length,
                uniform_bytes=expand_message_xmd(msg, big_dst, length).hex(),
            )
    g = f.group("ExpandMessageXmdTest", hash="SHA-256", dst="")
    g.add(
        "an empty DST", ["EmptyDst"], "invalid", msg=b"abc".hex(), len_in_bytes=32, uniform_bytes=""
    )
    return f.to_json()


NAME: Final = "expand_message_xmd"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of expand_message_xmd.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
