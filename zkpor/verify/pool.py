"""Waiting on an executor's futures: the one helper the verifiers share with the prover.

Audits run their batches on any :class:`concurrent.futures.Executor` (a local process pool
by default); an executor may offer ``check_alive()`` (the prover's Dask executor,
:mod:`zkpor.prover.parallel`), which is then asked while waiting whether the run can still
finish. Nothing here imports the prover.

Spec: docs/spec/bundle-and-audit.md (9.5).
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Final, TypeVar

__all__ = ["wait_first"]

_R = TypeVar("_R")
_POLL_SECONDS: Final[float] = 1.0


def wait_first(
    executor: Executor, pending: set[Future[_R]]
) -> tuple[set[Future[_R]], set[Future[_R]]]:
    """``concurrent.futures.wait(pending, return_when=FIRST_COMPLETED)``: (done, not done),
    ``done`` non-empty unless ``pending`` is empty. An executor with a ``check_alive()``
    method (the prover's Dask executor) is asked once a second meanwhile whether the run can
    still finish; it raises if not."""
    check_alive = getattr(executor, "check_alive", None)
    if check_alive is None or not pending:
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return set(done), set(rest)
    while True:
        done, rest = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return set(done), set(rest)
        check_alive()
