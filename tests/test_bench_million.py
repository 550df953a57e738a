"""benchmarks/million.py, the script behind the committed 1M-customer report: a small run
end to end, and the arithmetic that adds a resumed run's segments up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.million import combine_segments, figures, segment_figures

ROOT = Path(__file__).resolve().parent.parent


def _segment(index: int, marks: list[list[object]], done: tuple[int | None, int]) -> dict[str, Any]:
    first, last = done
    return {
        "segment": index,
        "complete": index == 1,
        "marks": marks,
        "now": marks[-1][1:],
        "prove_first_done": first,
        "prove_done": last,
        "prove_total": 10,
        "machine_busy_s": 200.0,
        "machine_cpu_s": 400.0,
        "driver_peak_rss_mib": 40.0 + index,
        "worker_peak_rss_mib": 30.0,
        "memory_series": [{"t": 0.0, "driver_mib": 40.0, "worker_max_mib": 30.0, "workers": 2}],
    }


def test_segments_add_up_and_each_keeps_its_own_rate(tmp_path: Path) -> None:
    # segment 0: load 5 s, then 6 chunks in 100 s (killed); segment 1: resumes at 6, builds
    # 4 in 20 s, then reduce 3 s, self-check 2 s (complete)
    seg0 = _segment(0, [["load", 0.0, 0.0, 0.0], ["prove", 5.0, 0.0, 5.0]], (0, 6))
    seg0["now"] = [105.0, 150.0, 6.0]  # its last record: the prove stage ran to 105 s
    seg1 = _segment(
        1,
        [
            ["setup", 0.0, 0.0, 0.0],
            ["prove", 1.0, 0.0, 1.0],
            ["reduce", 21.0, 40.0, 2.0],
            ["self-check audit", 24.0, 40.0, 5.0],
            ["end", 26.0, 44.0, 5.5],
        ],
        (6, 10),
    )
    for seg in (seg0, seg1):
        (tmp_path / f"segment-{seg['segment']}.json").write_text(json.dumps(seg))
    prove = combine_segments(tmp_path, 2560, 2)
    assert prove["segments"] == 2 and prove["complete"] is True
    assert prove["stages"]["prove"] == {
        "wall_s": 120.0,
        "workers_cpu_s": 190.0,
        "driver_cpu_s": 2.0,
    }
    assert prove["stages"]["load"]["wall_s"] == 5.0 and prove["stages"]["reduce"]["wall_s"] == 3.0
    assert prove["chunks_built_measured"] == 10 and prove["entries_per_chunk"] == 256
    assert prove["driver_peak_rss_mib"] == 41.0
    s0, s1 = prove["per_segment"]
    assert (s0["chunks_built"], s1["chunks_built"]) == (6, 4)
    assert s0["entries_per_s_per_core_wall"] == round(6 * 256 / 100 / 2, 2)
    assert s1["entries_per_s_per_core_wall"] == round(4 * 256 / 20 / 2, 2)
    assert s1["entries_per_cpu_s"] == round(4 * 256 / 40, 2)
    assert s0["machine_busy_share"] == 0.5
    bound = {"bound_entries_per_s_per_core_wall": 32.0, "bound_entries_per_s_per_core_cpu": 25.6}
    report = {
        "workers": 2,
        "customers": 2560,
        "prove": prove,
        "bound_before": {k: 2 * v for k, v in bound.items()},
        "bound_after": bound,
    }
    f = figures(report)
    assert f["last_segment_ratio_to_bound_after_wall"] == 0.8  # 25.6 / 32
    assert f["last_segment_ratio_to_bound_after_cpu"] == 1.0  # 25.6 / 25.6
    assert f["entries_per_s_per_core_prove_stage_wall"] == round(2560 / 120 / 2, 2)


def test_a_segment_without_a_prove_stage_has_no_rate() -> None:
    seg = _segment(0, [["load", 0.0, 0.0, 0.0]], (None, 0))
    seg["now"] = [3.0, 0.0, 3.0]
    out = segment_figures(seg, 256, 2)
    assert out["chunks_built"] == 0 and out["entries_per_s_per_core_wall"] is None


def test_last_segment_figures_skip_a_segment_that_built_nothing(tmp_path: Path) -> None:
    """A run killed in its self-check and resumed: the resumed segment times no chunk, so
    the last-segment ratio comes from the segment before it (and no division by None)."""
    seg0 = _segment(0, [["prove", 0.0, 0.0, 0.0], ["reduce", 10.0, 20.0, 1.0]], (0, 10))
    seg1 = _segment(1, [["setup", 0.0, 0.0, 0.0], ["end", 4.0, 0.0, 4.0]], (None, 0))
    for seg in (seg0, seg1):
        (tmp_path / f"segment-{seg['segment']}.json").write_text(json.dumps(seg))
    prove = combine_segments(tmp_path, 2560, 2)
    bound = {"bound_entries_per_s_per_core_wall": 256.0, "bound_entries_per_s_per_core_cpu": 256.0}
    report = {"workers": 2, "customers": 2560, "prove": prove}
    f = figures({**report, "bound_before": bound, "bound_after": bound})
    assert f["last_segment_entries_per_s_per_core_wall"] == 128.0  # 2560 / 10 s / 2 cores
    assert f["last_segment_ratio_to_bound_after_wall"] == 0.5


def test_small_run_end_to_end(tmp_path: Path) -> None:
    """600 customers, every step; the report's figures are recomputable from the
    segment it saved (--refigure), and the exported proofs are on disk."""
    work, out = tmp_path / "work", tmp_path / "report.json"
    args = ["--customers", "600", "--workers", "2", "--export-sample", "6", "--m16-proofs", "2"]
    args += ["--sample-seconds", "1", "--dir", str(work), "--keep", "--out", str(out)]
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.million", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    prove = report["prove"]
    assert prove["complete"] and prove["chunks"] > 1
    assert prove["chunks_built_measured"] == prove["chunks"]  # one segment: every chunk timed
    assert {"load", "prove", "self-check audit", "self-check leaves"} <= set(prove["stages"])
    assert report["export"]["proofs"] == 6
    assert len(list((work / "proofs").glob("*.zkpi"))) == 6
    assert report["audit"]["seconds"] > 0 and report["bundle_bytes"]["total"] > 0
    for key in ("last_segment_ratio_to_bound_after_wall", "ratio_to_bound_cpu"):
        assert 0 < report["figures"][key] < 10, key
    again = subprocess.run(
        [sys.executable, "-m", "benchmarks.million", "--refigure", str(out), "--dir", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(again.stdout)["figures"] == report["figures"]
