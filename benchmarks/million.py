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
    (zkpor.crypto.generators: TABLE_AFTER_USES, POWERS_AFTER_USES)."""
    from zkpor.crypto.group import N
    from zkpor.crypto.rangeproof import prove

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


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / CLK, sum(fields) / CLK


def prove_child(spec_path: Path) -> None:
    """Child process: prove (or resume) the round on a fresh pool, timing every stage.

    Writes ``segment-K.json`` beside the spec every 30 s and at the end, so a run killed
    part-way (a session ending) keeps its figures and a rerun resumes from the prover's
    checkpoints as a new segment."""
    from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities

    spec = json.loads(spec_path.read_text())
    seg_path = spec_path.parent / f"segment-{spec['segment']}.json"
    marks: list[tuple[str, float, float, float]] = []  # stage, wall, workers' CPU, own CPU
    sampler = Sampler(os.getpid(), spec["sample_seconds"])
    state: dict[str, Any] = {"stage": None, "print": 0.0, "dump": 0.0}
    state.update(first_done=None, done=0, total=0)
    busy0, total0 = _machine_busy()
    t0 = time.perf_counter()

    def mark(stage: str) -> None:
        marks.append((stage, time.perf_counter() - t0, sampler.cpu(), time.process_time()))
        state["stage"] = stage

    def dump(complete: bool, extra: dict[str, Any] | None = None) -> None:
        busy, total = _machine_busy()
        now = (time.perf_counter() - t0, sampler.cpu(), time.process_time())
        record = {
            "segment": spec["segment"],
            "complete": complete,
            "marks": [[m[0], round(m[1], 2), round(m[2], 2), round(m[3], 2)] for m in marks],
            "now": [round(x, 2) for x in now],
            "prove_first_done": state["first_done"],
            "prove_done": state["done"],
            "prove_total": state["total"],
            "machine_busy_s": round(busy - busy0, 1),
            "machine_cpu_s": round(total - total0, 1),
            "driver_peak_rss_mib": round(sampler.peak_driver / 2**20, 1),
            "worker_peak_rss_mib": round(sampler.peak_worker / 2**20, 1),
            "memory_series": sampler.series,
            **(extra or {}),
        }
        tmp = seg_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record))
        tmp.replace(seg_path)

    def progress(name: str, done: int, total: int) -> None:
        stage = "self-check audit" if name.startswith("audit ") else name
        if stage == "prove":
            if state["first_done"] is None:
                state["first_done"] = done
            state["done"], state["total"] = done, total
            if state["stage"] not in ("prove", "reduce"):
                mark("prove")
            if done == total and state["stage"] == "prove":
                mark("reduce")
        elif stage != state["stage"]:
            mark(stage)
        now = time.perf_counter()
        if now - state["print"] > 60:
            state["print"] = now
            print(f"# {time.strftime('%H:%M:%S')} {name} {done}/{total}", file=sys.stderr)
        if now - state["dump"] > 30:
            state["dump"] = now
            dump(False)

    opts = ProveOptions(round_id=ROUND_ID, arity=16)
    with ProcessPoolExecutor(max_workers=spec["workers"]) as pool:
        pool.submit(int).result()  # start the workers so the sampler sees them
        sampler.start()
        mark("setup")
        summary = prove_liabilities(
            Path(spec["balances"]),
            Path(spec["assets"]),
            bytes.fromhex(spec["secret"]),
            opts,
            Path(spec["out"]),
            pool,
            progress=progress,
        )
        mark("end")
    sampler.stop()
    dump(
        True,
        {
            "rows": summary.rows,
            "chunks_built": summary.chunks_built,
            "chunks_reused": summary.chunks_reused,
        },
    )


def segment_stages(seg: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per stage: wall seconds, workers' CPU seconds, driver CPU seconds (a killed
    segment's last stage ends at its last record)."""
    marks = seg["marks"] + ([] if seg["complete"] else [["end", *seg["now"]]])
    stages: dict[str, dict[str, float]] = {}
    for (stage, wall, wcpu, dcpu), (_, wall2, wcpu2, dcpu2) in itertools.pairwise(marks):
        entry = stages.setdefault(stage, {"wall_s": 0.0, "workers_cpu_s": 0.0, "driver_cpu_s": 0.0})
        entry["wall_s"] += wall2 - wall
        entry["workers_cpu_s"] += wcpu2 - wcpu
        entry["driver_cpu_s"] += dcpu2 - dcpu
    return stages


# --- the driver -------------------------------------------------------------------------


def make_balances(directory: Path, customers: int, seed: int) -> tuple[Path, Path]:
    from benchmarks.liabilities import make_dataset

    data = make_dataset(directory, customers, 1, random.Random(seed))
    return data.balances, data.assets_file


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_child(spec: dict[str, Any], directory: Path) -> None:
    spec_path = directory / "prove-spec.json"
    spec_path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.million", "--prove-child", str(spec_path)],
        cwd=ROOT,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"proving run failed (exit {out.returncode})")


