"""Building an anonymity set file (docs/spec/private-reserves.md, 17.1) from (key, balance)
pairs.

:func:`build_anonset` takes the keys in any order and in any common encoding (33-byte
compressed, 65-byte uncompressed ``04 || x || y``, 64-byte ``x || y`` as Ethereum tools
print them, or a :class:`~zkpor.crypto.group.Point`), refuses a key given twice, a balance
outside [0, 2^64) and a total reaching 2^64, sorts the members by compressed key and
returns the file's bytes; :func:`write_anonset` writes them atomically.

Where the keys come from is the caller's business (for Ethereum: accounts whose public
key is known, recovered from a transaction they sent: :mod:`zkpor.reserves.keyscan` finds
them in a range of blocks). :func:`balances_from_node` reads each key's balance at the block from
an Ethereum node (``zkpor assets set --eth-rpc``); every verifier can check the same
balances on a node of its own (``zkpor verify audit --eth-rpc``, 17.11).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from zkpor.atomicfile import write_atomic
from zkpor.crypto.group import Point
from zkpor.errors import EncodingError, InputError
from zkpor.formats.anonset import (
    FORMAT,
    AnonSetHeader,
    encode_header,
    encode_member,
    ethereum_address,
)

__all__ = ["KeyInput", "balances_from_node", "build_anonset", "compressed_key", "write_anonset"]

KeyInput = bytes | Point


def compressed_key(key: KeyInput, point_type: type[Point] = Point) -> tuple[bytes, Point]:
    """(33-byte compressed encoding, point) of a key in any accepted form (module doc);
    EncodingError for anything else (the identity included)."""
    if isinstance(key, Point):
        if key.is_identity():
            raise EncodingError("the identity is not a public key")
        return key.to_bytes(), key
    raw = bytes(key)
    if len(raw) == 64:
        raw = b"\x04" + raw
    if len(raw) == 65:
        if raw[0] != 4:
            raise EncodingError("an uncompressed key starts with 04")
        pt = point_type.from_affine(
            int.from_bytes(raw[1:33], "big"), int.from_bytes(raw[33:], "big")
        )
        return pt.to_bytes(), pt
    pt = point_type.from_bytes(raw)
    return raw, pt


def build_anonset(
    members: Iterable[tuple[KeyInput, int]],
    *,
    asset: str,
    chain: str,
    block_height: int,
    decimals: int,
    block_hash: str | None = None,
    chain_id: int | None = None,
    token_contract: str | None = None,
    source: str = "members",
) -> bytes:
    """The canonical anonymity set file for ``members`` (module doc). InputError names the
    offending member by its position in ``members``."""
    rows: list[tuple[bytes, int, str | None]] = []
    seen: dict[bytes, int] = {}
    total = 0
    ethereum = chain == "ethereum"
    for pos, (key, balance) in enumerate(members):
        try:
            enc, pt = compressed_key(key)
        except EncodingError as exc:
            raise InputError(str(exc), source=source, field=f"member {pos}: key") from None
        if enc in seen:
            raise InputError(
                f"key {enc.hex()} given twice (also member {seen[enc]})",
                source=source,
                field=f"member {pos}: key",
            )
        seen[enc] = pos
        if isinstance(balance, bool) or not isinstance(balance, int) or not 0 <= balance < 2**64:
            raise InputError(
                "balance must be an integer in [0, 2^64) base units",
                source=source,
                field=f"member {pos}: balance",
            )
        total += balance
        if total >= 2**64:
            raise InputError(
                "the total of the balances reaches 2^64: choose a coarser unit",
                source=source,
                field=f"member {pos}: balance",
            )
        rows.append((enc, balance, ethereum_address(pt) if ethereum else None))
    if not rows:
        raise InputError("an anonymity set needs at least one member", source=source)
    header = AnonSetHeader.model_validate(
        {
            k: v
            for k, v in {
                "format": FORMAT,
                "asset": asset,
                "chain": chain,
                "block_height": block_height,
                "block_hash": block_hash,
                "decimals": decimals,
                "chain_id": chain_id,
                "token_contract": token_contract,
                "count": len(rows),
            }.items()
            if v is not None
        },
        strict=True,
    )
    rows.sort(key=lambda r: r[0])
    return encode_header(header) + b"".join(encode_member(*r) for r in rows)


def write_anonset(path: Path, members: Iterable[tuple[KeyInput, int]], **header: object) -> bytes:
    """Write :func:`build_anonset`'s file to ``path`` atomically; returns its SHA-256."""
    import hashlib

    data = build_anonset(members, **header)  # type: ignore[arg-type]
    write_atomic(path, data)
    return hashlib.sha256(data).digest()


def balances_from_node(
    rpc_url: str,
    keys: Sequence[KeyInput],
    *,
    block_height: int,
    decimals: int,
    token_contract: str | None = None,
) -> list[tuple[KeyInput, int]]:
    """(key, balance) of each key's Ethereum address at ``block_height``, read from the node
    at ``rpc_url``: ether (18 decimals on chain), or the ERC-20 ``token_contract``'s
    ``balanceOf`` (its ``decimals()`` on chain), written in the asset's base units of
    ``decimals`` decimals, rounded down (a set never states more than the chain holds).
    EthNodeError when the node cannot answer (unreachable, no state at the block);
    InputError for a key that is not one."""
    from web3 import Web3

    from zkpor.reserves.ethnode import ERC20_ABI, connect

    w3 = connect(rpc_url)
    contract = (
        w3.eth.contract(address=Web3.to_checksum_address(token_contract), abi=ERC20_ABI)
        if token_contract is not None
        else None
    )
    chain_decimals = (
        int(contract.functions.decimals().call(block_identifier=block_height))
        if contract is not None
        else 18
    )
    out: list[tuple[KeyInput, int]] = []
    for i, key in enumerate(keys):
        try:
            _, point = compressed_key(key)
        except EncodingError as exc:
            raise InputError(str(exc), field=f"key {i}") from None
        holder = Web3.to_checksum_address(ethereum_address(point))
        if contract is None:
            balance = w3.eth.get_balance(holder, block_identifier=block_height)
        else:
            balance = contract.functions.balanceOf(holder).call(block_identifier=block_height)
        raw = int(balance)
        if decimals >= chain_decimals:
            units = raw * 10 ** (decimals - chain_decimals)
        else:
            units = raw // 10 ** (chain_decimals - decimals)
        out.append((key, units))
    return out
