"""Issue 15: the reduce above the chunk roots runs on the executor when a level is wide
(zkpor/prover/liabilities/reduce.py); the tree is the same, byte for byte, as the driver's."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zkpor.errors import VerificationError
from zkpor.formats.models import Roots
from zkpor.protocol.sumtree import level_sizes
from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities
from zkpor.prover.liabilities.reduce import (
    GroupResult,
    build_group,
    build_top,
    group_count,
    reduce_plan,
)
from zkpor.prover.liabilities.store import open_audit, open_private, private_path
from zkpor.verify.trees import audit_bundle

from .liab_helpers import FIXED_NONCE, SECRET, run_prove, sample_rows, write_inputs

# 100 BTC holders -> 112 leaves at granularity 16: levels 112, 28, 7, 2, 1 at arity 4, so the
# groups of the executor passes end in partial groups (7 = 4 + 3, 2); 34 ETH holders -> 48.
ROWS = sample_rows(100)


def _prove(
    tmp: Path, out: str, driver_nodes: int, chunk_height: int = 1
) -> tuple[Path, list[tuple[str, int, int]]]:
    events: list[tuple[str, int, int]] = []
    run_prove(
        tmp,
        ROWS,
        out=out,
        chunk_height=chunk_height,
        driver_nodes=driver_nodes,
        progress=lambda s, d, t: events.append((s, d, t)),
        hooks=FIXED_NONCE,
    )
    return tmp / out, events


def _nodes(bundle: Path) -> list[tuple[str, int, int, bytes, bytes, bool]]:
    conn = sqlite3.connect(bundle / "audit.sqlite")
    rows = conn.execute(
        "SELECT asset, level, idx, hash, commitment, proof IS NOT NULL FROM nodes "
        "ORDER BY asset, level, idx"
    ).fetchall()
    conn.close()
    return [(a, lvl, i, bytes(h), bytes(c), bool(p)) for a, lvl, i, h, c, p in rows]


@pytest.fixture(scope="module")
def driver_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle, events = _prove(tmp_path_factory.mktemp("driver"), "bundle", driver_nodes=10**6)
    assert not [e for e in events if e[0] == "reduce"], "the driver path used the executor"
    return bundle


@pytest.mark.parametrize(("driver_nodes", "chunk_height"), [(1, 1), (4, 1), (2, 2)])
def test_executor_reduce_gives_the_drivers_tree(
    tmp_path: Path, driver_bundle: Path, driver_nodes: int, chunk_height: int
) -> None:
    bundle, events = _prove(tmp_path, "bundle", driver_nodes, chunk_height)
    expected = sum(
        group_count(tuple(level_sizes(n, 4)), 4, level, g)
        for n in (112, 48)
        for level, g in reduce_plan(tuple(level_sizes(n, 4)), chunk_height, driver_nodes)
    )
    reduce_events = [e for e in events if e[0] == "reduce"]
    assert expected > 0 and reduce_events[-1] == ("reduce", expected, expected)
    assert [d for _, d, _ in reduce_events] == list(range(expected + 1))
    mine = Roots.model_validate_json((bundle / "roots.json").read_text())
    theirs = Roots.model_validate_json((driver_bundle / "roots.json").read_text())
    assert mine.assets == theirs.assets
    # every node's hash and commitment, and which nodes carry proofs, byte for byte
    assert _nodes(bundle) == _nodes(driver_bundle)
    audit_bundle(bundle, roots=mine, workers=1)
    conn = sqlite3.connect(private_path(bundle))
    ours = conn.execute("SELECT * FROM root_openings ORDER BY asset").fetchall()
    conn.close()
    conn = sqlite3.connect(private_path(driver_bundle))
    assert ours == conn.execute("SELECT * FROM root_openings ORDER BY asset").fetchall()
    conn.close()


def test_plan_at_ten_million_leaves() -> None:
    """The brief's case: 10M leaves, arity 16, chunk height 2: one executor pass over the
    39,063 chunk roots in groups of 256; the driver reduces the 153 group roots (11 nodes)."""
    sizes = tuple(level_sizes(10_000_000, 16))
    assert sizes[2] == 39_063
    assert reduce_plan(sizes, 2) == [(2, 2)]
    assert group_count(sizes, 16, 2, 2) == 153 == sizes[4]
    assert sum(sizes[5:]) == 11
    assert reduce_plan(sizes, 2, driver_nodes=39_063) == []
    assert reduce_plan(sizes, 2, driver_nodes=1) == [(2, 2), (4, 2)]


def test_missing_chunk_root_is_damage(tmp_path: Path, driver_bundle: Path) -> None:
    bundle = tmp_path / "copy"
    shutil.copytree(driver_bundle, bundle)
    priv = open_private(private_path(bundle))
    audit = open_audit(bundle / "audit.sqlite")
    priv.execute("DELETE FROM chunk_roots WHERE asset = 'BTC' AND chunk = 9")
    sizes = tuple(level_sizes(112, 4))
    with (
        ThreadPoolExecutor(1) as ex,
        pytest.raises(sqlite3.DatabaseError, match=r"chunk roots 8\.\.11 of BTC"),
    ):
        build_top(audit, priv, "BTC", "2026-11", 4, sizes, 1, ex, window=4, driver_nodes=1)
    with pytest.raises(sqlite3.DatabaseError, match=r"chunk roots 0\.\.27 of BTC"):
        build_top(audit, priv, "BTC", "2026-11", 4, sizes, 1, None, window=4)  # type: ignore[arg-type]
    audit.close()
    priv.close()


def test_run_windowed_bounds_the_tasks_in_flight() -> None:
    """The helper both the map and the reduce use: at most ``window`` tasks submitted and not
    yet consumed; every task's result once; closing early cancels what has not started."""
    import threading

    from zkpor.prover.parallel import run_windowed

    lock = threading.Lock()
    state = {"running": 0, "peak": 0, "started": 0}
    gate = threading.Event()

    def task(x: int) -> int:
        with lock:
            state["running"] += 1
            state["started"] += 1
            state["peak"] = max(state["peak"], state["running"])
        if x > 0:
            gate.wait(5)
        with lock:
            state["running"] -= 1
        return x * x

    drawn: list[int] = []

    def source() -> Iterator[int]:
        for i in range(20):
            drawn.append(i)
            yield i

    gate.set()
    with ThreadPoolExecutor(8) as ex:
        assert sorted(run_windowed(ex, task, source(), 3)) == [i * i for i in range(20)]
    assert state["peak"] <= 3 and drawn == list(range(20))
    gate.clear()
    state["started"] = 0
    drawn.clear()
    with ThreadPoolExecutor(1) as ex:  # task 0 returns; task 1 waits on the gate; 2, 3 queue
        results = run_windowed(ex, task, source(), 4)
        first = next(results)
        results.close()
        gate.set()
    assert first == 0 and drawn == [0, 1, 2, 3]  # tasks are drawn lazily
    assert state["started"] <= 2  # tasks 2 and 3 were cancelled, never run


