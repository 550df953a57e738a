"""Generating the files of the primitives: expand_message_xmd, hash_to_curve, the
generators, the Fiat-Shamir transcript and Pedersen commitments (docs/spec.md 2-5).
"""

from __future__ import annotations

from typing import Any, Final

from zkpor.crypto.generators import (
    _DIGEST_LABEL,
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    GeneratorSet,
    generator_digest,
)
from zkpor.crypto.group import SUITE_ID, N, expand_message_xmd, random_scalar
from zkpor.crypto.group.params import P
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.statement import PROTOCOL as RANGEPROOF_PROTOCOL
from zkpor.crypto.transcript import TRANSCRIPT_DOMAIN
from zkpor.vectors.common import VectorFile, hexpt, hexsc, seed, seeded
from zkpor.vectors.gen_base import Json, _not_on_curve_x, _u32
from zkpor.vectors.outputs import (
    generator_digest_preimage,
    generator_outputs,
    hash_to_curve_outputs,
    replay_transcript,
    trace_proof,
)

__all__ = [
    "gen_expand_message_xmd",
    "gen_generators",
    "gen_hash_to_curve",
    "gen_pedersen",
    "gen_transcript",
]


# --- expand_message_xmd ------------------------------------------------------------------


def gen_expand_message_xmd(gens: GeneratorSet) -> Json:
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


# --- hash_to_curve -----------------------------------------------------------------------


def gen_hash_to_curve(gens: GeneratorSet) -> Json:
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


# --- generators --------------------------------------------------------------------------

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


def gen_generators(gens: GeneratorSet) -> Json:
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
    g = f.group("GeneratorDigestTest", label=_DIGEST_LABEL.hex())
    g.add(
        "the generator digest: SHA-256 of the preimage",
        ["Valid", "KnownAnswer"],
        "valid",
        preimage=generator_digest_preimage(gens).hex(),
        digest=generator_digest().hex(),
    )
    return f.to_json()


# --- transcript --------------------------------------------------------------------------


def _op(kind: str, label: bytes, **fields: str) -> Json:
    return {"op": kind, "label": label.hex(), **fields}


def _challenge(label: bytes) -> Json:
    return {"op": "challenge", "label": label.hex()}


