"""r1cs.json: arithmetic-circuit (R1CS) proofs (docs/spec/ section 15,
arithmetic-circuits.md; checked by zkpor.vectors.circuit_checks).

One group per named statement of :mod:`zkpor.circuits` (``range64``, ``le64``, ``lt64``,
``haircut12``, ``collateral1x12``, ``collateral2x12``, ``collateral4x12``), carrying the circuit's sizes, digest and sparse matrices
(W_L, W_R, W_O, W_V as [row, column, value] triples and c as [row, value]; values decimal in
[0, n)). Valid tests: the openings, the prover's DRBG seed, the commitments, the proof and
its challenges (y, z, x, w, u_1..u_k). Invalid tests, flagged by cause: a tampered field,
another commitment (changed or reordered), an unsatisfied witness (the cheating prover), a
proof of another circuit, truncated or extended bytes, a non-canonical scalar, the identity
or a bad point encoding.

Cases as tables: :data:`CASES` (per statement its valid inputs and the cheating prover's)
and the tamperings of a statement's first valid proof, :data:`TAMPERINGS_BEFORE_FIELDS`,
one per tampered field (:func:`field_tamperings`) and :data:`TAMPERINGS_AFTER_FIELDS`.

Seeds: ``r1cs/NAME/KIND/blindings`` and ``r1cs/NAME/KIND/prover`` under the vectors prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

from tools.vectors.base import Group, VectorFile, _point_plus_g, _scalar_plus_one, _splice
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, Point, random_scalar
from zkpor.crypto.r1cs import ConstraintSystem
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.circuit_checks import Json, named_circuit, sparse_matrices, trace_challenges
from zkpor.vectors.common import hexpt, hexsc, seed, seeded


class CircuitCases(NamedTuple):
    """A statement's tests: valid ``(kind, inputs)`` (the first one is tampered with) and
    the cheating prover's honest inputs and claimed values (none: the collateral statement,
    whose claimed debt is one unit above the bound)."""

    statement: str
    valid: tuple[tuple[str, list[int]], ...]
    honest: list[int]
    claimed: list[int]


CASES: Final[tuple[CircuitCases, ...]] = (
    CircuitCases(
        "range64",
        (("random", [0x1234_5678_9ABC_DEF0]), ("max", [2**64 - 1]), ("zero", [0])),
        [2**64 - 1],
        [2**64],
    ),
    CircuitCases(
        "le64",
        (("random", [987_654_321, 2**63 + 5]), ("equal", [2**64 - 1, 2**64 - 1])),
        [5, 5],
        [6, 5],
    ),
    CircuitCases(
        "lt64",
        (("random", [3, 4]), ("adjacent", [2**64 - 2, 2**64 - 1]), ("zero", [0, 1])),
        [4, 5],
        [5, 5],
    ),
    CircuitCases(
        "haircut12",
        (("random", [123_456 * 10**6, 0]), ("top", [2**64 - 1, 0]), ("boundary", [10**10, 0])),
        [10**10, 0],
        [10**10, 1],
    ),
    CircuitCases("collateral1x12", (("random", [10**9, 0]),), [10**9, 0], []),
    CircuitCases(
        "collateral2x12", (("random", [10**9, 0, 5 * 10**9, 0]),), [10**9, 0, 5 * 10**9, 0], []
    ),
    CircuitCases(
        "collateral4x12",
        (("random", [10**9, 0, 5 * 10**9, 0, 7, 0, 2**64 - 1, 0]),),
        [10**9, 0, 5 * 10**9, 0, 7, 0, 2**64 - 1, 0],
        [],
    ),
)


def _fill(name: str, values: list[int]) -> list[int]:
    """The statement's honest inputs: h of haircut12 and the largest covered debt of the
    collateral statement are computed from the other inputs."""
    from zkpor.circuits import demo_assets, reference_hundredths
    from zkpor.circuits.registry import DEMO_TABLE

    values = list(values)
    if name == "haircut12":
        values[1] = reference_hundredths(DEMO_TABLE, values[0]) // 100
    elif name.startswith("collateral"):
        assets = demo_assets(len(values) // 2)
        total = sum(
            reference_hundredths(a.table, values[2 * i] * a.price) for i, a in enumerate(assets)
        )
        values[1] = total // (100 * assets[0].price)
    return values


def _prove_case(
    name: str, values: list[int], tag: str, gens: GeneratorSet, *, claimed: list[int] | None = None
) -> Json:
    """A seeded proof; with ``claimed`` the cheating prover's (witness of ``values`` with
    the committed values replaced, no satisfiability check)."""
    from zkpor.circuits import get_statement

    from zkpor.crypto.r1cs.prover import prove_circuit
    from zkpor.crypto.r1cs.testing import prove_unchecked

    cs = ConstraintSystem(values=values)
    get_statement(name).build(cs)
    witness = cs.witness()
    rng = seeded(f"{tag}/blindings")
    blindings = [random_scalar(rng) for _ in values]
    prover_seed = seed(f"{tag}/prover")
    trace: Json = {}
    if claimed is None:
        proof, commitments = prove_circuit(
            cs.circuit(), witness, blindings, rng=SeededRandom(prover_seed), gens=gens, trace=trace
        )
    else:
        witness.v = [x % N for x in claimed]
        proof, commitments = prove_unchecked(
            cs.circuit(), witness, blindings, rng=SeededRandom(prover_seed), gens=gens
        )
    return {
        "values": [str(v) for v in (claimed if claimed is not None else values)],
        "blindings": [hexsc(b) for b in blindings],
        "seed": prover_seed.hex(),
        "commitments": [hexpt(c) for c in commitments],
        "proof": proof.to_bytes().hex(),
        "challenges": trace_challenges(trace),
    }


def r1cs_offsets(rounds: int) -> dict[str, int]:
    """Byte offsets of an R1CS proof's fields (docs/spec/ section 15), ``rounds`` rounds."""
    names = ["A_I", "A_O", "S", "T1", "T3", "T4", "T5", "T6"]
    out = {name: 33 * i for i, name in enumerate(names)}
    pos = 33 * 8
    for name in ("t_x", "t_x_blinding", "e_blinding"):
        out[name] = pos
        pos += 32
    for i in range(rounds):
        out[f"L[{i}]"] = pos
        out[f"R[{i}]"] = pos + 33
        pos += 66
    out["a"] = pos
    out["b"] = pos + 32
    return out


