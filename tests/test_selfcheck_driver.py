"""Issue 21, item 6: the self-check runs on the executor it checks, so the driver checks a
random sample of the workers' results itself (zkpor/prover/liabilities/spotcheck.py).

The adversary is the exchange's own executor: it returns a wrong result AND approves every
worker check of the audit and of the leaf recomputation without checking anything."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from zkpor.crypto.group import N
from zkpor.errors import VerificationError
from zkpor.protocol.sumtree import level_sizes
from zkpor.prover.liabilities.build import ChunkResult, ChunkTask, build_chunk
from zkpor.prover.liabilities.margin import AccountTask, prove_account
from zkpor.prover.liabilities.prover import ProveOptions, prove_liabilities
from zkpor.prover.liabilities.selfcheck import check_leaves
from zkpor.prover.liabilities.spotcheck import DEFAULT_SAMPLE, STAGE, draw_sample

from .liab_helpers import FIXED_NONCE, SECRET, run_prove, sample_rows

ROWS = sample_rows(40)  # BTC: 40 holders -> 48 leaves; ETH: 14 -> 16 (granularity 16)
ALL = 10**9  # a sample size above every count: the driver checks every item


def _approving(fn: Any) -> Callable[..., Any] | None:
    """The adversary's stand-in for a worker check: approve without looking."""
    name = (getattr(fn, "__module__", ""), getattr(fn, "__name__", ""))
    if name == ("zkpor.verify.trees", "_check_unit"):
        return lambda unit: len(unit[3])
    if name == ("zkpor.verify.margin", "_check_unit"):
        return lambda terms, items: len(items)
    if fn is check_leaves:
        return lambda *args: None
    return None


class _Adversary(ThreadPoolExecutor):
    """A compromised executor: ``chunk`` / ``account`` replace the map and collateral steps;
    every audit and self-check task it is given is approved unchecked."""

    def __init__(
        self,
        chunk: Callable[[ChunkTask], ChunkResult] | None = None,
        account: Callable[[AccountTask], tuple[int, bytes]] | None = None,
    ) -> None:
        super().__init__(2)
        self.chunk, self.account = chunk, account
        self.approved = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        fake = _approving(fn)
        if fake is not None:
            self.approved += 1
            return super().submit(fake, *args)
        if fn is build_chunk and self.chunk is not None:
            return super().submit(self.chunk, *args)
        if fn is prove_account and self.account is not None:
            return super().submit(self.account, *args)
        return super().submit(fn, *args, **kwargs)


# --- wrong chunk results --------------------------------------------------------------------


def _shift_value(task: ChunkTask) -> ChunkResult:
    """A consistent but wrong chunk: the whole BTC amount of one customer moved to another
    customer of the same chunk (hashes, sums, range proofs and the chunk root all valid;
    only the leaf commitments are not the amounts')."""
    if task.asset == "BTC" and task.chunk == 0:
        leaves = list(task.leaves)
        users = [i for i, (uid, _, _) in enumerate(leaves) if not uid.startswith("\x00")]
        a, b = users[0], users[1]
        moved = leaves[a][1]
        leaves[a] = (leaves[a][0], 0, leaves[a][2])
        leaves[b] = (leaves[b][0], leaves[b][1] + moved, leaves[b][2])
        task = dataclasses.replace(task, leaves=tuple(leaves))
    return build_chunk(task)


def _swap_proofs(task: ChunkTask) -> ChunkResult:
    """A chunk whose first two level-1 nodes carry each other's range proofs (well formed,
    but not over their own children)."""
    res = build_chunk(task)
    if task.asset == "BTC" and task.chunk == 1:
        proofs = [list(p) for p in res.proofs]
        proofs[1][0], proofs[1][1] = proofs[1][1], proofs[1][0]
        res = dataclasses.replace(res, proofs=proofs)
    return res


def _wrong_hash(task: ChunkTask) -> ChunkResult:
    """A chunk with one level-1 node hash that is not its children's."""
    res = build_chunk(task)
    if task.asset == "ETH" and task.chunk == 0:
        levels = [list(lv) for lv in res.levels]
        levels[1][2] = (bytes(32), levels[1][2][1])
        res = dataclasses.replace(res, levels=levels)
    return res


