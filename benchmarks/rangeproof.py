"""Range-proof benchmark against the native anchor, in one run.

    python -m benchmarks.rangeproof [--backend fast|reference] [--quick] [--out FILE]
                                    [--anchor PATH | --no-anchor]

Measures prove and verify for m aggregated 64-bit values (m = 1, 2, 4, 16, 64) and batch
verification of 64 single proofs, per backend; runs libsecp256k1-zkp's Bulletproofs (the
anchor built by ../shared/bench/build-anchor.sh) in the same process tree before and after,
and reports ratios ours / anchor. Generator derivation is done before timing (the anchor also
builds its generators outside its timed loop). Prints JSON.
"""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import time
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks._harness import emit, machine_info, measure
from zkpor.crypto.generators import generators
from zkpor.crypto.group import N, Point, get_backend
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof import RangeProof, prove, verify, verify_batch

ROOT = Path(__file__).resolve().parent.parent
ANCHOR_SCRIPT = ROOT.parent / "shared" / "bench" / "build-anchor.sh"
SIZES = (1, 2, 4, 16, 64)
TARGETS = {  # fast backend, ratio to the anchor measured in the same run
    "prove_m1": 1.5,
    "prove_m16": 1.5,
    "verify_m1": 2.5,
    "verify_m16": 3.0,
    "batch64_per_proof_vs_single_verify": 1.0,
}


def build_anchor(path: str | None) -> Path | None:
    if path:
        return Path(path)
    if not ANCHOR_SCRIPT.exists():
        return None
    out = subprocess.run(["bash", str(ANCHOR_SCRIPT)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    return Path(out.stdout.strip().splitlines()[-1])


def run_anchor(binary: Path, m: int) -> dict[str, float]:
    iters = max(3, 64 // m)
    out = subprocess.run(
        [str(binary), str(m), str(iters)], capture_output=True, text=True, check=True
    )
    match = re.search(r"plen=(\d+) prove=([\d.]+) ms verify=([\d.]+) ms", out.stdout)
    if not match:
        raise RuntimeError(f"unexpected anchor output: {out.stdout!r}")
    return {
        "bytes": int(match.group(1)),
        "prove_ms": float(match.group(2)),
        "verify_ms": float(match.group(3)),
    }


def bench_backend(name: str, sizes: tuple[int, ...]) -> dict[str, Any]:
    be = get_backend(name)
    gens = generators(be)
    gens.vectors(64 * max(sizes))
    _ = gens.G, gens.H
    res: dict[str, Any] = {}
    for m in sizes:
        values = [secrets.randbelow(2**64) for _ in range(m)]
        blindings = [secrets.randbelow(N - 1) + 1 for _ in range(m)]
        commitments = [commit(v, r, gens) for v, r in zip(values, blindings)]
        proof = prove(values, blindings, 64, gens=gens)
        budget = 0.4 if name == "fast" else 0.1
        t_prove = measure(partial(prove, values, blindings, 64, gens=gens), min_time=budget)
        t_verify = measure(partial(verify, proof, commitments, 64), min_time=budget)
        res[f"m{m}"] = {
            "bytes": len(proof.to_bytes()),
            "prove_ms": round(t_prove * 1e3, 3),
            "verify_ms": round(t_verify * 1e3, 3),
        }
    # batch verification of 64 single 64-bit proofs
    items: list[tuple[RangeProof | bytes, list[Point], int]] = []
    for _ in range(64):
        v, r = secrets.randbelow(2**64), secrets.randbelow(N - 1) + 1
        items.append((prove([v], [r], 64, gens=gens), [commit(v, r, gens)], 64))
    t_batch = measure(lambda: verify_batch(items), min_time=0.5 if name == "fast" else 0.1)
    res["batch64"] = {
        "total_ms": round(t_batch * 1e3, 3),
        "per_proof_ms": round(t_batch * 1e3 / 64, 3),
    }
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", choices=["reference", "fast"], action="append")
    ap.add_argument("--quick", action="store_true", help="m = 1 and 16 only")
    ap.add_argument("--anchor", help="path of a built anchor_bulletproofs binary")
    ap.add_argument("--no-anchor", action="store_true")
    ap.add_argument("--out", help="also write the JSON report to this file")
    args = ap.parse_args()
    sizes = (1, 16) if args.quick else SIZES
    names = args.backend or ["fast", "reference"]
    report: dict[str, Any] = {
        "benchmark": "rangeproof",
        "bits": 64,
        "machine": machine_info(),
        "proof_bytes_formula": "292 + 66 * log2(64 m)",
        "backends": {},
    }
    binary = None if args.no_anchor else build_anchor(args.anchor)
    anchor_before = {f"m{m}": run_anchor(binary, m) for m in sizes} if binary else None
    started = time.time()
    for name in names:
        report["backends"][name] = bench_backend(name, sizes)
    report["our_seconds"] = round(time.time() - started, 1)
    if binary and anchor_before:
        anchor_after = {f"m{m}": run_anchor(binary, m) for m in sizes}
        anchor = {
            key: {
                "bytes": anchor_before[key]["bytes"],
                "prove_ms": round(
                    (anchor_before[key]["prove_ms"] + anchor_after[key]["prove_ms"]) / 2, 3
                ),
                "verify_ms": round(
                    (anchor_before[key]["verify_ms"] + anchor_after[key]["verify_ms"]) / 2, 3
                ),
            }
            for key in anchor_before
        }
        report["anchor"] = {
            "binary": str(binary),
            "mean": anchor,
            "before": anchor_before,
            "after": anchor_after,
        }
        ratios: dict[str, Any] = {}
        for name, res in report["backends"].items():
            r: dict[str, float] = {}
            for key in anchor:
                r[f"prove_{key}"] = round(res[key]["prove_ms"] / anchor[key]["prove_ms"], 2)
                r[f"verify_{key}"] = round(res[key]["verify_ms"] / anchor[key]["verify_ms"], 2)
            r["batch64_per_proof_vs_single_verify"] = round(
                res["batch64"]["per_proof_ms"] / anchor["m1"]["verify_ms"], 2
            )
            ratios[name] = r
        report["ratios"] = ratios
        if "fast" in ratios:
            report["targets_fast"] = {
                key: {
                    "target": limit,
                    "ratio": ratios["fast"].get(key),
                    "met": ratios["fast"].get(key, 99) <= limit,
                }
                for key, limit in TARGETS.items()
                if key in ratios["fast"]
            }
    else:
        report["anchor"] = None
    emit(report, args.out)


if __name__ == "__main__":
    main()
