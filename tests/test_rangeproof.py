"""Bulletproofs range proofs: completeness, soundness, strict parsing, batching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpor.crypto.drbg import SeededRandom
from zkpor.crypto.generators import generators
from zkpor.crypto.group import Backend, N, Point, get_backend
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof import RangeProof, proof_size, prove, verify, verify_batch
from zkpor.crypto.rangeproof.testing import prove_unchecked
from zkpor.errors import EncodingError, ParameterError, VerificationError

FAST = get_backend("fast")
blinds = st.integers(min_value=1, max_value=N - 1)


def _make(
    values: list[int], bits: int, backend: Backend = FAST, seed: bytes | None = None
) -> tuple[RangeProof, list[Point], list[int]]:
    gens = generators(backend)
    rng = SeededRandom(seed or repr((values, bits)).encode())
    blindings = [int.from_bytes(rng.randbytes(32), "big") % N or 1 for _ in values]
    proof = prove(values, blindings, bits, gens=gens, rng=rng)
    return proof, [commit(v, r, gens) for v, r in zip(values, blindings)], blindings


# --- completeness ------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [8, 16, 32, 64])
@given(data=st.data())
@settings(max_examples=8)
def test_completeness_fast(bits: int, data: st.DataObject) -> None:
    m = data.draw(st.sampled_from([1, 2, 4]))
    values = data.draw(
        st.lists(st.integers(min_value=0, max_value=2**bits - 1), min_size=m, max_size=m)
    )
    blindings = data.draw(st.lists(blinds, min_size=m, max_size=m))
    gens = generators(FAST)
    proof = prove(values, blindings, bits, gens=gens)
    commitments = [commit(v, r, gens) for v, r in zip(values, blindings)]
    verify(proof, commitments, bits)
    verify(proof.to_bytes(), [c.to_bytes() for c in commitments], bits)
    assert len(proof.to_bytes()) == proof_size((bits * m).bit_length() - 1)


@pytest.mark.parametrize("bits", [8, 16, 32, 64])
def test_edge_values(backend: Backend, bits: int) -> None:
    """0 and 2^n - 1, aggregated, on each backend."""
    proof, commitments, _ = _make([0, 2**bits - 1], bits, backend)
    verify(proof, commitments, bits)


@pytest.mark.parametrize(("bits", "m"), [(64, 64), (8, 64), (16, 32)])
def test_large_aggregation(bits: int, m: int) -> None:
    values = [(i * 0x9E3779B97F4A7C15) % 2**bits for i in range(m)]
    values[0], values[-1] = 0, 2**bits - 1
    proof, commitments, _ = _make(values, bits)
    verify(proof, commitments, bits)
    assert proof.rounds == (bits * m).bit_length() - 1


def test_reference_backend_roundtrip(ref: Backend) -> None:
    proof, commitments, _ = _make([12345, 0, 2**32 - 1, 7], 32, ref)
    verify(proof, commitments, 32)
    fast_proof, fast_commitments, _ = _make([12345, 0, 2**32 - 1, 7], 32, FAST)
    # seeded: both backends produce the identical proof
    assert proof.to_bytes() == fast_proof.to_bytes()
    assert [c.to_bytes() for c in commitments] == [c.to_bytes() for c in fast_commitments]


# --- prover input checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "blindings", "bits", "match"),
    [
        ([1, 2, 3], [1, 1, 1], 64, "power of two"),
        ([], [], 64, "power of two"),
        ([1], [1], 7, "bit length"),
        ([1], [1], 128, "bit length"),
        ([1], [1], True, "bit length"),
        ([1, 2], [1], 64, "blindings"),
        ([-1], [1], 64, "outside"),
        ([2**64], [1], 64, "outside"),
        ([256], [1], 8, "outside"),
        ([True], [1], 8, "not an integer"),
        ([1.0], [1], 8, "not an integer"),
        ([1], ["1"], 8, "not an integer"),
        ([0], [0], 8, "identity"),
        ([0], [N], 8, "identity"),
    ],
)
def test_prover_rejects(values: list, blindings: list, bits: int, match: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ParameterError, match=match):
        prove(values, blindings, bits)


def test_prover_rejects_too_many_values() -> None:
    with pytest.raises(ParameterError):
        prove([1] * 512, [1] * 512, 8)


# --- soundness ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good() -> tuple[RangeProof, list[Point]]:
    proof, commitments, _ = _make([5, 2**64 - 1], 64, seed=b"soundness")
    verify(proof, commitments, 64)
    return proof, commitments


def _rejected(proof: object, commitments: object, bits: int = 64) -> None:
    with pytest.raises(VerificationError):
        verify(proof, commitments, bits)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field", ["A", "S", "T1", "T2", "t_x", "t_x_blinding", "e_blinding", "a", "b", "L", "R"]
)
def test_each_field_tampered(good: tuple[RangeProof, list[Point]], field: str) -> None:
    import dataclasses

    proof, commitments = good
    g = FAST.Point.generator()
    value = getattr(proof, field)
    if isinstance(value, tuple):
        for i in range(len(value)):
            changed = list(value)
            changed[i] = changed[i] + g
            _rejected(dataclasses.replace(proof, **{field: tuple(changed)}), commitments)
    elif isinstance(value, int):
        _rejected(dataclasses.replace(proof, **{field: (value + 1) % N}), commitments)
    else:
        _rejected(dataclasses.replace(proof, **{field: value + g}), commitments)


def test_every_bit_flip_rejected(good: tuple[RangeProof, list[Point]]) -> None:
    """Flipping any single bit of the encoding makes parsing or verification fail."""
    proof, commitments = good
    data = proof.to_bytes()
    for pos in range(len(data)):
        for bit in (0, 7):
            bad = bytearray(data)
            bad[pos] ^= 1 << bit
            _rejected(bytes(bad), commitments)


def test_commitments_reordered_replaced_or_resized(good: tuple[RangeProof, list[Point]]) -> None:
    proof, commitments = good
    c0, c1 = commitments
    _rejected(proof, [c1, c0])
    _rejected(proof, [c0, c0 + FAST.Point.generator()])
    _rejected(proof, [c0, commit(5, 1, generators(FAST))])
    _rejected(proof, [c0])  # wrong m
    _rejected(proof, [c0, c1, c0, c1])  # wrong m
    _rejected(proof, [c0, FAST.Point.identity()])
    _rejected(proof, [])


@pytest.mark.parametrize("bits", [8, 16, 32, 63, 128, 0])
def test_wrong_bit_length(good: tuple[RangeProof, list[Point]], bits: int) -> None:
    proof, commitments = good
    _rejected(proof, commitments, bits)


def test_same_rounds_other_parameters() -> None:
    """n=32, m=2 and n=16, m=4 both have k=6 rounds: the transcript tells them apart."""
    proof, commitments, _ = _make([1, 2, 3, 4], 16)
    verify(proof, commitments, 16)
    _rejected(proof, commitments[:2], 32)
    _rejected(proof, commitments, 8)


def test_truncated_and_extended(good: tuple[RangeProof, list[Point]]) -> None:
    proof, commitments = good
    data = proof.to_bytes()
    for bad in (data[:-1], data[:-66], data + b"\x00", data + data[-66:], b"", data[:291]):
        _rejected(bad, commitments)


def test_exact_length_for_parameters(good: tuple[RangeProof, list[Point]]) -> None:
    proof, _ = good
    data = proof.to_bytes()
    assert RangeProof.from_bytes(data, FAST.Point, bits=64, m=2) == proof
    with pytest.raises(EncodingError, match="n=64, m=1"):
        RangeProof.from_bytes(data, FAST.Point, bits=64, m=1)
    with pytest.raises(EncodingError, match="n=32, m=2"):
        RangeProof.from_bytes(data, FAST.Point, bits=32, m=2)
    with pytest.raises(EncodingError):
        RangeProof.from_bytes(data[:-1], FAST.Point, bits=64, m=2)


def test_non_canonical_scalars(good: tuple[RangeProof, list[Point]]) -> None:
    proof, commitments = good
    data = bytearray(proof.to_bytes())
    offsets = {"t_x": 132, "t_x_blinding": 164, "e_blinding": 196, "a": -64, "b": -32}
    for name, off in offsets.items():
        value = int.from_bytes(data[off : off + 32 or None], "big")
        for bad_value in (value + N, 2**256 - 1):
            if bad_value >= 2**256:
                continue
            bad = bytearray(data)
            bad[off : off + 32 or None] = bad_value.to_bytes(32, "big")
            with pytest.raises(EncodingError, match=name):
                RangeProof.from_bytes(bytes(bad), FAST.Point)
            _rejected(bytes(bad), commitments)


def test_identity_points_rejected(good: tuple[RangeProof, list[Point]]) -> None:
    proof, commitments = good
    data = proof.to_bytes()
    point_offsets = [0, 33, 66, 99] + [228 + 33 * i for i in range(2 * proof.rounds)]
    for off in point_offsets:
        bad = data[:off] + bytes(33) + data[off + 33 :]
        with pytest.raises(EncodingError, match="identity"):
            RangeProof.from_bytes(bad, FAST.Point)
        _rejected(bad, commitments)
    import dataclasses

    ident = FAST.Point.identity()
    _rejected(dataclasses.replace(proof, A=ident), commitments)
    _rejected(dataclasses.replace(proof, L=(ident, *proof.L[1:])), commitments)


@pytest.mark.parametrize("value", [2**64, 2**64 + 5, 2**65 - 1, N - 1, N - 2**63])
def test_out_of_range_value_rejected(value: int) -> None:
    """A test-only prover that skips the range check: its proof must not verify."""
    gens = generators(FAST)
    proof = prove_unchecked([value, 3], [11, 12], 64, rng=None, gens=gens)
    commitments = [commit(value, 11, gens), commit(3, 12, gens)]
    _rejected(proof, commitments)


def test_out_of_range_for_smaller_n() -> None:
    gens = generators(FAST)
    proof = prove_unchecked([256], [9], 8, rng=None, gens=gens)
    _rejected(proof, [commit(256, 9, gens)], 8)


def test_generator_digest_is_bound(
    good: tuple[RangeProof, list[Point]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proof, commitments = good
    import zkpor.crypto.rangeproof.statement as statement

    monkeypatch.setattr(statement, "generator_digest", lambda: bytes(32))
    _rejected(proof, commitments)


@pytest.mark.parametrize(
    ("proof", "commitments", "bits"),
    [(None, [], 64), ("x", [], 64), (b"\x00" * 688, [], 64), (1, 2, 3)],
)
def test_garbage_inputs(proof: object, commitments: object, bits: int) -> None:
    _rejected(proof, commitments, bits)


def test_garbage_commitments(good: tuple[RangeProof, list[Point]]) -> None:
    proof, commitments = good
    _rejected(proof, [commitments[0], "not a point"])
    _rejected(proof, [commitments[0].to_bytes(), b"\x02" + bytes(32)])
    _rejected(proof, None)
    _rejected(proof, commitments, "64")


def test_backend_mixing_rejected(good: tuple[RangeProof, list[Point]], ref: Backend) -> None:
    proof, commitments = good
    ref_commitments = [ref.Point.from_bytes(c.to_bytes()) for c in commitments]
    _rejected(proof, ref_commitments)
    ref_proof = RangeProof.from_bytes(proof.to_bytes(), ref.Point)
    verify(ref_proof, ref_commitments, 64)  # the same bytes verify on the reference backend


# --- batch -------------------------------------------------------------------------------


def test_batch_valid_mixed_parameters() -> None:
    items = []
    for i, (values, bits) in enumerate([([1], 64), ([2, 3], 32), ([0, 1, 2, 255], 8)] * 3):
        proof, commitments, _ = _make(values, bits, seed=b"batch%d" % i)
        items.append((proof, commitments, bits))
    verify_batch(items)  # type: ignore[arg-type]
    verify_batch([])


def test_batch_with_one_bad_proof() -> None:
    items = []
    for i in range(6):
        proof, commitments, _ = _make([i, i + 1], 16, seed=b"b%d" % i)
        items.append((proof, commitments, 16))
    bad = list(items)
    proof, commitments, bits = bad[4]
    bad[4] = (proof, [commitments[1], commitments[0]], bits)
    with pytest.raises(VerificationError, match="batch item 4"):
        verify_batch(bad)  # type: ignore[arg-type]
    bad = list(items)
    bad[2] = (items[2][0].to_bytes()[:-1], items[2][1], 16)
    with pytest.raises(VerificationError, match="batch item 2"):
        verify_batch(bad)  # type: ignore[arg-type]
    with pytest.raises(VerificationError, match="batch item 0"):
        verify_batch([("junk",)])  # type: ignore[list-item]


def test_batch_bad_proof_from_unchecked_prover() -> None:
    gens = generators(FAST)
    good_items = []
    for i in range(3):
        proof, commitments, _ = _make([i + 1], 64, seed=b"u%d" % i)
        good_items.append((proof, commitments, 64))
    forged = prove_unchecked([2**64 + 1], [5], 64, rng=None, gens=gens)
    items = [*good_items, (forged, [commit(2**64 + 1, 5, gens)], 64)]
    with pytest.raises(VerificationError, match="batch item 3"):
        verify_batch(items)  # type: ignore[arg-type]


# --- determinism and the frozen wire format ----------------------------------------------

FROZEN = Path(__file__).parent / "data" / "frozen_rangeproofs.json"


def test_seeded_prover_is_deterministic() -> None:
    a, _, _ = _make([42, 7], 32, seed=b"same")
    b, _, _ = _make([42, 7], 32, seed=b"same")
    c, _, _ = _make([42, 7], 32, seed=b"other")
    assert a.to_bytes() == b.to_bytes() != c.to_bytes()


def test_os_randomness_differs() -> None:
    gens = generators(FAST)
    assert prove([1], [2], 8, gens=gens).to_bytes() != prove([1], [2], 8, gens=gens).to_bytes()


def test_frozen_proofs_still_verify(backend: Backend) -> None:
    """Proofs made by an earlier build must keep verifying and be reproduced byte for byte."""
    cases = json.loads(FROZEN.read_text())["cases"]
    for case in cases:
        gens = generators(backend)
        commitments = [bytes.fromhex(c) for c in case["commitments"]]
        verify(
            bytes.fromhex(case["proof"]),
            [backend.Point.from_bytes(c) for c in commitments],
            case["bits"],
        )
        if backend.name == "fast":
            rng = SeededRandom(bytes.fromhex(case["seed"]))
            again = prove(case["values"], case["blindings"], case["bits"], gens=gens, rng=rng)
            assert again.to_bytes().hex() == case["proof"]
