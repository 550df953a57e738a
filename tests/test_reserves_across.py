"""One pile of coins for two assets (issue 21, item 3) and a token contract taken on trust
(item 4): the rules across the assets of a snapshot or manifest (docs/spec.md 10.5, 12.4).

The exchange is the adversary: it runs zkpor's own prover with the refusing step skipped
(the rules monkeypatched away while it proves), publishes the round, and the customer's
and the auditor's verifiers must refuse it with the exact message."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_utils import to_checksum_address

from tests.demo_round import cli
from zkpor.errors import VerificationError
from zkpor.formats.reserves import ReservesSnapshot
from zkpor.reserves import holdings, ownership_message, verify_reserves
from zkpor.reserves.signing import bitcoin_address, ethereum_address, sign_bitcoin, sign_ethereum

EX, RD = "Example Exchange", "2026-11-30"
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
EVIL = to_checksum_address("0x" + "5e" * 20)  # an exchange-deployed "USDT"


def key(i: int) -> bytes:
    return hashlib.sha256(f"across-{i}".encode()).digest()


def eth_entry(i: int, balance: str) -> dict[str, str]:
    addr = ethereum_address(key(i))
    sig = sign_ethereum(key(i), ownership_message(EX, RD, addr))
    return {"address": addr, "balance": balance, "signature": sig}


def btc_entry(i: int, balance: str, *, upper: bool = False) -> dict[str, str]:
    addr = bitcoin_address(key(i), "p2wpkh")
    addr = addr.upper() if upper else addr
    sig = sign_bitcoin(key(i), ownership_message(EX, RD, addr), "p2wpkh")
    return {"address": addr, "balance": balance, "signature": sig}


def entry(
    sym: str, chain: str, addresses: list[dict[str, str]], **extra: object
) -> dict[str, object]:
    return {"asset": sym, "chain": chain, "block_height": 1, "addresses": addresses, **extra}


def snap(*assets: dict[str, object]) -> ReservesSnapshot:
    return ReservesSnapshot.model_validate(
        {"format": "zkpor-reserves-v1", "exchange": EX, "round_id": RD, "assets": list(assets)}
    )


def problems(*assets: dict[str, object]) -> list[str]:
    decimals = {str(a["asset"]): 8 for a in assets}
    try:
        verify_reserves(snap(*assets), exchange=EX, round_id=RD, decimals=decimals)
    except VerificationError as exc:
        return str(exc).splitlines()
    return []


A1 = ethereum_address(key(1))
B1 = bitcoin_address(key(1), "p2wpkh")


# --- unit: the rule on snapshots --------------------------------------------------------


def test_ether_and_a_token_at_one_address_are_two_holdings() -> None:
    assert (
        problems(
            entry("ETH", "ethereum", [eth_entry(1, "2")]),
            entry("USDT", "ethereum", [eth_entry(1, "5")], token_contract=USDT, chain_id=1),
        )
        == []
    )


def test_one_address_in_two_native_assets_is_refused() -> None:
    assert problems(
        entry("ETH", "ethereum", [eth_entry(1, "2")]),
        entry("STETH", "ethereum", [eth_entry(2, "1"), eth_entry(1, "2")]),
    ) == [
        f"reserves: assets[1] (STETH).addresses[1] {A1}: already claimed by assets[0] (ETH)"
        f".addresses[0] {A1}: one address's ether can back one asset only"
    ]


def test_the_address_in_another_case_is_the_same_address() -> None:
    lower = "0x" + A1[2:].lower()
    e = {
        "address": lower,
        "balance": "2",
        "signature": sign_ethereum(key(1), ownership_message(EX, RD, lower)),
    }
    lines = problems(entry("ETH", "ethereum", [eth_entry(1, "2")]), entry("STETH", "ethereum", [e]))
    assert len(lines) == 1 and "already claimed by assets[0] (ETH)" in lines[0]


def test_one_token_contract_and_address_in_two_assets_is_refused() -> None:
    usdt = {"token_contract": USDT, "chain_id": 1}
    assert problems(
        entry("USDT", "ethereum", [eth_entry(1, "5")], **usdt),
        entry("USDT2", "ethereum", [eth_entry(1, "5")], **usdt),
    ) == [
        f"reserves: assets[1] (USDT2).addresses[0] {A1}: already claimed by assets[0] (USDT)"
        f".addresses[0] {A1}: one address's token {USDT} can back one asset only"
    ]
    # one contract at two different addresses: two holdings
    assert (
        problems(
            entry("USDT", "ethereum", [eth_entry(1, "5")], **usdt),
            entry("USDT2", "ethereum", [eth_entry(2, "5")], **usdt),
        )
        == []
    )


def test_one_bitcoin_address_in_two_assets_is_refused_in_any_case() -> None:
    assert problems(
        entry("BTC", "bitcoin", [btc_entry(1, "1")]),
        entry("XBT", "bitcoin", [btc_entry(1, "1", upper=True)]),
    ) == [
        f"reserves: assets[1] (XBT).addresses[0] {B1.upper()}: already claimed by assets[0] "
        f"(BTC).addresses[0] {B1}: one address's coins on chain bitcoin can back one asset only"
    ]


def test_chain_ids_tell_networks_apart_and_absence_matches_any() -> None:
    eth1 = entry("ETH", "ethereum", [eth_entry(1, "2")], chain_id=1)
    assert problems(eth1, entry("OPETH", "ethereum", [eth_entry(1, "2")], chain_id=10)) == []
    lines = problems(eth1, entry("OPETH", "ethereum", [eth_entry(1, "2")]))
    assert len(lines) == 1 and "already claimed by assets[0] (ETH)" in lines[0]


def test_the_rule_runs_in_reserves_check(tmp_path: Path) -> None:
    data = {
        "format": "zkpor-reserves-v1",
        "exchange": EX,
        "round_id": RD,
        "assets": [
            entry("ETH", "ethereum", [eth_entry(1, "2")]),
            entry("STETH", "ethereum", [eth_entry(1, "2")]),
        ],
    }
    (tmp_path / "r.json").write_text(json.dumps(data))
    code, out, err = cli("reserves", "check", str(tmp_path / "r.json"), "--exchange", EX,
                         "--round", RD)  # fmt: skip
    assert code == 1 and out == "", err
    assert f"already claimed by assets[0] (ETH).addresses[0] {A1}" in err
    assert "Traceback" not in err


def test_check_on_chain_refuses_before_the_node_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zkpor.reserves import chaincheck

    def never(url: str) -> None:
        raise AssertionError("the node was asked")

    monkeypatch.setattr(chaincheck, "connect", never)
    from zkpor.formats.reserves import ReserveAddress

    rows = [ReserveAddress.model_validate(eth_entry(1, "2"))]
    assets = [
        chaincheck.ChainAsset(sym, "ethereum", 18, 1, None, None, None, rows, f"m: asset {sym}")
        for sym in ("ETH", "STETH")
    ]
    with pytest.raises(VerificationError, match="already claimed by m: asset ETH"):
        chaincheck.check_on_chain("http://127.0.0.1:9", assets)
    wrong = chaincheck.ChainAsset("USDT", "ethereum", 6, 1, None, EVIL, 1, rows, "m: asset USDT")
    with pytest.raises(VerificationError, match=f"token contract {EVIL} is not USDT"):
        chaincheck.check_on_chain("http://127.0.0.1:9", [wrong])


# --- the adversary: a round proven with the rules skipped -------------------------------

ASSETS = {
    "assets": [
        {"symbol": "BTC", "decimals": 8},
        {"symbol": "ETH", "decimals": 9},
        {"symbol": "STETH", "decimals": 9},
        {"symbol": "USDT", "decimals": 6},
        {"symbol": "USDT2", "decimals": 6},
        {"symbol": "XBT", "decimals": 8},
    ]
}
BALANCES = "user_id,asset,amount\n" + "".join(
    f"u{i},{sym},1\n" for i in (1, 2) for sym in ("BTC", "ETH", "STETH", "USDT", "USDT2", "XBT")
)
ETH_A = entry("ETH", "ethereum", [eth_entry(1, "20")])

# name -> (snapshot entries, the verifiers' message)
ROUNDS: dict[str, tuple[list[dict[str, object]], str]] = {
    "native-twice": (
        [
            entry("STETH", "ethereum", [eth_entry(1, "20")]),
            entry("USDT", "ethereum", [eth_entry(2, "5")], token_contract=USDT, chain_id=1),
            entry("USDT2", "ethereum", [eth_entry(3, "5")], token_contract=USDT, chain_id=1),
            entry("XBT", "bitcoin", [btc_entry(4, "5")]),
        ],
        f"manifest: asset STETH reserves.addresses[0] {A1}: already claimed by asset ETH "
        f"reserves.addresses[0] {A1}: one address's ether can back one asset only",
    ),
    "token-twice": (
        [
            entry("STETH", "ethereum", [eth_entry(2, "20")]),
            entry("USDT", "ethereum", [eth_entry(3, "5")], token_contract=USDT, chain_id=1),
            entry("USDT2", "ethereum", [eth_entry(3, "5")], token_contract=USDT, chain_id=1),
            entry("XBT", "bitcoin", [btc_entry(4, "5")]),
        ],
        f"manifest: asset USDT2 reserves.addresses[0] {ethereum_address(key(3))}: already "
        f"claimed by asset USDT reserves.addresses[0] {ethereum_address(key(3))}: one "
        f"address's token {USDT} can back one asset only",
    ),
    "bitcoin-twice": (
        [
            entry("STETH", "ethereum", [eth_entry(2, "20")]),
            entry("USDT", "ethereum", [eth_entry(3, "5")], token_contract=USDT, chain_id=1),
            entry("USDT2", "ethereum", [eth_entry(5, "5")], token_contract=USDT, chain_id=1),
            entry("XBT", "bitcoin", [btc_entry(1, "5", upper=True)]),
        ],
        f"manifest: asset XBT reserves.addresses[0] {B1.upper()}: already claimed by asset BTC "
        f"reserves.addresses[0] {B1}: one address's coins on chain bitcoin can back one asset "
        "only",
    ),
    "wrong-contract": (
        [
            entry("STETH", "ethereum", [eth_entry(2, "20")]),
            entry("USDT", "ethereum", [eth_entry(3, "5")], token_contract=EVIL, chain_id=1),
            entry("USDT2", "ethereum", [eth_entry(5, "5")], token_contract=USDT, chain_id=1),
            entry("XBT", "bitcoin", [btc_entry(4, "5")]),
        ],
        f"manifest: asset USDT reserves: token contract {EVIL} is not USDT: USDT on Ethereum "
        f"mainnet (chain id 1) is {USDT}",
    ),
    # every rule kept: ether and USDT at one address; USDT2 names USDT's contract on a local
    # chain id, which the table cannot vouch for
    "honest": (
        [
            entry("STETH", "ethereum", [eth_entry(2, "20")]),
            entry("USDT", "ethereum", [eth_entry(1, "5")], token_contract=USDT, chain_id=1),
            entry("USDT2", "ethereum", [eth_entry(5, "5")], token_contract=EVIL, chain_id=1337),
            entry("XBT", "bitcoin", [btc_entry(4, "5")]),
        ],
        "",
    ),
}
NOT_KNOWN = (
    f"USDT2: token contract {EVIL} is not a known contract for USDT2: check it yourself "
    "(no table of known contracts for chain id 1337)"
)


def _write_snapshot(tmp: Path, name: str) -> Path:
    rest, _ = ROUNDS[name]
    data = {
        "format": "zkpor-reserves-v1",
        "exchange": EX,
        "round_id": RD,
        "assets": [entry("BTC", "bitcoin", [btc_entry(1, "5")]), ETH_A, *rest],
    }
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(data, indent=1))
    return path


def _prove(tmp: Path, name: str) -> tuple[int, str, str]:
    _write_snapshot(tmp, name)
    return cli(
        *("prove", "--balances", "balances.csv", "--assets", "assets.json", "--secret", "s.key"),
        *("--round", RD, "--out", name, "--reserves", f"{name}.json", "--exchange", EX),
        *("--workers", "1", "--pad-granularity", "4", "--quiet", "--json"),
        cwd=tmp,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every round of ROUNDS proven by a prover with the rules across assets skipped, and
    one customer's proof exported from each."""
    tmp = tmp_path_factory.mktemp("across")
    (tmp / "balances.csv").write_text(BALANCES)
    (tmp / "assets.json").write_text(json.dumps(ASSETS))
    assert cli("keygen", "--out", "s.key", cwd=tmp)[0] == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(holdings, "cross_asset_problems", lambda claims: [])
        mp.setattr(holdings, "token_problems", lambda claims: [])
        for name in ROUNDS:
            code, _, err = _prove(tmp, name)
            assert code == 0, err
            code, _, err = cli("export", name, "--user", "u1", "--out",
                               f"{name}-u1.json", cwd=tmp)  # fmt: skip
            assert code == 0, err
    yield tmp


