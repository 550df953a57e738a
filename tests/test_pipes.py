"""Output read by another program (issue 23, items 5 and 10; docs/cli.md, "Output").

- A reader that closes stdout early (``| head -4``, the guides' own examples) makes the
  command exit 141 (128 + SIGPIPE), silently: never 1 ("a check failed") or 2.
- Output to a file or a pipe is not hard-wrapped: every sentence is one line, so grep finds
  it; ``COLUMNS`` asks for wrapping, as a terminal gets it (80 columns).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .demo_round import demo_round


def _digest(demo: Path) -> str:
    return (demo / "bundle" / "manifest.sha256").read_text().split()[0]


def _verify_user(demo: Path) -> list[str]:
    proof = sorted((demo / "proofs").glob("*.json"))[0]
    return [
        sys.executable, "-m", "zkpor", "verify", "user", str(proof),
        "--manifest", str(demo / "bundle" / "manifest.json"), "--digest", _digest(demo),
    ]  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update(extra)
    return env


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "user"],  # completed, then the reader went away
        ["reserves", "list"],
        ["--help"],
    ],
)
def test_a_closed_pipe_exits_141_silently(args: list[str]) -> None:
    demo = demo_round()
    if args == ["verify", "user"]:
        command = _verify_user(demo)
    elif args == ["reserves", "list"]:
        command = [
            sys.executable,
            "-m",
            "zkpor",
            "reserves",
            "list",
            str(demo / "bundle" / "manifest.json"),
        ]
    else:
        command = [sys.executable, "-m", "zkpor", "--help"]
    for _ in range(3):  # the race between writer and reader: the outcome must not vary
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.readline()
            proc.stdout.close()  # as `head -1` does
            err = proc.stderr.read().decode()
            code = proc.wait(timeout=120)
        assert code in (0, 141), (code, err)
        assert err == ""


def test_a_closed_pipe_is_141_even_when_the_first_write_fails() -> None:
    """The reader is gone before the command writes anything."""
    demo = demo_round()
    r, w = os.pipe()
    os.close(r)
    proc = subprocess.run(_verify_user(demo), stdout=w, stderr=subprocess.PIPE, env=_env())
    os.close(w)
    assert (proc.returncode, proc.stderr.decode()) == (141, "")


def test_output_to_a_pipe_is_not_wrapped() -> None:
    demo = demo_round()
    out = subprocess.run(
        _verify_user(demo), capture_output=True, text=True, env=_env(), check=True
    ).stdout
    lines = out.splitlines()
    sentence = (
        "  - each balance above is a leaf of its asset's tree, on a path to the published root;"
        " every value on the path is proven to be between 0 and 2^64 (no balance was made"
        " negative to shrink a total)"
    )
    assert sentence in lines
    assert max(len(line) for line in lines) > 100


def test_columns_asks_for_wrapping() -> None:
    demo = demo_round()
    out = subprocess.run(
        _verify_user(demo), capture_output=True, text=True, env=_env(COLUMNS="80"), check=True
    ).stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "  - each balance above is a leaf of its asset's tree, on a path to the published" in (
        lines
    )
