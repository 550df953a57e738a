"""rangeproof.json (docs/spec/ section 6, range-proofs.md): seeded proofs over every n and
m, tampered fields and out-of-range values (made with
zkpor.crypto.rangeproof.testing.prove_unchecked).

Cases as tables: :data:`TAMPERINGS` (per proof (n, m), each a change of the proof or of its
commitments), :data:`MISMATCHES` (a proof checked with another n or m) and
:data:`OUT_OF_RANGE` (values a prover without its range check proves).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final, NamedTuple

from tools.vectors.base import (
    Group,
    Json,
    VectorFile,
    _not_on_curve_x,
    _offsets,
    _point_plus_g,
    _scalar_plus_one,
    _splice,
)
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, Point, random_scalar
from zkpor.crypto.group.params import P
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof.prover import prove
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded

HEADER: Final[list[str]] = [
    "Group parameters n (bits) and m (the number of commitments, which the verifier",
    "takes from its own context). Inputs commitments and proof; valid tests add the",
    "openings (values, blindings) and the prover's DRBG seed, with which the seeded",
    "prover reproduces the proof byte for byte.",
]

RANGEPROOF_BITS: Final[tuple[int, ...]] = (8, 16, 32, 64)

RANGEPROOF_M: Final[tuple[int, ...]] = (1, 2, 4, 16)


def _proof_case(
    values: list[int], bits: int, tag: str, gens: GeneratorSet, *, check_range: bool = True
) -> Json:
    """A seeded proof: blindings from seed tag/blindings, prover randomness from tag/prover."""
    rng = seeded(f"{tag}/blindings")
    blindings = [random_scalar(rng) for _ in values]
    prover_seed = seed(f"{tag}/prover")
    prover = prove if check_range else prove_unchecked
    proof = prover(values, blindings, bits, rng=SeededRandom(prover_seed), gens=gens)
    return {
        "values": [str(v) for v in values],
        "blindings": [hexsc(b) for b in blindings],
        "seed": prover_seed.hex(),
        "commitments": [hexpt(commit(v, b, gens)) for v, b in zip(values, blindings)],
        "proof": proof.to_bytes().hex(),
    }


def _edge_values(bits: int, m: int) -> list[int]:
    top = 2**bits - 1
    pattern = [0, top, 1, 2 ** (bits - 1), top - 1, 2 ** (bits - 1) - 1, 2, 3]
    return [pattern[i % len(pattern)] for i in range(m)]


# --- tampered proofs: a change of a valid proof's bytes (at docs/spec/ 6.4's offsets) or of
# its commitments, shown with the other one unchanged

ProofEdit = Callable[[bytes, dict[str, int], type[Point]], bytes]
CommitmentEdit = Callable[[list[str], type[Point]], list[str]]


def _same_proof(data: bytes, off: dict[str, int], pt: type[Point]) -> bytes:
    return data


def _same_commitments(cs: list[str], pt: type[Point]) -> list[str]:
    return cs


class Tampering(NamedTuple):
    """An invalid test: the seeded random proof and its commitments, each edited."""

    comment: str
    flags: tuple[str, ...]
    proof: ProofEdit = _same_proof
    commitments: CommitmentEdit = _same_commitments


def _plus_g(name: str, data: bytes, off: dict[str, int], pt: type[Point]) -> bytes:
    return _point_plus_g(data, off[name], pt)


def _plus_one(name: str, data: bytes, off: dict[str, int], pt: type[Point]) -> bytes:
    return _scalar_plus_one(data, off[name])


def _set_field(name: str, new: bytes, data: bytes, off: dict[str, int], pt: type[Point]) -> bytes:
    return _splice(data, off[name], new)


def _field_tamperings(
    points: tuple[str, ...], scalars: tuple[str, ...], identities: tuple[str, ...]
) -> tuple[Tampering, ...]:
    """Points plus G, scalars plus 1, points replaced by the identity."""
    tf = ("TamperedField",)
    return (
        *(Tampering(f"{p} replaced by {p} + G", tf, functools.partial(_plus_g, p)) for p in points),
        *(
            Tampering(f"{s} replaced by {s} + 1", tf, functools.partial(_plus_one, s))
            for s in scalars
        ),
        *(
            Tampering(
                f"{p} is the identity",
                ("IdentityPoint",),
                functools.partial(_set_field, p, bytes(33)),
            )
            for p in identities
        ),
    )


def _non_canonical(name: str, value: int) -> Tampering:
    new = value.to_bytes(32, "big")
    edit = functools.partial(_set_field, name, new)
    return Tampering(f"{name} encoded as a value >= n", ("NonCanonicalScalar",), edit)


def _a_encoded(comment: str, encode: Callable[[bytes], bytes]) -> Tampering:
    """A (the first field) re-encoded from its 33 bytes."""

    def edit(data: bytes, off: dict[str, int], pt: type[Point]) -> bytes:
        return _splice(data, 0, encode(data[:33]))

    return Tampering(comment, ("InvalidPointEncoding",), edit)


def _commitment_edit(comment: str, flag: str, edit: CommitmentEdit) -> Tampering:
    return Tampering(comment, (flag,), commitments=edit)


def _length_edit(comment: str, edit: Callable[[bytes, int], bytes]) -> Tampering:
    """The proof's bytes changed around the offset of ``a`` (the end of the last round)."""

    def proof(data: bytes, off: dict[str, int], pt: type[Point]) -> bytes:
        return edit(data, off["a"])

    return Tampering(f"proof {comment}", ("WrongLength",), proof)