# --- the tamperings of a statement's first valid proof: the commitments and proof shown,
# or None where one does not apply (a single commitment, a scalar without room for + n)

Shown = tuple[list[str], bytes]
Edit = Callable[[list[str], bytes, dict[str, int], type[Point]], Shown | None]


class Tampering(NamedTuple):
    """An invalid test of every statement: ``edit`` gives what is shown to the verifier."""

    comment: str  # after "STATEMENT: "
    flag: str
    edit: Edit


def _commitment_plus_g(cs: list[str], data: bytes, off: dict[str, int], pt: type[Point]) -> Shown:
    moved = pt.from_bytes(bytes.fromhex(cs[0])) + pt.generator()
    return [hexpt(moved), *cs[1:]], data


def _reversed(cs: list[str], data: bytes, off: dict[str, int], pt: type[Point]) -> Shown | None:
    return (cs[::-1], data) if len(cs) > 1 else None


def _plus_n(field: str) -> Edit:
    """The scalar ``field`` + n, where that still fits 32 bytes (a random scalar almost never
    leaves room: then no test)."""

    def edit(cs: list[str], data: bytes, off: dict[str, int], pt: type[Point]) -> Shown | None:
        s = int.from_bytes(data[off[field] : off[field] + 32], "big")
        if s + N >= 2**256:
            return None
        return cs, _splice(data, off[field], (s + N).to_bytes(32, "big"))

    return edit


def _encoded_as(field: str, value: int) -> Edit:
    """The scalar ``field`` replaced by ``value`` >= n: refused by the decoder (15.5)."""

    def edit(cs: list[str], data: bytes, off: dict[str, int], pt: type[Point]) -> Shown:
        return cs, _splice(data, off[field], value.to_bytes(32, "big"))

    return edit


TAMPERINGS_BEFORE_FIELDS: Final[tuple[Tampering, ...]] = (
    Tampering("commitment 0 plus G", "ModifiedCommitment", _commitment_plus_g),
    Tampering("commitments reversed", "ModifiedCommitment", _reversed),
    Tampering("last byte dropped", "WrongLength", lambda cs, data, off, pt: (cs, data[:-1])),
    Tampering("one byte appended", "WrongLength", lambda cs, data, off, pt: (cs, data + b"\x00")),
)

TAMPERINGS_AFTER_FIELDS: Final[tuple[Tampering, ...]] = (
    Tampering("e_blinding + n (non-canonical)", "NonCanonicalScalar", _plus_n("e_blinding")),
    Tampering("a + n (non-canonical)", "NonCanonicalScalar", _plus_n("a")),
    Tampering("t_x encoded as n (non-canonical)", "NonCanonicalScalar", _encoded_as("t_x", N)),
    Tampering(
        "b encoded as 2^256 - 1 (non-canonical)",
        "NonCanonicalScalar",
        _encoded_as("b", 2**256 - 1),
    ),
    Tampering(
        "A_O is the identity",
        "IdentityPoint",
        lambda cs, data, off, pt: (cs, _splice(data, 33, bytes(33))),
    ),
    Tampering(
        "A_I with prefix 04",
        "InvalidPointEncoding",
        lambda cs, data, off, pt: (cs, b"\x04" + data[1:]),
    ),
)