_CHUNK_ATTACKS = {
    "leaf-commitments": (_shift_value, "leaf commitment is not the amount's", 1),
    "range-proof": (_swap_proofs, "asset BTC, level 1, node 4: range proof does not verify", 2),
}


def _attacked(tmp: Path, adversary: _Adversary, sample: int, chunk_height: int) -> Path:
    run_prove(
        tmp,
        ROWS,
        executor=adversary,
        chunk_height=chunk_height,
        self_check_sample=sample,
        hooks=FIXED_NONCE,
    )
    return tmp / "bundle"


@pytest.mark.parametrize("attack", list(_CHUNK_ATTACKS))
def test_wrong_chunk_approved_by_its_worker_is_caught_on_the_driver(
    tmp_path: Path, attack: str
) -> None:
    fake, needle, height = _CHUNK_ATTACKS[attack]
    with _Adversary(chunk=fake) as ex, pytest.raises(VerificationError) as info:
        _attacked(tmp_path, ex, ALL, height)
    assert ex.approved > 0  # the executor's own checks were all approved
    message = str(info.value)
    assert message.startswith("self-check, on the driver: ") and needle in message
    assert "0x" not in message and "leaf 0" not in message
    assert not (tmp_path / "bundle").exists() and (tmp_path / "bundle.partial").is_dir()


@pytest.mark.parametrize("attack", list(_CHUNK_ATTACKS))
def test_without_the_driver_sample_the_wrong_chunk_is_published(
    tmp_path: Path, attack: str
) -> None:
    """The attacks are real: with no driver sample (size 0), the executor's approval is all
    it takes, and the wrong bundle is published."""
    fake, _, height = _CHUNK_ATTACKS[attack]
    with _Adversary(chunk=fake) as ex:
        assert _attacked(tmp_path, ex, 0, height).is_dir()


def test_driver_checks_every_node_hash_even_without_a_sample(tmp_path: Path) -> None:
    with _Adversary(chunk=_wrong_hash) as ex, pytest.raises(VerificationError) as info:
        _attacked(tmp_path, ex, 0, 2)
    assert "asset ETH, level 1, node 2: hash does not match its children" in str(info.value)
    assert not (tmp_path / "bundle").exists()


# --- wrong collateral proofs ----------------------------------------------------------------

MARGIN_ASSETS = {
    "quote": {"symbol": "USD", "decimals": 2},
    "assets": [
        {"symbol": "BTC", "decimals": 8, "price": "60000.00", "tiers": [{"ratio": 90}]},
        {"symbol": "ETH", "decimals": 6, "price": "3000", "tiers": [{"ratio": 80}]},
    ],
}
MARGIN_ROWS = [
    ("alice", "BTC", "1.5", ""),
    ("alice", "ETH", "0", "10"),
    ("bob", "BTC", "0.2", "0.1"),
    ("bob", "ETH", "5", ""),
    ("carol", "ETH", "2", ""),
]


def _other_openings(task: AccountTask) -> tuple[int, bytes]:
    """For account 0, a valid collateral proof, but over other commitments than the
    account's leaves (every blinding off by one)."""
    if task.account == 0:
        task = dataclasses.replace(task, blindings=tuple((b + 1) % N for b in task.blindings))
    return prove_account(task)


def _margin_round(tmp: Path, adversary: _Adversary, sample: int) -> Path:
    (tmp / "assets.json").write_text(json.dumps(MARGIN_ASSETS))
    (tmp / "balances.csv").write_text(
        "user_id,asset,amount,debt\n" + "".join(",".join(r) + "\n" for r in MARGIN_ROWS)
    )
    opts = ProveOptions(round_id="r1", arity=4, pad_granularity=4, self_check_sample=sample)
    out = tmp / "bundle"
    prove_liabilities(
        tmp / "balances.csv", tmp / "assets.json", SECRET, opts, out, adversary, hooks=FIXED_NONCE
    )
    return out


