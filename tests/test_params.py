"""Domain parameters match SEC 2 v2, section 2.4.1."""

from zkpor.crypto.group import params


def test_secp256k1_constants_match_sec2() -> None:
    assert params.P == 2**256 - 2**32 - 977
    assert int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16) == params.N
    assert params.B == 7
    assert int("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16) == params.GX
    assert int("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", 16) == params.GY
    assert params.on_curve(params.GX, params.GY)


def test_constants_equal_py_ecc() -> None:
    """The written-out constants are py_ecc's (which the reference backend computes with)."""
    from py_ecc.secp256k1 import secp256k1 as curve

    assert (params.P, params.N, params.B) == (curve.P, curve.N, curve.B)
    assert (curve.Gx, curve.Gy) == (params.GX, params.GY)


def test_sqrt_and_square() -> None:
    assert params.fe_sqrt(4) in (2, params.P - 2)
    # -1 is not a square mod p since p = 3 (mod 4)
    assert params.fe_sqrt(params.P - 1) is None
    assert not params.fe_is_square(params.P - 1)
    assert params.fe_is_square(0)
    assert params.fe_is_square(9)