ENCODING_TAMPERINGS: Final[tuple[Tampering, ...]] = (
    *(
        _non_canonical(name, value)
        for name, value in (
            ("t_x", N),
            ("tau_x", N + 1),
            ("mu", 2**256 - 1),
            ("a", N),
            ("b", N + 5),
        )
    ),
    _a_encoded("A with prefix 0x04", lambda a: b"\x04" + a[1:]),
    _a_encoded("A with prefix 0x00 and a non-zero x", lambda a: b"\x00" + a[1:]),
    _a_encoded("A with x = p", lambda a: a[:1] + P.to_bytes(32, "big")),
    _a_encoded("A with an x off the curve", lambda a: a[:1] + _not_on_curve_x()),
)


def _point(hex_point: str, pt: type[Point]) -> Point:
    return pt.from_bytes(bytes.fromhex(hex_point))


# for a proof of m = 2
COMMITMENT_TAMPERINGS: Final[tuple[Tampering, ...]] = (
    _commitment_edit(
        "commitment 0 with prefix 0x05",
        "InvalidPointEncoding",
        lambda cs, pt: ["05" + cs[0][2:], cs[1]],
    ),
    _commitment_edit(
        "commitment 0 is the identity", "IdentityPoint", lambda cs, pt: ["00" * 33, cs[1]]
    ),
    _commitment_edit("commitments swapped", "ModifiedCommitment", lambda cs, pt: [cs[1], cs[0]]),
    _commitment_edit(
        "commitment 0 + G (value + 1)",
        "ModifiedCommitment",
        lambda cs, pt: [hexpt(_point(cs[0], pt) + pt.generator()), cs[1]],
    ),
    _commitment_edit(
        "commitment 1 negated",
        "ModifiedCommitment",
        lambda cs, pt: [cs[0], hexpt(-_point(cs[1], pt))],
    ),
    _commitment_edit(
        "commitment 0 replaced by commitment 1", "ModifiedCommitment", lambda cs, pt: [cs[1], cs[1]]
    ),
)

LENGTH_TAMPERINGS: Final[tuple[Tampering, ...]] = (
    _length_edit("truncated by one byte", lambda data, a: data[:-1]),
    _length_edit("one byte appended", lambda data, a: data + b"\x00"),
    _length_edit(
        "the last round (L, R) repeated", lambda data, a: data[:a] + data[a - 66 : a] + data[a:]
    ),
    _length_edit("the last round removed", lambda data, a: data[: a - 66] + data[a:]),
    _length_edit("empty", lambda data, a: b""),
)

# (n, m) of the seeded random proof -> its tamperings (k = log2(n m) rounds: 7 and 3, so
# L[6], R[6] are the last round of (64, 2))
TAMPERINGS: Final[dict[tuple[int, int], tuple[Tampering, ...]]] = {
    (64, 2): (
        *_field_tamperings(
            ("A", "S", "T1", "T2", "L[0]", "R[0]", "L[6]", "R[6]"),
            ("t_x", "tau_x", "mu", "a", "b"),
            ("A", "S", "T1", "T2", "L[0]", "R[0]"),
        ),
        *ENCODING_TAMPERINGS,
        *COMMITMENT_TAMPERINGS,
        *LENGTH_TAMPERINGS,
    ),
    (8, 1): (*_field_tamperings(("A", "L[0]"), ("t_x", "a"), ("A",)), *LENGTH_TAMPERINGS),
}


class Mismatch(NamedTuple):
    """A seeded random proof for ``made_for`` (n, m) checked in the group (n, m) with
    ``commitments`` of its own."""

    n: int
    m: int
    made_for: tuple[int, int]
    comment: str
    flags: tuple[str, ...]
    commitments: Callable[[list[str]], list[str]] = list


_WRONG_M = ("WrongM", "WrongLength")
_WRONG_N = ("WrongN", "WrongLength")


def _first(cs: list[str]) -> list[str]:
    return cs[:1]


def _first_two(cs: list[str]) -> list[str]:
    return cs[:2]


def _twice(cs: list[str]) -> list[str]:
    return cs * 2