class _TamperingExecutor(ThreadPoolExecutor):
    """Hands back every reduce group result altered by ``change`` (a test-only fault: a
    worker returning the wrong group)."""

    def __init__(self, change: Callable[[GroupResult], GroupResult]) -> None:
        super().__init__(2)
        self.change = change

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if fn is build_group:
            return super().submit(lambda t: self.change(build_group(t)), *args)
        return super().submit(fn, *args, **kwargs)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda r: dataclasses.replace(r, first=r.first + 4), "a worker returned a wrong group"),
        (lambda r: dataclasses.replace(r, level=r.level + 1), "a worker returned a wrong group"),
        (
            lambda r: dataclasses.replace(r, root=(*r.root[:2], r.root[2] + 1, r.root[3])),
            "a worker returned a wrong group",
        ),
        (
            lambda r: dataclasses.replace(r, root=(r.root[0], bytes(33), *r.root[2:])),
            "does not open",
        ),
    ],
    ids=["shifted", "other level", "value", "commitment"],
)
def test_a_wrong_group_from_a_worker_is_refused(
    tmp_path: Path, change: Callable[[GroupResult], GroupResult], needle: str
) -> None:
    csv_path, assets_path = write_inputs(tmp_path, ROWS)
    opts = ProveOptions(round_id="2026-11", arity=4, pad_granularity=16, chunk_height=1)
    opts = dataclasses.replace(opts, driver_nodes=1)
    with _TamperingExecutor(change) as ex, pytest.raises(VerificationError, match=needle):
        prove_liabilities(
            csv_path, assets_path, SECRET, opts, tmp_path / "b", ex, hooks=FIXED_NONCE
        )
    assert not (tmp_path / "b").exists()
