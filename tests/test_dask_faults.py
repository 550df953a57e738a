"""Issue 15: Dask runs that survive losing a worker, stop cleanly when the scheduler is lost
(and resume from their checkpoints), and never publish a wrong chunk a worker returned.

The clusters are real ``dask scheduler`` / ``dask worker`` processes (tests/dask_helpers.py).
The faulty worker is a test-only preload (tests/dask_preload.py); nothing in zkpor can load
it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import distributed
import pytest

from zkpor.errors import InputError, VerificationError
from zkpor.formats.models import Roots
from zkpor.prover.parallel import NO_WORKERS_ENV, ClusterLost, make_executor

from .dask_helpers import (
    Cluster,
    connected_workers,
    dask_cluster,
    finished_chunks,
    secret_file,
)
from .liab_helpers import (
    FIXED_NONCE,
    PROVE_BASE,
    SECRET,
    check_published,
    run_prove,
    sample_rows,
    write_inputs,
    zkpor,
)

ROWS = sample_rows(40)  # 16 chunks at arity 4, chunk height 1 (BTC 12, ETH 4)
SMALL = ["--arity", "4", "--pad-granularity", "16", "--chunk-height", "1", "--quiet"]


def _roots(bundle: Path) -> Roots:
    return Roots.model_validate_json((bundle / "roots.json").read_text())


# --- a worker SIGKILLed mid-run ------------------------------------------------------------


def test_worker_killed_mid_run_same_roots(tmp_path: Path) -> None:
    rows = sample_rows(120)  # BTC 128 leaves, ETH 48: 44 chunks, more than the window of 32
    seen: list[int] = []
    killed: list[tuple[int, int]] = []
    with dask_cluster(tmp_path / "cluster", workers=2) as cluster:

        def progress(stage: str, done: int, total: int) -> None:
            if stage != "prove":
                return
            seen.append(done)
            if done == 1:  # 31 chunks in flight on the two workers, 12 not yet submitted
                cluster.kill(cluster.workers[0])
                killed.append((done, total))

        with make_executor(scheduler=cluster.address) as executor:
            summary = run_prove(
                tmp_path, rows, executor=executor, progress=progress, hooks=FIXED_NONCE
            )
        assert connected_workers(cluster.address) == 1
    assert killed == [(1, 44)]
    # every chunk stored exactly once: the count went 0, 1, ..., 44 with no repeat
    assert seen == list(range(45)) and summary.chunks_built == 44
    local = tmp_path / "local"
    local.mkdir()
    run_prove(local, rows, hooks=FIXED_NONCE)
    assert _roots(tmp_path / "bundle").assets == _roots(local / "bundle").assets
    check_published(tmp_path / "bundle", rows)


# --- the scheduler killed --------------------------------------------------------------------

HELD = 3  # the preload's "hold-3": BTC chunks 0-2 are built, every other chunk waits


def _prove_args(scheduler: str) -> list[str]:
    args = [*PROVE_BASE, *SMALL, "--round", f"hold-{HELD}", "--out", "bundle"]
    return [*args, "--scheduler", scheduler]


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"{what}: the prover exited early: {proc.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after 120 s")
        time.sleep(0.1)


def _prove_then(
    tmp_path: Path, cluster: Cluster, fault: Callable[[], None], env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run `zkpor prove --scheduler` (round hold-3) in a process; once its 3 chunks are
    committed, call ``fault``; return the prover's exit code and stderr."""
    partial = tmp_path / "bundle.partial"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zkpor", *_prove_args(cluster.address)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _wait_for("3 chunks finished", lambda: finished_chunks(partial) >= HELD, proc)
        fault()
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


