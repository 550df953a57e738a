"""A Dask cluster as production runs it, for the tests: ``dask scheduler`` and ``dask worker``
as separate processes on 127.0.0.1 (ports chosen by the system), torn down even on failure;
(the checks a published bundle must pass are liab_helpers.check_published)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PRELOAD = Path(__file__).with_name("dask_preload.py")  # the test-only worker hook
START_TIMEOUT = 60.0  # seconds for the scheduler and the workers to come up (a busy machine)


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL one of this cluster's processes and wait for it to be gone."""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _dask() -> list[str]:
    script = Path(sys.executable).with_name("dask")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dask"]


def _wait_until(what: str, ready: Callable[[], bool], procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        for proc in procs:
            if proc.poll() is not None:
                pytest.fail(f"{what}: a cluster process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not ready after {START_TIMEOUT} s")
        time.sleep(0.1)


@contextmanager
def dask_cluster(tmp: Path, workers: int = 2, *, preload: bool = False) -> Iterator[Cluster]:
    """Start a scheduler and ``workers`` single-threaded worker processes (no nanny, so a
    worker is one process the test can kill); with ``preload``, each worker loads
    tests/dask_preload.py. Logs go to ``tmp/dask-*.log``."""
    tmp.mkdir(parents=True, exist_ok=True)
    info = tmp / "scheduler.json"
    info.unlink(missing_ok=True)
    with ExitStack() as stack:
        procs: list[subprocess.Popen[bytes]] = []

        def teardown() -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
            for proc in procs:
                proc.wait(timeout=30)

        stack.callback(teardown)
        log = stack.enter_context((tmp / "dask-scheduler.log").open("wb"))
        args = [*_dask(), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
        args += ["--scheduler-file", str(info)]
        scheduler = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        procs.append(scheduler)

        def address() -> str | None:
            try:
                return str(json.loads(info.read_text())["address"])
            except (OSError, ValueError, KeyError):
                return None

        _wait_until("dask scheduler", lambda: address() is not None, procs)
        addr = address()
        assert addr is not None and addr.startswith("tcp://127.0.0.1:")
        cluster = Cluster(addr, scheduler)
        for i in range(workers):
            wlog = stack.enter_context((tmp / f"dask-worker-{i}.log").open("wb"))
            args = [*_dask(), "worker", addr, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
            args += ["--host", "127.0.0.1", "--name", f"w{i}", "--death-timeout", "60"]
            args += ["--local-directory", str(tmp / f"dask-worker-{i}")]
            if preload:
                args += ["--preload", str(PRELOAD)]
            proc = subprocess.Popen(args, stdout=wlog, stderr=subprocess.STDOUT)
            procs.append(proc)
            cluster.workers.append(proc)
        _wait_until("dask workers", lambda: connected_workers(addr) == workers, procs)
        yield cluster


def connected_workers(address: str) -> int:
    import distributed

    with distributed.Client(address, timeout="10s") as client:
        return len(client.scheduler_info(n_workers=-1)["workers"])


def secret_file(tmp: Path, secret: bytes) -> Path:
    path = tmp / "s.key"
    path.write_text(f"zkpor-master-secret-v1\n{secret.hex()}\n")
    path.chmod(0o600)
    return path


def finished_chunks(partial: Path) -> int:
    """Chunks an unfinished run has committed (its ``progress`` rows), read while it runs."""
    try:
        conn = sqlite3.connect(f"file:{partial / 'audit.sqlite'}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        (count,) = conn.execute("SELECT count(*) FROM progress").fetchone()
        return int(count)
    except sqlite3.OperationalError:  # not created yet, or locked by the writer
        return 0
    finally:
        conn.close()
