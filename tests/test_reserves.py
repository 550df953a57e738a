"""Reserves: ownership signatures made by real signing tools, and their rejection."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from zkpor.errors import InputError, VerificationError
from zkpor.reserves import ReservesSnapshot, load_reserves, ownership_message, verify_reserves
from zkpor.reserves.bitcoin import decode_address, verify_message
from zkpor.reserves.ethereum import verify_personal_sign
from zkpor.reserves.signing import bitcoin_address, ethereum_address, sign_bitcoin, sign_ethereum

from .liab_helpers import make_reserves

SECRET = hashlib.sha256(b"reserve key").digest()
OTHER = hashlib.sha256(b"another key").digest()
MSG = ownership_message("Example Exchange", "2026-11", "ADDR")


@pytest.fixture(scope="module")
def bitcoin_utils():  # type: ignore[no-untyped-def]
    import warnings

    from bitcoinutils.setup import setup

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    setup("mainnet")
    import bitcoinutils.keys as keys

    return keys


def _bu_key(keys, secret: bytes):  # type: ignore[no-untyped-def]
    return keys.PrivateKey(secret_exponent=int.from_bytes(secret, "big"))


def test_bitcoin_core_format_from_bitcoin_utils(bitcoin_utils) -> None:  # type: ignore[no-untyped-def]
    """bitcoin-utils implements Bitcoin Core's signmessage; its P2PKH signatures verify, and
    the same (r, s) under BIP 137 headers verify for the key's segwit addresses."""
    key = _bu_key(bitcoin_utils, SECRET)
    pub = key.get_public_key()
    p2pkh = pub.get_address().to_string()
    p2wpkh = pub.get_segwit_address().to_string()
    p2sh = bitcoin_utils.P2shAddress.from_script(
        pub.get_segwit_address().to_script_pub_key()
    ).to_string()
    assert (p2pkh, p2wpkh, p2sh) == tuple(
        bitcoin_address(SECRET, k) for k in ("p2pkh", "p2wpkh", "p2sh-p2wpkh")
    )
    for addr, bump in ((p2pkh, 0), (p2wpkh, 8), (p2sh, 4)):
        msg = ownership_message("Example Exchange", "2026-11", addr)
        sig = key.sign_message(msg)
        verify_message(addr, msg, sig)  # header 31-34 (Electrum-style for segwit)
        raw = bytearray(base64.b64decode(sig))
        raw[0] += bump
        verify_message(addr, msg, base64.b64encode(bytes(raw)).decode())


def test_our_signatures_verify_with_bitcoin_utils(bitcoin_utils) -> None:  # type: ignore[no-untyped-def]
    addr = bitcoin_address(SECRET, "p2pkh")
    msg = ownership_message("Example Exchange", "2026-11", addr)
    assert bitcoin_utils.PublicKey.verify_message(addr, sign_bitcoin(SECRET, msg, "p2pkh"), msg)


def test_uncompressed_p2pkh(bitcoin_utils) -> None:  # type: ignore[no-untyped-def]
    key = _bu_key(bitcoin_utils, SECRET)
    addr = key.get_public_key().get_address(compressed=False).to_string()
    sig = key.sign_message("hello", compressed=False)
    verify_message(addr, "hello", sig)
    with pytest.raises(VerificationError):
        verify_message(bitcoin_address(SECRET, "p2pkh"), "hello", sig)


def test_ethereum_from_eth_account() -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    acct = Account.from_key(SECRET)
    msg = ownership_message("Example Exchange", "2026-11", acct.address)
    sig = "0x" + bytes(acct.sign_message(encode_defunct(text=msg)).signature).hex()
    verify_personal_sign(acct.address, msg, sig)
    verify_personal_sign(acct.address.lower(), msg, sig)
    assert sign_ethereum(SECRET, msg) == sig


@pytest.mark.parametrize("kind", ["p2pkh", "p2wpkh", "p2sh-p2wpkh"])
def test_bitcoin_rejections(kind: str) -> None:
    addr = bitcoin_address(SECRET, kind)
    msg = ownership_message("Example Exchange", "2026-11", addr)
    sig = sign_bitcoin(SECRET, msg, kind)
    verify_message(addr, msg, sig)
    cases = [
        (addr, msg + "x", sig),  # tampered message
        (addr, ownership_message("Example Exchange", "2026-10", addr), sig),  # other round
        (addr, ownership_message("Other Exchange", "2026-11", addr), sig),  # other exchange
        (bitcoin_address(OTHER, kind), msg, sig),  # wrong address
        (addr, msg, sign_bitcoin(OTHER, msg, kind)),  # other key's signature
        (addr, msg, "not base64!!"),
        (addr, msg, base64.b64encode(b"\x1f" + bytes(63)).decode()),  # 64 bytes
        (addr, msg, base64.b64encode(bytes((26,)) + base64.b64decode(sig)[1:]).decode()),
        (addr, msg, base64.b64encode(bytes((43,)) + base64.b64decode(sig)[1:]).decode()),
        (addr, msg, base64.b64encode(bytes(base64.b64decode(sig)[:1]) + bytes(64)).decode()),
        (addr[:-1] + ("q" if addr[-1] != "q" else "p"), msg, sig),  # checksum broken
        (bitcoin_address(SECRET, kind, "bitcoin-testnet"), msg, sig),  # other network
    ]
    for a, m, s in cases:
        with pytest.raises(VerificationError):
            verify_message(a, m, s)


