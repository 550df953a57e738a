"""r1cs.json: arithmetic-circuit (R1CS) proofs (checked by zkpor.vectors.circuit_checks).

One group per named statement of :mod:`zkpor.circuits` (``range64``, ``le64``,
``haircut12``, ``collateral2x12``), carrying the circuit's sizes, digest and sparse matrices
(W_L, W_R, W_O, W_V as [row, column, value] triples and c as [row, value]; values decimal in
[0, n)). Valid tests: the openings, the prover's DRBG seed, the commitments, the proof and
its challenges (y, z, x, w, u_1..u_k). Invalid tests, flagged by cause: a tampered field,
another commitment (changed or reordered), an unsatisfied witness (the cheating prover), a
proof of another circuit, truncated or extended bytes, a non-canonical scalar, the identity
or a bad point encoding.

Seeds: ``r1cs/NAME/KIND/blindings`` and ``r1cs/NAME/KIND/prover`` under the vectors prefix.
"""

from __future__ import annotations

from typing import Final

from tools.vectors.base import VectorFile
from tools.vectors.schemaparts import Schema
from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.r1cs import ConstraintSystem
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.circuit_checks import Json, named_circuit, sparse_matrices, trace_challenges
from zkpor.vectors.common import hexpt, hexsc, seed, seeded

# (statement, [(kind, values)] valid cases, cheating inputs (honest, claimed))
CASES: Final[list[tuple[str, list[tuple[str, list[int]]], tuple[list[int], list[int]]]]] = [
    (
        "range64",
        [("random", [0x1234_5678_9ABC_DEF0]), ("max", [2**64 - 1]), ("zero", [0])],
        ([2**64 - 1], [2**64]),
    ),
    (
        "le64",
        [("random", [987_654_321, 2**63 + 5]), ("equal", [2**64 - 1, 2**64 - 1])],
        ([5, 5], [6, 5]),
    ),
    (
        "haircut12",
        [("random", [123_456 * 10**6, 0]), ("top", [2**64 - 1, 0]), ("boundary", [10**10, 0])],
        ([10**10, 0], [10**10, 1]),
    ),
    ("collateral2x12", [("random", [10**9, 0, 5 * 10**9, 0])], ([10**9, 0, 5 * 10**9, 0], [])),
]


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


def _offsets(rounds: int) -> dict[str, int]:
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
    pt = gens.point_type
    for name, valid, (honest, claimed) in CASES:
        circuit = named_circuit(name)
        group = f.group(
            "R1CSProofVerify",
            circuit=name,
            gates=circuit.gates,
            padded_gates=circuit.padded_gates,
            inputs=circuit.inputs,
            constraints=len(circuit.constraints),
            digest=circuit.digest().hex(),
            matrices=sparse_matrices(circuit),
        )
        base: Json | None = None
        for kind, values in valid:
            case = _prove_case(name, _fill(name, values), f"r1cs/{name}/{kind}", gens)
            base = base or case
            group.add(f"{name}: {kind} inputs", ["Valid", "SeededProof"], "valid", **case)
        assert base is not None
        cs = list(base["commitments"])
        data = bytes.fromhex(base["proof"])

        def bad(comment: str, flags: list[str], commitments: list[str], proof: bytes) -> None:
            group.add(comment, flags, "invalid", commitments=commitments, proof=proof.hex())  # noqa: B023

        if claimed:
            cheat = _prove_case(name, honest, f"r1cs/{name}/cheat", gens, claimed=claimed)
            bad(
                f"{name}: the cheating prover's proof of a false statement (inputs "
                f"{', '.join(cheat['values'])})",
                ["UnsatisfiedWitness"],
                cheat["commitments"],
                bytes.fromhex(cheat["proof"]),
            )
        else:  # collateral: debt one unit above the bound
            over = _fill(name, honest)
            over[1] += 1
            cheat = _prove_case(name, _fill(name, honest), f"r1cs/{name}/cheat", gens, claimed=over)
            bad(
                f"{name}: the cheating prover's proof of a debt one unit above the collateral",
                ["UnsatisfiedWitness"],
                cheat["commitments"],
                bytes.fromhex(cheat["proof"]),
            )
        one = bytes.fromhex(hexpt(pt.generator()))
        moved = hexpt(pt.from_bytes(bytes.fromhex(cs[0])) + pt.from_bytes(one))
        bad(f"{name}: commitment 0 plus G", ["ModifiedCommitment"], [moved, *cs[1:]], data)
        if len(cs) > 1:
            bad(f"{name}: commitments reversed", ["ModifiedCommitment"], cs[::-1], data)
        bad(f"{name}: last byte dropped", ["WrongLength"], cs, data[:-1])
        bad(f"{name}: one byte appended", ["WrongLength"], cs, data + b"\x00")
        offsets = _offsets((len(data) - 424) // 66)
        fields = list(offsets) if name == "range64" else ["A_I", "S", "T3", "t_x", "L[0]", "b"]
        for field in fields:
            off = offsets[field]
            if field in ("t_x", "t_x_blinding", "e_blinding", "a", "b"):
                s = int.from_bytes(data[off : off + 32], "big")
                new = ((s + 1) % N).to_bytes(32, "big")
                bad(
                    f"{name}: {field} + 1",
                    ["TamperedField"],
                    cs,
                    data[:off] + new + data[off + 32 :],
                )
            else:
                p = pt.from_bytes(data[off : off + 33]) + pt.generator()
                new = p.to_bytes()
                bad(
                    f"{name}: {field} + G",
                    ["TamperedField"],
                    cs,
                    data[:off] + new + data[off + 33 :],
                )
        off = offsets["e_blinding"]
        s = int.from_bytes(data[off : off + 32], "big")
        if s + N < 2**256:
            nc = data[:off] + (s + N).to_bytes(32, "big") + data[off + 32 :]
            bad(f"{name}: e_blinding + n (non-canonical)", ["NonCanonicalScalar"], cs, nc)
        a_off = offsets["a"]
        a = int.from_bytes(data[a_off : a_off + 32], "big")
        if a + N < 2**256:
            nc = data[:a_off] + (a + N).to_bytes(32, "big") + data[a_off + 32 :]
            bad(f"{name}: a + n (non-canonical)", ["NonCanonicalScalar"], cs, nc)
        ident = data[:33] + bytes(33) + data[66:]
        bad(f"{name}: A_O is the identity", ["IdentityPoint"], cs, ident)
        enc = data[:0] + b"\x04" + data[1:]
        bad(f"{name}: A_I with prefix 04", ["InvalidPointEncoding"], cs, enc)
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
