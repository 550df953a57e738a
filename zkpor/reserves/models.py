"""The reserves snapshot file (JSON), documented in docs/spec.md, "Reserves".

Example::

    {
      "format": "zkpor-reserves-v1",
      "exchange": "Example Exchange",
      "round_id": "2026-11-30",
      "assets": [
        {"asset": "BTC", "chain": "bitcoin", "block_height": 870000,
         "addresses": [{"address": "bc1q...", "balance": "12.5", "signature": "H3x..."}]},
        {"asset": "ETH", "chain": "ethereum", "block_height": 21000000,
         "addresses": [{"address": "0xAb...", "balance": "1000", "signature": "0x..."}]}
      ]
    }

Balances are decimal strings in the asset's display unit. Signatures: base64 (Bitcoin) or
0x-prefixed hex of 65 bytes r || s || v (Ethereum).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["CHAINS", "AssetReserves", "ReserveAddress", "ReservesSnapshot"]

CHAINS = ("bitcoin", "bitcoin-testnet", "ethereum")
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReserveAddress(_Strict):
    """One address: its balance at the snapshot and the ownership signature."""

    address: str = Field(min_length=1, max_length=100)
    balance: str = Field(min_length=1, max_length=64)
    signature: str = Field(min_length=1, max_length=200)


class AssetReserves(_Strict):
    """The reserves of one asset on one chain at one block height."""

    asset: Symbol
    chain: Literal["bitcoin", "bitcoin-testnet", "ethereum"]
    block_height: int = Field(ge=0)
    block_hash: str | None = Field(default=None, pattern=r"^(0x)?[0-9a-fA-F]{64}$")
    addresses: list[ReserveAddress] = Field(max_length=100_000)


class ReservesSnapshot(_Strict):
    """A reserves snapshot for one exchange and round."""

    format: Literal["zkpor-reserves-v1"]
    exchange: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    round_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    assets: list[AssetReserves]
