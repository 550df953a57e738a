"""Ethereum's Keccak-256 and EIP-55 mixed-case checksum addresses (docs/spec/reserves.md, 10).

An address is ``0x`` and 40 hex digits; in its EIP-55 form the i-th letter is upper case
exactly when the i-th hex digit of Keccak-256(lower-case hex address, ASCII) is 8 or more.
Keccak-256 is pycryptodome's (the original Keccak padding, not SHA3-256). The reserves file
model checks token contracts with it; :mod:`zkpor.reserves.ethereum` checks addresses.
"""

from __future__ import annotations

from Crypto.Hash import keccak

__all__ = ["keccak256", "to_checksum_address"]


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's hash, pre-standard padding)."""
    return keccak.new(digest_bits=256, data=data).digest()


def to_checksum_address(address: str) -> str:
    """The EIP-55 form of a ``0x`` + 40-hex-digit address (any case)."""
    body = address[2:].lower()
    h = keccak256(body.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(body, h))
