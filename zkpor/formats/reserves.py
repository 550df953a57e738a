"""The reserves snapshot file (JSON), documented in docs/spec/reserves.md (section 10).

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

Balances are decimal strings in the asset's display unit. Signatures: base64 (Bitcoin legacy
signed messages), BIP-322 base64 with an optional ``smp``/``ful`` prefix (P2TR, P2WSH and
P2WPKH addresses, :mod:`zkpor.reserves.bip322`) or 0x-prefixed hex of 65 bytes r || s || v (Ethereum), at
most :data:`MAX_SIGNATURE_CHARS` characters. An Ethereum asset that is an ERC-20 token names
its contract (``token_contract``, EIP-55 form; absent for ether); ``chain_id`` (optional,
EIP-155, 1 for mainnet) says which Ethereum network. Every identifier (exchange, round_id,
asset, chain, address) passes :func:`zkpor.formats.identifiers.check_text`; an address must also be
printable ASCII without spaces (U+0021 to U+007E).
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from zkpor.formats.base import StrictModel
from zkpor.formats.identifiers import check_text

__all__ = [
    "CHAINS",
    "MAX_SIGNATURE_CHARS",
    "AssetReserves",
    "MultisigSignatures",
    "ReserveAddress",
    "ReservesSnapshot",
    "TokenContract",
    "address_problem",
    "token_contract_problem",
]

CHAINS = ("bitcoin", "bitcoin-testnet", "ethereum")
#: The longest signature accepted: a BIP-322 signature of a 20-key multisig (10.11) is at
#: most about 3,100 characters (a 20-of-20 P2SH-P2WSH full signature; tests/test_multisig.py).
MAX_SIGNATURE_CHARS: Final = 10_000
#: ``chain_id`` is at most 2^53 - 1 (EIP-2294's bound), so every JSON reader keeps it exact.
MAX_CHAIN_ID = 2**53 - 1
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")]


def address_problem(address: str) -> str | None:
    """Why ``address`` is not acceptable address text (printable ASCII, no spaces), or None."""
    if not address:
        return "address is empty"
    for ch in address:
        if not 0x21 <= ord(ch) <= 0x7E:
            return f"address contains U+{ord(ch):04X}: only printable ASCII without spaces"
    return None


TOKEN_CONTRACT_PATTERN = r"^0x[0-9a-fA-F]{40}$"
TOKEN_CONTRACT_TEXT = (
    "The ERC-20 contract of the asset (chain ethereum only), in EIP-55 checksum form; "
    "absent for ether"
)
CHAIN_ID_TEXT = "The EIP-155 chain id (chain ethereum only): 1 for Ethereum mainnet"


def token_contract_problem(contract: str) -> str | None:
    """Why ``contract`` is not a token contract address in EIP-55 form, or None."""
    from zkpor.formats.eip55 import to_checksum_address

    if re.fullmatch(r"0x[0-9a-fA-F]{40}", contract) is None:
        return "token_contract is not 0x and 40 hex digits"
    if to_checksum_address(contract) != contract:
        return (
            "token_contract is not in EIP-55 checksum form "
            f"(expected {to_checksum_address(contract)})"
        )
    return None


def _eip55_contract(contract: str) -> str:
    problem = token_contract_problem(contract)
    if problem is not None:
        raise ValueError(problem)
    return contract


#: An ERC-20 contract address in EIP-55 form (the field type of snapshot and manifest).
TokenContract = Annotated[
    str, StringConstraints(pattern=TOKEN_CONTRACT_PATTERN), AfterValidator(_eip55_contract)
]


def check_token_fields(chain: str, token_contract: str | None, chain_id: int | None) -> None:
    """Token fields belong to Ethereum assets only (ValueError naming the field)."""
    if chain == "ethereum":
        return
    if token_contract is not None:
        raise ValueError(f"token_contract is for chain ethereum, not {chain}")
    if chain_id is not None:
        raise ValueError(f"chain_id is for chain ethereum, not {chain}")


#: A multisig script: at most 20 keys (docs/spec/reserves.md 10.11), 685 bytes as hex.
MAX_MULTISIG_SCRIPT_HEX: Final = 2 * (2 + 20 * 34 + 2 + 1)
MULTISIG_FORMS = ("p2sh", "p2sh-p2wsh", "p2wsh")
#: One legacy signed message (10.3): base64 of 65 bytes is 88 characters.
LegacySignature = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class MultisigSignatures(StrictModel):
    """A multisig address signed the second way (10.11): its script and at least ``m``
    legacy signed messages, each by a distinct key of the script."""

    form: Literal["p2sh", "p2sh-p2wsh", "p2wsh"] = Field(
        description="How the script makes the address: legacy P2SH, P2SH-P2WSH or P2WSH"
    )
    script: str = Field(
        min_length=2,
        max_length=MAX_MULTISIG_SCRIPT_HEX,
        pattern=r"^([0-9a-f]{2})+$",
        description="The redeem or witness script OP_m <keys> OP_n OP_CHECKMULTISIG, lowercase hex",
    )
    signatures: list[LegacySignature] = Field(
        min_length=1,
        max_length=20,
        description="Legacy signed messages (base64 of 65 bytes) of the ownership message",
    )


def check_one_signature(signature: str | None, multisig: object | None) -> None:
    """An address carries exactly one of ``signature`` and ``multisig`` (ValueError)."""
    if (signature is None) == (multisig is None):
        raise ValueError(
            "give exactly one of signature (one signature, 10.3, 10.4, 10.9) and multisig "
            "(a script and one signature per key, 10.11)"
        )


class ReserveAddress(StrictModel):
    """One address: its balance at the snapshot and the ownership signature (or, for a
    multisig address signed key by key, its script and signatures)."""

    address: str = Field(min_length=1, max_length=100)
    balance: str = Field(min_length=1, max_length=64)
    signature: str | None = Field(default=None, min_length=1, max_length=MAX_SIGNATURE_CHARS)
    multisig: MultisigSignatures | None = None

    @model_validator(mode="after")
    def _one_signature(self) -> ReserveAddress:
        check_one_signature(self.signature, self.multisig)
        return self

    @field_validator("address")
    @classmethod
    def _address_text(cls, v: str) -> str:
        check_text(v, "address")
        problem = address_problem(v)
        if problem is not None:
            raise ValueError(problem)
        return v


class AssetReserves(StrictModel):
    """The reserves of one asset on one chain at one block height."""

    asset: Symbol
    chain: Literal["bitcoin", "bitcoin-testnet", "ethereum"]
    block_height: int = Field(ge=0)
    block_hash: str | None = Field(default=None, pattern=r"^(0x)?[0-9a-fA-F]{64}$")
    token_contract: TokenContract | None = Field(default=None, description=TOKEN_CONTRACT_TEXT)
    chain_id: int | None = Field(default=None, ge=1, le=MAX_CHAIN_ID, description=CHAIN_ID_TEXT)
    addresses: list[ReserveAddress] = Field(max_length=100_000)

    @field_validator("asset", "chain")
    @classmethod
    def _identifier(cls, v: str, info: ValidationInfo) -> str:
        return check_text(v, str(info.field_name))

    @model_validator(mode="after")
    def _token_chain(self) -> AssetReserves:
        check_token_fields(self.chain, self.token_contract, self.chain_id)
        return self


class ReservesSnapshot(StrictModel):
    """A reserves snapshot for one exchange and round."""

    format: Literal["zkpor-reserves-v1"]
    exchange: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    round_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    assets: list[AssetReserves]

    @field_validator("exchange", "round_id")
    @classmethod
    def _identifier(cls, v: str, info: ValidationInfo) -> str:
        return check_text(v, str(info.field_name))
