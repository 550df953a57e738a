"""Public-key recovery (zkpor.reserves.ecrecover) and the signature edge cases of
docs/spec.md 10.3 and 10.4: both recovery paths agree, on valid and on hostile input."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from coincurve import PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from zkpor.crypto.group import Backend, N, P
from zkpor.crypto.group.params import B, fe_sqrt
from zkpor.errors import VerificationError
from zkpor.reserves import ecrecover, ownership_message
from zkpor.reserves.bitcoin import message_digest as btc_digest
from zkpor.reserves.bitcoin import verify_message
from zkpor.reserves.ecrecover import NO_KEY, recover_public_key
from zkpor.reserves.ethereum import (
    keccak256,
    message_digest,
    to_checksum_address,
    verify_personal_sign,
)
from zkpor.reserves.signing import bitcoin_address, ethereum_address, sign_bitcoin, sign_ethereum

ROOT = Path(__file__).resolve().parent.parent
SECRET = hashlib.sha256(b"recovery key").digest()
ETH_ADDR = ethereum_address(SECRET)
ETH_MSG = ownership_message("Example Exchange", "2026-11", ETH_ADDR)

secrets_st = st.integers(min_value=1, max_value=N - 1)
digests = st.binary(min_size=32, max_size=32)


def _recover_all(
    backend: Backend, digest: bytes, r: int, s: int, recid: int
) -> tuple[int, int] | str:
    """The key both methods recover, or the error text both give; fails if they differ."""
    results: list[tuple[int, int] | str] = []
    for method in ecrecover.METHODS:
        try:
            results.append(
                recover_public_key(digest, r, s, recid, method=method, point=backend.Point)
            )
        except VerificationError as exc:
            results.append(str(exc))
    assert results[0] == results[1], results
    return results[0]


def _xy(secret: int) -> tuple[int, int]:
    raw = PrivateKey(secret.to_bytes(32, "big")).public_key.format(compressed=False)
    return int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")


@given(secret=secrets_st, digest=digests)
def test_paths_agree_on_valid_signatures(backend: Backend, secret: int, digest: bytes) -> None:
    """Both paths recover the signer from libsecp256k1's signatures, and from their high-s
    twins (n - s with the other recovery id); the same s with the same id gives another key."""
    sig = PrivateKey(secret.to_bytes(32, "big")).sign_recoverable(digest, hasher=None)
    r, s, recid = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
    assert s <= N // 2  # libsecp256k1 signs low-s
    want = _xy(secret)
    assert _recover_all(backend, digest, r, s, recid) == want
    assert _recover_all(backend, digest, r, N - s, recid ^ 1) == want
    assert _recover_all(backend, digest, r, N - s, recid) != want


@given(
    r=st.one_of(st.integers(1, N - 1), st.integers(1, P - N - 1)),
    s=st.integers(1, N - 1),
    recid=st.integers(0, 3),
    digest=digests,
)
def test_paths_agree_on_arbitrary_signatures(
    backend: Backend, r: int, s: int, recid: int, digest: bytes
) -> None:
    """Random (r, s, recid): both recover the same key or both refuse with one message."""
    got = _recover_all(backend, digest, r, s, recid)
    assert isinstance(got, tuple) or got == NO_KEY


def _not_on_curve_r() -> int:
    return next(x for x in range(1, 100) if fe_sqrt((x**3 + B) % P) is None)


def test_edge_cases_on_both_paths(backend: Backend) -> None:
    digest = hashlib.sha256(b"m").digest()
    for r, s, text in (
        (0, 1, "r is zero"),
        (1, 0, "s is zero"),
        (N, 1, "r is not below"),
        (1, N, "s is not below"),
        (N + 1, 1, "r is not below"),  # a non-canonical 1
        (1, N + 5, "s is not below"),
        (2**256 - 1, 1, "r is not below"),
        (1, 2**256 - 1, "s is not below"),
    ):
        assert text in str(_recover_all(backend, digest, r, s, 0))
    # x = r is not the abscissa of a curve point
    assert _recover_all(backend, digest, _not_on_curve_r(), 1, 0) == NO_KEY
    # recovery ids 2 and 3 use x = r + n, which must stay below p
    assert _recover_all(backend, digest, P - N, 1, 2) == NO_KEY
    assert _recover_all(backend, digest, N - 1, 1, 3) == NO_KEY
    small = next(x for x in range(1, 100) if fe_sqrt(((x + N) ** 3 + B) % P) is not None)
    assert isinstance(_recover_all(backend, digest, small, 5, 2), tuple)
    # Q = r^-1 (s R - e G) is the identity when e = s k for R = k G
    k = 7
    r = _xy(k)[0]
    assert r < N
    s = 12345
    recid = _xy(k)[1] & 1
    assert _recover_all(backend, (s * k % N).to_bytes(32, "big"), r, s, recid) == NO_KEY
    with pytest.raises(VerificationError, match="recovery id"):
        recover_public_key(digest, 1, 1, 4)
    with pytest.raises(ValueError, match="32 bytes"):
        recover_public_key(b"short", 1, 1, 0)


def test_using_forces_a_method() -> None:
    before = ecrecover.default_method()
    assert before == "coincurve"  # coincurve is installed in the test environment
    with ecrecover.using("group"):
        assert ecrecover.default_method() == "group"
        verify_personal_sign(ETH_ADDR, ETH_MSG, sign_ethereum(SECRET, ETH_MSG))
    assert ecrecover.default_method() == before
    with pytest.raises(ValueError):
        ecrecover.using("openssl").__enter__()


# --- Keccak-256 and EIP-55 ---------------------------------------------------------------


def test_keccak_and_eip55_known_answers() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    # the examples of EIP-55
    for addr in (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ):
        assert to_checksum_address(addr.lower()) == addr
        assert to_checksum_address(addr.upper().replace("0X", "0x")) == addr
    # the digest of spec 10.4
    eth = "0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed"
    assert message_digest(ownership_message("Example Exchange", "2026-11-30", eth)).hex() == (
        "20c578cc630cd52da924ead69fe9074b667832883ad20c372eb4d02e15cca35f"
    )


@given(body=st.binary(min_size=20, max_size=20))
def test_eip55_matches_eth_utils(body: bytes) -> None:
    from eth_utils import to_checksum_address as reference

    assert to_checksum_address("0x" + body.hex()) == reference("0x" + body.hex())


@given(secret=secrets_st, text=st.text(max_size=300))
def test_personal_sign_matches_eth_account(secret: int, text: str) -> None:
    """eth-account's signatures verify on both paths, for any text; another text does not."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    key = secret.to_bytes(32, "big")
    acct = Account.from_key(key)
    sig = "0x" + bytes(acct.sign_message(encode_defunct(text=text)).signature).hex()
    assert ethereum_address(key) == acct.address
    for method in ecrecover.METHODS:
        with ecrecover.using(method):
            verify_personal_sign(acct.address, text, sig)
            with pytest.raises(VerificationError, match="not made by"):
                verify_personal_sign(acct.address, text + "x", sig)


