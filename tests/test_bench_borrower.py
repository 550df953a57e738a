"""benchmarks/borrower.py, the script behind the committed before/after report of issue 21: the
proof-shape arithmetic, and a small run end to end with one interpreter as both versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.borrower import growth, proof_shape

ROOT = Path(__file__).resolve().parent.parent


def _step(level: int, children: int, tagged: int = 0) -> dict[str, Any]:
    kids: list[dict[str, Any]] = [{"hash": "00", "commitment": "00"} for _ in range(children)]
    for c in kids[:tagged]:
        c["margin"] = {"account": 3, "inputs": 2}
    return {"level": level, "children": kids}


def test_shape_counts_level1_children_and_tags_and_predicts_the_zkpi_growth(
    tmp_path: Path,
) -> None:
    proof = {
        "format": "zkpor-inclusion-v2",
        "assets": [
            {"asset": "BTC", "path": [_step(1, 16, 2), _step(2, 4)]},
            {"asset": "ETH", "path": [_step(1, 16, 1), _step(2, 4)]},
        ],
        "debts": [{"asset": "USDT", "path": [_step(1, 16, 16)]}],
        "collateral": {"account": 3, "inputs": [{}, {}], "proof": "ab" * 100},
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(proof))
    shape = proof_shape(path)
    assert shape["equity"] == ["BTC", "ETH"] and shape["debts"] == ["USDT"]
    assert (shape["level1_children"], shape["level1_tagged"]) == (48, 19)
    assert [p["depth"] for p in shape["paths"]] == [2, 2, 1]
    assert shape["collateral_proof_bytes"] == 100 and shape["collateral_inputs"] == 2
    assert [p["children_per_level"] for p in shape["paths"]] == [[16, 4], [16, 4], [16]]
    paths = shape["paths"][:2]
    no_debt = {**shape, "debts": [], "paths": paths, "level1_children": 32, "level1_tagged": 0}
    # before: the same paths (the non-borrower's second path through a partial node)
    other = [paths[0], {**paths[1], "children_per_level": [16, 3]}]
    report = {
        "before": {
            "borrower": {"bytes": {"json": 1000, "binary": 500}, "shape": shape},
            "non_borrower": {"bytes": {"json": 800, "binary": 400}, "shape": {"paths": other}},
        },
        "after": {
            "borrower": {"bytes": {"json": 1190, "binary": 885}, "shape": shape},
            "non_borrower": {"bytes": {"json": 800, "binary": 656}, "shape": no_debt},
        },
    }
    g = growth(report)
    # 8 bytes per level-1 child; the v4 flags byte; v3's debt count byte gone without debts
    assert g["borrower"]["binary_predicted"] == 8 * 48 + 1 == g["borrower"]["binary_added"]
    assert g["non_borrower"]["binary_predicted"] == 8 * 32 == g["non_borrower"]["binary_added"]
    assert g["borrower"]["same_path_shape"] and not g["non_borrower"]["same_path_shape"]
    assert g["borrower"]["json_added_per_tagged_child"] == 10.0
    assert g["non_borrower"]["json_added_per_tagged_child"] is None


def test_small_run_end_to_end(tmp_path: Path) -> None:
    """A 12-customer demo proven twice by the same interpreter: the report has every figure,
    and two identical versions give proofs of one shape (the same .zkpi size)."""
    out = tmp_path / "report.json"
    py = sys.executable
    args = ["--python-before", py, "--python-after", py, "--users", "12", "--repeat", "1"]
    args += ["--pad-granularity", "64", "--workers", "1"]  # 64 leaves: only the root partial
    args += ["--dir", str(tmp_path / "work"), "--out", str(out)]
    r = subprocess.run(
        [py, "-m", "benchmarks.borrower", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    assert report["parameters"]["same_environment"] is True
    assert report["borrower"] != report["non_borrower"]
    for role in ("borrower", "non_borrower"):
        before, after = report["before"][role], report["after"][role]
        # placement is secret per run: the JSON differs with which siblings are tagged (a
        # `margin` field each) and the digits of indices; the binary's fixed-width fields do not
        assert before["bytes"]["binary"] == after["bytes"]["binary"]
        assert before["bytes"]["json"] > 0 and after["bytes"]["json"] > 0
        assert report["ratio"][role]["bytes"]["binary"] == 1.0
        assert report["growth"][role]["binary_added"] == 0
        assert report["growth"][role]["same_path_shape"]
        for fmt in ("json", "binary"):
            assert len(after["cli"][fmt]["runs_ms"]) == 1 and after["cli"][fmt]["median_ms"] > 0
        assert after["in_process"]["verify_inclusion"]["median_ms"] > 0
    assert report["before"]["borrower"]["shape"]["debts"]
    assert not report["before"]["non_borrower"]["shape"]["debts"]
    assert set(report["depth"]) == set(report["assets"]) == {"BTC", "ETH", "USDT"}
