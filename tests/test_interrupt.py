"""Ctrl-C during zkpor prove: a real process group gets SIGINT (as a terminal sends it to
the driver and its workers); the driver says how to resume and exits 130 without a
traceback; the rerun says it resumed and how many chunks it reused; a rerun with another
input is refused naming that input."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.liab_helpers import PROVE_BASE, write_inputs, zkpor

ARGS = [*PROVE_BASE, "--round", "r1", "--out", "b", "--arity", "4", "--pad-granularity", "16"]
ARGS += ["--chunk-height", "1", "--workers", "2", "--quiet"]


def _finished_chunks(audit: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{audit}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(conn.execute("SELECT count(*) FROM progress").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _interrupt_after_some_chunks(
    tmp: Path, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "zkpor", *ARGS, *extra],
        cwd=tmp,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job
    )
    audit = tmp / "b.partial" / "audit.sqlite"
    deadline = time.monotonic() + 240  # a guard against a hang, not a timing assertion
    while _finished_chunks(audit) < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no chunk finished"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the driver and every worker
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_ctrl_c_then_resume(tmp_path: Path) -> None:
    write_inputs(tmp_path, [(f"u{i:03d}", "BTC", f"{i}.5") for i in range(240)])
    assert zkpor("keygen", "--out", "s.key", cwd=tmp_path).returncode == 0
    assert zkpor("keygen", "--out", "other.key", cwd=tmp_path).returncode == 0
    r = _interrupt_after_some_chunks(tmp_path)
    assert r.returncode == 130, (r.returncode, r.stderr)
    assert r.stderr.strip() == "interrupted; run the same command again to resume", r.stderr
    assert (tmp_path / "b.partial").is_dir() and not (tmp_path / "b").exists()

    # refused resumes name exactly what differs, say nothing about resuming, and leave the
    # unfinished run as it was (issue 23 item 2: a different --round is not a different secret)
    r = zkpor(*[a if a != "4" else "8" for a in ARGS], cwd=tmp_path)
    assert r.returncode == 2 and "--arity" in r.stderr and "balances" not in r.stderr, r.stderr
    assert r.stdout == ""
    r = zkpor(*[a if a != "r1" else "r2" for a in ARGS], cwd=tmp_path)
    assert (r.returncode, r.stdout) == (2, ""), r.stderr
    assert r.stderr == (
        "error: b.partial: an unfinished run of other inputs is in the way: --round differs. "
        "Rerun with the same inputs to resume it, or remove it to start over\n"
    )
    r = zkpor(*[a if a != "s.key" else "other.key" for a in ARGS], cwd=tmp_path)
    assert r.returncode == 2 and "the master secret (--secret) differs" in r.stderr, r.stderr
    assert "--arity" not in r.stderr
    csv_path = tmp_path / "balances.csv"
    original = csv_path.read_bytes()
    csv_path.write_bytes(original.replace(b"u001,BTC,1.5", b"u001,BTC,1.6"))
    r = zkpor(*ARGS, cwd=tmp_path)
    assert r.returncode == 2 and "balances file (balances.csv) differs" in r.stderr, r.stderr
    assert "Rerun with the same inputs to resume it, or remove it" in r.stderr
    csv_path.write_bytes(original)

    r = zkpor(*ARGS, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "resuming the unfinished run in b.partial" in r.stdout
    line = next(x for x in r.stdout.splitlines() if "resumed:" in x)
    reused, total = int(line.split()[1]), int(line.split()[3])
    assert 3 <= reused < total and "chunks reused from the unfinished run" in line
    assert (tmp_path / "b" / "audit.sqlite").is_file()


def test_ctrl_c_with_json_says_so_on_stdout(tmp_path: Path) -> None:
    import json

    write_inputs(tmp_path, [(f"u{i:03d}", "BTC", f"{i}.5") for i in range(240)])
    assert zkpor("keygen", "--out", "s.key", cwd=tmp_path).returncode == 0
    r = _interrupt_after_some_chunks(tmp_path, ("--json",))
    assert r.returncode == 130, (r.returncode, r.stderr)
    failure = json.loads(r.stdout)
    assert failure == {
        "ok": False,
        "error": "interrupted; run the same command again to resume",
        "errors": ["interrupted; run the same command again to resume"],
        "exit_code": 130,
    }
