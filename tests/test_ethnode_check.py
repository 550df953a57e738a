"""zkpor.reserves.ethnode against a real local node (ganache, tests/ethnode_fixture.py).

The module's chain: accounts[0] deploys three TestTokens (tests/ethnode/contracts): USDT
(6 decimals, the asset's), OTHER (a second deployment of the same code, 6 decimals) and
WIDE (18 decimals); it sends 0.75 ETH to a fresh address and 1234.5 USDT to accounts[1].
The snapshot block is taken then. Afterwards accounts[1] sends 999 ETH and all its USDT
away, and a fourth token is deployed: the checks at the snapshot block must not see any of
that (the check is historical), while the same claims at the latest block must fail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
import web3  # noqa: F401  (dev extra: a broken install fails here, it is not skipped)

from tests.ethnode_fixture import EthNode, eth_node, free_port
from zkpor.errors import InputError, VerificationError
from zkpor.reserves import AssetReserves, ReserveAddress, verify_asset_reserves
from zkpor.reserves.ethnode import (
    ChainClaim,
    ChainReport,
    EthNodeError,
    check_balances,
    claims_from_entries,
    connect,
)

__all__ = ["eth_node"]  # the fixture, imported for pytest

ETH_DEC = 9  # the assets file's decimals for ETH (as in docs/spec.md 10.1)
USDT_DEC = 6
FRESH = "0x000000000000000000000000000000000000dEaD"  # no key needed: it only receives
# docs/spec.md 10.1's ETH address (key SHA-256("eth0")) and its signed entry: 20 ETH
SPEC_KEY = hashlib.sha256(b"eth0").digest()
SPEC_ETH = "0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed"
SPEC_SIG = (
    "0x7c1a15256adbbcbfaeefb32fc2e687200d4e4a3f71e276727a18eb2cf15f41f66b0e4a8e98e7c17202ee"
    "9684c0af4f8f1d5d05d63659a8dddaf1de411e36e7851c"
)


@dataclass
class Chain:
    node: EthNode
    usdt: str
    other: str
    wide: str
    late: str  # deployed after the snapshot
    holder: str  # accounts[1]: 1000 ETH and 1234.5 USDT at the snapshot
    block: int
    block_hash: str
    latest: int


@pytest.fixture(scope="module")
def chain(eth_node: EthNode) -> Chain:
    node = eth_node
    a = node.accounts
    usdt = node.deploy_token("Tether USD", "USDT", 6, 10**6 * 10**6, a[0])
    other = node.deploy_token("Tether USD", "USDT", 6, 10**6 * 10**6, a[0])
    wide = node.deploy_token("Wide", "WIDE", 18, 10**24, a[0])
    node.send_ether(a[0], FRESH, 750 * 10**15)  # 0.75 ETH
    node.send_token(usdt, a[0], a[1], 1_234_500_000)  # 1234.5 USDT
    node.send_ether(a[0], SPEC_ETH, 20 * 10**18)
    block = node.w3.eth.block_number
    block_hash = "0x" + bytes(node.w3.eth.get_block(block)["hash"]).hex()
    # after the snapshot: funds leave the reserve addresses, a new contract appears
    node.send_ether(a[1], a[9], 999 * 10**18)
    _send_signed(node, SPEC_KEY, a[9], 5 * 10**18)
    node.send_token(usdt, a[1], a[9], 1_234_500_000)
    late = node.deploy_token("Late", "LATE", 6, 10**12, a[0])
    return Chain(node, usdt, other, wide, late, a[1], block, block_hash, node.w3.eth.block_number)


def _send_signed(node: EthNode, key: bytes, to: str, wei: int) -> None:
    """A transfer signed here (the sender is no ganache account)."""
    from eth_account import Account

    sender = Account.from_key(key)
    tx = {
        "to": to,
        "value": wei,
        "gas": 21_000,
        "gasPrice": node.w3.eth.gas_price,
        "nonce": node.w3.eth.get_transaction_count(sender.address),
        "chainId": node.w3.eth.chain_id,
    }
    signed = sender.sign_transaction(tx)
    receipt = node.w3.eth.wait_for_transaction_receipt(
        node.w3.eth.send_raw_transaction(signed.raw_transaction), timeout=60
    )
    assert receipt["status"] == 1


def _check_at_snapshot(
    c: Chain, asset: str, decimals: int, claims: list[ChainClaim], **kw: object
) -> ChainReport:
    """check_balances on the module's node at its snapshot block (``kw`` overrides)."""
    args: dict[str, object] = {
        "block_height": c.block,
        "block_hash": c.block_hash,
        "node": c.node.url,
        **kw,
    }
    return check_balances(c.node.w3, asset=asset, decimals=decimals, claims=claims, **args)  # type: ignore[arg-type]


