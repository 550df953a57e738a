"""A listed reserve address: its shape, how it is named in a report, what identifies it.

Used by the snapshot checks (:mod:`zkpor.reserves.verify`), the each-coin-once check
(:mod:`zkpor.reserves.holdings`) and the node check (:mod:`zkpor.reserves.chaincheck`);
docs/spec/reserves.md (10.4, 10.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zkpor.formats.identifiers import shown
from zkpor.reserves.bip322 import needs_bip322
from zkpor.reserves.bitcoin import decode_address

__all__ = ["AddressEntry", "AddressLabel", "address_key"]


class AddressEntry(Protocol):
    """One listed address: a snapshot's :class:`ReserveAddress` or a manifest's entry."""

    @property
    def address(self) -> str: ...
    @property
    def balance(self) -> str: ...
    @property
    def signature(self) -> str | None: ...


@dataclass(frozen=True)
class AddressLabel:
    """``WHERE.addresses[I] ADDRESS`` (escaped), rendered only when a problem is reported."""

    where: str
    index: int
    address: str

    def __str__(self) -> str:
        return f"{self.where}.addresses[{self.index}] {shown(self.address, 100)}"


def address_key(chain: str, address: str) -> str:
    """What identifies an address for duplicate detection: Ethereum addresses lowercased,
    Bitcoin addresses by their decoded (type, hash), so that case variants of one bech32
    address count once; P2TR and P2WSH addresses (bech32m / bech32 with a 32-byte program,
    whose only other spelling is upper case) by ``segwit:`` and their lower-case text.
    Undecodable addresses are keyed by their text."""
    if chain == "ethereum":
        return address.lower()
    if needs_bip322(address, chain):
        return "segwit:" + address.lower()
    try:
        kind, digest = decode_address(address, chain)
    except ValueError:
        return address
    return f"{kind}:{digest.hex()}"
