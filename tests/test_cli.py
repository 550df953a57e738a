"""The command line: version, info, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from zkpor import __version__


def _zkpor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zkpor", *args], capture_output=True, text=True, check=False
    )


def test_version() -> None:
    r = _zkpor("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"zkpor {__version__}"


def test_info_json() -> None:
    r = _zkpor("info", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["curve"] == "secp256k1"
    assert len(bytes.fromhex(data["generator_digest"])) == 32
    assert data["backend"] in ("fast", "reference")


def test_unknown_command_is_usage_error() -> None:
    r = _zkpor("no-such-command")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_bad_backend_env_is_one_line_error() -> None:
    import os

    env = dict(os.environ, ZKPOR_BACKEND="bogus")
    r = subprocess.run(
        [sys.executable, "-m", "zkpor", "info"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "unknown backend" in r.stderr
