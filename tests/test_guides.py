"""The guides' example outputs are what the commands print now.

Every ```console block of docs/operators.md, docs/customers.md and docs/auditors.md is a
session: ``$ `` starts a command (a line ending in ``\\`` continues it), the lines up to
the next command are what it prints (stdout and stderr as a terminal shows them, at 80
columns). Each guide's blocks run in order, in bash, in a fresh copy of the demo round of
:mod:`tests.demo_round` (the guides say which), with the venv's ``zkpor`` first on PATH.

Normalised on both sides, because they legitimately differ from run to run (and only
these): 64-hex values (manifest digests, root hashes: every run draws a fresh master
secret and run nonce), 16-hex root prefixes, and durations (``1.9 s``). Everything else,
amounts, addresses, block heights, counts, wording and layout, must match exactly.

``python -m tests.test_guides`` re-captures every block's output from real runs and
rewrites the guides in place (then review the diff).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.demo_round import demo_copy

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ("docs/operators.md", "docs/customers.md", "docs/auditors.md")
BLOCK = re.compile(r"^```console\n(.*?)^```\n", re.S | re.M)


@dataclass
class Step:
    command: str  # as written, continuation lines included
    output: str


def parse_block(text: str) -> list[Step]:
    steps: list[Step] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ "), f"a console block must start with a command: {line!r}"
        command = [line[2:]]
        while command[-1].endswith("\\"):
            i += 1
            command.append(lines[i])
        i += 1
        out: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        steps.append(Step("\n".join(command), "\n".join(out)))
    return steps


def blocks(guide: str) -> list[list[Step]]:
    return [parse_block(m.group(1)) for m in BLOCK.finditer((ROOT / guide).read_text())]


def normalise(text: str) -> str:
    text = re.sub(r"\b[0-9a-f]{64}\b", "<hex64>", text)
    text = re.sub(r"\b[0-9a-f]{16}…", "<hex16>…", text)
    text = re.sub(r"\b\d+(\.\d+)? s\b", "<t> s", text)
    # margin account numbers are a secret permutation, new each run (docs/spec.md 16.4)
    text = re.sub(r"\baccount \d+\b", "account <n>", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def run(command: str, cwd: Path) -> str:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(COLUMNS="80", TERM="dumb", NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    r = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    return r.stdout


def run_guide(guide: str, work: Path) -> list[list[tuple[Step, str]]]:
    cwd = demo_copy(work / "demo")
    return [[(step, run(step.command, cwd)) for step in block] for block in blocks(guide)]


def test_every_guide_has_checked_examples() -> None:
    for guide in GUIDES:
        found = blocks(guide)
        assert sum(len(b) for b in found) >= 2, guide
        assert all(any(s.command.startswith("zkpor ") for s in b) for b in found), guide


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_outputs_match_the_commands(guide: str, tmp_path: Path) -> None:
    for block in run_guide(guide, tmp_path):
        for step, got in block:
            assert normalise(got) == normalise(step.output), (
                f"{guide}: `{step.command}` now prints:\n{got}"
            )


def test_normalise_keeps_what_must_match() -> None:
    assert normalise("digest " + "ab" * 32 + " 1.9 s\n") == "digest <hex64> <t> s"
    assert normalise("BTC 0.5") != normalise("BTC 0.6")
    assert normalise("3 signed addresses") != normalise("2 signed addresses")


def _filled(block: list[tuple[Step, str]]) -> str:
    parts = []
    for step, got in block:
        parts.append("$ " + step.command)
        if got.strip("\n"):
            parts.append("\n".join(x.rstrip() for x in got.strip("\n").splitlines()))
    return "\n".join(parts)


def rewrite() -> None:  # pragma: no cover - a maintainer's tool
    for guide in GUIDES:
        path = ROOT / guide
        with tempfile.TemporaryDirectory() as work:
            filled = [_filled(block) for block in run_guide(guide, Path(work))]
        pieces = BLOCK.split(path.read_text())
        # BLOCK has one group: split() alternates text and block bodies
        text = "".join(
            piece if i % 2 == 0 else "```console\n" + filled[i // 2] + "\n```\n"
            for i, piece in enumerate(pieces)
        )
        path.write_text(text)
        print(f"rewrote {guide}")


if __name__ == "__main__":  # pragma: no cover
    rewrite()
