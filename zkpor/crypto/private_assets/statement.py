"""What prover and verifier of a private proof of assets share: the tag base J, the
context and its digest, the transcript and the per-key challenge.

The tag base (docs/spec/private-reserves.md, 17.2) depends only on the chain and the block
height, so every exchange proving at one block uses the same J::

    J = hash_to_curve("zkpor:private-assets:J:v1" || f(chain) || u64be(chain_id or 0)
                      || u64be(block_height), GENERATOR_DST)          f(x) = u32be(len(x)) || x

The context digest binds the set file, the exchange, the round, J and the set size::

    context = SHA-256( f("zkpor:private-assets:context:v1") || f(generator digest)
                       || f(set digest) || f(exchange) || f(round id) || f(J) || u64be(count) )

Transcript, protocol name ``zkpor-private-assets-v1``: ``append_message("context", context)``
once; then for key i a copy of that transcript (so each key's challenge depends on the
context and on that key only) absorbs::

    append_message("key", u64be(i) || Y_i || u64be(b_i))                    49 bytes
    append_message("commitments", P || T || A_P0 || A_T0 || A_P1 || A_Y1 || A_T1)   231 bytes
    c_i = challenge_scalar("c")
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from zkpor.crypto.generators import GENERATOR_DST, generator_digest
from zkpor.crypto.group import Point, hash_to_curve
from zkpor.crypto.group.backend import active_backend
from zkpor.crypto.transcript import Transcript
from zkpor.errors import ParameterError

__all__ = [
    "CONTEXT_LABEL",
    "J_DOMAIN",
    "PROTOCOL",
    "AssetsContext",
    "key_challenge",
    "start_transcript",
    "tag_base",
    "tag_message",
]

PROTOCOL: Final[bytes] = b"zkpor-private-assets-v1"
J_DOMAIN: Final[bytes] = b"zkpor:private-assets:J:v1"
CONTEXT_LABEL: Final[bytes] = b"zkpor:private-assets:context:v1"
U64: Final[int] = 2**64


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def tag_message(chain: str, chain_id: int | None, block_height: int) -> bytes:
    """The hash_to_curve message of J for one block of one chain (module doc)."""
    if not chain:
        raise ParameterError("chain must not be empty")
    if chain_id is not None and not 1 <= chain_id < U64:
        raise ParameterError("chain_id must be in [1, 2^64)")
    if not 0 <= block_height < U64:
        raise ParameterError("block_height must be in [0, 2^64)")
    return (
        J_DOMAIN
        + _frame(chain.encode("utf-8"))
        + (chain_id or 0).to_bytes(8, "big")
        + block_height.to_bytes(8, "big")
    )


_tag_bases: dict[tuple[str, bytes], Point] = {}


def tag_base(
    chain: str, chain_id: int | None, block_height: int, point_type: type[Point] = Point
) -> Point:
    """J for one block of one chain, on ``point_type``'s backend (cached)."""
    msg = tag_message(chain, chain_id, block_height)
    if point_type is Point:
        point_type = active_backend().Point
    key = (point_type.backend_name, msg)
    j = _tag_bases.get(key)
    if j is None:
        if len(_tag_bases) > 64:
            _tag_bases.clear()
        j = _tag_bases[key] = hash_to_curve(msg, GENERATOR_DST, point_type)
    return j


@dataclass(frozen=True)
class AssetsContext:
    """Everything a private proof of assets is bound to besides the keys themselves.

    ``set_digest`` is the SHA-256 of the anonymity set file's bytes; ``chain``,
    ``chain_id`` (None off Ethereum) and ``block_height`` come from the set's header and
    fix J; ``count`` is the number of keys in the set."""

    set_digest: bytes
    exchange: str
    round_id: str
    chain: str
    chain_id: int | None
    block_height: int
    count: int

    def __post_init__(self) -> None:
        if len(self.set_digest) != 32:
            raise ParameterError("set digest must be 32 bytes (SHA-256)")
        if not self.exchange or not self.round_id:
            raise ParameterError("exchange and round id must not be empty")
        if not 1 <= self.count < U64:
            raise ParameterError("the set must hold between 1 and 2^64 - 1 keys")
        tag_message(self.chain, self.chain_id, self.block_height)  # range checks

    def tag_base(self, point_type: type[Point] = Point) -> Point:
        """J for this context's chain and block."""
        return tag_base(self.chain, self.chain_id, self.block_height, point_type)

    def digest(self) -> bytes:
        """The context digest (module doc), the same on every backend."""
        j = self.tag_base(active_backend().Point)
        return hashlib.sha256(
            _frame(CONTEXT_LABEL)
            + _frame(generator_digest())
            + _frame(self.set_digest)
            + _frame(self.exchange.encode("utf-8"))
            + _frame(self.round_id.encode("utf-8"))
            + _frame(j.to_bytes())
            + self.count.to_bytes(8, "big")
        ).digest()


def start_transcript(context_digest: bytes) -> Transcript:
    """The transcript every key's challenge is forked from."""
    t = Transcript(PROTOCOL)
    t.append_message(b"context", context_digest)
    return t


def key_challenge(
    base: Transcript, index: int, key: bytes, balance: int, commitments: bytes
) -> int:
    """c_i: ``base`` forked, then key i's statement and its 231 bytes of points (module
    doc). Raises TranscriptError for a zero challenge."""
    t = base.clone()
    t.append_message(b"key", index.to_bytes(8, "big") + key + balance.to_bytes(8, "big"))
    t.append_message(b"commitments", commitments)
    return t.challenge_scalar(b"c")
