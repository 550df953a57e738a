"""A local Ethereum node for tests: ganache (npm, tests/ethnode/), started on a free port.

``eth_node`` (module scope) starts ``tests/ethnode/node_modules/.bin/ganache`` bound to
127.0.0.1 on a port the OS picked, with deterministic accounts (``--wallet.deterministic``:
the same ten funded accounts every run), instant mining (one block per transaction) and
chain id 1337, waits until it answers ``eth_chainId`` (bounded: 120 s), yields an
:class:`EthNode`, and stops the process afterwards. Ganache keeps every block's state
(it never prunes), so calls at an old block work: the reserves check is historical.

Without ``npm ci`` in tests/ethnode the tests skip with that reason, except under CI
(``CI=true``), where a missing node is a failure: CI must install it.

Import the fixture into a test module with ``from tests.ethnode_fixture import eth_node``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ETHNODE_DIR = Path(__file__).parent / "ethnode"
GANACHE = ETHNODE_DIR / "node_modules" / ".bin" / "ganache"
ARTIFACT = ETHNODE_DIR / "artifacts" / "TestToken.json"
CHAIN_ID = 1337
START_TIMEOUT_S = 120.0


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run `npm ci` in tests/ethnode)")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def load_artifact() -> dict[str, Any]:
    """The committed ABI and bytecode of tests/ethnode/contracts/TestToken.sol."""
    data: dict[str, Any] = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    return data


@dataclass
class EthNode:
    """A running ganache: its URL, a connected Web3 and its funded accounts."""

    url: str
    w3: Any
    accounts: list[str]
    process: subprocess.Popen[bytes]

    def deploy_token(self, name: str, symbol: str, decimals: int, supply: int, owner: str) -> str:
        """Deploy TestToken from ``owner`` (who receives ``supply``); its address."""
        art = load_artifact()
        factory = self.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        tx = factory.constructor(name, symbol, decimals, supply).transact({"from": owner})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx, timeout=60)
        assert receipt["status"] == 1, "TestToken deployment reverted"
        address: str = receipt["contractAddress"]
        return address

    def token(self, address: str) -> Any:
        return self.w3.eth.contract(address=address, abi=load_artifact()["abi"])

    def send_ether(self, sender: str, to: str, wei: int) -> int:
        """Send ``wei`` from ``sender`` to ``to``; the block number it was mined in."""
        tx = self.w3.eth.send_transaction({"from": sender, "to": to, "value": wei})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx, timeout=60)
        assert receipt["status"] == 1
        block: int = receipt["blockNumber"]
        return block

    def send_token(self, token: str, sender: str, to: str, units: int) -> int:
        """Transfer ``units`` of ``token`` from ``sender`` to ``to``; the block number."""
        tx = self.token(token).functions.transfer(to, units).transact({"from": sender})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx, timeout=60)
        assert receipt["status"] == 1
        block: int = receipt["blockNumber"]
        return block


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def eth_node() -> Iterator[EthNode]:
    """A fresh ganache for the test module (stopped at its end)."""
    import web3

    if not GANACHE.exists():
        _missing(f"ganache is not installed: run `npm ci` in {ETHNODE_DIR}")
    if shutil.which("node") is None:
        _missing("node is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            str(GANACHE),
            "--server.host=127.0.0.1",
            f"--server.port={port}",
            "--wallet.deterministic",
            "--wallet.totalAccounts=10",
            "--wallet.defaultBalance=1000",
            f"--chain.chainId={CHAIN_ID}",
            "--chain.hardfork=shanghai",
            "--logging.quiet",
        ],
        cwd=ETHNODE_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        w3 = web3.Web3(web3.Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                pytest.fail(f"ganache exited with {proc.returncode}: {err[-500:]}")
            try:
                if w3.eth.chain_id == CHAIN_ID:
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ganache did not answer on {url} within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.25)
        yield EthNode(url=url, w3=w3, accounts=list(w3.eth.accounts), process=proc)
    finally:
        _stop(proc)