def eth_check(c: Chain, claims: list[ChainClaim], **kw: object) -> ChainReport:
    return _check_at_snapshot(c, "ETH", ETH_DEC, claims, **kw)


def usdt_check(
    c: Chain, claims: list[ChainClaim], decimals: int = USDT_DEC, **kw: object
) -> ChainReport:
    return _check_at_snapshot(c, "USDT", decimals, claims, **kw)


def true_eth(c: Chain) -> list[ChainClaim]:
    return [ChainClaim(c.holder, 1000 * 10**ETH_DEC), ChainClaim(FRESH, 750_000_000)]


def fails(report: ChainReport) -> list[str]:
    return [line for line in report.lines() if line.startswith("FAIL")]


def test_true_ether_balances_pass(chain: Chain) -> None:
    report = eth_check(chain, true_eth(chain))
    assert report.ok, report.lines()
    assert [f.severity for f in report.findings] == ["ok", "ok", "ok"]
    assert report.findings[1].on_chain == 1000 * 10**18
    assert report.findings[2].on_chain == 750 * 10**15
    assert report.block_hash == chain.block_hash
    assert report.chain_id == 1337


def test_true_token_balances_pass(chain: Chain) -> None:
    claims = [ChainClaim(chain.holder, 1_234_500_000, chain.usdt), ChainClaim(FRESH, 0, chain.usdt)]
    report = usdt_check(chain, claims)
    assert report.ok, report.lines()
    assert any(f.where == f"token {chain.usdt}" and f.severity == "ok" for f in report.findings)


def test_overstated_ether_balance_fails_naming_the_address(chain: Chain) -> None:
    claims = [ChainClaim(chain.holder, 1000 * 10**ETH_DEC), ChainClaim(FRESH, 750_000_001)]
    report = eth_check(chain, claims)
    assert not report.ok
    assert fails(report) == [
        f"FAIL asset ETH addresses[1] {FRESH}: claims 0.750000001 ETH, the chain has 0.75 at "
        f"block {chain.block}"
    ]


def test_overstated_token_balance_fails(chain: Chain) -> None:
    report = usdt_check(chain, [ChainClaim(chain.holder, 1_234_500_001, chain.usdt)])
    assert len(fails(report)) == 1
    assert chain.holder in fails(report)[0]
    assert "claims 1234.500001 USDT, the chain has 1234.5" in fails(report)[0]


def test_understated_balance_is_noted_not_failed(chain: Chain) -> None:
    report = eth_check(chain, [ChainClaim(FRESH, 700_000_000)])
    assert report.ok
    assert report.findings[-1].severity == "note"
    assert "less than the chain's 0.75" in report.lines()[-1]


