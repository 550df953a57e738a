"""`verify audit`'s progress follows the work (issue 23, item 11): a tree's bar counts nodes
whose range proofs have been checked, not batches handed to the workers, so its clock
shows where the time goes; the manifest check has its own stage."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from zkpor.formats.manifest import Manifest
from zkpor.verify.recipes import audit

from .demo_round import demo_round


class CountingPool(ThreadPoolExecutor):
    """Two threads; counts the nodes of every batch a worker has finished checking."""

    def __init__(self) -> None:
        super().__init__(2)
        self.finished = 0
        self.lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        tree_batch = fn.__module__ == "zkpor.verify.trees" and fn.__name__ == "_check_unit"
        nodes = len(args[0][3]) if tree_batch else 0

        def count(_: Future[Any]) -> None:
            with self.lock:
                self.finished += nodes

        future.add_done_callback(count)
        return future


def test_progress_counts_checked_nodes_only() -> None:
    bundle = demo_round() / "bundle"
    manifest = Manifest.model_validate_json((bundle / "manifest.json").read_text())
    calls: list[tuple[str, int, int, int]] = []
    with CountingPool() as pool:

        def progress(stage: str, done: int, total: int) -> None:
            with pool.lock:
                calls.append((stage, done, total, pool.finished))

        audit(bundle, manifest, executor=pool, progress=progress)
    stages = list(dict.fromkeys(c[0] for c in calls))
    assert stages[0] == "check the manifest"
    assert [s for s in stages if s.startswith("audit ") and s != "audit margin accounts"] == [
        "audit BTC",
        "audit BTC/debt",
        "audit ETH",
        "audit ETH/debt",
        "audit USDT",
        "audit USDT/debt",
    ]
    trees = [c for c in calls if c[0].startswith("audit ") and c[0] != "audit margin accounts"]
    # within one tree, reported done never runs ahead of the nodes the workers finished
    base: dict[str, int] = {}
    for stage, done, total, finished in trees:
        base.setdefault(stage, finished)
        assert done <= finished - base[stage], (stage, done, finished - base[stage])
        assert 0 <= done <= total
    for stage in base:
        last = [c for c in trees if c[0] == stage][-1]
        assert last[1] == last[2], f"{stage} never reported complete"
    assert calls[0][:3] == ("check the manifest", 0, 1) and calls[1][:3] == (
        "check the manifest",
        1,
        1,
    )
