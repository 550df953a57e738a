"""Pedersen commitments: definition, homomorphism, openings, cross-backend identity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkpor.crypto.generators import generators
from zkpor.crypto.group import Backend, N
from zkpor.crypto.pedersen import (
    Opening,
    add_commitments,
    commit,
    commit_opening,
    sub_commitments,
    sum_openings,
    verify_opening,
)
from zkpor.errors import VerificationError

values = st.integers(min_value=0, max_value=2**64 - 1)
blinds = st.integers(min_value=0, max_value=N - 1)


@given(v=values, r=blinds)
def test_commit_definition(backend: Backend, v: int, r: int) -> None:
    gens = generators(backend)
    c = commit(v, r, gens)
    assert c == backend.Point.generator() * v + gens.H * r
    verify_opening(c, Opening(v, r), gens)


@given(v1=values, r1=blinds, v2=values, r2=blinds)
def test_homomorphic(backend: Backend, v1: int, r1: int, v2: int, r2: int) -> None:
    gens = generators(backend)
    a, b = Opening(v1, r1), Opening(v2, r2)
    ca, cb = commit_opening(a, gens), commit_opening(b, gens)
    assert add_commitments([ca, cb]) == commit_opening(a + b, gens)
    assert sub_commitments(ca, cb) == commit_opening(a - b, gens)
    assert sum_openings([a, b, a]) == a + b + a
    assert commit_opening(a.scaled(3), gens) == ca * 3


@given(v=values, r=blinds)
def test_cross_backend(ref: Backend, fast: Backend, v: int, r: int) -> None:
    assert commit(v, r, generators(ref)).to_bytes() == commit(v, r, generators(fast)).to_bytes()


def test_wrong_opening_rejected(backend: Backend) -> None:
    gens = generators(backend)
    c = commit(1000, 42, gens)
    for bad in (Opening(1001, 42), Opening(1000, 43), Opening(999, 42), Opening(1000 + N, 41)):
        with pytest.raises(VerificationError):
            verify_opening(c, bad, gens)


def test_negative_difference_wraps_mod_n(backend: Backend) -> None:
    gens = generators(backend)
    d = Opening(3, 5) - Opening(10, 7)
    assert d.value == -7
    assert commit_opening(d, gens) == commit(N - 7, (5 - 7) % N, gens)


def test_zero_commitment_is_identity(backend: Backend) -> None:
    assert commit(0, 0, generators(backend)).is_identity()
    assert add_commitments([]).is_identity()


def test_opening_repr_hides_secrets() -> None:
    o = Opening(123456789, 987654321)
    assert "123456789" not in repr(o) and "987654321" not in repr(o)
    assert "123456789" not in str(o)