def test_scheduler_killed_clear_error_then_resume(tmp_path: Path) -> None:
    write_inputs(tmp_path, ROWS)
    secret_file(tmp_path, SECRET)
    partial = tmp_path / "bundle.partial"
    with dask_cluster(tmp_path / "cluster-1", workers=2, preload=True) as cluster:
        code, err = _prove_then(tmp_path, cluster, lambda: cluster.kill(cluster.scheduler))
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(
        f"error: lost the connection to the Dask scheduler {cluster.address}"
    ), err
    assert "run the same command again to resume" in lines[0]
    assert not (tmp_path / "bundle").exists() and finished_chunks(partial) == HELD
    # the same command, on a new cluster (the scheduler restarted), resumes the 3 chunks
    with dask_cluster(tmp_path / "cluster-2", workers=2) as cluster:
        r = zkpor(*_prove_args(cluster.address), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (data["chunks_resumed"], data["chunks_built"], data["chunks_rebuilt"]) == (3, 13, 0)
    check_published(tmp_path / "bundle", ROWS)


# --- every worker gone ------------------------------------------------------------------------


def test_no_workers_left_clear_error_after_the_limit(tmp_path: Path) -> None:
    """Both workers SIGKILLed while 13 chunks are pending: with the limit at 3 s the prover
    stops with one line (exit 2), keeping its 3 finished chunks for the rerun."""
    write_inputs(tmp_path, ROWS)
    secret_file(tmp_path, SECRET)
    partial = tmp_path / "bundle.partial"
    env = {**os.environ, NO_WORKERS_ENV: "3"}
    with dask_cluster(tmp_path / "cluster", workers=2, preload=True) as cluster:

        def kill_workers() -> None:
            for worker in cluster.workers:
                cluster.kill(worker)

        code, err = _prove_then(tmp_path, cluster, kill_workers, env)
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [
        f"error: the Dask cluster {cluster.address} has had no workers for 3 s; start workers, "
        "then run the same command again to resume from its checkpoints"
    ], err
    assert not (tmp_path / "bundle").exists() and finished_chunks(partial) == HELD


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf"])
def test_no_workers_limit_must_be_positive(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from zkpor.prover.parallel import _no_workers_seconds

    monkeypatch.setenv(NO_WORKERS_ENV, value)
    with pytest.raises(InputError, match=f"{NO_WORKERS_ENV} must be a positive number"):
        _no_workers_seconds()
    monkeypatch.setenv(NO_WORKERS_ENV, "2.5")
    assert _no_workers_seconds() == 2.5
    monkeypatch.delenv(NO_WORKERS_ENV)
    assert _no_workers_seconds() == 300


class _StubExecutor:
    def __init__(self) -> None:
        self.calls: list[bool] = []

    def shutdown(self, wait: bool = True) -> None:  # Dask's signature: no cancel_futures
        self.calls.append(wait)


class _StubClient:
    status = "running"

    def __init__(self) -> None:
        self.inner = _StubExecutor()

    def get_executor(self) -> _StubExecutor:
        return self.inner

    def scheduler_info(self, n_workers: int) -> dict[str, dict[str, object]]:
        assert n_workers == -1  # all of them, not Dask's default first five
        return {"workers": {key: {} for key in self.workers}}

    workers: tuple[str, ...] = ()


def test_no_workers_counts_from_the_first_empty_probe() -> None:
    """The limit runs from the first probe that finds no worker, whatever happened before
    (a run whose chunks finish faster than the probe interval is not probed for a long time;
    a worker restarting then must not end it)."""
    from zkpor.errors import ZkporError
    from zkpor.prover.parallel import _DaskExecutor

    client = _StubClient()
    client.workers = ("tcp://127.0.0.1:2",)
    executor = _DaskExecutor(client, "tcp://127.0.0.1:1", 0.2)
    time.sleep(0.3)  # longer than the limit, no probe
    client.workers = ()
    executor.check_alive()  # the first empty probe: the clock starts now
    time.sleep(0.05)
    executor.check_alive()  # still within the limit
    client.workers = ("tcp://127.0.0.1:3",)
    executor.check_alive()  # a worker joined: the clock stops
    client.workers = ()
    time.sleep(0.3)
    executor.check_alive()  # empty again: it starts again from here
    time.sleep(0.3)
    with pytest.raises(ClusterLost, match=r"has had no workers for 0.2 s") as err:
        executor.check_alive()
    assert isinstance(err.value, ZkporError)
    client.status = "closed"  # a lost connection is _cluster_failure's to report
    executor.check_alive()


class _NeverDone:
    """An executor stand-in whose run can no longer finish after ``probes`` probes."""

    def __init__(self, probes: int) -> None:
        self.probes = probes

    def check_alive(self) -> None:
        self.probes -= 1
        if self.probes < 0:
            raise ClusterLost("gone")


def test_wait_first_probes_while_nothing_completes() -> None:
    from concurrent.futures import Future

    from zkpor.prover.parallel import wait_first

    stuck: Future[int] = Future()
    executor = _NeverDone(probes=1)
    with pytest.raises(ClusterLost, match="gone"):
        wait_first(executor, {stuck})  # type: ignore[arg-type]
    assert executor.probes == -1  # probed twice: once survived, once not
    done: Future[int] = Future()
    done.set_result(1)
    assert wait_first(_NeverDone(probes=0), {done, stuck}) == ({done}, {stuck})  # type: ignore[arg-type]


def test_ctrl_c_shutdown_fits_dasks_executor() -> None:
    """`zkpor prove` on Ctrl-C calls shutdown(wait=False, cancel_futures=True), which Dask's
    own executor does not accept: the wrapper maps it to Dask's cancel (wait=False)."""
    from zkpor.prover.parallel import _DaskExecutor

    client = _StubClient()
    executor = _DaskExecutor(client, "tcp://127.0.0.1:1", 300)
    executor.shutdown(wait=False, cancel_futures=True)
    executor.shutdown(cancel_futures=True)
    executor.shutdown()
    assert client.inner.calls == [False, False, True]


# --- a task error that cannot travel -----------------------------------------------------------


def test_unpicklable_task_error_reaches_the_driver(tmp_path: Path) -> None:
    """On a real cluster: a task raising an exception pickle cannot rebuild still ends its
    future with that error, within the minute (Dask's own round trip: cloudpickle, else
    ``Exception(repr)``), so the prover never waits on it."""

    class LocalError(Exception):  # defined here: pickle cannot even name it
        def __init__(self, a: str, b: int) -> None:
            super().__init__(f"{a}/{b}")

    def task(x: int) -> int:
        raise LocalError("chunk", x)

    with (
        dask_cluster(tmp_path / "cluster", workers=1) as cluster,
        make_executor(scheduler=cluster.address) as executor,
    ):
        future = executor.submit(task, 5)
        with pytest.raises(Exception, match=r"chunk/5"):
            future.result(timeout=60)


# --- a worker that returns a wrong chunk ------------------------------------------------------


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with dask_cluster(tmp_path_factory.mktemp("faulty"), workers=2, preload=True) as c:
        yield c


@pytest.mark.parametrize(
    "fault", ["wrong-amount", "wrong-blinding", "wrong-salt", "wrong-proof", "wrong-root"]
)
def test_wrong_chunk_caught_before_publishing(tmp_path: Path, faulty: Cluster, fault: str) -> None:
    published: list[Path] = []
    with (
        make_executor(scheduler=faulty.address) as executor,
        pytest.raises(VerificationError, match="self-check") as info,
    ):
        run_prove(
            tmp_path,
            ROWS,
            round_id=fault,
            executor=executor,
            finalize=lambda partial, summary: published.append(partial),
        )
    assert not published, "the manifest step ran on a bundle that failed its self-check"
    assert not (tmp_path / "bundle").exists() and (tmp_path / "bundle.partial").is_dir()
    assert "0x" not in str(info.value)  # no blinding in the message


def test_faulty_workers_build_other_rounds_right(tmp_path: Path, faulty: Cluster) -> None:
    """The control: the same workers, a round the preload leaves alone, a valid bundle."""
    with make_executor(scheduler=faulty.address) as executor:
        run_prove(tmp_path, ROWS, executor=executor)
    check_published(tmp_path / "bundle", ROWS)


def test_wrong_chunk_cli_exit_1_nothing_published(tmp_path: Path, faulty: Cluster) -> None:
    write_inputs(tmp_path, ROWS)
    secret_file(tmp_path, SECRET)
    r = zkpor(
        *PROVE_BASE,
        *SMALL,
        "--round",
        "wrong-amount",
        "--out",
        "bundle",
        "--scheduler",
        faulty.address,
        cwd=tmp_path,
    )
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("verification failed: self-check") and "Traceback" not in r.stderr
    assert not (tmp_path / "bundle").exists()


# --- which executor failures end the run with one line ---------------------------------------


class _Client:
    def __init__(self, status: str) -> None:
        self.status = status


def test_cluster_failure_mapping() -> None:
    """Lost scheduler (client no longer running, or futures cancelled) and KilledWorker become
    ClusterLost's one line; any other task error is re-raised as it is (a bug shows as one)."""
    from concurrent.futures import CancelledError

    from zkpor.prover.parallel import _cluster_failure

    addr = "tcp://127.0.0.1:8786"
    lost = f"lost the connection to the Dask scheduler {addr}"
    assert _cluster_failure(distributed, _Client("connecting"), ValueError("x"), addr) == lost
    assert _cluster_failure(distributed, _Client("running"), CancelledError(), addr) == lost
    killed = distributed.KilledWorker("build_chunk-1", "tcp://127.0.0.1:1", [])
    assert "killed every Dask worker" in str(
        _cluster_failure(distributed, _Client("running"), killed, addr)
    )
    assert _cluster_failure(distributed, _Client("running"), ValueError("bug"), addr) is None