def test_balance_moved_after_the_snapshot_still_passes(chain: Chain) -> None:
    """The holder sent 999 ETH and all its USDT away after the snapshot block."""
    assert chain.node.w3.eth.get_balance(chain.holder) < 2 * 10**18
    assert eth_check(chain, true_eth(chain)).ok
    token_claim = [ChainClaim(chain.holder, 1_234_500_000, chain.usdt)]
    assert usdt_check(chain, token_claim).ok
    # the same claims at the latest block fail: the check really reads the old state
    latest_hash = "0x" + bytes(chain.node.w3.eth.get_block(chain.latest)["hash"]).hex()
    now = eth_check(chain, true_eth(chain), block_height=chain.latest, block_hash=latest_hash)
    assert [f.where for f in now.failures] == [f"addresses[0] {chain.holder}"]
    now_token = usdt_check(chain, token_claim, block_height=chain.latest, block_hash=latest_hash)
    assert "the chain has 0.0 at block" in fails(now_token)[0]


def test_wrong_block_hash_fails(chain: Chain) -> None:
    wrong = "0x" + ("%064x" % (int(chain.block_hash, 16) ^ 1))
    report = eth_check(chain, true_eth(chain), block_hash=wrong)
    assert fails(report) == [
        f"FAIL asset ETH block {chain.block}: hash on the node is {chain.block_hash}, the "
        f"manifest says {wrong}"
    ]
    # the hash of the block before is a real hash, of the wrong block
    before = "0x" + bytes(chain.node.w3.eth.get_block(chain.block - 1)["hash"]).hex()
    assert not eth_check(chain, true_eth(chain), block_hash=before).ok


def test_block_hash_case_and_prefix_do_not_matter(chain: Chain) -> None:
    assert eth_check(chain, true_eth(chain), block_hash=chain.block_hash[2:].upper()).ok


def test_malformed_block_hash_fails(chain: Chain) -> None:
    report = eth_check(chain, true_eth(chain), block_hash=chain.block_hash[:-1])
    assert "is not 64 hex digits" in fails(report)[0]


def test_missing_block_hash_is_said_not_assumed(chain: Chain) -> None:
    report = eth_check(chain, true_eth(chain), block_hash=None)
    assert report.ok
    assert report.lines()[0] == (
        f"note asset ETH block {chain.block}: no block hash given: the node's is "
        f"{chain.block_hash} (not compared)"
    )


def test_wrong_chain_id_fails(chain: Chain) -> None:
    report = eth_check(chain, true_eth(chain), chain_id=1)
    assert fails(report) == [
        "FAIL asset ETH chain: the node is on chain id 1337, the manifest says 1"
    ]


def test_another_deployment_of_the_token_fails(chain: Chain) -> None:
    """Same code, same decimals, same symbol: the holder has nothing there."""
    report = usdt_check(chain, [ChainClaim(chain.holder, 1_234_500_000, chain.other)])
    assert fails(report) == [
        f"FAIL asset USDT addresses[0] {chain.holder}: claims 1234.5 USDT, the chain has 0.0 "
        f"at block {chain.block}"
    ]


def test_an_account_as_token_contract_fails(chain: Chain) -> None:
    eoa = chain.node.accounts[3]
    report = usdt_check(chain, [ChainClaim(chain.holder, 0, eoa)])
    assert fails(report) == [
        f"FAIL asset USDT token {eoa}: no contract code at block {chain.block} (an account, not "
        "a token contract)",
        f"FAIL asset USDT addresses[0] {chain.holder}: balance not checked: token {eoa}: no "
        f"contract code at block {chain.block} (an account, not a token contract)",
    ]


def test_a_contract_deployed_after_the_snapshot_is_not_there(chain: Chain) -> None:
    report = usdt_check(chain, [ChainClaim(chain.holder, 0, chain.late)])
    assert "no contract code at block" in fails(report)[0]


def test_wrong_decimals_fail(chain: Chain) -> None:
    report = usdt_check(chain, [ChainClaim(FRESH, 0, chain.wide)])
    assert fails(report) == [
        f"FAIL asset USDT token {chain.wide}: decimals() is 18, the asset USDT has 6"
    ]
    # and an asset whose decimals differ from the (right) token's
    report = usdt_check(chain, [ChainClaim(chain.holder, 12_345, chain.usdt)], decimals=2)
    assert fails(report) == [
        f"FAIL asset USDT token {chain.usdt}: decimals() is 6, the asset USDT has 2"
    ]


