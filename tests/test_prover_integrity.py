"""Issue 10, item 6: a resumed run never launders damaged state, and no bundle is published
before it has been checked against its input (docs/spec.md 9.4)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from zkpor.errors import InputError, VerificationError
from zkpor.formats.models import Roots
from zkpor.prover.liabilities.prover import ProverHooks, StopRequested

from .liab_helpers import FIXED_NONCE, NONCE, SECRET, check_published, run_prove, sample_rows

ROWS = sample_rows(40)


def _interrupted(tmp: Path, chunks: int = 5) -> Path:
    """A run stopped after ``chunks`` chunks (as if killed); returns BUNDLE.partial."""
    with pytest.raises(StopRequested):
        run_prove(tmp, ROWS, hooks=ProverHooks(stop_after_chunks=chunks, run_nonce=NONCE))
    partial = tmp / "bundle.partial"
    assert partial.is_dir() and not (tmp / "bundle").exists()
    return partial


def _sql(path: Path, sql: str, *args: object) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.execute(sql, args).rowcount
    finally:
        conn.close()


def _private(partial: Path) -> Path:
    return partial / "private" / "private.sqlite"


# --- the loaded leaves ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        # the attack of the issue: one customer shown 0.00000001 instead of the CSV balance
        "UPDATE leaves SET units = '1' WHERE user_id = 'user005' AND asset = 'BTC'",
        "DELETE FROM leaves WHERE user_id = 'user007' AND asset = 'BTC'",
        "UPDATE leaves SET user_id = 'mallory' WHERE user_id = 'user008' AND asset = 'BTC'",
        "UPDATE leaves SET placement = zeroblob(32) WHERE user_id = 'user009' AND asset = 'BTC'",
        "UPDATE leaves SET leaf = -1 - leaf WHERE asset = 'BTC' AND leaf IN (0, 1)",
        "INSERT INTO leaves(asset, leaf, user_id, units, line, placement) "
        "VALUES ('BTC', 999, 'extra', '5', 99, zeroblob(32))",
    ],
    ids=["amount", "deleted", "renamed", "placement", "positions", "added"],
)
def test_resume_refuses_changed_leaves(tmp_path: Path, sql: str) -> None:
    partial = _interrupted(tmp_path)
    assert _sql(_private(partial), sql) >= 1
    with pytest.raises(InputError, match="leaves of asset BTC differ from the ones loaded"):
        run_prove(tmp_path, ROWS)
    assert not (tmp_path / "bundle").exists()


def test_changed_leaf_amount_cli_exit_2(tmp_path: Path) -> None:
    partial = _interrupted(tmp_path)
    _sql(_private(partial), "UPDATE leaves SET units = '1' WHERE user_id = 'user005'")
    r = _cli_resume(tmp_path)
    assert r.returncode == 2, r.stderr
    assert "leaves of asset BTC differ" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "bundle").exists()


# --- finished chunks ------------------------------------------------------------------------


def _first_done(partial: Path) -> tuple[str, int]:
    conn = sqlite3.connect(partial / "audit.sqlite")
    asset, chunk = conn.execute("SELECT asset, chunk FROM progress ORDER BY rowid").fetchone()
    conn.close()
    return str(asset), int(chunk)


# At arity 4 and chunk height 1, chunk c of an asset holds leaves 4c..4c+3 and node c of level 1.
_AUDIT_DAMAGE = {
    # the attack of the issue: a finished chunk's audit rows deleted, its progress row kept
    "deleted-rows": "DELETE FROM nodes WHERE asset = ? AND level = 0 AND idx / 4 = ?",
    "deleted-node": "DELETE FROM nodes WHERE asset = ? AND level = 1 AND idx = ?",
    "changed-hash": "UPDATE nodes SET hash = zeroblob(32) WHERE asset = ? AND level = 0 "
    "AND idx = 4 * ? + 1",
    "changed-proof": "UPDATE nodes SET proof = substr(proof, 2) WHERE asset = ? AND level = 1 "
    "AND idx = ?",
}
_PRIVATE_DAMAGE = {
    "root-opening": "UPDATE chunk_roots SET value = '0' WHERE asset = ? AND chunk = ?",
    "root-deleted": "DELETE FROM chunk_roots WHERE asset = ? AND chunk = ?",
    "salt": "UPDATE leaves SET salt = zeroblob(32) WHERE asset = ? AND leaf = 4 * ?",
    "blinding": "UPDATE leaves SET blinding = '0x1' WHERE asset = ? AND leaf = 4 * ? + 2",
}


@pytest.mark.parametrize(
    ("store", "sql"),
    [("audit", sql) for sql in _AUDIT_DAMAGE.values()]
    + [("private", sql) for sql in _PRIVATE_DAMAGE.values()],
    ids=list(_AUDIT_DAMAGE) + list(_PRIVATE_DAMAGE),
)
def test_damaged_finished_chunk_is_rebuilt(tmp_path: Path, store: str, sql: str) -> None:
    partial = _interrupted(tmp_path)
    asset, chunk = _first_done(partial)
    target = partial / "audit.sqlite" if store == "audit" else _private(partial)
    assert _sql(target, sql, asset, chunk) >= 1
    summary = run_prove(tmp_path, ROWS)
    assert (summary.chunks_rebuilt, summary.chunks_reused) == (1, 4)
    assert summary.chunks_built == 16 - 4
    check_published(tmp_path / "bundle", ROWS)
    if sql != _AUDIT_DAMAGE["deleted-rows"]:
        return
    # and the rebuilt chunk is the one an uninterrupted run builds (same stored nonce)
    run_prove(tmp_path, ROWS, out="fresh", hooks=FIXED_NONCE)
    fresh = Roots.model_validate_json((tmp_path / "fresh" / "roots.json").read_text())
    resumed = Roots.model_validate_json((tmp_path / "bundle" / "roots.json").read_text())
    assert fresh.assets == resumed.assets


def test_progress_row_for_unbuilt_chunk_is_not_trusted(tmp_path: Path) -> None:
    partial = _interrupted(tmp_path, chunks=2)
    _sql(partial / "audit.sqlite", "INSERT INTO progress VALUES ('ETH', 3, zeroblob(32))")
    summary = run_prove(tmp_path, ROWS)
    assert summary.chunks_rebuilt == 1 and summary.chunks_reused == 2
    check_published(tmp_path / "bundle", ROWS)


# --- unreadable files -----------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 100, 4096, 0.5])
def test_truncated_audit_file_is_rebuilt(tmp_path: Path, keep: float) -> None:
    partial = _interrupted(tmp_path)
    audit = partial / "audit.sqlite"
    size = audit.stat().st_size
    with audit.open("r+b") as fh:
        fh.truncate(int(size * keep) if isinstance(keep, float) else keep)
    summary = run_prove(tmp_path, ROWS)
    assert summary.chunks_reused == 0 and summary.chunks_built == 16
    assert summary.audit_rebuilt == (keep != 0)  # an empty file is a valid, empty database
    check_published(tmp_path / "bundle", ROWS)


def test_truncated_audit_file_cli_no_traceback(tmp_path: Path) -> None:
    partial = _interrupted(tmp_path)
    audit = partial / "audit.sqlite"
    with audit.open("r+b") as fh:
        fh.truncate(audit.stat().st_size // 2)
    r = _cli_resume(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "resumed: the unfinished audit file was unreadable" in r.stdout


@pytest.mark.parametrize("keep", [0, 100, 0.5])
def test_truncated_private_store_refused(tmp_path: Path, keep: float) -> None:
    partial = _interrupted(tmp_path)
    private = _private(partial)
    size = private.stat().st_size
    with private.open("r+b") as fh:
        fh.truncate(int(size * keep) if isinstance(keep, float) else keep)
    r = _cli_resume(tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "bundle.partial" in r.stderr and "remove it to start over" in r.stderr, r.stderr


# --- self-check before publishing -----------------------------------------------------------

_FINISHED_DAMAGE: dict[str, tuple[str, str, str]] = {
    "leaf-amount": (
        "private",
        "UPDATE leaves SET units = '1' WHERE user_id = 'user005' AND asset = 'BTC'",
        "leaf commitment is not the amount's",
    ),
    "leaf-salt": (
        "private",
        "UPDATE leaves SET salt = zeroblob(32) WHERE user_id = 'user004' AND asset = 'BTC'",
        "salt is not the derived one",
    ),
    "leaf-blinding": (
        "private",
        "UPDATE leaves SET blinding = '0x2' WHERE user_id = 'user004' AND asset = 'BTC'",
        "blinding is not the derived one",
    ),
    "pad-amount": (
        "private",
        "UPDATE leaves SET units = '7' WHERE rowid = "
        "(SELECT rowid FROM leaves WHERE line IS NULL AND asset = 'ETH' LIMIT 1)",
        "padding leaf: holds a non-zero amount",
    ),
    "customer-dropped": (
        "private",
        "DELETE FROM leaves WHERE user_id = 'user006' AND asset = 'BTC'",
        "does not hold the row's amount",
    ),
    "root-opening": (
        "private",
        "UPDATE root_openings SET value = value - 1 WHERE asset = 'ETH'",
        "root opening is not the total",
    ),
    "root-blinding": (
        "private",
        "UPDATE root_openings SET blinding = '0x5' WHERE asset = 'BTC'",
        "root opening does not open the root",
    ),
    "audit-leaf": (
        "audit",
        "UPDATE nodes SET hash = zeroblob(32) WHERE asset = 'BTC' AND level = 0 AND idx = 3",
        "audit of the new bundle",
    ),
    "audit-node-missing": (
        "audit",
        "DELETE FROM nodes WHERE asset = 'ETH' AND level = 1 AND idx = 2",
        "audit of the new bundle",
    ),
}


@pytest.mark.parametrize(
    ("store", "sql", "needle"), list(_FINISHED_DAMAGE.values()), ids=list(_FINISHED_DAMAGE)
)
def test_self_check_catches_corrupted_bundle(
    tmp_path: Path, store: str, sql: str, needle: str
) -> None:
    def corrupt(partial: Path) -> None:
        target = partial / "audit.sqlite" if store == "audit" else _private(partial)
        assert _sql(target, sql) >= 1

    published: list[Path] = []
    with pytest.raises(VerificationError, match="self-check") as info:
        run_prove(
            tmp_path,
            ROWS,
            hooks=ProverHooks(before_self_check=corrupt),
            finalize=_record(published),
        )
    assert needle in str(info.value)
    assert not published, "the manifest step ran on a bundle that failed its self-check"
    assert not (tmp_path / "bundle").exists() and (tmp_path / "bundle.partial").is_dir()
    for secret in ("0x", "zeroblob"):
        assert secret not in str(info.value)


def test_self_check_passes_untouched(tmp_path: Path) -> None:
    published: list[Path] = []
    run_prove(
        tmp_path,
        ROWS,
        hooks=ProverHooks(before_self_check=lambda p: None),
        finalize=_record(published),
    )
    assert published and (tmp_path / "bundle").is_dir()


def _record(published: list[Path]) -> Callable[[Path, object], None]:
    def finalize(partial: Path, summary: object) -> None:
        published.append(partial)

    return finalize


def _cli_resume(tmp: Path) -> subprocess.CompletedProcess[str]:
    """Resume the run of :func:`_interrupted` through the command line."""
    secret = tmp / "s.key"
    secret.write_text(f"zkpor-master-secret-v1\n{SECRET.hex()}\n")
    secret.chmod(0o600)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "zkpor",
            "prove",
            "--balances",
            "balances.csv",
            "--assets",
            "assets.json",
            "--secret",
            "s.key",
            "--round",
            "2026-11",
            "--out",
            "bundle",
            "--arity",
            "4",
            "--pad-granularity",
            "16",
            "--chunk-height",
            "1",
            "--workers",
            "1",
            "--quiet",
        ],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_deleted_audit_rows_cli_rebuilds_and_says_so(tmp_path: Path) -> None:
    partial = _interrupted(tmp_path)
    asset, chunk = _first_done(partial)
    _sql(partial / "audit.sqlite", _AUDIT_DAMAGE["deleted-rows"], asset, chunk)
    r = _cli_resume(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "resumed: 1 finished chunk(s) failed their checkpoint check" in r.stdout
    check_published(tmp_path / "bundle", ROWS)