def test_wrong_collateral_proof_approved_by_its_worker_is_caught(tmp_path: Path) -> None:
    with _Adversary(account=_other_openings) as ex, pytest.raises(VerificationError) as info:
        _margin_round(tmp_path, ex, ALL)
    assert ex.approved > 0
    assert "self-check, on the driver: margin account 0: collateral proof does not verify" in str(
        info.value
    )
    assert not (tmp_path / "bundle").exists()


def test_without_the_driver_sample_the_wrong_collateral_proof_is_published(
    tmp_path: Path,
) -> None:
    with _Adversary(account=_other_openings) as ex:
        assert _margin_round(tmp_path, ex, 0).is_dir()


def test_honest_margin_round_passes_every_driver_check(tmp_path: Path) -> None:
    with _Adversary() as ex:  # approves the worker checks, computes everything honestly
        assert _margin_round(tmp_path, ex, ALL).is_dir()


# --- honest runs and the sample itself ------------------------------------------------------


def test_honest_run_passes_with_the_default_sample(tmp_path: Path) -> None:
    events: list[tuple[str, int, int]] = []
    run_prove(tmp_path, ROWS, progress=lambda s, d, t: events.append((s, d, t)))
    assert (tmp_path / "bundle").is_dir()
    sample = [e for e in events if e[0] == STAGE]
    assert sample and sample[-1][1] == sample[-1][2]
    # every leaf and internal node (cheap checks) plus the sample of each tree
    cheap = sum(sum(level_sizes(n, 4)) for n in (48, 16))
    assert sample[-1][2] > cheap


SHAPES = {"BTC": level_sizes(1000, 4), "ETH": level_sizes(64, 4), "BTC/debt": [4, 1]}


def test_sample_sizes_and_coverage() -> None:
    s = draw_sample(SHAPES, accounts=300, size=20)
    assert [len(s.leaves[t]) for t in SHAPES] == [20, 20, 4]
    for tree, sizes in SHAPES.items():
        leaves, nodes = s.leaves[tree], s.nodes[tree]
        assert len(set(leaves)) == len(leaves) and all(0 <= i < sizes[0] for i in leaves)
        assert len(set(nodes)) == len(nodes)
        assert all(1 <= lv < len(sizes) and 0 <= i < sizes[lv] for lv, i in nodes)
        # at least the drawn count (all when fewer), and one node of every level
        assert len(nodes) >= min(20, sum(sizes[1:]))
        assert {lv for lv, _ in nodes} == set(range(1, len(sizes)))
    assert len(s.accounts) == len(set(s.accounts)) == 20
    assert all(0 <= a < 300 for a in s.accounts)
    assert s.count() == sum(map(len, s.leaves.values())) + sum(map(len, s.nodes.values())) + len(
        s.accounts
    )


def test_sample_of_all_and_of_none() -> None:
    s = draw_sample(SHAPES, accounts=7, size=ALL)
    for tree, sizes in SHAPES.items():
        assert s.leaves[tree] == list(range(sizes[0]))
        assert len(s.nodes[tree]) == sum(sizes[1:])
    assert s.accounts == list(range(7))
    empty = draw_sample(SHAPES, accounts=7, size=0)
    assert empty.count() == 0
    with pytest.raises(ValueError):
        draw_sample(SHAPES, accounts=7, size=-1)


def test_sample_is_fresh_each_run_and_uniform() -> None:
    """Default randomness is the OS's: two draws differ (a repeat of 16 leaves out of 1,000
    has probability < 1e-60); a seeded draw is reproducible; over many draws every leaf is
    picked about equally often."""
    draws = [draw_sample(SHAPES, 300, DEFAULT_SAMPLE) for _ in range(3)]
    assert draws[0].leaves["BTC"] != draws[1].leaves["BTC"] != draws[2].leaves["BTC"]
    assert draws[0].accounts != draws[1].accounts
    seeded = [draw_sample(SHAPES, 300, 8, random.Random(5)) for _ in range(2)]
    assert seeded[0] == seeded[1]
    rng = random.Random(1)
    counts = [0] * 64
    for _ in range(2000):
        for leaf in draw_sample({"ETH": level_sizes(64, 4)}, 0, 8, rng).leaves["ETH"]:
            counts[leaf] += 1
    assert min(counts) > 150 and max(counts) < 350  # expected 2000 * 8 / 64 = 250 each
