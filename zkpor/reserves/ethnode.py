"""Ethereum reserves checked against a node: balances at the snapshot's block, token decimals.

For one asset's reserve addresses on Ethereum, each with its claimed balance ``c`` in the
asset's base units (``d`` decimals, from the assets file) and an optional ERC-20 contract,
:func:`check_balances` asks a node (JSON-RPC, through web3.py) for (spec:
docs/spec/reserves.md, 10.10, steps 1 to 3, one helper each):

- block ``h`` (the manifest's ``block_height``): its hash, compared with the manifest's
  ``block_hash`` (lower-case hex, ``0x`` optional); no hash in the manifest is said, not
  assumed;
- per address, the balance ``b`` at block ``h``: ``eth_getBalance(address, h)`` in wei
  (``D = 18``) for ether, ``balanceOf(address)`` through ``eth_call`` at ``h`` for a token,
  with ``D`` the token's ``decimals()`` at ``h`` (which must equal ``d``; the contract must
  have code at ``h``). Calls go through web3's contract ABI (the ERC-20 functions below),
  never hand-encoded.

Claimed and chain balances are compared exactly in the finer unit: ``c * 10^(D-d)`` against
``b`` (or ``c`` against ``b * 10^(d-D)``). A claim above the chain's balance is a failure;
one below is fine and noted (an exchange may under-report); equality is ok. The state at an
old block is needed: a pruned node refuses with "missing trie node", reported as needing an
archive node. Whatever could not be checked is a failure, never a silent pass.

Errors about the node itself (unreachable, no such block, no state at that block, wrong
answer) are :class:`EthNodeError`, one line, naming the node by scheme, host and port only
(an RPC URL's path or query often holds an API key). Problems with one address or one
contract are findings in the returned :class:`ChainReport`.

web3 is imported lazily: it is the optional extra ``chain`` (docs/auditors.md says how to add it);
the lightweight verifier never imports this module unless ``--eth-rpc`` is given.

Spec: docs/spec/reserves.md (section 10).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final, Literal, Protocol, TypeVar
from urllib.parse import urlsplit

from zkpor.errors import EthNodeError, InputError, VerificationError
from zkpor.formats.amounts import format_units, parse_amount
from zkpor.reserves.ethereum import check_address

__all__ = [
    "ERC20_ABI",
    "ChainClaim",
    "ChainReport",
    "EthNodeError",
    "Finding",
    "check_balances",
    "claims_from_entries",
    "connect",
    "node_label",
]

ETHER_DECIMALS: Final = 18
_HASH: Final = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_URL: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"]+")
T = TypeVar("T")

#: The ERC-20 functions read here (EIP-20's ABI, as a JSON ABI for web3 to encode).
ERC20_ABI: Final[list[dict[str, Any]]] = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "function",
        "name": "decimals",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint8"}],
    },
]


@dataclass(frozen=True)
class ChainClaim:
    """One reserve address of an asset: its claimed balance in the asset's base units."""

    address: str
    balance: int
    token: str | None = None  # the ERC-20 contract; None for ether


@dataclass(frozen=True)
class Finding:
    """One outcome: ``where`` (``block``, ``token 0x..``, ``addresses[i] 0x..``), a severity
    (``fail``: the claim is wrong or unchecked; ``note``: fine, worth saying; ``ok``) and a
    one-line message."""

    where: str
    severity: Literal["ok", "note", "fail"]
    message: str
    claimed: int | None = None  # base units of the asset
    on_chain: int | None = None  # base units of the chain (wei or the token's)


@dataclass
class ChainReport:
    """Everything :func:`check_balances` found for one asset at one block."""

    asset: str
    node: str
    chain_id: int
    block_height: int
    block_hash: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "fail"]

    @property
    def ok(self) -> bool:
        """True when no claim exceeds the chain and everything could be checked."""
        return not self.failures

    def lines(self) -> list[str]:
        """One line per finding: ``SEVERITY asset A WHERE: MESSAGE``."""
        tag = {"fail": "FAIL", "note": "note", "ok": "ok"}
        return [
            f"{tag[f.severity]} asset {self.asset} {f.where}: {f.message}" for f in self.findings
        ]


class _Entry(Protocol):
    @property
    def address(self) -> str: ...
    @property
    def balance(self) -> str: ...


