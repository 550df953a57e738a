"""Arithmetic-circuit (R1CS) benchmark against this project's own range proof, in one run.

    python -m benchmarks.circuits [--quick] [--out FILE]

Fast backend. Measures:

- a 64-bit range proven as a circuit (statement ``range64``: 64 booleans) against the native
  Bulletproofs range proof (``zkpor.crypto.rangeproof``, n = 64, m = 1), prove and verify, and the
  ratios ``prove_range64_circuit_vs_native`` and ``verify_range64_circuit_vs_native``
  (targets <= 2.0). The circuit prover's time includes building the circuit and galois's
  satisfiability check; the circuit verifier's includes rebuilding the circuit from its
  definition (``verify_prebuilt_ms`` leaves that out);
- the collateral statement with 12 brackets per asset for 1, 2, 4 and 16 assets: prove,
  verify, proof size, and batch verification of 64 proofs (8 with --quick) per proof; and the
  ratios of the 2- and 4-asset provers to one native m = 16 range proof measured just before
  and after each (targets of the margin-accounts issue: <= 1.0 and <= 2.0).

Generators are derived before timing. Prints JSON.
"""

from __future__ import annotations

import argparse
import secrets
import time
from functools import partial
from typing import Any

from zkpor.circuits import build_circuit, demo_assets, get_statement, reference_hundredths

from benchmarks._harness import (
    emit,
    machine_info,
    measure,
    random_blindings,
    rounded,
    timed_against_range_m16,
)
from zkpor.crypto.generators import generators
from zkpor.crypto.group import Point, get_backend
from zkpor.crypto.pedersen import commit
from zkpor.crypto.r1cs import Circuit, R1CSProof, prove, verify, verify_batch
from zkpor.crypto.rangeproof import prove as range_prove
from zkpor.crypto.rangeproof import verify as range_verify

TARGETS = {
    "prove_range64_circuit_vs_native": 2.0,
    "verify_range64_circuit_vs_native": 2.0,
    "prove_collateral2x12_vs_range_m16": 1.0,
    "prove_collateral4x12_vs_range_m16": 2.0,
}


def _collateral_values(assets: int) -> list[int]:
    """Random equities below 10^13 base units and the largest debt (asset 0) they cover."""
    terms = demo_assets(assets)
    equities = [secrets.randbelow(10**13) for _ in range(assets)]
    total = sum(reference_hundredths(t.table, e * t.price) for e, t in zip(equities, terms))
    debts = [total // (100 * terms[0].price)] + [0] * (assets - 1)
    return [x for e, d in zip(equities, debts) for x in (e, d)]


def bench_range(budget: float) -> dict[str, Any]:
    gens = generators(get_backend("fast"))
    v, r = secrets.randbelow(2**64), random_blindings(1)[0]
    native = range_prove([v], [r], 64, gens=gens)
    c = [commit(v, r, gens)]
    st = get_statement("range64")
    proof, commitments, circuit = prove(st.build, [v], [r], gens=gens)

    def verify_rebuilt() -> None:
        verify(build_circuit("range64"), proof, commitments)

    return {
        "native": {
            "bytes": len(native.to_bytes()),
            "prove_ms": measure(partial(range_prove, [v], [r], 64, gens=gens), min_time=budget)
            * 1e3,
            "verify_ms": measure(partial(range_verify, native, c, 64), min_time=budget) * 1e3,
        },
        "circuit": {
            "gates": circuit.gates,
            "constraints": len(circuit.constraints),
            "bytes": len(proof.to_bytes()),
            "prove_ms": measure(partial(prove, st.build, [v], [r], gens=gens), min_time=budget)
            * 1e3,
            "verify_ms": measure(verify_rebuilt, min_time=budget) * 1e3,
            "verify_prebuilt_ms": measure(
                partial(verify, circuit, proof, commitments), min_time=budget
            )
            * 1e3,
        },
    }


def bench_collateral(assets: int, batch: int, budget: float) -> dict[str, Any]:
    gens = generators(get_backend("fast"))
    name = f"collateral{assets}x12"
    st = get_statement(name)
    values = _collateral_values(assets)
    blindings = random_blindings(len(values))
    proof, commitments, circuit = prove(st.build, values, blindings, gens=gens)

    def verify_rebuilt() -> None:
        verify(build_circuit(name), proof, commitments)

    t_prove, t_native = timed_against_range_m16(
        partial(prove, st.build, values, blindings, gens=gens), gens, budget
    )
    out: dict[str, Any] = {
        "gates": circuit.gates,
        "padded_gates": circuit.padded_gates,
        "constraints": len(circuit.constraints),
        "bytes": len(proof.to_bytes()),
        "prove_ms": t_prove * 1e3,
        "verify_ms": measure(verify_rebuilt, min_time=budget) * 1e3,
        # one native m = 16 range proof, measured just before and after (mean)
        "native_range_m16_prove_ms": t_native * 1e3,
    }
    items: list[tuple[Circuit, R1CSProof, list[Point]]] = []
    for _ in range(batch):
        vals = _collateral_values(assets)
        p, cs, _ = prove(st.build, vals, random_blindings(len(vals)), gens=gens)
        items.append((circuit, p, cs))

    def batch_rebuilt() -> None:
        c = build_circuit(name)  # one rebuild: every proof is of the same statement
        verify_batch([(c, p, cs) for _, p, cs in items])

    t = measure(batch_rebuilt, min_time=budget)
    out[f"batch{batch}"] = {"total_ms": t * 1e3, "per_proof_ms": t * 1e3 / batch}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="shorter timing, batches of 8")
    ap.add_argument("--out", help="also write the JSON report to this file")
    args = ap.parse_args()
    budget = 0.3 if args.quick else 1.0
    batch = 8 if args.quick else 64
    gens = generators(get_backend("fast"))
    gens.vectors(4096)
    _ = gens.G, gens.H
    started = time.time()
    report: dict[str, Any] = {
        "benchmark": "circuits",
        "backend": "fast",
        "machine": machine_info(),
        "proof_bytes_formula": "424 + 66 * log2(padded gates)",
    }
    rng = bench_range(budget)
    report["range64"] = rng
    report["collateral_12_brackets"] = {
        f"assets{a}": bench_collateral(a, batch, budget) for a in (1, 2, 4, 16)
    }
    coll = report["collateral_12_brackets"]
    ratios = {
        "prove_range64_circuit_vs_native": rng["circuit"]["prove_ms"] / rng["native"]["prove_ms"],
        "verify_range64_circuit_vs_native": rng["circuit"]["verify_ms"]
        / rng["native"]["verify_ms"],
        "prove_collateral2x12_vs_range_m16": coll["assets2"]["prove_ms"]
        / coll["assets2"]["native_range_m16_prove_ms"],
        "prove_collateral4x12_vs_range_m16": coll["assets4"]["prove_ms"]
        / coll["assets4"]["native_range_m16_prove_ms"],
    }
    report["ratios"] = {k: round(x, 2) for k, x in ratios.items()}
    report["targets"] = {
        k: {"target": t, "ratio": report["ratios"][k], "met": report["ratios"][k] <= t}
        for k, t in TARGETS.items()
    }
    report["seconds"] = round(time.time() - started, 1)
    emit(rounded(report), args.out)


if __name__ == "__main__":
    main()