def test_balances_compare_exactly_across_decimals(chain: Chain) -> None:
    """1234.5 USDT with the asset at 8 decimals (token at 6): compared in the finer unit."""
    claims = [ChainClaim(chain.holder, 123_450_000_000, chain.usdt)]
    report = usdt_check(chain, claims, decimals=8)
    assert [f.severity for f in report.findings[1:]] == ["fail", "ok"]  # decimals, balance
    claims = [ChainClaim(chain.holder, 123_450_000_001, chain.usdt)]
    assert "claims 1234.50000001 USDT" in fails(usdt_check(chain, claims, decimals=8))[-1]


def test_not_an_address_fails(chain: Chain) -> None:
    bad = chain.holder[:-1] + ("0" if chain.holder[-1] != "0" else "1")
    mixed = chain.holder[:2] + chain.holder[2:].swapcase()  # EIP-55 checksum broken
    report = eth_check(chain, [ChainClaim(bad[:-1], 1), ChainClaim(mixed, 1)])
    assert len(report.failures) == 2
    assert all("not an Ethereum address" in line for line in fails(report))


def test_missing_block_is_one_line_error(chain: Chain) -> None:
    head = chain.node.w3.eth.block_number
    with pytest.raises(EthNodeError) as err:
        eth_check(chain, true_eth(chain), block_height=head + 1000)
    assert str(err.value) == (
        f"block {head + 1000} is not on the Ethereum node {chain.node.url} (its latest block is {head})"
    )


def test_connect_answers_with_the_node(chain: Chain) -> None:
    w3 = connect(chain.node.url)
    assert w3.eth.chain_id == 1337


def test_unreachable_node_is_one_line_error_without_the_url_secret() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(EthNodeError) as err:
        connect(f"http://127.0.0.1:{port}/v3/SECRET-API-KEY?token=HIDDEN", timeout=5)
    msg = str(err.value)
    assert msg == (
        f"cannot reach the Ethereum node http://127.0.0.1:{port}/... (eth_chainId): connection failed"
    )
    assert "\n" not in msg


def test_only_http_urls() -> None:
    with pytest.raises(EthNodeError, match=r"only http:// and https:// URLs"):
        connect("ws://127.0.0.1:8545")


def spec_entry(c: Chain, balance: str = "20") -> AssetReserves:
    """docs/spec.md 10.1's ETH entry, at the snapshot block of this chain."""
    return AssetReserves(
        asset="ETH",
        chain="ethereum",
        block_height=c.block,
        block_hash=c.block_hash,
        addresses=[ReserveAddress(address=SPEC_ETH, balance=balance, signature=SPEC_SIG)],
    )


def test_a_signed_snapshot_entry_checked_on_chain(chain: Chain) -> None:
    """Signatures first (zkpor.reserves, docs/spec.md 10.5), then the chain: the spec's
    example entry holds, although 5 of its 20 ETH left after the snapshot block."""
    assert chain.node.w3.eth.get_balance(SPEC_ETH) < 15 * 10**18
    entry = spec_entry(chain)
    total = verify_asset_reserves(
        "ETH",
        "ethereum",
        entry.addresses,
        exchange="Example Exchange",
        round_id="2026-11-30",
        decimals=ETH_DEC,
    )
    assert total == 20 * 10**ETH_DEC
    claims = claims_from_entries(entry.addresses, ETH_DEC)
    assert claims == [ChainClaim(SPEC_ETH, 20 * 10**ETH_DEC)]
    report = eth_check(chain, claims, block_height=entry.block_height, block_hash=entry.block_hash)
    assert report.ok, report.lines()


