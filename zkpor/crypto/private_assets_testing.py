"""Test-only prover hooks: NOT for producing real proofs.

:func:`prove_key_unchecked` makes one key's record with every choice a cheating exchange
could make: claim branch "owned" with any scalar as the secret (a wrong one included), commit
any value, publish any tag scalar. The verifier must refuse each false statement; the tests
and test vectors use it to show so. With the defaults and the true secret it returns exactly
the record the honest prover makes with the same ``rng``.

:func:`assemble_proof` puts a header and records together as a proof file's bytes.

Spec: docs/spec/private-reserves.md (section 17).
"""

from __future__ import annotations

from collections.abc import Iterable

from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.pedersen import Opening
from zkpor.crypto.private_assets import AssetsContext, ProofHeader
from zkpor.crypto.private_assets_prover import KeyProver

__all__ = ["assemble_proof", "prove_key_unchecked"]


def prove_key_unchecked(
    context: AssetsContext,
    index: int,
    key: bytes,
    balance: int,
    *,
    claim: bool,
    secret: int | None = None,
    value: int | None = None,
    tag: int | None = None,
    rng: RandomSource | None = None,
    gens: GeneratorSet | None = None,
    tag_secret: bytes | None = None,
) -> tuple[bytes, Opening]:
    """Key ``index``'s record proving branch "owned" with ``secret`` as x (``claim``) or
    "not owned", committing ``value`` (default: b if claimed, else 0) with tag ``tag`` J
    (default: x if claimed, else u); nothing is checked. Returns (record, P's opening)."""
    prover = KeyProver(context, gens=gens, rng=rng, tag_secret=tag_secret)
    y = prover.pt.from_bytes(key)
    rec, _, opening = prover.record(
        index, key, y, balance, claim=claim, secret=secret, value=value, tag=tag
    )
    return rec, opening


def assemble_proof(context: AssetsContext, records: Iterable[bytes]) -> bytes:
    """A proof file's bytes: the header for ``context``, then ``records`` as given."""
    return ProofHeader(context.count, context.digest()).to_bytes() + b"".join(records)