def claims_from_entries(
    addresses: Sequence[_Entry], decimals: int, token: str | None = None, *, where: str = "reserves"
) -> list[ChainClaim]:
    """The claims of a snapshot's or manifest's reserve addresses (objects with ``address``
    and a ``balance`` display string, as :class:`zkpor.formats.reserves.ReserveAddress`),
    balances parsed with the asset's ``decimals``; InputError names a bad balance."""
    claims = []
    for i, entry in enumerate(addresses):
        try:
            units = parse_amount(entry.balance, decimals)
        except ValueError as exc:
            raise InputError(str(exc), source=where, field=f"addresses[{i}].balance") from None
        claims.append(ChainClaim(entry.address, units, token))
    return claims


def node_label(url: str) -> str:
    """``scheme://host:port`` of an RPC URL, with ``/...`` when it had more (a path or query
    may carry an API key, user info a password: none of them is ever shown)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the node (unparsable URL)"
    more = "/..." if (parts.path not in ("", "/") or parts.query or parts.username) else ""
    return f"{parts.scheme or '?'}://{host}{port}{more}"


def connect(url: str, *, timeout: float = 30.0) -> Any:
    """A web3 ``Web3`` on an HTTP(S) JSON-RPC ``url``; raises EthNodeError if web3 is not
    installed, the URL is not http(s) or the node does not answer ``eth_chainId``."""
    try:
        from web3 import Web3
    except ImportError as exc:
        raise EthNodeError(
            "checking balances on chain needs web3: install zkpor with its chain extra (pip "
            "install 'dist/zkpor-0.1.0-py3-none-any.whl[chain]', or pip install '.[chain]' in a "
            "checkout)"
        ) from exc
    label = node_label(url)
    if urlsplit(url).scheme not in ("http", "https"):
        raise EthNodeError(f"Ethereum node {label}: only http:// and https:// URLs are supported")
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    _call(label, "eth_chainId", lambda: w3.eth.chain_id)
    return w3


def _reason(exc: BaseException) -> str:
    """One line of an exception's text, any URL in it cut to :func:`node_label`."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return _URL.sub(lambda m: node_label(m.group(0)), text)[:200]


def _call(label: str, what: str, fn: Callable[[], T]) -> T:
    """Run one RPC; node-level failures become EthNodeError naming ``what``."""
    try:
        import requests

        http_error: type[BaseException] = requests.exceptions.HTTPError
        network_errors: tuple[type[BaseException], ...] = (requests.exceptions.RequestException,)
    except ImportError:  # pragma: no cover - web3 depends on requests
        http_error, network_errors = OSError, (OSError,)
    from web3.exceptions import ProviderConnectionError, Web3RPCError

    unreachable: tuple[type[BaseException], ...] = (*network_errors, ProviderConnectionError)
    try:
        return fn()
    except http_error as exc:
        status = getattr(getattr(exc, "response", None), "status_code", "?")
        raise EthNodeError(f"Ethereum node {label} answered HTTP {status} ({what})") from exc
    except unreachable as exc:
        raise EthNodeError(
            f"cannot reach the Ethereum node {label} ({what}): connection failed"
        ) from exc
    except Web3RPCError as exc:
        reason = _reason(exc)
        if "missing trie node" in reason or ("state" in reason and "not available" in reason):
            raise EthNodeError(
                f"Ethereum node {label} has no state for that block ({what}): an archive node is needed"
            ) from exc
        raise EthNodeError(f"Ethereum node {label} refused {what}: {reason}") from exc


def _is_address(text: str) -> bool:
    """``0x`` and 40 hex digits, EIP-55 when mixed case (docs/spec/reserves.md 10.4, step 1)."""
    try:
        check_address(text)
    except VerificationError:
        return False
    return True


def _norm_hash(h: str) -> str:
    return h.lower().removeprefix("0x")


def _compare(claimed: int, d: int, chain: int, big_d: int) -> tuple[int, int]:
    """(claimed, chain) in the finer of the two units, exactly."""
    if big_d >= d:
        return claimed * 10 ** (big_d - d), chain
    return claimed, chain * 10 ** (d - big_d)


@dataclass(frozen=True)
class _At:
    """What every call of one check shares: the node (web3 and its label), the asset and its
    decimals (assets file), and the block height the state is read at."""

    w3: Any
    node: str
    asset: str
    decimals: int
    block_height: int


@dataclass(frozen=True)
class _NodeBlock:
    """The node's answer about the block: its hash (``0x`` and hex) and the node's chain id."""

    hash: str
    chain_id: Any  # as the node answered it (an int)


