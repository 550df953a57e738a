"""Scaling curve: one fixed input proved with 1, 2, ... worker processes; entries per second
and the efficiency against one worker.

    python -m benchmarks.scaling [--customers N] [--workers 1,2,3,4] [--executor pool|dask]
                                 [--arity K] [--pad-granularity G] [--seed S] [--out FILE]

One asset (BTC, log-normal balances, the dataset of ``benchmarks.liabilities``), arity 16 and
padding 256 by default; the same CSV and master secret for every worker count. Per count W, a
fresh ``prove_liabilities`` run on

- ``pool``: ``ProcessPoolExecutor(W)`` (what ``zkpor prove --workers W`` uses), or
- ``dask``: a scheduler and W single-threaded worker processes started as production starts
  them (``dask scheduler``, ``dask worker --nthreads 1``, on 127.0.0.1), and the prover
  connected to it (``--scheduler``).

Workers are started and warmed up (generators derived) before the clock starts. Measured:
the map (``prove`` stage: first to last chunk, from the progress callback), the reduce, and
the whole run (load, map, reduce, self-check, rename). ``entries_per_s`` = leaves / map
seconds; ``speedup`` = entries_per_s / entries_per_s at 1 worker; ``efficiency`` = speedup /
W. A count above the available cores is measured but flagged (``oversubscribed``); on a
machine shared with other work the curve understates the scaling (``loadavg`` is recorded
before and after each run). Prints JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks._harness import emit, machine_info
from benchmarks.liabilities import make_dataset
from zkpor.prover.liabilities.prover import (
    DEFAULT_ARITY,
    DEFAULT_PAD_GRANULARITY,
    ProveOptions,
    prove_liabilities,
)
from zkpor.prover.parallel import default_workers, make_executor

ROUND_ID = "bench-scaling"


def _warm(_: object = None) -> int:
    """In a worker: derive the generators (as the first chunk would), then hold the worker a
    moment so that every worker of a fresh pool gets one of these calls."""
    from zkpor.crypto.generators import generators

    generators().vectors(64)
    time.sleep(0.2)
    return os.getpid()


@contextmanager
def _pool(workers: int) -> Iterator[Executor]:
    with make_executor(workers) as pool:
        pids = set(pool.map(_warm, range(workers)))
        if len(pids) != workers:
            raise SystemExit(f"pool: {len(pids)} of {workers} workers started")
        yield pool


@contextmanager
def _dask(workers: int, directory: Path) -> Iterator[Executor]:
    """A scheduler and ``workers`` worker processes, torn down on the way out."""
    distributed: Any = importlib.import_module("distributed")

    script = Path(sys.executable).with_name("dask")
    dask = [str(script)] if script.exists() else [sys.executable, "-m", "dask"]
    info = directory / f"scheduler-{workers}.json"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        scheduler = [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0"]
        scheduler += ["--no-dashboard", "--scheduler-file", str(info)]
        procs.append(
            subprocess.Popen(scheduler, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        deadline = time.monotonic() + 120
        address = None
        while address is None:
            try:
                address = json.loads(info.read_text())["address"]
            except (OSError, ValueError, KeyError):
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    raise SystemExit("dask scheduler did not start") from None
                time.sleep(0.1)
        for i in range(workers):
            worker = [*dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
            worker += ["--host", "127.0.0.1", "--name", f"w{i}"]
            worker += ["--local-directory", str(directory / f"dask-{workers}-{i}")]
            procs.append(
                subprocess.Popen(worker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
            client.run(_warm)
            yield client.get_executor()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            proc.wait()


def run_once(
    workers: int, executor_kind: str, data: Any, secret: bytes, opts: ProveOptions, tmp: Path
) -> dict[str, Any]:
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(f"{stage}:first", now)
        marks[f"{stage}:last"] = now
        if stage == "prove":
            marks["chunks"] = total

    starter = _pool(workers) if executor_kind == "pool" else _dask(workers, tmp)
    load_before = os.getloadavg()[0]
    with starter as executor:
        t0 = time.perf_counter()
        summary = prove_liabilities(
            data.balances,
            data.assets_file,
            secret,
            opts,
            tmp / f"bundle-{workers}",
            executor,
            progress=progress,
        )
        total_s = time.perf_counter() - t0
    leaves = sum(int(str(a["leaf_count"])) for a in summary.assets.values())
    prove_s = marks["prove:last"] - marks["prove:first"]
    # the reduce ends where the self-check begins (the first call of a later stage)
    after = [
        v
        for k, v in marks.items()
        if k.endswith(":first")
        and not k.startswith(("prove:", "reduce:"))
        and v >= marks["prove:last"]
    ]
    reduce_s = (min(after) if after else t0 + total_s) - marks["prove:last"]
    return {
        "workers": workers,
        "leaves": leaves,
        "chunks": int(marks["chunks"]),
        "prove_s": round(prove_s, 3),
        "reduce_s": round(reduce_s, 3),
        "total_s": round(total_s, 3),
        "entries_per_s": leaves / prove_s,
        "entries_per_s_total": leaves / total_s,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg()[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=8192)
    ap.add_argument("--workers", default="1,2", help="worker counts, e.g. 1,2,3,4")
    ap.add_argument("--executor", choices=("pool", "dask"), default="pool")
    ap.add_argument("--arity", type=int, default=DEFAULT_ARITY)
    ap.add_argument("--pad-granularity", type=int, default=DEFAULT_PAD_GRANULARITY)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--out", help="also write the JSON report to this file")
    args = ap.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    if not counts or min(counts) < 1 or counts[0] != 1:
        raise SystemExit("--workers: positive counts, starting with 1 (the baseline)")
    cores = default_workers()
    opts = ProveOptions(round_id=ROUND_ID, arity=args.arity, pad_granularity=args.pad_granularity)
    secret = random.Random(args.seed).randbytes(32)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="zkpor-bench-scaling-") as tmp_name:
        tmp = Path(tmp_name)
        data = make_dataset(tmp, args.customers, 1, random.Random(args.seed))
        runs = [run_once(w, args.executor, data, secret, opts, tmp) for w in counts]
    base = runs[0]["entries_per_s"]
    for run in runs:
        run["speedup"] = round(run["entries_per_s"] / base, 3)
        run["efficiency"] = round(run["speedup"] / run["workers"], 3)
        run["entries_per_s"] = round(run["entries_per_s"], 1)
        run["entries_per_s_per_worker"] = round(run["entries_per_s"] / run["workers"], 1)
        run["entries_per_s_total"] = round(run["entries_per_s_total"], 1)
        run["oversubscribed"] = run["workers"] > cores
    report = {
        "benchmark": "scaling",
        "machine": machine_info(),
        "cores_available": cores,
        "executor": args.executor,
        "customers": args.customers,
        "arity": args.arity,
        "pad_granularity": args.pad_granularity,
        "runs": runs,
        "seconds": round(time.time() - started, 1),
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
