"""Generating the vector files: one function per file, all deterministic.

Every random value (blindings, prover randomness, sample values) comes from
:class:`~zkpor.drbg.SeededRandom` on a seed ``"zkpor-vectors-v1/" || purpose`` (ASCII); the
manifest's timestamp is fixed; files are written with sorted keys, two-space indentation and
a final newline. The output is the same on every backend: ``generate_dir`` on a clean
checkout reproduces the committed ``vectors/`` byte for byte.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from ..amounts import format_units
from ..drbg import SeededRandom
from ..generators import (
    _DIGEST_LABEL,
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    GeneratorSet,
    generator_digest,
    generators,
)
from ..group import SUITE_ID, Backend, N, Point, expand_message_xmd, get_backend, random_scalar
from ..group.params import P
from ..models import InclusionProof
from ..pedersen import Opening, commit
from ..proofcodec import encode_inclusion
from ..rangeproof import proof_size
from ..rangeproof.prover import _prove
from ..rangeproof.statement import PROTOCOL as RANGEPROOF_PROTOCOL
from ..sumtree import child_chunks, leaf_hash, level_sizes, node_hash
from ..transcript import TRANSCRIPT_DOMAIN
from .check import (
    generator_digest_preimage,
    generator_outputs,
    hash_to_curve_outputs,
    replay_transcript,
    trace_proof,
    tree_outputs,
)
from .common import (
    FILE_NAMES,
    SEED_PREFIX,
    VECTORS_VERSION,
    Group,
    VectorFile,
    hexpt,
    hexsc,
    render,
    seed,
    seeded,
)
from .margin import gen_margin
from .r1cs import gen_r1cs
from .schema import schema_text
from .tree import Tree, build_tree, roots_json

__all__ = ["GENERATORS", "generate_dir", "generate_file", "readme_text"]

Json = dict[str, Any]

MASTER: Final[bytes] = bytes(range(32))
RUN_NONCE: Final[bytes] = bytes(range(0x20, 0x40))  # a real run draws it from the OS
ROUND_A: Final[str] = "2026-11-30"
ROUND_B: Final[str] = "2026-12-31"
EXCHANGE: Final[str] = "Example Exchange"
CREATED: Final[str] = "2026-11-30T00:00:00Z"
BTC_CUSTOMERS: Final[list[tuple[str, int]]] = [
    ("alice", 150000000),
    ("bob", 25000000),
    ("carol", 0),
    ("dave", 3000000),
    ("erin", 12345678),
    ("frank", 1),
    ("grace", 9999999),
]
ETH_CUSTOMERS: Final[list[tuple[str, int]]] = [("alice", 12500000000), ("bob", 3250000000)]
USDT_CUSTOMERS: Final[list[tuple[str, int]]] = [("alice", 1000000), ("bob", 5), ("carol", 7)]


def _u32(i: int) -> bytes:
    return i.to_bytes(4, "big")


def _offsets(k: int) -> dict[str, int]:
    """Byte offsets of a range proof's fields (docs/spec.md 6.4), k rounds."""
    size = 292 + 66 * k
    out = {"A": 0, "S": 33, "T1": 66, "T2": 99, "t_x": 132, "tau_x": 164, "mu": 196}
    for i in range(k):
        out[f"L[{i}]"] = 228 + 66 * i
        out[f"R[{i}]"] = 261 + 66 * i
    out["a"] = size - 64
    out["b"] = size - 32
    return out


