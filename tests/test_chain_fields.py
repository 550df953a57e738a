"""Issue 16 without a node: the token fields of snapshots and manifests, BIP-322 routing in
the reserves checks (P2TR, P2WSH), duplicate keys of 32-byte-program addresses, the
signature length limit, and the verifier importing bip322-core only when needed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from zkpor.formats.manifest import ManifestReserveAddress, ManifestReserves
from zkpor.formats.reserves import ReservesSnapshot
from zkpor.reserves import AssetReserves, ReserveAddress, ownership_message
from zkpor.reserves.addresses import address_key
from zkpor.reserves.bip322 import MAX_SIGNATURE_CHARS
from zkpor.reserves.verify import check_asset

USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"  # EIP-55 form
EX, RD = "Example Exchange", "2026-12-01"
P2WSH = "bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9"  # BIP-322's 3-of-3


def entry(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "asset": "USDT",
        "chain": "ethereum",
        "block_height": 5,
        "addresses": [],
    }
    base.update(kw)
    return base


def test_token_fields_accepted_on_ethereum() -> None:
    e = AssetReserves.model_validate(entry(token_contract=USDT, chain_id=1))
    assert (e.token_contract, e.chain_id) == (USDT, 1)
    assert AssetReserves.model_validate(entry()).token_contract is None


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"token_contract": USDT.lower()}, "not in EIP-55 checksum form"),
        ({"token_contract": USDT.replace("dAC", "DAC")}, "not in EIP-55 checksum form"),
        ({"token_contract": USDT[:-1]}, "should match pattern"),
        ({"token_contract": "0x" + "g" * 40}, "should match pattern"),
        ({"token_contract": 5}, "string"),
        ({"chain_id": 0}, "greater than or equal to 1"),
        ({"chain_id": 2**53}, "less than or equal to"),
        ({"chain_id": "1"}, "integer"),
        ({"chain_id": True}, "integer"),
        ({"chain": "bitcoin", "token_contract": USDT}, "token_contract is for chain ethereum"),
        ({"chain": "bitcoin-testnet", "chain_id": 1}, "chain_id is for chain ethereum"),
    ],
)
def test_bad_token_fields_refused(extra: dict[str, Any], needle: str) -> None:
    for model, data in (
        (AssetReserves, entry(**extra)),
        (
            ManifestReserves,
            {
                "chain": "ethereum",
                "block_height": 5,
                "total": "0",
                "total_units": "0",
                "addresses": [],
                **extra,
            },
        ),
    ):
        with pytest.raises(ValidationError, match=needle):
            model.model_validate(data)


def test_manifest_token_fields_absent_when_not_given() -> None:
    """A manifest without tokens keeps its JSON (and so its digests) unchanged."""
    base = {"chain": "ethereum", "block_height": 5, "total": "0", "total_units": "0"}
    plain = ManifestReserves.model_validate({**base, "addresses": []})
    dumped = plain.model_dump(mode="json")
    assert "token_contract" not in dumped and "chain_id" not in dumped
    token = ManifestReserves.model_validate(
        {**base, "addresses": [], "token_contract": USDT, "chain_id": 1}
    )
    assert token.model_dump(mode="json")["token_contract"] == USDT
    assert token.model_dump(mode="json")["chain_id"] == 1


def test_signature_limit_fits_bip322_multisig() -> None:
    long_sig = "smp" + "A" * 457  # a 3-of-3 P2WSH simple signature is about 460 characters
    ReserveAddress.model_validate({"address": P2WSH, "balance": "1", "signature": long_sig})
    ManifestReserveAddress.model_validate({"address": P2WSH, "balance": "1", "signature": long_sig})
    too_long = "A" * (MAX_SIGNATURE_CHARS + 1)
    with pytest.raises(ValidationError):
        ReserveAddress.model_validate({"address": P2WSH, "balance": "1", "signature": too_long})
    with pytest.raises(ValidationError):
        ManifestReserveAddress.model_validate(
            {"address": P2WSH, "balance": "1", "signature": too_long}
        )


def test_snapshot_format_still_refuses_unknown_fields() -> None:
    data = {
        "format": "zkpor-reserves-v1",
        "exchange": EX,
        "round_id": RD,
        "assets": [entry(token=USDT)],
    }
    with pytest.raises(ValidationError, match="Extra inputs"):
        ReservesSnapshot.model_validate(data)


def test_duplicate_keys_of_p2tr_and_p2wsh() -> None:
    from zkpor.reserves.bip322 import p2tr_address

    tr = p2tr_address(hashlib.sha256(b"dup").digest())
    assert address_key("bitcoin", tr) == address_key("bitcoin", tr.upper())
    assert address_key("bitcoin", tr) == "segwit:" + tr
    assert address_key("bitcoin", P2WSH) == address_key("bitcoin", P2WSH.upper())
    assert address_key("bitcoin", tr) != address_key("bitcoin", P2WSH)
    # a P2WPKH address keeps its decoded key
    assert address_key("bitcoin", "bc1qdtz337969qlmqpe785znvx3684e6x46ad9we57").startswith(
        "p2wpkh:"
    )


class _Addr:
    def __init__(self, address: str, signature: str, balance: str = "0.5") -> None:
        self.address, self.signature, self.balance = address, signature, balance


def _p2tr(seed: bytes, message: str | None = None) -> _Addr:
    from zkpor.reserves.bip322 import p2tr_address, sign_p2tr

    key = hashlib.sha256(seed).digest()
    addr = p2tr_address(key)
    return _Addr(
        addr, sign_p2tr(key, ownership_message(EX, RD, addr) if message is None else message)
    )


def _check(addrs: list[_Addr]) -> list[str]:
    return check_asset(
        "bitcoin", addrs, exchange=EX, round_id=RD, decimals=8, where="r.json: assets[0] (BTC)"
    ).problems


def test_p2tr_reserve_addresses_route_to_bip322() -> None:
    good = _p2tr(b"a")
    assert _check([good]) == []
    # the same address upper-cased: one address, listed twice
    dup = _Addr(good.address.upper(), good.signature)
    problems = _check([good, dup])
    assert problems == [f"r.json: assets[0] (BTC).addresses[1] {dup.address}: duplicate address"]


def test_p2tr_wrong_message_is_diagnosed() -> None:
    from zkpor.reserves.bip322 import p2tr_address

    addr = p2tr_address(hashlib.sha256(b"b").digest())
    lf = _p2tr(b"b", ownership_message(EX, RD, addr) + "\n")
    assert lf.address == addr
    (problem,) = _check([lf])
    assert "signed a different message: the expected text with a trailing LF" in problem
    other_round = _p2tr(b"b", ownership_message(EX, "2026-11-01", addr))
    (problem,) = _check([other_round])
    assert problem.endswith(
        "signature was not made by this address's key over the expected message"
    )


def test_p2tr_bad_signatures_refused() -> None:
    from zkpor.reserves.signing import sign_bitcoin

    good = _p2tr(b"c")
    legacy = sign_bitcoin(hashlib.sha256(b"c").digest(), "x", "p2wpkh")
    cases = {
        legacy: "a 65-byte legacy signature is for P2PKH",
        "smp!!!!": "not base64",
        "pof" + good.signature[3:]: "proof-of-funds",
        good.signature[:-4]: "signature",  # truncated: refused, however it decodes
    }
    for sig, needle in cases.items():
        (problem,) = _check([_Addr(good.address, sig)])
        assert problem.startswith(f"r.json: assets[0] (BTC).addresses[0] {good.address}: ")
        assert needle in problem, problem
    # a valid signature of another P2TR address of the snapshot: named as swapped
    other = _p2tr(b"d")
    problems = _check([_Addr(good.address, other.signature), other])
    assert "signature is the one of another listed address" in problems[0]


def test_testnet_p2tr_on_bitcoin_refused() -> None:
    from zkpor.reserves.bip322 import p2tr_address, sign_p2tr

    key = hashlib.sha256(b"t").digest()
    addr = p2tr_address(key, "bitcoin-testnet")
    sig = sign_p2tr(key, ownership_message(EX, RD, addr), "bitcoin-testnet")
    (problem,) = _check([_Addr(addr, sig)])
    assert "a bitcoin-testnet address cannot hold reserves on chain bitcoin" in problem
    ok = check_asset(
        "bitcoin-testnet", [_Addr(addr, sig)], exchange=EX, round_id=RD, decimals=8, where="w"
    )
    assert ok.problems == []


def _one_ether_address(seed: bytes, **fields: object) -> dict[str, Any]:
    """A snapshot of one ETH asset (``fields`` added to its entry) with one address, the key
    SHA-256(``seed``), holding 1 ETH and signed for EX / RD."""
    from zkpor.reserves.signing import ethereum_address, sign_ethereum

    key = hashlib.sha256(seed).digest()
    addr = ethereum_address(key)
    signature = sign_ethereum(key, ownership_message(EX, RD, addr))
    address = {"address": addr, "balance": "1", "signature": signature}
    return {
        "format": "zkpor-reserves-v1",
        "exchange": EX,
        "round_id": RD,
        "assets": [entry(asset="ETH", addresses=[address], **fields)],
    }


LEGACY_ONLY = """
import json, sys
from zkpor.reserves import verify_reserves
from zkpor.formats.reserves import ReservesSnapshot
snap = ReservesSnapshot.model_validate(json.loads(sys.argv[1]))
verify_reserves(snap, exchange={ex!r}, round_id={rd!r}, decimals={{"ETH": 9}})
print(sorted(m for m in ("bip322core", "embit", "btclib", "web3") if m in sys.modules))
"""


def test_legacy_only_snapshots_import_no_chain_library() -> None:

    snap = _one_ether_address(b"eth-light", chain_id=1)
    out = subprocess.run(
        [sys.executable, "-c", LEGACY_ONLY.format(ex=EX, rd=RD), json.dumps(snap)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert out.strip() == "[]"


NO_WEB3 = """
import sys
sys.modules["web3"] = None  # as if the extra `chain` were not installed
from zkpor.cli import main
main(sys.argv[1:])
"""


def test_eth_rpc_without_web3_says_how_to_install(tmp_path: Any) -> None:

    snap = _one_ether_address(b"eth-noweb3")
    (tmp_path / "r.json").write_text(json.dumps(snap))
    (tmp_path / "a.json").write_text('{"assets": [{"symbol": "ETH", "decimals": 9}]}')
    args = ["reserves", "check", "r.json", "--exchange", EX, "--round", RD]
    args += ["--assets", "a.json", "--eth-rpc", "http://127.0.0.1:1"]
    r = subprocess.run(
        [sys.executable, "-c", NO_WEB3, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == (
        "error: checking balances on chain needs web3: install zkpor with its chain extra (pip "
        "install 'dist/zkpor-0.1.0-py3-none-any.whl[chain]', or pip install '.[chain]' in a "
        "checkout)"
    )