# --- Ethereum signature edge cases (spec 10.4) --------------------------------------------


def _eth_parts(sig: str) -> tuple[int, int, int]:
    raw = bytes.fromhex(sig[2:])
    return int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]


def _eth_sig(r: int, s: int, v: int) -> str:
    return "0x" + (r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes((v,))).hex()


@pytest.mark.parametrize("method", ecrecover.METHODS)
def test_ethereum_v_values(method: str) -> None:
    """v = 27/28 and v = 0/1 are accepted; every other v is refused, EIP-155 values too."""
    r, s, v = _eth_parts(sign_ethereum(SECRET, ETH_MSG))
    assert v in (27, 28)
    with ecrecover.using(method):
        verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(r, s, v))
        verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(r, s, v - 27))
        # the other parity recovers another key
        for wrong in (55 - v, 1 - (v - 27)):
            with pytest.raises(VerificationError, match="not made by"):
                verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(r, s, wrong))
        for bad in (2, 3, 26, 29, 30, 35, 36, 37, 38, 127, 255):
            with pytest.raises(VerificationError, match=f"v is {bad}: only 27, 28, 0 or 1"):
                verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(r, s, bad))


@pytest.mark.parametrize("method", ecrecover.METHODS)
def test_ethereum_high_s_and_ranges(method: str) -> None:
    r, s, v = _eth_parts(sign_ethereum(SECRET, ETH_MSG))
    with ecrecover.using(method):
        verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(r, N - s, 55 - v))  # high s: accepted
        with pytest.raises(VerificationError, match="not made by"):
            verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(r, N - s, v))
        for rr, ss, text in (
            (0, s, "r is zero"),
            (r, 0, "s is zero"),
            (N, s, "r is not below"),
            (r, N, "s is not below"),
        ):
            with pytest.raises(VerificationError, match=text):
                verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(rr, ss, v))
        with pytest.raises(VerificationError, match="does not recover a public key"):
            verify_personal_sign(ETH_ADDR, ETH_MSG, _eth_sig(_not_on_curve_r(), s, v))
        for bad in (sign_ethereum(SECRET, ETH_MSG)[:-2], "0x" + "zz" * 65, "0X" + "00" * 65):
            with pytest.raises(VerificationError, match="0x-prefixed hex of 65 bytes"):
                verify_personal_sign(ETH_ADDR, ETH_MSG, bad)


