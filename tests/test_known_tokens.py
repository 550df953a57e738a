"""The table of known token contracts (zkpor/reserves/known_tokens.json) and the rules on a
symbol's contract (docs/spec.md 10.5, "Known token contracts"), on snapshots."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from eth_utils import is_checksum_address, to_checksum_address

from zkpor.errors import VerificationError
from zkpor.reserves import verify_reserves
from zkpor.reserves.holdings import is_known_contract, known_token, known_tokens

from .test_reserves_across import EX, RD, USDT, eth_entry, snap

REQUIRED = ("USDT", "USDC", "DAI", "WBTC", "LINK", "UNI", "SHIB", "PEPE")
EVIL = to_checksum_address("0x" + "5e" * 20)  # an exchange-deployed contract


def test_table_is_package_data_with_sources_and_checksums() -> None:
    raw = json.loads(
        resources.files("zkpor.reserves").joinpath("known_tokens.json").read_text("utf-8")
    )
    mainnet = raw["chains"]["1"]["tokens"]
    assert set(REQUIRED) <= set(mainnet)
    contracts = [t["contract"] for t in mainnet.values()]
    assert len(set(c.lower() for c in contracts)) == len(contracts), "a contract listed twice"
    for sym, t in mainnet.items():
        # EIP-55 checksum (eth-utils' Keccak): a mistyped digit or letter case fails here
        assert is_checksum_address(t["contract"]), sym
        assert t["source"].startswith("https://"), sym
    assert known_tokens()[1][0] == "Ethereum mainnet"
    assert known_token("USDT", 1) is not None and known_token("USDT", 1).contract == USDT  # type: ignore[union-attr]


def test_pyproject_ships_the_table() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert '"zkpor.reserves" = ["known_tokens.json"]' in text


def _check(*assets: dict[str, object]) -> list[str]:
    decimals = {str(a["asset"]): 6 for a in assets}
    try:
        report = verify_reserves(snap(*assets), exchange=EX, round_id=RD, decimals=decimals)
    except VerificationError as exc:
        return str(exc).splitlines()
    return report.not_known_tokens


def _token(sym: str, contract: str | None, chain_id: int | None = 1) -> dict[str, object]:
    entry: dict[str, object] = {
        "asset": sym,
        "chain": "ethereum",
        "block_height": 1,
        "addresses": [eth_entry(1, "5")],
    }
    if contract is not None:
        entry["token_contract"] = contract
    if chain_id is not None:
        entry["chain_id"] = chain_id
    return entry


def test_known_symbol_with_its_contract_passes_and_is_known() -> None:
    assert _check(_token("USDT", USDT)) == []
    assert is_known_contract("USDT", "ethereum", 1, USDT)
    assert not is_known_contract("USDT", "ethereum", None, USDT)  # network not stated


def test_known_symbol_with_another_contract_is_refused() -> None:
    assert _check(_token("USDT", EVIL)) == [
        f"reserves: assets[0] (USDT): token contract {EVIL} is not USDT: USDT on Ethereum "
        f"mainnet (chain id 1) is {USDT}"
    ]


def test_known_symbol_without_chain_id_is_read_as_mainnet() -> None:
    assert _check(_token("USDT", EVIL, None)) == [
        f"reserves: assets[0] (USDT): token contract {EVIL} is not USDT: USDT on Ethereum "
        f"mainnet (chain id 1) is {USDT} (no chain_id: read as chain id 1)"
    ]
    # the right contract without a chain id passes, but is not vouched for
    assert _check(_token("USDT", USDT, None)) == [
        f"USDT: token contract {USDT} is not a known contract for USDT: check it yourself "
        "(no chain_id, so the network is not stated)"
    ]


def test_ether_called_by_a_token_symbol_is_refused() -> None:
    assert _check(_token("USDC", None)) == [
        "reserves: assets[0] (USDC): no token contract, so its balances are ether, but USDC "
        "on Ethereum mainnet (chain id 1) is the token "
        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
    ]


def test_unknown_contracts_are_listed_as_not_checked() -> None:
    assert _check(_token("FOO", EVIL), _token("USDT", EVIL, 1337)) == [
        f"FOO: token contract {EVIL} is not a known contract for FOO: check it yourself "
        "(FOO is not in the table of known contracts)",
        f"USDT: token contract {EVIL} is not a known contract for USDT: check it yourself "
        "(no table of known contracts for chain id 1337)",
    ]


@pytest.mark.parametrize("sym", REQUIRED)
def test_every_required_symbol_refuses_another_contract(sym: str) -> None:
    lines = _check(_token(sym, EVIL))
    assert len(lines) == 1 and f"is not {sym}: {sym} on Ethereum mainnet" in lines[0]