@dataclass(frozen=True)
class _Token:
    """One token contract as read at the block: its ``decimals()``, or None with the problem
    that stopped the reading."""

    decimals: int | None
    problem: str | None = None


_NOT_AN_ADDRESS: Final = "not an Ethereum address (0x and 40 hex digits, EIP-55 if mixed case)"


def _find_block(at: _At) -> _NodeBlock:
    """Step 1, the node's side: block ``h`` exists on the node (EthNodeError otherwise);
    its hash and the node's chain id."""
    from web3.exceptions import BlockNotFound

    w3, node, block_height = at.w3, at.node, at.block_height
    if block_height < 0:
        raise EthNodeError(f"block height {block_height} is negative")
    head = _call(node, "eth_blockNumber", lambda: w3.eth.block_number)
    missing = (
        f"block {block_height} is not on the Ethereum node {node} (its latest block is {head})"
    )
    if block_height > head:
        raise EthNodeError(missing)
    try:
        block = _call(
            node, f"eth_getBlockByNumber({block_height})", lambda: w3.eth.get_block(block_height)
        )
    except BlockNotFound:
        raise EthNodeError(missing) from None
    if block is None:  # pragma: no cover - web3 raises BlockNotFound
        raise EthNodeError(f"block {block_height} is not on the Ethereum node {node}")
    node_hash = "0x" + bytes(block["hash"]).hex()
    node_chain = _call(node, "eth_chainId", lambda: w3.eth.chain_id)
    return _NodeBlock(node_hash, node_chain)


def _block_findings(
    at: _At, found: _NodeBlock, block_hash: str | None, chain_id: int | None
) -> list[Finding]:
    """Step 1, the findings: the node's chain id against ``chain_id`` (when given), the
    block's hash against ``block_hash`` (a note without one)."""
    findings: list[Finding] = []
    if chain_id is not None and found.chain_id != chain_id:
        findings.append(
            Finding(
                "chain",
                "fail",
                f"the node is on chain id {found.chain_id}, the manifest says {chain_id}",
            )
        )
    where = f"block {at.block_height}"
    node_hash = found.hash
    if block_hash is None:
        findings.append(
            Finding(where, "note", f"no block hash given: the node's is {node_hash} (not compared)")
        )
    elif not _HASH.fullmatch(block_hash):
        findings.append(
            Finding(where, "fail", f"block hash {block_hash[:70]!r} is not 64 hex digits")
        )
    elif _norm_hash(block_hash) != _norm_hash(node_hash):
        findings.append(
            Finding(
                where,
                "fail",
                f"hash on the node is {node_hash}, the manifest says 0x{_norm_hash(block_hash)}",
            )
        )
    else:
        findings.append(Finding(where, "ok", f"hash {node_hash} matches"))
    return findings


def _read_token(at: _At, token: str) -> tuple[_Token, Finding]:
    """Step 2 for one contract: code at the block, ``decimals()`` at the block equal to the
    asset's decimals; what was read and its finding."""
    from web3 import Web3

    where = f"token {token}"
    if not _is_address(token):
        return _Token(None, _NOT_AN_ADDRESS), Finding(where, "fail", _NOT_AN_ADDRESS)
    w3, node, block_height = at.w3, at.node, at.block_height
    addr = Web3.to_checksum_address(token)
    code = _call(
        node,
        f"eth_getCode({addr})",
        partial(w3.eth.get_code, addr, block_identifier=block_height),
    )
    if len(code) == 0:
        problem = f"no contract code at block {block_height} (an account, not a token contract)"
        return _Token(None, problem), Finding(where, "fail", problem)
    contract = w3.eth.contract(address=addr, abi=ERC20_ABI)
    try:
        got = _call(
            node,
            f"decimals() of {addr}",
            partial(contract.functions.decimals().call, block_identifier=block_height),
        )
    except EthNodeError:
        raise
    except _read_failures() as exc:
        problem = f"decimals() failed at block {block_height}: {_reason(exc)}"
        return _Token(None, problem), Finding(where, "fail", problem)
    if got != at.decimals:
        message = f"decimals() is {got}, the asset {at.asset} has {at.decimals}"
        return _Token(int(got)), Finding(where, "fail", message)
    return _Token(int(got)), Finding(where, "ok", f"decimals() is {got}, as the asset's")


