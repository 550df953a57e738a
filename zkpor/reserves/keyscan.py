"""Public keys of Ethereum accounts, recovered from the transactions they sent.

Spec: docs/spec/private-reserves.md (17.1, "Building a set"). An anonymity set on Ethereum
holds externally owned accounts whose public key is known; a key becomes known when its
account signs a transaction. :func:`keys_from_node` reads every transaction of a range of
blocks from a node and recovers each sender's public key from its signature:

    legacy, before EIP-155   h = Keccak(rlp([nonce, gasPrice, gas, to, value, data]))
                             recid = v - 27
    legacy, EIP-155          h = Keccak(rlp([nonce, gasPrice, gas, to, value, data,
                                             chainId, 0, 0]))        recid = v - 35 - 2 chainId
    type 1 (EIP-2930)        h = Keccak(0x01 || rlp([chainId, nonce, gasPrice, gas, to,
                                                    value, data, accessList]))
    type 2 (EIP-1559)        h = Keccak(0x02 || rlp([chainId, nonce, maxPriorityFeePerGas,
                                                    maxFeePerGas, gas, to, value, data,
                                                    accessList]))     recid = yParity

The key recovered from (r, s, recid) over h must give the transaction's ``from`` address
(Keccak of the key, last 20 bytes); a transaction for which it does not (another type, a
node that reports fields differently) is refused rather than guessed. Other transaction
types (blobs, 0x03; set-code, 0x04) are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zkpor.errors import VerificationError
from zkpor.formats.eip55 import keccak256

__all__ = ["KeyScan", "keys_from_node", "sender_key"]


def _int(tx: Any, name: str) -> int:
    """An integer field as web3 gives it: int, 0x-hex text, or big-endian bytes (r, s)."""
    value = tx[name]
    if isinstance(value, str):
        return int(value, 16)
    if isinstance(value, bytes | bytearray):
        return int.from_bytes(value, "big")
    return int(value)


def _bytes(tx: Any, name: str) -> bytes:
    value = tx.get(name)
    if value is None:
        return b""
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def _access_list(tx: Any) -> list[list[object]]:
    out: list[list[object]] = []
    for entry in tx.get("accessList") or []:
        address = bytes.fromhex(str(entry["address"]).removeprefix("0x"))
        keys = [bytes.fromhex(str(k).removeprefix("0x")) for k in entry["storageKeys"]]
        out.append([address, keys])
    return out


def _signing_payload(tx: Any) -> tuple[bytes, int] | None:
    """(the signed payload, recid) of a transaction, or None for a type not handled."""
    import rlp

    kind = _int(tx, "type") if tx.get("type") is not None else 0
    to = _bytes(tx, "to")
    common = [_int(tx, "nonce")]
    if kind == 0:
        v = _int(tx, "v")
        fields = [*common, _int(tx, "gasPrice"), _int(tx, "gas"), to, _int(tx, "value"),
                  _bytes(tx, "input")]  # fmt: skip
        if v in (27, 28):
            return rlp.encode(fields), v - 27
        chain_id = (v - 35) // 2
        return rlp.encode([*fields, chain_id, 0, 0]), v - 35 - 2 * chain_id
    chain_id = _int(tx, "chainId")
    parity = _int(tx, "yParity") if tx.get("yParity") is not None else _int(tx, "v")
    if kind == 1:
        body = [chain_id, *common, _int(tx, "gasPrice"), _int(tx, "gas"), to,
                _int(tx, "value"), _bytes(tx, "input"), _access_list(tx)]  # fmt: skip
        return b"\x01" + rlp.encode(body), parity
    if kind == 2:
        body = [chain_id, *common, _int(tx, "maxPriorityFeePerGas"), _int(tx, "maxFeePerGas"),
                _int(tx, "gas"), to, _int(tx, "value"), _bytes(tx, "input"),
                _access_list(tx)]  # fmt: skip
        return b"\x02" + rlp.encode(body), parity
    return None


def sender_key(tx: Any) -> bytes | None:
    """The 33-byte compressed public key that signed ``tx`` (a node's transaction object),
    None for a transaction type not handled. VerificationError when the recovered key is not
    the ``from`` address's."""
    from coincurve import PublicKey

    signed = _signing_payload(tx)
    if signed is None:
        return None
    payload, recid = signed
    if recid not in (0, 1):
        raise VerificationError(f"transaction {_hash(tx)}: recovery id {recid} is not 0 or 1")
    r, s = _int(tx, "r"), _int(tx, "s")
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recid])
    try:
        key = PublicKey.from_signature_and_message(sig, keccak256(payload), hasher=None)
    except ValueError:
        raise VerificationError(f"transaction {_hash(tx)}: no key recovers from it") from None
    address = "0x" + keccak256(key.format(compressed=False)[1:])[12:].hex()
    if address != str(tx["from"]).lower():
        raise VerificationError(
            f"transaction {_hash(tx)}: the key recovered is not the sender's ({tx['from']})"
        )
    return bytes(key.format(compressed=True))


def _hash(tx: Any) -> str:
    h = tx.get("hash")
    return h.hex() if isinstance(h, bytes | bytearray) else str(h)


@dataclass
class KeyScan:
    """The keys found, in first-seen order, and the transactions of other types skipped."""

    keys: list[bytes] = field(default_factory=list)
    transactions: int = 0
    skipped: int = 0


def keys_from_node(
    rpc_url: str,
    first_block: int,
    last_block: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> KeyScan:
    """The public keys of every sender of a transaction in blocks ``first_block`` to
    ``last_block`` (module doc). EthNodeError when the node cannot answer."""
    from zkpor.reserves.ethnode import connect

    if not 0 <= first_block <= last_block:
        raise ValueError("the blocks must satisfy 0 <= first <= last")
    w3 = connect(rpc_url)
    scan = KeyScan()
    seen: set[bytes] = set()
    for number in range(first_block, last_block + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            scan.transactions += 1
            key = sender_key(tx)
            if key is None:
                scan.skipped += 1
            elif key not in seen:
                seen.add(key)
                scan.keys.append(key)
        if progress is not None:
            progress(number)
    return scan
