"""The demo end to end, and the lightweight verifier's isolation and reference backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .liab_helpers import zkpor


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("demo")
    r = zkpor("demo", "--users", "60", "--out", "d", "--json", "--workers", "2", cwd=tmp)
    assert r.returncode == 0, r.stderr
    (tmp / "result.json").write_text(r.stdout)
    return tmp


def test_demo_summary(demo: Path) -> None:
    data = json.loads((demo / "result.json").read_text())
    assert data["customers"] == 60
    assert set(data["assets"]) == {"BTC", "ETH", "USDT"}
    assert all(a["covered"] for a in data["assets"].values())
    assert len(data["verified_customers"]) == 3
    assert (
        data["manifest_digest"] == (demo / "d" / "bundle" / "manifest.sha256").read_text().strip()
    )
    assert oct((demo / "d" / "exchange.secret").stat().st_mode & 0o777) == "0o600"
    assert oct((demo / "d" / "reserve-wallets.secret.json").stat().st_mode & 0o777) == "0o600"


def test_demo_has_margin_customers(demo: Path) -> None:
    """About 10% of the customers owe debts; at least one exported proof has a debt, and it
    verifies with its collateral proof; the table's columns are all there."""
    data = json.loads((demo / "result.json").read_text())
    assert data["margin_customers"] >= 1
    assert data["audit_margin_accounts"] >= data["margin_customers"]
    assert len(data["debtors_verified"]) >= 1
    for info in data["assets"].values():
        assert {"liabilities", "debt", "net", "reserves"} <= set(info)
    debtor = data["debtors_verified"][0]
    proof = json.loads((demo / "d" / "proofs" / f"{debtor}.json").read_text())
    assert proof["debts"] and proof["collateral"]["inputs"]
    r = zkpor(
        "verify",
        "user",
        f"d/proofs/{debtor}.json",
        "--manifest",
        "d/bundle/manifest.json",
        cwd=demo,
    )
    assert r.returncode == 0 and "collateral check passed" in r.stdout, r.stderr


def test_demo_rerun_and_foreign_directory(demo: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "important.txt").write_text("keep me")
    r = zkpor("demo", "--users", "5", "--out", "mine", cwd=tmp_path)
    assert r.returncode == 2 and "not a zkpor demo directory" in r.stderr
    assert (tmp_path / "mine" / "important.txt").exists()
    r = zkpor("demo", "--users", "5", "--assets", "DOGE", "--out", "x", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_verifier_imports_nothing_of_the_prover() -> None:
    """Importing the verifier, and verifying a whole manifest with its signatures, loads
    nothing of the prover, the CLI, numpy, galois or eth-account."""
    manifest = Path(__file__).resolve().parent.parent / "vectors" / "v1" / "manifest.json"
    code = (
        "import json, sys, zkpor.verify, zkpor.verify.manifest, zkpor.rangeproof;"
        "from zkpor.manifest import Manifest;"
        f"t = json.load(open({str(manifest)!r}))['testGroups'][0]['tests'][0];"
        "zkpor.verify.verify_manifest(Manifest.model_validate(t['manifest'], strict=True));"
        "bad = [m for m in sys.modules if m.startswith(('zkpor.liabilities', 'zkpor.cli', 'zkpor.publish',"
        " 'zkpor.demo', 'zkpor.rangeproof.prover', 'zkpor.reserves.signing', 'zkpor.solvency_prover',"
        " 'typer', 'numpy', 'galois', 'eth_account', 'eth_utils', 'eth_keys', 'rich', 'distributed'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_customer_verification_on_reference_backend(demo: Path) -> None:
    """The customer's checks, run on the pure-Python backend, accept a valid proof and
    reject a tampered one."""
    env = dict(os.environ, ZKPOR_BACKEND="reference")
    proof = next((demo / "d" / "proofs").iterdir())
    r = zkpor(
        "verify",
        "user",
        str(proof),
        "--manifest",
        "d/bundle/manifest.json",
        "--json",
        cwd=demo,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(proof.read_text())
    data["assets"][0]["path"][0]["children"][0]["hash"] = "00" * 32
    (demo / "tampered.json").write_text(json.dumps(data))
    r = zkpor(
        "verify", "user", "tampered.json", "--manifest", "d/bundle/manifest.json", cwd=demo, env=env
    )
    assert r.returncode == 1


def test_audit_on_reference_backend(demo: Path) -> None:
    env = dict(os.environ, ZKPOR_BACKEND="reference")
    r = zkpor("verify", "audit", "d/bundle", "--quiet", "--workers", "2", cwd=demo, env=env)
    assert r.returncode == 0, r.stderr


def test_r1cs_verifier_imports_nothing_of_the_prover() -> None:
    """Rebuilding a statement of zkpor.circuits and verifying an R1CS proof (the
    collateral vector) loads neither the R1CS prover nor galois nor numpy."""
    vectors = Path(__file__).resolve().parent.parent / "vectors" / "v1" / "r1cs.json"
    code = (
        "import json, sys, zkpor.r1cs, zkpor.circuits;"
        f"f = json.load(open({str(vectors)!r}));"
        "g = next(g for g in f['testGroups'] if g['circuit'] == 'collateral2x12');"
        "t = g['tests'][0];"
        "zkpor.r1cs.verify(zkpor.circuits.build_circuit(g['circuit']), bytes.fromhex(t['proof']),"
        " [bytes.fromhex(c) for c in t['commitments']]);"
        "bad = [m for m in sys.modules if m.startswith(('zkpor.liabilities', 'zkpor.cli',"
        " 'zkpor.rangeproof.prover', 'zkpor.r1cs.prover', 'zkpor.r1cs.field', 'typer', 'numpy',"
        " 'galois', 'numba', 'rich', 'distributed'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_demo_without_margin_is_a_spot_exchange(tmp_path: Path) -> None:
    """``zkpor demo --no-margin``: no prices, tiers or debts anywhere (the browser page's
    end-to-end test uses it, since the page does not check margin rounds yet)."""
    r = zkpor("demo", "--users", "30", "--no-margin", "--json", "--out", "d", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((tmp_path / "d" / "bundle" / "manifest.json").read_text())
    assert "quote" not in manifest
    assert all("debt" not in a and "price" not in a for a in manifest["assets"].values())
    for proof in (tmp_path / "d" / "proofs").iterdir():
        assert "debts" not in json.loads(proof.read_text())
