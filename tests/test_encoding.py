"""Strict decoding: every malformed point or scalar encoding raises EncodingError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkpor.crypto.group import (
    IDENTITY_ENCODING,
    Backend,
    N,
    P,
    Point,
    scalar_from_bytes,
    scalar_to_bytes,
)
from zkpor.crypto.group.params import B, fe_sqrt
from zkpor.errors import EncodingError, ZkporError

G_BYTES = bytes.fromhex("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")


def _non_curve_x() -> int:
    x = 1
    while fe_sqrt((x**3 + B) % P) is not None:
        x += 1
    return x


BAD_X = _non_curve_x()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "33 bytes"),
        (b"\x00", "33 bytes"),  # the 1-byte SEC1 identity is not our encoding
        (G_BYTES[:32], "33 bytes"),
        (G_BYTES + b"\x00", "33 bytes"),
        (b"\x04" + bytes(64), "33 bytes"),  # uncompressed form
        (b"\x04" + G_BYTES[1:], "prefix"),
        (b"\x01" + G_BYTES[1:], "prefix"),
        (b"\x05" + G_BYTES[1:], "prefix"),
        (b"\x06" + G_BYTES[1:], "prefix"),
        (b"\x07" + G_BYTES[1:], "prefix"),
        (b"\xff" + G_BYTES[1:], "prefix"),
        (b"\x00" + G_BYTES[1:], "prefix 0x00 with non-zero x"),
        (b"\x02" + P.to_bytes(32, "big"), "x >= field prime"),
        (b"\x03" + (P + 1).to_bytes(32, "big"), "x >= field prime"),
        (b"\x02" + (2**256 - 1).to_bytes(32, "big"), "x >= field prime"),
        (b"\x02" + BAD_X.to_bytes(32, "big"), "not the abscissa"),
        (b"\x03" + BAD_X.to_bytes(32, "big"), "not the abscissa"),
        (IDENTITY_ENCODING, "identity point not allowed"),
    ],
)
def test_malformed_point_rejected(backend: Backend, data: bytes, reason: str) -> None:
    with pytest.raises(EncodingError, match=reason):
        backend.Point.from_bytes(data)


def test_encoding_error_is_zkpor_error() -> None:
    assert issubclass(EncodingError, ZkporError)


def test_non_bytes_rejected(backend: Backend) -> None:
    with pytest.raises(EncodingError):
        backend.Point.from_bytes("02" * 33)  # type: ignore[arg-type]


def test_identity_encoding_rule(backend: Backend) -> None:
    ident = backend.Point.identity()
    assert ident.to_bytes() == bytes(33)
    assert backend.Point.from_bytes(bytes(33), allow_identity=True).is_identity()
    assert ident.to_affine() is None


def test_generator_encoding(backend: Backend) -> None:
    g = backend.Point.generator()
    assert g.to_bytes() == G_BYTES
    assert backend.Point.from_bytes(G_BYTES) == g
    assert (-g).to_bytes() == b"\x03" + G_BYTES[1:]


@given(k=st.integers(min_value=1, max_value=N - 1))
def test_roundtrip(backend: Backend, k: int) -> None:
    pt = backend.Point.generator() * k
    enc = pt.to_bytes()
    assert len(enc) == 33 and enc[0] in (2, 3)
    assert backend.Point.from_bytes(enc) == pt
    assert backend.Point.from_bytes(bytearray(enc)).to_bytes() == enc


@given(data=st.binary(min_size=33, max_size=33))
def test_random_bytes_decode_or_raise(backend: Backend, data: bytes) -> None:
    """Arbitrary 33 bytes either decode to a point that re-encodes identically, or raise."""
    try:
        pt = backend.Point.from_bytes(data, allow_identity=True)
    except EncodingError:
        return
    assert pt.to_bytes() == data


def test_from_affine_rejects_off_curve(backend: Backend) -> None:
    g = backend.Point.generator().to_affine()
    assert g is not None
    with pytest.raises(EncodingError):
        backend.Point.from_affine(g[0], g[1] + 1)
    with pytest.raises(EncodingError):
        backend.Point.from_affine(g[0] + P, g[1])


# --- scalars ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "32 bytes"),
        (bytes(31), "32 bytes"),
        (bytes(33), "32 bytes"),
        (N.to_bytes(32, "big"), ">= group order"),
        ((N + 1).to_bytes(32, "big"), ">= group order"),
        ((2**256 - 1).to_bytes(32, "big"), ">= group order"),
    ],
)
def test_malformed_scalar_rejected(data: bytes, reason: str) -> None:
    with pytest.raises(EncodingError, match=reason):
        scalar_from_bytes(data)


def test_zero_scalar_policy() -> None:
    assert scalar_from_bytes(bytes(32)) == 0
    with pytest.raises(EncodingError, match="zero"):
        scalar_from_bytes(bytes(32), allow_zero=False)


def test_scalar_to_bytes_range() -> None:
    assert scalar_to_bytes(N - 1) == (N - 1).to_bytes(32, "big")
    for bad in (-1, N, 2**256):
        with pytest.raises(EncodingError):
            scalar_to_bytes(bad)


@given(s=st.integers(min_value=0, max_value=N - 1))
def test_scalar_roundtrip(s: int) -> None:
    assert scalar_from_bytes(scalar_to_bytes(s)) == s


def test_point_abc_uses_active_backend() -> None:
    from zkpor.crypto.group import active_backend

    assert type(Point.generator()) is active_backend().Point
