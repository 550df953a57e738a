"""Executors for the prover: a local process pool, or a Dask cluster.

The prover accepts any :class:`concurrent.futures.Executor`. ``make_executor`` builds the two
supported ones: ``ProcessPoolExecutor(workers)`` by default, and, given a scheduler address,
``distributed.Client(address).get_executor()`` (install ``zkpor[dask]``; see
docs/operators.md for running a cluster: ``dask scheduler``, ``dask worker``).

The local pool's workers hold the round key: each starts a watchdog thread that ends the
worker within a second of its driver's death (the parent pid changes when the driver dies,
even by SIGKILL), so no worker outlives a killed run for minutes.

On a Dask cluster a worker that dies is not an error: the scheduler runs its tasks again on
the other workers (a result the dead worker held and the driver had not received yet is
recomputed; each submitted task completes exactly once at the driver). Losing the scheduler
is: Dask cancels every pending task, and :func:`make_executor` turns that into
:class:`ClusterLost`, one line naming the scheduler (the prover's finished chunks stay
checkpointed, so the same command resumes them). A task that killed its worker
``distributed.scheduler.allowed-failures`` + 1 times in a row (default 4) ends the run the
same way, and so does a cluster left without any worker for ``ZKPOR_DASK_NO_WORKERS_SECONDS``
(default 300) while the driver waits for tasks (every wait of the prover goes through
:func:`wait_first`, which asks the executor once a second whether the run can still finish).
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import (
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
)
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from zkpor.errors import ClusterLost, InputError, ZkporError
from zkpor.verify.pool import wait_first

__all__ = [
    "ClusterLost",
    "default_workers",
    "make_executor",
    "run_windowed",
    "wait_first",
    "watch_parent",
]

_T = TypeVar("_T")
_R = TypeVar("_R")

_WATCH_SECONDS = 0.2
CONNECT_TIMEOUT: Final[str] = "20s"  # docs/operators.md, section 8
NO_WORKERS_ENV: Final[str] = "ZKPOR_DASK_NO_WORKERS_SECONDS"
NO_WORKERS_SECONDS: Final[float] = 300.0


def default_workers() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def run_windowed(
    executor: Executor, fn: Callable[[_T], _R], tasks: Iterable[_T], window: int
) -> Generator[_R, None, None]:
    """``fn`` over ``tasks`` on ``executor``, results in completion order, with at most
    ``window`` tasks in flight (tasks are drawn lazily, so the driver holds no more than
    that). Closing the iterator early cancels the tasks still pending."""
    source = iter(tasks)
    pending: set[Future[_R]] = set()
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < window:
                task = next(source, None)
                if task is None:
                    exhausted = True
                    break
                pending.add(executor.submit(fn, task))
            if not pending:
                return
            completed, pending = wait_first(executor, pending)
            for fut in completed:
                yield fut.result()
    finally:
        for fut in pending:
            fut.cancel()


def watch_parent(driver: int) -> None:
    """Pool initializer: exit this worker as soon as its parent is no longer ``driver``.
    Ctrl-C reaches every process of the terminal's group: a worker ignores it and leaves
    it to its driver (which stops the run; then this watchdog ends the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == driver:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="zkpor-watchdog", daemon=True).start()


@contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """A context-managed executor: Dask when ``scheduler`` is given, else a process pool
    of ``workers`` processes (default: one per available core). Raises :class:`ClusterLost`
    (one line) when the Dask cluster fails the run (module doc)."""
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    if scheduler:
        with _dask_executor(scheduler) as executor:
            yield executor
        return
    with ProcessPoolExecutor(
        max_workers=default_workers() if workers is None else workers,
        initializer=watch_parent,
        initargs=(os.getpid(),),
    ) as pool:
        yield pool


@contextmanager
def _dask_executor(scheduler: str) -> Iterator[Executor]:
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise InputError(
            "--scheduler needs Dask: install zkpor with its dask extra (pip install "
            "'dist/zkpor-0.1.0-py3-none-any.whl[dask]', or pip install '.[dask]' in a checkout)"
        ) from None
    no_workers_seconds = _no_workers_seconds()  # a bad value is said before connecting
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise InputError(f"cannot reach Dask scheduler {scheduler}: {exc}") from None
    try:
        yield _DaskExecutor(client, scheduler, no_workers_seconds)
    except ZkporError:
        raise
    except Exception as exc:
        lost = _cluster_failure(distributed, client, exc, scheduler)
        if lost is None:
            raise
        _quiet_dask_logs()  # the one line below says it all: no reconnect tracebacks
        raise ClusterLost(f"{lost}; {_RESUME}") from None
    finally:
        client.close(timeout=5)


_RESUME = "the run stopped: run the same command again to resume from its checkpoints"


def _no_workers_seconds() -> float:
    text = os.environ.get(NO_WORKERS_ENV, "").strip()
    if not text:
        return NO_WORKERS_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 1e9:
        raise InputError(f"{NO_WORKERS_ENV} must be a positive number of seconds, not {text!r}")
    return seconds


class _DaskExecutor(Executor):
    """The Dask client's executor with :meth:`check_alive` for :func:`wait_first`: a cluster
    without any worker for ``no_workers_seconds`` ends the run (:class:`ClusterLost`)."""

    def __init__(self, client: Any, scheduler: str, no_workers_seconds: float) -> None:
        self._client = client
        self._inner = client.get_executor()
        self._scheduler = scheduler
        self._limit = no_workers_seconds
        self._empty_since: float | None = None  # when a probe first found no worker

    def submit(self, fn: Callable[..., _R], /, *args: Any, **kwargs: Any) -> Future[_R]:
        return self._inner.submit(fn, *args, **kwargs)  # type: ignore[no-any-return]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """As Dask's: ``wait=False`` (or ``cancel_futures``) cancels what is still running."""
        self._inner.shutdown(wait=wait and not cancel_futures)

    def check_alive(self) -> None:
        if self._client.status != "running":
            return  # the lost connection shows as cancelled futures (_cluster_failure)
        now = time.monotonic()
        try:
            workers = self._client.scheduler_info(n_workers=-1)["workers"]
        except Exception:  # a probe only: a connection going down shows as cancelled futures
            return
        if workers:
            self._empty_since = None
        elif self._empty_since is None:
            self._empty_since = now
        elif now - self._empty_since >= self._limit:
            raise ClusterLost(
                f"the Dask cluster {self._scheduler} has had no workers for "
                f"{self._limit:g} s; start workers, then {_RESUME[len('the run stopped: ') :]}"
            )


def _cluster_failure(distributed: Any, client: Any, exc: Exception, scheduler: str) -> str | None:
    """What went wrong with the cluster, if ``exc`` came from it (else None: a bug or an
    error of the task itself, re-raised as it is)."""
    if client.status != "running" or isinstance(exc, CancelledError):
        return f"lost the connection to the Dask scheduler {scheduler}"
    killed = getattr(distributed, "KilledWorker", None)
    if killed is not None and isinstance(exc, killed):
        return f"a task killed every Dask worker that ran it (scheduler {scheduler})"
    return None


def _quiet_dask_logs() -> None:
    for name in list(logging.Logger.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).disabled = True
