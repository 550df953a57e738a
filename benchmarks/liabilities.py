"""Proof-of-liabilities benchmark: proving throughput, memory, bundle and inclusion-proof
sizes, inclusion verification, full audit; the inclusion proof at 1M-customer depth.

    python -m benchmarks.liabilities [--customers N]... [--assets M]... [--arity K]
                                     [--workers W] [--samples S] [--skip-reference]
                                     [--synth-customers N] [--arities 2,4,8,16]
                                     [--sweep-leaves L] [--seed S] [--out FILE]

Per (customers, assets) combination (``--customers 0`` skips them all): a synthetic balances
CSV (log-normal balances in base units; each customer holds a random subset of the assets)
is proved with ``prove_liabilities`` on a ``ProcessPoolExecutor(workers)``. The proving run
is a child process of its own, so its peak RSS (driver: RUSAGE_SELF; pool workers:
RUSAGE_CHILDREN, read after the pool shut down) belongs to that combination alone. Then a few
customers' inclusion proofs are exported and verified (fast backend in process; reference
backend in a subprocess with ZKPOR_BACKEND=reference, timing only the verify call after a
warm-up), and the bundle is audited with ``audit_bundle``.

Once per run (``--synth-customers``, default 1,000,000; 0 skips): a valid single-asset
inclusion proof for leaf 0 of a tree of that many customers (padded to a multiple of 256) is
synthesized level by level with the real commitment, hash and range-proof functions (no
million-leaf tree is built), checked (accepted; rejected after one sibling commitment is
changed), and measured against the targets.

``--arities 2,4,8,16``: per arity, the proving cost per leaf of a small tree
(``--sweep-leaves``, one asset, one process, ``build_chunk`` over the whole tree), the
cost per leaf of verifying all its node proofs (what a full audit does), and the
synthesized 1M-depth inclusion proof's size and verify time. Prints JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, cast

from benchmarks._harness import emit, machine_info
from zkpor.crypto.generators import generator_digest, generators
from zkpor.crypto.group import N, Point, active_backend
from zkpor.crypto.pedersen import commit
from zkpor.crypto.rangeproof import RangeProof, prove, verify_batch
from zkpor.errors import VerificationError
from zkpor.formats.models import (
    INCLUSION_FORMAT,
    ROOTS_FORMAT,
    Arity,
    AssetInclusion,
    AssetRoot,
    ChildNode,
    InclusionProof,
    PathStep,
    Roots,
)
from zkpor.protocol.sumtree import (
    NO_TAG_BYTES,
    RANGE_BITS,
    check_arity,
    child_chunks,
    children_of,
    leaf_hash,
    level_sizes,
    node_hash,
    split_child_proofs,
)
from zkpor.prover.liabilities.build import ChunkTask, build_chunk
from zkpor.prover.liabilities.export import BundleReader
from zkpor.prover.liabilities.inputs import U64_MAX
from zkpor.prover.liabilities.keys import RoundKeys
from zkpor.prover.liabilities.prover import (
    DEFAULT_ARITY,
    DEFAULT_PAD_GRANULARITY,
    ProveOptions,
    prove_liabilities,
)
from zkpor.verify.inclusion import format_units, verify_inclusion
from zkpor.verify.trees import audit_bundle

ROOT = Path(__file__).resolve().parent.parent
ROUND_ID = "bench-2026-q4"

# symbol, decimals, share of customers holding it, median balance (display units), sigma of
# ln(balance). ETH is counted in gwei (9 decimals): at 18 decimals an asset's total must stay
# below 2^64 wei = 18.4 ETH, which no exchange fits.
ASSET_TABLE: tuple[tuple[str, int, float, float, float], ...] = (
    ("BTC", 8, 0.85, 0.004, 2.5),
    ("ETH", 9, 0.60, 0.08, 2.5),
    ("USDT", 6, 0.70, 150.0, 2.2),
    ("SOL", 9, 0.35, 3.0, 2.3),
    ("USDC", 6, 0.40, 120.0, 2.2),
    ("XRP", 6, 0.30, 400.0, 2.4),
    ("DOGE", 8, 0.25, 2000.0, 2.6),
    ("ADA", 6, 0.25, 500.0, 2.3),
)
TARGETS: dict[str, float] = {  # at 1M customers
    "inclusion_bytes_per_asset": 12_000,
    "verify_fast_ms": 100.0,
    "verify_reference_ms": 3000.0,
}
MIB = 1024.0  # ru_maxrss is in KiB on Linux


# --- synthetic inputs -------------------------------------------------------------------


@dataclass
class Dataset:
    balances: Path
    assets_file: Path
    entries: int
    user_ids: list[str]
    holdings: list[int]  # number of assets each customer holds
    holders: dict[str, int]
    totals: dict[str, int]


def make_dataset(directory: Path, customers: int, n_assets: int, rng: random.Random) -> Dataset:
    """Write balances.csv and assets.json for ``customers`` customers over ``n_assets``."""
    if not 1 <= n_assets <= len(ASSET_TABLE):
        raise SystemExit(f"--assets must be between 1 and {len(ASSET_TABLE)}")
    table = ASSET_TABLE[:n_assets]
    cap = U64_MAX // max(customers, 1)  # every asset total stays below 2^64
    holders = {sym: 0 for sym, *_ in table}
    totals = {sym: 0 for sym, *_ in table}
    user_ids: list[str] = []
    holdings: list[int] = []
    entries = 0
    balances = directory / "balances.csv"
    with balances.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["user_id", "asset", "amount"])
        for i in range(customers):
            uid = f"user-{i:08d}"
            held = [a for a in table if rng.random() < a[2]] if n_assets > 1 else list(table)
            if not held:
                held = [rng.choice(table)]
            for sym, decimals, _share, median, sigma in held:
                mu = math.log(median * 10**decimals)
                units = min(cap, int(rng.lognormvariate(mu, sigma)))
                writer.writerow([uid, sym, format_units(units, decimals)])
                holders[sym] += 1
                totals[sym] += units
            user_ids.append(uid)
            holdings.append(len(held))
            entries += len(held)
    assets_file = directory / "assets.json"
    assets_file.write_text(
        json.dumps({"assets": [{"symbol": s, "decimals": d} for s, d, *_ in table]})
    )
    return Dataset(balances, assets_file, entries, user_ids, holdings, holders, totals)


# --- child-process jobs -----------------------------------------------------------------


def _run_job(flag: str, spec: dict[str, Any], spec_path: Path, env: dict[str, str]) -> Any:
    spec_path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.liabilities", flag, str(spec_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{flag} job failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prove_job(spec_path: Path) -> None:
    """Child process: run prove_liabilities on a fresh pool; print timings and peak RSS."""
    spec = json.loads(spec_path.read_text())
    opts = ProveOptions(round_id=spec["round_id"], arity=spec["arity"])
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "load" and done == total:
            marks.setdefault("loaded", time.perf_counter())

    with ProcessPoolExecutor(max_workers=spec["workers"]) as pool:
        started = time.perf_counter()
        summary = prove_liabilities(
            Path(spec["balances"]),
            Path(spec["assets"]),
            bytes.fromhex(spec["secret"]),
            opts,
            Path(spec["out"]),
            pool,
            progress=progress,
        )
        seconds = time.perf_counter() - started
    # the pool has shut down and its workers were joined: RUSAGE_CHILDREN now counts them
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    loaded = marks.get("loaded", started)
    print(
        json.dumps(
            {
                "backend": active_backend().name,
                "seconds": seconds,
                "load_seconds": loaded - started,
                "rows": summary.rows,
                "chunks_built": summary.chunks_built,
                "assets": summary.assets,
                "driver_peak_rss_mib": driver / MIB,
                "workers_peak_rss_mib": workers / MIB,
            }
        )
    )


def verify_job(spec_path: Path) -> None:
    """Child process (run with ZKPOR_BACKEND set): time verify_inclusion on given proofs."""
    spec = json.loads(spec_path.read_text())
    roots = {a: AssetRoot.model_validate(r) for a, r in spec["roots"].items()}
    proofs = [InclusionProof.model_validate_json(p) for p in spec["proofs"]]
    times: list[list[float]] = []
    for proof in proofs:

        def call(p: InclusionProof = proof) -> None:
            verify_inclusion(p, roots, round_id=spec["round_id"], arity=spec["arity"])

        times.append(time_calls(call, spec["runs"]))
    print(json.dumps({"backend": active_backend().name, "times": times}))


def verify_elsewhere(
    backend: str,
    proofs: list[InclusionProof],
    roots: dict[str, AssetRoot],
    arity: int,
    runs: int,
    directory: Path,
) -> list[list[float]]:
    """Seconds per verify_inclusion call of each proof on ``backend``, in a fresh process
    (the backend is fixed at first use); imports, generators and a warm-up call excluded."""
    env = dict(os.environ, ZKPOR_BACKEND=backend)
    spec = {
        "round_id": ROUND_ID,
        "arity": arity,
        "runs": runs,
        "roots": {a: r.model_dump(mode="json") for a, r in roots.items()},
        "proofs": [p.model_dump_json() for p in proofs],
    }
    res = _run_job("--verify-job", spec, directory / f"verify-{backend}.json", env)
    if res["backend"] != backend:
        raise RuntimeError(f"verify job ran on {res['backend']}, not {backend}")
    times: list[list[float]] = res["times"]
    return times


# --- measuring helpers ------------------------------------------------------------------


def time_calls(fn: Callable[[], object], runs: int) -> list[float]:
    """Seconds of ``runs`` calls of ``fn`` after one warm-up call."""
    fn()
    out: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def ms(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1e3, 2),
        "min_ms": round(min(samples) * 1e3, 2),
        "runs": len(samples),
    }


def raw_bytes(entry: AssetInclusion) -> int:
    """What one asset's proof takes as raw bytes: units (8), blinding and salt (32 each),
    and per step every child's hash and commitment (32 + 33) and the range proofs."""
    total = 8 + 32 + 32
    for step in entry.path:
        total += 65 * len(step.children) + sum(len(p) // 2 for p in step.proofs)
    return total


def proof_sizes(proof: InclusionProof) -> dict[str, Any]:
    """JSON sizes of a proof: compact, and as ``zkpor export`` writes it (indent=1)."""
    n = len(proof.assets)
    compact = len(proof.model_dump_json().encode())
    exported = len((proof.model_dump_json(indent=1) + "\n").encode())
    entry = proof.assets[0]
    path = [s.model_dump(mode="json") for s in entry.path]
    return {
        "assets": n,
        "depth": len(entry.path),
        "json_bytes": exported,
        "json_bytes_compact": compact,
        "json_bytes_per_asset": round(exported / n),
        "json_bytes_per_asset_compact": round(compact / n),
        "one_asset_entry_bytes_compact": len(entry.model_dump_json().encode()),
        "one_asset_path_bytes_compact": len(json.dumps(path, separators=(",", ":")).encode()),
        "one_asset_raw_bytes": raw_bytes(entry),
    }


def file_bytes(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


# --- one (customers, assets) combination ------------------------------------------------


def bench_size(
    customers: int,
    n_assets: int,
    args: argparse.Namespace,
    rng: random.Random,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zkpor-bench-liab-") as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        data = make_dataset(directory, customers, n_assets, rng)
        gen_seconds = time.perf_counter() - t0
        secret = rng.randbytes(32)
        bundle = directory / "bundle"
        spec = {
            "balances": str(data.balances),
            "assets": str(data.assets_file),
            "secret": secret.hex(),
            "round_id": ROUND_ID,
            "arity": args.arity,
            "workers": args.workers,
            "out": str(bundle),
        }
        res = _run_job("--prove-job", spec, directory / "prove.json", dict(os.environ))
        if res["rows"] != data.entries:
            raise RuntimeError(f"prover read {res['rows']} rows, wrote {data.entries}")
        seconds = res["seconds"]
        report: dict[str, Any] = {
            "customers": customers,
            "assets": n_assets,
            "entries": data.entries,
            "holders": data.holders,
            "asset_total_bits": {a: t.bit_length() for a, t in data.totals.items()},
            "trees": {
                a: {"leaf_count": v["leaf_count"], "depth": v["depth"]}
                for a, v in res["assets"].items()
            },
            "csv_seconds": round(gen_seconds, 2),
            "prove": {
                "backend": res["backend"],
                "workers": args.workers,
                "seconds": round(seconds, 2),
                "load_seconds": round(res["load_seconds"], 2),
                "tree_seconds": round(seconds - res["load_seconds"], 2),
                "entries_per_second": round(data.entries / seconds, 1),
                "entries_per_second_per_core": round(data.entries / seconds / args.workers, 1),
                "chunks_built": res["chunks_built"],
            },
            "memory_mib": {
                "driver_peak_rss": round(res["driver_peak_rss_mib"], 1),
                "workers_peak_rss": round(res["workers_peak_rss_mib"], 1),
            },
            "bundle_bytes": {
                "audit_sqlite": file_bytes(bundle / "audit.sqlite"),
                "private_sqlite": file_bytes(bundle / "private" / "private.sqlite"),
                "roots_json": file_bytes(bundle / "roots.json"),
                "balances_csv": file_bytes(data.balances),
            },
        }
        report["inclusion"] = bench_inclusion(bundle, data, n_assets, args, rng, directory)
        published = Roots.model_validate_json((bundle / "roots.json").read_text())
        t0 = time.perf_counter()
        audit = audit_bundle(bundle, roots=published, workers=args.workers)
        report["audit"] = {
            "workers": args.workers,
            "seconds": round(time.perf_counter() - t0, 2),
            "nodes": audit.nodes,
            "range_proofs": audit.proofs,
        }
        return report


def bench_inclusion(
    bundle: Path,
    data: Dataset,
    n_assets: int,
    args: argparse.Namespace,
    rng: random.Random,
    directory: Path,
) -> dict[str, Any]:
    full = [u for u, k in zip(data.user_ids, data.holdings) if k == n_assets]
    picks = full[:1]
    for uid in rng.sample(data.user_ids, min(len(data.user_ids), 4 * args.samples)):
        if len(picks) >= args.samples:
            break
        if uid not in picks:
            picks.append(uid)
    reader = BundleReader(bundle)
    try:
        t0 = time.perf_counter()
        proofs = [reader.inclusion_proof(uid) for uid in picks]
        export_ms = (time.perf_counter() - t0) * 1e3 / len(picks)
        roots = reader.roots
    finally:
        reader.close()
    samples: list[dict[str, Any]] = []
    for proof in proofs:
        call = partial(
            verify_inclusion, proof, roots.assets, round_id=roots.round_id, arity=roots.arity
        )
        fast = time_calls(call, args.fast_runs)
        samples.append({"user": proof.user_id, **proof_sizes(proof), "verify_fast": ms(fast)})
    if not args.skip_reference:
        ref = verify_elsewhere(
            "reference", proofs, roots.assets, roots.arity, args.reference_runs, directory
        )
        for sample, times in zip(samples, ref):
            sample["verify_reference"] = ms(times)
    one_asset = [s for s in samples if s["assets"] == 1]
    out: dict[str, Any] = {
        "export_ms_per_customer": round(export_ms, 2),
        "json_bytes_per_asset_median": statistics.median(
            s["json_bytes_per_asset"] for s in samples
        ),
        "json_bytes_per_asset_compact_median": statistics.median(
            s["json_bytes_per_asset_compact"] for s in samples
        ),
        "one_asset_path_bytes_compact": samples[0]["one_asset_path_bytes_compact"],
        "verify_fast_median_ms_per_asset": round(
            statistics.median(s["verify_fast"]["median_ms"] / s["assets"] for s in samples), 2
        ),
        "samples": samples,
    }
    if one_asset:
        out["verify_fast_one_asset_ms"] = one_asset[0]["verify_fast"]["median_ms"]
    if not args.skip_reference:
        out["verify_reference_median_ms_per_asset"] = round(
            statistics.median(s["verify_reference"]["median_ms"] / s["assets"] for s in samples),
            1,
        )
    return out


# --- synthesized inclusion proof at large depth -----------------------------------------


def padded(customers: int) -> int:
    g = DEFAULT_PAD_GRANULARITY
    return max(g, -(-customers // g) * g)


def synth_inclusion(
    arity: int, leaf_count: int, rng: random.Random
) -> tuple[InclusionProof, dict[str, AssetRoot]]:
    """A valid one-asset inclusion proof of leaf 0 in a tree of ``leaf_count`` leaves: at each
    level the siblings are fresh commitments to random values (known openings), the parent's
    commitment the sum and its hash node_hash over the children, with real range proofs."""
    check_arity(arity)
    k = cast(Arity, arity)
    gens = generators()
    asset, decimals, user_id = "BTC", 8, "user-00000000"
    sizes = level_sizes(leaf_count, arity)
    depth = len(sizes) - 1
    units = rng.randrange(1, 10**9)
    blinding = rng.randrange(1, N)
    salt = rng.randbytes(32)
    c = commit(units, blinding, gens)
    # (hash, commitment, value, blinding) of the path node at the current level
    current: tuple[bytes, Point, int, int] = (
        leaf_hash(ROUND_ID, asset, salt, user_id, c.to_bytes()),
        c,
        units,
        blinding,
    )
    steps: list[PathStep] = []
    index = 0
    for level in range(1, depth + 1):
        parent = index // arity
        kids = children_of(parent, sizes[level - 1], arity)
        nodes: list[tuple[bytes, Point, int, int]] = []
        for pos in kids:
            if pos == index:
                nodes.append(current)
                continue
            v, r = rng.randrange(2**40), rng.randrange(1, N)
            nodes.append((rng.randbytes(32), commit(v, r, gens), v, r))
        children = [(h, p.to_bytes()) for h, p, _, _ in nodes]
        proofs: list[str] = []
        offset = 0
        for size in child_chunks(len(nodes)):
            part = nodes[offset : offset + size]
            offset += size
            rp = prove([n[2] for n in part], [n[3] for n in part], RANGE_BITS, gens=gens)
            proofs.append(rp.to_bytes().hex())
        steps.append(
            PathStep(
                level=level,
                index=parent,
                children=[ChildNode(hash=h.hex(), commitment=cb.hex()) for h, cb in children],
                proofs=proofs,
            )
        )
        current = (
            node_hash(
                ROUND_ID,
                asset,
                level,
                children,
                [NO_TAG_BYTES] * len(children) if level == 1 else None,
            ),
            Point.sum(n[1] for n in nodes),
            sum(n[2] for n in nodes),
            sum(n[3] for n in nodes) % N,
        )
        index = parent
    entry = AssetInclusion(
        asset=asset,
        decimals=decimals,
        amount=format_units(units, decimals),
        units=str(units),
        blinding=f"{blinding:064x}",
        salt=salt.hex(),
        leaf_index=0,
        leaf_count=leaf_count,
        path=steps,
    )
    proof = InclusionProof(
        format=INCLUSION_FORMAT, round_id=ROUND_ID, user_id=user_id, arity=k, assets=[entry]
    )
    root = AssetRoot(
        decimals=decimals,
        leaf_count=leaf_count,
        depth=depth,
        root_hash=current[0].hex(),
        root_commitment=current[1].to_bytes().hex(),
    )
    # the manifest's tree part, validated like a published roots.json
    Roots(
        format=ROOTS_FORMAT,
        round_id=ROUND_ID,
        arity=k,
        range_bits=64,
        generator_digest=generator_digest().hex(),
        assets={asset: root},
    )
    return proof, {asset: root}


def tampered(proof: InclusionProof, rng: random.Random) -> InclusionProof:
    """The proof with one sibling commitment (level 1) replaced by another valid point."""
    data = proof.model_dump(mode="json")
    step = data["assets"][0]["path"][0]
    sibling = 1 if len(step["children"]) > 1 else 0
    other = commit(rng.randrange(2**40), rng.randrange(1, N))
    step["children"][sibling]["commitment"] = other.to_bytes().hex()
    return InclusionProof.model_validate(data)


def bench_synth(
    arity: int, customers: int, args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    leaf_count = padded(customers)
    t0 = time.perf_counter()
    proof, roots = synth_inclusion(arity, leaf_count, rng)
    synth_seconds = time.perf_counter() - t0
    verify_inclusion(proof, roots, round_id=ROUND_ID, arity=arity)  # raises if not accepted
    try:
        verify_inclusion(tampered(proof, rng), roots, round_id=ROUND_ID, arity=arity)
        rejects_tampered = False
    except VerificationError:
        rejects_tampered = True
    if not rejects_tampered:
        raise RuntimeError("a changed sibling commitment was accepted")
    sizes = proof_sizes(proof)
    fast = time_calls(
        lambda: verify_inclusion(proof, roots, round_id=ROUND_ID, arity=arity), args.fast_runs
    )
    out: dict[str, Any] = {
        "customers": customers,
        "arity": arity,
        "leaf_count": leaf_count,
        "depth": sizes["depth"],
        "children_per_step": [len(s.children) for s in proof.assets[0].path],
        "accepted": True,
        "rejects_changed_sibling": rejects_tampered,
        "synthesis_seconds": round(synth_seconds, 2),
        "json_bytes": sizes["json_bytes"],
        "json_bytes_compact": sizes["json_bytes_compact"],
        "raw_bytes": sizes["one_asset_raw_bytes"],
        "verify_fast": ms(fast),
    }
    if not args.skip_reference:
        with tempfile.TemporaryDirectory(prefix="zkpor-bench-synth-") as tmp:
            (ref,) = verify_elsewhere(
                "reference", [proof], roots, arity, args.reference_runs, Path(tmp)
            )
        out["verify_reference"] = ms(ref)
    targets: dict[str, Any] = {
        "inclusion_bytes_per_asset": {
            "target": TARGETS["inclusion_bytes_per_asset"],
            "value": sizes["json_bytes"],
            "value_compact": sizes["json_bytes_compact"],
            "met": sizes["json_bytes"] <= TARGETS["inclusion_bytes_per_asset"],
            "met_compact": sizes["json_bytes_compact"] <= TARGETS["inclusion_bytes_per_asset"],
        },
        "verify_fast_ms": {
            "target": TARGETS["verify_fast_ms"],
            "value": out["verify_fast"]["median_ms"],
            "met": out["verify_fast"]["median_ms"] <= TARGETS["verify_fast_ms"],
        },
    }
    if "verify_reference" in out:
        targets["verify_reference_ms"] = {
            "target": TARGETS["verify_reference_ms"],
            "value": out["verify_reference"]["median_ms"],
            "met": out["verify_reference"]["median_ms"] <= TARGETS["verify_reference_ms"],
        }
    out["targets"] = targets
    return out


# --- arity sweep ------------------------------------------------------------------------


def bench_arity(arity: int, args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    """Proving and full-audit cost per leaf of a small one-asset tree (one process), and
    the synthesized inclusion proof at ``--synth-customers`` depth."""
    check_arity(arity)
    leaves = args.sweep_leaves
    sizes = tuple(level_sizes(leaves, arity))
    depth = len(sizes) - 1
    gens = generators()
    _ = gens.G, gens.H
    gens.vectors(RANGE_BITS * arity)  # derive the generators outside the timing
    keys = RoundKeys.derive(rng.randbytes(32), ROUND_ID, rng.randbytes(32))
    _sym, decimals, _share, median, sigma = ASSET_TABLE[0]
    mu = math.log(median * 10**decimals)
    task = ChunkTask(
        round_id=ROUND_ID,
        asset="BTC",
        round_key=keys.round_key,
        arity=arity,
        height=depth,
        chunk=0,
        level_sizes=sizes,
        leaves=tuple(
            (f"user-{i:08d}", min(2**50, int(rng.lognormvariate(mu, sigma))), NO_TAG_BYTES)
            for i in range(leaves)
        ),
    )
    t0 = time.perf_counter()
    res = build_chunk(task)
    prove_seconds = time.perf_counter() - t0
    # every node proof of the tree as one full audit would check them (one process)
    pt = active_backend().Point
    items: list[tuple[RangeProof | bytes, list[Point], int]] = []
    public_bytes = 0
    for level in range(1, depth + 1):
        below = [pt.from_bytes(c) for _, c in res.levels[level - 1]]
        for i, blob in enumerate(res.proofs[level]):
            kids = children_of(i, sizes[level - 1], arity)
            points = below[kids.start : kids.stop]
            offset = 0
            for size, part in split_child_proofs(blob, len(points)):
                rp = RangeProof.from_bytes(part, pt, bits=RANGE_BITS, m=size)
                items.append((rp, points[offset : offset + size], RANGE_BITS))
                offset += size
            public_bytes += len(blob)
    public_bytes += 65 * sum(sizes)
    t0 = time.perf_counter()
    verify_batch(items)
    audit_seconds = time.perf_counter() - t0
    per_leaf = prove_seconds / leaves
    synth_leaves = padded(args.synth_customers or 1_000_000)
    return {
        "arity": arity,
        "sweep_leaves": leaves,
        "sweep_depth": depth,
        "internal_nodes": sum(sizes[1:]),
        "range_proofs": len(items),
        "prove_seconds": round(prove_seconds, 2),
        "prove_ms_per_leaf": round(per_leaf * 1e3, 3),
        "prove_core_hours_per_1m_leaves": round(per_leaf * synth_leaves / 3600, 2),
        "audit_verify_ms_per_leaf": round(audit_seconds * 1e3 / leaves, 3),
        "public_bytes_per_leaf": round(public_bytes / leaves, 1),
        "inclusion_at_depth": bench_synth(arity, args.synth_customers or 1_000_000, args, rng),
    }


# --- main -------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--customers",
        type=int,
        action="append",
        help="customer count per run (repeatable; default 10000; 0 skips these runs)",
    )
    ap.add_argument(
        "--assets", type=int, action="append", help="asset count (repeatable; default 1 and 3)"
    )
    ap.add_argument("--arity", type=int, default=DEFAULT_ARITY)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--samples", type=int, default=5, help="customers whose proofs are measured")
    ap.add_argument("--fast-runs", type=int, default=9, help="timed verify calls, fast backend")
    ap.add_argument("--reference-runs", type=int, default=3, help="timed calls, reference")
    ap.add_argument("--skip-reference", action="store_true", help="no reference-backend verify")
    ap.add_argument(
        "--synth-customers",
        type=int,
        default=1_000_000,
        help="depth of the synthesized inclusion proof (0 skips it)",
    )
    ap.add_argument("--arities", help="comma-separated arities to sweep, e.g. 2,4,8,16")
    ap.add_argument("--sweep-leaves", type=int, default=4096, help="leaves of the sweep's tree")
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--out", help="also write the JSON report to this file")
    ap.add_argument("--prove-job", help=argparse.SUPPRESS)
    ap.add_argument("--verify-job", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.prove_job:
        prove_job(Path(args.prove_job))
        return
    if args.verify_job:
        verify_job(Path(args.verify_job))
        return
    if active_backend().name != "fast":
        raise SystemExit("the fast backend is not active (ZKPOR_BACKEND?); it is measured here")
    check_arity(args.arity)
    customers = [c for c in (args.customers or [10_000]) if c > 0]
    asset_counts = args.assets or [1, 3]
    arities = [int(a) for a in args.arities.split(",")] if args.arities else []
    rng = random.Random(args.seed)
    report: dict[str, Any] = {
        "benchmark": "liabilities",
        "machine": machine_info(),
        "round_id": ROUND_ID,
        "arity": args.arity,
        "workers": args.workers,
        "range_bits": RANGE_BITS,
        "targets_at_1m_customers": TARGETS,
        "notes": [
            "entries = CSV rows = (customer, asset) pairs; per core = per pool worker",
            "memory: the proving run is a child process; driver = its RUSAGE_SELF peak RSS, "
            "workers = largest RUSAGE_CHILDREN peak RSS (read after the pool shut down; "
            "forked workers count pages shared with the driver)",
            "json_bytes = proof as `zkpor export` writes it (indent=1); _compact = no "
            "whitespace; raw_bytes = hashes, commitments, proofs and opening as binary",
            "verify times: median of timed calls after a warm-up; reference backend in a "
            "subprocess with ZKPOR_BACKEND=reference, imports and generators excluded",
        ],
    }
    started = time.time()
    runs: list[dict[str, Any]] = []
    for c in customers:
        for m in asset_counts:
            print(f"[liabilities] {c} customers, {m} assets ...", file=sys.stderr, flush=True)
            runs.append(bench_size(c, m, args, rng))
    report["runs"] = runs
    if args.synth_customers > 0:
        print("[liabilities] synthesized inclusion proof ...", file=sys.stderr, flush=True)
        report["inclusion_at_depth"] = bench_synth(args.arity, args.synth_customers, args, rng)
    if arities:
        sweep: list[dict[str, Any]] = []
        for k in arities:
            print(f"[liabilities] arity {k} ...", file=sys.stderr, flush=True)
            sweep.append(bench_arity(k, args, rng))
        report["arity_sweep"] = sweep
    report["seconds"] = round(time.time() - started, 1)
    emit(report, args.out)


if __name__ == "__main__":
    main()
