"""Group-layer benchmark: scalar multiplication, msm, commit, hash-to-curve, per backend.

    python -m benchmarks.group [--backend reference|fast] [--quick] [--out FILE]

Prints JSON: per backend, median microseconds per operation. ``native_ratio`` compares the
fast backend's operations with the same libsecp256k1 call made directly through coincurve's
public API in the same run (the native anchor for this layer).
"""

from __future__ import annotations

import argparse
import random
from functools import partial
from typing import Any

from benchmarks._harness import emit, machine_info, measure
from zkpor.crypto.generators import generators
from zkpor.crypto.group import N, get_backend, hash_to_curve
from zkpor.crypto.pedersen import commit


def bench_backend(name: str, quick: bool) -> dict[str, Any]:
    be = get_backend(name)
    pt = be.Point
    rng = random.Random(2024)
    gens = generators(be)
    _ = gens.G, gens.H  # build fixed-base tables outside the timings
    g = pt.generator()
    p = g * rng.randrange(1, N)
    q = g * rng.randrange(1, N)
    k = rng.randrange(N)
    enc = p.to_bytes()
    res: dict[str, float] = {}
    res["add_us"] = measure(lambda: p + q) * 1e6
    res["scalar_mul_us"] = measure(lambda: p * k) * 1e6
    res["scalar_mul_G_precomputed_us"] = measure(lambda: gens.G * k) * 1e6
    # to_bytes caches its result, so time a fresh sum's encoding and subtract the addition
    res["encode_us"] = measure(lambda: (p + q).to_bytes()) * 1e6 - res["add_us"]
    res["decode_us"] = measure(lambda: pt.from_bytes(enc)) * 1e6
    v = rng.randrange(2**64)
    r = rng.randrange(N)
    res["commit_us"] = measure(lambda: commit(v, r, gens)) * 1e6
    res["hash_to_curve_us"] = measure(lambda: hash_to_curve(b"bench", b"ZKPOR-BENCH", pt)) * 1e6
    sizes = [128] if quick and name == "reference" else [128, 4096]
    for size in sizes:
        pts = [g * rng.randrange(1, N) for _ in range(size)]
        sc = [rng.randrange(N) for _ in range(size)]
        t = measure(partial(pt.msm, sc, pts), min_time=0.5)
        res[f"msm_{size}_ms"] = t * 1e3
        res[f"msm_{size}_us_per_point"] = t * 1e6 / size
    return {k2: round(v2, 3) for k2, v2 in res.items()}


def native_anchor() -> dict[str, float]:
    """The same operations through coincurve's public API, no zkpor code involved."""
    from coincurve import PrivateKey, PublicKey

    rng = random.Random(7)
    k = rng.randrange(1, N).to_bytes(32, "big")
    pk = PrivateKey(rng.randrange(1, N).to_bytes(32, "big")).public_key
    pk2 = PrivateKey(rng.randrange(1, N).to_bytes(32, "big")).public_key
    keys = [PrivateKey(rng.randrange(1, N).to_bytes(32, "big")).public_key for _ in range(128)]
    return {
        "scalar_mul_us": round(measure(lambda: pk.multiply(k)) * 1e6, 3),
        "scalar_mul_G_us": round(measure(lambda: PublicKey.from_secret(k)) * 1e6, 3),
        "add_us": round(measure(lambda: PublicKey.combine_keys([pk, pk2])) * 1e6, 3),
        "msm_128_naive_ms": round(
            measure(lambda: PublicKey.combine_keys([x.multiply(k) for x in keys])) * 1e3, 3
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", choices=["reference", "fast"], action="append")
    ap.add_argument("--quick", action="store_true", help="skip the slowest sizes")
    ap.add_argument("--out", help="also write the JSON report to this file")
    args = ap.parse_args()
    names = args.backend or ["fast", "reference"]
    report: dict[str, Any] = {"benchmark": "group", "machine": machine_info(), "backends": {}}
    for name in names:
        report["backends"][name] = bench_backend(name, args.quick)
    if "fast" in names:
        anchor = native_anchor()
        fast = report["backends"]["fast"]
        report["native_anchor_coincurve"] = anchor
        report["native_ratio"] = {
            "scalar_mul": round(fast["scalar_mul_us"] / anchor["scalar_mul_us"], 2),
            "add": round(fast["add_us"] / anchor["add_us"], 2),
            "msm_128_vs_naive_coincurve": round(fast["msm_128_ms"] / anchor["msm_128_naive_ms"], 2),
        }
    emit(report, args.out)


if __name__ == "__main__":
    main()
