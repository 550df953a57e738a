"""Snapshot checks of docs/spec.md 10.5: each address on its asset's chain, identifiers,
"signed a different message" diagnoses, and the per-asset check the verifier calls."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from zkpor.errors import InputError, VerificationError
from zkpor.reserves import (
    ReserveAddress,
    ReservesSnapshot,
    load_reserves,
    ownership_message,
    verify_asset_reserves,
    verify_reserves,
)
from zkpor.reserves.bitcoin import decode_address, verify_message
from zkpor.reserves.signing import bitcoin_address, ethereum_address, sign_bitcoin, sign_ethereum
from zkpor.reserves.verify import check_signature

EX, RD = "Example Exchange", "2026-11"
KEYS = [hashlib.sha256(f"check key {i}".encode()).digest() for i in range(6)]
KINDS = ("p2pkh", "p2wpkh", "p2sh-p2wpkh")


def _btc(
    key: bytes,
    kind: str,
    chain: str = "bitcoin",
    *,
    ex: str = EX,
    rd: str = RD,
    tail: str = "",
    address: str | None = None,
) -> dict[str, str]:
    addr = address or bitcoin_address(key, kind, chain)
    sig = sign_bitcoin(key, ownership_message(ex, rd, addr) + tail, kind)
    return {"address": addr, "balance": "1", "signature": sig}


def _eth(key: bytes, *, ex: str = EX, rd: str = RD, message: str | None = None) -> dict[str, str]:
    addr = ethereum_address(key)
    text = ownership_message(ex, rd, addr) if message is None else message
    return {"address": addr, "balance": "2", "signature": sign_ethereum(key, text)}


def _snapshot(
    btc: list[dict[str, str]],
    eth: list[dict[str, str]],
    *,
    ex: str = EX,
    rd: str = RD,
    btc_chain: str = "bitcoin",
) -> dict[str, Any]:
    return {
        "format": "zkpor-reserves-v1",
        "exchange": ex,
        "round_id": rd,
        "assets": [
            {"asset": "BTC", "chain": btc_chain, "block_height": 1, "addresses": btc},
            {"asset": "ETH", "chain": "ethereum", "block_height": 2, "addresses": eth},
        ],
    }


def _problems(data: dict[str, Any]) -> list[str]:
    snap = ReservesSnapshot.model_validate(data)
    with pytest.raises(VerificationError) as info:
        verify_reserves(snap, exchange=EX, round_id=RD, decimals={"BTC": 8, "ETH": 9})
    return str(info.value).splitlines()


# --- chains -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_testnet_and_mainnet_never_mix(kind: str) -> None:
    main = bitcoin_address(KEYS[0], kind, "bitcoin")
    test = bitcoin_address(KEYS[0], kind, "bitcoin-testnet")
    assert decode_address(main, "bitcoin") == decode_address(test, "bitcoin-testnet")
    for addr, chain, other in (
        (main, "bitcoin-testnet", "bitcoin"),
        (test, "bitcoin", "bitcoin-testnet"),
    ):
        with pytest.raises(
            ValueError, match=f"a {other} address cannot hold reserves on chain {chain}"
        ):
            decode_address(addr, chain)
        msg = ownership_message(EX, RD, addr)
        with pytest.raises(VerificationError, match=r"^address: a "):
            verify_message(addr, msg, sign_bitcoin(KEYS[0], msg, kind), chain)
    msg = ownership_message(EX, RD, test)
    verify_message(test, msg, sign_bitcoin(KEYS[0], msg, kind), "bitcoin-testnet")


def test_snapshot_counts_only_addresses_of_the_assets_chain() -> None:
    good = [_btc(KEYS[0], "p2wpkh"), _btc(KEYS[1], "p2pkh")]
    snap = ReservesSnapshot.model_validate(_snapshot(good, [_eth(KEYS[2])]))
    report = verify_reserves(snap, exchange=EX, round_id=RD, decimals={"BTC": 8, "ETH": 9})
    assert report.totals == {"BTC": 200_000_000, "ETH": 2_000_000_000}
    testnet = [_btc(KEYS[3], k, "bitcoin-testnet") for k in KINDS]
    eth_on_btc = {**_eth(KEYS[4])}
    btc_on_eth = _btc(KEYS[5], "p2wpkh")
    lines = _problems(_snapshot(good + testnet + [eth_on_btc], [_eth(KEYS[2]), btc_on_eth]))
    assert len(lines) == 5
    for i in (2, 3, 4):
        assert f"assets[0] (BTC).addresses[{i}]" in lines[i - 2]
        assert "a bitcoin-testnet address cannot hold reserves on chain bitcoin" in lines[i - 2]
    assert "addresses[5]" in lines[3]
    assert "an Ethereum address cannot hold reserves on chain bitcoin" in lines[3]
    assert "assets[1] (ETH).addresses[1]" in lines[4]
    assert "a bitcoin address cannot hold reserves on chain ethereum" in lines[4]
    # the same testnet addresses count under a bitcoin-testnet asset
    snap = ReservesSnapshot.model_validate(_snapshot(testnet, [], btc_chain="bitcoin-testnet"))
    report = verify_reserves(snap, exchange=EX, round_id=RD, decimals={"BTC": 8, "ETH": 9})
    assert report.totals["BTC"] == 300_000_000


def test_bech32_case() -> None:
    """All upper case is the same address (and signs its own upper-case text); mixed case is
    refused (BIP 173)."""
    lower = bitcoin_address(KEYS[0], "p2wpkh")
    upper = lower.upper()
    assert decode_address(upper, "bitcoin") == decode_address(lower, "bitcoin")
    msg = ownership_message(EX, RD, upper)
    verify_message(upper, msg, sign_bitcoin(KEYS[0], msg, "p2wpkh"))
    mixed = lower[:10] + lower[10:].upper()
    assert mixed not in (lower, upper)
    with pytest.raises(ValueError, match="mixed-case bech32"):
        decode_address(mixed, "bitcoin")
    with pytest.raises(ValueError, match="mixed-case bech32"):
        decode_address(mixed.replace("bc1", "tb1", 1).lower()[:10] + mixed[10:], "bitcoin-testnet")
    lines = _problems(_snapshot([_btc(KEYS[0], "p2wpkh", address=mixed)], []))
    assert "addresses[0]" in lines[0] and "mixed-case bech32" in lines[0]


def test_unsupported_bitcoin_scripts_and_text() -> None:
    p2wsh = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"  # BIP 173 example
    taproot = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"
    addr = bitcoin_address(KEYS[0], "p2pkh")
    for bad, text in (
        (p2wsh, "only P2WPKH"),
        (taproot, "only P2WPKH|invalid bech32"),
        (addr + " ", "printable ASCII"),
        (addr + "\n", "printable ASCII"),
        (" " + addr, "printable ASCII"),
        ("", "printable ASCII"),
        (addr[:-1] + ("1" if addr[-1] != "1" else "2"), "invalid Base58Check"),
    ):
        with pytest.raises(ValueError, match=text):
            decode_address(bad, "bitcoin")


def test_ethereum_address_forms() -> None:
    addr = ethereum_address(KEYS[0])
    msg = ownership_message(EX, RD, addr)
    sig = sign_ethereum(KEYS[0], msg)
    check_signature("ethereum", addr, msg, sig)
    for bad, text in (
        ("0X" + addr[2:], "not a 0x-prefixed"),
        (addr[:-1], "not a 0x-prefixed"),
        (addr + "0", "not a 0x-prefixed"),
        (bitcoin_address(KEYS[0], "p2pkh"), "a bitcoin address cannot hold reserves"),
        (bitcoin_address(KEYS[0], "p2wpkh", "bitcoin-testnet"), "a bitcoin-testnet address"),
    ):
        with pytest.raises(VerificationError, match=text):
            check_signature("ethereum", bad, ownership_message(EX, RD, bad), sig)
    # lower and upper case digits need no checksum; the lower-case text must be the one signed
    low = "0x" + addr[2:].lower()
    check_signature(
        "ethereum",
        low,
        ownership_message(EX, RD, low),
        sign_ethereum(KEYS[0], ownership_message(EX, RD, low)),
    )
    up = "0x" + addr[2:].upper()
    check_signature(
        "ethereum",
        up,
        ownership_message(EX, RD, up),
        sign_ethereum(KEYS[0], ownership_message(EX, RD, up)),
    )
    with pytest.raises(VerificationError, match="unknown chain"):
        check_signature("litecoin", addr, msg, sig)


# --- wrong messages -----------------------------------------------------------------------


def test_trailing_newline_and_crlf_are_diagnosed() -> None:
    btc = [
        _btc(KEYS[0], "p2wpkh", tail="\n"),
        _btc(KEYS[1], "p2pkh", tail="\r\n"),
        _btc(KEYS[2], "p2sh-p2wpkh"),
    ]
    eth_addr = ethereum_address(KEYS[3])
    crlf = ownership_message(EX, RD, eth_addr).replace("\n", "\r\n")
    lines = _problems(_snapshot(btc, [_eth(KEYS[3], message=crlf)]))
    assert len(lines) == 3
    assert "addresses[0]" in lines[0]
    assert "signed a different message: the expected text with a trailing LF" in lines[0]
    expected = ownership_message(EX, RD, btc[0]["address"]).replace("\n", "\\n")
    assert f"expected '{expected}'" in lines[0]
    assert "addresses[1]" in lines[1] and "with a trailing CRLF" in lines[1]
    assert "(ETH).addresses[0]" in lines[2] and "with CRLF line ends" in lines[2]
    assert all("\n" not in line and "\r" not in line for line in lines)


def test_header_round_said_once() -> None:
    """Every address signed the snapshot header's round: one line says so, not one per
    address; an address with another fault is still listed."""
    other = "2026-10"
    btc = [_btc(KEYS[i % 3], KINDS[i % 3], rd=other) for i in range(3)]
    eth = [_eth(k, rd=other) for k in KEYS[3:]]
    eth.append({**_eth(KEYS[0], rd=other), "signature": eth[0]["signature"]})
    lines = _problems(_snapshot(btc, eth, rd=other))
    assert lines[0] == f"reserves: snapshot is for round '{other}', not '{RD}'"
    assert lines[1].startswith(
        f"reserves: 6 signatures are over the message with round '{other}' of the snapshot "
        "header; each address must sign 'zkpor proof of reserves\\nexchange: Example Exchange"
        "\\nround: 2026-11\\naddress: <address>'"
    )
    assert len(lines) == 3
    assert "(ETH).addresses[3]" in lines[2]
    assert "not made by this address's key over the expected message" in lines[2]


def test_header_exchange_and_both_said_once() -> None:
    btc = [_btc(KEYS[0], "p2wpkh", ex="Other", rd="2026-10"), _btc(KEYS[1], "p2pkh", ex="Other")]
    lines = _problems(
        _snapshot(btc, [_eth(KEYS[2], ex="Other", rd="2026-10")], ex="Other", rd="2026-10")
    )
    assert lines[0] == f"reserves: snapshot is for exchange 'Other', not '{EX}'"
    assert lines[1] == f"reserves: snapshot is for round '2026-10', not '{RD}'"
    assert (
        "2 signatures are over the message with round '2026-10' of the snapshot header and exchange 'Other' of the snapshot header"
        in lines[2]
    )
    assert (
        "1 signature is over the message with exchange 'Other' of the snapshot header;" in lines[3]
    )
    assert len(lines) == 4


def test_other_round_not_in_header_cannot_be_told() -> None:
    """A signature over a round the snapshot does not name: no diagnosis, only the fact."""
    lines = _problems(_snapshot([_btc(KEYS[0], "p2wpkh", rd="2026-09")], [_eth(KEYS[1], ex="X")]))
    assert len(lines) == 2
    assert all("not made by this address's key over the expected message" in x for x in lines)
    assert not any("different message" in x for x in lines)


# --- identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("exchange", "Example\u202eExchange"),  # bidi override
        ("exchange", "Cafe\u0301"),  # not NFC
        ("round_id", "2026\u200b11"),  # zero-width space
        ("round_id", "2026\u2028"),  # line separator
        ("exchange", "A\x1b[31mB"),
    ],
)
def test_snapshot_identifiers_checked(field: str, value: str, tmp_path: Path) -> None:
    data = _snapshot([], [])
    data[field] = value
    with pytest.raises(ValidationError):
        ReservesSnapshot.model_validate(data)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        load_reserves(path)
    assert f"{field}:" in str(info.value)
    assert value not in str(info.value)


@pytest.mark.parametrize(
    "address", ["bc1q\u0430bc", "1abc def", "1abc\u00a0", "0x\u200b12", "1A\x1b[0m", "1A\u202e"]
)
def test_addresses_are_printable_ascii(address: str) -> None:
    with pytest.raises(ValidationError):
        ReserveAddress(address=address, balance="1", signature="x")


def test_per_asset_check_for_the_verifier() -> None:
    """verify_asset_reserves takes any objects with address, balance, signature (a
    manifest's), checks the address text itself, and names the asset in each problem."""

    class Entry:
        def __init__(self, address: str, balance: str, signature: str) -> None:
            self.address, self.balance, self.signature = address, balance, signature

    rows = [_btc(KEYS[0], "p2wpkh"), _btc(KEYS[1], "p2sh-p2wpkh")]
    entries = [Entry(**r) for r in rows]
    assert (
        verify_asset_reserves("BTC", "bitcoin", entries, exchange=EX, round_id=RD, decimals=8)
        == 200_000_000
    )
    with pytest.raises(VerificationError) as info:
        verify_asset_reserves(
            "BTC", "bitcoin", entries, exchange=EX, round_id="2026-12", decimals=8
        )
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("manifest: asset BTC reserves.addresses[0] bc1q")
    hostile = Entry("1A\x1b[31mOK", "1", rows[0]["signature"])
    dup = Entry(rows[0]["address"].upper(), "1", rows[0]["signature"])
    with pytest.raises(VerificationError) as info:
        verify_asset_reserves(
            "BTC",
            "bitcoin",
            [
                *entries,
                hostile,
                dup,
                Entry(rows[1]["address"], "1.000000001", rows[1]["signature"]),
            ],
            exchange=EX,
            round_id=RD,
            decimals=8,
        )
    text = str(info.value)
    assert "\x1b" not in text and "1A\\x1b[31mOK" in text
    assert "addresses[2]" in text and "address contains a control character (U+001B)" in text
    assert "addresses[3]" in text and "duplicate address" in text
    assert "addresses[4]" in text and "duplicate address" in text
    with pytest.raises(VerificationError, match="total does not fit in 64 bits"):
        big = [Entry(**_btc(KEYS[i], "p2wpkh")) for i in range(2)]
        for e in big:
            e.balance = "184467440737.09551615"
        verify_asset_reserves("BTC", "bitcoin", big, exchange=EX, round_id=RD, decimals=8)
