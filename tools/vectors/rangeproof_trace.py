"""rangeproof_trace.json (docs/spec/ section 6, range-proofs.md 6.2 and 6.3): full prover
traces of seeded proofs, one group per case of :data:`TRACES`."""

from __future__ import annotations

from typing import Final

from tools.vectors.base import Json, VectorFile
from tools.vectors.schemaparts import Schema
from zkpor.crypto.generators import GeneratorSet
from zkpor.crypto.group import random_scalar
from zkpor.crypto.pedersen import commit
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import hexpt, hexsc, seed, seeded
from zkpor.vectors.outputs import trace_proof

HEADER: Final[list[str]] = [
    "Seeded proofs with every intermediate value, to find where an implementation",
    "diverges: the prover's random draws in DRBG order (alpha, s_l, s_r, rho, tau1,",
    "tau2), A, S, y, z, t1, t2, T1, T2, x, t_x, tau_x, mu, w, the inner-product inputs",
    "l = l(x) and r = r(x), each round's size, L, R, u, the final a, b, and delta(y, z).",
]

# (n, values): seeds rangeproof_trace/N/M/blindings and .../prover
TRACES: Final[tuple[tuple[int, list[int]], ...]] = (
    (8, [200]),
    (8, [0, 255]),
    (64, [150000000]),
    (64, [150000000, 2**64 - 1]),
)


def generate(gens: GeneratorSet) -> Json:
    f = VectorFile(
        "rangeproof_trace",
        "zkpor range proof v1: prover intermediate values (docs/spec.md 6.2, 6.3)",
        HEADER,
    )
    for n, values in TRACES:
        m = len(values)
        g = f.group("RangeProofTrace", n=n, m=m)
        tag = f"rangeproof_trace/{n}/{m}"
        rng = seeded(f"{tag}/blindings")
        blindings = [random_scalar(rng) for _ in values]
        prover_seed = seed(f"{tag}/prover")
        proof, trace = trace_proof(values, blindings, n, prover_seed, gens)
        g.add(
            f"n = {n}, m = {m}, values {values}",
            ["Valid", "Trace", "SeededProof"],
            "valid",
            values=[str(v) for v in values],
            blindings=[hexsc(b) for b in blindings],
            seed=prover_seed.hex(),
            commitments=[hexpt(commit(v, b, gens)) for v, b in zip(values, blindings)],
            proof=proof.to_bytes().hex(),
            trace=trace,
        )
    return f.to_json()


NAME: Final = "rangeproof_trace"
# group type -> checker: the installed checker's (zkpor vectors check)
check: Final = CHECKERS[NAME]


def schema() -> Schema:
    """The JSON Schema of rangeproof_trace.json."""
    from tools.vectors.schema import schema as file_schema

    return file_schema(NAME)
