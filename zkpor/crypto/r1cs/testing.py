"""Test-only arithmetic-circuit prover: NOT for producing real proofs.

:func:`prove_unchecked` is the protocol of :mod:`.prover` without the satisfiability and
rank checks of :func:`zkpor.crypto.r1cs.prove_circuit`: the cheating prover, whose proof of an
unsatisfied witness every verifier must reject (the ``UnsatisfiedWitness`` vectors of
vectors/*/r1cs.json and margin.json, soundness tests). The randomness is passed down
(``rng``, e.g. a :class:`zkpor.crypto.drbg.SeededRandom`, in the style of dalek's ``*_with_rng``
functions), so a seeded call reproduces the same bytes. For a satisfying witness it
returns exactly what :func:`zkpor.crypto.r1cs.prove_circuit` returns with the same ``rng``.

Spec: docs/spec/arithmetic-circuits.md (section 15).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import Point
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.r1cs.proof import R1CSProof
from zkpor.crypto.r1cs.prover import _prove
from zkpor.crypto.r1cs.system import Circuit, Witness

__all__ = ["prove_unchecked"]


def prove_unchecked(
    circuit: Circuit,
    witness: Witness,
    blindings: Sequence[int],
    *,
    rng: RandomSource | None = None,
    gens: GeneratorSet | None = None,
    trace: dict[str, object] | None = None,
) -> tuple[R1CSProof, list[Point]]:
    """Prove ``witness`` for ``circuit`` WITHOUT checking that it satisfies the circuit
    (test only); return (proof, commitments). The blinding and identity-commitment checks
    still apply; ``rng`` (None: the operating system), ``gens`` and ``trace`` mean the same
    as for :func:`zkpor.crypto.r1cs.prove_circuit`."""
    return _prove(circuit, witness, blindings, rng=rng, gens=gens, trace=trace)
