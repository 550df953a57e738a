"""Group law, scalar multiplication and msm on each backend, and cross-backend identity."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkpor.crypto.group import Backend, N, get_backend, msm
from zkpor.errors import BackendError

scalars = st.integers(min_value=0, max_value=N - 1)
any_ints = st.integers(min_value=-(2**300), max_value=2**300)

# Known multiples of G (SEC 2 / widely published test values).
TWO_G_X = 0xC6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5
THREE_G_X = 0xF9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9


def test_small_multiples(backend: Backend) -> None:
    g = backend.Point.generator()
    two = g * 2
    three = 3 * g
    assert two.to_affine() is not None and two.to_affine()[0] == TWO_G_X  # type: ignore[index]
    assert three.to_affine()[0] == THREE_G_X  # type: ignore[index]
    assert g + g == two
    assert two + g == three
    assert three - g == two


def test_order(backend: Backend) -> None:
    g = backend.Point.generator()
    assert (g * N).is_identity()
    assert (g * 0).is_identity()
    assert g * (N - 1) == -g
    assert g * (N + 1) == g
    assert g * -1 == -g


def test_identity_arithmetic(backend: Backend) -> None:
    pt = backend.Point
    g = pt.generator()
    o = pt.identity()
    assert o + g == g and g + o == g
    assert (o + o).is_identity()
    assert (-o).is_identity()
    assert (o * 5).is_identity()
    assert (g - g).is_identity()
    assert (g + (-g)).is_identity()
    assert pt.sum([]).is_identity()
    assert pt.sum([g, -g]).is_identity()
    assert pt.sum([g, o, g]) == g * 2
    assert o == pt.identity() and o != g


@given(a=scalars, b=scalars, c=scalars)
def test_group_laws(backend: Backend, a: int, b: int, c: int) -> None:
    g = backend.Point.generator()
    pa, pb, pc = g * a, g * b, g * c
    assert pa + pb == pb + pa
    assert (pa + pb) + pc == pa + (pb + pc)
    assert pa + pb == g * ((a + b) % N)
    assert pa * b == pb * a
    assert (pa - pb) + pb == pa
    assert hash(pa + pb) == hash(g * ((a + b) % N))


@given(a=scalars)
def test_doubling_through_add(backend: Backend, a: int) -> None:
    g = backend.Point.generator()
    p = g * a
    assert p + p == p * 2


def test_backends_do_not_mix(ref: Backend, fast: Backend) -> None:
    a = ref.Point.generator()
    b = fast.Point.generator()
    assert a != b  # different backends never compare equal
    with pytest.raises(TypeError):
        _ = a + b
    with pytest.raises(TypeError):
        ref.Point.msm([1], [b])


@given(k=any_ints, j=scalars)
def test_cross_backend_mul_add(ref: Backend, fast: Backend, k: int, j: int) -> None:
    a = ref.Point.generator() * k
    b = fast.Point.generator() * k
    assert a.to_bytes() == b.to_bytes()
    a2 = a + ref.Point.generator() * j
    b2 = b + fast.Point.generator() * j
    assert a2.to_bytes() == b2.to_bytes()
    assert (-a2).to_bytes() == (-b2).to_bytes()
    assert a2.to_affine() == b2.to_affine()


@given(data=st.binary(min_size=33, max_size=33))
def test_cross_backend_decode(ref: Backend, fast: Backend, data: bytes) -> None:
    def outcome(be: Backend) -> bytes | str:
        try:
            return be.Point.from_bytes(data, allow_identity=True).to_bytes()
        except Exception as exc:
            return type(exc).__name__

    assert outcome(ref) == outcome(fast)


@given(
    ks=st.lists(scalars, min_size=0, max_size=12),
    ss=st.lists(any_ints, min_size=12, max_size=12),
)
def test_cross_backend_msm(ref: Backend, fast: Backend, ks: list[int], ss: list[int]) -> None:
    ss = ss[: len(ks)]
    rp = [ref.Point.generator() * k for k in ks]
    fp = [fast.Point.generator() * k for k in ks]
    a = ref.Point.msm(ss, rp)
    b = fast.Point.msm(ss, fp)
    assert a.to_bytes() == b.to_bytes()
    naive = ref.Point.sum(p * s for p, s in zip(rp, ss))
    assert a == naive


@pytest.mark.parametrize("count", [0, 1, 2, 3, 17, 130, 300])
def test_msm_sizes_match_naive(backend: Backend, count: int) -> None:
    """Covers every msm code path: single, Straus (< 128 points) and Pippenger (>= 128)."""
    import random

    rng = random.Random(count)
    g = backend.Point.generator()
    pts = [g * rng.randrange(1, N) for _ in range(count)]
    sc = [rng.randrange(N) for _ in range(count)]
    if count > 2:
        sc[0] = 0  # zero scalar
        sc[1] = N - 1
        pts[2] = backend.Point.identity()  # identity point
    expected = backend.Point.sum(p * s for p, s in zip(pts, sc))
    assert backend.Point.msm(sc, pts) == expected
    if pts:
        assert msm(sc, pts) == expected


def test_msm_cancelling_sum(backend: Backend) -> None:
    g = backend.Point.generator()
    h = g * 12345
    assert backend.Point.msm([3, N - 3, 7, N - 7], [g, g, h, h]).is_identity()
    assert backend.Point.msm([1, 1], [h, -h]).is_identity()


def test_msm_length_mismatch(backend: Backend) -> None:
    with pytest.raises(ValueError):
        backend.Point.msm([1, 2], [backend.Point.generator()])


@given(k=any_ints, j=scalars)
def test_precomputed_tables(backend: Backend, k: int, j: int) -> None:
    g = backend.Point.generator()
    h = g * 987654321
    ht = h.precomputed()
    assert ht == h
    assert ht * k == h * k
    assert backend.Point.msm([k, j], [ht, g]) == h * k + g * j


def test_precomputed_identity(backend: Backend) -> None:
    o = backend.Point.identity()
    assert o.precomputed().is_identity()
    gt = backend.Point.generator().precomputed()
    assert (gt * 0).is_identity()
    assert (gt * N).is_identity()
    assert gt * (N - 1) == -gt


def _run_backend_probe(env_value: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("ZKPOR_BACKEND", None)
    if env_value is not None:
        env["ZKPOR_BACKEND"] = env_value
    code = "from zkpor.crypto.group import active_backend; print(active_backend().name)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_backend_selection_env() -> None:
    assert _run_backend_probe(None).stdout.strip() == "fast"
    assert _run_backend_probe("reference").stdout.strip() == "reference"
    assert _run_backend_probe("fast").stdout.strip() == "fast"
    bad = _run_backend_probe("bogus")
    assert bad.returncode != 0 and "BackendError" in bad.stderr


def test_unknown_backend() -> None:
    with pytest.raises(BackendError):
        get_backend("nope")


def test_both_backends_available() -> None:
    """coincurve is a declared dependency: CI must exercise both backends."""
    assert get_backend("fast").name == "fast"
    assert get_backend("reference").name == "reference"


def test_fast_msm_bucket_path(ref: Backend, fast: Backend) -> None:
    """Above the bucket-method threshold the fast msm still equals the naive sum and the
    reference backend's result."""
    import random

    from zkpor.crypto.group.fast import _PIPPENGER_MIN

    rng = random.Random(7)
    count = _PIPPENGER_MIN + 3
    g = fast.Point.generator()
    pts = [g * rng.randrange(1, N) for _ in range(count)]
    sc = [rng.randrange(N) for _ in range(count)]
    sc[5] = 0
    sc[6] = 1
    sc[7] = 255 << 248  # a single top byte
    got = fast.Point.msm(sc, pts)
    assert got == fast.Point.sum(p * s for p, s in zip(pts, sc))
    ref_pts = [ref.Point.from_bytes(p.to_bytes()) for p in pts]
    assert ref.Point.msm(sc, ref_pts).to_bytes() == got.to_bytes()
    # a cancelling large msm ends at the identity
    assert fast.Point.msm(sc + [N - s for s in sc], pts + pts).is_identity()


@given(ks=st.lists(any_ints, min_size=1, max_size=6), j=scalars)
def test_with_powers_in_msm(backend: Backend, ks: list[int], j: int) -> None:
    """Points carrying byte-powers, full tables, and plain points mix in one msm."""
    g = backend.Point.generator()
    plain = [g * (1000 + i) for i in range(len(ks))]
    powered = [p.with_powers() for p in plain]
    assert powered == plain
    assert powered[0].with_powers() is powered[0]
    expected = backend.Point.sum(p * k for p, k in zip(plain, ks))
    assert backend.Point.msm(ks, powered) == expected
    h = (g * 77).precomputed()
    mixed = backend.Point.msm([*ks, j, j], [*powered, h, g * 5])
    assert mixed == expected + g * 77 * j + g * 5 * j
    assert (powered[0] * j) == plain[0] * j


def test_with_powers_identity_and_cancel(backend: Backend) -> None:
    g = backend.Point.generator().with_powers()
    assert backend.Point.identity().with_powers().is_identity()
    assert backend.Point.msm([5, N - 5], [g, g]).is_identity()
    assert backend.Point.msm([255 << 248, 1], [g, g]) == g * ((255 << 248) + 1)
