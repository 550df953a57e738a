"""Executors for the prover: a local process pool, or a Dask cluster.

The prover accepts any :class:`concurrent.futures.Executor`. ``make_executor`` builds the two
supported ones: ``ProcessPoolExecutor(workers)`` by default, and, given a scheduler address,
``distributed.Client(address).get_executor()`` (install ``zkpor[dask]``; see
docs/operators.md for running a cluster).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from .errors import InputError

__all__ = ["default_workers", "make_executor"]


def default_workers() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


@contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """A context-managed executor: Dask when ``scheduler`` is given, else a process pool."""
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
    with ProcessPoolExecutor(max_workers=workers or default_workers()) as pool:
        yield pool
