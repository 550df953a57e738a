"""transcript.json: the Fiat-Shamir transcript's operations and challenges (docs/spec.md 4)."""

from __future__ import annotations

from typing import Any, Final

from tools.vectors.base import Json, VectorFile
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.statement import PROTOCOL as RANGEPROOF_PROTOCOL
from zkpor.crypto.transcript import TRANSCRIPT_DOMAIN
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded
from zkpor.vectors.outputs import replay_transcript, trace_proof


def _op(kind: str, label: bytes, **fields: str) -> Json:
    return {"op": kind, "label": label.hex(), **fields}


def _challenge(label: bytes) -> Json:
    return {"op": "challenge", "label": label.hex()}


def generate(gens: GeneratorSet) -> Json:
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


NAME: Final = "transcript"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of transcript.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
