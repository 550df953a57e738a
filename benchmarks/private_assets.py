"""Private proof of assets over an anonymity set: cost per key, proof size, peak memory.

    python -m benchmarks.private_assets --keys N [--owned 0.01] [--batch 4096] [--out FILE]

Makes a set of N keys (random secrets, random balances below 2^40, a fraction ``--owned`` of
them the exchange's), then proves and verifies from files, on the fast backend. Each phase
runs in its own process, so that its peak resident memory (``ru_maxrss``) is its own: the
set is made in one, proven in another, verified in a third; a fourth only imports the same
modules, for the baseline. In the proving and verifying processes the time of one coincurve
scalar multiplication (a random point by a random scalar, ``PublicKey.multiply``) is
measured just before and just after the timed work, and the per-key figures are the time per
key divided by their mean (``*_scalar_mults``). Verification is batched (``--batch`` keys
per multi-scalar multiplication) and includes reading and checking the set file and the
proof file. With ``--tracemalloc`` each phase is run a second time, untimed, under
tracemalloc, for the peak of the Python heap.

Prints JSON (see docs/spec/private-reserves.md, 17.9, for the committed runs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._harness import emit, machine_info, measure, rounded

EXCHANGE = "Bench Exchange"
ROUND = "bench-1"


def _scalar_mult_seconds() -> float:
    """Seconds per coincurve scalar multiplication of a random point by a random scalar."""
    from coincurve import PrivateKey

    from zkpor.crypto.group import N

    rng = random.Random(os.urandom(8))
    point = PrivateKey(rng.randrange(1, N).to_bytes(32, "big")).public_key
    k = rng.randrange(1, N).to_bytes(32, "big")
    return measure(lambda: point.multiply(k), min_time=0.5)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make(folder: Path, keys: int, owned: float, seed: int) -> dict[str, Any]:
    from zkpor.crypto.group import N, Point
    from zkpor.reserves.anonset_build import build_anonset

    rng = random.Random(seed)
    g = Point.generator()
    secrets = [rng.randrange(1, N) for _ in range(keys)]
    members = [(g * x, rng.randrange(2**40)) for x in secrets]
    n_owned = max(1, round(keys * owned))
    mine = {(g * x).to_bytes().hex(): hex(x) for x in secrets[:n_owned]}
    data = build_anonset(members, asset="BTC", chain="bitcoin", block_height=870000, decimals=8)
    (folder / "set.txt").write_bytes(data)
    (folder / "owned.json").write_text(json.dumps(mine))
    return {"set_bytes": len(data), "owned_keys": n_owned}


def _prove(folder: Path) -> None:
    from zkpor.reserves.private_assets import prove_private_assets

    mine = {
        bytes.fromhex(k): int(v, 16)
        for k, v in json.loads((folder / "owned.json").read_text()).items()
    }
    prove_private_assets(
        folder / "set.txt",
        folder / "proof.zkpa",
        mine,
        exchange=EXCHANGE,
        round_id=ROUND,
        tag_secret=b"bench tag secret",
    )


def _verify(folder: Path, batch: int) -> None:
    from zkpor.reserves.private_assets import verify_private_assets

    verify_private_assets(
        folder / "set.txt",
        folder / "proof.zkpa",
        exchange=EXCHANGE,
        round_id=ROUND,
        batch_keys=batch,
    )


def _read_set(folder: Path) -> None:
    from zkpor.formats.anonset import AnonSetReader

    with AnonSetReader(folder / "set.txt") as reader:
        for _ in reader:
            pass


def phase(name: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in this process and return its figures."""
    import zkpor.crypto.private_assets_prover
    import zkpor.reserves.private_assets  # noqa: F401

    if name == "make":
        return _make(folder, args.keys, args.owned, args.seed)
    if name == "baseline":
        from zkpor.crypto.generators import generators

        _ = generators().G, generators().H
        return {"peak_rss_mb": _rss_mb()}
    work: Callable[[], None] = {
        "prove": lambda: _prove(folder),
        "verify": lambda: _verify(folder, args.batch),
        "read_set": lambda: _read_set(folder),
    }[name]
    before = _scalar_mult_seconds()
    t0 = time.perf_counter()
    work()
    seconds = time.perf_counter() - t0
    after = _scalar_mult_seconds()
    out: dict[str, Any] = {
        "seconds": seconds,
        "scalar_mult_us": (before + after) / 2 * 1e6,
        "peak_rss_mb": _rss_mb(),
    }
    if args.tracemalloc:
        tracemalloc.start()
        work()
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out


def _run_phase(name: str, folder: Path, argv: list[str]) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.private_assets",
        "--phase",
        name,
        "--dir",
        str(folder),
        *argv,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--keys", type=int, default=10_000, help="set size (default 10,000)")
    ap.add_argument("--owned", type=float, default=0.01, help="fraction owned (default 0.01)")
    ap.add_argument("--batch", type=int, default=4096, help="keys per verification msm")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--tracemalloc", action="store_true", help="also the Python heap's peak")
    ap.add_argument("--out", help="also write the JSON report to this file")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("ZKPOR_BACKEND", "fast")
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.dir), args)))
        return
    argv = [
        f"--keys={args.keys}",
        f"--owned={args.owned}",
        f"--batch={args.batch}",
        f"--seed={args.seed}",
    ]
    if args.tracemalloc:
        argv.append("--tracemalloc")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = _run_phase("make", folder, argv)
        baseline = _run_phase("baseline", folder, argv)
        read = _run_phase("read_set", folder, argv)
        proved = _run_phase("prove", folder, argv)
        proof_bytes = (folder / "proof.zkpa").stat().st_size
        verified = _run_phase("verify", folder, argv)
    n: int = args.keys

    def per_key(p: dict[str, Any]) -> float:
        return float(p["seconds"]) / n / (float(p["scalar_mult_us"]) / 1e6)

    from zkpor.crypto.private_assets import RECORD_BYTES

    report: dict[str, Any] = {
        "benchmark": "private_assets",
        "machine": machine_info(),
        "keys": n,
        "owned_keys": made["owned_keys"],
        "batch_keys": args.batch,
        "backend": "fast",
        "per_key": {
            "prove_scalar_mults": per_key(proved),
            "verify_scalar_mults": per_key(verified),
            "read_set_scalar_mults": per_key(read),
            "bytes": RECORD_BYTES,
            "prove_us": proved["seconds"] / n * 1e6,
            "verify_us": verified["seconds"] / n * 1e6,
        },
        "targets_per_key": {"prove_scalar_mults": 16, "verify_scalar_mults": 4, "bytes": 512},
        "seconds": {
            "prove": proved["seconds"],
            "verify": verified["seconds"],
            "read_set": read["seconds"],
        },
        "scalar_mult_us": {
            "prove_run": proved["scalar_mult_us"],
            "verify_run": verified["scalar_mult_us"],
        },
        "files": {"set_bytes": made["set_bytes"], "proof_bytes": proof_bytes},
        "peak_rss_mb": {
            "baseline_imports": baseline["peak_rss_mb"],
            "prove": proved["peak_rss_mb"],
            "verify": verified["peak_rss_mb"],
        },
    }
    if args.tracemalloc:
        report["tracemalloc_peak_mb"] = {
            "prove": proved["tracemalloc_peak_mb"],
            "verify": verified["tracemalloc_peak_mb"],
        }
    emit(rounded(report), args.out)


if __name__ == "__main__":
    main()
