"""Test-only range-proof prover: NOT for producing real proofs.

:func:`prove_unchecked` is the prover of :mod:`.prover` without its range check, so that a
test or a test-vector generator can make the "proof" of a value outside [0, 2^bits) that
every verifier must reject (the out-of-range vectors of vectors/*/rangeproof.json, the
insolvent solvency vector). The randomness is passed down (``rng``, e.g. a
:class:`zkpor.crypto.drbg.SeededRandom`, in the style of dalek's ``*_with_rng`` functions), so a
seeded call reproduces the same bytes. For an in-range value it returns exactly the proof
:func:`zkpor.crypto.rangeproof.prove` makes with the same ``rng``.

Spec: docs/spec/range-proofs.md (section 6).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.rangeproof.proof import RangeProof
from zkpor.crypto.rangeproof.prover import _prove

__all__ = ["prove_unchecked"]


def prove_unchecked(
    values: Sequence[int],
    blindings: Sequence[int],
    bits: int,
    *,
    rng: RandomSource | None = None,
    gens: GeneratorSet | None = None,
    trace: dict[str, object] | None = None,
    context: bytes = b"",
) -> RangeProof:
    """Prove ``values`` over ``bits`` bits WITHOUT checking that they are in range (test
    only: the result for an out-of-range value is a proof the verifier must refuse).

    Every other parameter check of :func:`zkpor.crypto.rangeproof.prove` applies; ``rng`` (None:
    the operating system), ``gens``, ``trace`` and ``context`` mean the same as there."""
    return _prove(
        values,
        blindings,
        bits,
        rng=rng,
        gens=gens,
        check_range=False,
        trace=trace,
        context=context,
    )
