"""Issue 15: progress on long runs -- chunks done, entries per second, time left -- and the
same numbers as JSON events (zkpor/prover/liabilities/progress.py, ``zkpor prove --progress-json``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from zkpor.prover.liabilities.progress import MovingRate, ProgressDisplay, ProgressMonitor
from zkpor.prover.liabilities.prover import ProverHooks, StopRequested

from .liab_helpers import NONCE, PROVE_BASE, SECRET, run_prove, sample_rows, write_inputs, zkpor

ROWS = sample_rows(40)  # BTC 40 holders -> 48 leaves, ETH 14 -> 16: 16 chunks at arity 4, h 1


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _events(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_moving_rate_over_its_window() -> None:
    rate = MovingRate(window_s=10)
    assert rate.rate() is None and rate.eta(100) is None
    rate.add(0, 0)
    assert rate.rate() is None  # one sample: no speed yet
    rate.add(5, 50)
    assert rate.rate() == 10 and rate.eta(100) == 5
    rate.add(10, 60)
    rate.add(20, 160)  # the samples older than the window go: (10, 60) .. (20, 160)
    assert rate.rate() == 10 and rate.eta(200) == 4
    rate.add(21, 160)  # stalled since the last sample, still the window's average
    assert rate.rate() == pytest.approx(100 / 11)
    stalled = MovingRate(window_s=10)
    stalled.add(0, 7)
    stalled.add(30, 7)
    assert stalled.rate() is None and stalled.eta(10) is None


def test_monitor_events_content_and_throttle() -> None:
    clock, wall = Clock(), Clock()
    wall.now = 1_764_583_200.0  # 2025-12-01T10:00:00Z
    out = io.StringIO()
    with ProgressMonitor(events=out, interval_s=1.0, window_s=30, clock=clock, wall=wall) as mon:
        mon.entries("prove", 512, 4096)  # a resumed run: 2 of 16 chunks were finished
        mon("prove", 2, 16)
        for chunk in range(3, 17):
            clock.now += 0.25
            mon.entries("prove", 256 * chunk, 4096)
            mon("prove", chunk, 16)
        clock.now += 0.5
        mon("self-check leaves", 0, 10)
        clock.now += 2
        mon("self-check leaves", 10, 10)
    events = _events(out)
    assert [e["event"] for e in events] == ["progress"] * (len(events) - 1) + ["finished"]
    prove = [e for e in events if e.get("stage") == "prove"]
    # the first update, then one a second (chunks 6, 10, 14 at 1, 2, 3 s), and the last
    assert [e["done"] for e in prove] == [2, 6, 10, 14, 16]
    first, second, last = prove[0], prove[1], prove[-1]
    assert first == {
        "event": "progress",
        "time": "2025-12-01T10:00:00Z",
        "elapsed_s": 0.0,
        "stage": "prove",
        "done": 2,
        "total": 16,
        "per_s": None,  # resumed work is not speed
        "eta_s": None,
        "entries_done": 512,
        "entries_total": 4096,
        "entries_per_s": None,
    }
    # 4 chunks of 256 entries in 1 s: 1024 entries/s, 2560 entries left
    assert second["elapsed_s"] == 1.0 and second["per_s"] == 4.0
    assert second["entries_per_s"] == 1024.0 and second["eta_s"] == 2.5
    assert last["done"] == last["total"] == 16 and last["entries_done"] == 4096
    assert last["eta_s"] == 0.0
    check = [e for e in events if e.get("stage") == "self-check leaves"]
    assert [(e["done"], e["per_s"], e["eta_s"]) for e in check] == [(0, None, None), (10, 5.0, 0)]
    assert "entries_done" not in check[0]


def test_display_shows_rate_and_time_left() -> None:
    from rich.console import Console

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160, color_system=None)
    clock = Clock()
    with ProgressMonitor(ProgressDisplay(True, console), clock=clock) as mon:
        mon.entries("prove", 0, 4096)
        mon("prove", 0, 16)
        clock.now += 2
        mon.entries("prove", 1024, 4096)
        mon("prove", 4, 16)
        mon.display.progress.refresh()  # type: ignore[union-attr]
        clock.now += 1
        mon("audit BTC", 3, 10)
        clock.now += 1
        mon("audit BTC", 5, 10)
        mon.display.progress.refresh()  # type: ignore[union-attr]
    text = screen.getvalue()
    assert "4/16" in text and "512 entries/s" in text and "left 0:00:06" in text
    assert "5/10" in text and "2.0/s" in text and "left 0:00:02" in text


def test_monitor_failed_event_names_the_error() -> None:
    out = io.StringIO()
    with pytest.raises(ValueError), ProgressMonitor(events=out, clock=Clock()) as mon:
        mon("prove", 0, 4)
        raise ValueError("balances.csv:3: amount: not a number\nsecond line")
    events = _events(out)
    assert events[-1]["event"] == "failed"
    assert events[-1]["error"] == "balances.csv:3: amount: not a number"


def _run(tmp: Path, mon: ProgressMonitor, stop_after: int | None = None) -> None:
    hooks = ProverHooks(stop_after_chunks=stop_after, run_nonce=NONCE)
    run_prove(tmp, ROWS, progress=mon, hooks=hooks)


def test_prover_reports_entries_and_resumed_work(tmp_path: Path) -> None:
    out = io.StringIO()
    with (
        pytest.raises(StopRequested),
        ProgressMonitor(events=out, interval_s=0) as mon,
    ):
        _run(tmp_path, mon, stop_after=5)
    stopped = [e for e in _events(out) if e.get("stage") == "prove"]
    assert [e["done"] for e in stopped] == list(range(6))
    assert {e["entries_total"] for e in stopped} == {64} and {e["total"] for e in stopped} == {16}
    assert [e["entries_done"] for e in stopped] == [4 * i for i in range(6)]
    out = io.StringIO()
    with ProgressMonitor(events=out, interval_s=0) as mon:
        _run(tmp_path, mon)
    events = _events(out)
    prove = [e for e in events if e.get("stage") == "prove"]
    assert [e["done"] for e in prove] == list(range(5, 17))
    assert prove[0]["entries_done"] == 20 and prove[0]["entries_per_s"] is None
    assert prove[-1]["entries_done"] == 64
    assert all(e["entries_per_s"] is None or e["entries_per_s"] > 0 for e in prove)
    stages = [e.get("stage") for e in events]
    assert "self-check leaves" in stages and events[-1]["event"] == "finished"


def _cli_inputs(tmp: Path) -> None:
    write_inputs(tmp, ROWS)
    secret = tmp / "s.key"
    secret.write_text(f"zkpor-master-secret-v1\n{SECRET.hex()}\n")
    secret.chmod(0o600)


_SMALL = ["--round", "2026-11", "--arity", "4", "--pad-granularity", "16", "--chunk-height", "1"]


def test_cli_progress_json_file(tmp_path: Path) -> None:
    _cli_inputs(tmp_path)
    (tmp_path / "events.jsonl").write_text('{"event": "finished"}\n')  # an earlier run's log
    r = zkpor(
        *PROVE_BASE,
        *_SMALL,
        "--out",
        "bundle",
        "--workers",
        "1",
        "--json",
        "--progress-json",
        "events.jsonl",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # --json: no display; the events went to the file
    events = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert events[0] == {"event": "finished"}  # appended to, not replaced
    prove = [e for e in events if e.get("stage") == "prove"]
    assert prove[0]["done"] == 0 and prove[-1]["done"] == prove[-1]["total"] == 16
    assert prove[-1]["entries_done"] == prove[-1]["entries_total"] == 64
    assert events[-1]["event"] == "finished"
    assert json.loads(r.stdout)["chunks_built"] == 16


def test_cli_progress_json_stderr_failed(tmp_path: Path) -> None:
    _cli_inputs(tmp_path)
    with (tmp_path / "balances.csv").open("a") as fh:
        fh.write("user999,BTC,-1\n")
    r = zkpor(*PROVE_BASE, *_SMALL, "--out", "bundle", "--progress-json", "-", cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    events = [json.loads(x) for x in lines if x.startswith("{")]
    assert events[-1]["event"] == "failed" and "balances.csv" in events[-1]["error"]
    assert lines[-1].startswith("error: balances.csv") and "Traceback" not in r.stderr
    assert not (tmp_path / "bundle").exists()
