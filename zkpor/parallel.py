"""Executors for the prover: a local process pool, or a Dask cluster.

The prover accepts any :class:`concurrent.futures.Executor`. ``make_executor`` builds the two
supported ones: ``ProcessPoolExecutor(workers)`` by default, and, given a scheduler address,
``distributed.Client(address).get_executor()`` (install ``zkpor[dask]``; see
docs/operators.md for running a cluster).

The local pool's workers hold the round key: each starts a watchdog thread that ends the
worker within a second of its driver's death (the parent pid changes when the driver dies,
even by SIGKILL), so no worker outlives a killed run for minutes.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from .errors import InputError

__all__ = ["default_workers", "make_executor", "watch_parent"]

_WATCH_SECONDS = 0.2


def default_workers() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


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
    of ``workers`` processes (default: one per available core)."""
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    if scheduler:
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise InputError("--scheduler needs Dask: pip install 'zkpor[dask]'") from None
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except OSError as exc:
            raise InputError(f"cannot reach Dask scheduler {scheduler}: {exc}") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
        return
    with ProcessPoolExecutor(
        max_workers=default_workers() if workers is None else workers,
        initializer=watch_parent,
        initargs=(os.getpid(),),
    ) as pool:
        yield pool
