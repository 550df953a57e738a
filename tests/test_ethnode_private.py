"""Private reserves against a real local Ethereum node (issue 25; spec 17.11).

The module's chain (ganache, tests/ethnode_fixture.py): accounts[0] deploys TestToken USDT
(6 decimals) and sends some to accounts 1 to 4. The anonymity sets, one for ether and one
for USDT, hold the public keys of accounts 1 to 6 (from ganache's published test mnemonic)
with their balances read from the node at that block by ``zkpor assets set --eth-rpc``. The
exchange owns accounts 1 and 2. ETH also has one signed public address (accounts[7]);
USDT's reserves are private only.

A round is proved with ``--private-reserves`` for both assets and passes ``verify audit
--eth-rpc``. A second round is proved from a USDT set in which one member's balance was
raised before proving (so its digest is consistent everywhere): the audit without a node
cannot see it; with ``--eth-rpc`` it fails, naming the member.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import web3  # noqa: F401  (dev extra: a broken install fails here, it is not skipped)

from tests.conftest import call_zkpor as cli
from tests.ethnode_fixture import CHAIN_ID, EthNode, eth_node
from tests.test_chain_rounds import account_key
from zkpor.crypto.generators import generators
from zkpor.reserves import ownership_message
from zkpor.reserves.anonset_build import write_anonset
from zkpor.reserves.signing import sign_ethereum

__all__ = ["eth_node"]  # the fixture, imported for pytest

EX, RD = "Private Chain Exchange", "2026-12-07"
MEMBERS = (1, 2, 3, 4, 5, 6)
OWNED = (1, 2)
USDT_SENT = {1: 700_000_000, 2: 300_000_000, 3: 5_000_000, 4: 1}  # base units (6 decimals)
ASSETS = {"assets": [{"symbol": "ETH", "decimals": 9}, {"symbol": "USDT", "decimals": 6}]}
# owed: ETH 2500 (signed 900 + owned 2 x 1000 = 2900), USDT 950 (owned 700 + 300 = 1000)
BALANCES = "user_id,asset,amount\nu1,ETH,2000\nu2,ETH,500\nu1,USDT,900\nu3,USDT,50\n"


@dataclass
class Chain:
    node: EthNode
    tmp: Path
    usdt: str
    block: int
    good: Path
    raised: Path


def _public_key(i: int) -> str:
    x = int.from_bytes(account_key(i))
    return (generators().G * x).to_bytes().hex()


def _set(tmp: Path, name: str, asset: str, decimals: int, url: str, block: int, *token: str):
    code, _, err = cli(
        *("assets", "set", "--keys", "members.txt", "--asset", asset, "--chain", "ethereum"),
        *("--chain-id", str(CHAIN_ID), "--block", str(block), "--decimals", str(decimals)),
        *("--eth-rpc", url, "--out", name, *token),
        cwd=tmp,
    )
    assert code == 0, err


def _snapshot(node: EthNode, usdt: str, block: int) -> dict[str, object]:
    addr = node.accounts[7]
    sig = sign_ethereum(account_key(7), ownership_message(EX, RD, addr))
    common = {"chain": "ethereum", "chain_id": CHAIN_ID, "block_height": block}
    return {
        "format": "zkpor-reserves-v1",
        "exchange": EX,
        "round_id": RD,
        "assets": [
            {
                "asset": "ETH",
                **common,
                "addresses": [{"address": addr, "balance": "900", "signature": sig}],
            },
            {"asset": "USDT", **common, "token_contract": usdt, "addresses": []},
        ],
    }


def _prove(tmp: Path, out: str, usdt_set: str) -> None:
    code, _, err = cli(
        *("prove", "--balances", "balances.csv", "--assets", "assets.json", "--secret", "s.key"),
        *("--round", RD, "--out", out, "--reserves", "reserves.json", "--exchange", EX),
        *("--workers", "1", "--pad-granularity", "16", "--quiet"),
        *("--private-reserves", "ETH=eth.set,owned.keys"),
        *("--private-reserves", f"USDT={usdt_set},owned.keys"),
        cwd=tmp,
    )
    assert code == 0, err


@pytest.fixture(scope="module")
def chain(eth_node: EthNode, tmp_path_factory: pytest.TempPathFactory) -> Chain:
    node = eth_node
    a = node.accounts
    usdt = node.deploy_token("Tether USD", "USDT", 6, 10**6 * 10**6, a[0])
    for i, units in USDT_SENT.items():
        node.send_token(usdt, a[0], a[i], units)
    # a legacy (type 0, EIP-155) transaction from accounts[5]: its key becomes known
    tx = node.w3.eth.send_transaction(
        {"from": a[5], "to": a[9], "value": 1, "gasPrice": node.w3.eth.gas_price}
    )
    assert node.w3.eth.wait_for_transaction_receipt(tx, timeout=60)["status"] == 1
    block = node.w3.eth.block_number
    node.send_ether(a[1], a[9], 600 * 10**18)  # after the block: not seen by the checks
    tmp = tmp_path_factory.mktemp("private-chain")
    (tmp / "balances.csv").write_text(BALANCES)
    (tmp / "assets.json").write_text(json.dumps(ASSETS))
    (tmp / "reserves.json").write_text(json.dumps(_snapshot(node, usdt, block)))
    (tmp / "members.txt").write_text("".join(f"{_public_key(i)}\n" for i in MEMBERS))
    (tmp / "owned.keys").write_text("".join(f"{account_key(i).hex()}\n" for i in OWNED))
    os.chmod(tmp / "owned.keys", 0o600)
    assert cli("keygen", "--out", "s.key", cwd=tmp)[0] == 0
    _set(tmp, "eth.set", "ETH", 9, node.url, block)
    _set(tmp, "usdt.set", "USDT", 6, node.url, block, "--token-contract", usdt)
    _prove(tmp, "good", "usdt.set")
    # the same set with member accounts[3]'s USDT raised by 1,000 before proving
    lines = (tmp / "usdt.set").read_text().splitlines()
    header = json.loads(lines[0])
    members = []
    for line in lines[1:]:
        key, balance, _ = line.split()
        bump = 1_000_000_000 if key == _public_key(3) else 0
        members.append((bytes.fromhex(key), int(balance) + bump))
    fields = {k: header[k] for k in ("asset", "chain", "chain_id", "block_height", "decimals")}
    write_anonset(tmp / "usdt-raised.set", members, token_contract=usdt, **fields)
    _prove(tmp, "raised", "usdt-raised.set")
    return Chain(node, tmp, usdt, block, tmp / "good", tmp / "raised")


def test_sets_hold_the_chain_balances(chain: Chain) -> None:
    eth = (chain.tmp / "eth.set").read_text().splitlines()
    usdt = (chain.tmp / "usdt.set").read_text().splitlines()
    assert len(eth) == len(usdt) == 1 + len(MEMBERS)
    by_key = {line.split()[0]: int(line.split()[1]) for line in usdt[1:]}
    assert by_key[_public_key(1)] == 700_000_000 and by_key[_public_key(5)] == 0
    eth_by_key = {line.split()[0]: int(line.split()[1]) for line in eth[1:]}
    assert eth_by_key[_public_key(6)] == 1000 * 10**9  # ganache's default, in gwei
    header = json.loads(usdt[0])
    assert header["token_contract"] == chain.usdt and header["block_height"] == chain.block


def test_true_round_passes_the_audit_on_chain(chain: Chain) -> None:
    code, out, err = cli("verify", "audit", str(chain.good), "--quiet", "--eth-rpc", chain.node.url)
    assert code == 0, err
    flat = " ".join(out.split())
    for sym in ("ETH", "USDT"):
        assert (
            f"reserves of {sym}: proven among 6 keys at block {chain.block} (private); every "
            "key's proof checked" in flat
        )
        assert (
            f"ok asset {sym} (private set) {sym}.set: every one of the 6 members holds at "
            f"least its balance in the set at block {chain.block}" in flat
        )
        assert f"that the keys of the private set of {sym} (6 keys) are real" in flat
    assert "the balances in the private set" not in flat


def test_raised_member_balance_fails_only_on_chain(chain: Chain) -> None:
    code, _, err = cli("verify", "audit", str(chain.raised), "--quiet")
    assert code == 0, err  # the files are consistent: only the chain shows the lie
    code, _, err = cli("verify", "audit", str(chain.raised), "--quiet", "--eth-rpc", chain.node.url)
    assert code == 1
    holder = chain.node.accounts[3].lower()
    assert "FAIL asset USDT (private set) members[" in err
    assert f"{holder}: claims 1005.0 USDT (private set), the chain has 5.0 at block" in err, err
    assert "1 check failed against the Ethereum node" in err


def test_set_from_the_senders_of_a_block_range(chain: Chain) -> None:
    """--scan-from: the keys of every account that sent a transaction up to the block,
    recovered from the signatures (EIP-1559 transactions of accounts[0], the legacy one of
    accounts[5]), each checked against the transaction's sender."""
    from zkpor.reserves.keyscan import keys_from_node

    scan = keys_from_node(chain.node.url, 0, chain.block)
    assert sorted(scan.keys) == sorted(bytes.fromhex(_public_key(i)) for i in (0, 5))
    assert scan.skipped == 0 and scan.transactions >= 1 + len(USDT_SENT) + 1
    code, out, err = cli(
        *("assets", "set", "--scan-from", "0", "--asset", "ETH", "--chain", "ethereum"),
        *("--chain-id", str(CHAIN_ID), "--block", str(chain.block), "--decimals", "9"),
        *("--eth-rpc", chain.node.url, "--out", "senders.set"),
        cwd=chain.tmp,
    )
    assert code == 0, err
    assert "2 senders' keys recovered" in " ".join(out.split())
    members = (chain.tmp / "senders.set").read_text().splitlines()[1:]
    assert sorted(m.split()[0] for m in members) == sorted(_public_key(i) for i in (0, 5))
    code, _, err = cli(
        *("assets", "set", "--scan-from", "0", "--asset", "ETH", "--chain", "ethereum"),
        *("--block", "1", "--decimals", "9", "--out", "x.set"),
        cwd=chain.tmp,
    )
    assert code == 2 and "give --eth-rpc URL" in err, err


def test_a_sender_key_that_is_not_the_senders_is_refused(chain: Chain) -> None:
    from zkpor.errors import VerificationError
    from zkpor.reserves.keyscan import sender_key

    block = chain.node.w3.eth.get_block(chain.block, full_transactions=True)
    tx = dict(block["transactions"][0])
    assert sender_key(tx) == bytes.fromhex(_public_key(5))
    tx["from"] = chain.node.accounts[4]
    with pytest.raises(VerificationError, match="not the sender's"):
        sender_key(tx)