def test_bip137_header_must_match_address_type() -> None:
    addr = bitcoin_address(SECRET, "p2pkh")
    sig = sign_bitcoin(SECRET, "m", "p2wpkh")  # header 39-42 claims P2WPKH
    with pytest.raises(VerificationError, match="header"):
        verify_message(addr, "m", sig)


def test_unsupported_addresses() -> None:
    taproot = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
    for bad in (taproot, "", "1111111111111111111114oLvT3", "0x" + "00" * 20, "bc1qqqqq"):
        with pytest.raises(ValueError):
            decode_address(bad, "bitcoin")


def test_ethereum_rejections() -> None:
    addr = ethereum_address(SECRET)
    msg = ownership_message("Example Exchange", "2026-11", addr)
    sig = sign_ethereum(SECRET, msg)
    bad_checksum = addr[:2] + (addr[2].swapcase() if addr[2].isalpha() else addr[2]) + addr[3:]
    mixed = next(i for i in range(2, 42) if addr[i].isalpha())
    bad_checksum = addr[:mixed] + addr[mixed].swapcase() + addr[mixed + 1 :]
    for a, m, s in [
        (addr, msg + " ", sig),
        (addr, ownership_message("Example Exchange", "2026-12", addr), sig),
        (addr, ownership_message("X", "2026-11", addr), sig),
        (ethereum_address(OTHER), msg, sig),
        (addr, msg, sign_ethereum(OTHER, msg)),
        (addr, msg, sig[:-2]),
        (addr, msg, "0x" + "00" * 65),
        (addr, msg, sig.replace("0x", "")),
        (bad_checksum, msg, sig),
        ("0x1234", msg, sig),
    ]:
        with pytest.raises(VerificationError):
            verify_personal_sign(a, m, s)


def test_snapshot_checks_report_every_problem(tmp_path: Path) -> None:
    path = make_reserves(
        tmp_path, "Example Exchange", "2026-11", {"BTC": ["1", "2", "3"], "ETH": ["5"]}
    )
    snap = load_reserves(path)
    report = verify_reserves(
        snap, exchange="Example Exchange", round_id="2026-11", decimals={"BTC": 8, "ETH": 6}
    )
    assert report.totals == {"BTC": 600_000_000, "ETH": 5_000_000}
    data = snap.model_dump()
    btc = data["assets"][0]["addresses"]
    btc[1]["signature"] = btc[0]["signature"]  # wrong key
    btc[2]["balance"] = "1.123456789"  # too many decimals
    btc.append(dict(btc[0]))  # duplicate address
    broken = ReservesSnapshot.model_validate(data)
    with pytest.raises(VerificationError) as info:
        verify_reserves(
            broken,
            exchange="Example Exchange",
            round_id="2026-11",
            decimals={"BTC": 8, "ETH": 6, "USDT": 6},
        )
    text = str(info.value)
    assert "addresses[1]" in text
    assert "addresses[2]" in text and "decimals" in text
    assert "addresses[3]" in text and "duplicate" in text
    assert "no reserves entry for asset USDT" in text
    with pytest.raises(VerificationError, match="exchange"):
        verify_reserves(snap, exchange="Other", round_id="2026-11", decimals={"BTC": 8, "ETH": 6})
    with pytest.raises(VerificationError, match="round"):
        verify_reserves(
            snap, exchange="Example Exchange", round_id="2026-12", decimals={"BTC": 8, "ETH": 6}
        )
    with pytest.raises(VerificationError, match="not one of the round's assets"):
        verify_reserves(snap, exchange="Example Exchange", round_id="2026-11", decimals={"BTC": 8})


def test_load_reserves_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    for content in (
        "{",
        '{"format": "zkpor-reserves-v1"}',
        '{"format": "x", "exchange": "e", "round_id": "r", "assets": []}',
    ):
        path.write_text(content)
        with pytest.raises(InputError):
            load_reserves(path)
    with pytest.raises(InputError):
        load_reserves(tmp_path / "missing.json")


def test_bech32_case_variants_count_once(tmp_path: Path) -> None:
    """An uppercase bech32 address is the same address: listing both is a duplicate."""
    path = make_reserves(tmp_path, "Example Exchange", "2026-11", {"BTC": ["1"]})
    data = json.loads(path.read_text())
    entry = data["assets"][0]["addresses"][0]
    assert entry["address"].startswith("bc1")
    upper = entry["address"].upper()
    key = hashlib.sha256(b"BTC-1").digest()
    data["assets"][0]["addresses"].append(
        {
            "address": upper,
            "balance": "1",
            "signature": sign_bitcoin(key, ownership_message("Example Exchange", "2026-11", upper)),
        }
    )
    snap = ReservesSnapshot.model_validate(data)
    with pytest.raises(VerificationError, match="duplicate"):
        verify_reserves(snap, exchange="Example Exchange", round_id="2026-11", decimals={"BTC": 8})


def test_names_with_control_characters_rejected() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ReservesSnapshot.model_validate(
            {"format": "zkpor-reserves-v1", "exchange": "A\nB", "round_id": "r", "assets": []}
        )
