"""Margin-accounts benchmark: collateral proofs against one m = 16 range proof, and the
liabilities pipeline with and without debts, in one run.

    python -m benchmarks.margin [--quick] [--customers N] [--workers W] [--out FILE]

Fast backend. Measures:

- collateral proofs of margin accounts (:func:`zkpor.protocol.margin.account_build`) under terms as an
  assets file gives them (USD quote with 2 decimals, 12 haircut brackets per asset from
  10k to 50M USD, real decimals: BTC 8, ETH 9, USDT 6, SOL 9): an account with 2 assets
  (equity and debt in each) and one with 4; prove (circuit build, satisfiability check and
  proof), verify (circuit rebuilt), batch verification of 32 proofs (8 with --quick) per
  proof, gates; and one native m = 16 range proof (a node of arity 16) measured just before
  and after each prover, with the ratios (targets: 2 assets <= 1.0, 4 assets <= 2.0);
- ``prove_liabilities`` on N customers (default 2000) holding 2 assets, without debts and
  with 5% of them margin accounts (one debt each, within their collateral), same customers,
  same options (arity 16, padding 256, debt padding 64), ``ProcessPoolExecutor(W)``; the
  ratio with/without (target <= 1.4). Both runs include the self-check (the with-debt one
  verifies every collateral proof).

Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import secrets
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

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
from zkpor.crypto.r1cs import Circuit, R1CSProof, prove, verify, verify_batch
from zkpor.formats.amounts import format_units
from zkpor.protocol.margin import (
    MarginTerms,
    Tier,
    account_build,
    account_circuit,
    collateral_hundredths,
)
from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities

TARGETS = {
    "prove_account2x12_vs_range_m16": 1.0,
    "prove_account4x12_vs_range_m16": 2.0,
    "liabilities_margin5pct_vs_none": 1.4,
}
_BOUNDS = (
    *("10000", "50000", "100000", "250000", "500000", "1000000", "2500000", "5000000"),
    *("10000000", "25000000", "50000000"),
)
TIERS = [Tier(b, r) for b, r in zip(_BOUNDS, (100, 97, 95, 90, 85, 80, 70, 60, 50, 40, 20))]
TIERS.append(Tier(None, 0))
ASSETS = {"BTC": (8, "60000.00"), "ETH": (9, "3000.00"), "USDT": (6, "1.00"), "SOL": (9, "150.00")}


def terms() -> MarginTerms:
    return MarginTerms.build("USD", 2, {a: (d, p, TIERS) for a, (d, p) in ASSETS.items()})


def _account(t: MarginTerms, assets: list[str]) -> list[int]:
    """Random equities (up to ~1M USD each) and debts using ~half of their collateral."""
    equity = {
        a: secrets.randbelow(10**6 * 10 ** (ASSETS[a][0]) // max(1, int(float(ASSETS[a][1]))))
        for a in assets
    }
    cover = collateral_hundredths(t, equity)
    share = cover // (2 * len(assets))
    debts = [share // (100 * t.prices[a]) for a in assets]
    return [*equity.values(), *debts]


def bench_account(t: MarginTerms, assets: list[str], batch: int, budget: float) -> dict[str, Any]:
    gens = generators(get_backend("fast"))
    build = account_build(t, assets, assets)
    values = _account(t, assets)
    blindings = random_blindings(len(values))
    proof, commitments, circuit = prove(build, values, blindings, gens=gens)

    def verify_rebuilt() -> None:
        verify(account_circuit(t, assets, assets), proof, commitments)

    t_prove, t_native = timed_against_range_m16(
        partial(prove, build, values, blindings, gens=gens), gens, budget
    )
    items: list[tuple[Circuit, R1CSProof, list[Point]]] = []
    for _ in range(batch):
        vals = _account(t, assets)
        p, cs, _ = prove(build, vals, random_blindings(len(vals)), gens=gens)
        items.append((circuit, p, cs))

    def batch_rebuilt() -> None:
        c = account_circuit(t, assets, assets)
        verify_batch([(c, p, cs) for _, p, cs in items])

    t_batch = measure(batch_rebuilt, min_time=budget)
    return {
        "assets": assets,
        "gates": circuit.gates,
        "padded_gates": circuit.padded_gates,
        "constraints": len(circuit.constraints),
        "bytes": len(proof.to_bytes()),
        "prove_ms": t_prove * 1e3,
        "verify_ms": measure(verify_rebuilt, min_time=budget) * 1e3,
        f"batch{batch}_per_proof_ms": t_batch * 1e3 / batch,
        "native_range_m16_prove_ms": t_native * 1e3,
    }


def _dataset(tmp: Path, customers: int, margin: bool, seed: int) -> tuple[Path, Path]:
    """2-asset customers (BTC, USDT); with ``margin`` 5% owe USDT (or BTC) against BTC (or
    USDT) worth twice as much after haircuts."""
    rng = random.Random(seed)
    t = terms()
    spec = {
        "quote": {"symbol": "USD", "decimals": 2},
        "assets": [
            {
                "symbol": a,
                "decimals": ASSETS[a][0],
                "price": ASSETS[a][1],
                "tiers": [
                    {"ratio": x.ratio} if x.up_to is None else {"up_to": x.up_to, "ratio": x.ratio}
                    for x in TIERS
                ],
            }
            for a in ("BTC", "USDT")
        ],
    }
    assets_path = tmp / f"assets-{margin}.json"
    assets_path.write_text(json.dumps(spec))
    csv_path = tmp / f"balances-{margin}.csv"
    with csv_path.open("w") as fh:
        fh.write("user_id,asset,amount,debt\n")
        for i in range(customers):
            btc = int(0.02 * 10**8 * math.exp(rng.gauss(0, 1.6)))
            usdt = int(400 * 10**6 * math.exp(rng.gauss(0, 1.6)))
            debt = {"BTC": 0, "USDT": 0}
            if rng.random() < 0.05:
                owed = "USDT" if i % 2 else "BTC"
                held = "BTC" if owed == "USDT" else "USDT"
                cover = collateral_hundredths(t, {held: btc if held == "BTC" else usdt})
                debt[owed] = cover // 2 // (100 * t.prices[owed])
                if owed == "BTC":
                    btc = 0
                else:
                    usdt = 0
            if not margin:
                debt = {"BTC": 0, "USDT": 0}
            for a, units in (("BTC", btc), ("USDT", usdt)):
                d = format_units(debt[a], ASSETS[a][0]) if debt[a] else ""
                fh.write(f"c{i:06d},{a},{format_units(units, ASSETS[a][0])},{d}\n")
    return csv_path, assets_path


def bench_liabilities(customers: int, workers: int) -> dict[str, Any]:
    out: dict[str, Any] = {"customers": customers, "assets": 2, "workers": workers}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for margin in (False, True):
            csv_path, assets_path = _dataset(tmp, customers, margin, seed=7)
            opts = ProveOptions(
                round_id="bench", arity=16, pad_granularity=256, debt_pad_granularity=64
            )
            stages: dict[str, list[float]] = {}

            def progress(
                stage: str, done: int, total: int, stages: dict[str, list[float]] = stages
            ) -> None:
                now = time.perf_counter()
                span = stages.setdefault(
                    stage.split(" ")[0] + " " + stage.split(" ")[-1], [now, now]
                )
                span[1] = now

            started = time.perf_counter()
            with ProcessPoolExecutor(workers) as ex:
                summary = prove_liabilities(
                    csv_path,
                    assets_path,
                    secrets.token_bytes(32),
                    opts,
                    tmp / f"b-{margin}",
                    ex,
                    progress=progress,
                )
            seconds = time.perf_counter() - started
            key = "margin5pct" if margin else "no_debt"
            out[key] = {
                "seconds": seconds,
                "debt_trees": {a: i["leaf_count"] for a, i in summary.debts.items()},
                "collateral_proofs": summary.margin_accounts,
                # first to last progress report of each stage (seconds, approximate)
                "stages": {k: round(b - a, 2) for k, (a, b) in stages.items()},
            }
    out["ratio"] = out["margin5pct"]["seconds"] / out["no_debt"]["seconds"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="shorter timing, batches of 8")
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", help="also write the JSON report to this file")
    args = ap.parse_args()
    budget = 0.3 if args.quick else 1.0
    batch = 8 if args.quick else 32
    gens = generators(get_backend("fast"))
    gens.vectors(4096)
    _ = gens.G, gens.H
    started = time.time()
    t = terms()
    report: dict[str, Any] = {"benchmark": "margin", "backend": "fast", "machine": machine_info()}
    report["account2x12"] = bench_account(t, ["BTC", "ETH"], batch, budget)
    report["account4x12"] = bench_account(t, list(ASSETS), batch, budget)
    report["liabilities"] = bench_liabilities(args.customers, args.workers)
    ratios = {
        "prove_account2x12_vs_range_m16": report["account2x12"]["prove_ms"]
        / report["account2x12"]["native_range_m16_prove_ms"],
        "prove_account4x12_vs_range_m16": report["account4x12"]["prove_ms"]
        / report["account4x12"]["native_range_m16_prove_ms"],
        "liabilities_margin5pct_vs_none": report["liabilities"]["ratio"],
    }
    report["targets"] = {
        k: {"target": x, "ratio": round(ratios[k], 2), "met": ratios[k] <= x}
        for k, x in TARGETS.items()
    }
    report["seconds"] = round(time.time() - started, 1)
    emit(rounded(report), args.out)


if __name__ == "__main__":
    main()
