"""Pydantic models of zkpor's public files: inclusion proofs and tree roots.

Hex fields are lowercase hex strings without 0x. Integers that may exceed JSON's safe
range (amounts in base units) are decimal strings. Unknown fields are rejected.

Spec: docs/spec/inclusion-proofs.md (section 8).
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from zkpor.formats.base import StrictModel
from zkpor.formats.identifiers import check_text
from zkpor.formats.treecodec import MAX_TAG_FIELD, MAX_USER_ID_BYTES, NO_TAG_BYTES, MarginTag

__all__ = [
    "AssetInclusion",
    "AssetRoot",
    "ChildNode",
    "CollateralInclusion",
    "DebtRoot",
    "LeafMargin",
    "LeafPosition",
    "Quote",
    "Tier",
    "InclusionProof",
    "PathStep",
    "ExchangeName",
    "Roots",
    "RoundId",
    "UserId",
]

MAX_ROUND_ID_BYTES = 64
MAX_EXCHANGE_BYTES = 100


def _identifier(what: str, max_bytes: int) -> AfterValidator:
    return AfterValidator(lambda text: check_text(text, what, max_bytes))


# The schema's maxLength counts characters; the rule counts bytes of UTF-8 (stricter).
UserId = Annotated[
    str,
    Field(min_length=1, max_length=MAX_USER_ID_BYTES),
    _identifier("user id", MAX_USER_ID_BYTES),
]
RoundId = Annotated[
    str,
    Field(min_length=1, max_length=MAX_ROUND_ID_BYTES),
    _identifier("round id", MAX_ROUND_ID_BYTES),
]
ExchangeName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_EXCHANGE_BYTES),
    _identifier("exchange name", MAX_EXCHANGE_BYTES),
]
Hex32 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Hex33 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{66}$")]
HexBytes = Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{2})+$")]
DecimalInt = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,25})$")]
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,15}$")]
# A 64-bit child range proof over m = 1, 2, 4, ..., 64 commitments: 292 + 66 log2(64 m)
# bytes (docs/spec/range-proofs.md 6.4, 7.6), as lowercase hex.
CHILD_PROOF_HEX_LENGTHS = tuple(2 * (292 + 66 * k) for k in range(6, 13))
ChildProofHex = Annotated[
    str,
    StringConstraints(
        pattern="^(?:" + "|".join(f"[0-9a-f]{{{n}}}" for n in CHILD_PROOF_HEX_LENGTHS) + ")$"
    ),
]

Arity = Literal[2, 4, 8, 16, 32, 64]
DecimalText = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,59})(\.[0-9]{1,30})?$")]


def _absent_if_none(value: object) -> bool:
    return value is None


# Optional margin fields: absent from the JSON when None, so files without margin stay
# byte for byte what they were before margin existed.
def absent_if_none(**kwargs: object) -> Any:
    return Field(default=None, exclude_if=_absent_if_none, **kwargs)  # type: ignore[call-overload]


INCLUSION_FORMAT: Final = "zkpor-inclusion-v2"
ROOTS_FORMAT: Final = "zkpor-roots-v2"

#: Formats of earlier releases, refused by name (docs/spec/inclusion-proofs.md 8.1, 9.2): their trees have no
#: margin tags, so a pledged leaf could not be seen by its owner.
_BEFORE_TAGS = (
    "is from before leaf margin tags (format v2) and is no longer accepted: ask the exchange "
    "for files made with a current zkpor"
)


def refuse_old_format(value: object, current: str) -> object:
    """A ``format`` validator: an earlier version of ``current`` gets a message naming it."""
    if isinstance(value, str) and value != current and value.startswith(current[:-1]):
        raise ValueError(f"format {value!r} {_BEFORE_TAGS}")
    return value


class LeafMargin(StrictModel):
    """A leaf's margin tag when it is not *none* (docs/spec/liabilities-tree.md 7.4): the margin account that
    uses the leaf as a collateral input, and that account's number of inputs."""

    account: int = Field(ge=0, le=MAX_TAG_FIELD)
    inputs: int = Field(ge=1, le=MAX_TAG_FIELD)


class ChildNode(StrictModel):
    """A node as seen from its parent: hash and commitment; a leaf (a child of a level-1
    node) also its margin tag, absent when it is none."""

    hash: Hex32
    commitment: Hex33
    margin: LeafMargin | None = absent_if_none()

    def tag(self) -> MarginTag:
        """The margin tag (none when ``margin`` is absent)."""
        m = self.margin
        return MarginTag() if m is None else MarginTag(m.account, m.inputs)

    def tag_bytes(self) -> bytes:
        return NO_TAG_BYTES if self.margin is None else self.tag().to_bytes()


