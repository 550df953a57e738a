"""The liabilities tree's byte encodings: margin tags, a node's child-proof layout, arities.

docs/spec/liabilities-tree.md (section 7) states the rules that use them (:mod:`zkpor.protocol.sumtree`,
which re-exports these names). Formats and verifiers decode with them, so they sit below the
protocol layer.

A node with ``count`` children carries one aggregated 64-bit range proof per power of two in
count's binary expansion, largest first; a level-1 child carries its leaf's 8-byte margin tag.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from zkpor.crypto.rangeproof.proof import proof_size
from zkpor.errors import ParameterError

__all__ = [
    "MARGIN_TAG_BYTES",
    "MAX_TAG_FIELD",
    "MAX_USER_ID_BYTES",
    "NO_TAG",
    "NO_TAG_BYTES",
    "RANGE_BITS",
    "SUPPORTED_ARITIES",
    "MarginTag",
    "check_arity",
    "child_chunks",
    "child_proofs_length",
    "split_child_proofs",
]

MARGIN_TAG_BYTES: Final[int] = 8
#: The largest account number and input count a tag can hold (u32 each).
MAX_TAG_FIELD: Final[int] = 2**32 - 1
RANGE_BITS: Final[int] = 64
SUPPORTED_ARITIES: Final[tuple[int, ...]] = (2, 4, 8, 16, 32, 64)
MAX_USER_ID_BYTES: Final[int] = 128


def check_arity(k: int) -> None:
    """Arity must be a power of two between 2 and 64."""
    if k not in SUPPORTED_ARITIES:
        raise ParameterError(f"arity {k!r} not supported; use one of {SUPPORTED_ARITIES}")


class MarginTag(NamedTuple):
    """A leaf's role in the margin accounts: ``inputs == 0`` (and ``account == 0``) is
    *none*, a leaf no account uses; otherwise the leaf is a committed input of margin
    account ``account``, which has ``inputs`` inputs in all.

    Encoding (8 bytes): ``u32be(account) || u32be(inputs)``; none is 8 zero bytes. Only
    canonical tags decode: ``inputs == 0`` with ``account != 0`` is refused.
    """

    account: int = 0
    inputs: int = 0

    @property
    def is_none(self) -> bool:
        return self.inputs == 0

    def to_bytes(self) -> bytes:
        if not (0 <= self.account <= MAX_TAG_FIELD and 0 <= self.inputs <= MAX_TAG_FIELD):
            raise ParameterError("margin tag fields must fit in 32 bits")
        if self.inputs == 0 and self.account != 0:
            raise ParameterError("a margin tag without inputs must have account 0")
        return self.account.to_bytes(4, "big") + self.inputs.to_bytes(4, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> MarginTag:
        if len(data) != MARGIN_TAG_BYTES:
            raise ParameterError(f"a margin tag is {MARGIN_TAG_BYTES} bytes, got {len(data)}")
        tag = cls(int.from_bytes(data[:4], "big"), int.from_bytes(data[4:], "big"))
        if tag.inputs == 0 and tag.account != 0:
            raise ParameterError("non-canonical margin tag: account without inputs")
        return tag

    def describe(self) -> str:
        """``none`` or ``account A (N inputs)``, for messages."""
        return "none" if self.is_none else f"account {self.account} ({self.inputs} inputs)"


NO_TAG: Final[MarginTag] = MarginTag()
NO_TAG_BYTES: Final[bytes] = bytes(MARGIN_TAG_BYTES)


def child_proofs_length(count: int) -> int:
    """Total bytes of the range proofs of a node with ``count`` children."""
    return sum(proof_size((RANGE_BITS * m).bit_length() - 1) for m in child_chunks(count))


def split_child_proofs(blob: bytes, count: int) -> list[tuple[int, bytes]]:
    """Split a node's concatenated child range proofs into (chunk size m, proof bytes), in
    order; raises ParameterError when the length is not exactly what ``count`` children need."""
    out = []
    pos = 0
    for m in child_chunks(count):
        length = proof_size((RANGE_BITS * m).bit_length() - 1)
        if pos + length > len(blob):
            raise ParameterError("node proof is too short for its children")
        out.append((m, blob[pos : pos + length]))
        pos += length
    if pos != len(blob):
        raise ParameterError(f"node proof has {len(blob) - pos} extra bytes")
    return out


def child_chunks(count: int) -> list[int]:
    """Sizes of the aggregated range proofs over ``count`` children: the powers of two of
    count's binary expansion, largest first (e.g. 7 -> [4, 2, 1], 8 -> [8])."""
    return [1 << b for b in range(count.bit_length() - 1, -1, -1) if count >> b & 1]
