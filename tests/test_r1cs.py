"""The R1CS proof system: completeness, encoding, tampering, soundness against a cheating
prover, batch verification, the galois-side checks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zkpor.circuits import build_circuit, get_statement

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import generators
from zkpor.crypto.group import N, Point, get_backend
from zkpor.crypto.r1cs import (
    ONE,
    Circuit,
    ConstraintSystem,
    LinearCombination,
    R1CSProof,
    Variable,
    proof_size,
    prove,
    prove_circuit,
    rounds_for,
    verify,
    verify_batch,
)
from zkpor.crypto.r1cs.field import (
    N_MINUS_1_FACTORS,
    PRIMITIVE_ELEMENT,
    check_input_rank,
    check_witness,
    to_matrices,
)
from zkpor.crypto.r1cs.proof import POINT_FIELDS, SCALAR_FIELDS
from zkpor.crypto.r1cs.testing import prove_unchecked
from zkpor.errors import EncodingError, ParameterError, VerificationError

SLOW = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _miller_rabin(p: int) -> bool:
    if p < 4:
        return p in (2, 3)
    d, s = p - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71):
        x = pow(a, d, p)
        if x in (1, p - 1):
            continue
        for _ in range(s - 1):
            x = x * x % p
            if x == p - 1:
                break
        else:
            return False
    return True


def test_primitive_element_of_the_scalar_field() -> None:
    product = 1
    for p, e in N_MINUS_1_FACTORS:
        assert _miller_rabin(p)
        product *= p**e
    assert product == N - 1
    for p, _ in N_MINUS_1_FACTORS:
        assert pow(PRIMITIVE_ELEMENT, (N - 1) // p, N) != 1
    # and no smaller candidate is a primitive root
    for g in range(2, PRIMITIVE_ELEMENT):
        assert any(pow(g, (N - 1) // p, N) == 1 for p, _ in N_MINUS_1_FACTORS)


def test_linear_combination_algebra() -> None:
    a, b = Variable.committed(0), Variable.left(3)
    lc = 2 * a - b + 5 - (a + a)
    assert lc.terms == {b: N - 1, ONE: 5}
    assert (lc - lc).terms == {}
    assert LinearCombination.weighted([(3, a), (-3, a)]).terms == {}
    with pytest.raises(TypeError):
        _ = lc * lc  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = a + True


def _range_build(cs: ConstraintSystem) -> None:
    get_statement("range64").build(cs)


def _values_for(name: str, values: list[int]) -> tuple[R1CSProof, list[Point], Circuit]:
    st = get_statement(name)
    blindings = list(range(7, 7 + len(values)))
    return prove(st.build, values, blindings, name=name)


@SLOW
@given(st.one_of(st.sampled_from([0, 1, 2**63, 2**64 - 1]), st.integers(0, 2**64 - 1)))
def test_range64_complete(v: int) -> None:
    proof, commitments, circuit = _values_for("range64", [v])
    assert circuit.digest() == build_circuit("range64").digest()
    verify(build_circuit("range64"), proof, commitments)
    verify(build_circuit("range64"), proof.to_bytes(), [c.to_bytes() for c in commitments])


@SLOW
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_le64_complete(a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    proof, commitments, _ = _values_for("le64", [lo, hi])
    verify(build_circuit("le64"), proof, commitments)


def test_proof_size_and_roundtrip() -> None:
    proof, commitments, circuit = _values_for("le64", [3, 3])
    data = proof.to_bytes()
    assert len(data) == proof_size(rounds_for(65)) == 424 + 66 * 7 == 886
    assert R1CSProof.from_bytes(data) == proof
    assert R1CSProof.from_bytes(data, gates=65).to_bytes() == data
    with pytest.raises(EncodingError, match="must be 820 bytes"):
        R1CSProof.from_bytes(data, gates=64)
    for bad in (data[:-1], data + b"\x00", data[:423], b""):
        with pytest.raises(EncodingError):
            R1CSProof.from_bytes(bad)
        with pytest.raises(VerificationError):
            verify(circuit, bad, commitments)


@pytest.fixture(scope="module")
def le_case() -> tuple[R1CSProof, list[Point], Circuit]:
    return _values_for("le64", [5, 2**64 - 1])


def _field_offsets(k: int) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    pos = 0
    for name in POINT_FIELDS:
        out[name] = (pos, 33)
        pos += 33
    for name in SCALAR_FIELDS:
        out[name] = (pos, 32)
        pos += 32
    for i in range(k):
        out[f"L[{i}]"] = (pos, 33)
        out[f"R[{i}]"] = (pos + 33, 33)
        pos += 66
    out["a"] = (pos, 32)
    out["b"] = (pos + 32, 32)
    return out


def test_every_field_tampered_is_rejected(le_case: tuple[R1CSProof, list[Point], Circuit]) -> None:
    proof, commitments, circuit = le_case
    data = proof.to_bytes()
    pt = type(commitments[0])
    offsets = _field_offsets(proof.rounds)
    assert len(offsets) == 8 + 3 + 2 * proof.rounds + 2
    for off, size in offsets.values():
        chunk = data[off : off + size]
        if size == 33:
            new = (pt.from_bytes(chunk) + pt.generator()).to_bytes()
        else:
            new = ((int.from_bytes(chunk, "big") + 1) % N).to_bytes(32, "big")
        bad = data[:off] + new + data[off + size :]
        with pytest.raises(VerificationError):
            verify(circuit, bad, commitments)
        # non-canonical: scalar + n (if it fits), point prefix 04, the identity
        if size == 32:
            s = int.from_bytes(chunk, "big")
            if s + N < 2**256:
                nc = data[:off] + (s + N).to_bytes(32, "big") + data[off + size :]
                with pytest.raises(EncodingError, match="non-canonical"):
                    R1CSProof.from_bytes(nc)
        else:
            ident = data[:off] + bytes(33) + data[off + size :]
            with pytest.raises(EncodingError, match="identity"):
                R1CSProof.from_bytes(ident)
            with pytest.raises(VerificationError):
                verify(circuit, ident, commitments)


def test_non_canonical_scalar_rejected(le_case: tuple[R1CSProof, list[Point], Circuit]) -> None:
    proof, commitments, circuit = le_case
    data = bytearray(proof.to_bytes())
    off = 8 * 33
    data[off : off + 32] = (N + 1).to_bytes(32, "big")
    with pytest.raises(VerificationError, match="non-canonical"):
        verify(circuit, bytes(data), commitments)


def test_commitments_reordered_replaced_or_miscounted(
    le_case: tuple[R1CSProof, list[Point], Circuit],
) -> None:
    proof, commitments, circuit = le_case
    pt = type(commitments[0])
    verify(circuit, proof, commitments)
    with pytest.raises(VerificationError):
        verify(circuit, proof, commitments[::-1])
    with pytest.raises(VerificationError):
        verify(circuit, proof, [commitments[0], commitments[1] + pt.generator()])
    with pytest.raises(VerificationError, match="2 committed inputs"):
        verify(circuit, proof, commitments[:1])
    with pytest.raises(VerificationError, match="identity"):
        verify(circuit, proof, [commitments[0], pt.identity()])


def test_other_circuit_digest_rejected(le_case: tuple[R1CSProof, list[Point], Circuit]) -> None:
    proof, commitments, circuit = le_case
    other = build_circuit("lt64")  # same sizes, other constant: another digest
    assert (other.gates, other.inputs) == (circuit.gates, circuit.inputs)
    assert other.digest() != circuit.digest()
    with pytest.raises(VerificationError):
        verify(other, proof, commitments)
    # one coefficient changed
    terms = list(circuit.constraints)
    k, (kind, idx, coeff) = 0, terms[0][0]
    terms[k] = ((kind, idx, coeff % (N - 1) + 1), *terms[k][1:])
    changed = Circuit(circuit.gates, circuit.inputs, tuple(terms))
    assert changed.digest() != circuit.digest()
    with pytest.raises(VerificationError):
        verify(changed, proof, commitments)


def _cheat(name: str, honest: list[int], claimed: list[int]) -> tuple[R1CSProof, list[Point]]:
    """The cheating prover: the witness of honest inputs with the committed values
    replaced, proven without any satisfiability check."""
    st = get_statement(name)
    cs = ConstraintSystem(values=honest)
    st.build(cs)
    witness = cs.witness()
    witness.v = [x % N for x in claimed]
    with pytest.raises(ParameterError, match="does not satisfy"):
        check_witness(cs.circuit(), witness)
    return prove_unchecked(cs.circuit(), witness, [11] * len(claimed), rng=None, gens=None)


def _cheat_hint(name: str, values: list[int]) -> tuple[R1CSProof, list[Point]]:
    """The cheating prover with the gadgets' own hints for the false statement (the low
    bits of a value that does not fit), again without the check."""
    cs = ConstraintSystem(values=values)
    get_statement(name).build(cs)
    witness = cs.witness()
    with pytest.raises(ParameterError, match="does not satisfy"):
        check_witness(cs.circuit(), witness)
    return prove_unchecked(cs.circuit(), witness, [11] * len(values), rng=None, gens=None)


@pytest.mark.parametrize("value", [2**64, N - 1, 2**64 + 5, N - 2**63])
def test_cheating_prover_out_of_range(value: int) -> None:
    circuit = build_circuit("range64")
    for proof, commitments in (
        _cheat("range64", [value % 2**64], [value]),
        _cheat_hint("range64", [value]),
    ):
        with pytest.raises(VerificationError):
            verify(circuit, proof, commitments)
    with pytest.raises(ParameterError, match="does not satisfy"):
        _values_for("range64", [value])


@pytest.mark.parametrize(("a", "b"), [(1, 0), (2**64 - 1, 0), (2**63 + 1, 2**63)])
def test_cheating_prover_le_with_a_greater(a: int, b: int) -> None:
    circuit = build_circuit("le64")
    for proof, commitments in (_cheat("le64", [b, b], [a, b]), _cheat_hint("le64", [a, b])):
        with pytest.raises(VerificationError):
            verify(circuit, proof, commitments)
    with pytest.raises(ParameterError):
        _values_for("le64", [a, b])


def test_lt_rejects_equal() -> None:
    with pytest.raises(ParameterError):
        _values_for("lt64", [7, 7])
    proof, commitments = _cheat_hint("lt64", [7, 7])
    with pytest.raises(VerificationError):
        verify(build_circuit("lt64"), proof, commitments)


def test_batch_verification_names_the_bad_proof(
    le_case: tuple[R1CSProof, list[Point], Circuit],
) -> None:
    proof, commitments, circuit = le_case
    p2, c2, circ2 = _values_for("range64", [12345])
    good = [
        (circuit, proof, commitments),
        (circ2, p2, c2),
        (circuit, proof.to_bytes(), commitments),
    ]
    verify_batch(good)
    verify_batch([])
    bad_proof, bad_cs = _cheat_hint("range64", [2**64])
    with pytest.raises(VerificationError, match="batch item 2"):
        verify_batch([*good[:2], (circ2, bad_proof, bad_cs), good[2]])
    with pytest.raises(VerificationError, match="batch item 1"):
        verify_batch([good[0], (circuit, proof, commitments[::-1])])
    with pytest.raises(VerificationError, match="batch item 0"):
        verify_batch([(circuit, proof.to_bytes()[:-1], commitments)])


def test_input_rank_and_shape_checks() -> None:
    # v_1 is never constrained: W_V has rank 1 < 2
    cs = ConstraintSystem(values=[3, 4])
    cs.constrain(cs.inputs[0] - 3)
    with pytest.raises(ParameterError, match="rank"):
        check_input_rank(cs.circuit())
    with pytest.raises(ParameterError, match="rank"):
        prove_circuit(cs.circuit(), cs.witness(), [1, 2])
    # v_0 and v_1 only through their sum: rank 1
    cs = ConstraintSystem(values=[3, 4])
    cs.constrain(cs.inputs[0] + cs.inputs[1] - 7)
    cs.constrain(2 * cs.inputs[0] + 2 * cs.inputs[1] - 14)
    with pytest.raises(ParameterError, match="rank 1"):
        check_input_rank(cs.circuit())
    bad = Circuit(1, 0, (((2, 5, 1),),))
    with pytest.raises(ParameterError, match="no wire"):
        bad.check_shape()
    with pytest.raises(VerificationError, match="not well formed"):
        verify(bad, _values_for("range64", [1])[0], [])


def test_matrices_match_the_witness() -> None:
    import numpy as np

    cs = ConstraintSystem(values=[1000, 5000])
    get_statement("le64").build(cs)
    circuit, w = cs.circuit(), cs.witness()
    mats = to_matrices(circuit)
    from zkpor.crypto.r1cs.field import field

    gf = field()
    total = (
        mats["W_L"] @ gf(w.a_l)
        + mats["W_R"] @ gf(w.a_r)
        + mats["W_O"] @ gf(w.a_o)
        + mats["W_V"] @ gf(w.v)
        + mats["c"]
    )
    assert not np.any(total)
    assert mats["W_V"].shape == (len(circuit.constraints), 2)


def test_seeded_proofs_identical_on_both_backends() -> None:
    proofs = []
    for name in ("fast", "reference"):
        be = get_backend(name)
        cs = ConstraintSystem(values=[77, 99])
        cs.constrain(cs.inputs[0] + cs.inputs[1] - 176)
        _, _, out = cs.multiply(cs.inputs[0], cs.inputs[1] - 1)
        cs.constrain(out - 77 * 98)
        cs.constrain(cs.inputs[0] - 77)
        proof, commitments = prove_circuit(
            cs.circuit(), cs.witness(), [5, 6], rng=SeededRandom(b"r1cs"), gens=generators(be)
        )
        verify(cs.circuit(), proof, commitments)
        proofs.append(proof.to_bytes())
    assert proofs[0] == proofs[1]
    assert len(proofs[0]) == proof_size(0)


def test_empty_and_unsatisfiable_circuits() -> None:
    cs = ConstraintSystem(inputs=0)
    cs.constrain(ONE)  # 1 = 0
    with pytest.raises(ParameterError, match="does not satisfy"):
        prove_circuit(cs.circuit(), ConstraintSystem(values=[]).witness(), [])
    cs = ConstraintSystem(values=[])
    proof, commitments = prove_circuit(cs.circuit(), cs.witness(), [])
    verify(ConstraintSystem(inputs=0).circuit(), proof, commitments)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_flipped_byte_rejected(data: st.DataObject) -> None:
    proof, commitments, circuit = _shared_case()
    raw = bytearray(proof.to_bytes())
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] ^= data.draw(st.integers(1, 255))
    with pytest.raises(VerificationError):
        verify(circuit, bytes(raw), commitments)


_CACHE: list[tuple[R1CSProof, list[Point], Circuit]] = []


def _shared_case() -> tuple[R1CSProof, list[Point], Circuit]:
    if not _CACHE:
        _CACHE.append(_values_for("range64", [2**40 + 3]))
    return _CACHE[0]


def test_prover_parameter_errors() -> None:
    cs = ConstraintSystem(values=[3])
    cs.constrain(cs.inputs[0] - 3)
    circuit, witness = cs.circuit(), cs.witness()
    with pytest.raises(ParameterError, match="blindings"):
        prove_circuit(circuit, witness, [])
    with pytest.raises(ParameterError, match="not an integer"):
        prove_circuit(circuit, witness, [1.5])  # type: ignore[list-item]
    zero = ConstraintSystem(values=[0])
    zero.constrain(zero.inputs[0])
    with pytest.raises(ParameterError, match="identity"):
        prove_circuit(zero.circuit(), zero.witness(), [0])
    with pytest.raises(ParameterError, match="exactly one"):
        ConstraintSystem(values=[1], inputs=1)
    with pytest.raises(ParameterError, match="not an integer"):
        ConstraintSystem(values=[True])
    with pytest.raises(ParameterError, match="no witness"):
        ConstraintSystem(inputs=1).witness()
    with pytest.raises(EncodingError, match="must be bytes"):
        R1CSProof.from_bytes("00")  # type: ignore[arg-type]
    assert repr(witness) == "Witness(<secret: 0 gates, 1 inputs>)"
