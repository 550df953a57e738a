"""transcript.json: the Fiat-Shamir transcript's operations and challenges (docs/spec/
section 5, transcript.md).

The cases are tables of :class:`TranscriptCase`: a protocol name and its operations. The
valid ones whose operations hold the generators or seeded values are built by short
functions; each invalid one ends with the operation the transcript must refuse.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from tools.vectors.base import Group, Json, VectorFile
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import GeneratorSet, generator_digest
from zkpor.crypto.group import N, Point, random_scalar
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.statement import PROTOCOL as RANGEPROOF_PROTOCOL
from zkpor.crypto.transcript import TRANSCRIPT_DOMAIN
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded
from zkpor.vectors.outputs import replay_transcript, trace_proof

HEADER: Final[list[str]] = [
    "A protocol name and a sequence of operations; each challenge records the 64-byte",
    "digest and the challenge scalar (digest mod n). 'absorbed' is every byte the",
    "transcript hashed, challenges' digests included (empty for invalid tests, where",
    "the last operation must be refused).",
]


def _op(kind: str, label: bytes, **fields: str) -> Json:
    return {"op": kind, "label": label.hex(), **fields}


def _challenge(label: bytes) -> Json:
    return {"op": "challenge", "label": label.hex()}


class TranscriptCase(NamedTuple):
    """One test: the transcript of ``protocol`` fed ``operations`` in order."""

    comment: str
    flags: tuple[str, ...]
    protocol: bytes
    operations: tuple[Json, ...]


def _known_answer(gens: GeneratorSet) -> TranscriptCase:
    """The known answer of docs/spec/ section 5."""
    return TranscriptCase(
        "docs/spec.md section 5 known answer",
        ("Valid", "KnownAnswer"),
        b"test-protocol",
        (
            _op("message", b"name", data=b"alice".hex()),
            _op("u64", b"n", value="64"),
            _op("point", b"G", point=hexpt(gens.G)),
            _op("scalar", b"s", value=hexsc(5)),
            _challenge(b"x"),
        ),
    )


def _range_proof_statement(gens: GeneratorSet) -> TranscriptCase:
    """A seeded range proof's transcript (n = 64, m = 2) up to the challenges y and z."""
    values = [150000000, 7]
    blind_rng = seeded("transcript/statement/blindings")
    blindings = [random_scalar(blind_rng) for _ in range(2)]
    _, trace = trace_proof(values, blindings, 64, seed("transcript/statement/prover"), gens)
    vs = [hexpt(commit(v, r, gens)) for v, r in zip(values, blindings)]
    return TranscriptCase(
        "the statement of a range proof (n = 64, m = 2) up to the challenges y and z",
        ("Valid", "RangeProofStatement"),
        RANGEPROOF_PROTOCOL,
        (
            _op("message", b"gens", data=generator_digest().hex()),
            _op("u64", b"n", value="64"),
            _op("u64", b"m", value="2"),
            _op("point", b"V", point=vs[0]),
            _op("point", b"V", point=vs[1]),
            _op("point", b"A", point=str(trace["A"])),
            _op("point", b"S", point=str(trace["S"])),
            _challenge(b"y"),
            _challenge(b"z"),
        ),
    )


# the valid cases that need neither the generators nor a seeded value
FIXED_VALID_CASES: Final[tuple[TranscriptCase, ...]] = (
    TranscriptCase(
        "three challenges with the same label, a message, a fourth",
        ("Valid", "Chaining"),
        b"chain",
        (
            _challenge(b"c"),
            _challenge(b"c"),
            _challenge(b"c"),
            _op("message", b"m", data=""),
            _challenge(b"c"),
        ),
    ),
    TranscriptCase(
        "label 'ab', data 'c' (compare the next test)",
        ("Valid", "Framing"),
        b"framing",
        (_op("message", b"ab", data=b"c".hex()), _challenge(b"x")),
    ),
    TranscriptCase(
        "label 'a', data 'bc' (compare the previous test)",
        ("Valid", "Framing"),
        b"framing",
        (_op("message", b"a", data=b"bc".hex()), _challenge(b"x")),
    ),
    TranscriptCase(
        "empty protocol, empty label, empty data",
        ("Valid", "EdgeCase"),
        b"",
        (_op("message", b"", data=""), _challenge(b"")),
    ),
)