SCALAR_FIELDS: Final[frozenset[str]] = frozenset(("t_x", "t_x_blinding", "e_blinding", "a", "b"))

# the fields tampered with in every statement but range64 (there: all of them)
SAMPLED_FIELDS: Final[tuple[str, ...]] = ("A_I", "S", "T3", "t_x", "L[0]", "b")


def _field_edit(field: str) -> Edit:
    def edit(cs: list[str], data: bytes, off: dict[str, int], pt: type[Point]) -> Shown:
        if field in SCALAR_FIELDS:
            return cs, _scalar_plus_one(data, off[field])
        return cs, _point_plus_g(data, off[field], pt)

    return edit


def field_tamperings(fields: list[str]) -> list[Tampering]:
    """Each scalar field + 1, each point field + G."""
    return [
        Tampering(
            f"{field} + 1" if field in SCALAR_FIELDS else f"{field} + G",
            "TamperedField",
            _field_edit(field),
        )
        for field in fields
    ]


def _circuit_group(f: VectorFile, statement: str) -> Group:
    circuit = named_circuit(statement)
    return f.group(
        "R1CSProofVerify",
        circuit=statement,
        gates=circuit.gates,
        padded_gates=circuit.padded_gates,
        inputs=circuit.inputs,
        constraints=len(circuit.constraints),
        digest=circuit.digest().hex(),
        matrices=sparse_matrices(circuit),
    )


def _add_cheating_proof(group: Group, case: CircuitCases, gens: GeneratorSet) -> None:
    name, tag = case.statement, f"r1cs/{case.statement}/cheat"
    if case.claimed:
        cheat = _prove_case(name, case.honest, tag, gens, claimed=case.claimed)
        inputs = ", ".join(cheat["values"])
        comment = f"the cheating prover's proof of a false statement (inputs {inputs})"
    else:  # collateral: debt one unit above the bound
        over = _fill(name, case.honest)
        over[1] += 1
        cheat = _prove_case(name, _fill(name, case.honest), tag, gens, claimed=over)
        comment = "the cheating prover's proof of a debt one unit above the collateral"
    group.add(
        f"{name}: {comment}",
        ["UnsatisfiedWitness"],
        "invalid",
        commitments=cheat["commitments"],
        proof=cheat["proof"],
    )


def _add_tampered(group: Group, statement: str, base: Json, pt: type[Point]) -> None:
    cs, data = list(base["commitments"]), bytes.fromhex(base["proof"])
    offsets = r1cs_offsets((len(data) - 424) // 66)
    fields = list(offsets) if statement == "range64" else list(SAMPLED_FIELDS)
    for t in (*TAMPERINGS_BEFORE_FIELDS, *field_tamperings(fields), *TAMPERINGS_AFTER_FIELDS):
        shown = t.edit(cs, data, offsets, pt)
        if shown is not None:
            group.add(
                f"{statement}: {t.comment}",
                [t.flag],
                "invalid",
                commitments=shown[0],
                proof=shown[1].hex(),
            )


def _add_statement(f: VectorFile, case: CircuitCases, gens: GeneratorSet) -> None:
    """The statement's group: its valid proofs, the cheating prover's, the tamperings."""
    name = case.statement
    group = _circuit_group(f, name)
    proofs = []
    for kind, values in case.valid:
        proofs.append(_prove_case(name, _fill(name, values), f"r1cs/{name}/{kind}", gens))
        group.add(f"{name}: {kind} inputs", ["Valid", "SeededProof"], "valid", **proofs[-1])
    _add_cheating_proof(group, case, gens)
    _add_tampered(group, name, proofs[0], gens.point_type)


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "r1cs",
        "zkpor R1CS proof v1: Bulletproofs arithmetic circuits on secp256k1 "
        '(docs/spec.md, "Arithmetic circuits (R1CS)")',
        [
            "One group per named statement of zkpor.circuits with its sizes, digest and sparse",
            "matrices, which a verifier rebuilds from the statement's definition. Inputs",
            "commitments and proof; valid tests add the openings (values, blindings), the",
            "prover's DRBG seed (the seeded prover reproduces the proof byte for byte) and the",
            "Fiat-Shamir challenges.",
        ],
    )
    for case in CASES:
        _add_statement(f, case, gens)
    # a proof of another circuit: lt64's (same sizes as le64) shown for le64
    lt = _prove_case("lt64", [3, 4], "r1cs/lt64/random", gens)
    le_group = next(g for g in f.groups if g.params["circuit"] == "le64")
    le_group.add(
        "le64: a valid proof of lt64 (same sizes, another circuit digest)",
        ["OtherCircuit"],
        "invalid",
        commitments=lt["commitments"],
        proof=lt["proof"],
    )
    return f.to_json()


NAME: Final = "r1cs"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of r1cs.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
