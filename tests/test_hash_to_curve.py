"""RFC 9380 test vectors (appendix J.8.1, K.1 and K.2) on each backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkpor.crypto.group import Backend, expand_message_xmd, hash_to_curve, hash_to_field
from zkpor.crypto.group.hash_to_curve import map_to_curve, map_to_curve_simple_swu
from zkpor.crypto.group.params import P, on_curve
from zkpor.errors import ParameterError

DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "rfc9380_vectors.json").read_text()
)
H2C = DATA["hash_to_curve"]
XMD = DATA["expand_message_xmd"]


@pytest.mark.parametrize("vec", H2C["vectors"], ids=lambda v: repr(v["msg"][:12]))
def test_hash_to_curve_rfc_vectors(backend: Backend, vec: dict[str, str]) -> None:
    dst = H2C["dst"].encode()
    msg = vec["msg"].encode()
    u0, u1 = hash_to_field(msg, dst, 2)
    assert u0 == int(vec["u0"], 16)
    assert u1 == int(vec["u1"], 16)
    assert map_to_curve(u0) == (int(vec["q0_x"], 16), int(vec["q0_y"], 16))
    assert map_to_curve(u1) == (int(vec["q1_x"], 16), int(vec["q1_y"], 16))
    pt = hash_to_curve(msg, dst, backend.Point)
    assert pt.to_affine() == (int(vec["p_x"], 16), int(vec["p_y"], 16))


@pytest.mark.parametrize(
    ("group", "vec"),
    [(g, v) for g in XMD for v in g["vectors"]],
    ids=lambda x: f"{len(x['dst'])}B-dst" if "dst" in x else f"{x['len_in_bytes']}:{x['msg'][:8]}",
)
def test_expand_message_xmd_rfc_vectors(group: dict[str, Any], vec: dict[str, Any]) -> None:
    out = expand_message_xmd(vec["msg"].encode(), group["dst"].encode(), vec["len_in_bytes"])
    assert out.hex() == vec["uniform_bytes"]


def test_vector_files_complete() -> None:
    assert len(H2C["vectors"]) == 5
    assert [len(g["vectors"]) for g in XMD] == [10, 10]
    assert len(XMD[1]["dst"]) > 255  # the K.2 long-DST vectors


@pytest.mark.parametrize("length", [0, -1, 8161, 70000])
def test_expand_message_xmd_bad_length(length: int) -> None:
    with pytest.raises(ParameterError):
        expand_message_xmd(b"abc", b"DST", length)


def test_expand_message_xmd_empty_dst() -> None:
    with pytest.raises(ParameterError):
        expand_message_xmd(b"abc", b"", 32)


def test_expand_message_xmd_max_length() -> None:
    assert len(expand_message_xmd(b"abc", b"DST", 8160)) == 8160


@given(u=st.integers(min_value=0, max_value=P - 1))
def test_sswu_then_isogeny_lands_on_curve(u: int) -> None:
    x, y = map_to_curve_simple_swu(u)
    assert (x < P) and (y < P)
    q = map_to_curve(u)
    assert q is not None and on_curve(*q)


def test_sswu_exceptional_inputs() -> None:
    """u = 0 takes the tv1 == 0 branch of the SSWU map; the result is still valid."""
    q = map_to_curve(0)
    assert q is not None and on_curve(*q)


@given(msg=st.binary(max_size=80))
def test_hash_to_curve_cross_backend(ref: Backend, fast: Backend, msg: bytes) -> None:
    dst = b"ZKPOR-TEST-with-secp256k1_XMD:SHA-256_SSWU_RO_"
    a = hash_to_curve(msg, dst, ref.Point)
    b = hash_to_curve(msg, dst, fast.Point)
    assert a.to_bytes() == b.to_bytes()
    assert not a.is_identity()
