"""A whole round at scale, measured step by step: load, prove, reduce, self-check, export of a
sample of proofs (projected to all customers), full audit.

    python -m benchmarks.million [--customers N] [--workers W] [--export-sample S]
                                 [--m16-proofs R] [--dir DIR] [--keep] [--out FILE]

One asset (BTC, 8 decimals, log-normal balances). The proving run is a child process of its
own; a sampler thread reads /proc every ``--sample-seconds`` for the resident memory of that
driver and of each of its pool workers (peak and the time series, so "flat" can be seen) and
the workers' CPU seconds at every stage boundary. Stages come from the prover's progress
callback: ``load`` (CSV -> private store), ``prove`` (every chunk), ``reduce`` (the levels
above the chunk roots, until the self-check starts), ``self-check audit`` (every node and
range proof), ``self-check leaves`` (every leaf recomputed from the CSV, then the CSV's rows
and totals compared, VACUUM and rename).

The bound: at arity 16 a tree has one m = 16 aggregated range proof per internal node, i.e.
about one per 15 leaves, so a core cannot prove more than 15 / t16 entries per second, t16
being one m = 16, n = 64 proof's time. t16 is measured in this run, before and after the
round, on ``--workers`` processes at once (every core busy, as during proving); the ratio is
given against wall time and against CPU time (the CPU ratio is the one a shared machine
cannot skew). Prints JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks._harness import emit, machine_info

ROOT = Path(__file__).resolve().parent.parent
ROUND_ID = "bench-million"
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# --- /proc readings ---------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, resident bytes) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK, int(fields[21]) * PAGE


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[0] == pid:
                out.append(int(entry))
    return out


class Sampler(threading.Thread):
    """Samples the driver's and its workers' RSS; workers' CPU seconds on demand."""

    def __init__(self, pid: int, every: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.series: list[dict[str, float]] = []
        self.peak_driver = 0
        self.peak_worker = 0
        self.worker_cpu: dict[int, float] = {}
        self._halt = threading.Event()
        self.start_time = time.perf_counter()

    def sample(self) -> None:
        own = _stat(self.pid)
        if own is None:
            return
        workers = [(w, _stat(w)) for w in _children(self.pid)]
        rss = [st[2] for _, st in workers if st is not None]
        for w, st in workers:
            if st is not None:
                self.worker_cpu[w] = st[1]
        self.peak_driver = max(self.peak_driver, own[2])
        self.peak_worker = max([self.peak_worker, *rss])
        self.series.append(
            {
                "t": round(time.perf_counter() - self.start_time, 1),
                "driver_mib": round(own[2] / 2**20, 1),
                "worker_max_mib": round(max(rss, default=0) / 2**20, 1),
                "workers": len(rss),
            }
        )

    def cpu(self) -> float:
        """Workers' CPU seconds so far (workers that exited keep their last reading)."""
        self.sample()
        return sum(self.worker_cpu.values())

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.sample()

    def stop(self) -> None:
        self._halt.set()


# --- the m = 16 bound -------------------------------------------------------------------


def _m16_job(proofs: int) -> tuple[float, float]:
    """Wall and CPU seconds per m = 16, n = 64 proof, in the steady state a proving worker
    reaches: 20 warm-up proofs first, past the point where the generator tables are built
    (zkpor.generators: TABLE_AFTER_USES, POWERS_AFTER_USES)."""
    from zkpor.group import N
    from zkpor.rangeproof import prove

    rng = random.Random(16)
    values = [rng.getrandbits(60) for _ in range(16)]
    blindings = [rng.randrange(1, N) for _ in range(16)]
    for _ in range(20):
        prove(values, blindings, 64)
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(proofs):
        prove(values, blindings, 64)
    return (time.perf_counter() - w0) / proofs, (time.process_time() - c0) / proofs


def m16_bound(workers: int, proofs: int) -> dict[str, float]:
    """t16 with ``workers`` processes proving at once; the per-core bound 15 / t16."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_m16_job, [proofs] * workers))
    wall = sum(r[0] for r in results) / workers
    cpu = sum(r[1] for r in results) / workers
    return {
        "m16_prove_wall_ms": round(wall * 1e3, 2),
        "m16_prove_cpu_ms": round(cpu * 1e3, 2),
        "bound_entries_per_s_per_core_wall": round(15 / wall, 2),
        "bound_entries_per_s_per_core_cpu": round(15 / cpu, 2),
        "processes": workers,
        "proofs_each": proofs,
    }


# --- child: the proving run -------------------------------------------------------------


def prove_child(spec_path: Path) -> None:
    """Child process: prove the round on a fresh pool, timing every stage."""
    from zkpor.liabilities.prover import ProveOptions, prove_liabilities

    spec = json.loads(spec_path.read_text())
    marks: list[tuple[str, float, float]] = []  # (stage, wall, workers' CPU) at its start
    sampler = Sampler(os.getpid(), spec["sample_seconds"])
    last: dict[str, Any] = {"stage": None, "print": 0.0}

    def stage_of(name: str) -> str:
        return "self-check audit" if name.startswith("audit ") else name

    def progress(name: str, done: int, total: int) -> None:
        stage = stage_of(name)
        if stage == "prove" and done == total and last["stage"] == "prove":
            marks.append(("reduce", time.perf_counter(), sampler.cpu()))
            last["stage"] = "reduce"
            return
        if stage != last["stage"] and not (stage == "prove" and last["stage"] == "reduce"):
            marks.append((stage, time.perf_counter(), sampler.cpu()))
            last["stage"] = stage
        now = time.perf_counter()
        if now - last["print"] > 60:
            last["print"] = now
            print(f"# {time.strftime('%H:%M:%S')} {name} {done}/{total}", file=sys.stderr)

    opts = ProveOptions(round_id=ROUND_ID, arity=16)
    with ProcessPoolExecutor(max_workers=spec["workers"]) as pool:
        pool.submit(int).result()  # start the workers so the sampler sees them
        sampler.start()
        started = time.perf_counter()
        marks.append(("start", started, sampler.cpu()))
        summary = prove_liabilities(
            Path(spec["balances"]),
            Path(spec["assets"]),
            bytes.fromhex(spec["secret"]),
            opts,
            Path(spec["out"]),
            pool,
            progress=progress,
        )
        ended = time.perf_counter()
        marks.append(("end", ended, sampler.cpu()))
    sampler.stop()
    stages: dict[str, dict[str, float]] = {}
    for (stage, wall, cpu), (_, wall_next, cpu_next) in itertools.pairwise(marks):
        name = "setup" if stage == "start" else stage
        stages[name] = {
            "wall_s": round(wall_next - wall, 2),
            "workers_cpu_s": round(cpu_next - cpu, 2),
        }
    print(
        json.dumps(
            {
                "seconds": round(ended - started, 2),
                "rows": summary.rows,
                "chunks_built": summary.chunks_built,
                "stages": stages,
                "driver_peak_rss_mib": round(sampler.peak_driver / 2**20, 1),
                "worker_peak_rss_mib": round(sampler.peak_worker / 2**20, 1),
                "memory_series": sampler.series,
            }
        )
    )


# --- the driver -------------------------------------------------------------------------


def make_balances(directory: Path, customers: int, seed: int) -> tuple[Path, Path]:
    from benchmarks.liabilities import make_dataset

    data = make_dataset(directory, customers, 1, random.Random(seed))
    return data.balances, data.assets_file


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_child(spec: dict[str, Any], directory: Path) -> dict[str, Any]:
    spec_path = directory / "prove-spec.json"
    spec_path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.million", "--prove-child", str(spec_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"proving run failed (exit {out.returncode})")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def export_sample(bundle: Path, sample: int, seed: int, customers: int) -> dict[str, Any]:
    """Export ``sample`` random customers' proofs (JSON and binary); project to all."""
    from zkpor.liabilities.export import BundleReader, safe_filename, write_proof

    out = bundle.parent / "proofs"
    out.mkdir(exist_ok=True)
    rng = random.Random(seed)
    users = [f"user-{i:08d}" for i in rng.sample(range(customers), sample)]
    reader = BundleReader(bundle)
    sizes = {"json": 0, "binary": 0}
    t0 = time.perf_counter()
    try:
        for uid in users:
            proof = reader.inclusion_proof(uid)
            for fmt in ("json", "binary"):
                target = out / safe_filename(uid, fmt)
                write_proof(target, proof, fmt)
                sizes[fmt] += target.stat().st_size
    finally:
        reader.close()
    seconds = time.perf_counter() - t0
    per = seconds / sample
    return {
        "proofs": sample,
        "seconds_both_formats": round(seconds, 2),
        "ms_per_customer_both_formats": round(per * 1e3, 2),
        "bytes_per_proof_json": round(sizes["json"] / sample),
        "bytes_per_proof_binary": round(sizes["binary"] / sample),
        "projected_all_seconds_one_process": round(per * customers, 1),
        "projected_all_bytes_json": sizes["json"] * customers // sample,
        "projected_all_bytes_binary": sizes["binary"] * customers // sample,
    }


def audit_child(bundle: Path, workers: int) -> dict[str, Any]:
    """Full audit (every node and range proof) in a fresh process; wall and peak memory."""
    code = (
        "import json,sys,time,resource\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from pathlib import Path\n"
        "from zkpor.verify.audit import audit_bundle\n"
        "t=time.perf_counter()\n"
        f"pool=ProcessPoolExecutor(max_workers={workers})\n"
        f"r=audit_bundle(Path({str(bundle)!r}),executor=pool)\n"
        "pool.shutdown()\n"
        "s=time.perf_counter()-t\n"
        "print(json.dumps({'seconds':round(s,2),"
        "'driver_peak_rss_mib':round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,1),"
        "'worker_peak_rss_mib':round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,1)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--export-sample", type=int, default=10_000)
    ap.add_argument("--m16-proofs", type=int, default=40)
    ap.add_argument("--sample-seconds", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1_000_000)
    ap.add_argument("--dir", default=None, help="Work directory (default: a temporary one).")
    ap.add_argument("--keep", action="store_true", help="Keep the work directory.")
    ap.add_argument("--out", default=None)
    ap.add_argument("--prove-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.prove_child:
        prove_child(Path(args.prove_child))
        return
    directory = Path(args.dir or tempfile.mkdtemp(prefix="zkpor-bench-million-"))
    directory.mkdir(parents=True, exist_ok=True)
    log = lambda msg: print(f"# {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr)  # noqa: E731
    report: dict[str, Any] = {
        "benchmark": "million",
        "machine": machine_info(),
        "commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "customers": args.customers,
        "assets": 1,
        "arity": 16,
        "workers": args.workers,
    }
    try:
        log("m=16 bound (before)")
        report["bound_before"] = m16_bound(args.workers, args.m16_proofs)
        log("generating balances")
        t0 = time.perf_counter()
        balances, assets = make_balances(directory, args.customers, args.seed)
        report["generate_csv_seconds"] = round(time.perf_counter() - t0, 1)
        report["csv_bytes"] = balances.stat().st_size
        bundle = directory / "bundle"
        spec = {
            "balances": str(balances),
            "assets": str(assets),
            "secret": random.Random(args.seed).randbytes(32).hex(),
            "out": str(bundle),
            "workers": args.workers,
            "sample_seconds": args.sample_seconds,
        }
        log("proving")
        prove = run_child(spec, directory)
        report["prove"] = prove
        report["bundle_bytes"] = {
            "audit.sqlite": (bundle / "audit.sqlite").stat().st_size,
            "total": dir_bytes(bundle),
        }
        log("exporting a sample")
        report["export"] = export_sample(bundle, args.export_sample, args.seed, args.customers)
        log("full audit")
        report["audit"] = audit_child(bundle, args.workers)
        log("m=16 bound (after)")
        report["bound_after"] = m16_bound(args.workers, args.m16_proofs)
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(directory, ignore_errors=True)
    entries = report["prove"]["rows"]
    stage = report["prove"]["stages"]["prove"]
    wall_rate = entries / stage["wall_s"] / args.workers
    cpu_rate = entries / stage["workers_cpu_s"]
    bound_wall = (
        report["bound_before"]["bound_entries_per_s_per_core_wall"]
        + report["bound_after"]["bound_entries_per_s_per_core_wall"]
    ) / 2
    bound_cpu = (
        report["bound_before"]["bound_entries_per_s_per_core_cpu"]
        + report["bound_after"]["bound_entries_per_s_per_core_cpu"]
    ) / 2
    end_to_end = report["prove"]["seconds"]
    report["figures"] = {
        "entries_per_s_per_core_prove_stage_wall": round(wall_rate, 2),
        "entries_per_cpu_s_prove_stage": round(cpu_rate, 2),
        "ratio_to_bound_wall": round(wall_rate / bound_wall, 3),
        "ratio_to_bound_cpu": round(cpu_rate / bound_cpu, 3),
        "entries_per_s_per_core_end_to_end": round(entries / end_to_end / args.workers, 2),
        "prove_end_to_end_seconds": end_to_end,
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