def test_an_overstated_signed_entry_passes_signatures_and_fails_on_chain(chain: Chain) -> None:
    """The ownership message does not name the balance: only the chain shows the lie."""
    entry = spec_entry(chain, balance="20.5")
    verify_asset_reserves(
        "ETH",
        "ethereum",
        entry.addresses,
        exchange="Example Exchange",
        round_id="2026-11-30",
        decimals=ETH_DEC,
    )
    report = eth_check(chain, claims_from_entries(entry.addresses, ETH_DEC))
    assert fails(report) == [
        f"FAIL asset ETH addresses[0] {SPEC_ETH}: claims 20.5 ETH, the chain has 20.0 at block {chain.block}"
    ]
    # and a signature for another round is caught before the chain is asked
    with pytest.raises(VerificationError, match="signature was not made"):
        verify_asset_reserves(
            "ETH",
            "ethereum",
            entry.addresses,
            exchange="Example Exchange",
            round_id="2026-12-31",
            decimals=ETH_DEC,
        )


def test_claims_from_entries_names_a_bad_balance() -> None:
    entry = ReserveAddress(address=SPEC_ETH, balance="1.0000000001", signature=SPEC_SIG)
    with pytest.raises(InputError) as err:
        claims_from_entries([entry], ETH_DEC, where="manifest.json: asset ETH")
    assert str(err.value) == (
        "manifest.json: asset ETH: addresses[0].balance: amount has 10 decimals; the asset allows 9"
    )


class _PrunedEth:
    """A node stand-in that has block 5 but, like a pruned node, no state for it."""

    chain_id = 1
    block_number = 100

    def get_block(self, n: int) -> dict[str, bytes]:
        return {"hash": bytes(32)}

    def get_balance(self, address: str, block_identifier: int) -> int:
        from web3.exceptions import Web3RPCError

        raise Web3RPCError(
            "{'code': -32000, 'message': 'missing trie node abc (path ) state 0x12 is not available'}"
        )


class _PrunedW3:
    eth = _PrunedEth()


def _check_one_ether_claim(w3: object, node: str) -> ChainReport:
    """check_balances on a stand-in node: 1 wei claimed for SPEC_ETH at block 5."""
    claims = [ChainClaim(SPEC_ETH, 1)]
    return check_balances(
        w3, asset="ETH", decimals=ETH_DEC, claims=claims, block_height=5, block_hash=None, node=node
    )


def test_a_node_without_history_says_an_archive_node_is_needed() -> None:
    with pytest.raises(EthNodeError) as err:
        _check_one_ether_claim(_PrunedW3(), "https://node.example:8545/...")
    assert str(err.value) == (
        "Ethereum node https://node.example:8545/... has no state for that block "
        f"(eth_getBalance({SPEC_ETH})): an archive node is needed"
    )


def test_node_label_hides_paths_queries_and_passwords() -> None:
    from zkpor.reserves.ethnode import node_label

    assert node_label("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert (
        node_label("https://mainnet.infura.io/v3/0123456789abcdef")
        == "https://mainnet.infura.io/..."
    )
    assert node_label("https://user:pw@node.example/?key=K") == "https://node.example/..."
    assert node_label("http://[::1]:8545/") == "http://[::1]:8545"


def test_an_http_error_names_the_status_not_the_url_secret() -> None:
    """A local server that answers 401 to everything (as a node with a wrong API key)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Refuse(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with pytest.raises(EthNodeError) as err:
            connect(f"http://127.0.0.1:{port}/v3/SECRET-API-KEY", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert (
        str(err.value)
        == f"Ethereum node http://127.0.0.1:{port}/... answered HTTP 401 (eth_chainId)"
    )


class _ChattyEth(_PrunedEth):
    def get_balance(self, address: str, block_identifier: int) -> int:
        from web3.exceptions import Web3RPCError

        raise Web3RPCError("upstream https://node.example/v3/SECRET-API-KEY failed")


class _ChattyW3:
    eth = _ChattyEth()


def test_a_url_in_a_node_error_is_cut() -> None:
    with pytest.raises(EthNodeError) as err:
        _check_one_ether_claim(_ChattyW3(), "http://127.0.0.1:1")
    assert "SECRET" not in str(err.value)
    assert str(err.value).endswith("upstream https://node.example/... failed")