def _read_failures() -> tuple[type[BaseException], ...]:
    """The exceptions of a contract call that fail one contract or address, not the node."""
    from web3.exceptions import BadFunctionCallOutput, ContractLogicError

    return (ContractLogicError, BadFunctionCallOutput, ValueError)


def _chain_balance(at: _At, claim: ChainClaim, tokens: dict[str, _Token]) -> tuple[int, int] | str:
    """Step 3, the node's side: the balance of ``claim``'s address at the block and the
    decimals ``D`` it is in, as (balance, D); or why it could not be read."""
    from web3 import Web3

    w3, node, block_height = at.w3, at.node, at.block_height
    holder = Web3.to_checksum_address(claim.address)
    if claim.token is None:
        raw = _call(
            node,
            f"eth_getBalance({holder})",
            partial(w3.eth.get_balance, holder, block_identifier=block_height),
        )
        return int(raw), ETHER_DECIMALS
    token = tokens.get(claim.token)
    if token is None or token.decimals is None:
        problem = (token.problem if token else None) or "the token could not be read"
        return f"balance not checked: token {claim.token}: {problem}"
    contract = w3.eth.contract(address=Web3.to_checksum_address(claim.token), abi=ERC20_ABI)
    try:
        raw = _call(
            node,
            f"balanceOf({holder}) on {claim.token}",
            partial(contract.functions.balanceOf(holder).call, block_identifier=block_height),
        )
    except EthNodeError:
        raise
    except _read_failures() as exc:
        return f"balanceOf failed at block {block_height}: {_reason(exc)}"
    return int(raw), token.decimals


def _balance_finding(at: _At, where: str, claim: ChainClaim, raw: int, big_d: int) -> Finding:
    """Step 3, the comparison: the claim against the chain's balance in the finer unit; above
    fails, below is a note, equal is ok."""
    asset, decimals, block_height = at.asset, at.decimals, at.block_height
    want, have = _compare(claim.balance, decimals, raw, big_d)
    shown_claim = format_units(claim.balance, decimals)
    shown_chain = format_units(raw, big_d)
    if want > have:
        return Finding(
            where,
            "fail",
            f"claims {shown_claim} {asset}, the chain has {shown_chain} at block {block_height}",
            claim.balance,
            raw,
        )
    if want < have:
        return Finding(
            where,
            "note",
            f"claims {shown_claim} {asset}, less than the chain's {shown_chain} at block {block_height}",
            claim.balance,
            raw,
        )
    return Finding(
        where,
        "ok",
        f"{shown_chain} {asset} at block {block_height}, as claimed",
        claim.balance,
        raw,
    )


def _claim_finding(
    at: _At, i: int, claim: ChainClaim, tokens: dict[str, _Token], label: str = "addresses"
) -> Finding:
    """Step 3 for one claim (the ``i``-th address): its address, its balance on the node,
    the comparison."""
    where = f"{label}[{i}] {claim.address}"
    if not _is_address(claim.address):
        return Finding(where, "fail", _NOT_AN_ADDRESS, claim.balance)
    read = _chain_balance(at, claim, tokens)
    if isinstance(read, str):
        return Finding(where, "fail", read, claim.balance)
    raw, big_d = read
    return _balance_finding(at, where, claim, raw, big_d)


def check_balances(
    w3: Any,
    *,
    asset: str,
    decimals: int,
    claims: Sequence[ChainClaim],
    block_height: int,
    block_hash: str | None,
    chain_id: int | None = None,
    node: str = "the node",
    label: str = "addresses",
) -> ChainReport:
    """Check one asset's claims against the node ``w3`` (from :func:`connect`) at
    ``block_height``; ``decimals`` is the asset's (assets file). See the module docstring.

    Raises EthNodeError when the node cannot answer (unreachable, block missing, no state);
    every problem with a claim, a contract or the block's identity is a finding."""
    at = _At(w3, node, asset, decimals, block_height)
    found = _find_block(at)
    report = ChainReport(asset, node, int(found.chain_id), block_height, found.hash)
    report.findings.extend(_block_findings(at, found, block_hash, chain_id))
    # per token contract, once: code at the block, decimals() equal to the asset's
    tokens: dict[str, _Token] = {}
    for token in dict.fromkeys(c.token for c in claims if c.token is not None):
        tokens[token], finding = _read_token(at, token)
        report.findings.append(finding)
    for i, claim in enumerate(claims):
        report.findings.append(_claim_finding(at, i, claim, tokens, label))
    return report
