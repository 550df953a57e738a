"""One small, reproducible demo round per test process, shared by the guide, publish and
reserves command tests (building it takes a few seconds; every test copies it first).

It is the round the guides' examples show: ``zkpor demo --users 60 --seed 1 --round
demo-2026-12-01`` (a margin round: some customers owe debts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEMO_ARGS = ("--users", "60", "--seed", "1", "--round", "demo-2026-12-01", "--workers", "1")
EXCHANGE = "Demo Exchange"
ROUND = "demo-2026-12-01"

_built: list[Path] = []


def demo_round() -> Path:
    """The demo's folder (balances.csv, assets.json, reserves.json, exchange.secret,
    bundle/, proofs/), built once per process; copy it before changing anything."""
    if not _built:
        root = Path(tempfile.mkdtemp(prefix="zkpor-guides-"))
        out = root / "demo"
        r = subprocess.run(
            [sys.executable, "-m", "zkpor", "demo", *DEMO_ARGS, "--out", str(out), "--json"],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr
        _built.append(out)
    return _built[0]


def demo_copy(target: Path) -> Path:
    """A private copy of the demo round at ``target``."""
    shutil.copytree(demo_round(), target, symlinks=True)
    return target


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """``zkpor ARGS`` in this process through the console-script entry point (its error
    policy included): (exit code, stdout, stderr)."""
    import contextlib
    import io
    import os

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
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()