class PathStep(StrictModel):
    """One level of an inclusion path: the node ``index`` at ``level`` (>= 1), all its
    children in order, and the range proofs over their commitments (one per power-of-two
    chunk of the child count, largest first)."""

    level: int = Field(ge=1, le=64)
    index: int = Field(ge=0)
    children: list[ChildNode] = Field(min_length=1, max_length=64)
    # child_chunks(c) has at most 6 parts for c <= 64 (c = 63: 32 + 16 + 8 + 4 + 2 + 1)
    proofs: list[ChildProofHex] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _tags_on_leaves_only(self) -> PathStep:
        if self.level != 1 and any(c.margin is not None for c in self.children):
            raise ValueError("only leaves (children at level 1) carry a margin tag")
        return self


class Quote(StrictModel):
    """The currency prices and tier bounds are in: its symbol and decimals."""

    symbol: Symbol
    decimals: int = Field(ge=0, le=18)


class Tier(StrictModel):
    """One haircut bracket: up to ``up_to`` (a quote value; absent for the last bracket) the
    position counts at ``ratio`` percent."""

    up_to: DecimalText | None = absent_if_none()
    ratio: int = Field(ge=0, le=100)


class DebtRoot(StrictModel):
    """An asset's debt tree: its padded leaf count, depth and root."""

    leaf_count: int = Field(ge=1)
    depth: int = Field(ge=1, le=64)
    root_hash: Hex32
    root_commitment: Hex33


class LeafPosition(StrictModel):
    """A leaf of a tree of the round: asset, tree kind and leaf index."""

    asset: Symbol
    tree: Literal["equity", "debt"]
    leaf: int = Field(ge=0)


class CollateralInclusion(StrictModel):
    """A margin account's collateral proof: its anonymous index in the audit file, the
    leaves that are its committed inputs (equity leaves, then debt leaves) and the proof."""

    account: int = Field(ge=0)
    inputs: list[LeafPosition] = Field(min_length=1, max_length=128)
    proof: HexBytes


class AssetInclusion(StrictModel):
    """A customer's leaf in one asset's tree, its opening, and its path to the root."""

    asset: Symbol
    decimals: int = Field(ge=0, le=30)
    amount: str
    units: DecimalInt
    blinding: Hex32
    salt: Hex32
    leaf_index: int = Field(ge=0)
    leaf_count: int = Field(ge=1)
    path: list[PathStep] = Field(min_length=1, max_length=64)


class InclusionProof(StrictModel):
    """One customer's inclusion proof, covering every asset they hold."""

    format: Literal["zkpor-inclusion-v2"]
    round_id: RoundId
    # The manifest's exchange name, when the bundle has a manifest (absent otherwise, so
    # proofs of rounds without reserves stay what they were); a verifier given a manifest
    # requires it to equal the manifest's ``exchange`` (docs/spec/inclusion-proofs.md 8.2 step 1).
    exchange: ExchangeName | None = absent_if_none()
    user_id: UserId
    arity: Arity
    assets: list[AssetInclusion] = Field(min_length=1)
    debts: list[AssetInclusion] | None = absent_if_none(min_length=1)
    collateral: CollateralInclusion | None = absent_if_none()

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return refuse_old_format(value, INCLUSION_FORMAT)


class AssetRoot(StrictModel):
    """What is published per asset: the root and the padded leaf count."""

    decimals: int = Field(ge=0, le=30)
    leaf_count: int = Field(ge=1)
    depth: int = Field(ge=1, le=64)
    root_hash: Hex32
    root_commitment: Hex33
    price: DecimalText | None = absent_if_none()
    tiers: list[Tier] | None = absent_if_none(min_length=1, max_length=64)
    debt: DebtRoot | None = absent_if_none()


class Roots(StrictModel):
    """The published roots of a round (the manifest's tree part)."""

    format: Literal["zkpor-roots-v2"]
    round_id: RoundId
    arity: Arity
    range_bits: Literal[64]
    generator_digest: Hex32
    quote: Quote | None = absent_if_none()
    assets: dict[Symbol, AssetRoot]

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return refuse_old_format(value, ROOTS_FORMAT)
