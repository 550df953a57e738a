"""Solvency proofs: completeness, and no proof of a false statement."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpor.crypto.group import N, Point
from zkpor.crypto.pedersen import Opening, commit
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.errors import InsolventError, ParameterError, VerificationError
from zkpor.protocol.solvency import (
    SolvencyProof,
    parse_ratio,
    solvency_commitment,
    verify_solvency,
)
from zkpor.prover.solvency import prove_solvency

L = Opening(5_000_000_000, 987654321)
C_L = commit(L.value, L.blinding)


@given(
    liabilities=st.integers(min_value=0, max_value=2**64 - 1),
    extra=st.integers(min_value=0, max_value=2**64 - 1),
)
@settings(max_examples=10)
def test_complete(liabilities: int, extra: int) -> None:
    reserves = min(2**64 - 1, liabilities + extra)
    opening = Opening(liabilities, 42)
    proof = prove_solvency(reserves, opening)
    verify_solvency(reserves, commit(liabilities, 42), proof)


def test_exact_cover_and_ratio() -> None:
    verify_solvency(L.value, C_L, prove_solvency(L.value, L))
    reserves = L.value * 105 // 100
    proof = prove_solvency(reserves, L, 21, 20)
    verify_solvency(reserves, C_L, proof, 21, 20)
    with pytest.raises(VerificationError):
        verify_solvency(reserves, C_L, proof, 22, 20)  # the proof is for 21/20 only
    with pytest.raises(VerificationError):
        verify_solvency(reserves, C_L, proof)  # nor for 1/1


def test_insolvent_cannot_be_proven() -> None:
    with pytest.raises(InsolventError, match="BTC"):
        prove_solvency(L.value - 1, L, asset="BTC")
    with pytest.raises(InsolventError):
        prove_solvency(L.value * 105 // 100 - 1, L, 21, 20)  # ratio above the true one


def test_forged_insolvent_proof_rejected() -> None:
    """A prover that skips the check: d = R - L is negative, i.e. n - x; split as if it were
    a 128-bit value, its range proof cannot verify."""
    reserves = L.value - 1000
    d = (reserves - L.value) % N
    d_lo, d_hi = d % 2**64, d // 2**64
    r_d = (-L.blinding) % N
    r_hi = 77
    r_lo = (r_d - 2**64 * r_hi) % N
    proof = SolvencyProof(
        commit(d_hi, r_hi),
        prove_unchecked([d_lo, d_hi], [r_lo, r_hi], 64, rng=None, gens=None),
    )
    with pytest.raises(VerificationError):
        verify_solvency(reserves, C_L, proof)


def test_binding_to_reserves_root_and_bytes() -> None:
    proof = prove_solvency(L.value + 10, L)
    verify_solvency(L.value + 10, C_L, proof)
    for reserves, root in (
        (L.value + 11, C_L),
        (L.value + 9, C_L),
        (L.value + 10, C_L + Point.generator()),
    ):
        with pytest.raises(VerificationError):
            verify_solvency(reserves, root, proof)
    data = bytearray(proof.to_bytes())
    assert len(data) == 33 + 754
    data[100] ^= 1
    with pytest.raises((VerificationError, Exception)):
        verify_solvency(L.value + 10, C_L, SolvencyProof.from_bytes(bytes(data)))
    swapped = dataclasses.replace(proof, c_hi=proof.c_hi + Point.generator())
    with pytest.raises(VerificationError):
        verify_solvency(L.value + 10, C_L, swapped)


def test_commitment_formula() -> None:
    d = solvency_commitment(100, C_L, 3, 2)
    assert d == Point.generator() * 200 - C_L * 3


@pytest.mark.parametrize(
    ("text", "pq"), [("1", (1, 1)), ("1.05", (21, 20)), ("21/20", (21, 20)), ("2", (2, 1))]
)
def test_parse_ratio(text: str, pq: tuple[int, int]) -> None:
    assert parse_ratio(text) == pq


@pytest.mark.parametrize("text", ["0.99", "0", "-1", "abc", "1/0", "", str(2**33)])
def test_parse_ratio_rejects(text: str) -> None:
    with pytest.raises(ParameterError):
        parse_ratio(text)


def test_bad_terms() -> None:
    with pytest.raises(ParameterError):
        prove_solvency(2**64, L)
    with pytest.raises(ParameterError):
        prove_solvency(100, L, 1, 2)
    with pytest.raises(VerificationError):
        verify_solvency(2**64, C_L, prove_solvency(L.value, L))
