"""The manifest: the one public file of a round, and its digest.

``manifest.json`` names the exchange and round, fixes the parameters, and per asset gives the
tree root, the padded leaf count, the reserves (addresses, balances, ownership signatures)
and the solvency proof. Its digest

    SHA-256(canonical JSON of the manifest)

(keys sorted, no whitespace, UTF-8; :func:`manifest_digest`) is the value an exchange
publishes as widely as it can: customers compare it with the one their verifier prints, so
everybody checks the same manifest (no split view). JSON Schema: docs/manifest.schema.json.

Every solvency proof binds the manifest's *statement digest*

    SHA-256("zkpor-manifest-statement-v1" || 0x00 || canonical JSON with every
            assets.*.solvency.proof replaced by "")

followed by the asset symbol (:func:`solvency_context`), so a verifier that checks every
solvency proof has checked that no other field was changed: not the creation time, a block
height, another asset's root or leaf count, an address or a balance.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Final, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from zkpor.formats.base import StrictModel
from zkpor.formats.models import (
    Arity,
    DebtRoot,
    DecimalInt,
    DecimalText,
    ExchangeName,
    Hex32,
    Hex33,
    HexBytes,
    Quote,
    RoundId,
    Symbol,
    Tier,
    absent_if_none,
    refuse_old_format,
)
from zkpor.formats.reserves import (
    CHAIN_ID_TEXT,
    MAX_CHAIN_ID,
    MAX_MULTISIG_SCRIPT_HEX,
    MAX_SIGNATURE_CHARS,
    TOKEN_CONTRACT_TEXT,
    TokenContract,
    check_one_signature,
    check_token_fields,
)

__all__ = [
    "MANIFEST_FORMAT",
    "DisclosedLiabilities",
    "Manifest",
    "ManifestAsset",
    "ManifestReserves",
    "Parameters",
    "PrivateReserves",
    "Solvency",
    "canonical_json",
    "manifest_digest",
    "solvency_context",
    "statement_digest",
]

MANIFEST_FORMAT: Final = "zkpor-manifest-v2"
Ratio = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,9}/[1-9][0-9]{0,9}$")]


class Parameters(StrictModel):
    """Everything a verifier must agree with before checking anything else."""

    curve: Literal["secp256k1"]
    hash: Literal["SHA-256"]
    hash_to_curve: Literal["secp256k1_XMD:SHA-256_SSWU_RO_"]
    generator_digest: Hex32
    arity: Arity
    range_bits: Literal[64]


class ManifestMultisig(StrictModel):
    """A multisig address signed key by key (docs/spec/reserves.md 10.11): the form, the
    script (lowercase hex) and the legacy signatures (base64)."""

    form: Literal["p2sh", "p2sh-p2wsh", "p2wsh"]
    script: str = Field(
        min_length=2, max_length=MAX_MULTISIG_SCRIPT_HEX, pattern=r"^([0-9a-f]{2})+$"
    )
    signatures: list[
        Annotated[
            str, StringConstraints(min_length=1, max_length=100, pattern=r"^[0-9A-Za-z+/=]+$")
        ]
    ] = Field(min_length=1, max_length=20)


class ManifestReserveAddress(StrictModel):
    """An address (ASCII letters and digits), its balance (a decimal in the asset's display
    unit) and its ownership signature (base64, BIP-322 base64 with an optional ``smp`` or
    ``ful`` prefix, or 0x-hex)."""

    address: str = Field(min_length=1, max_length=100, pattern=r"^[0-9A-Za-z]+$")
    balance: str = Field(min_length=1, max_length=64, pattern=r"^[0-9.]+$")
    signature: str | None = absent_if_none(
        min_length=1, max_length=MAX_SIGNATURE_CHARS, pattern=r"^[0-9A-Za-z+/=]+$"
    )
    multisig: ManifestMultisig | None = absent_if_none()

    # exactly one of the two (docs/spec/reserves.md 10.11); absent, never null, when unused
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        json_schema_extra={"oneOf": [{"required": ["signature"]}, {"required": ["multisig"]}]},
    )

    @model_validator(mode="after")
    def _one_signature(self) -> ManifestReserveAddress:
        check_one_signature(self.signature, self.multisig)
        return self


class ManifestReserves(StrictModel):
    """An asset's reserves: where, when, how much, with ownership signatures. An ERC-20
    asset names its contract (``token_contract``, EIP-55) and may name the network
    (``chain_id``); both are absent from the JSON when not given (ether, Bitcoin)."""

    chain: Literal["bitcoin", "bitcoin-testnet", "ethereum"]
    block_height: int = Field(ge=0)
    block_hash: str | None = Field(default=None, pattern=r"^(0x)?[0-9a-fA-F]{64}$")
    token_contract: TokenContract | None = absent_if_none(description=TOKEN_CONTRACT_TEXT)
    chain_id: int | None = absent_if_none(ge=1, le=MAX_CHAIN_ID, description=CHAIN_ID_TEXT)
    total: str
    total_units: DecimalInt
    addresses: list[ManifestReserveAddress]

    @model_validator(mode="after")
    def _token_chain(self) -> ManifestReserves:
        check_token_fields(self.chain, self.token_contract, self.chain_id)
        return self


class DisclosedLiabilities(StrictModel):
    """The opening of the root commitment, when the operator discloses total liabilities."""

    amount: str
    units: DecimalInt
    blinding: Hex32


class Solvency(StrictModel):
    """Proof that reserves >= min_ratio * liabilities (``proof``: C_hi || range proof).

    For an asset with a debt tree the liabilities are net, E - D: the proof is over
    (q R) G - p (C_E - C_D); ``liabilities`` then discloses E (the equity root) and
    ``debt`` D (the debt root)."""

    min_ratio: Ratio
    proof: HexBytes
    liabilities: DisclosedLiabilities | None = None
    debt: DisclosedLiabilities | None = absent_if_none()


class PrivateReserves(StrictModel):
    """Reserves proven among an anonymity set without naming the keys (docs/spec/
    private-reserves.md, 17.11): the set and the proof are published beside the manifest as
    ``private-reserves/ASSET.set`` and ``private-reserves/ASSET.proof``; the manifest binds
    their SHA-256 digests, the set's size and the reserves commitment sum(P_i) the proof
    yields, which the solvency proof adds to the public reserves (11.9)."""

    set_digest: Hex32
    proof_digest: Hex32
    keys: int = Field(ge=1, lt=2**32)
    commitment: Hex33


class ManifestAsset(StrictModel):
    decimals: int = Field(ge=0, le=30)
    leaf_count: int = Field(ge=1)
    depth: int = Field(ge=1, le=64)
    root_hash: Hex32
    root_commitment: Hex33
    reserves: ManifestReserves
    solvency: Solvency
    price: DecimalText | None = absent_if_none()
    tiers: list[Tier] | None = absent_if_none(min_length=1, max_length=64)
    debt: DebtRoot | None = absent_if_none()
    private_reserves: PrivateReserves | None = absent_if_none()


class Manifest(StrictModel):
    """The published manifest of one round."""

    format: Literal["zkpor-manifest-v2"]
    exchange: ExchangeName
    round_id: RoundId
    created: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
    parameters: Parameters
    quote: Quote | None = absent_if_none()
    assets: dict[Symbol, ManifestAsset] = Field(min_length=1)

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return refuse_old_format(value, MANIFEST_FORMAT)


def canonical_json(manifest: Manifest) -> bytes:
    """Sorted keys, no whitespace, UTF-8, None fields kept as null."""
    return json.dumps(
        manifest.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def manifest_digest(manifest: Manifest) -> str:
    """Hex SHA-256 of the canonical JSON."""
    return hashlib.sha256(canonical_json(manifest)).hexdigest()


STATEMENT_LABEL = b"zkpor-manifest-statement-v1\x00"


def statement_digest(manifest: Manifest) -> bytes:
    """SHA-256 of the manifest without its solvency proofs (module doc)."""
    data = manifest.model_dump(mode="json")
    for entry in data["assets"].values():
        entry["solvency"]["proof"] = ""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(STATEMENT_LABEL + text).digest()


def solvency_context(statement: bytes, asset: str) -> bytes:
    """What asset ``asset``'s solvency proof binds: the statement digest, then the symbol."""
    return statement + asset.encode()
