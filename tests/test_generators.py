"""The generator set: derivation, pinned values, caching, backend independence."""

from __future__ import annotations

import pytest

from zkpor.crypto.generators import (
    G_VECTOR_PREFIX,
    GENERATOR_DST,
    H_MESSAGE,
    H_VECTOR_PREFIX,
    generator_digest,
    generators,
)
from zkpor.crypto.group import Backend, hash_to_curve

# Pinned outputs (regression guards; vectors/ will carry the full set).
H_HEX = "021c589dfd89a807aca39f3651bc0478266f050453a22e151f716ea4a275453a5b"
DIGEST_HEX = "c26b147c7e4288e3f2d3e2cc2aeaf9e2a4a206314d7277b4fa36b20e91d2878c"


def test_g_is_base_point(backend: Backend) -> None:
    gens = generators(backend)
    assert backend.Point.generator() == gens.G


def test_h_derivation(backend: Backend) -> None:
    gens = generators(backend)
    assert hash_to_curve(H_MESSAGE, GENERATOR_DST, backend.Point) == gens.H
    assert gens.H.to_bytes().hex() == H_HEX
    assert gens.H != gens.G and gens.H != -gens.G


def test_vector_derivation(backend: Backend) -> None:
    gens = generators(backend)
    gs, hs = gens.vectors(8)
    assert len(gs) == len(hs) == 8
    for i in (0, 5):
        idx = i.to_bytes(4, "big")
        assert gs[i] == hash_to_curve(G_VECTOR_PREFIX + idx, GENERATOR_DST, backend.Point)
        assert hs[i] == hash_to_curve(H_VECTOR_PREFIX + idx, GENERATOR_DST, backend.Point)
    everything = [gens.G, gens.H, *gs, *hs]
    assert len({p.to_bytes() for p in everything}) == len(everything)
    assert gens.vector_g(3) == gs[3] and gens.vector_h(7) == hs[7]


def test_vectors_are_cached_and_prefix_stable(backend: Backend) -> None:
    gens = generators(backend)
    small = gens.vectors(4)
    big = gens.vectors(16)
    assert small[0] == big[0][:4] and small[1] == big[1][:4]
    assert generators(backend) is gens
    with pytest.raises(ValueError):
        gens.vectors(-1)


def test_backends_agree(ref: Backend, fast: Backend) -> None:
    a, b = generators(ref), generators(fast)
    assert a.H.to_bytes() == b.H.to_bytes()
    ga, ha = a.vectors(16)
    gb, hb = b.vectors(16)
    assert [p.to_bytes() for p in ga + ha] == [p.to_bytes() for p in gb + hb]


def test_digest_pinned() -> None:
    assert generator_digest().hex() == DIGEST_HEX


def test_shipped_vector_generators_are_the_derived_ones() -> None:
    """zkpor/data/vector_generators.bin holds exactly G_i, H_i for i < 1024, derived with
    hash_to_curve, and its SHA-256 is the pinned one."""
    import hashlib
    from importlib import resources

    from zkpor.crypto.generators import (
        SHIPPED_SHA256,
        SHIPPED_VECTOR_GENERATORS,
        derive_vector_pair,
    )
    from zkpor.crypto.group import get_backend

    data = resources.files("zkpor.data").joinpath("vector_generators.bin").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHIPPED_SHA256
    assert len(data) == 66 * SHIPPED_VECTOR_GENERATORS
    pt = get_backend("fast").Point
    for i in range(SHIPPED_VECTOR_GENERATORS):
        g, h = derive_vector_pair(i, pt)
        assert data[66 * i : 66 * i + 66] == g.to_bytes() + h.to_bytes(), i


def test_generators_without_shipped_file_and_with_or_without_powers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A corrupted or missing table is ignored (everything derived); byte-power tables are
    built from the second request on, or on demand; the points are equal in every case."""
    import zkpor.crypto.generators as gmod
    from zkpor.crypto.group import get_backend

    pt = get_backend("fast").Point
    shipped = gmod.GeneratorSet(pt)
    first = shipped.vectors(1030)
    monkeypatch.setattr(gmod, "SHIPPED_SHA256", "00" * 32)
    derived = gmod.GeneratorSet(pt)
    assert gmod._shipped_pairs(pt) == []
    again = derived.vectors(1030, powers=True)
    assert [p.to_bytes() for p in first[0] + first[1]] == [
        p.to_bytes() for p in again[0] + again[1]
    ]
    later = shipped.vectors(8, powers=True)
    plain = shipped.vectors(8, powers=False)
    assert [p.to_bytes() for p in later[0]] == [p.to_bytes() for p in plain[0]]
    scalars = list(range(3, 11))
    assert pt.msm(scalars, later[0]) == pt.msm(scalars, plain[0])
