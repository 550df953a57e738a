"""Issue 15: the scaling-curve benchmark (benchmarks/scaling.py) on a tiny input: its report's
shape and arithmetic (the figures themselves come from a run on a quiet machine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("executor", ["pool", "dask"])
def test_scaling_report(tmp_path: Path, executor: str) -> None:
    out = tmp_path / "scaling.json"
    args = ["--customers", "40", "--arity", "4", "--pad-granularity", "16", "--workers", "1,2"]
    args += ["--executor", executor, "--out", str(out)]
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.scaling", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    assert json.loads(r.stdout) == report
    assert report["benchmark"] == "scaling" and report["executor"] == executor
    runs = report["runs"]
    assert [run["workers"] for run in runs] == [1, 2]
    assert {(run["leaves"], run["chunks"]) for run in runs} == {(48, 12)}  # same input each time
    base = runs[0]["entries_per_s"]
    assert runs[0]["speedup"] == 1.0 and runs[0]["efficiency"] == 1.0
    for run in runs:
        assert run["prove_s"] > 0 and run["total_s"] >= run["prove_s"] + run["reduce_s"]
        assert run["entries_per_s"] == pytest.approx(48 / run["prove_s"], rel=0.01)
        assert run["speedup"] == pytest.approx(run["entries_per_s"] / base, rel=0.01)
        assert run["efficiency"] == pytest.approx(run["speedup"] / run["workers"], rel=0.01)


def test_scaling_needs_the_one_worker_baseline(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.scaling", "--workers", "2,4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode != 0 and "starting with 1" in r.stderr