# --- Bitcoin signature edge cases (spec 10.3) ---------------------------------------------


def _btc_sig(header: int, r: int, s: int) -> str:
    return base64.b64encode(
        bytes((header,)) + r.to_bytes(32, "big") + s.to_bytes(32, "big")
    ).decode()


def _btc_parts(sig: str) -> tuple[int, int, int]:
    raw = base64.b64decode(sig)
    return raw[0], int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")


@pytest.mark.parametrize("method", ecrecover.METHODS)
@pytest.mark.parametrize("kind", ["p2pkh", "p2wpkh", "p2sh-p2wpkh"])
def test_bitcoin_headers_high_s_and_ranges(method: str, kind: str) -> None:
    addr = bitcoin_address(SECRET, kind)
    msg = ownership_message("Example Exchange", "2026-11", addr)
    h, r, s = _btc_parts(sign_bitcoin(SECRET, msg, kind))
    recid = (h - 27) % 4
    own = {"p2pkh": 31, "p2sh-p2wpkh": 35, "p2wpkh": 39}[kind]
    with ecrecover.using(method):
        for base in (31, own):  # the Electrum-style header and the BIP 137 one
            verify_message(addr, msg, _btc_sig(base + recid, r, s))
            verify_message(addr, msg, _btc_sig(base + (recid ^ 1), r, N - s))  # high s
            with pytest.raises(VerificationError, match="not made by"):
                verify_message(addr, msg, _btc_sig(base + recid, r, N - s))
        for header in range(27, 31):  # uncompressed key: its P2PKH address is another one
            # (recovery ids 2 and 3 need r + n < p: no key for a real r)
            text = "not made by|does not recover" if kind == "p2pkh" else "need a compressed key"
            with pytest.raises(VerificationError, match=text):
                verify_message(addr, msg, _btc_sig(header, r, s))
        for header in range(35, 43):
            if header not in range(own, own + 4):
                with pytest.raises(VerificationError, match="header does not match"):
                    verify_message(addr, msg, _btc_sig(header, r, s))
        for header in (0, 1, 26, 43, 44, 255):
            with pytest.raises(VerificationError, match=f"header {header} out of range"):
                verify_message(addr, msg, _btc_sig(header, r, s))
        for rr, ss, text in (
            (0, s, "r is zero"),
            (r, 0, "s is zero"),
            (N, s, "r is not below"),
            (r, 2**256 - 1, "s is not below"),
        ):
            with pytest.raises(VerificationError, match=text):
                verify_message(addr, msg, _btc_sig(h, rr, ss))
        with pytest.raises(VerificationError, match="does not recover a public key"):
            verify_message(addr, msg, _btc_sig(h, _not_on_curve_r(), s))


def test_bitcoin_uncompressed_header_on_both_paths() -> None:
    """Headers 27-30: the uncompressed key's P2PKH address (made here without coincurve's
    signmessage: the digest is signed directly)."""
    import base58

    from zkpor.reserves.bitcoin import hash160

    pub = PrivateKey(SECRET).public_key.format(compressed=False)
    addr = base58.b58encode_check(b"\x00" + hash160(pub)).decode()
    sig = PrivateKey(SECRET).sign_recoverable(btc_digest("hello"), hasher=None)
    text = base64.b64encode(bytes((27 + sig[64],)) + sig[:64]).decode()
    for method in ecrecover.METHODS:
        with ecrecover.using(method):
            verify_message(addr, "hello", text)
            with pytest.raises(VerificationError, match="not made by"):
                verify_message(bitcoin_address(SECRET, "p2pkh"), "hello", text)


