"""The README's commands are what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(python3 -m venv .+?)\n```", text)


def test_readme_has_two_setup_commands() -> None:
    cmds = _readme_commands()
    assert len(cmds) == 2
    assert "pip install ." in cmds[0] and "zkpor demo" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _readme_commands()[1] in ci


def test_the_test_command_installs_what_the_tests_need() -> None:
    """Issue 23 item 7: the tests' local Ethereum node is installed by the README's command
    itself (before pytest), so a newcomer's run skips nothing; the README states the time."""
    cmd = _readme_commands()[1]
    assert "(cd tests/ethnode && npm ci --no-audit --no-fund)" in cmd
    assert cmd.index("npm ci") < cmd.index("pytest")
    text = (ROOT / "README.md").read_text()
    assert re.search(r"about \d+ minutes on a quiet 2-core machine", text)


def test_one_license() -> None:
    """pyproject.toml, the npm packages and LICENSE name one license: Apache-2.0 (issue 22)."""
    import json
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert " ".join(text.split()[:6]) == "Apache License Version 2.0, January 2004"
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    for package in ("web", "tests/ethnode"):
        assert json.loads((ROOT / package / "package.json").read_text())["license"] == "Apache-2.0"
        lock = json.loads((ROOT / package / "package-lock.json").read_text())
        assert lock["packages"][""]["license"] == "Apache-2.0", package
