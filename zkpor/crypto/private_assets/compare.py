"""Comparing two exchanges' proofs of assets at one block: shared tags are shared keys.

A claimed key's tag is x J, with J fixed by the chain and the block (:mod:`.statement`), so
two proofs at one block that both claim a key publish the same tag for it; and no proof can
carry a tag whose discrete log to base J its prover does not know (both branches prove it),
so a tag cannot be copied from another exchange's proof to frame it. An unclaimed key's tag
u J is random: it collides with another proof's tag only by chance (probability about 2^-256).

:func:`compare_tags` walks two (set, proof) pairs, both sorted by key, and returns every key
whose tags are equal. It reads only the T field of each record; it does not verify the
proofs: verify both first (docs/spec/private-reserves.md, 17.7).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from zkpor.crypto.private_assets.proof import HEADER_BYTES, RECORD_BYTES, RECORD_FIELDS, ProofHeader
from zkpor.crypto.private_assets.statement import AssetsContext
from zkpor.errors import EncodingError, ParameterError, VerificationError

__all__ = ["TagCollision", "compare_tags", "iter_tags"]


@dataclass(frozen=True)
class TagCollision:
    """A key both proofs tag alike: claimed by both (or its secret known to both)."""

    key: bytes
    index_a: int
    index_b: int
    tag: bytes


def iter_tags(proof: BinaryIO, context: AssetsContext) -> Iterator[bytes]:
    """The T field of every record of ``proof``, in order, after checking its header
    against ``context`` (VerificationError otherwise, or if the proof is cut short)."""
    try:
        header = ProofHeader.from_bytes(proof.read(HEADER_BYTES))
    except EncodingError as exc:
        raise VerificationError(f"proof header: {exc}") from None
    if header.count != context.count or header.context_digest != context.digest():
        raise VerificationError("the proof was not made for this set, exchange and round")
    start, end = RECORD_FIELDS["T"]
    for index in range(header.count):
        rec = proof.read(RECORD_BYTES)
        if len(rec) != RECORD_BYTES:
            raise VerificationError(f"key {index}: the proof ends inside this key's record")
        yield rec[start:end]


def compare_tags(
    keys_a: Iterable[bytes],
    proof_a: BinaryIO,
    context_a: AssetsContext,
    keys_b: Iterable[bytes],
    proof_b: BinaryIO,
    context_b: AssetsContext,
) -> list[TagCollision]:
    """Every key present in both sets whose two tags are equal. Both key streams must be
    in ascending byte order (as a set file is); two sets of different blocks or chains are
    not comparable (ParameterError): their J differ."""
    if (context_a.chain, context_a.chain_id, context_a.block_height) != (
        context_b.chain,
        context_b.chain_id,
        context_b.block_height,
    ):
        raise ParameterError(
            "the two proofs are not at the same block of the same chain: their tags differ "
            "by construction and cannot be compared"
        )
    it_a = zip(keys_a, iter_tags(proof_a, context_a))
    it_b = zip(keys_b, iter_tags(proof_b, context_b))
    out: list[TagCollision] = []
    ia = ib = 0
    a = next(it_a, None)
    b = next(it_b, None)
    while a is not None and b is not None:
        if a[0] < b[0]:
            a = next(it_a, None)
            ia += 1
        elif b[0] < a[0]:
            b = next(it_b, None)
            ib += 1
        else:
            if a[1] == b[1]:
                out.append(TagCollision(a[0], ia, ib, a[1]))
            a, b = next(it_a, None), next(it_b, None)
            ia += 1
            ib += 1
    return out
