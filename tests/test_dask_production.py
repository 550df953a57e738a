"""Issue 15: Dask as it runs in production -- ``dask scheduler`` and ``dask worker`` as
separate processes, the prover connecting with ``--scheduler ADDRESS`` -- builds the tree a
local run builds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import distributed  # noqa: F401  (dev extra: a broken install fails here, it is not skipped)
import pytest

from zkpor.formats.models import Roots
from zkpor.prover.parallel import make_executor

from .dask_helpers import Cluster, dask_cluster, secret_file
from .liab_helpers import (
    FIXED_NONCE,
    PROVE_BASE,
    SECRET,
    check_published,
    run_prove,
    sample_rows,
    zkpor,
)

ROWS = sample_rows(40)  # BTC 48 leaves, ETH 16: 16 chunks at arity 4, chunk height 1
SMALL = ["--round", "2026-11", "--arity", "4", "--pad-granularity", "16", "--chunk-height", "1"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with dask_cluster(tmp_path_factory.mktemp("cluster"), workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same round proved on local threads, with the tests' fixed run nonce."""
    tmp = tmp_path_factory.mktemp("local")
    run_prove(tmp, ROWS, hooks=FIXED_NONCE)
    return tmp / "bundle"


def _nodes(bundle: Path) -> list[tuple[str, int, int, bytes, bytes]]:
    conn = sqlite3.connect(bundle / "audit.sqlite")
    rows = conn.execute(
        "SELECT asset, level, idx, hash, commitment FROM nodes ORDER BY asset, level, idx"
    ).fetchall()
    conn.close()
    return [(a, lvl, i, bytes(h), bytes(c)) for a, lvl, i, h, c in rows]


def _roots(bundle: Path) -> Roots:
    return Roots.model_validate_json((bundle / "roots.json").read_text())


def test_cluster_run_equals_local_run(tmp_path: Path, cluster: Cluster, local: Path) -> None:
    """Same inputs, secret, round and run nonce: the same tree, node for node."""
    with make_executor(scheduler=cluster.address) as executor:
        summary = run_prove(tmp_path, ROWS, executor=executor, hooks=FIXED_NONCE)
    assert summary.chunks_built == 16
    assert _roots(tmp_path / "bundle").assets == _roots(local).assets
    assert _nodes(tmp_path / "bundle") == _nodes(local)
    check_published(tmp_path / "bundle", ROWS)


def test_cli_prove_with_scheduler(tmp_path: Path, cluster: Cluster, local: Path) -> None:
    """``zkpor prove --scheduler``: a real run draws a fresh run nonce, so its roots are not
    the local run's (by design); what must be equal is: the same leaves and depth per tree,
    every customer with their CSV amount, every root opening the CSV total, and the audit."""
    run_prove(tmp_path, ROWS, out="unused")  # writes balances.csv and assets.json
    secret_file(tmp_path, SECRET)
    r = zkpor(
        *PROVE_BASE,
        *SMALL,
        "--out",
        "bundle",
        "--scheduler",
        cluster.address,
        "--json",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (data["chunks_built"], data["chunks_resumed"]) == (16, 0)
    roots = check_published(tmp_path / "bundle", ROWS)
    theirs = _roots(local)
    for sym, root in roots.assets.items():
        other = theirs.assets[sym]
        assert (root.leaf_count, root.depth) == (other.leaf_count, other.depth)
        assert root.root_hash != other.root_hash  # a fresh nonce: nothing links the two runs
