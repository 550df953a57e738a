"""What a customer and an auditor read: 80 columns, exact decimals, what was checked and
not, what a failure means; --json failures as {"ok": false, ...}; the demo's hint runs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.demo_round import ROUND, cli, demo_copy, demo_round
from zkpor.cli.demo_cmd import verify_hint
from zkpor.cli.verify_text import FAILED_INCLUSION, FAILED_MANIFEST, decimal


def _proofs(demo: Path) -> list[Path]:
    return sorted((demo / "proofs").glob("*.json"))


def _digest(demo: Path) -> str:
    return (demo / "bundle" / "manifest.sha256").read_text().strip()


@pytest.mark.parametrize(
    ("text", "shown"),
    [("5100000.0", "5100000"), ("0.50", "0.5"), ("12", "12"), ("0.000", "0"), ("1.25", "1.25")],
)
def test_decimal_is_exact_text(text: str, shown: str) -> None:
    assert decimal(text) == shown


def test_verify_user_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # as on a terminal: wrapped to 80 columns
    demo = demo_round()
    for proof in _proofs(demo):
        code, out, err = cli(
            "verify", "user", str(proof), "--manifest", str(demo / "bundle" / "manifest.json"),
            "--digest", _digest(demo),
        )  # fmt: skip
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0] == f"OK: {proof.stem} at Demo Exchange: balances counted in round {ROUND}"
        assert all(len(line) <= 80 for line in lines), [x for x in lines if len(x) > 80]
        assert not re.search(r"\d\.0\b", out)  # amounts as exact decimals, never 5100000.0
        assert "Checked:" in lines and "Not checked (no verifier can, from these files):" in lines
        assert "matches the digest you gave (--digest)" in out
        data = json.loads(proof.read_text())
        for entry in data["assets"]:
            assert f"  {entry['asset']:8} {decimal(entry['amount'])}" in lines


def test_without_digest_it_says_so(tmp_path: Path) -> None:
    demo = demo_round()
    code, out, _ = cli(
        "verify", "user", str(_proofs(demo)[0]), "--manifest", str(demo / "bundle/manifest.json")
    )
    assert code == 0 and "NOT compared with a published digest" in out
    assert "matches the digest" not in out


def test_failures_say_what_they_mean(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path / "demo")
    proof = _proofs(demo)[0]
    data = json.loads(proof.read_text())
    entry = data["assets"][0]
    entry["amount"] = entry["amount"] + "1" if "." in entry["amount"] else entry["amount"] + ".1"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    manifest = str(demo / "bundle" / "manifest.json")
    code, out, err = cli("verify", "user", str(changed), "--manifest", manifest)
    assert code == 1 and out == ""
    assert err.startswith("verification failed: your proof does not verify\n")
    assert "  technical reason: asset " in err and "does not match units" in err
    # what failed is the digest, not the manifest's checks nor the proof (tests/test_failure_screens.py)
    code, out, err = cli("verify", "user", str(proof), "--manifest", manifest, "--digest", "0" * 64)
    assert code == 1 and err.startswith("verification failed: the digest does not match: ")
    assert FAILED_MANIFEST not in err and "your proof does not verify" not in err
    code, out, err = cli("verify", "user", str(changed), "--manifest", manifest, "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["exit_code"] == 1
    assert data["errors"][-1] == FAILED_INCLUSION and data["error"] == data["errors"][0]


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "user", "missing.json", "--manifest", "m.json", "--json"],
        ["verify", "audit", "nowhere", "--json"],
        ["info", "--json", "--bad"],
        ["circuits", "inspect", "nope", "--json"],
        ["reserves", "check", "missing.json", "--exchange", "E", "--round", "r", "--json"],
        ["vectors", "check", "nowhere", "--json"],
        ["prove", "--balances", "x.csv", "--assets", "a.json", "--secret", "s", "--round", "r",
         "--out", "o", "--json"],
        ["demo", "--users", "0", "--out", "d", "--json"],
    ],
)  # fmt: skip
def test_every_json_command_fails_as_json(tmp_path: Path, args: list[str]) -> None:
    code, out, err = cli(*args, cwd=tmp_path)
    assert code in (1, 2) and err.startswith(("error: ", "verification failed: ")), err
    data = json.loads(out)
    assert data["ok"] is False and data["exit_code"] == code and data["error"]


def test_verify_audit_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # as on a terminal: wrapped to 80 columns
    demo = demo_round()
    manifest = json.loads((demo / "bundle" / "manifest.json").read_text())
    code, out, err = cli(
        "verify", "audit", str(demo / "bundle"), "--quiet", "--digest", _digest(demo)
    )
    assert code == 0, err
    assert all(len(line) <= 80 for line in out.splitlines())
    for sym, asset in manifest["assets"].items():
        res = asset["reserves"]
        held = decimal(res["total"])
        if "private_reserves" in asset:  # the demo's ETH (17.11)
            held += " at signed addresses and private reserves"
            keys = asset["private_reserves"]["keys"]
            assert (
                f"reserves of {sym}: proven among {keys} keys at block {res['block_height']} "
                "(private); every key's proof checked" in " ".join(out.split())
            )
        assert f"  {sym}: reserves {held}" in out
        assert f"    chain {res['chain']}, block {res['block_height']}, " in out
    assert "The manifest's digest matches the digest you gave (--digest):" in out
    assert out.count("liabilities not disclosed") == len(manifest["assets"])
    code, out, _ = cli("verify", "audit", str(demo / "bundle"), "--quiet")
    assert code == 0 and "NOT compared with a published digest" in out


def test_the_demo_hint_runs_as_printed(tmp_path: Path) -> None:
    demo = demo_round()
    proof = _proofs(demo)[0]
    hint = verify_hint(demo, proof.stem, _digest(demo))
    assert all(len(line) <= 80 for line in hint[1:])
    r = subprocess.run(
        ["bash", "-c", "\n".join(hint)], capture_output=True, text=True, timeout=300, check=False
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"OK: {proof.stem} at Demo Exchange")
