"""Shared fixtures: every group-level test runs on each backend (``backend``); the one way
to run the command line (``cli``, :func:`run_zkpor`, :func:`call_zkpor`); the round factory
(``make_round``)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from zkpor.crypto.group import Backend, available_backends, get_backend

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BACKENDS = [b.name for b in available_backends()]


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each available group backend in turn."""
    return get_backend(request.param)


@pytest.fixture(scope="session")
def ref() -> Backend:
    return get_backend("reference")


@pytest.fixture(scope="session")
def fast() -> Backend:
    try:
        return get_backend("fast")
    except Exception:  # pragma: no cover - coincurve is a hard dependency
        pytest.skip("fast backend unavailable")


# --- the command line, as a user runs it ---------------------------------------------------


def run_zkpor(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    module: str = "zkpor",
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` in a fresh process (``zkpor`` unless a test runs
    ``tools.vectors``); a hang fails the test after ``timeout`` s instead of blocking the
    suite."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def call_zkpor(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """``zkpor ARGS`` in this process through the console-script entry point (its error
    policy included), for speed: (exit code, stdout, stderr)."""
    from zkpor.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    code: int | str | None = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
    except SystemExit as exc:
        code = exc.code
    finally:
        os.chdir(old)
    exit_code = code if isinstance(code, int) else 1 if code else 0
    return exit_code, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Cli:
    """The ``cli`` fixture: ``cli.run(...)`` in a new process, ``cli.call(...)`` in this one."""

    run: Callable[..., subprocess.CompletedProcess[str]] = run_zkpor
    call: Callable[..., tuple[int, str, str]] = call_zkpor


@pytest.fixture(scope="session")
def cli() -> Cli:
    """The one way tests run the ``zkpor`` command."""
    return Cli()


# --- rounds ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def make_round(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """The round factory: ``make_round(customers, **options)`` proves a round of
    ``sample_rows(customers)`` (BTC and ETH, tests/liab_helpers.py) with the project's prover
    in a fresh folder and returns its bundle. Options are :class:`ProveOptions` fields and
    prover keywords (arity 4, padding 16 and chunk height 1 unless given)."""
    from .liab_helpers import run_prove, sample_rows

    def make(customers: int = 40, *, name: str = "round", **options: object) -> Path:
        tmp = tmp_path_factory.mktemp(name)
        run_prove(tmp, sample_rows(customers), **options)
        return tmp / "bundle"

    return make
