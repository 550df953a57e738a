"""The solvency prover: a proof that q R >= p L for an asset whose root opening it holds.

The statement and its verifier are :mod:`zkpor.protocol.solvency` (docs/spec/solvency-and-manifest.md section 11);
this module adds the secret side: it splits d = q R - p L into 64-bit halves, commits to the
high half with fresh randomness and proves both halves in range. It refuses
(:class:`~zkpor.errors.InsolventError`) when q R < p L, so no proof of a false statement
leaves it.
"""

from __future__ import annotations

from zkpor.crypto.generators import GeneratorSet, generators
from zkpor.crypto.group import N, random_scalar
from zkpor.crypto.group.scalar import RandomSource
from zkpor.crypto.pedersen import Opening, commit
from zkpor.errors import InsolventError, ParameterError
from zkpor.protocol.solvency import SHIFT, SolvencyProof, check_terms

__all__ = ["prove_solvency"]


def prove_solvency(
    reserves: int,
    liabilities: Opening,
    p: int = 1,
    q: int = 1,
    *,
    asset: str = "",
    gens: GeneratorSet | None = None,
    rng: RandomSource | None = None,
    context: bytes = b"",
    private: Opening | None = None,
) -> SolvencyProof:
    """Prove q R >= p L for the root opening ``liabilities``; InsolventError otherwise.
    ``context`` is bound into the proof's transcript (module doc). ``private``: the opening
    (R_P, r_P) of private reserves' commitment C_P; then d = q (R + R_P) - p L, blinding
    q r_P - p r_L (docs/spec/solvency-and-manifest.md, 11.9).

    ``rng`` (for r_hi and the range proof) is for test vectors only (:mod:`zkpor.crypto.drbg`)."""
    check_terms(reserves, p, q)
    g = gens or generators()
    private_value = private.value if private is not None else 0
    if not 0 <= private_value < 2**64:
        raise ParameterError("private reserves must be in [0, 2^64)")
    d = q * (reserves + private_value) - p * liabilities.value
    if d < 0:
        label = f"asset {asset}: " if asset else ""
        ratio = "" if p == q else f" x {p}/{q}"
        raise InsolventError(f"{label}reserves do not cover liabilities{ratio}")
    if d >= 2**128:
        raise ParameterError("reserves exceed liabilities by more than 2^128 base units")
    d_lo, d_hi = d % SHIFT, d // SHIFT
    r_d = (-p * liabilities.blinding + (q * private.blinding if private is not None else 0)) % N
    r_hi = random_scalar(rng)
    r_lo = (r_d - SHIFT * r_hi) % N
    from zkpor.crypto.rangeproof.prover import prove

    proof = prove([d_lo, d_hi], [r_lo, r_hi], 64, gens=g, rng=rng, context=context)
    return SolvencyProof(commit(d_hi, r_hi, g), proof)