ADVERSARY = [n for n in ROUNDS if n != "honest"]


@pytest.mark.parametrize("name", ADVERSARY)
def test_the_honest_prover_refuses(published: Path, name: str) -> None:
    code, _, err = _prove(published, name)
    assert code == 2, err
    lines = err.splitlines()
    assert any(f"{name}.json: assets[" in line for line in lines), err
    assert "Traceback" not in err
    code, _, err = cli("reserves", "check", f"{name}.json", "--exchange", EX, "--round", RD,
                       "--assets", "assets.json", cwd=published)  # fmt: skip
    assert code == 1 and "Traceback" not in err


@pytest.mark.parametrize("name", ADVERSARY)
def test_verify_audit_refuses(published: Path, name: str) -> None:
    _, message = ROUNDS[name]
    code, out, err = cli("verify", "audit", str(published / name), "--quiet")
    assert code == 1 and out == ""
    assert err.splitlines()[0] == f"verification failed: {message}"
    # with --eth-rpc the rule refuses before the node is asked (nothing listens on port 9)
    code, _, err = cli(
        "verify", "audit", str(published / name), "--quiet", "--eth-rpc", "http://127.0.0.1:9"
    )
    assert code == 1 and err.splitlines()[0] == f"verification failed: {message}"


@pytest.mark.parametrize("name", ADVERSARY)
def test_verify_user_refuses(published: Path, name: str) -> None:
    _, message = ROUNDS[name]
    code, out, err = cli(
        "verify", "user", str(published / f"{name}-u1.json"), "--manifest",
        str(published / name / "manifest.json"), "--json",
    )  # fmt: skip
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == "verification failed: the manifest does not verify"
    assert f"  technical reason: {message}" in lines
    data = json.loads(out)
    assert data["ok"] is False and data["failed"] == "manifest" and data["error"] == message