def _splice(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _point_plus_g(data: bytes, offset: int, pt: type[Point]) -> bytes:
    p = pt.from_bytes(data[offset : offset + 33])
    return _splice(data, offset, (p + pt.generator()).to_bytes())


def _scalar_plus_one(data: bytes, offset: int) -> bytes:
    s = int.from_bytes(data[offset : offset + 32], "big")
    return _splice(data, offset, ((s + 1) % N).to_bytes(32, "big"))


def _not_on_curve_x() -> bytes:
    """The smallest x >= 1 with no point on secp256k1 (x^3 + 7 a non-square)."""
    x = 1
    while pow((x**3 + 7) % P, (P - 1) // 2, P) == 1:
        x += 1
    return x.to_bytes(32, "big")


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


# --- range proofs ------------------------------------------------------------------------


def _proof_case(
    values: list[int], bits: int, tag: str, gens: GeneratorSet, *, check_range: bool = True
) -> Json:
    """A seeded proof: blindings from seed tag/blindings, prover randomness from tag/prover."""
    rng = seeded(f"{tag}/blindings")
    blindings = [random_scalar(rng) for _ in values]
    prover_seed = seed(f"{tag}/prover")
    proof = _prove(
        values, blindings, bits, rng=SeededRandom(prover_seed), gens=gens, check_range=check_range
    )
    return {
        "values": [str(v) for v in values],
        "blindings": [hexsc(b) for b in blindings],
        "seed": prover_seed.hex(),
        "commitments": [hexpt(commit(v, b, gens)) for v, b in zip(values, blindings)],
        "proof": proof.to_bytes().hex(),
    }


RANGEPROOF_BITS: Final[tuple[int, ...]] = (8, 16, 32, 64)
RANGEPROOF_M: Final[tuple[int, ...]] = (1, 2, 4, 16)


def _edge_values(bits: int, m: int) -> list[int]:
    top = 2**bits - 1
    pattern = [0, top, 1, 2 ** (bits - 1), top - 1, 2 ** (bits - 1) - 1, 2, 3]
    return [pattern[i % len(pattern)] for i in range(m)]


def gen_rangeproof(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "rangeproof",
        "zkpor range proof v1: aggregated Bulletproofs on secp256k1 (docs/spec.md section 6)",
        [
            "Group parameters n (bits) and m (the number of commitments, which the verifier",
            "takes from its own context). Inputs commitments and proof; valid tests add the",
            "openings (values, blindings) and the prover's DRBG seed, with which the seeded",
            "prover reproduces the proof byte for byte.",
        ],
    )
    pt = gens.point_type
    groups = {
        (n, m): f.group("RangeProofVerify", n=n, m=m) for n in RANGEPROOF_BITS for m in RANGEPROOF_M
    }
    base: dict[tuple[int, int], Json] = {}
    for n in RANGEPROOF_BITS:
        for m in RANGEPROOF_M:
            rng = seeded(f"rangeproof/{n}/{m}/values")
            values = [int.from_bytes(rng.randbytes(8), "big") % 2**n for _ in range(m)]
            case = _proof_case(values, n, f"rangeproof/{n}/{m}/random", gens)
            base[(n, m)] = case
            groups[(n, m)].add(
                f"n = {n}, m = {m}, seeded random values", ["Valid", "SeededProof"], "valid", **case
            )
            case = _proof_case(_edge_values(n, m), n, f"rangeproof/{n}/{m}/edge", gens)
            groups[(n, m)].add(
                f"n = {n}, m = {m}, boundary values (0, 2^n - 1, ...)",
                ["Valid", "SeededProof", "EdgeCase"],
                "valid",
                **case,
            )

    def invalid(
        n: int,
        m: int,
        comment: str,
        flags: list[str],
        commitments: list[str],
        proof: bytes,
        **extra: object,
    ) -> None:
        groups[(n, m)].add(
            comment, flags, "invalid", commitments=commitments, proof=proof.hex(), **extra
        )

    for n, m in ((64, 2), (8, 1)):
        case = base[(n, m)]
        cs = list(case["commitments"])
        data = bytes.fromhex(str(case["proof"]))
        k = (n * m).bit_length() - 1
        off = _offsets(k)
        point_fields = ["A", "S", "T1", "T2", "L[0]", "R[0]", f"L[{k - 1}]", f"R[{k - 1}]"]
        scalar_fields = ["t_x", "tau_x", "mu", "a", "b"]
        if (n, m) == (8, 1):
            point_fields, scalar_fields = ["A", "L[0]"], ["t_x", "a"]
        for name in point_fields:
            invalid(
                n,
                m,
                f"{name} replaced by {name} + G",
                ["TamperedField"],
                cs,
                _point_plus_g(data, off[name], pt),
            )
        for name in scalar_fields:
            invalid(
                n,
                m,
                f"{name} replaced by {name} + 1",
                ["TamperedField"],
                cs,
                _scalar_plus_one(data, off[name]),
            )
        ident_fields = ["A", "S", "T1", "T2", "L[0]", "R[0]"] if n == 64 else ["A"]
        for name in ident_fields:
            invalid(
                n,
                m,
                f"{name} is the identity",
                ["IdentityPoint"],
                cs,
                _splice(data, off[name], bytes(33)),
            )
        if n == 64:
            for name, value in (
                ("t_x", N),
                ("tau_x", N + 1),
                ("mu", 2**256 - 1),
                ("a", N),
                ("b", N + 5),
            ):
                invalid(
                    n,
                    m,
                    f"{name} encoded as a value >= n",
                    ["NonCanonicalScalar"],
                    cs,
                    _splice(data, off[name], value.to_bytes(32, "big")),
                )
            a_bytes = data[:33]
            for comment, enc in (
                ("A with prefix 0x04", b"\x04" + a_bytes[1:]),
                ("A with prefix 0x00 and a non-zero x", b"\x00" + a_bytes[1:]),
                ("A with x = p", a_bytes[:1] + P.to_bytes(32, "big")),
                ("A with an x off the curve", a_bytes[:1] + _not_on_curve_x()),
            ):
                invalid(n, m, comment, ["InvalidPointEncoding"], cs, _splice(data, 0, enc))
            invalid(
                n,
                m,
                "commitment 0 with prefix 0x05",
                ["InvalidPointEncoding"],
                ["05" + cs[0][2:], cs[1]],
                data,
            )
            invalid(
                n, m, "commitment 0 is the identity", ["IdentityPoint"], ["00" * 33, cs[1]], data
            )
            invalid(n, m, "commitments swapped", ["ModifiedCommitment"], [cs[1], cs[0]], data)
            c0 = pt.from_bytes(bytes.fromhex(cs[0]))
            invalid(
                n,
                m,
                "commitment 0 + G (value + 1)",
                ["ModifiedCommitment"],
                [hexpt(c0 + gens.G), cs[1]],
                data,
            )
            invalid(
                n,
                m,
                "commitment 1 negated",
                ["ModifiedCommitment"],
                [cs[0], hexpt(-pt.from_bytes(bytes.fromhex(cs[1])))],
                data,
            )
            invalid(
                n,
                m,
                "commitment 0 replaced by commitment 1",
                ["ModifiedCommitment"],
                [cs[1], cs[1]],
                data,
            )
        for comment, bad in (
            ("truncated by one byte", data[:-1]),
            ("one byte appended", data + b"\x00"),
            (
                "the last round (L, R) repeated",
                data[: off["a"]] + data[off["a"] - 66 : off["a"]] + data[off["a"] :],
            ),
            ("the last round removed", data[: off["a"] - 66] + data[off["a"] :]),
            ("empty", b""),
        ):
            invalid(n, m, f"proof {comment}", ["WrongLength"], cs, bad)
    # wrong m: the verifier's m is the number of commitments it is given
    c64_2 = base[(64, 2)]
    p64_2 = bytes.fromhex(str(c64_2["proof"]))
    cs64_2 = list(c64_2["commitments"])
    invalid(
        64,
        1,
        "a proof for m = 2 checked with its first commitment only",
        ["WrongM", "WrongLength"],
        cs64_2[:1],
        p64_2,
    )
    invalid(
        64,
        4,
        "a proof for m = 2 checked with its commitments twice",
        ["WrongM", "WrongLength"],
        cs64_2 * 2,
        p64_2,
    )
    c64_1 = base[(64, 1)]
    p64_1 = bytes.fromhex(str(c64_1["proof"]))
    cs64_1 = list(c64_1["commitments"])
    invalid(
        64,
        2,
        "a proof for m = 1 checked with its commitment twice",
        ["WrongM", "WrongLength"],
        cs64_1 * 2,
        p64_1,
    )
    # wrong n
    invalid(
        32, 1, "a proof for n = 64 checked with n = 32", ["WrongN", "WrongLength"], cs64_1, p64_1
    )
    c8_1 = base[(8, 1)]
    invalid(
        16,
        1,
        "a proof for n = 8 checked with n = 16",
        ["WrongN", "WrongLength"],
        list(c8_1["commitments"]),
        bytes.fromhex(str(c8_1["proof"])),
    )
    invalid(
        32, 2, "a proof for n = 64 checked with n = 32", ["WrongN", "WrongLength"], cs64_2, p64_2
    )
    c16_2 = base[(16, 2)]
    invalid(
        32,
        1,
        "a proof for n = 16, m = 2 checked as n = 32, m = 1 (same length: k = 5)",
        ["WrongN", "WrongM"],
        list(c16_2["commitments"])[:1],
        bytes.fromhex(str(c16_2["proof"])),
    )
    c32_2 = base[(32, 2)]
    invalid(
        64,
        1,
        "a proof for n = 32, m = 2 checked as n = 64, m = 1 (same length: k = 6)",
        ["WrongN", "WrongM"],
        list(c32_2["commitments"])[:1],
        bytes.fromhex(str(c32_2["proof"])),
    )
    c16_4 = base[(16, 4)]
    invalid(
        32,
        2,
        "a proof for n = 16, m = 4 checked as n = 32, m = 2 with two of its commitments (k = 6)",
        ["WrongN", "WrongM"],
        list(c16_4["commitments"])[:2],
        bytes.fromhex(str(c16_4["proof"])),
    )
    # values out of range, from a prover without its range check
    for i, (n, m, values, comment) in enumerate(
        (
            (8, 1, [256], "value 2^8"),
            (16, 1, [2**16 + 3], "value 2^16 + 3"),
            (32, 1, [2**32], "value 2^32"),
            (64, 1, [2**64], "value 2^64"),
            (64, 1, [N - 1], "value n - 1 (-1)"),
            (64, 2, [5, N - 150000000], "values 5 and n - 150000000 (-1.5 BTC)"),
            (64, 2, [2**64 + 7, 3], "values 2^64 + 7 and 3"),
            (8, 4, [1, 2, 300, 3], "values 1, 2, 300, 3"),
            (64, 16, [*range(15), 2**65], "fifteen small values and 2^65"),
        )
    ):
        tag = f"rangeproof/{n}/{m}/out-of-range-{i}"
        case = _proof_case(values, n, tag, gens, check_range=False)
        groups[(n, m)].add(
            f"{comment}: made without the range check",
            ["ValueOutOfRange"],
            "invalid",
            **case,
        )
    return f.to_json()


def gen_rangeproof_trace(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "rangeproof_trace",
        "zkpor range proof v1: prover intermediate values (docs/spec.md 6.2, 6.3)",
        [
            "Seeded proofs with every intermediate value, to find where an implementation",
            "diverges: the prover's random draws in DRBG order (alpha, s_l, s_r, rho, tau1,",
            "tau2), A, S, y, z, t1, t2, T1, T2, x, t_x, tau_x, mu, w, the inner-product inputs",
            "l = l(x) and r = r(x), each round's size, L, R, u, the final a, b, and delta(y, z).",
        ],
    )
    for n, values in ((8, [200]), (8, [0, 255]), (64, [150000000]), (64, [150000000, 2**64 - 1])):
        m = len(values)
        g = f.group("RangeProofTrace", n=n, m=m)
        tag = f"rangeproof_trace/{n}/{m}"
        rng = seeded(f"{tag}/blindings")
        blindings = [random_scalar(rng) for _ in values]
        prover_seed = seed(f"{tag}/prover")
        proof, trace = trace_proof(values, blindings, n, prover_seed, gens)
        g.add(
            f"n = {n}, m = {m}, values {values}",
            ["Valid", "Trace", "SeededProof"],
            "valid",
            values=[str(v) for v in values],
            blindings=[hexsc(b) for b in blindings],
            seed=prover_seed.hex(),
            commitments=[hexpt(commit(v, b, gens)) for v, b in zip(values, blindings)],
            proof=proof.to_bytes().hex(),
            trace=trace,
        )
    return f.to_json()


# --- trees -------------------------------------------------------------------------------


# key -> (round id, asset, decimals, arity, padding granularity, customers)
TREE_INPUTS: Final[dict[str, tuple[str, str, int, int, int, list[tuple[str, int]]]]] = {
    "spec": (ROUND_A, "BTC", 8, 4, 1, [("alice", 150000000)]),
    "btc": (ROUND_A, "BTC", 8, 4, 10, BTC_CUSTOMERS),
    "eth": (ROUND_A, "ETH", 9, 4, 4, ETH_CUSTOMERS),
    "usdt": (ROUND_B, "USDT", 6, 2, 5, USDT_CUSTOMERS),
}


@functools.cache
def _trees(backend_name: str) -> dict[str, Tree]:
    """The trees of the vectors, built once per backend; the range proofs of tree KEY use
    the stream of seed "tree/KEY". "negative" and "overflow" are the BTC tree as a cheating
    exchange would build it, a leaf next to alice's holding a value outside [0, 2^64)."""
    gens = generators(get_backend(backend_name))

    def tree(key: str, base: str, overrides: dict[str, int] | None = None) -> Tree:
        round_id, asset, decimals, arity, granularity, customers = TREE_INPUTS[base]
        return build_tree(
            master=MASTER,
            run_nonce=RUN_NONCE,
            round_id=round_id,
            asset=asset,
            decimals=decimals,
            arity=arity,
            granularity=granularity,
            customers=customers,
            gens=gens,
            rng=seeded(f"tree/{key}"),
            overrides=overrides,
        )

    out = {key: tree(key, key) for key in TREE_INPUTS}
    btc = out["btc"]
    alice = btc.index_of("alice")
    first = alice - alice % btc.arity
    sibling = next(btc.leaf_ids[i] for i in range(first, first + btc.arity) if i != alice)
    out["negative"] = tree("negative", "btc", {sibling: N - 10**9})
    out["overflow"] = tree("overflow", "btc", {sibling: 2**64 + 5})
    return out


def gen_sumtree(gens: GeneratorSet) -> Json:
    from ..liabilities.keys import RoundKeys, pad_leaf_id

    f = VectorFile(
        "sumtree",
        "zkpor Merkle sum tree v1 (docs/spec.md section 7)",
        [
            "Round keys (7.1), leaf and node hashes (7.4), level sizes (7.3), child chunks",
            "(7.6), and whole trees: from the master secret, round, asset, arity, padding",
            "granularity and customer balances to every leaf, node and seeded child range proof.",
        ],
    )
    pt = gens.point_type
    g = f.group("RoundKeysTest")
    for comment, flags, master, nonce, round_id, asset, leaf_id in (
        (
            "docs/spec.md 7.8: alice, BTC",
            ["Valid", "KnownAnswer"],
            MASTER,
            RUN_NONCE,
            ROUND_A,
            "BTC",
            "alice",
        ),
        (
            "docs/spec.md 7.8: padding leaf 0 of BTC",
            ["Valid", "KnownAnswer"],
            MASTER,
            RUN_NONCE,
            ROUND_A,
            "BTC",
            pad_leaf_id(0),
        ),
        (
            "alice, BTC, same round, another run nonce: every derived value differs",
            ["Valid"],
            MASTER,
            b"\x00" * 32,
            ROUND_A,
            "BTC",
            "alice",
        ),
        ("a non-ASCII user id", ["Valid"], MASTER, RUN_NONCE, "2027-01", "ETH", "zoë-ünïcode"),
        (
            "a 128-byte user id",
            ["Valid", "EdgeCase"],
            MASTER,
            RUN_NONCE,
            ROUND_A,
            "USDT",
            "u" * 128,
        ),
        ("master secret of 0xff bytes", ["Valid"], b"\xff" * 32, RUN_NONCE, "r", "X", "1"),
    ):
        keys = RoundKeys.derive(master, round_id, nonce)
        g.add(
            comment,
            flags,
            "valid",
            master=master.hex(),
            run_nonce=nonce.hex(),
            round_id=round_id,
            asset=asset,
            leaf_id=leaf_id,
            round_key=keys.round_key.hex(),
            blinding=f"{keys.blinding(asset, leaf_id):064x}",
            salt=keys.salt(asset, leaf_id).hex(),
            placement=keys.placement(asset, leaf_id).hex(),
        )
    g = f.group("LeafHashTest")
    keys = RoundKeys.derive(MASTER, ROUND_A, RUN_NONCE)
    alice_c = commit(150000000, keys.blinding("BTC", "alice"), gens).to_bytes()
    for comment, flags, round_id, asset, salt, user, c in (
        (
            "docs/spec.md 7.8: alice's leaf",
            ["Valid", "KnownAnswer"],
            ROUND_A,
            "BTC",
            keys.salt("BTC", "alice"),
            "alice",
            alice_c,
        ),
        (
            "a padding leaf (id with a NUL byte)",
            ["Valid"],
            ROUND_A,
            "BTC",
            keys.salt("BTC", pad_leaf_id(3)),
            pad_leaf_id(3),
            commit(0, keys.blinding("BTC", pad_leaf_id(3)), gens).to_bytes(),
        ),
        (
            "a non-ASCII user id and a zero salt",
            ["Valid", "EdgeCase"],
            "2027-01",
            "ETH",
            bytes(32),
            "zoë",
            alice_c,
        ),
        (
            "a 64-character round id",
            ["Valid", "EdgeCase"],
            "r" * 64,
            "A.B-C_D",
            bytes(range(32)),
            "x",
            alice_c,
        ),
    ):
        g.add(
            comment,
            flags,
            "valid",
            round_id=round_id,
            asset=asset,
            salt=salt.hex(),
            user_id=user,
            commitment=c.hex(),
            hash=leaf_hash(round_id, asset, salt, user, c).hex(),
        )
    for length in (31, 33):
        g.add(
            f"a {length}-byte salt",
            ["InvalidSaltLength"],
            "invalid",
            round_id=ROUND_A,
            asset="BTC",
            salt=("ab" * length),
            user_id="alice",
            commitment=alice_c.hex(),
            hash="",
        )
    g = f.group("NodeHashTest")
    rng = seeded("sumtree/node-children")
    for count, level in ((1, 1), (2, 1), (3, 2), (4, 1), (7, 3), (16, 1), (64, 64)):
        children = []
        points = []
        for _ in range(count):
            point = commit(int.from_bytes(rng.randbytes(4), "big"), random_scalar(rng), gens)
            points.append(point)
            children.append((rng.randbytes(32), point.to_bytes()))
        g.add(
            f"{count} children at level {level}",
            ["Valid"] + (["EdgeCase"] if count in (1, 64) else []),
            "valid",
            round_id=ROUND_A,
            asset="BTC",
            level=level,
            children=[{"hash": h.hex(), "commitment": c.hex()} for h, c in children],
            hash=node_hash(ROUND_A, "BTC", level, children).hex(),
            commitment=hexpt(pt.sum(points)),
        )
    g = f.group("LevelSizesTest")
    for leaf_count, arity, flags in (
        (1, 2, ["Valid", "EdgeCase"]),
        (1, 64, ["Valid", "EdgeCase"]),
        (2, 2, ["Valid"]),
        (10, 4, ["Valid", "KnownAnswer"]),
        (5, 2, ["Valid"]),
        (256, 16, ["Valid"]),
        (257, 16, ["Valid"]),
        (1000, 4, ["Valid"]),
        (4097, 64, ["Valid"]),
        (65536, 2, ["Valid"]),
        (1000000, 16, ["Valid"]),
    ):
        sizes = level_sizes(leaf_count, arity)
        g.add(
            f"{leaf_count} leaves, arity {arity}",
            flags,
            "valid",
            leaf_count=leaf_count,
            arity=arity,
            sizes=sizes,
            depth=len(sizes) - 1,
        )
    for leaf_count, arity, comment in (
        (0, 4, "no leaves"),
        (10, 3, "arity 3"),
        (10, 1, "arity 1"),
        (10, 128, "arity 128"),
    ):
        g.add(
            comment,
            ["InvalidTreeShape"],
            "invalid",
            leaf_count=leaf_count,
            arity=arity,
            sizes=[],
            depth=0,
        )
    g = f.group("ChildChunksTest")
    for count in range(1, 65):
        chunks = child_chunks(count)
        g.add(
            f"{count} children",
            ["Valid"],
            "valid",
            count=count,
            chunks=chunks,
            proof_sizes=[proof_size((64 * c).bit_length() - 1) for c in chunks],
        )
    g = f.group("TreeTest")
    trees = _trees(gens.point_type.backend_name)
    comments = {
        "spec": "docs/spec.md 7.8: alice alone, granularity 1: a leaf and a root",
        "btc": "7 customers, granularity 10, arity 4: sizes [10, 3, 1]",
        "eth": "2 customers, granularity 4, arity 4: one full node",
        "usdt": "3 customers, granularity 5, arity 2: sizes [5, 3, 2, 1], single-child nodes",
    }
    for key, (round_id, asset, decimals, arity, gran, customers) in TREE_INPUTS.items():
        g.add(
            comments[key],
            ["Valid", "SeededProof"] + (["KnownAnswer"] if key == "spec" else []),
            "valid",
            master=MASTER.hex(),
            run_nonce=RUN_NONCE.hex(),
            round_id=round_id,
            asset=asset,
            decimals=decimals,
            arity=arity,
            pad_granularity=gran,
            customers=[{"user_id": u, "units": str(v)} for u, v in customers],
            seed=seed(f"tree/{key}").hex(),
            **tree_outputs(trees[key]),
        )
    return f.to_json()


# --- inclusion proofs --------------------------------------------------------------------


def _inclusion(round_id: str, arity: int, user: str, trees: list[Tree]) -> Json:
    return {
        "format": "zkpor-inclusion-v1",
        "round_id": round_id,
        "user_id": user,
        "arity": arity,
        "assets": [t.inclusion_entry(user) for t in trees],
    }


def _verified(trees: list[Tree], user: str, amounts: dict[str, str] | None = None) -> list[Json]:
    out = []
    for t in trees:
        leaf = t.levels[0][t.index_of(user)]
        out.append(
            {
                "asset": t.asset,
                "amount": (amounts or {}).get(t.asset, format_units(leaf.value, t.decimals)),
                "units": str(leaf.value),
                "leaf_count": len(t.leaf_ids),
                "root_hash": t.root.hash.hex(),
            }
        )
    return out


def gen_inclusion(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "inclusion",
        "zkpor inclusion proof v1 (docs/spec.md section 8)",
        [
            "Inputs 'roots' (a roots.json object, 9.2) and 'inclusion' (a customer's proof, 8.1).",
            "A verifier takes the round id, arity and roots from 'roots' only, checks its",
            "generator digest, then the proof (8.2). Output of a valid test: per asset the",
            "amount, units, leaf count and root hash verified. The trees are sumtree.json's.",
        ],
    )
    t = _trees(gens.point_type.backend_name)
    btc, eth = t["btc"], t["eth"]

    def add(
        g_: Group,
        comment: str,
        flags: list[str],
        result: str,
        roots: Json,
        incl: Json,
        verified: list[Json] | None = None,
    ) -> None:
        fields: Json = {"roots": roots, "inclusion": incl}
        if result == "valid":
            fields["verified"] = verified
            fields["binary"] = encode_inclusion(InclusionProof.model_validate(incl)).hex()
        g_.add(comment, flags, result, **fields)

    g = f.group("InclusionTest")
    spec_roots = roots_json(ROUND_A, 4, [t["spec"]])
    add(
        g,
        "docs/spec.md 7.8: alice's leaf under a root with one child",
        ["Valid", "KnownAnswer"],
        "valid",
        spec_roots,
        _inclusion(ROUND_A, 4, "alice", [t["spec"]]),
        _verified([t["spec"]], "alice"),
    )

    roots_a = roots_json(ROUND_A, 4, [btc, eth])
    alice = _inclusion(ROUND_A, 4, "alice", [btc, eth])
    add(
        g,
        "alice: BTC and ETH, arity 4",
        ["Valid"],
        "valid",
        roots_a,
        alice,
        _verified([btc, eth], "alice"),
    )
    customers = sorted((btc.index_of(u), u) for u, _ in BTC_CUSTOMERS)
    for idx, user in (customers[0], customers[-1]):
        add(
            g,
            f"{user}: BTC leaf {idx}",
            ["Valid"],
            "valid",
            roots_a,
            _inclusion(ROUND_A, 4, user, [btc]),
            _verified([btc], user),
        )
    add(
        g,
        "carol: a balance of 0 (amount '0.0')",
        ["Valid", "EdgeCase"],
        "valid",
        roots_a,
        _inclusion(ROUND_A, 4, "carol", [btc]),
        _verified([btc], "carol"),
    )
    alt = copy.deepcopy(alice)
    alt["assets"][0]["amount"] = "1.50000000"
    add(
        g,
        "alice's BTC amount written '1.50000000'",
        ["Valid", "AlternativeAmountWriting"],
        "valid",
        roots_a,
        alt,
        _verified([btc, eth], "alice", {"BTC": "1.50000000"}),
    )

    def bad(
        comment: str, flags: list[str], change: Callable[[Json, Json], object], base: Json = alice
    ) -> None:
        incl = copy.deepcopy(base)
        roots = copy.deepcopy(roots_a)
        change(incl, roots)
        add(g, comment, flags, "invalid", roots, incl)

    def a0(incl: Json) -> Any:
        return incl["assets"][0]

    def step(incl: Json, i: int) -> Any:
        return a0(incl)["path"][i]

    def flip_proof(incl: Json, level: int, which: int, pos: int) -> None:
        s = step(incl, level)
        proof = bytearray(bytes.fromhex(s["proofs"][which]))
        proof[pos] ^= 0x01
        s["proofs"][which] = proof.hex()

    bad(
        "a byte of t_x flipped in the level-1 range proof",
        ["TamperedRangeProof"],
        lambda i, r: flip_proof(i, 0, 0, 140),
    )
    bad(
        "a byte of L[0] flipped in the root's first range proof",
        ["TamperedRangeProof"],
        lambda i, r: flip_proof(i, 1, 0, 240),
    )
    bad(
        "the last byte of the root's second range proof flipped",
        ["TamperedRangeProof"],
        lambda i, r: flip_proof(i, 1, 1, 687),
    )

    def other_node_proof(incl: Json, roots: Json) -> None:
        s = step(incl, 0)
        mine = int(s["index"])
        other = 0 if mine != 0 else 1
        s["proofs"] = [p.hex() for p in btc.levels[1][other].proofs]

    bad("the level-1 proof of another (full) node", ["WrongRangeProof"], other_node_proof)

    def swap_root_proofs(incl: Json, roots: Json) -> None:
        s = step(incl, 1)
        s["proofs"] = list(reversed(s["proofs"]))

    bad("the root's two proofs in the wrong order", ["WrongShape"], swap_root_proofs)
    bad(
        "the root step with one proof missing",
        ["WrongShape"],
        lambda i, r: step(i, 1).__setitem__("proofs", step(i, 1)["proofs"][:1]),
    )
    bad(
        "a byte appended to a range proof",
        ["WrongShape"],
        lambda i, r: step(i, 0)["proofs"].__setitem__(0, step(i, 0)["proofs"][0] + "00"),
    )

    def sibling(incl: Json, field: str) -> None:
        s = step(incl, 0)
        kids = s["children"]
        pos = a0(incl)["leaf_index"] % 4
        j = (pos + 1) % len(kids)
        kid = kids[j]
        if field == "hash":
            kid["hash"] = "00" * 32
        elif field == "commitment":
            kid["commitment"] = hexpt(
                gens.point_type.from_bytes(bytes.fromhex(kid["commitment"])) + gens.G
            )
        else:
            kid["commitment"] = "00" * 33

    bad("a sibling's hash changed", ["ModifiedSibling"], lambda i, r: sibling(i, "hash"))
    bad("a sibling's commitment plus G", ["ModifiedSibling"], lambda i, r: sibling(i, "commitment"))
    bad(
        "a sibling's commitment is the identity",
        ["IdentityPoint"],
        lambda i, r: sibling(i, "identity"),
    )

    def set_field(key: str, value: object) -> Callable[[Json, Json], None]:
        return lambda i, r: a0(i).__setitem__(key, value)

    alice_btc = btc.inclusion_entry("alice")
    units = int(str(alice_btc["units"]))
    bad(
        "units + 1, amount to match",
        ["WrongBalance"],
        lambda i, r: (
            set_field("units", str(units + 1))(i, r),
            set_field("amount", format_units(units + 1, 8))(i, r),
        ),
    )
    bad("amount '1.6' with the units of 1.5", ["AmountMismatch"], set_field("amount", "1.6"))
    bad(
        "amount '1.500000000': more decimals than the asset has",
        ["AmountMismatch"],
        set_field("amount", "1.500000000"),
    )
    bad(
        "units 2^64",
        ["AmountTooLarge"],
        lambda i, r: (
            set_field("units", str(2**64))(i, r),
            set_field("amount", format_units(2**64, 8))(i, r),
        ),
    )
    bad("user id 'Alice'", ["WrongBalance"], lambda i, r: i.__setitem__("user_id", "Alice"))
    bad("salt changed", ["WrongBalance"], set_field("salt", "00" * 32))
    blinding = int(str(alice_btc["blinding"]), 16)
    bad("blinding + 1", ["WrongBalance"], set_field("blinding", f"{(blinding + 1) % N:064x}"))
    bad("blinding encoded as n", ["NonCanonicalScalar"], set_field("blinding", f"{N:064x}"))
    index = int(str(alice_btc["leaf_index"]))
    other_index = index + 1 if index % 4 != 3 else index - 1
    bad(
        f"leaf index {other_index}, a sibling's, instead of {index}",
        ["WrongPosition"],
        set_field("leaf_index", other_index),
    )
    bad("leaf index 10 (= leaf count)", ["WrongPosition"], set_field("leaf_index", 10))
    bad(
        "level 1 step claims level 2",
        ["WrongPosition"],
        lambda i, r: step(i, 0).__setitem__("level", 2),
    )
    bad(
        "round id differs from the published one",
        ["WrongRoundOrArity"],
        lambda i, r: i.__setitem__("round_id", "2026-12-01"),
    )
    bad(
        "arity 2 where the round uses 4",
        ["WrongRoundOrArity"],
        lambda i, r: i.__setitem__("arity", 2),
    )
    bad(
        "path without its last step",
        ["WrongShape"],
        lambda i, r: a0(i).__setitem__("path", a0(i)["path"][:1]),
    )
    bad(
        "path with the root step repeated",
        ["WrongShape"],
        lambda i, r: a0(i)["path"].append(copy.deepcopy(step(i, 1))),
    )

    def extra_child(incl: Json, roots: Json) -> None:
        s = step(incl, 1)
        s["children"].append(copy.deepcopy(s["children"][0]))

    bad("the root step with a fourth child", ["WrongShape"], extra_child)
    bad("leaf count 20 in the proof", ["WrongRoot"], set_field("leaf_count", 20))
    bad("decimals 9 in the proof", ["WrongRoot"], set_field("decimals", 9))
    bad("ETH missing from the published roots", ["WrongRoot"], lambda i, r: r["assets"].pop("ETH"))
    bad(
        "another root hash published",
        ["WrongRoot"],
        lambda i, r: r["assets"]["BTC"].__setitem__("root_hash", "11" * 32),
    )
    bad(
        "the published root commitment of ETH for BTC",
        ["WrongRoot"],
        lambda i, r: r["assets"]["BTC"].__setitem__(
            "root_commitment", r["assets"]["ETH"]["root_commitment"]
        ),
    )
    bad(
        "the published depth 3",
        ["WrongRoot"],
        lambda i, r: r["assets"]["BTC"].__setitem__("depth", 3),
    )
    bad("BTC twice", ["DuplicateAsset"], lambda i, r: i["assets"].append(copy.deepcopy(a0(i))))
    bad(
        "another generator digest in the roots",
        ["WrongGeneratorDigest"],
        lambda i, r: r.__setitem__("generator_digest", "00" * 32),
    )
    bad("an unknown field in the proof", ["MalformedFile"], lambda i, r: i.__setitem__("note", "x"))
    bad(
        "format 'zkpor-inclusion-v2'",
        ["MalformedFile"],
        lambda i, r: i.__setitem__("format", "zkpor-inclusion-v2"),
    )
    bad(
        "upper-case hex in a child hash",
        ["MalformedFile"],
        lambda i, r: step(i, 0)["children"][0].__setitem__(
            "hash", step(i, 0)["children"][0]["hash"].upper()
        ),
    )
    bad(
        "units with a leading zero",
        ["MalformedFile"],
        lambda i, r: set_field("units", "0" + str(units))(i, r),
    )

    g = f.group("InclusionTest")
    roots_b = roots_json(ROUND_B, 2, [t["usdt"]])
    for user in ("alice", "carol"):
        add(
            g,
            f"{user}: USDT, arity 2, depth 3",
            ["Valid"],
            "valid",
            roots_b,
            _inclusion(ROUND_B, 2, user, [t["usdt"]]),
            _verified([t["usdt"]], user),
        )
    incl = _inclusion(ROUND_B, 2, "bob", [t["usdt"]])
    incl["assets"][0]["path"][2]["proofs"][0] = incl["assets"][0]["path"][1]["proofs"][0]
    add(
        g,
        "bob: the level-3 proof replaced by the level-2 one",
        ["WrongRangeProof"],
        "invalid",
        roots_b,
        incl,
    )

    g = f.group("InclusionTest")
    for key, comment in (
        (
            "negative",
            "a leaf next to alice's holds n - 10^9 ('-10 BTC'), 'proven' without the range check",
        ),
        ("overflow", "a leaf next to alice's holds 2^64 + 5, 'proven' without the range check"),
    ):
        bad_tree = t[key]
        roots = roots_json(ROUND_A, 4, [bad_tree])
        add(
            g,
            comment,
            ["ValueOutOfRange"],
            "invalid",
            roots,
            _inclusion(ROUND_A, 4, "alice", [bad_tree]),
        )
    return f.to_json()


# --- solvency ----------------------------------------------------------------------------


def gen_solvency(gens: GeneratorSet) -> Json:
    from ..solvency import prove_solvency

    f = VectorFile(
        "solvency",
        "zkpor solvency proof v1 (docs/spec.md section 11)",
        [
            "Inputs reserves R (decimal), root_commitment C_L, ratio p/q, the context the range",
            "proof's transcript binds (hex: in a manifest, its statement digest || asset symbol)",
            "and proof (C_hi || range proof, 787 bytes). Valid tests add the root opening",
            "('liabilities') and the prover's seed, and the outputs D = (q R) G - p C_L, C_hi and",
            "C_lo = D - 2^64 C_hi.",
        ],
    )
    pt = gens.point_type
    g = f.group("SolvencyTest")
    made: dict[str, Json] = {}
    for key, comment, flags, reserves, liab, p, q in (
        ("exact", "R = L: d = 0", ["Valid", "EdgeCase"], 150000000, 150000000, 1, 1),
        ("btc", "R = 2.5 BTC, L = 2.00345678 BTC", ["Valid"], 250000000, 200345678, 1, 1),
        (
            "ratio",
            "R = 2.5 BTC, L = 2.00345678 BTC, ratio 21/20",
            ["Valid"],
            250000000,
            200345678,
            21,
            20,
        ),
        ("max", "R = 2^64 - 1, L = 0", ["Valid", "EdgeCase"], 2**64 - 1, 0, 1, 1),
        (
            "high",
            "R = 2^64 - 1, ratio (2^32 - 1)/(2^32 - 1), d >= 2^64",
            ["Valid", "EdgeCase"],
            2**64 - 1,
            2**64 - 1 - 2**40,
            2**32 - 1,
            2**32 - 1,
        ),
        ("zero", "R = 0, L = 0", ["Valid", "EdgeCase"], 0, 0, 1, 1),
    ):
        r_l = random_scalar(seeded(f"solvency/{key}/liabilities"))
        opening = Opening(liab, r_l)
        prover_seed = seed(f"solvency/{key}/prover")
        context = hashlib.sha256(f"solvency/{key}/statement".encode()).digest() + b"BTC"
        proof = prove_solvency(
            reserves, opening, p, q, gens=gens, rng=SeededRandom(prover_seed), context=context
        )
        root = commit(liab, r_l, gens)
        d = gens.G * (q * reserves % N) - root * p
        case: Json = {
            "reserves": str(reserves),
            "root_commitment": hexpt(root),
            "p": p,
            "q": q,
            "context": context.hex(),
            "proof": proof.to_bytes().hex(),
        }
        made[key] = case
        g.add(
            comment,
            [*flags, "SeededProof"],
            "valid",
            **case,
            liabilities={"units": str(liab), "blinding": hexsc(r_l)},
            seed=prover_seed.hex(),
            difference_commitment=hexpt(d),
            c_hi=hexpt(proof.c_hi),
            c_lo=hexpt(d - proof.c_hi * 2**64),
        )

    def bad(comment: str, flags: list[str], base: str = "btc", **changes: object) -> None:
        case = {**made[base], **changes}
        g.add(comment, flags, "invalid", **case)

    btc = made["btc"]
    raw = bytes.fromhex(str(btc["proof"]))
    root = pt.from_bytes(bytes.fromhex(str(btc["root_commitment"])))
    bad(
        "the context of another manifest",
        ["WrongContext"],
        context=hashlib.sha256(b"another manifest").hexdigest() + b"BTC".hex(),
    )
    bad("the context's asset symbol changed", ["WrongContext"], context=btc["context"][:-2] + "44")
    bad("R + 1", ["WrongReserves"], reserves=str(250000001))
    bad("R - 1", ["WrongReserves"], reserves=str(249999999))
    bad("a proof for ratio 1 checked with 21/20", ["WrongRatio"], p=21, q=20)
    bad("a proof for 21/20 checked with ratio 1", ["WrongRatio"], base="ratio", p=1, q=1)
    bad("a proof for 21/20 checked with 42/40", ["WrongRatio"], base="ratio", p=42, q=40)
    bad("root commitment + G", ["WrongRootCommitment"], root_commitment=hexpt(root + gens.G))
    bad(
        "the root commitment of another case",
        ["WrongRootCommitment"],
        root_commitment=made["exact"]["root_commitment"],
    )
    c_hi = pt.from_bytes(raw[:33], allow_identity=True)
    bad("C_hi + G", ["TamperedField"], proof=((c_hi + gens.G).to_bytes() + raw[33:]).hex())
    bad("C_hi negated", ["TamperedField"], proof=(bytes((raw[0] ^ 1,)) + raw[1:]).hex())
    off = _offsets(7)
    bad(
        "t_x + 1 in the range proof",
        ["TamperedField"],
        proof=(raw[:33] + _scalar_plus_one(raw[33:], off["t_x"])).hex(),
    )
    bad(
        "a byte of L[3] flipped",
        ["TamperedField"],
        proof=(
            raw[: 33 + off["L[3]"] + 10]
            + bytes((raw[33 + off["L[3]"] + 10] ^ 0x40,))
            + raw[33 + off["L[3]"] + 11 :]
        ).hex(),
    )
    bad("C_hi is the identity", ["IdentityPoint"], proof=(bytes(33) + raw[33:]).hex())
    d = gens.G * (250000000 % N) - root
    c_hi_bad = d * pow(2**64, -1, N)  # makes C_lo = D - 2^64 C_hi the identity
    bad(
        "C_hi = D / 2^64, so that C_lo is the identity",
        ["IdentityPoint"],
        proof=(c_hi_bad.to_bytes() + raw[33:]).hex(),
    )
    bad(
        "a scalar of the range proof encoded as n",
        ["NonCanonicalScalar"],
        proof=(raw[:33] + _splice(raw[33:], off["mu"], N.to_bytes(32, "big"))).hex(),
    )
    bad("C_hi with prefix 0x04", ["InvalidPointEncoding"], proof=(b"\x04" + raw[1:]).hex())
    bad("proof truncated by one byte", ["WrongLength"], proof=raw[:-1].hex())
    bad("C_hi only", ["WrongLength"], proof=raw[:33].hex())
    bad(
        "a range proof for m = 1 after C_hi",
        ["WrongLength"],
        proof=(raw[:33] + raw[33 : 33 + 292 + 66 * 6 - 64] + raw[-64:]).hex(),
    )
    bad("R = 2^64", ["InvalidParameters"], base="max", reserves=str(2**64))
    bad("ratio 1/2 (below 1)", ["InvalidParameters"], p=1, q=2)
    bad("ratio 2^32 / 1", ["InvalidParameters"], p=2**32, q=1)
    bad("ratio 1/0", ["InvalidParameters"], p=1, q=0)
    # insolvent: L = R + 1, 'proven' by a prover that skips its checks
    reserves, liab = 250000000, 250000001
    r_l = random_scalar(seeded("solvency/insolvent/liabilities"))
    rng = seeded("solvency/insolvent/prover")
    d_mod = (reserves - liab) % N
    d_lo, d_hi = d_mod % 2**64, d_mod >> 64
    r_hi = random_scalar(rng)
    r_lo = (-r_l - 2**64 * r_hi) % N
    context = hashlib.sha256(b"solvency/insolvent/statement").digest() + b"BTC"
    forged = _prove(
        [d_lo, d_hi], [r_lo, r_hi], 64, rng=rng, gens=gens, check_range=False, context=context
    )
    g.add(
        "L = R + 1 (d = -1), proven without the range check",
        ["Insolvent", "ValueOutOfRange"],
        "invalid",
        reserves=str(reserves),
        root_commitment=hexpt(commit(liab, r_l, gens)),
        p=1,
        q=1,
        context=context.hex(),
        proof=(commit(d_hi, r_hi, gens).to_bytes() + forged.to_bytes()).hex(),
    )
    return f.to_json()


# --- manifest ----------------------------------------------------------------------------


@functools.cache
def _reserve_addresses() -> dict[str, list[dict[str, str]]]:
    """The reserves of docs/spec.md 10.1 (keys SHA-256("btc0"), ...), signed for round A."""
    from ..reserves.message import ownership_message
    from ..reserves.signing import bitcoin_address, ethereum_address, sign_bitcoin, sign_ethereum

    out: dict[str, list[dict[str, str]]] = {"BTC": [], "ETH": []}
    for i, (kind, balance) in enumerate(
        (("p2pkh", "0.5"), ("p2sh-p2wpkh", "0.75"), ("p2wpkh", "1.25"))
    ):
        secret = hashlib.sha256(f"btc{i}".encode()).digest()
        addr = bitcoin_address(secret, kind)
        sig = sign_bitcoin(secret, ownership_message(EXCHANGE, ROUND_A, addr), kind)
        out["BTC"].append({"address": addr, "balance": balance, "signature": sig})
    secret = hashlib.sha256(b"eth0").digest()
    addr = ethereum_address(secret)
    out["ETH"].append(
        {
            "address": addr,
            "balance": "20",
            "signature": sign_ethereum(secret, ownership_message(EXCHANGE, ROUND_A, addr)),
        }
    )
    foreign = hashlib.sha256(b"btc9").digest()
    first = out["BTC"][0]["address"]
    out["BTC-foreign"] = [
        {
            "address": first,
            "balance": "0.5",
            "signature": sign_bitcoin(
                foreign, ownership_message(EXCHANGE, ROUND_A, first), "p2pkh"
            ),
        }
    ]
    out["ETH-other-round"] = [
        {
            "address": addr,
            "balance": "20",
            "signature": sign_ethereum(secret, ownership_message(EXCHANGE, "2026-10-31", addr)),
        }
    ]
    return out


def _manifest(
    gens: GeneratorSet, *, ratio: tuple[int, int], disclose: bool, tag: str, margin: bool = False
) -> Json:
    """Built as ``zkpor prove`` builds it: every field, then the solvency proofs bound to the
    statement digest of the rest (docs/spec.md, "Manifest")."""
    from ..manifest import Manifest, solvency_context, statement_digest
    from ..solvency import prove_solvency

    trees = _trees(gens.point_type.backend_name)
    addresses = _reserve_addresses()
    p, q = ratio
    assets: Json = {}
    openings: dict[str, tuple[int, Opening]] = {}
    for sym, chain, height, totals in (
        ("BTC", "bitcoin", 870000, (250000000, 8)),
        ("ETH", "ethereum", 21000000, (20000000000, 9)),
    ):
        tree = trees[sym.lower()]
        reserves, decimals = totals
        opening = Opening(tree.root.value, tree.root.blinding)
        openings[sym] = (reserves, opening)
        assets[sym] = {
            **tree.root_json(),
            "reserves": {
                "chain": chain,
                "block_height": height,
                "block_hash": None,
                "total": format_units(reserves, decimals),
                "total_units": str(reserves),
                "addresses": copy.deepcopy(addresses[sym]),
            },
            "solvency": {
                "min_ratio": f"{p}/{q}",
                "proof": "00",
                "liabilities": {
                    "amount": format_units(opening.value, decimals),
                    "units": str(opening.value),
                    "blinding": hexsc(opening.blinding),
                }
                if disclose
                else None,
            },
        }
    manifest: Json = {
        "format": "zkpor-manifest-v1",
        "exchange": EXCHANGE,
        "round_id": ROUND_A,
        "created": CREATED,
        "parameters": {
            "curve": "secp256k1",
            "hash": "SHA-256",
            "hash_to_curve": SUITE_ID.decode(),
            "generator_digest": generator_digest().hex(),
            "arity": 4,
            "range_bits": 64,
        },
        "assets": assets,
    }
    if margin:  # docs/spec.md 16.6: quote, prices, tiers; an ETH debt tree; net solvency
        from .margin import TERMS
        from .tree import build_tree

        manifest["quote"] = TERMS["quote"]
        for sym in assets:
            assets[sym]["price"] = TERMS["assets"][sym]["price"]
            assets[sym]["tiers"] = TERMS["assets"][sym]["tiers"]
        debt_tree = build_tree(
            master=MASTER,
            run_nonce=RUN_NONCE,
            round_id=ROUND_A,
            asset="ETH/debt",
            decimals=9,
            arity=4,
            granularity=4,
            customers=[("alice", 2_000_000_000)],
            gens=gens,
            rng=seeded(f"manifest/{tag}/ETH-debt"),
        )
        debt_root = debt_tree.root_json()
        del debt_root["decimals"]
        assets["ETH"]["debt"] = debt_root
        reserves_eth, equity = openings["ETH"]
        debt = Opening(debt_tree.root.value, debt_tree.root.blinding)
        openings["ETH"] = (reserves_eth, equity - debt)
    statement = statement_digest(Manifest.model_validate(manifest, strict=True))
    for sym, (reserves, opening) in openings.items():
        proof = prove_solvency(
            reserves,
            opening,
            p,
            q,
            gens=gens,
            rng=seeded(f"manifest/{tag}/{sym}"),
            context=solvency_context(statement, sym),
        )
        assets[sym]["solvency"]["proof"] = proof.to_bytes().hex()
    return manifest


def gen_manifest(gens: GeneratorSet) -> Json:
    from ..manifest import Manifest, canonical_json, manifest_digest, statement_digest

    f = VectorFile(
        "manifest",
        "zkpor manifest v1 (docs/spec.md section 12)",
        [
            "Inputs 'manifest' (a manifest.json object), check_signatures (the auditor's checks)",
            "and expected_digest (the published digest, or null). Outputs of a valid test: the",
            "canonical JSON (12.3), its SHA-256 (the digest) and the statement digest the",
            "solvency proofs bind (12.4). The trees are sumtree.json's",
            "round 2026-11-30 BTC and ETH trees; the reserves those of docs/spec.md 10.1.",
        ],
    )
    g = f.group("ManifestTest")
    plain = _manifest(gens, ratio=(21, 20), disclose=False, tag="ratio")
    disclosed = _manifest(gens, ratio=(1, 1), disclose=True, tag="disclosed")
    margin = _manifest(gens, ratio=(1, 1), disclose=False, tag="margin", margin=True)

    def outputs(m: Json) -> Json:
        model = Manifest.model_validate(m, strict=True)
        return {
            "canonical_json": canonical_json(model).decode(),
            "digest": manifest_digest(model),
            "statement_digest": statement_digest(model).hex(),
        }

    def add(
        comment: str,
        flags: list[str],
        result: str,
        m: Json,
        *,
        signatures: bool = True,
        expected: str | None = None,
    ) -> None:
        fields: Json = {"manifest": m, "check_signatures": signatures, "expected_digest": expected}
        if result == "valid":
            fields.update(outputs(m))
        g.add(comment, flags, result, **fields)

    add(
        "BTC and ETH, ratio 21/20, signatures checked",
        ["Valid", "SignaturesChecked"],
        "valid",
        plain,
    )
    add(
        "the same without the signature checks (a library option; the verifiers check them)",
        ["Valid"],
        "valid",
        plain,
        signatures=False,
    )
    digest = str(outputs(plain)["digest"])
    add(
        "the same with the published digest in upper case",
        ["Valid", "DigestGiven"],
        "valid",
        plain,
        expected=digest.upper(),
    )
    add(
        "ratio 1 with disclosed liabilities",
        ["Valid", "Disclosed", "SignaturesChecked"],
        "valid",
        disclosed,
    )

    add(
        "margin: prices and tiers, an ETH debt tree, ETH solvency on equity minus debt",
        ["Valid", "Margin", "SignaturesChecked"],
        "valid",
        margin,
    )

    def bad(
        comment: str,
        flags: list[str],
        change: Callable[[Json], object],
        base: Json = plain,
        **kw: Any,
    ) -> None:
        m = copy.deepcopy(base)
        change(m)
        add(comment, flags, "invalid", m, **kw)

    def asset(m: Json, sym: str) -> Any:
        return m["assets"][sym]

    def res(m: Json, sym: str) -> Any:
        return asset(m, sym)["reserves"]

    def solv(m: Json, sym: str) -> Any:
        return asset(m, sym)["solvency"]

    bad("another published digest", ["DigestMismatch"], lambda m: None, expected="00" * 32)
    bad(
        "another generator digest",
        ["WrongGeneratorDigest"],
        lambda m: m["parameters"].__setitem__("generator_digest", "11" * 32),
    )
    bad("BTC depth 3", ["WrongShape"], lambda m: asset(m, "BTC").__setitem__("depth", 3))
    bad(
        "BTC total_units + 1",
        ["WrongTotal"],
        lambda m: res(m, "BTC").__setitem__("total_units", "250000001"),
    )
    bad(
        "BTC total written '2.50'",
        ["WrongTotal"],
        lambda m: res(m, "BTC").__setitem__("total", "2.50"),
    )

    def inflate(m: Json) -> None:
        r = res(m, "BTC")
        r["addresses"][0]["balance"] = "1.5"
        r["total"] = "3.5"
        r["total_units"] = "350000000"

    bad("a BTC balance raised by 1 BTC, totals made consistent", ["TamperedReserves"], inflate)
    bad(
        "ETH's root commitment for BTC",
        ["WrongRootCommitment"],
        lambda m: asset(m, "BTC").__setitem__(
            "root_commitment", asset(m, "ETH")["root_commitment"]
        ),
    )

    def flip(m: Json) -> None:
        s = solv(m, "ETH")
        raw = bytearray(bytes.fromhex(str(s["proof"])))
        raw[200] ^= 0x01
        s["proof"] = raw.hex()

    bad("a byte of ETH's solvency proof flipped", ["TamperedField"], flip)
    bad(
        "min_ratio 11/10 where the proof is for 21/20",
        ["WrongRatio"],
        lambda m: solv(m, "BTC").__setitem__("min_ratio", "11/10"),
    )
    bad(
        "min_ratio 1/1 where the proof is for 21/20",
        ["WrongRatio"],
        lambda m: solv(m, "ETH").__setitem__("min_ratio", "1/1"),
    )
    bad(
        "disclosed blinding + 1",
        ["WrongDisclosure"],
        lambda m: solv(m, "BTC")["liabilities"].__setitem__(
            "blinding", hexsc((int(solv(m, "BTC")["liabilities"]["blinding"], 16) + 1) % N)
        ),
        base=disclosed,
    )
    bad(
        "disclosed units + 1",
        ["WrongDisclosure"],
        lambda m: solv(m, "ETH")["liabilities"].__setitem__(
            "units", str(int(solv(m, "ETH")["liabilities"]["units"]) + 1)
        ),
        base=disclosed,
    )
    bad(
        "disclosed amount written with a trailing zero",
        ["WrongDisclosure"],
        lambda m: solv(m, "BTC")["liabilities"].__setitem__(
            "amount", solv(m, "BTC")["liabilities"]["amount"] + "0"
        ),
        base=disclosed,
    )
    other = _reserve_addresses()["ETH-other-round"]
    bad(
        "ETH signature made for another round",
        ["BadSignature"],
        lambda m: res(m, "ETH").__setitem__("addresses", [copy.deepcopy(other[0])]),
    )

    def foreign_sig(m: Json) -> None:
        res(m, "BTC")["addresses"][0] = copy.deepcopy(_reserve_addresses()["BTC-foreign"][0])

    bad("a BTC P2PKH signature made with another key", ["BadSignature"], foreign_sig)

    def duplicate(m: Json) -> None:
        a = res(m, "ETH")["addresses"]
        extra = copy.deepcopy(a[0])
        extra["address"] = extra["address"].lower()
        extra["balance"] = "0"
        a.append(extra)

    bad(
        "the ETH address listed again in lower case with balance 0", ["DuplicateAddress"], duplicate
    )
    bad(
        "BTC root commitment is the identity",
        ["IdentityPoint"],
        lambda m: asset(m, "BTC").__setitem__("root_commitment", "00" * 33),
    )
    bad(
        "created one second later (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: m.__setitem__("created", "2026-11-30T00:00:01Z"),
    )
    bad(
        "BTC block height + 1 (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: res(m, "BTC").__setitem__("block_height", 870001),
    )
    bad(
        "ETH leaf count + 1, same depth (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: asset(m, "ETH").__setitem__("leaf_count", asset(m, "ETH")["leaf_count"] + 1),
    )
    bad(
        "ETH root hash changed (bound by every solvency proof)",
        ["StatementChanged"],
        lambda m: asset(m, "ETH").__setitem__("root_hash", "11" * 32),
    )
    bad(
        "the exchange name changed (signatures and every solvency proof)",
        ["StatementChanged", "BadSignature"],
        lambda m: m.__setitem__("exchange", "Another Exchange"),
    )
    bad(
        "margin: the ETH debt root dropped (the net proof does not verify on equity alone)",
        ["Margin", "StatementChanged"],
        lambda m: asset(m, "ETH").pop("debt"),
        base=margin,
    )
    bad(
        "margin: the ETH debt root commitment + G",
        ["Margin", "WrongRootCommitment"],
        lambda m: asset(m, "ETH")["debt"].__setitem__(
            "root_commitment",
            hexpt(
                gens.point_type.from_bytes(
                    bytes.fromhex(asset(m, "ETH")["debt"]["root_commitment"])
                )
                + gens.G
            ),
        ),
        base=margin,
    )
    bad(
        "margin: a tier ratio changed (bound by every solvency proof)",
        ["Margin", "StatementChanged"],
        lambda m: asset(m, "BTC")["tiers"][0].__setitem__("ratio", 99),
        base=margin,
    )
    bad("an unknown field", ["MalformedFile"], lambda m: m.__setitem__("comment", "x"))
    bad(
        "format 'zkpor-manifest-v2'",
        ["MalformedFile"],
        lambda m: m.__setitem__("format", "zkpor-manifest-v2"),
    )
    bad(
        "created '2026-11-30 00:00:00'",
        ["MalformedFile"],
        lambda m: m.__setitem__("created", "2026-11-30 00:00:00"),
    )
    bad("arity 3", ["MalformedFile"], lambda m: m["parameters"].__setitem__("arity", 3))
    bad("range_bits 32", ["MalformedFile"], lambda m: m["parameters"].__setitem__("range_bits", 32))
    bad(
        "min_ratio '1.05'",
        ["MalformedFile"],
        lambda m: solv(m, "BTC").__setitem__("min_ratio", "1.05"),
    )
    return f.to_json()


GENERATORS: Final[dict[str, Callable[[GeneratorSet], Json]]] = {
    "expand_message_xmd": gen_expand_message_xmd,
    "hash_to_curve": gen_hash_to_curve,
    "generators": gen_generators,
    "transcript": gen_transcript,
    "pedersen": gen_pedersen,
    "rangeproof": gen_rangeproof,
    "rangeproof_trace": gen_rangeproof_trace,
    "r1cs": gen_r1cs,
    "sumtree": gen_sumtree,
    "inclusion": gen_inclusion,
    "solvency": gen_solvency,
    "manifest": gen_manifest,
    "margin": gen_margin,
}
assert tuple(GENERATORS) == FILE_NAMES


def generate_file(name: str, backend: Backend | None = None) -> str:
    """The text of vector file ``name``, generated on ``backend`` (default: fast if it
    loads, else reference; the text is the same)."""
    if backend is None:
        from ..group import available_backends

        backend = available_backends()[-1]
    return render(GENERATORS[name](generators(backend)))


SEEDS: Final[list[tuple[str, str]]] = [
    ("hash_to_curve/messages", "hash_to_curve.json: the seeded random messages"),
    ("pedersen/openings", "pedersen.json: values and blindings"),
    ("transcript/statement/blindings, .../prover", "transcript.json: the range-proof statement"),
    ("transcript/long-message", "transcript.json: the 1000-byte message"),
    ("rangeproof/N/M/values", "rangeproof.json: the random values for n = N, m = M"),
    (
        "rangeproof/N/M/KIND/blindings",
        "rangeproof.json: blindings (KIND: random, edge, out-of-range-I)",
    ),
    ("rangeproof/N/M/KIND/prover", "rangeproof.json: the prover's seed (recorded as 'seed')"),
    ("rangeproof_trace/N/M/blindings, .../prover", "rangeproof_trace.json"),
    (
        "r1cs/NAME/KIND/blindings, .../prover",
        "r1cs.json: the circuit proofs (KIND: random, ..., cheat)",
    ),
    ("sumtree/node-children", "sumtree.json: the children of the node-hash tests"),
    ("tree/KEY", "sumtree.json, inclusion.json: each tree's range proofs (recorded as 'seed')"),
    ("solvency/KEY/liabilities, .../prover", "solvency.json: root blinding, prover seed"),
    ("manifest/TAG/ASSET", "manifest.json: the solvency provers"),
    (
        "margin/NAME/KIND/blindings, .../prover",
        "margin.json: the collateral proofs (KIND: random, bound, ..., cheat)",
    ),
]


def readme_text(files: dict[str, str]) -> str:
    """vectors/README.md: provenance, seeds, and the files with their SHA-256."""
    from .. import __version__

    lines = [
        "# zkpor test vectors",
        "",
        f"Generated by zkpor {__version__} with `zkpor vectors generate vectors` "
        f"(format {VECTORS_VERSION}). Do not edit: regenerate, and check with "
        "`zkpor vectors check vectors` (add `ZKPOR_BACKEND=reference` for the pure-Python "
        "backend). docs/vectors.md says how another implementation consumes them and what "
        "every field and flag means; `schemas/` holds a JSON Schema (draft 2020-12) per file.",
        "",
        "| file | tests | valid | invalid | SHA-256 |",
        "|---|---|---|---|---|",
    ]
    for name in FILE_NAMES:
        text = files[name]
        data = json.loads(text)
        results = [t["result"] for g in data["testGroups"] for t in g["tests"]]
        lines.append(
            f"| {name}.json | {data['numberOfTests']} | {results.count('valid')} | "
            f"{results.count('invalid')} | `{hashlib.sha256(text.encode()).hexdigest()}` |"
        )
    lines += [
        "",
        "## Determinism and seeds",
        "",
        "Every random value comes from zkpor's DRBG (`zkpor.drbg.SeededRandom`, docs/spec.md "
        '6.2: `block_i = SHA-512("zkpor-drbg-v1" || u32be(len(seed)) || seed || u64be(i))`) '
        f'on the seed `"{SEED_PREFIX.decode()}" || PURPOSE` (ASCII). Proof seeds are '
        "recorded in the files (`seed`, hex); the others are:",
        "",
        "| PURPOSE | used for |",
        "|---|---|",
        *[f"| `{purpose}` | {use} |" for purpose, use in SEEDS],
        "",
        f"The liabilities trees use the master secret 00 01 ... 1f, rounds `{ROUND_A}` "
        f"(arity 4: BTC, ETH; the docs/spec.md 7.8 tree) and `{ROUND_B}` (arity 2: USDT); the "
        f"manifest is for exchange `{EXCHANGE}`, created `{CREATED}`, with the reserves of "
        'docs/spec.md 10.1 (private keys SHA-256("btc0"), ..., RFC 6979 signatures).',
        "",
    ]
    return "\n".join(lines)


def generate_dir(out: Path, backend: Backend | None = None) -> list[Path]:
    """Write every vector file, its schema and README.md into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "schemas").mkdir(exist_ok=True)
    written = []
    texts = {}
    for name in FILE_NAMES:
        texts[name] = generate_file(name, backend)
        path = out / f"{name}.json"
        path.write_text(texts[name], encoding="utf-8")
        schema_path = out / "schemas" / f"{name}.schema.json"
        schema_path.write_text(schema_text(name), encoding="utf-8")
        written += [path, schema_path]
    readme = out / "README.md"
    readme.write_text(readme_text(texts), encoding="utf-8")
    written.append(readme)
    return written