# the verifier's n is its own, its m the number of commitments it is given
MISMATCHES: Final[tuple[Mismatch, ...]] = (
    Mismatch(
        64, 1, (64, 2), "a proof for m = 2 checked with its first commitment only", _WRONG_M, _first
    ),
    Mismatch(
        64, 4, (64, 2), "a proof for m = 2 checked with its commitments twice", _WRONG_M, _twice
    ),
    Mismatch(
        64, 2, (64, 1), "a proof for m = 1 checked with its commitment twice", _WRONG_M, _twice
    ),
    Mismatch(32, 1, (64, 1), "a proof for n = 64 checked with n = 32", _WRONG_N),
    Mismatch(16, 1, (8, 1), "a proof for n = 8 checked with n = 16", _WRONG_N),
    Mismatch(32, 2, (64, 2), "a proof for n = 64 checked with n = 32", _WRONG_N),
    Mismatch(
        32,
        1,
        (16, 2),
        "a proof for n = 16, m = 2 checked as n = 32, m = 1 (same length: k = 5)",
        ("WrongN", "WrongM"),
        _first,
    ),
    Mismatch(
        64,
        1,
        (32, 2),
        "a proof for n = 32, m = 2 checked as n = 64, m = 1 (same length: k = 6)",
        ("WrongN", "WrongM"),
        _first,
    ),
    Mismatch(
        32,
        2,
        (16, 4),
        "a proof for n = 16, m = 4 checked as n = 32, m = 2 with two of its commitments (k = 6)",
        ("WrongN", "WrongM"),
        _first_two,
    ),
)

# (n, m, values, comment): proven without the range check, seed tag out-of-range-I
OUT_OF_RANGE: Final[tuple[tuple[int, int, list[int], str], ...]] = (
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

Groups = dict[tuple[int, int], Group]


def _add_invalid(
    group: Group, comment: str, flags: tuple[str, ...], cs: list[str], proof: bytes
) -> None:
    group.add(comment, list(flags), "invalid", commitments=cs, proof=proof.hex())


def _add_valid(groups: Groups, gens: GeneratorSet) -> dict[tuple[int, int], Json]:
    """Per (n, m) a seeded proof of random values and one of boundary values; returns the
    random ones, which the invalid tests change."""
    random_proofs: dict[tuple[int, int], Json] = {}
    for (n, m), group in groups.items():
        rng = seeded(f"rangeproof/{n}/{m}/values")
        values = [int.from_bytes(rng.randbytes(8), "big") % 2**n for _ in range(m)]
        case = random_proofs[(n, m)] = _proof_case(values, n, f"rangeproof/{n}/{m}/random", gens)
        group.add(
            f"n = {n}, m = {m}, seeded random values", ["Valid", "SeededProof"], "valid", **case
        )
        case = _proof_case(_edge_values(n, m), n, f"rangeproof/{n}/{m}/edge", gens)
        group.add(
            f"n = {n}, m = {m}, boundary values (0, 2^n - 1, ...)",
            ["Valid", "SeededProof", "EdgeCase"],
            "valid",
            **case,
        )
    return random_proofs


def _add_tampered(
    groups: Groups, random_proofs: dict[tuple[int, int], Json], pt: type[Point]
) -> None:
    for (n, m), tamperings in TAMPERINGS.items():
        case = random_proofs[(n, m)]
        cs, data = list(case["commitments"]), bytes.fromhex(str(case["proof"]))
        off = _offsets((n * m).bit_length() - 1)
        for t in tamperings:
            _add_invalid(
                groups[(n, m)], t.comment, t.flags, t.commitments(cs, pt), t.proof(data, off, pt)
            )


def _add_mismatched(groups: Groups, random_proofs: dict[tuple[int, int], Json]) -> None:
    for mm in MISMATCHES:
        case = random_proofs[mm.made_for]
        cs, data = list(case["commitments"]), bytes.fromhex(str(case["proof"]))
        _add_invalid(groups[(mm.n, mm.m)], mm.comment, mm.flags, mm.commitments(cs), data)


def _add_out_of_range(groups: Groups, gens: GeneratorSet) -> None:
    for i, (n, m, values, comment) in enumerate(OUT_OF_RANGE):
        tag = f"rangeproof/{n}/{m}/out-of-range-{i}"
        case = _proof_case(values, n, tag, gens, check_range=False)
        groups[(n, m)].add(
            f"{comment}: made without the range check", ["ValueOutOfRange"], "invalid", **case
        )


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "rangeproof",
        "zkpor range proof v1: aggregated Bulletproofs on secp256k1 (docs/spec.md section 6)",
        HEADER,
    )
    groups = {
        (n, m): f.group("RangeProofVerify", n=n, m=m) for n in RANGEPROOF_BITS for m in RANGEPROOF_M
    }
    random_proofs = _add_valid(groups, gens)
    _add_tampered(groups, random_proofs, gens.point_type)
    _add_mismatched(groups, random_proofs)
    _add_out_of_range(groups, gens)
    return f.to_json()


NAME: Final = "rangeproof"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of rangeproof.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