def _boundary_values(gens: GeneratorSet) -> TranscriptCase:
    """u64, scalar and point extremes and a seeded 1000-byte message."""
    long_msg = seeded("transcript/long-message").randbytes(1000)
    return TranscriptCase(
        "boundary values: u64 0 and 2^64 - 1, scalars 0 and n - 1, G and -G, a 1000-byte message",
        ("Valid", "EdgeCase"),
        b"edge-values",
        (
            _op("u64", b"zero", value="0"),
            _op("u64", b"max", value=str(2**64 - 1)),
            _op("scalar", b"zero", value=hexsc(0)),
            _op("scalar", b"max", value=hexsc(N - 1)),
            _op("point", b"G", point=hexpt(gens.G)),
            _op("point", b"-G", point=hexpt(-gens.G)),
            _challenge(b"c1"),
            _op("message", b"long", data=long_msg.hex()),
            _challenge(b"c2"),
        ),
    )


# the last operation of each is refused
INVALID_CASES: Final[tuple[TranscriptCase, ...]] = (
    TranscriptCase(
        "the identity appended as a point",
        ("IdentityPoint",),
        b"invalid",
        (_op("message", b"a", data="00"), _challenge(b"x"), _op("point", b"A", point="00" * 33)),
    ),
    TranscriptCase(
        "a u64 of 2^64", ("U64Overflow",), b"invalid", (_op("u64", b"n", value=str(2**64)),)
    ),
    TranscriptCase(
        "a scalar equal to n",
        ("NonCanonicalScalar",),
        b"invalid",
        (_op("scalar", b"s", value=f"{N:064x}"),),
    ),
    TranscriptCase(
        "a scalar of 2^256 - 1",
        ("NonCanonicalScalar",),
        b"invalid",
        (_op("message", b"m", data="01"), _op("scalar", b"s", value="ff" * 32)),
    ),
)


def _replay(case: TranscriptCase, operations: tuple[Json, ...], pt: type[Point]) -> Any:
    return replay_transcript(TRANSCRIPT_DOMAIN, case.protocol, list(operations), pt)


def _add_valid(g: Group, case: TranscriptCase, pt: type[Point]) -> None:
    outputs = _replay(case, case.operations, pt)
    g.add(case.comment, list(case.flags), "valid", protocol=case.protocol.hex(), **outputs)


def _add_invalid(g: Group, case: TranscriptCase, pt: type[Point]) -> None:
    """The replay up to the refused last operation, which is recorded as given."""
    try:
        _replay(case, case.operations, pt)
    except ValueError:
        pass
    else:  # pragma: no cover - generator sanity
        raise AssertionError(f"transcript vector {case.comment!r} is not refused")
    prefix = _replay(case, case.operations[:-1], pt)
    g.add(
        case.comment,
        list(case.flags),
        "invalid",
        protocol=case.protocol.hex(),
        operations=[*prefix["operations"], case.operations[-1]],
        absorbed="",
    )


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "transcript", "zkpor Fiat-Shamir transcript v1 (SHA-512, docs/spec.md section 5)", HEADER
    )
    pt = gens.point_type
    g = f.group("TranscriptTest", hash="SHA-512", domain=TRANSCRIPT_DOMAIN.hex())
    valid = [
        _known_answer(gens),
        _range_proof_statement(gens),
        *FIXED_VALID_CASES,
        _boundary_values(gens),
    ]
    for case in valid:
        _add_valid(g, case, pt)
    for case in INVALID_CASES:
        _add_invalid(g, case, pt)
    return f.to_json()


NAME: Final = "transcript"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of transcript.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