def gen_transcript(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "transcript",
        "zkpor Fiat-Shamir transcript v1 (SHA-512, docs/spec.md section 5)",
        [
            "A protocol name and a sequence of operations; each challenge records the 64-byte",
            "digest and the challenge scalar (digest mod n). 'absorbed' is every byte the",
            "transcript hashed, challenges' digests included (empty for invalid tests, where",
            "the last operation must be refused).",
        ],
    )
    pt = gens.point_type
    g = f.group("TranscriptTest", hash="SHA-512", domain=TRANSCRIPT_DOMAIN.hex())

    def add(comment: str, flags: list[str], protocol: bytes, ops: list[Json]) -> None:
        g.add(
            comment,
            flags,
            "valid",
            protocol=protocol.hex(),
            **replay_transcript(TRANSCRIPT_DOMAIN, protocol, list(ops), pt),
        )

    def add_invalid(comment: str, flag: str, protocol: bytes, ops: list[Json]) -> None:
        try:
            replay_transcript(TRANSCRIPT_DOMAIN, protocol, list(ops), pt)
        except ValueError:
            pass
        else:  # pragma: no cover - generator sanity
            raise AssertionError(f"transcript vector {comment!r} is not refused")
        prefix: Any = replay_transcript(TRANSCRIPT_DOMAIN, protocol, list(ops[:-1]), pt)
        g.add(
            comment,
            [flag],
            "invalid",
            protocol=protocol.hex(),
            operations=[*prefix["operations"], ops[-1]],
            absorbed="",
        )

    gen_g = hexpt(gens.G)
    add(
        "docs/spec.md section 5 known answer",
        ["Valid", "KnownAnswer"],
        b"test-protocol",
        [
            _op("message", b"name", data=b"alice".hex()),
            _op("u64", b"n", value="64"),
            _op("point", b"G", point=gen_g),
            _op("scalar", b"s", value=hexsc(5)),
            _challenge(b"x"),
        ],
    )
    trace_values = [150000000, 7]
    blind_rng = seeded("transcript/statement/blindings")
    blindings = [random_scalar(blind_rng) for _ in range(2)]
    _, tr = trace_proof(trace_values, blindings, 64, seed("transcript/statement/prover"), gens)
    vs = [hexpt(commit(v, r, gens)) for v, r in zip(trace_values, blindings)]
    add(
        "the statement of a range proof (n = 64, m = 2) up to the challenges y and z",
        ["Valid", "RangeProofStatement"],
        RANGEPROOF_PROTOCOL,
        [
            _op("message", b"gens", data=generator_digest().hex()),
            _op("u64", b"n", value="64"),
            _op("u64", b"m", value="2"),
            _op("point", b"V", point=vs[0]),
            _op("point", b"V", point=vs[1]),
            _op("point", b"A", point=str(tr["A"])),
            _op("point", b"S", point=str(tr["S"])),
            _challenge(b"y"),
            _challenge(b"z"),
        ],
    )
    add(
        "three challenges with the same label, a message, a fourth",
        ["Valid", "Chaining"],
        b"chain",
        [
            _challenge(b"c"),
            _challenge(b"c"),
            _challenge(b"c"),
            _op("message", b"m", data=""),
            _challenge(b"c"),
        ],
    )
    add(
        "label 'ab', data 'c' (compare the next test)",
        ["Valid", "Framing"],
        b"framing",
        [_op("message", b"ab", data=b"c".hex()), _challenge(b"x")],
    )
    add(
        "label 'a', data 'bc' (compare the previous test)",
        ["Valid", "Framing"],
        b"framing",
        [_op("message", b"a", data=b"bc".hex()), _challenge(b"x")],
    )
    add(
        "empty protocol, empty label, empty data",
        ["Valid", "EdgeCase"],
        b"",
        [_op("message", b"", data=""), _challenge(b"")],
    )
    long_msg = seeded("transcript/long-message").randbytes(1000)
    add(
        "boundary values: u64 0 and 2^64 - 1, scalars 0 and n - 1, G and -G, a 1000-byte message",
        ["Valid", "EdgeCase"],
        b"edge-values",
        [
            _op("u64", b"zero", value="0"),
            _op("u64", b"max", value=str(2**64 - 1)),
            _op("scalar", b"zero", value=hexsc(0)),
            _op("scalar", b"max", value=hexsc(N - 1)),
            _op("point", b"G", point=gen_g),
            _op("point", b"-G", point=hexpt(-gens.G)),
            _challenge(b"c1"),
            _op("message", b"long", data=long_msg.hex()),
            _challenge(b"c2"),
        ],
    )
    add_invalid(
        "the identity appended as a point",
        "IdentityPoint",
        b"invalid",
        [_op("message", b"a", data="00"), _challenge(b"x"), _op("point", b"A", point="00" * 33)],
    )
    add_invalid(
        "a u64 of 2^64",
        "U64Overflow",
        b"invalid",
        [_op("u64", b"n", value=str(2**64))],
    )
    add_invalid(
        "a scalar equal to n",
        "NonCanonicalScalar",
        b"invalid",
        [_op("scalar", b"s", value=f"{N:064x}")],
    )
    add_invalid(
        "a scalar of 2^256 - 1",
        "NonCanonicalScalar",
        b"invalid",
        [_op("message", b"m", data="01"), _op("scalar", b"s", value="ff" * 32)],
    )
    return f.to_json()


# --- pedersen ----------------------------------------------------------------------------


def gen_pedersen(gens: GeneratorSet) -> Json:
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