# --- the verifier's imports ---------------------------------------------------------------

_ISOLATION = """
import json, sys
BLOCK = sys.argv[1] == "no-coincurve"
if BLOCK:
    sys.modules["coincurve"] = None  # import coincurve now raises ImportError
from zkpor.formats.manifest import Manifest
from zkpor.verify.manifest import verify_manifest
from zkpor.reserves import ecrecover, load_reserves, verify_reserves
from zkpor.crypto.group import active_backend
from pathlib import Path
tests = json.loads(Path(sys.argv[2]).read_text())["testGroups"][0]["tests"]
valid = next(t for t in tests if t["result"] == "valid" and t["check_signatures"])
verify_manifest(Manifest.model_validate(valid["manifest"]), check_signatures=True)
snap = load_reserves(Path(sys.argv[3]))
report = verify_reserves(snap, exchange="Example Exchange", round_id="2026-11",
                         decimals={"BTC": 8, "ETH": 9})
bad = [m for m in sys.modules if m.split(".")[0] in ("eth_account", "eth_utils", "eth_keys")]
if BLOCK:
    bad += [m for m in sys.modules if m.startswith("coincurve") and sys.modules[m] is not None]
print(json.dumps({"bad": bad, "backend": active_backend().name,
                  "method": ecrecover.default_method(), "totals": report.totals}))
"""


@pytest.mark.parametrize("mode", ["default", "no-coincurve"])
def test_verification_imports_no_eth_account(mode: str, tmp_path: Path) -> None:
    """Verifying a manifest's reserves (and a snapshot's) loads neither eth_account nor
    eth_utils; with coincurve unimportable it runs on the reference backend and the group
    recovery, and still verifies."""
    from .liab_helpers import make_reserves

    snap = make_reserves(tmp_path, "Example Exchange", "2026-11", {"BTC": ["1"] * 3, "ETH": ["2"]})
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            _ISOLATION,
            mode,
            str(ROOT / "vectors" / "v1" / "manifest.json"),
            str(snap),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["bad"] == []
    assert out["totals"] == {"BTC": 300_000_000, "ETH": 2_000_000_000}
    if mode == "no-coincurve":
        assert (out["backend"], out["method"]) == ("reference", "group")
    else:
        assert out["method"] == "coincurve"


# --- mutated signatures -------------------------------------------------------------------

BTC_ADDR = bitcoin_address(SECRET, "p2wpkh")
BTC_MSG = ownership_message("Example Exchange", "2026-11", BTC_ADDR)
BTC_RAW = base64.b64decode(sign_bitcoin(SECRET, BTC_MSG, "p2wpkh"))
ETH_RAW = bytes.fromhex(sign_ethereum(SECRET, ETH_MSG)[2:])


@st.composite
def _mutations(draw: st.DrawFn, raw: bytes, lo: int, hi: int) -> bytes:
    """``raw`` with a byte of r || s (offsets lo..hi-1) changed, or a byte deleted or inserted
    anywhere."""
    how = draw(st.sampled_from(["flip", "delete", "insert"]))
    if how == "flip":
        i = draw(st.integers(lo, hi - 1))
        return raw[:i] + bytes((raw[i] ^ draw(st.integers(1, 255)),)) + raw[i + 1 :]
    i = draw(st.integers(0, len(raw) - (how == "delete")))
    if how == "delete":
        return raw[:i] + raw[i + 1 :]
    return raw[:i] + bytes((draw(st.integers(0, 255)),)) + raw[i:]


@given(bad=_mutations(BTC_RAW, 1, 65), method=st.sampled_from(ecrecover.METHODS))
def test_mutated_bitcoin_signatures_refused(bad: bytes, method: str) -> None:
    with ecrecover.using(method), pytest.raises(VerificationError):
        verify_message(BTC_ADDR, BTC_MSG, base64.b64encode(bad).decode())


@given(bad=_mutations(ETH_RAW, 0, 64), method=st.sampled_from(ecrecover.METHODS))
def test_mutated_ethereum_signatures_refused(bad: bytes, method: str) -> None:
    with ecrecover.using(method), pytest.raises(VerificationError):
        verify_personal_sign(ETH_ADDR, ETH_MSG, "0x" + bad.hex())
