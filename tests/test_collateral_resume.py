"""The collateral stage is checkpointed (issue 23 item 3; spec 9.4): a run stopped during
the collateral proofs resumes without redoing the finished ones, each reused only if its
checkpoint tag verifies; a stored proof that was tampered with is made again."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zkpor.formats.models import Roots
from zkpor.prover.liabilities.keys import write_master_secret
from zkpor.prover.liabilities.margin import COLLATERAL_PROGRESS
from zkpor.prover.liabilities.options import ProveOptions, ProverHooks, StopRequested
from zkpor.prover.liabilities.prover import prove_liabilities
from zkpor.verify.trees import audit_bundle

from .test_margin import ROWS, write

OPTS = ProveOptions(round_id="r1", arity=4, pad_granularity=4, debt_pad_granularity=4)


def _prove(tmp: Path, hooks: ProverHooks | None = None):  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(2) as pool:
        return prove_liabilities(
            tmp / "balances.csv",
            tmp / "assets.json",
            (tmp / "s.key").read_bytes(),
            OPTS,
            tmp / "b",
            pool,
            hooks=hooks,
        )


@pytest.fixture
def stopped(tmp_path: Path) -> Path:
    """A margin round stopped after 3 collateral proofs were committed."""
    write(tmp_path, [(u, a, m, d) for u, a, m, d in ROWS])
    write_master_secret(tmp_path / "s.key")
    with pytest.raises(StopRequested):
        _prove(tmp_path, ProverHooks(stop_after_collateral=3))
    audit = sqlite3.connect(tmp_path / "b.partial" / "audit.sqlite")
    try:
        (done,) = audit.execute("SELECT count(*) FROM margin_accounts").fetchone()
        (tags,) = audit.execute(
            "SELECT count(*) FROM progress WHERE asset = ?", (COLLATERAL_PROGRESS,)
        ).fetchone()
    finally:
        audit.close()
    assert done == tags == 3
    return tmp_path


def _audits(bundle: Path) -> None:
    roots = Roots.model_validate_json((bundle / "roots.json").read_text())
    report = audit_bundle(bundle, roots=roots, workers=1)
    assert report.margin_accounts > 3


def test_resume_reuses_finished_collateral_proofs(stopped: Path) -> None:
    summary = _prove(stopped)
    assert summary.collateral_reused == 3 and summary.margin_accounts > 3
    _audits(stopped / "b")
    audit = sqlite3.connect(stopped / "b" / "audit.sqlite")
    try:
        tables = {r for (r,) in audit.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        audit.close()
    assert "progress" not in tables  # checkpoint rows never published


def test_a_tampered_stored_proof_is_made_again(stopped: Path) -> None:
    audit = sqlite3.connect(stopped / "b.partial" / "audit.sqlite")
    with audit:
        (account, proof) = audit.execute(
            "SELECT account, proof FROM margin_accounts ORDER BY account LIMIT 1"
        ).fetchone()
        audit.execute(
            "UPDATE margin_accounts SET proof = ? WHERE account = ?",
            (bytes([proof[0] ^ 1]) + proof[1:], account),
        )
    audit.close()
    summary = _prove(stopped)
    assert summary.collateral_reused == 2  # the tampered one failed its tag
    _audits(stopped / "b")


def test_a_proof_without_its_tag_is_made_again(stopped: Path) -> None:
    audit = sqlite3.connect(stopped / "b.partial" / "audit.sqlite")
    with audit:
        audit.execute("DELETE FROM progress WHERE asset = ? AND rowid IN "
                      "(SELECT rowid FROM progress WHERE asset = ? LIMIT 1)",
                      (COLLATERAL_PROGRESS, COLLATERAL_PROGRESS))  # fmt: skip
    audit.close()
    summary = _prove(stopped)
    assert summary.collateral_reused == 2
    _audits(stopped / "b")