def combine_segments(directory: Path, rows: int, workers: int) -> dict[str, Any]:
    """The proving run's figures over all its segments (one, unless it was resumed)."""
    segments = [
        json.loads(p.read_text())
        for p in sorted(directory.glob("segment-*.json"), key=lambda p: int(p.stem[8:]))
    ]
    stages: dict[str, dict[str, float]] = {}
    for seg in segments:
        for name, entry in segment_stages(seg).items():
            acc = stages.setdefault(name, dict.fromkeys(entry, 0.0))
            for key, value in entry.items():
                acc[key] += value
    built = sum(seg["prove_done"] - (seg["prove_first_done"] or 0) for seg in segments)
    total = segments[-1]["prove_total"]
    busy = sum(seg["machine_busy_s"] for seg in segments)
    cpu = sum(seg["machine_cpu_s"] for seg in segments)
    ours = sum(seg["now"][1] + seg["now"][2] for seg in segments)
    return {
        "segments": len(segments),
        "per_segment": [
            segment_figures(seg, rows / total if total else 0, workers) for seg in segments
        ],
        "complete": segments[-1]["complete"],
        "stages": {k: {kk: round(vv, 2) for kk, vv in v.items()} for k, v in stages.items()},
        "chunks": total,
        "chunks_built_measured": built,
        "entries_per_chunk": rows / total if total else 0,
        "seconds": round(sum(v["wall_s"] for v in stages.values()), 2),
        "driver_peak_rss_mib": max(seg["driver_peak_rss_mib"] for seg in segments),
        "worker_peak_rss_mib": max(seg["worker_peak_rss_mib"] for seg in segments),
        "machine_busy_share": round(busy / cpu, 3) if cpu else None,
        "our_share_of_machine": round(ours / cpu, 3) if cpu else None,
        "memory_series": [
            {"segment": seg["segment"], **point}
            for seg in segments
            for point in seg["memory_series"][:: max(1, len(seg["memory_series"]) // 200)]
        ],
    }


def segment_figures(seg: dict[str, Any], entries_per_chunk: float, workers: int) -> dict[str, Any]:
    """One segment's proving figures: chunks built in it, the prove stage's wall and worker
    CPU seconds, entries per second per core (wall) and per worker CPU second, and how much
    of the machine was busy, and ours, while it ran (a quiet segment is the one whose wall
    figures mean something)."""
    stage = segment_stages(seg).get("prove", {"wall_s": 0.0, "workers_cpu_s": 0.0})
    built = seg["prove_done"] - (seg["prove_first_done"] or 0)
    entries = built * entries_per_chunk
    cpu = seg["machine_cpu_s"]
    return {
        "segment": seg["segment"],
        "chunks_built": built,
        "prove_wall_s": round(stage["wall_s"], 2),
        "prove_workers_cpu_s": round(stage["workers_cpu_s"], 2),
        "entries_per_s_per_core_wall": round(entries / stage["wall_s"] / workers, 2)
        if stage["wall_s"]
        else None,
        "entries_per_cpu_s": round(entries / stage["workers_cpu_s"], 2)
        if stage["workers_cpu_s"]
        else None,
        "machine_busy_share": round(seg["machine_busy_s"] / cpu, 3) if cpu else None,
        "our_share_of_machine": round((seg["now"][1] + seg["now"][2]) / cpu, 3) if cpu else None,
    }


def export_sample(bundle: Path, sample: int, seed: int, customers: int) -> dict[str, Any]:
    """Export ``sample`` random customers' proofs (JSON and binary); project to all."""
    from zkpor.prover.liabilities.export import BundleReader, safe_filename, write_proof

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
        "from zkpor.verify.trees import audit_bundle\n"
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
    ap.add_argument(
        "--resume", action="store_true", help="Continue the run in --dir (a new segment)."
    )
    ap.add_argument("--keep", action="store_true", help="Keep the work directory.")
    ap.add_argument("--out", default=None)
    ap.add_argument(
        "--refigure",
        default=None,
        metavar="REPORT",
        help="Recompute REPORT's proving figures from --dir's segments (prints the new report).",
    )
    ap.add_argument("--prove-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.refigure:
        if not args.dir:
            raise SystemExit("--refigure needs --dir")
        emit(refigure(Path(args.refigure), Path(args.dir)), args.out)
        return
    if args.prove_child:
        prove_child(Path(args.prove_child))
        return
    if args.resume and not args.dir:
        raise SystemExit("--resume needs --dir")
    directory = Path(args.dir or tempfile.mkdtemp(prefix="zkpor-bench-million-"))
    directory.mkdir(parents=True, exist_ok=True)
    state_path = directory / "driver-state.json"
    try:
        if args.resume:
            report: dict[str, Any] = json.loads(state_path.read_text())
            spec = json.loads((directory / "prove-spec.json").read_text())
            spec["segment"] += 1
            report.setdefault("resumed_at", []).append(time.strftime("%Y-%m-%dT%H:%M:%SZ"))
            report["commit_resumed"] = _commit()
        else:
            report = {
                "benchmark": "million",
                "machine": machine_info(),
                "commit": _commit(),
                "customers": args.customers,
                "assets": 1,
                "arity": 16,
                "workers": args.workers,
            }
            log("m=16 bound (before)")
            report["bound_before"] = m16_bound(args.workers, args.m16_proofs)
            log("generating balances")
            t0 = time.perf_counter()
            balances, assets = make_balances(directory, args.customers, args.seed)
            report["generate_csv_seconds"] = round(time.perf_counter() - t0, 1)
            report["csv_bytes"] = balances.stat().st_size
            spec = {
                "balances": str(balances),
                "assets": str(assets),
                "secret": random.Random(args.seed).randbytes(32).hex(),
                "out": str(directory / "bundle"),
                "workers": report["workers"],
                "sample_seconds": args.sample_seconds,
                "segment": 0,
            }
            state_path.write_text(json.dumps(report))
        bundle = Path(spec["out"])
        log(f"proving (segment {spec['segment']})")
        run_child(spec, directory)
        customers = report["customers"]
        report["prove"] = combine_segments(directory, customers, report["workers"])
        report["bundle_bytes"] = {
            "audit.sqlite": (bundle / "audit.sqlite").stat().st_size,
            "total": dir_bytes(bundle),
        }
        log("exporting a sample")
        report["export"] = export_sample(bundle, args.export_sample, args.seed, customers)
        log("full audit")
        report["audit"] = audit_child(bundle, report["workers"])
        log("m=16 bound (after)")
        report["bound_after"] = m16_bound(report["workers"], args.m16_proofs)
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(directory, ignore_errors=True)
    report["figures"] = figures(report)
    emit(report, args.out)


def log(msg: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr)


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures: the prove stage over all segments (wall and CPU) against the mean
    of the two bounds, and the last segment that built chunks against the bound measured
    right after the run (the pair taken under the most similar conditions: a quiet last
    segment gives the wall ratio); ``None`` where no segment timed a chunk."""
    workers = report["workers"]
    prove = report["prove"]
    stage = prove["stages"]["prove"]
    entries = prove["chunks_built_measured"] * prove["entries_per_chunk"]
    wall_rate = entries / stage["wall_s"] / workers
    cpu_rate = entries / stage["workers_cpu_s"]
    bounds = (report["bound_before"], report["bound_after"])
    bound_wall = sum(b["bound_entries_per_s_per_core_wall"] for b in bounds) / 2
    bound_cpu = sum(b["bound_entries_per_s_per_core_cpu"] for b in bounds) / 2
    timed = [seg for seg in prove["per_segment"] if seg["chunks_built"]]
    last = timed[-1] if timed else {"entries_per_s_per_core_wall": None, "entries_per_cpu_s": None}
    after = report["bound_after"]

    def ratio(rate: float | None, bound: float) -> float | None:
        return None if rate is None else round(rate / bound, 3)

    return {
        "entries_per_s_per_core_prove_stage_wall": round(wall_rate, 2),
        "entries_per_cpu_s_prove_stage": round(cpu_rate, 2),
        "ratio_to_bound_wall": round(wall_rate / bound_wall, 3),
        "ratio_to_bound_cpu": round(cpu_rate / bound_cpu, 3),
        "last_segment_entries_per_s_per_core_wall": last["entries_per_s_per_core_wall"],
        "last_segment_entries_per_cpu_s": last["entries_per_cpu_s"],
        "last_segment_ratio_to_bound_after_wall": ratio(
            last["entries_per_s_per_core_wall"], after["bound_entries_per_s_per_core_wall"]
        ),
        "last_segment_ratio_to_bound_after_cpu": ratio(
            last["entries_per_cpu_s"], after["bound_entries_per_s_per_core_cpu"]
        ),
        "entries_per_s_per_core_end_to_end": round(
            report["customers"] / prove["seconds"] / workers, 2
        ),
        "prove_end_to_end_seconds": prove["seconds"],
    }


def refigure(report_path: Path, directory: Path) -> dict[str, Any]:
    """A finished report with its proving figures recomputed from ``directory``'s segments
    (for a report written by an earlier version of this script)."""
    report: dict[str, Any] = json.loads(report_path.read_text())
    report["prove"] = combine_segments(directory, report["customers"], report["workers"])
    report["figures"] = figures(report)
    report["refigured_with"] = _commit()
    return report


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()


if __name__ == "__main__":
    main()
