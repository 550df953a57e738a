"""Private reserves on files: prove, verify and compare proofs of assets over an anonymity
set file (docs/spec/private-reserves.md, section 17).

- :func:`prove_private_assets`: set file + the exchange's secret keys -> proof file (written
  atomically) and the reserves commitment with its opening (the opening stays private: it
  is what the solvency proof needs).
- :func:`verify_private_assets`: set file + proof file -> :class:`PrivateAssetsReport`, whose
  ``commitment`` is the reserves commitment to put against the liabilities.
- :func:`compare_private_assets`: two (set, proof) pairs at one block -> the keys both
  proofs tag alike (claimed by both exchanges).

Each reads the set twice: once for its digest (which every key's challenge depends on), then
as a stream; a set file that changes between the two reads is refused. The proof file
is read as a stream too: memory does not grow with the set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zkpor.atomicfile import atomic_writer
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import Point
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.private_assets import AssetsContext
from zkpor.crypto.private_assets_verifier import (
    DEFAULT_BATCH_KEYS,
    TagCollision,
    compare_tags,
    verify_assets,
)
from zkpor.errors import InputError
from zkpor.formats.anonset import AnonSetHeader, AnonSetReader, anonset_digest

if TYPE_CHECKING:
    from zkpor.crypto.private_assets_prover import AssetsProofResult

__all__ = [
    "PrivateAssetsReport",
    "anonset_context",
    "compare_private_assets",
    "prove_private_assets",
    "verify_private_assets",
]


def anonset_context(
    header: AnonSetHeader, set_digest: bytes, exchange: str, round_id: str
) -> AssetsContext:
    """The proof context of a set file for one exchange and round."""
    return AssetsContext(
        set_digest=set_digest,
        exchange=exchange,
        round_id=round_id,
        chain=header.chain,
        chain_id=header.chain_id,
        block_height=header.block_height,
        count=header.count,
    )


@dataclass(frozen=True)
class PrivateAssetsReport:
    """A verified proof of assets: the reserves commitment (sum of P_i), the set's header,
    digest, total (of every member, owned or not) and size, and the context digest."""

    commitment: Point
    header: AnonSetHeader
    set_digest: bytes
    set_total: int
    count: int
    context_digest: bytes


def _pairs(reader: AnonSetReader) -> Iterator[tuple[bytes, int]]:
    for m in reader:
        yield m.key, m.balance


def _same_digest(reader: AnonSetReader, digest: bytes) -> None:
    if reader.digest != digest:
        raise InputError("the set file changed while it was read", source=reader.source)


def prove_private_assets(
    set_path: Path,
    proof_path: Path,
    secrets: Mapping[bytes, int],
    *,
    exchange: str,
    round_id: str,
    gens: GeneratorSet | None = None,
    rng: RandomSource | None = None,
    tag_secret: bytes | None = None,
) -> AssetsProofResult:
    """Prove ownership of the keys of ``secrets`` (compressed key -> secret key) among the
    set at ``set_path``; write the proof to ``proof_path``. ``tag_secret``: a per-exchange
    secret making the tags of unclaimed keys stable across proofs at one block (strongly
    recommended: docs/spec/private-reserves.md, 17.3). ``rng`` only for test vectors."""
    from zkpor.crypto.private_assets_prover import prove_assets

    digest = anonset_digest(set_path)
    with AnonSetReader(set_path) as reader:
        ctx = anonset_context(reader.header, digest, exchange, round_id)
        with atomic_writer(proof_path) as out:
            result = prove_assets(
                _pairs(reader), secrets, ctx, out, gens=gens, rng=rng, tag_secret=tag_secret
            )
            _same_digest(reader, digest)
    return result


def verify_private_assets(
    set_path: Path,
    proof_path: Path,
    *,
    exchange: str,
    round_id: str,
    point_type: type[Point] | None = None,
    batch_keys: int = DEFAULT_BATCH_KEYS,
) -> PrivateAssetsReport:
    """Verify the proof at ``proof_path`` for the set at ``set_path``, ``exchange`` and
    ``round_id``. InputError for a bad set file (file:line: field), VerificationError for a
    proof that does not verify (naming the key index)."""
    digest = anonset_digest(set_path)
    # the verifier decodes every key itself (a bad one is named by its index)
    with AnonSetReader(set_path, check_keys=False) as reader, proof_path.open("rb") as fh:
        ctx = anonset_context(reader.header, digest, exchange, round_id)
        verified = verify_assets(
            _pairs(reader), fh, ctx, point_type=point_type, batch_keys=batch_keys
        )
        _same_digest(reader, digest)
        return PrivateAssetsReport(
            verified.commitment,
            reader.header,
            digest,
            reader.total,
            verified.count,
            verified.context_digest,
        )


def compare_private_assets(
    set_a: Path,
    proof_a: Path,
    set_b: Path,
    proof_b: Path,
    *,
    exchange_a: str,
    round_a: str,
    exchange_b: str,
    round_b: str,
) -> list[TagCollision]:
    """The keys that two proofs at one block tag alike (claimed by both exchanges). Verify
    both proofs first: this reads only their tags. ParameterError when the two sets are not
    of the same chain and block."""
    digest_a, digest_b = anonset_digest(set_a), anonset_digest(set_b)
    with (
        AnonSetReader(set_a, check_keys=False) as ra,
        AnonSetReader(set_b, check_keys=False) as rb,
        proof_a.open("rb") as fa,
        proof_b.open("rb") as fb,
    ):
        ctx_a = anonset_context(ra.header, digest_a, exchange_a, round_a)
        ctx_b = anonset_context(rb.header, digest_b, exchange_b, round_b)
        return compare_tags((m.key for m in ra), fa, ctx_a, (m.key for m in rb), fb, ctx_b)
