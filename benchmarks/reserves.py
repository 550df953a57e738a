"""Reserves benchmark: verify_reserves over 5 assets x 50 signed addresses.

    python -m benchmarks.reserves [--addresses 50] [--out FILE]

The snapshot has BTC (chain bitcoin) and TBTC (bitcoin-testnet), each cycling P2PKH,
P2WPKH and P2SH-P2WPKH addresses, and ETH, USDT, USDC (ethereum), every address with a real
ownership signature. Each configuration runs in its own process, so the backend choice and
the import of coincurve are those a verifier would have:

- ``fast``: ZKPOR_BACKEND=fast, recovery by libsecp256k1 (coincurve);
- ``reference``: ZKPOR_BACKEND=reference, recovery still by coincurve (it imports);
- ``reference-group``: ZKPOR_BACKEND=reference with the group recovery forced;
- ``no-coincurve``: coincurve made unimportable: the reference backend and the group
  recovery, pure Python (the lightweight verifier anywhere);
- ``fast-group``: the group recovery on the fast backend's points.

Prints JSON: per configuration, the seconds to import the reserves checks, the first call
(fixed-base table of G included) and the median of later calls.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import emit, machine_info, measure

EXCHANGE, ROUND = "Bench Exchange", "2026-12"
ASSETS = (
    ("BTC", "bitcoin", 8),
    ("TBTC", "bitcoin-testnet", 8),
    ("ETH", "ethereum", 9),
    ("USDT", "ethereum", 6),
    ("USDC", "ethereum", 6),
)
CONFIGS: dict[str, dict[str, str]] = {
    "fast": {"ZKPOR_BACKEND": "fast"},
    "reference": {"ZKPOR_BACKEND": "reference"},
    "reference-group": {"ZKPOR_BACKEND": "reference", "BENCH_RECOVERY": "group"},
    "no-coincurve": {"BENCH_BLOCK_COINCURVE": "1"},
    "fast-group": {"ZKPOR_BACKEND": "fast", "BENCH_RECOVERY": "group"},
}


def make_snapshot(per_asset: int) -> dict[str, Any]:
    """The benchmark snapshot, keys SHA-256("bench/ASSET/i")."""
    from zkpor.reserves.holdings import known_token
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    assets = []
    for sym, chain, _ in ASSETS:
        rows = []
        for i in range(per_asset):
            key = hashlib.sha256(f"bench/{sym}/{i}".encode()).digest()
            if chain == "ethereum":
                addr = ethereum_address(key)
                sig = sign_ethereum(key, ownership_message(EXCHANGE, ROUND, addr))
            else:
                kind = ("p2pkh", "p2wpkh", "p2sh-p2wpkh")[i % 3]
                addr = bitcoin_address(key, kind, chain)
                sig = sign_bitcoin(key, ownership_message(EXCHANGE, ROUND, addr), kind)
            rows.append({"address": addr, "balance": f"{i + 1}.5", "signature": sig})
        entry: dict[str, Any] = {
            "asset": sym,
            "chain": chain,
            "block_height": 1,
            "addresses": rows,
        }
        # a known token symbol must name its known contract (docs/spec.md 10.5)
        known = known_token(sym, 1) if chain == "ethereum" else None
        if known is not None:
            entry.update(token_contract=known.contract, chain_id=1)
        assets.append(entry)
    return {
        "format": "zkpor-reserves-v1",
        "exchange": EXCHANGE,
        "round_id": ROUND,
        "assets": assets,
    }


def worker(path: str) -> dict[str, Any]:
    """One configuration, in this process (set up by the environment)."""
    if os.environ.get("BENCH_BLOCK_COINCURVE"):
        sys.modules["coincurve"] = None  # type: ignore[assignment]
    t0 = time.perf_counter()
    from zkpor.crypto.group import active_backend
    from zkpor.reserves import ecrecover, load_reserves, verify_reserves

    import_s = time.perf_counter() - t0
    snap = load_reserves(Path(path))
    decimals = {sym: d for sym, _, d in ASSETS}

    def run() -> None:
        verify_reserves(snap, exchange=EXCHANGE, round_id=ROUND, decimals=decimals)

    forced = os.environ.get("BENCH_RECOVERY")
    with contextlib.ExitStack() as stack:
        if forced:
            stack.enter_context(ecrecover.using(forced))
        method = ecrecover.default_method()
        t0 = time.perf_counter()
        run()
        first_s = time.perf_counter() - t0
        median_s = measure(run, min_time=1.0)
    return {
        "backend": active_backend().name,
        "recovery": method,
        "coincurve_imported": sys.modules.get("coincurve") is not None,
        "import_s": round(import_s, 4),
        "first_call_s": round(first_s, 4),
        "median_s": round(median_s, 4),
        "per_address_ms": round(median_s * 1e3 / sum(len(a.addresses) for a in snap.assets), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--addresses", type=int, default=50, help="addresses per asset")
    ap.add_argument("--config", choices=list(CONFIGS), action="append")
    ap.add_argument("--out", help="also write the JSON report to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    report: dict[str, Any] = {
        "benchmark": "reserves",
        "machine": machine_info(),
        "assets": [{"asset": s, "chain": c, "addresses": args.addresses} for s, c, _ in ASSETS],
        "configs": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reserves.json"
        path.write_text(json.dumps(make_snapshot(args.addresses)))
        for name in args.config or list(CONFIGS):
            env = {k: v for k, v in os.environ.items() if not k.startswith(("ZKPOR_", "BENCH_"))}
            env.update(CONFIGS[name])
            r = subprocess.run(
                [sys.executable, "-m", "benchmarks.reserves", "--worker", str(path)],
                capture_output=True,
                text=True,
                check=False,
                env=env,
            )
            if r.returncode != 0:
                raise SystemExit(f"configuration {name} failed:\n{r.stderr}")
            report["configs"][name] = json.loads(r.stdout)
    emit(report, args.out)


if __name__ == "__main__":
    main()
