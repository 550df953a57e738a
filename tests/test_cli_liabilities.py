"""The liabilities commands as a user runs them: happy path, error paths, kill and resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .liab_helpers import PROVE_BASE, sample_rows, write_inputs, zkpor


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    write_inputs(tmp, sample_rows(20))
    r = zkpor("keygen", "--out", str(tmp / "s.key"))
    assert r.returncode == 0, r.stderr
    r = zkpor(
        "prove",
        "--balances",
        str(tmp / "balances.csv"),
        "--assets",
        str(tmp / "assets.json"),
        "--secret",
        str(tmp / "s.key"),
        "--round",
        "r1",
        "--out",
        str(tmp / "b"),
        "--pad-granularity",
        "16",
        "--workers",
        "2",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["rows"] == 27
    (tmp / "summary.json").write_text(r.stdout)
    return tmp


def test_export_and_verify_user(flow: Path) -> None:
    r = zkpor("export", str(flow / "b"), "--user", "user003", "--out", str(flow / "u3.json"))
    assert r.returncode == 0, r.stderr
    assert oct((flow / "u3.json").stat().st_mode & 0o777) == "0o600"
    r = zkpor(
        "verify", "user", str(flow / "u3.json"), "--roots", str(flow / "b" / "roots.json"), "--json"
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and {a["asset"] for a in out["assets"]} == {"BTC", "ETH"}
    r = zkpor("verify", "user", str(flow / "u3.json"), "--roots", str(flow / "b" / "roots.json"))
    assert r.returncode == 0 and "OK" in r.stdout


def test_export_all_and_audit(flow: Path) -> None:
    r = zkpor("export", str(flow / "b"), "--all", "--out", str(flow / "all"))
    assert r.returncode == 0, r.stderr
    assert len(list((flow / "all").glob("*.json"))) == 20  # plus index.csv
    r = zkpor("verify", "audit", str(flow / "b"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True


def test_no_secret_in_output(flow: Path) -> None:
    proof = json.loads((flow / "u3.json").read_text()) if (flow / "u3.json").exists() else None
    text = (flow / "summary.json").read_text()
    if proof:
        for entry in proof["assets"]:
            assert entry["blinding"] not in text and entry["salt"] not in text
    key = (flow / "s.key").read_text().split()[1]
    assert key not in text


def test_verification_failure_exit_1(flow: Path) -> None:
    zkpor("export", str(flow / "b"), "--user", "user006", "--out", str(flow / "u6.json"))
    data = json.loads((flow / "u6.json").read_text())
    data["assets"][0]["units"] = str(int(data["assets"][0]["units"]) + 1)
    (flow / "bad.json").write_text(json.dumps(data))
    r = zkpor("verify", "user", str(flow / "bad.json"), "--roots", str(flow / "b" / "roots.json"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "verification failed" in r.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["verify", "user", "missing.json", "--roots", "b/roots.json"], "not found"),
        (["verify", "user", "balances.csv", "--roots", "b/roots.json"], "balances.csv"),
        (["verify", "user", "b/roots.json", "--roots", "b/roots.json"], "roots.json"),
        (["verify", "audit", "nowhere"], "not found"),
        (["verify", "audit", "balances.csv"], "audit"),
        (["export", "b", "--user", "nobody"], "no customer"),
        (["export", "b"], "exactly one"),
        (["export", "nowhere", "--user", "x"], "not a zkpor bundle"),
        (["keygen", "--out", "s.key"], "refusing to overwrite"),
        (
            [
                "prove",
                "--balances",
                "missing.csv",
                "--assets",
                "assets.json",
                "--secret",
                "s.key",
                "--round",
                "r",
                "--out",
                "o",
            ],
            "not found",
        ),
        (
            [
                "prove",
                "--balances",
                "balances.csv",
                "--assets",
                "balances.csv",
                "--secret",
                "s.key",
                "--round",
                "r",
                "--out",
                "o",
            ],
            "assets",
        ),
        (
            [
                "prove",
                "--balances",
                "balances.csv",
                "--assets",
                "assets.json",
                "--secret",
                "assets.json",
                "--round",
                "r",
                "--out",
                "o",
            ],
            "master secret",
        ),
        (
            [
                *PROVE_BASE,
                "--round",
                "r",
                "--out",
                "b",
            ],
            "output exists",
        ),
        (
            [
                *PROVE_BASE,
                "--round",
                "r",
                "--out",
                "o",
                "--arity",
                "3",
            ],
            "arity",
        ),
        *[
            ([*PROVE_BASE, "--round", "r", "--out", "o", "--workers", n], "--workers must be")
            for n in ("0", "-1")
        ],
        *[
            (
                [
                    *PROVE_BASE,
                    "--round",
                    "r",
                    "--out",
                    "o",
                    "--reserves",
                    "balances.csv",
                    "--exchange",
                    "E",
                    "--min-ratio",
                    ratio,
                ],
                "reserve ratio",
            )
            for ratio in ("1e99999999", "9" * 11, "1." + "0" * 11 + "1", "1/" + "7" * 400)
        ],
        (
            [
                *PROVE_BASE,
                "--round",
                "r",
                "--out",
                "o",
                "--reserves",
                "balances.csv",
                "--exchange",
                "Evil\u202eExchange",
            ],
            "exchange name",
        ),
        ([*PROVE_BASE, "--round", "r\u200bound", "--out", "o"], "round id"),
        ([*PROVE_BASE, "--round", "r" * 65, "--out", "o"], "round id"),
    ],
)
def test_error_paths_one_line_exit_2(flow: Path, args: list[str], needle: str) -> None:
    r = zkpor(*args, cwd=flow)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert needle in r.stderr, r.stderr
    assert not (flow / "o").exists()


def test_bad_rows_listed(tmp_path: Path) -> None:
    write_inputs(
        tmp_path, [("a", "BTC", "1"), ("b", "BTC", "-1"), ("c", "XRP", "1"), ("a", "BTC", "2")]
    )
    zkpor("keygen", "--out", str(tmp_path / "s.key"))
    r = zkpor(
        *PROVE_BASE,
        "--round",
        "r",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert r.returncode == 2
    assert "balances.csv:3: amount: negative amount" in r.stderr
    assert "balances.csv:4: asset: unknown asset 'XRP'" in r.stderr
    assert "duplicate" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.partial").exists()


def test_killed_run_resumes(tmp_path: Path) -> None:
    """SIGKILL a real prover mid-run; the next run reuses every committed chunk."""
    write_inputs(tmp_path, sample_rows(400))
    zkpor("keygen", "--out", str(tmp_path / "s.key"))
    args = [
        sys.executable,
        "-m",
        "zkpor",
        *PROVE_BASE,
        "--round",
        "r",
        "--out",
        "o",
        "--pad-granularity",
        "16",
        "--chunk-height",
        "1",
        "--arity",
        "4",
        "--workers",
        "2",
        "--quiet",
        "--json",
    ]
    proc = subprocess.Popen(
        args, cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    audit = tmp_path / "o.partial" / "audit.sqlite"
    done = 0
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if audit.exists():
            try:
                with sqlite3.connect(f"file:{audit}?mode=ro", uri=True, timeout=0.1) as conn:
                    done = conn.execute("SELECT count(*) FROM progress").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if done >= 10:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "prover finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "o").exists()
    r = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["chunks_resumed"] >= 10
    assert (
        summary["chunks_built"] + summary["chunks_resumed"] == 100 + 36
    )  # BTC: 400 leaves; ETH: 134 padded to 144
    assert zkpor("verify", "audit", "o", "--quiet", cwd=tmp_path).returncode == 0


def test_an_unterminated_quote_is_named_where_it_starts(tmp_path: Path) -> None:
    """Issue 23 item 1: an open quote on line 201 of a 9,407-line CSV is reported on line
    201, as an unterminated quote; every other row is read as its own line."""
    lines = ["user_id,asset,amount"] + [f"acct-{i:05d},BTC,1.5" for i in range(1, 9407)]
    lines[200] = 'acct-99998,"BTC,1.5,'
    csv_path = tmp_path / "badquote.csv"
    csv_path.write_text("\n".join(lines) + "\n")
    (tmp_path / "assets.json").write_text('{"assets": [{"symbol": "BTC", "decimals": 8}]}')
    assert zkpor("keygen", "--out", "s.key", cwd=tmp_path).returncode == 0
    r = zkpor(
        "prove", "--balances", "badquote.csv", "--assets", "assets.json", "--secret", "s.key",
        "--round", "r1", "--out", "b", cwd=tmp_path,
    )  # fmt: skip
    assert (r.returncode, r.stderr) == (
        2,
        "error: badquote.csv:201: unterminated quote: the quoted field starting at column 12 "
        "does not end on this line (a field cannot hold a line break)\n",
    )
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()
