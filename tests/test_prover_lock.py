"""Issue 10, item 7: one prover per output, and no worker outlives a killed driver."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from zkpor.errors import InputError
from zkpor.prover.liabilities.lock import lock_path, output_lock
from zkpor.prover.parallel import make_executor

from .liab_helpers import PROVE_BASE, run_prove, sample_rows, write_inputs

ARGS = [
    *PROVE_BASE,
    "--round",
    "r",
    "--out",
    "o",
    "--pad-granularity",
    "16",
    "--chunk-height",
    "1",
    "--arity",
    "4",
    "--workers",
    "2",
    "--quiet",
    "--json",
]


def test_lock_held_in_process_refuses_second_run(tmp_path: Path) -> None:
    with output_lock(tmp_path / "bundle"):
        assert f"pid {os.getpid()} on host" in lock_path(tmp_path / "bundle").read_text()
        with pytest.raises(InputError, match=f"another zkpor prove \\(pid {os.getpid()} "):
            run_prove(tmp_path, sample_rows(5))
        assert not (tmp_path / "bundle.partial").exists()
    assert not lock_path(tmp_path / "bundle").exists()  # removed by its holder
    run_prove(tmp_path, sample_rows(5))  # and free again
    assert not lock_path(tmp_path / "bundle").exists()


def test_lock_released_when_run_fails(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    with pytest.raises(InputError, match="output exists"):
        run_prove(tmp_path, sample_rows(5))
    with output_lock(tmp_path / "bundle"):  # not left held or stale
        pass


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_workers_must_be_positive(tmp_path: Path, workers: str) -> None:
    with (
        pytest.raises(InputError, match="--workers must be at least 1"),
        make_executor(int(workers)),
    ):
        pass
    write_inputs(tmp_path, sample_rows(3))
    (tmp_path / "s.key").write_text("zkpor-master-secret-v1\n" + "00" * 32 + "\n")
    r = _zkpor(tmp_path, *[a if a != "2" else workers for a in ARGS])
    assert r.returncode == 2, r.stderr
    assert "--workers must be at least 1" in r.stderr and "Traceback" not in r.stderr
    assert "max_workers" not in r.stderr
    assert not (tmp_path / "o.partial").exists()


def _zkpor(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zkpor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def running(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real `zkpor prove` with two pool workers, caught after a few finished chunks."""
    write_inputs(tmp_path, sample_rows(400))
    assert _zkpor(tmp_path, "keygen", "--out", "s.key").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "zkpor", *ARGS],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        audit = tmp_path / "o.partial" / "audit.sqlite"
        deadline = time.time() + 120
        done = 0
        while time.time() < deadline and proc.poll() is None and done < 3:
            if audit.exists():
                try:
                    with sqlite3.connect(f"file:{audit}?mode=ro", uri=True, timeout=0.1) as c:
                        done = c.execute("SELECT count(*) FROM progress").fetchone()[0]
                except sqlite3.Error:
                    done = 0
            time.sleep(0.05)
        assert proc.poll() is None and done >= 3, "prover finished before it could be caught"
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_second_prove_on_same_out_exits_2_naming_the_first(
    tmp_path: Path, running: subprocess.Popen[bytes]
) -> None:
    r = _zkpor(tmp_path, *ARGS)
    assert r.returncode == 2, r.stderr
    assert f"another zkpor prove (pid {running.pid} on host" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert running.poll() is None  # the first run is untouched
    os.killpg(running.pid, signal.SIGKILL)
    running.wait()
    r = _zkpor(tmp_path, *ARGS)  # the dead run's lock is gone: the next run resumes
    assert r.returncode == 0, r.stderr
    assert not lock_path(tmp_path / "o").exists()


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


def test_workers_exit_when_driver_is_killed(running: subprocess.Popen[bytes]) -> None:
    workers = psutil.Process(running.pid).children(recursive=True)
    assert len(workers) >= 2, workers
    os.kill(running.pid, signal.SIGKILL)  # the driver only, not its process group
    running.wait()
    deadline = time.time() + 5
    while _alive(workers) and time.time() < deadline:
        time.sleep(0.1)
    orphans = _alive(workers)
    for p in orphans:  # do not leave them running if the check fails
        p.kill()
    assert not orphans, f"workers outlived their driver: {orphans}"
