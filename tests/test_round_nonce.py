"""Issue 10, item 8: proving twice under one round id links nothing (docs/spec.md 7.1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from zkpor.formats.models import Roots
from zkpor.prover.liabilities.export import BundleReader
from zkpor.prover.liabilities.keys import RoundKeys
from zkpor.prover.liabilities.prover import ProverHooks, StopRequested
from zkpor.verify import verify_inclusion

from .liab_helpers import SECRET, run_prove, sample_rows

ROWS = sample_rows(40)


def _leaves(bundle: Path) -> tuple[set[bytes], set[bytes]]:
    conn = sqlite3.connect(bundle / "audit.sqlite")
    rows = conn.execute("SELECT hash, commitment FROM nodes WHERE level = 0").fetchall()
    conn.close()
    return {bytes(h) for h, _ in rows}, {bytes(c) for _, c in rows}


def _nonce(bundle: Path) -> bytes:
    conn = sqlite3.connect(bundle / "private" / "private.sqlite")
    (value,) = conn.execute("SELECT value FROM meta WHERE key = 'run_nonce'").fetchone()
    conn.close()
    return bytes.fromhex(value)


def _private_rows(bundle: Path) -> dict[tuple[str, str], tuple[str, bytes, int]]:
    conn = sqlite3.connect(bundle / "private" / "private.sqlite")
    rows = conn.execute("SELECT asset, user_id, blinding, salt, leaf FROM leaves").fetchall()
    conn.close()
    return {(a, u): (b, bytes(s), leaf) for a, u, b, s, leaf in rows}


def _verify_all(bundle: Path) -> int:
    reader = BundleReader(bundle)
    roots = reader.roots
    count = 0
    try:
        for user in reader.users():
            verify_inclusion(
                reader.inclusion_proof(user),
                roots.assets,
                round_id=roots.round_id,
                arity=roots.arity,
            )
            count += 1
    finally:
        reader.close()
    return count


def test_same_round_and_secret_share_no_leaf(tmp_path: Path) -> None:
    changed = [(u, a, "0.5" if u == "user003" and a == "BTC" else m) for u, a, m in ROWS]
    run_prove(tmp_path, ROWS, out="first")
    run_prove(tmp_path, changed, out="second")
    first, second = tmp_path / "first", tmp_path / "second"
    hashes_a, commitments_a = _leaves(first)
    hashes_b, commitments_b = _leaves(second)
    assert len(commitments_a) == len(commitments_b) == 48 + 16
    assert not commitments_a & commitments_b  # (v1 - v2)*G is no longer a difference of two
    assert not hashes_a & hashes_b
    assert _nonce(first) != _nonce(second)
    priv_a, priv_b = _private_rows(first), _private_rows(second)
    assert priv_a.keys() == priv_b.keys()
    same_salt = [k for k in priv_a if priv_a[k][1] == priv_b[k][1]]
    same_blinding = [k for k in priv_a if priv_a[k][0] == priv_b[k][0]]
    assert not same_salt and not same_blinding
    moved = sum(priv_a[k][2] != priv_b[k][2] for k in priv_a)
    assert moved > len(priv_a) // 2  # a fresh secret permutation, not the old one
    # and the nonce is key material: in no public file, in every derivation
    for bundle in (first, second):
        nonce = _nonce(bundle)
        public = (bundle / "audit.sqlite").read_bytes() + (bundle / "roots.json").read_bytes()
        assert nonce not in public and nonce.hex().encode() not in public
        keys = RoundKeys.derive(SECRET, "2026-11", nonce)
        blinding, salt, _ = _private_rows(bundle)[("BTC", "user003")]
        assert int(blinding, 16) == keys.blinding("BTC", "user003")
        assert salt == keys.salt("BTC", "user003")


def test_resumed_run_keeps_its_nonce_and_exports_valid_proofs(tmp_path: Path) -> None:
    with pytest.raises(StopRequested):
        run_prove(tmp_path, ROWS, hooks=ProverHooks(stop_after_chunks=6))
    nonce = _nonce(tmp_path / "bundle.partial")
    summary = run_prove(tmp_path, ROWS)
    assert summary.chunks_reused == 6 and summary.chunks_rebuilt == 0
    bundle = tmp_path / "bundle"
    assert _nonce(bundle) == nonce
    assert _verify_all(bundle) == 40
    # the resumed bundle is the tree an uninterrupted run with that nonce builds
    run_prove(tmp_path, ROWS, out="straight", hooks=ProverHooks(run_nonce=nonce))
    straight = Roots.model_validate_json((tmp_path / "straight" / "roots.json").read_text())
    assert straight.assets == Roots.model_validate_json((bundle / "roots.json").read_text()).assets


def test_nonce_not_in_cli_output(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from .liab_helpers import write_inputs

    write_inputs(tmp_path, ROWS)
    run = [sys.executable, "-m", "zkpor"]
    subprocess.run([*run, "keygen", "--out", "s.key"], cwd=tmp_path, check=True)
    outputs = []
    for fmt in (["--json"], []):
        r = subprocess.run(
            [
                *run,
                "prove",
                "--balances",
                "balances.csv",
                "--assets",
                "assets.json",
                "--secret",
                "s.key",
                "--round",
                "r",
                "--out",
                f"b{len(outputs)}",
                "--pad-granularity",
                "16",
                "--workers",
                "1",
                "--quiet",
                *fmt,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        outputs.append(r.stdout + r.stderr)
    json.loads(outputs[0])
    for i, text in enumerate(outputs):
        nonce = _nonce(tmp_path / f"b{i}")
        assert nonce.hex() not in text and nonce.hex().upper() not in text
