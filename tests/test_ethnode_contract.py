"""The committed TestToken artifact is what solc-js makes of the committed source.

tests/ethnode/compile.js compiles contracts/TestToken.sol with the npm package ``solc``
(pinned by tests/ethnode/package-lock.json); its output, artifacts/TestToken.json, is
committed so the chain tests need no compiler. Here it is recompiled and compared byte for
byte, so neither file can change without the other.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.ethnode_fixture import ARTIFACT, ETHNODE_DIR

SOLC = ETHNODE_DIR / "node_modules" / "solc" / "package.json"


def test_artifact_is_the_compiled_source() -> None:
    if shutil.which("node") is None or not SOLC.exists():
        pytest.skip(f"solc-js is not installed: run `npm ci` in {ETHNODE_DIR}")
    fresh = subprocess.run(
        ["node", "compile.js", "--stdout"],
        cwd=ETHNODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert fresh == ARTIFACT.read_text(encoding="utf-8")


def test_artifact_names_its_compiler_and_the_pinned_version() -> None:
    art = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    lock = json.loads((ETHNODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    solc_version = lock["packages"]["node_modules/solc"]["version"]
    assert art["compiler"].startswith(f"solc-js {solc_version}+commit.")
    assert art["bytecode"].startswith("0x") and len(art["bytecode"]) > 1000
    names = {e.get("name") for e in art["abi"]}
    assert {"balanceOf", "decimals", "transfer", "totalSupply"} <= names


def test_npm_packages_are_pinned_exactly() -> None:
    pkg = json.loads((ETHNODE_DIR / "package.json").read_text(encoding="utf-8"))
    deps = pkg["devDependencies"]
    assert set(deps) == {"ganache", "solc"}
    assert all(v[0].isdigit() for v in deps.values()), deps  # no ^ or ~ ranges
