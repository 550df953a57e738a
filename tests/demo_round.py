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

from .conftest import call_zkpor as cli  # noqa: F401  (re-exported; the runner lives in conftest)

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