def test_the_adversary_snapshots_are_refused_by_the_library(published: Path) -> None:
    from zkpor.reserves import load_reserves

    for name in ADVERSARY:
        decimals = {a["symbol"]: a["decimals"] for a in ASSETS["assets"]}
        with pytest.raises(VerificationError):
            verify_reserves(
                load_reserves(published / f"{name}.json"),
                exchange=EX,
                round_id=RD,
                decimals=decimals,  # type: ignore[arg-type]
            )


def test_an_honest_round_lists_the_unknown_contract_as_not_checked(published: Path) -> None:
    code, text, err = cli("verify", "audit", str(published / "honest"), "--quiet")
    assert code == 0, err
    flat = " ".join(line.strip() for line in text.splitlines())
    assert NOT_KNOWN in flat
    assert f"token contract {USDT} (known contract)" in text
    code, out, err = cli("verify", "audit", str(published / "honest"), "--quiet", "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    assert NOT_KNOWN in data["not_checked"]
    assert data["reserves"]["USDT"]["token_known"] is True
    assert data["reserves"]["USDT2"]["token_known"] is False
    proof = str(published / "honest-u1.json")
    manifest = str(published / "honest" / "manifest.json")
    code, text, err = cli("verify", "user", proof, "--manifest", manifest)
    assert code == 0, err
    assert NOT_KNOWN in " ".join(line.strip() for line in text.splitlines())
    assert all(len(line) <= 80 for line in text.splitlines() if "0x" not in line)
    code, out, err = cli("verify", "user", proof, "--manifest", manifest, "--json")
    assert code == 0, err
    assert NOT_KNOWN in json.loads(out)["not_checked"]
    code, out, err = cli("reserves", "check", "honest.json", "--exchange", EX, "--round", RD,
                         "--assets", "assets.json", "--json", cwd=published)  # fmt: skip
    assert code == 0, err
    assert NOT_KNOWN in json.loads(out)["not_checked"]
