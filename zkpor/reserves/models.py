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
0x-prefixed hex of 65 bytes r || s || v (Ethereum). Every identifier (exchange, round_id,
asset, chain, address) passes :func:`zkpor.identifiers.check_text`; an address must also be
printable ASCII without spaces (U+0021 to U+007E).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from ..identifiers import check_text

__all__ = ["CHAINS", "address_problem", "AssetReserves", "ReserveAddress", "ReservesSnapshot"]

CHAINS = ("bitcoin", "bitcoin-testnet", "ethereum")
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")]


def address_problem(address: str) -> str | None:
    """Why ``address`` is not acceptable address text (printable ASCII, no spaces), or None."""
    if not address:
        return "address is empty"
    for ch in address:
        if not 0x21 <= ord(ch) <= 0x7E:
            return f"address contains U+{ord(ch):04X}: only printable ASCII without spaces"
    return None


class _Strict(BaseModel):
    """Unknown fields refused, no type coercion, immutable (as in :mod:`zkpor.models`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ReserveAddress(_Strict):
    """One address: its balance at the snapshot and the ownership signature."""

    address: str = Field(min_length=1, max_length=100)
    balance: str = Field(min_length=1, max_length=64)
    signature: str = Field(min_length=1, max_length=200)

    @field_validator("address")
    @classmethod
    def _address_text(cls, v: str) -> str:
        check_text(v, "address")
        problem = address_problem(v)
        if problem is not None:
            raise ValueError(problem)
        return v


class AssetReserves(_Strict):
    """The reserves of one asset on one chain at one block height."""

    asset: Symbol
    chain: Literal["bitcoin", "bitcoin-testnet", "ethereum"]
    block_height: int = Field(ge=0)
    block_hash: str | None = Field(default=None, pattern=r"^(0x)?[0-9a-fA-F]{64}$")
    addresses: list[ReserveAddress] = Field(max_length=100_000)

    @field_validator("asset", "chain")
    @classmethod
    def _identifier(cls, v: str, info: ValidationInfo) -> str:
        return check_text(v, str(info.field_name))


class ReservesSnapshot(_Strict):
    """A reserves snapshot for one exchange and round."""

    format: Literal["zkpor-reserves-v1"]
    exchange: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    round_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    assets: list[AssetReserves]

    @field_validator("exchange", "round_id")
    @classmethod
    def _identifier(cls, v: str, info: ValidationInfo) -> str:
        return check_text(v, str(info.field_name))
